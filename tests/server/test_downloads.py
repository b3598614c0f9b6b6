"""The dumps under /download/ and /context.jsonld: media types, content read back with rdflib, caching."""

from __future__ import annotations

import json

import httpx
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from ctgraph.export import build_context
from ctgraph.load import KnowledgeGraph
from tests.server import pages_conftest

# The shared fixtures, as this module's own (see pages_conftest).
pages_kg = pages_conftest.pages_kg
pages_layout = pages_conftest.pages_layout
pages_server = pages_conftest.pages_server

TRIPLE_DUMPS = [
    ("ctgraph.ttl", "text/turtle", "turtle"),
    ("ctgraph.jsonld", "application/ld+json", "json-ld"),
    ("ctgraph.nt", "application/n-triples", "nt"),
]
QUAD_DUMPS = [("ctgraph.trig", "application/trig", "trig"), ("ctgraph.nq", "application/n-quads", "nquads")]


@pytest.mark.parametrize(("name", "media", "fmt"), TRIPLE_DUMPS)
def test_triple_dump_is_the_whole_graph(
    pages_server: str, pages_kg: KnowledgeGraph, name: str, media: str, fmt: str
) -> None:
    response = httpx.get(f"{pages_server}/download/{name}", timeout=60)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    graph = Graph().parse(data=response.content, format=fmt)
    assert isomorphic(graph, pages_kg.union)


@pytest.mark.parametrize(("name", "media", "fmt"), QUAD_DUMPS)
def test_quad_dump_keeps_the_named_graphs(
    pages_server: str, pages_kg: KnowledgeGraph, name: str, media: str, fmt: str
) -> None:
    response = httpx.get(f"{pages_server}/download/{name}", timeout=60)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    dataset = Dataset()
    dataset.parse(data=response.content, format=fmt)
    for source in pages_kg.files:
        assert isomorphic(dataset.graph(source.graph_iri), pages_kg.graph_of(source)), source.graph_iri


def test_jsonld_dump_and_context_agree_and_are_inline(pages_server: str, pages_kg: KnowledgeGraph) -> None:
    dump = httpx.get(pages_server + "/download/ctgraph.jsonld").json()
    context_response = httpx.get(pages_server + "/context.jsonld")
    assert context_response.status_code == 200
    assert context_response.headers["content-type"].split(";")[0] == "application/ld+json"
    context = context_response.json()
    assert isinstance(dump["@context"], dict)
    assert context == {"@context": dump["@context"]} == {"@context": build_context(pages_kg.union)}
    # the context alone expands a document that uses its terms
    sample = {**context, "@id": "https://w3id.org/ctgraph/id/x", "ctg:ordinal": 4}
    assert len(Graph().parse(data=json.dumps(sample), format="json-ld")) == 1


def test_etag_gives_304_and_head_gives_headers_only(pages_server: str) -> None:
    first = httpx.get(pages_server + "/download/ctgraph.ttl")
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = httpx.get(pages_server + "/download/ctgraph.ttl", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = httpx.get(pages_server + "/download/ctgraph.ttl", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.content == first.content
    head = httpx.head(pages_server + "/download/ctgraph.nq")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == httpx.get(pages_server + "/download/ctgraph.nq").headers["etag"]


def test_unknown_dump_is_404_naming_the_ones_there_are(pages_server: str) -> None:
    response = httpx.get(pages_server + "/download/ctgraph.xml")
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "not-found" and "ctgraph.ttl" in body["message"]
    assert httpx.get(pages_server + "/download/..%2Fpyproject.toml").status_code == 404


def test_download_index_lists_every_dump(pages_server: str) -> None:
    page = httpx.get(pages_server + "/download/", headers={"Accept": "text/html"}).text
    for name in (
        "ctgraph.ttl",
        "ctgraph.jsonld",
        "ctgraph.nt",
        "ctgraph.trig",
        "ctgraph.nq",
        "context.jsonld",
    ):
        assert f'href="/{"download/" if name != "context.jsonld" else ""}{name}"' in page
