"""The W3C SPARQL 1.1 Protocol tests, read as data from the manifest and run against a live server."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF
from rdflib.query import Result

from tests.server.conftest import PROTOCOL_GRAPHS, PROTOCOL_SUITE, Server

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")

MANIFEST = PROTOCOL_SUITE / "manifest.ttl"
UPDATE_REASON = "SPARQL Update belongs to the curation issue (authenticated updates)"
_STATUS_CLASS = {HTS.StatusCode2xx: 2, HTS.StatusCode3xx: 3, HTS.StatusCode4xx: 4, HTS.StatusCode5xx: 5}
_RESULT_FORMATS = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
_RDF_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}


@dataclass
class ProtocolRequest:
    """One ht:Request of a test and the response it expects."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[int]
    expected_format: str | None
    expected_boolean: bool | None


@dataclass
class ProtocolTest:
    """One mf:ProtocolTest."""

    name: str
    title: str
    requests: list[ProtocolRequest]
    graph_data: dict[str, str] = field(default_factory=dict)


def _list(graph: Graph, head: object) -> list[object]:
    return list(Collection(graph, head))  # type: ignore[arg-type]


def _request(graph: Graph, node: object) -> ProtocolRequest:
    headers = {}
    for header in (_list(graph, h) for h in graph.objects(node, HT.headers)):
        for item in header:
            headers[str(graph.value(item, HT.fieldName))] = str(graph.value(item, HT.fieldValue))
    body = None
    content = graph.value(node, HT.body)
    if content is not None:
        encoding = str(graph.value(content, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(content, CNT.chars)).encode(encoding)
    response = graph.value(node, HT.resp)
    expected_format = graph.value(response, MF.expectedFormat)
    expected_boolean = graph.value(response, MF.expectedBoolean)
    return ProtocolRequest(
        method=str(graph.value(node, HT.methodName)),
        path=str(graph.value(node, HT.absolutePath)),
        headers=headers,
        body=body,
        statuses={_STATUS_CLASS[s] for s in graph.objects(response, MF.expectedStatus)},
        expected_format=str(expected_format) if expected_format is not None else None,
        expected_boolean=bool(expected_boolean.toPython()) if isinstance(expected_boolean, Literal) else None,
    )


def read_manifest() -> list[ProtocolTest]:
    """Every entry of the manifest, in its order."""
    graph = Graph().parse(MANIFEST, format="turtle")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    tests = []
    for entry in _list(graph, graph.value(manifest, MF.entries)):
        action = graph.value(entry, MF.action)
        requests = [
            _request(graph, r) for head in graph.objects(action, HT.requests) for r in _list(graph, head)
        ]
        graph_data = {
            str(graph.value(d, RDFS_LABEL)): str(graph.value(d, UT.graph))
            for d in graph.objects(entry, UT.graphData)
        }
        name = str(entry).rsplit("#", 1)[1]
        tests.append(ProtocolTest(name, str(graph.value(entry, MF.name)), requests, graph_data))
    return tests


TESTS = read_manifest()


def test_manifest_was_read_whole() -> None:
    """Guards against a manifest read that finds nothing: the suite has 34 entries, 20 of them queries."""
    assert len(TESTS) == 34
    assert sum(1 for t in TESTS if t.name.startswith(("query_", "bad_query_", "bad_multiple_queries"))) == 20
    assert all(t.requests for t in TESTS)


def test_dataset_graphs_are_the_ones_the_server_loads() -> None:
    """The server's test configuration loads exactly the files the manifest's ut:graphData names."""
    named = {label: PROTOCOL_SUITE / Path(file).name for t in TESTS for label, file in t.graph_data.items()}
    assert named == PROTOCOL_GRAPHS


def _endpoint_path(path: str) -> str:
    # The manifest says its /sparql/ prefix stands for wherever the endpoint is; ours is /sparql.
    assert path.startswith("/sparql/")
    return "/sparql" + path[len("/sparql/") :]


def _check_format(response: httpx.Response, expected: str, boolean: bool | None) -> None:
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    if expected in ("boolean", "tabular"):
        assert media_type in _RESULT_FORMATS, f"not a SPARQL results type: {media_type}"
        result = Result.parse(io.BytesIO(response.content), format=_RESULT_FORMATS[media_type])
        if expected == "boolean":
            assert result.type == "ASK"
            if boolean is not None:
                assert result.askAnswer is boolean
                if _RESULT_FORMATS[media_type] == "json":
                    assert json.loads(response.content)["boolean"] is boolean
        else:
            assert result.type == "SELECT"
    else:
        assert expected == "RDF"
        assert media_type in _RDF_FORMATS, f"not an RDF type: {media_type}"
        Graph().parse(data=response.content, format=_RDF_FORMATS[media_type])


@pytest.mark.parametrize("case", TESTS, ids=[t.name for t in TESTS])
def test_protocol(case: ProtocolTest, protocol_server: Server) -> None:
    if case.name.startswith("update_"):
        pytest.skip(UPDATE_REASON)
    with httpx.Client(base_url=protocol_server.url, timeout=60) as client:
        for request in case.requests:
            response = client.request(
                request.method, _endpoint_path(request.path), headers=request.headers, content=request.body
            )
            assert response.status_code // 100 in request.statuses, (
                f"{case.title}: got {response.status_code} {response.text[:300]}"
            )
            if response.status_code >= 400:
                body = response.json()
                assert set(body) == {"error", "message"} and body["message"]
            if request.expected_format is not None:
                _check_format(response, request.expected_format, request.expected_boolean)


def test_bad_updates_are_refused_as_read_only(protocol_server: Server) -> None:
    """The bad_update_* tests pass because every update is refused; this pins that they get a 4xx."""
    for case in (t for t in TESTS if t.name.startswith("bad_update_") or t.name == "bad_multiple_updates"):
        request = case.requests[0]
        response = httpx.request(
            request.method,
            protocol_server.url + _endpoint_path(request.path),
            headers=request.headers,
            content=request.body,
            timeout=60,
        )
        assert 400 <= response.status_code < 500, case.name


# ------------------------------------------------------------------------------------------------------------

DATA = "http://kasei.us/2009/09/sparql/data/"


@pytest.mark.parametrize(
    ("params", "answer"),
    [
        ({"default-graph-uri": DATA + "data1.rdf"}, False),
        ({"default-graph-uri": [DATA + "data1.rdf", DATA + "data2.rdf"]}, True),
        (
            {"named-graph-uri": DATA + "data2.rdf"},
            False,
        ),  # only named graphs given: the default graph is empty
        ({"default-graph-uri": DATA + "data-absent.rdf"}, False),  # not in the store: empty, never fetched
        ({}, True),  # no protocol dataset: the default graph is the union of the store's graphs
    ],
)
def test_default_graph_uri_restricts_the_default_graph(
    protocol_server: Server, params: dict[str, object], answer: bool
) -> None:
    query = f"ASK {{ <{DATA}data2.rdf> a ?type }}"
    response = httpx.get(protocol_server.sparql, params={"query": query, **params}, timeout=60)  # type: ignore[arg-type]
    assert response.status_code == 200
    assert response.json()["boolean"] is answer


@pytest.mark.parametrize(
    ("params", "graphs"),
    [
        ({"named-graph-uri": DATA + "data1.rdf"}, {DATA + "data1.rdf"}),
        (
            {"named-graph-uri": [DATA + "data1.rdf", DATA + "data3.rdf"]},
            {DATA + "data1.rdf", DATA + "data3.rdf"},
        ),
        ({"default-graph-uri": DATA + "data1.rdf"}, set()),  # only a default graph given: no named graphs
    ],
)
def test_named_graph_uri_restricts_the_named_graphs(
    protocol_server: Server, params: dict[str, object], graphs: set[str]
) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = httpx.get(protocol_server.sparql, params={"query": query, **params}, timeout=60)  # type: ignore[arg-type]
    assert {b["g"]["value"] for b in response.json()["results"]["bindings"]} == graphs


def test_from_a_store_graph_is_honoured(protocol_server: Server) -> None:
    """FROM on a graph of the store sets the default graph (and is not refused)."""
    query = f"ASK FROM <{DATA}data1.rdf> {{ <{DATA}data2.rdf> a ?type }}"
    response = httpx.get(protocol_server.sparql, params={"query": query}, timeout=60)
    assert response.status_code == 200 and response.json()["boolean"] is False
    query = f"ASK FROM <{DATA}data2.rdf> {{ <{DATA}data2.rdf> a ?type }}"
    assert httpx.get(protocol_server.sparql, params={"query": query}, timeout=60).json()["boolean"] is True


@pytest.mark.parametrize(
    ("query", "line"),
    [
        ("ASK {", 1),
        ("SELECT ?s\nWHERE {\n  ?s ?p\n}", 4),  # reported by Oxigraph
        (
            "PREFIX x: <http://x/>\nSELECT * FROM <http://x/> WHERE { ?s ?p }",
            2,
        ),  # by rdflib (the guard parses FROM)
    ],
)
def test_syntax_error_gives_line_and_column(server: Server, query: str, line: int) -> None:
    response = httpx.get(server.sparql, params={"query": query}, timeout=60)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "query-syntax-error"
    assert re.search(rf"\bline {line}, column \d+\b", body["message"]), body["message"]


def test_update_is_403_with_a_message(server: Server) -> None:
    for response in (
        httpx.post(server.sparql, data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, timeout=60),
        httpx.post(
            server.sparql,
            content=b"DELETE WHERE { ?s ?p ?o }",
            headers={"Content-Type": "application/sparql-update"},
            timeout=60,
        ),
        httpx.get(server.sparql, params={"query": "CLEAR ALL"}, timeout=60),
    ):
        assert response.status_code == 403
        body = response.json()
        assert body["error"] == "read-only" and "read-only" in body["message"]
    assert (
        httpx.get(server.sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=60).json()["boolean"] is True
    )


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405(server: Server, method: str) -> None:
    response = httpx.request(method, server.sparql, params={"query": "ASK {}"}, timeout=60)
    assert response.status_code == 405
    assert "POST" in response.headers["allow"]


def test_head_answers_headers_only(server: Server) -> None:
    response = httpx.head(server.sparql, params={"query": "ASK {}"}, timeout=60)
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-type"].startswith("application/sparql-results+json")


def test_errors_are_text_for_text_clients(server: Server) -> None:
    response = httpx.get(
        server.sparql, params={"query": "ASK {"}, headers={"Accept": "text/plain"}, timeout=60
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.startswith("query-syntax-error: SPARQL syntax error at line 1")


def test_errors_show_no_traceback_and_no_server_path(server: Server) -> None:
    bad = [
        httpx.get(
            server.sparql, params={"query": "SELECT (<urn:f>(?s) AS ?x) WHERE { ?s ?p ?o }"}, timeout=60
        ),
        httpx.get(
            server.sparql,
            params={"query": "SELECT * { ?s ?p ?o } OFFSET 99999999999999999999999"},
            timeout=60,
        ),
        httpx.post(
            server.sparql,
            content=b"\xff\xfe",
            headers={"Content-Type": "application/sparql-query"},
            timeout=60,
        ),
        httpx.get(server.url + "/sparql", params={"query": "\\uZZZZ FROM"}, timeout=60),
        httpx.get(server.sparql, params=[("query", "ASK {}"), ("query", "ASK {}")], timeout=60),
    ]
    for response in bad:
        assert 400 <= response.status_code < 500, response.text
        assert (
            "Traceback" not in response.text and "/work/" not in response.text and ".py" not in response.text
        )
        assert set(response.json()) == {"error", "message"}
