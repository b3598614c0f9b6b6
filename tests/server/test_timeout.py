"""Every query has a time limit: runaways are stopped and answered 503 while other clients are served.

The measured stop times go to tests/artifacts/timeout-measurements.json. The timing assertion is deliberately
loose (limit + 5 s on a noisy 2-core machine); the numbers themselves are for the report, not for this test.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import REPO, Server, start_server

LIMIT = 10.0  # the default --query-timeout, so the default is what is tested
# Four-way cross join of the whole graph: about 10^12 solutions to count, far beyond any limit.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }} # runaway {n}"
MEASUREMENTS = REPO / "tests" / "artifacts" / "timeout-measurements.json"


@pytest.fixture(scope="module")
def timeout_server() -> Iterator[Server]:
    live = start_server("timeout", "--no-validate", "--result-cache-size", "0")
    yield live
    live.stop()


def _workers(server: Server) -> dict[str, int]:
    workers = server.health()["workers"]
    assert isinstance(workers, dict)
    return workers


def _wait_for(predicate: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_runaways_are_stopped_while_others_are_served(timeout_server: Server) -> None:
    assert _workers(timeout_server)["size"] >= 3
    results: dict[int, tuple[httpx.Response, float]] = {}

    def runaway(n: int) -> None:
        started = time.monotonic()
        response = httpx.get(timeout_server.sparql, params={"query": RUNAWAY.format(n=n)}, timeout=120)
        results[n] = (response, time.monotonic() - started)

    threads = [threading.Thread(target=runaway, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    assert _wait_for(lambda: _workers(timeout_server)["running"] == 2, 30), "the runaways never started"

    served = []
    with httpx.Client(timeout=60) as other:
        for i in range(100):
            # Distinct queries, so that no answer can come from the result cache.
            query = f"SELECT ?n WHERE {{ BIND({i} AS ?n) }}"
            response = other.get(
                timeout_server.sparql,
                params={"query": query},
                headers={"Accept": "application/sparql-results+json"},
            )
            served.append(
                response.status_code == 200
                and response.json()["results"]["bindings"][0]["n"]["value"] == str(i)
            )
    runaways_still_running = all(thread.is_alive() for thread in threads)
    for thread in threads:
        thread.join(timeout=120)

    assert all(served), f"{served.count(False)} of 100 simple queries failed"
    assert runaways_still_running, "the 100 queries must have been served while both runaways ran"
    stops = []
    for n in (1, 2):
        response, elapsed = results[n]
        assert response.status_code == 503, response.text
        body = response.json()
        assert body["error"] == "query-timeout" and "limit" in body["message"]
        stops.append(elapsed)
    health = timeout_server.health()
    MEASUREMENTS.parent.mkdir(parents=True, exist_ok=True)
    MEASUREMENTS.write_text(
        json.dumps(
            {"limit_seconds": LIMIT, "client_seconds": stops, "server_stop_seconds": health["stop_seconds"]},
            indent=2,
        )
        + "\n"
    )
    assert max(stops) < LIMIT + 5, f"runaways answered after {stops} s (limit {LIMIT} s)"
    assert health["timeouts"] == 2


def test_stopped_workers_are_replaced(timeout_server: Server) -> None:
    """After the runaways, the pool is whole again and answers."""
    assert _wait_for(lambda: _workers(timeout_server)["ready"] == 3, 60)
    response = httpx.get(timeout_server.sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
    assert response.status_code == 200 and response.json()["boolean"] is True


def _engine_workers(server: Server) -> list[int]:
    """PIDs of the server's query worker processes (its children running ctgraph.server.engine)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == server.process.pid and b"ctgraph.server.engine" in cmdline:
            pids.append(int(entry.name))
    return pids


def test_workers_killed_from_outside_are_replaced(timeout_server: Server) -> None:
    """Idle workers that die (OOM killer, an operator) cost no query an error: the next gets a new worker."""
    assert _wait_for(lambda: _workers(timeout_server)["ready"] == 3, 60)
    victims = _engine_workers(timeout_server)
    assert len(victims) == 3
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    response = httpx.get(
        timeout_server.sparql, params={"query": "ASK { ?s ?p ?o } # after the kill"}, timeout=60
    )
    assert response.status_code == 200 and response.json()["boolean"] is True
    assert _wait_for(lambda: _workers(timeout_server)["ready"] == 3, 60)
    assert not set(_engine_workers(timeout_server)) & set(victims)


def test_plain_options_lists_the_methods(timeout_server: Server) -> None:
    response = httpx.options(timeout_server.sparql, timeout=60)
    assert response.status_code == 204 and "POST" in response.headers["allow"]
