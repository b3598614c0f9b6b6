"""Deterministic exports of the graph (Turtle, JSON-LD with an inline context, N-Triples, TriG, N-Quads), written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from collections import defaultdict
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import split_uri
from rdflib.plugins.serializers.nquads import _nq_row

from .errors import ExportError, UnsupportedFormat
from .load import KnowledgeGraph
from .namespaces import PREFIXES, RDF, XSD, bind_prefixes

__all__ = ["FORMATS", "MEDIA_TYPES", "SUFFIXES", "build_context", "serialize_graph", "export_bytes", "write_export"]

FORMATS = ("turtle", "json-ld", "nt", "trig", "nquads")
MEDIA_TYPES = {
    "turtle": "text/turtle",
    "json-ld": "application/ld+json",
    "nt": "application/n-triples",
    "trig": "application/trig",
    "nquads": "application/n-quads",
}
SUFFIXES = {"turtle": ".ttl", "json-ld": ".jsonld", "nt": ".nt", "trig": ".trig", "nquads": ".nq"}


def _curie(iri: str) -> str:
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return iri
    prefix = next(p for p, ns in PREFIXES.items() if ns == best)
    return f"{prefix}:{iri[len(best):]}"


def build_context(graph: Graph) -> dict[str, object]:
    """A small JSON-LD @context: the prefixes the graph uses and a term for each predicate whose local name is unique."""
    used_namespaces: set[str] = set()
    for term in (t for triple in graph for t in triple):
        if isinstance(term, URIRef):
            used_namespaces.update(ns for ns in PREFIXES.values() if str(term).startswith(ns))
        elif isinstance(term, Literal) and term.datatype is not None:
            used_namespaces.update(ns for ns in PREFIXES.values() if str(term.datatype).startswith(ns))
    context: dict[str, object] = {p: ns for p, ns in sorted(PREFIXES.items()) if ns in used_namespaces}
    by_local: dict[str, set[URIRef]] = defaultdict(set)
    for predicate in set(graph.predicates()):
        if predicate == RDF.type:
            continue
        try:
            _, local = split_uri(predicate)
        except ValueError:
            continue
        if local.isidentifier() and local not in context:
            by_local[local].add(predicate)  # type: ignore[arg-type]
    for local, predicates in sorted(by_local.items()):
        if len(predicates) != 1:
            continue  # ambiguous local name (e.g. schema:name and foaf:name): leave it as a prefixed name
        predicate = next(iter(predicates))
        objects = set(graph.objects(None, predicate))
        definition: dict[str, str] = {"@id": _curie(str(predicate))}
        if objects and all(isinstance(o, URIRef) for o in objects):
            definition["@type"] = "@id"
        else:
            datatypes = {o.datatype for o in objects if isinstance(o, Literal)}
            if len(datatypes) == 1 and all(isinstance(o, Literal) for o in objects):
                datatype = next(iter(datatypes))
                if datatype is not None and datatype not in (XSD.string, XSD.integer, XSD.boolean, XSD.double):
                    definition["@type"] = _curie(str(datatype))
        context[local] = definition if len(definition) > 1 else definition["@id"]
    return context


def _sort_jsonld(value: object) -> object:
    """Sort node arrays and value arrays (JSON-LD sets are unordered) so equal graphs give equal bytes."""
    if isinstance(value, dict):
        return {k: (v if k == "@list" else _sort_jsonld(v)) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sort_jsonld(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def _reject_blank_nodes(graph: Graph) -> None:
    # Blank-node labels are not stable across runs; the data mints IRIs for everything instead.
    for triple in graph:
        if any(isinstance(t, BNode) for t in triple):
            raise ExportError(
                f"blank node in {triple!r}: exports must be deterministic", hint="give the node an IRI in data/"
            )


def _sorted_lines(text: str) -> bytes:
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


def serialize_graph(graph: Graph, fmt: str, context: dict[str, object] | None = None) -> bytes:
    """One graph as Turtle, N-Triples or compact JSON-LD, byte-identical for equal graphs without blank nodes."""
    bind_prefixes(graph)
    if fmt == "turtle":
        return graph.serialize(format="turtle", encoding="utf-8")
    if fmt == "nt":
        return _sorted_lines(graph.serialize(format="nt"))
    if fmt == "json-ld":
        ctx = context if context is not None else build_context(graph)
        raw = json.loads(graph.serialize(format="json-ld", context=ctx, auto_compact=True))
        body = {k: v for k, v in raw.items() if k != "@context"}
        if "@graph" not in body:
            body = {"@graph": [body]} if body else {"@graph": []}
        ordered = {"@context": ctx, "@graph": _sort_jsonld(body["@graph"])}
        return (json.dumps(ordered, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
    raise UnsupportedFormat(f"format {fmt!r} is not a single-graph format", hint="use turtle, nt or json-ld")


def _trig(dataset: Dataset) -> bytes:
    """Named graphs in IRI order, each written as sorted Turtle-style blocks."""
    chunks = []
    prefixes = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(PREFIXES.items()))
    for graph in sorted(dataset.graphs(), key=lambda g: str(g.identifier)):
        if not len(graph) or not isinstance(graph.identifier, URIRef):
            continue
        body = Graph()
        bind_prefixes(body)
        body += graph
        turtle = body.serialize(format="turtle")
        statements = "\n".join(line for line in turtle.splitlines() if not line.startswith("@prefix")).strip()
        # Not indented: indenting would change the content of multi-line literals.
        chunks.append(f"<{graph.identifier}> {{\n{statements}\n}}\n")
    return (prefixes + "\n" + "\n".join(chunks)).encode("utf-8")


def export_bytes(kg: KnowledgeGraph, fmt: str) -> bytes:
    """The whole graph in one format; triple formats carry the union, quad formats the named graphs."""
    _reject_blank_nodes(kg.union)
    if fmt in ("turtle", "nt", "json-ld"):
        return serialize_graph(kg.union, fmt)
    if fmt == "trig":
        return _trig(kg.dataset)
    if fmt == "nquads":
        return _sorted_lines("".join(
            _nq_row(triple, source.graph_iri) for source in kg.files for triple in kg.graph_of(source)
        ))
    raise UnsupportedFormat(f"unknown export format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")


def _atomic_write(path: Path, data: bytes) -> None:
    directory = path.parent
    if not directory.is_dir():
        raise ExportError(f"{directory}: no such directory", hint="create it or choose another -o path")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    tmp = Path(tmp_name)
    try:
        # mkstemp creates the file 0600; give it the mode a plain open() would (0666 less the umask).
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_export(kg: KnowledgeGraph, fmt: str, output: Path, context_output: Path | None = None) -> list[Path]:
    """Write an export (and, for JSON-LD, its context as a file of its own) atomically; return the paths written."""
    data = export_bytes(kg, fmt)  # everything is computed before anything is written
    written = []
    if fmt == "json-ld":
        ctx_path = context_output or output.with_name("context.jsonld")
        ctx = json.dumps({"@context": build_context(kg.union)}, indent=2, ensure_ascii=False) + "\n"
        _atomic_write(ctx_path, ctx.encode("utf-8"))
        written.append(ctx_path)
    try:
        _atomic_write(output, data)
    except OSError as exc:
        raise ExportError(f"{output}: cannot write: {exc.strerror}", hint="check the path and permissions") from None
    written.append(output)
    return written
