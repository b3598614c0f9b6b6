"""What one server process holds: its settings, the loaded graph, the named queries and the query engine."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import rdflib.plugins.sparql
from rdflib import Dataset, Graph, URIRef
from rdflib.exceptions import ParserError
from rdflib.util import guess_format

from ..errors import InputSyntaxError
from ..load import KnowledgeGraph, load_graph
from ..namespaces import PREFIXES
from ..paths import Layout, resolve_layout
from ..queries import NamedQuery, load_named_queries
from .engine import QueryEngine
from .guard import QueryGuard
from .settings import Settings

__all__ = [
    "ServerState",
    "build_state",
    "engine_graphs",
    "load_extra_graphs",
    "store_graph_names",
    "distinct_triples",
]

_RDFLIB_DEFAULT = "urn:x-rdflib:default"


@dataclass
class ServerState:
    """Everything the routes share; the app keeps it as ``app.state.ctg``."""

    settings: Settings
    layout: Layout
    kg: KnowledgeGraph
    engine: QueryEngine
    guard: QueryGuard
    named_queries: list[NamedQuery]
    graph_names: frozenset[str]
    triple_count: int


def load_extra_graphs(dataset: Dataset, graphs: list[tuple[str, Path]]) -> None:
    """Parse each IRI=FILE setting into a named graph of the dataset; a bad file raises naming it."""
    for iri, path in graphs:
        if not path.is_file():
            raise InputSyntaxError(
                f"{path}: no such file (from the graph setting {iri}={path})",
                hint="give --graph IRI=FILE with an existing RDF file",
            )
        fmt = guess_format(str(path)) or "turtle"
        parsed = Graph()
        try:
            parsed.parse(path, format=fmt)
        except (SyntaxError, ValueError, ParserError) as exc:
            raise InputSyntaxError(
                f"{path}: not valid {fmt}: {exc}", hint="fix the file or drop the setting"
            ) from None
        named = dataset.graph(URIRef(iri))
        for triple in parsed:
            named.add(triple)


def store_graph_names(dataset: Dataset) -> frozenset[str]:
    """The IRIs of the dataset's non-empty named graphs (what FROM and GRAPH may name)."""
    return frozenset(
        str(g.identifier) for g in dataset.graphs() if str(g.identifier) != _RDFLIB_DEFAULT and len(g) > 0
    )


def distinct_triples(dataset: Dataset) -> int:
    """Triples in the union of all graphs, each counted once (the default graph the endpoint queries)."""
    return len({triple for graph in dataset.graphs() for triple in graph})


def engine_graphs(dataset: Dataset) -> list[tuple[str | None, bytes]]:
    """Each graph of the dataset as (IRI, None for the default graph; N-Triples), for the query workers."""
    # Per-graph N-Triples rather than one N-Quads dump: rdflib 7.6's N-Quads writer calls its own deprecated
    # API.
    parts: list[tuple[str | None, bytes]] = []
    for graph in dataset.graphs():
        if len(graph) == 0:
            continue
        name = str(graph.identifier)
        parts.append(
            (None if name == _RDFLIB_DEFAULT else name, graph.serialize(format="nt", encoding="utf-8"))
        )
    return parts


def build_state(settings: Settings) -> ServerState:
    """Load the checkout named by the settings and prepare (not start) the query engine."""
    # The server never lets rdflib fetch what a query's FROM names, whichever route evaluates with rdflib.
    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
    layout = resolve_layout(settings.root)
    kg = load_graph(layout)
    load_extra_graphs(kg.dataset, settings.extra_graphs())
    graph_names = store_graph_names(kg.dataset)
    engine = QueryEngine(
        engine_graphs(kg.dataset),
        workers=settings.workers,
        timeout=settings.query_timeout,
        max_rows=settings.max_rows,
        max_concurrent=settings.max_concurrent,
        prefixes=dict(PREFIXES),
        base_iri=settings.base_iri + "sparql",
    )
    guard = QueryGuard(graph_names, tuple(settings.allow_service), settings.base_iri + "sparql")
    return ServerState(
        settings=settings,
        layout=layout,
        kg=kg,
        engine=engine,
        guard=guard,
        named_queries=load_named_queries(layout),
        graph_names=graph_names,
        triple_count=distinct_triples(kg.dataset),
    )
