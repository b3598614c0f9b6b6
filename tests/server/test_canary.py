"""No outbound access and no file access through queries: hostile queries against a recording canary.

The canary is an HTTP server on 127.0.0.1 that logs every connection it accepts. After the battery it must
have seen none, and no response may hold the content of /etc/passwd or of a secret file made for the test. A
second server, allowed to call a second canary, proves the canary does see calls and that allowed SERVICE
calls have a time limit.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import Server, start_server

_EMPTY_RESULTS = json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": []}}).encode()


class Canary(ThreadingHTTPServer):
    """An HTTP server that records every connection and request; it answers empty SPARQL results."""

    daemon_threads = True

    def __init__(self) -> None:
        self.connections: list[tuple[str, int]] = []
        self.requests: list[str] = []
        super().__init__(("127.0.0.1", 0), _CanaryHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def verify_request(self, request: object, client_address: object) -> bool:
        self.connections.append(client_address)  # type: ignore[arg-type]
        return True


class _CanaryHandler(BaseHTTPRequestHandler):
    server: Canary

    def _answer(self) -> None:
        self.server.requests.append(f"{self.command} {self.path}")
        if self.path.startswith("/slow"):
            time.sleep(30)  # longer than the federating server's time limit
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(_EMPTY_RESULTS)))
        self.end_headers()
        self.wfile.write(_EMPTY_RESULTS)

    do_GET = do_POST = do_HEAD = _answer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        """Silent: the test reads the recorded requests instead."""


def _serve(canary: Canary) -> Iterator[Canary]:
    thread = threading.Thread(target=canary.serve_forever, daemon=True)
    thread.start()
    try:
        yield canary
    finally:
        canary.shutdown()
        canary.server_close()


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    yield from _serve(Canary())


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("canary") / "secret.ttl"
    path.write_text('<urn:s> <urn:p> "canary-secret-5d1f0a" .\n', encoding="utf-8")
    return path


def hostile_queries(canary: str, secret: Path) -> list[tuple[str, dict[str, str], str]]:
    """(name, request parameters, expected outcome: 'refused', 'read-only' or 'answered') for each attack."""
    passwd = "file:///etc/passwd"
    secret_iri = secret.as_uri()
    q = "query"
    return [
        ("service", {q: f"SELECT * WHERE {{ SERVICE <{canary}/sparql> {{ ?s ?p ?o }} }}"}, "refused"),
        (
            "service-silent",
            {q: f"SELECT * WHERE {{ SERVICE SILENT <{canary}/sparql> {{ ?s ?p ?o }} }}"},
            "refused",
        ),
        ("service-lowercase", {q: f"select * where {{ service <{canary}/> {{ ?s ?p ?o }} }}"}, "refused"),
        (
            "service-variable",
            {q: f"SELECT * WHERE {{ VALUES ?e {{ <{canary}/> }} SERVICE ?e {{ ?s ?p ?o }} }}"},
            "refused",
        ),
        (
            "service-prefixed",
            {q: f"PREFIX c: <{canary}/> SELECT * WHERE {{ SERVICE c:sparql {{ ?s ?p ?o }} }}"},
            "refused",
        ),
        (
            "service-nested",
            {
                q: "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { OPTIONAL { { SELECT ?s WHERE { "
                f"SERVICE <{canary}/x> {{ ?s ?p ?o }} }} }} }} }} }}"
            },
            "refused",
        ),
        ("service-escaped", {q: f"SELECT * WHERE {{ \\u0053ERVICE <{canary}/> {{ ?s ?p ?o }} }}"}, "refused"),
        ("service-in-ask", {q: f"ASK {{ SERVICE <{canary}/> {{ ?s ?p ?o }} }}"}, "refused"),
        (
            "service-in-construct",
            {q: f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{canary}/> {{ ?s ?p ?o }} }}"},
            "refused",
        ),
        ("from", {q: f"SELECT * FROM <{canary}/data.ttl> WHERE {{ ?s ?p ?o }}"}, "refused"),
        (
            "from-named",
            {q: f"SELECT * FROM NAMED <{canary}/data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"},
            "refused",
        ),
        (
            "from-jsonld-context",
            {q: f"SELECT * FROM <{canary}/context.jsonld> WHERE {{ ?s ?p ?o }}"},
            "refused",
        ),
        ("from-file", {q: f"SELECT * FROM <{passwd}> WHERE {{ ?s ?p ?o }}"}, "refused"),
        ("from-secret-file", {q: f"SELECT * FROM <{secret_iri}> WHERE {{ ?s ?p ?o }}"}, "refused"),
        (
            "from-file-by-base",
            {q: "BASE <file:///etc/> SELECT * FROM <passwd> WHERE { ?s ?p ?o }"},
            "refused",
        ),
        (
            "from-file-by-prefix",
            {q: "PREFIX f: <file:///etc/> SELECT * FROM f:passwd WHERE { ?s ?p ?o }"},
            "refused",
        ),
        ("from-file-escaped", {q: "SELECT * FROM <\\u0066ile:///etc/passwd> WHERE { ?s ?p ?o }"}, "refused"),
        ("service-file", {q: f"SELECT * WHERE {{ SERVICE <{secret_iri}> {{ ?s ?p ?o }} }}"}, "refused"),
        ("file-iri-in-pattern", {q: f"SELECT * WHERE {{ <{passwd}> ?p ?o }}"}, "refused"),
        ("describe-file", {q: f"DESCRIBE <{secret_iri}>"}, "refused"),
        ("load-as-query", {q: f"LOAD <{canary}/data.ttl>"}, "read-only"),
        ("load-file-as-query", {q: f"LOAD <{secret_iri}> INTO GRAPH <urn:g>"}, "read-only"),
        ("load-as-update", {"update": f"LOAD <{canary}/data.ttl>"}, "read-only"),
        (
            "jsonld-context-parameter",
            {
                q: "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1",
                "format": "jsonld",
                "context": f"{canary}/context.jsonld",
            },
            "refused",
        ),
        ("protocol-file-graph", {q: "ASK { ?s ?p ?o }", "default-graph-uri": passwd}, "refused"),
        # Answered from the store alone: remote IRIs are only names here, never fetched.
        ("describe-remote", {q: f"DESCRIBE <{canary}/resource>"}, "answered"),
        (
            "describe-remote-variable",
            {q: f"DESCRIBE ?x WHERE {{ VALUES ?x {{ <{canary}/a> <{canary}/b> }} }}"},
            "answered",
        ),
        ("construct-remote", {q: f"CONSTRUCT WHERE {{ <{canary}/> ?p ?o }}"}, "answered"),
        ("graph-remote", {q: f"SELECT * WHERE {{ GRAPH <{canary}/g> {{ ?s ?p ?o }} }}"}, "answered"),
        (
            "protocol-remote-default-graph",
            {q: "ASK { ?s ?p ?o }", "default-graph-uri": f"{canary}/data.ttl"},
            "answered",
        ),
        (
            "protocol-remote-named-graph",
            {q: "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": f"{canary}/data.ttl"},
            "answered",
        ),
        ("file-iri-as-a-string", {q: f'SELECT ?x WHERE {{ BIND(IRI("{passwd}") AS ?x) }}'}, "answered"),
        (
            "service-only-in-a-comment",
            {q: f"# SERVICE <{canary}/>\nSELECT * WHERE {{ ?s ?p ?o }} LIMIT 1"},
            "answered",
        ),
    ]


def _send(server: Server, params: dict[str, str], how: str) -> httpx.Response:
    if how == "get":
        return httpx.get(server.sparql, params=params, timeout=60)
    if how == "form":
        return httpx.post(server.sparql, data=params, timeout=60)
    query = params.get("query")
    if query is None or len(params) > 1:
        return httpx.post(server.sparql, data=params, timeout=60)
    return httpx.post(
        server.sparql,
        content=query.encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=60,
    )


def test_hostile_queries_reach_nothing(server: Server, canary: Canary, secret_file: Path) -> None:
    battery = hostile_queries(canary.url, secret_file)
    assert len(battery) >= 30
    bodies = []
    for how in ("get", "form", "direct"):
        for name, params, expected in battery:
            response = _send(server, params, how)
            bodies.append(response.content)
            if expected == "answered":
                assert response.status_code == 200, (name, how, response.text)
                continue
            assert response.status_code == (403 if expected == "read-only" else 400), (
                name,
                how,
                response.text,
            )
            body = response.json()
            assert body["error"] == ("read-only" if expected == "read-only" else "query-refused"), name
            assert "refused" in body["message"], (name, body)
    # Whatever the server did, it opened no connection to the canary and read no file into a response.
    assert canary.connections == [] and canary.requests == []
    for content in bodies:
        assert b"canary-secret-5d1f0a" not in content
        assert b"root:x:0:0" not in content


def test_the_canary_would_have_seen_a_call(canary: Canary) -> None:
    """Guards the test above against a canary that records nothing: a direct request is recorded."""
    before = len(canary.requests)
    assert httpx.get(canary.url + "/probe", timeout=10).status_code == 200
    assert len(canary.requests) == before + 1
    canary.requests.pop()
    canary.connections.pop()


@pytest.fixture(scope="module")
def allowed_canary() -> Iterator[Canary]:
    yield from _serve(Canary())


@pytest.fixture(scope="module")
def federating_server(allowed_canary: Canary) -> Iterator[Server]:
    """A server allowed to call the second canary (and nothing else), with a short time limit."""
    live = start_server(
        "federating",
        "--no-validate",
        "--allow-service",
        allowed_canary.url + "/",
        "--query-timeout",
        "3",
        "--result-cache-size",
        "0",
    )
    yield live
    live.stop()


def test_allowed_service_is_called(federating_server: Server, allowed_canary: Canary, canary: Canary) -> None:
    query = f"SELECT * WHERE {{ SERVICE <{allowed_canary.url}/sparql> {{ ?s ?p ?o }} }}"
    response = httpx.get(federating_server.sparql, params={"query": query}, timeout=60)
    assert response.status_code == 200, response.text
    assert any(r.split(" ", 1)[1].startswith("/sparql") for r in allowed_canary.requests)
    refused = httpx.get(
        federating_server.sparql,
        timeout=60,
        params={"query": f"SELECT * WHERE {{ SERVICE <{canary.url}/sparql> {{ ?s ?p ?o }} }}"},
    )
    assert refused.status_code == 400 and canary.requests == []


def test_allowed_service_has_the_time_limit(federating_server: Server, allowed_canary: Canary) -> None:
    """A SERVICE call that never answers is stopped with the query: 503, not a hung request."""
    query = f"SELECT * WHERE {{ SERVICE <{allowed_canary.url}/slow> {{ ?s ?p ?o }} }}"
    started = time.monotonic()
    response = httpx.get(federating_server.sparql, params={"query": query}, timeout=60)
    elapsed = time.monotonic() - started
    assert response.status_code == 503, response.text
    assert response.json()["error"] == "query-timeout"
    assert elapsed < 30, f"the slow SERVICE call was not cut (took {elapsed:.1f} s)"
    assert any(r.split(" ", 1)[1].startswith("/slow") for r in allowed_canary.requests)
