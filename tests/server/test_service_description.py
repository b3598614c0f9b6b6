"""GET /sparql without a query: the SPARQL service description (sd:) with the dataset's VoID counts."""

from __future__ import annotations

import httpx
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, VOID

from ctgraph.load import load_graph
from ctgraph.paths import resolve_layout
from tests.server.conftest import REPO, Server

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ALL_FORMATS = {
    FORMATS[name]
    for name in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
        "TriG",
        "N-Quads",
    )
}
PARSERS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}


def _description(server: Server, accept: str) -> tuple[Graph, httpx.Response]:
    response = httpx.get(server.sparql, headers={"Accept": accept}, timeout=60)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == accept
    return Graph().parse(data=response.content, format=PARSERS[accept]), response


@pytest.mark.parametrize("accept", list(PARSERS))
def test_service_description(server: Server, accept: str) -> None:
    graph, _ = _description(server, accept)
    service = URIRef(server.sparql)
    assert (service, RDF.type, SD.Service) in graph
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in graph, "the endpoint is read-only"
    assert set(graph.objects(service, SD.resultFormat)) == ALL_FORMATS
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    assert (service, SD.feature, SD.BasicFederatedQuery) not in graph, "SERVICE is refused by default"


def test_default_dataset_has_void_counts(server: Server) -> None:
    graph, _ = _description(server, "text/turtle")
    dataset = graph.value(URIRef(server.sparql), SD.defaultDataset)
    assert dataset is not None and (dataset, RDF.type, VOID.Dataset) in graph
    kg = load_graph(resolve_layout(REPO))
    expected_total = len({t for g in kg.dataset.graphs() for t in g})
    assert graph.value(dataset, VOID.triples) == Literal(expected_total)
    default_graph = graph.value(dataset, SD.defaultGraph)
    assert graph.value(default_graph, VOID.triples) == Literal(expected_total)
    counts = {}
    for named in graph.objects(dataset, SD.namedGraph):
        counts[str(graph.value(named, SD.name))] = graph.value(graph.value(named, SD.graph), VOID.triples)
    expected = {str(source.graph_iri): Literal(len(kg.graph_of(source))) for source in kg.files}
    assert counts == expected


def test_counts_agree_with_the_endpoint(server: Server) -> None:
    """The description's count is the number the endpoint itself gives for its default graph."""
    graph, _ = _description(server, "text/turtle")
    dataset = graph.value(URIRef(server.sparql), SD.defaultDataset)
    response = httpx.get(
        server.sparql, params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}, timeout=60
    )
    counted = int(response.json()["results"]["bindings"][0]["n"]["value"])
    assert graph.value(dataset, VOID.triples) == Literal(counted)


def test_browsers_are_sent_to_the_ui(server: Server) -> None:
    response = httpx.get(
        server.sparql,
        timeout=60,
        headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
    )
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_plain_get_gives_turtle(server: Server) -> None:
    response = httpx.get(server.sparql, timeout=60)
    assert response.headers["content-type"].startswith("text/turtle")
    assert response.headers["vary"].lower().startswith("accept")


def test_format_parameter_and_406(server: Server) -> None:
    response = httpx.get(server.sparql, params={"format": "jsonld"}, timeout=60)
    assert response.headers["content-type"] == "application/ld+json"
    refused = httpx.get(server.sparql, headers={"Accept": "image/png"}, timeout=60)
    assert refused.status_code == 406 and "text/turtle" in refused.json()["message"]


def test_federation_is_described_when_allowed() -> None:
    """Unit level: an allowed SERVICE prefix adds the federation feature."""
    from ctgraph.server.service_description import build_service_description

    kg = load_graph(resolve_layout(REPO))
    graph = build_service_description("http://x/sparql", kg.dataset, 1, ["https://query.wikidata.org/"])
    assert (URIRef("http://x/sparql"), SD.feature, SD.BasicFederatedQuery) in graph
