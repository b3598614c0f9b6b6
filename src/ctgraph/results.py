"""Writes SPARQL query results as readable tables and as the SPARQL 1.1 result formats rdflib lacks (TSV)."""

from __future__ import annotations

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import NamespaceManager
from rdflib.query import Result
from rdflib.term import Node

__all__ = ["tsv", "table"]


def _tsv_term(term: Node | None) -> str:
    """A term in the SPARQL 1.1 TSV encoding (Turtle syntax; tabs and newlines escaped)."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return term.n3().replace("\t", "\\t")  # n3() already escapes newlines and quotes
    return str(term)


def tsv(result: Result) -> str:
    """SELECT or ASK results as ``text/tab-separated-values`` per SPARQL 1.1 Query Results CSV and TSV Formats."""
    if result.type == "ASK":
        return "?_askResult\n" + ("true" if result.askAnswer else "false") + "\n"
    variables = [str(v) for v in result.vars or []]
    lines = ["\t".join(f"?{v}" for v in variables)]
    for row in result:
        lines.append("\t".join(_tsv_term(row[v]) for v in variables))  # type: ignore[index]
    return "\n".join(lines) + "\n"


def _cell(term: Node | None, namespaces: NamespaceManager) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return namespaces.normalizeUri(term)
    if isinstance(term, Literal):
        return str(term)
    return term.n3()


def table(result: Result, namespaces: NamespaceManager) -> str:
    """SELECT or ASK results as an aligned text table, IRIs abbreviated with the project's prefixes."""
    if result.type == "ASK":
        return ("true" if result.askAnswer else "false") + "\n"
    variables = [str(v) for v in result.vars or []]
    rows = [[_cell(row[v], namespaces) for v in variables] for row in result]  # type: ignore[index]
    widths = [max([len(v)] + [len(r[i]) for r in rows]) for i, v in enumerate(variables)]
    def line(cells: list[str]) -> str:
        return " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
    out = [line(variables), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"
