"""Every result format, parsed back with an independent parser and compared with rdflib's own answer."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.query import Result
from rdflib.term import Node
from rdflib.util import from_n3

from ctgraph.load import load_graph
from ctgraph.paths import resolve_layout
from tests.server.conftest import REPO, Server

DATING = "https://w3id.org/ctgraph/id/dating/fourth-high-level-strategic-dialogue-qatar-unoct"
PERSON = "https://w3id.org/ctgraph/id/person/vladimir-voronkov"
# Literals with quotes, commas, ampersands, language tags and datatypes: the cases serializers get wrong.
SELECT = f"SELECT ?p ?o WHERE {{ <{DATING}> ?p ?o }}"
CONSTRUCT = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?s {{ <{DATING}> <{PERSON}> }} ?s ?p ?o }}"
DESCRIBE = f"DESCRIBE <{PERSON}>"

TABULAR = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPHS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}


@pytest.fixture(scope="module")
def reference() -> Dataset:
    """The same data in rdflib, whose SPARQL engine is independent of the server's Oxigraph."""
    return load_graph(resolve_layout(REPO)).dataset


def _json_term(value: dict[str, str]) -> Node:
    if value["type"] == "uri":
        return URIRef(value["value"])
    if value["type"] == "bnode":
        return BNode(value["value"])
    return Literal(
        value["value"],
        lang=value.get("xml:lang"),
        datatype=URIRef(value["datatype"]) if "datatype" in value else None,
    )


def _rows(response: httpx.Response, kind: str) -> set[tuple[Node | str, ...]]:
    """The rows of a SELECT answer, as rdflib terms (or plain strings for CSV, which drops term types)."""
    text = response.content.decode("utf-8")
    if kind == "json":
        data = json.loads(text)
        names = data["head"]["vars"]
        return {tuple(_json_term(b[n]) for n in names) for b in data["results"]["bindings"]}
    if kind == "xml":
        result = Result.parse(io.BytesIO(response.content), format="xml")
        return {tuple(row) for row in result}  # type: ignore[arg-type]
    if kind == "csv":
        table = list(csv.reader(io.StringIO(text, newline="")))
        assert table[0] == ["p", "o"]
        return {tuple(row) for row in table[1:]}
    table = list(csv.reader(io.StringIO(text, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert table[0] == ["?p", "?o"], "TSV heads its columns with ?-prefixed names"
    return {tuple(from_n3(cell) for cell in row) for row in table[1:]}


def _expected_rows(reference: Dataset, kind: str) -> set[tuple[Node | str, ...]]:
    rows = {tuple(row) for row in reference.query(SELECT)}  # type: ignore[arg-type]
    assert len(rows) >= 5
    return {tuple(str(t) for t in row) for row in rows} if kind == "csv" else rows  # type: ignore[misc]


@pytest.mark.parametrize("media_type", list(TABULAR))
def test_select_by_accept(server: Server, reference: Dataset, media_type: str) -> None:
    response = httpx.get(server.sparql, params={"query": SELECT}, headers={"Accept": media_type}, timeout=60)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    assert _rows(response, TABULAR[media_type]) == _expected_rows(reference, TABULAR[media_type])


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
    ],
)
def test_select_by_format_parameter(server: Server, reference: Dataset, name: str, media_type: str) -> None:
    """format= wins over Accept."""
    response = httpx.get(
        server.sparql,
        params={"query": SELECT, "format": name},
        headers={"Accept": "application/sparql-results+xml"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    assert _rows(response, TABULAR[media_type]) == _expected_rows(reference, TABULAR[media_type])


def test_tsv_is_real_tsv(server: Server) -> None:
    """Tab-separated RDF terms, not XML under another name (what rdflib-endpoint 0.6.3 sends)."""
    response = httpx.get(
        server.sparql, params={"query": SELECT}, headers={"Accept": "text/tab-separated-values"}, timeout=60
    )
    lines = response.text.splitlines()
    assert not response.text.lstrip().startswith("<?xml")
    assert lines[0] == "?p\t?o"
    assert all(line.count("\t") == 1 for line in lines)
    assert any(line.endswith('"@en') for line in lines), "language-tagged literals keep their tag"
    assert any("^^<http://www.w3.org/2001/XMLSchema#date>" in line for line in lines)


@pytest.mark.parametrize("media_type", ["application/sparql-results+json", "application/sparql-results+xml"])
@pytest.mark.parametrize(
    ("query", "answer"),
    [(f"ASK {{ <{DATING}> ?p ?o }}", True), ("ASK { <http://example.org/none> ?p ?o }", False)],
)
def test_ask(server: Server, media_type: str, query: str, answer: bool) -> None:
    response = httpx.get(server.sparql, params={"query": query}, headers={"Accept": media_type}, timeout=60)
    assert response.status_code == 200
    result = Result.parse(io.BytesIO(response.content), format=TABULAR[media_type])
    assert result.askAnswer is answer


def _graph(response: httpx.Response, rdflib_format: str) -> Graph:
    if rdflib_format in ("trig", "nquads"):
        dataset = Dataset()
        dataset.parse(data=response.content, format=rdflib_format)
        merged = Graph()
        for quad in dataset.quads((None, None, None, None)):
            merged.add(quad[:3])
        return merged
    return Graph().parse(data=response.content, format=rdflib_format)


@pytest.mark.parametrize("media_type", list(GRAPHS))
def test_construct(server: Server, reference: Dataset, media_type: str) -> None:
    response = httpx.get(
        server.sparql, params={"query": CONSTRUCT}, headers={"Accept": media_type}, timeout=60
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    expected = reference.query(CONSTRUCT).graph
    assert expected is not None and len(expected) > 10
    assert isomorphic(_graph(response, GRAPHS[media_type]), expected)


@pytest.mark.parametrize("media_type", list(GRAPHS))
def test_describe(server: Server, reference: Dataset, media_type: str) -> None:
    """DESCRIBE gives the resource's own triples in every RDF format, the same in each."""
    response = httpx.get(
        server.sparql, params={"query": DESCRIBE}, headers={"Accept": media_type}, timeout=60
    )
    assert response.status_code == 200, response.text
    described = _graph(response, GRAPHS[media_type])
    outgoing = {t for g in reference.graphs() for t in g.triples((URIRef(PERSON), None, None))}
    assert outgoing and outgoing <= set(described)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/tab-separated-values, text/csv;q=0.8", "text/tab-separated-values"),
        ("application/*;q=0.2, text/csv", "text/csv"),
        ("*/*", "application/sparql-results+json"),
        ("", "application/sparql-results+json"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/xml"),
        ("application/sparql-results+json;q=0, */*;q=0.1", "application/sparql-results+xml"),
    ],
)
def test_accept_q_values(server: Server, accept: str, expected: str) -> None:
    response = httpx.get(server.sparql, params={"query": SELECT}, headers={"Accept": accept}, timeout=60)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == expected
    assert "accept" in response.headers.get("vary", "").lower()


def test_graph_default_is_turtle(server: Server) -> None:
    response = httpx.get(server.sparql, params={"query": CONSTRUCT}, headers={"Accept": "*/*"}, timeout=60)
    assert response.headers["content-type"].split(";")[0] == "text/turtle"


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        (SELECT, "image/png"),
        (SELECT, "text/turtle"),
        (CONSTRUCT, "text/csv"),
        (f"ASK {{ <{DATING}> ?p ?o }}", "text/csv;q=0"),
    ],
)
def test_unsatisfiable_accept_is_406_listing_types(server: Server, query: str, accept: str) -> None:
    response = httpx.get(server.sparql, params={"query": query}, headers={"Accept": accept}, timeout=60)
    assert response.status_code == 406
    if accept.startswith("text/"):  # a text client gets the error as text
        assert response.headers["content-type"].startswith("text/plain")
        code, _, message = response.text.partition(": ")
    else:
        body = response.json()
        code, message = body["error"], body["message"]
    assert code == "not-acceptable"
    offered = "text/turtle" if query.startswith("CONSTRUCT") else "application/sparql-results+json"
    assert offered in message


def test_unknown_format_parameter_is_406(server: Server) -> None:
    response = httpx.get(server.sparql, params={"query": SELECT, "format": "yaml"}, timeout=60)
    assert response.status_code == 406
    assert "text/csv" in response.json()["message"]
