"""Real SPARQL clients against the live server: SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from ctgraph.paths import resolve_layout
from ctgraph.queries import resolve_query
from tests.server.conftest import REPO, Server

CO_CHAIRS = resolve_query(resolve_layout(REPO), "co-chairs").text
ID = "https://w3id.org/ctgraph/id/person/"
EXPECTED_CO_CHAIRS = {ID + "vladimir-voronkov", ID + "abdul-aziz-abdullah-al-ansari"}
DESCRIBE = f"CONSTRUCT WHERE {{ <{ID}vladimir-voronkov> ?p ?o }}"


def _wrapper(server: Server, query: str, return_format: str, method: str) -> SPARQLWrapper:
    client = SPARQLWrapper(server.sparql)
    client.setQuery(query)
    client.setReturnFormat(return_format)
    client.setMethod(method)
    return client


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_json(server: Server, method: str) -> None:
    result = _wrapper(server, CO_CHAIRS, JSON, method).queryAndConvert()
    assert isinstance(result, dict)
    assert {b["person"]["value"] for b in result["results"]["bindings"]} == EXPECTED_CO_CHAIRS


def test_sparqlwrapper_xml(server: Server) -> None:
    document = _wrapper(server, CO_CHAIRS, XML, "GET").queryAndConvert()
    uris = {node.firstChild.data for node in document.getElementsByTagName("uri")}  # type: ignore[union-attr]
    assert EXPECTED_CO_CHAIRS <= uris


@pytest.mark.parametrize(("return_format", "separator"), [(CSV, ","), (TSV, "\t")])
def test_sparqlwrapper_csv_and_tsv(server: Server, return_format: str, separator: str) -> None:
    text = _wrapper(server, CO_CHAIRS, return_format, "GET").queryAndConvert()
    assert isinstance(text, bytes)
    header = text.decode("utf-8").splitlines()[0]
    assert header.split(separator)[0] in ("person", "?person")
    assert all(iri in text.decode("utf-8") for iri in EXPECTED_CO_CHAIRS)


def test_sparqlwrapper_construct(server: Server) -> None:
    converted = _wrapper(server, DESCRIBE, RDFXML, "GET").queryAndConvert()
    assert isinstance(converted, Graph)
    turtle = _wrapper(server, DESCRIBE, TURTLE, "GET").queryAndConvert()
    assert isinstance(turtle, bytes)  # SPARQLWrapper hands Turtle over as bytes
    parsed = Graph().parse(data=turtle, format="turtle")
    assert len(parsed) > 3 and all(s == URIRef(ID + "vladimir-voronkov") for s in parsed.subjects())
    assert isomorphic(parsed, converted)


def test_sparqlwrapper_ask(server: Server) -> None:
    result = _wrapper(
        server, "ASK { ?s a <https://w3id.org/ctgraph/ontology#Dialogue> }", JSON, "GET"
    ).queryAndConvert()
    assert result == {"head": {}, "boolean": True}


@pytest.mark.parametrize("method", ["GET", "POST_FORM", "POST"])
def test_rdflib_sparqlstore(server: Server, method: str) -> None:
    store = SPARQLStore(server.sparql, method=method, returnFormat="xml")
    graph = Graph(store=store)
    rows = list(graph.query(CO_CHAIRS))
    assert {str(row.person) for row in rows} == EXPECTED_CO_CHAIRS  # type: ignore[union-attr]
    assert len(rows) == 3  # one co-chair held two posts


def test_rdflib_sparqlstore_construct_and_triples(server: Server) -> None:
    graph = Graph(store=SPARQLStore(server.sparql))
    constructed = graph.query(DESCRIBE).graph
    assert constructed is not None and len(constructed) > 3
    names = list(graph.objects(URIRef(ID + "vladimir-voronkov"), URIRef("https://schema.org/name")))
    assert [str(n) for n in names] == ["Vladimir Voronkov"]
