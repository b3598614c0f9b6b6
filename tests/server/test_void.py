"""The VoID + DCAT description at /.well-known/void and /void, read back with rdflib over real HTTP."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from ctgraph.load import KnowledgeGraph
from ctgraph.namespaces import BASE, DCAT, DCTERMS, OWL, RDF, SKOS, VOID
from tests.server import pages_conftest

# The shared fixtures, as this module's own (see pages_conftest).
pages_kg = pages_conftest.pages_kg
pages_layout = pages_conftest.pages_layout
pages_server = pages_conftest.pages_server

DATASET = URIRef(BASE + "id/dataset/ctgraph")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt"}
DUMPS = ("ctgraph.ttl", "ctgraph.jsonld", "ctgraph.nt", "ctgraph.trig", "ctgraph.nq")


def fetch(base: str, path: str, accept: str | None = None) -> Graph:
    response = httpx.get(base + path, headers={"Accept": accept} if accept else {}, timeout=60)
    assert response.status_code == 200, path
    media = response.headers["content-type"].split(";")[0]
    if accept is None or accept == "*/*":
        assert media == "text/turtle"
    graph = Graph()
    graph.parse(data=response.content, format=FORMATS[media])
    return graph


@pytest.fixture(scope="module")
def void(pages_server: str) -> Graph:
    return fetch(pages_server, "/.well-known/void")


def test_both_paths_and_every_format_give_the_same_description(pages_server: str, void: Graph) -> None:
    assert len(void) > 100
    assert isomorphic(void, fetch(pages_server, "/void"))
    for accept in ("*/*", *FORMATS):
        assert isomorphic(void, fetch(pages_server, "/void", accept)), accept


def test_jsonld_description_has_an_inline_context(pages_server: str) -> None:
    document = httpx.get(pages_server + "/void", headers={"Accept": "application/ld+json"}).json()
    assert isinstance(document["@context"], dict)


def test_dataset_is_void_and_dcat_with_licence_and_endpoint(void: Graph) -> None:
    assert {VOID.Dataset, DCAT.Dataset} <= set(void.objects(DATASET, RDF.type))
    assert void.value(DATASET, DCTERMS.license) == CC_BY
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef(BASE + "sparql")
    service = void.value(DATASET, DCAT.accessService)
    assert void.value(service, DCAT.endpointURL) == URIRef(BASE + "sparql")
    assert void.value(DATASET, VOID.uriSpace) == Literal(BASE)


def test_counts_match_the_served_graph(void: Graph, pages_kg: KnowledgeGraph) -> None:
    union = pages_kg.union
    assert void.value(DATASET, VOID.triples).toPython() == len(union)
    classes = Counter(union.objects(None, RDF.type))
    properties = Counter(union.predicates())
    assert void.value(DATASET, VOID.classes).toPython() == len(classes)
    assert void.value(DATASET, VOID.properties).toPython() == len(properties)
    class_partitions = {
        void.value(p, VOID["class"]): void.value(p, VOID.entities).toPython()
        for p in void.objects(DATASET, VOID.classPartition)
    }
    assert class_partitions == dict(classes)
    property_partitions = {
        void.value(p, VOID.property): void.value(p, VOID.triples).toPython()
        for p in void.objects(DATASET, VOID.propertyPartition)
    }
    assert property_partitions == dict(properties)
    for source in pages_kg.files:
        assert void.value(source.graph_iri, VOID.triples).toPython() == len(pages_kg.graph_of(source))
        assert (DATASET, VOID.subset, source.graph_iri) in void


def test_linksets_reuse_links_ttl_and_count_the_links(void: Graph, pages_kg: KnowledgeGraph) -> None:
    stored = set(pages_kg.union.subjects(RDF.type, VOID.Linkset))
    assert len(stored) == 4
    assert set(void.subjects(RDF.type, VOID.Linkset)) == stored
    expected = {
        "wikidata": (OWL.sameAs, 7),
        "dbpedia": (OWL.sameAs, 3),
        "geonames": (SKOS.exactMatch, 1),
        "un-m49": (SKOS.exactMatch, 1),
    }
    for linkset in stored:
        predicate, count = expected[str(linkset).rsplit("/", 1)[-1]]
        assert (DATASET, VOID.subset, linkset) in void
        assert void.value(linkset, VOID.subjectsTarget) == DATASET
        assert void.value(linkset, VOID.linkPredicate) == predicate
        assert void.value(linkset, VOID.triples).toPython() == count, linkset
        target = void.value(linkset, VOID.objectsTarget)
        assert void.value(target, VOID.uriSpace) is not None


def test_every_dump_is_described_and_downloadable(pages_server: str, void: Graph) -> None:
    dumps = {str(url) for url in void.objects(DATASET, VOID.dataDump)}
    assert dumps == {f"{BASE}download/{name}" for name in DUMPS}
    distributions = list(void.objects(DATASET, DCAT.distribution))
    assert len(distributions) == len(DUMPS)
    for distribution in distributions:
        url = str(void.value(distribution, DCAT.downloadURL))
        media = str(void.value(distribution, DCAT.mediaType)).removeprefix(
            "http://www.iana.org/assignments/media-types/"
        )
        response = httpx.head(pages_server + "/" + url[len(BASE) :])
        assert response.status_code == 200, url
        assert response.headers["content-type"].split(";")[0] == media, url


def test_a_browser_is_sent_to_the_dataset_page(pages_server: str) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = httpx.get(pages_server + "/.well-known/void", headers={"Accept": accept})
    assert response.status_code == 303
    assert response.headers["location"] == "/id/dataset/ctgraph"
    page = httpx.get(pages_server + response.headers["location"], headers={"Accept": accept})
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]


def test_unacceptable_type_is_406(pages_server: str) -> None:
    response = httpx.get(pages_server + "/void", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.json()["error"] == "not-acceptable"
