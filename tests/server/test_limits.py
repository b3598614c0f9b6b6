"""Limits on result rows, query length, body size and concurrent queries."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from rdflib import Graph

from tests.server.conftest import Server, start_server

MAX_ROWS = 5  # the limits server's --max-rows


def _values(n: int) -> str:
    return "SELECT ?x WHERE { VALUES ?x { " + " ".join(str(i) for i in range(n)) + " } }"


def _row_count(response: httpx.Response, media_type: str) -> int:
    if media_type == "application/sparql-results+json":
        return len(response.json()["results"]["bindings"])
    if media_type == "application/sparql-results+xml":
        return response.text.count("<result>")
    delimiter = "\t" if media_type == "text/tab-separated-values" else ","
    return len(list(csv.reader(io.StringIO(response.text, newline=""), delimiter=delimiter))) - 1


@pytest.mark.parametrize(
    "media_type",
    [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ],
)
def test_rows_are_cut_and_the_cut_is_said(limits_server: Server, media_type: str) -> None:
    response = httpx.get(
        limits_server.sparql,
        params={"query": _values(MAX_ROWS + 3)},
        headers={"Accept": media_type},
        timeout=60,
    )
    assert response.status_code == 200
    assert _row_count(response, media_type) == MAX_ROWS
    assert response.headers["x-ctgraph-truncated"] == "true"
    assert response.headers["x-ctgraph-max-rows"] == str(MAX_ROWS)


@pytest.mark.parametrize("rows", [MAX_ROWS - 1, MAX_ROWS])
def test_results_within_the_limit_are_whole_and_not_flagged(limits_server: Server, rows: int) -> None:
    response = httpx.get(limits_server.sparql, params={"query": _values(rows)}, timeout=60)
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == rows
    assert "x-ctgraph-truncated" not in response.headers


def test_triples_are_cut_too(limits_server: Server) -> None:
    response = httpx.get(
        limits_server.sparql,
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
        timeout=60,
    )
    assert response.status_code == 200
    assert len(Graph().parse(data=response.text, format="nt")) == MAX_ROWS
    assert response.headers["x-ctgraph-truncated"] == "true"


def test_long_query_is_413(limits_server: Server) -> None:
    query = "ASK { ?s ?p ?o }" + " " * 400
    response = httpx.get(limits_server.sparql, params={"query": query}, timeout=60)
    assert response.status_code == 413
    body = response.json()
    assert body["error"] == "too-large" and "at most 400" in body["message"]


def test_large_body_is_413(limits_server: Server) -> None:
    response = httpx.post(
        limits_server.sparql,
        content=b"ASK {}" + b" " * 3000,
        headers={"Content-Type": "application/sparql-query"},
        timeout=60,
    )
    assert response.status_code == 413
    assert "body" in response.json()["message"]


def test_large_body_without_length_is_413(limits_server: Server) -> None:
    """A chunked body is counted as it arrives, not trusted to declare its size."""

    def chunks() -> Iterator[bytes]:
        yield b"ASK {}"
        for _ in range(10):
            yield b" " * 500

    response = httpx.post(
        limits_server.sparql,
        content=chunks(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=60,
    )
    assert response.status_code == 413


@pytest.fixture(scope="module")
def single_query_server() -> Iterator[Server]:
    """One query at a time, and a short limit so that the blocking query ends soon."""
    live = start_server(
        "single-query",
        "--no-validate",
        "--max-concurrent",
        "1",
        "--query-timeout",
        "3",
        "--result-cache-size",
        "0",
    )
    yield live
    live.stop()


def test_over_the_concurrency_limit_is_503_with_retry_after(single_query_server: Server) -> None:
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    outcome: list[httpx.Response] = []
    blocker = threading.Thread(
        target=lambda: outcome.append(
            httpx.get(single_query_server.sparql, params={"query": runaway}, timeout=60)
        )
    )
    blocker.start()
    deadline = time.monotonic() + 30
    while single_query_server.health()["workers"]["running"] != 1:  # type: ignore[index]
        assert time.monotonic() < deadline, "the blocking query never started"
        time.sleep(0.05)
    response = httpx.get(single_query_server.sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
    blocker.join(timeout=60)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.json()["error"] == "overloaded"
    assert outcome and outcome[0].status_code == 503 and outcome[0].json()["error"] == "query-timeout"
