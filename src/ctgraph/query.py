"""Runs SPARQL over the loaded graph with rdflib, read-only and offline, and formats the results."""

from __future__ import annotations

import rdflib.plugins.sparql
from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result

from . import results
from .errors import QuerySyntaxError, UnsupportedFormat
from .export import serialize_graph
from .load import KnowledgeGraph

__all__ = ["SELECT_FORMATS", "GRAPH_FORMATS", "prepare", "execute", "format_result"]

# rdflib would otherwise dereference FROM <iri> over the network or from disk.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False

SELECT_FORMATS = ("table", "json", "xml", "csv", "tsv")
GRAPH_FORMATS = ("turtle", "json-ld", "nt")


def _contains_service(node: object) -> bool:
    if isinstance(node, CompValue):
        if node.name == "ServiceGraphPattern":
            return True
        return any(_contains_service(value) for value in node.values())
    if isinstance(node, list | tuple | ParseResults):
        return any(_contains_service(item) for item in node)
    return False


def prepare(text: str) -> Query:
    """Parse and translate a query; syntax errors carry line and column, SERVICE and FROM are refused."""
    try:
        parsed = parseQuery(text)
    except ParseException as exc:
        raise QuerySyntaxError(
            f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}",
            line=exc.lineno, column=exc.col, hint="fix the query text",
        ) from None
    if _contains_service(parsed):
        raise QuerySyntaxError(
            "SERVICE is refused: ctgraph query runs offline over the local graph",
            hint="run network queries against their own endpoint; see queries/README.md",
        )
    try:
        query = translateQuery(parsed)
    except Exception as exc:  # noqa: BLE001 - rdflib raises bare Exception for semantic errors (e.g. unbound prefix)
        raise QuerySyntaxError(f"SPARQL error: {exc}", hint="check prefixes and variable use") from None
    if query.algebra.get("datasetClause"):
        raise QuerySyntaxError(
            "FROM / FROM NAMED are refused: the graph is fixed", hint="use GRAPH <iri> { … } to select a named graph"
        )
    return query


def execute(kg: KnowledgeGraph, text: str) -> Result:
    """Run a SPARQL query over the union of all named graphs."""
    return kg.dataset.query(prepare(text))


def format_result(kg: KnowledgeGraph, result: Result, fmt: str) -> bytes:
    """Serialise a result: SPARQL result formats for SELECT/ASK, RDF formats for CONSTRUCT/DESCRIBE."""
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        if fmt == "table":
            fmt = "turtle"
        if fmt not in GRAPH_FORMATS:
            raise UnsupportedFormat(f"--format {fmt} cannot express a graph", hint=f"use one of {', '.join(GRAPH_FORMATS)}")
        return serialize_graph(result.graph, fmt)  # type: ignore[arg-type]
    if fmt not in SELECT_FORMATS:
        raise UnsupportedFormat(
            f"--format {fmt} cannot express {result.type} results", hint=f"use one of {', '.join(SELECT_FORMATS)}"
        )
    if fmt == "table":
        return results.table(result, kg.dataset.namespace_manager).encode("utf-8")
    if fmt == "tsv":
        return results.tsv(result).encode("utf-8")
    return result.serialize(format=fmt)  # type: ignore[return-value]
