"""CORS: any origin may read, without credentials, by default; an operator can name the origins instead."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.server.conftest import Server, start_server

ASK = {"query": "ASK { ?s ?p ?o }"}


@pytest.mark.parametrize("path", ["/sparql", "/health"])
def test_any_origin_without_credentials(server: Server, path: str) -> None:
    response = httpx.get(
        server.url + path,
        params=ASK if path == "/sparql" else None,
        headers={"Origin": "https://yasgui.example"},
        timeout=60,
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


def test_origin_is_not_echoed_with_credentials(server: Server) -> None:
    """What rdflib-endpoint 0.6.3 does and this endpoint must not: echo the Origin and allow credentials."""
    response = httpx.get(
        server.sparql,
        params=ASK,
        headers={"Origin": "https://evil.example", "Cookie": "session=1"},
        timeout=60,
    )
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers.get("access-control-allow-credentials") != "true"


def test_errors_carry_cors_headers_too(server: Server) -> None:
    """A browser client must be able to read why a query failed."""
    response = httpx.get(
        server.sparql, params={"query": "ASK {"}, headers={"Origin": "https://a.example"}, timeout=60
    )
    assert response.status_code == 400
    assert response.headers["access-control-allow-origin"] == "*"


def test_preflight_for_a_direct_post(server: Server) -> None:
    response = httpx.options(
        server.sparql,
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=60,
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "content-type" in response.headers["access-control-allow-headers"].lower()


def test_truncation_header_is_exposed(server: Server) -> None:
    response = httpx.get(server.sparql, params=ASK, headers={"Origin": "https://a.example"}, timeout=60)
    assert "x-ctgraph-truncated" in response.headers["access-control-expose-headers"].lower()


@pytest.fixture(scope="module")
def listed_origin_server() -> Iterator[Server]:
    live = start_server(
        "cors-listed",
        "--no-validate",
        "--cors-origin",
        "https://a.example",
        "--cors-origin",
        "https://b.example",
    )
    yield live
    live.stop()


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [("https://a.example", True), ("https://b.example", True), ("https://c.example", False)],
)
def test_configured_origins(listed_origin_server: Server, origin: str, allowed: bool) -> None:
    response = httpx.get(listed_origin_server.sparql, params=ASK, headers={"Origin": origin}, timeout=60)
    assert response.status_code == 200
    if allowed:
        assert response.headers["access-control-allow-origin"] == origin
    else:
        assert "access-control-allow-origin" not in response.headers
    assert "access-control-allow-credentials" not in response.headers
