"""Smoke run of bench/http.py: it starts ctgraph serve and oxigraph serve, they agree, and it prints numbers.

No timing is asserted: the benchmark's numbers are for bench/README.md, not for the test suite.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench" / "http.py"
SERVERS = ("ctgraph", "oxigraph")
QUERIES = ("lookup", "join3", "filter", "groupby", "optional")
# One row of the main table: query, server, solutions, req/s, p50 ms, p99 ms, errors.
_ROW = re.compile(r"^(\w+)\s+([\w-]+)\s+(\d+)\s+([\d,]+\.\d)\s+([\d,]+\.\d+)\s+([\d,]+\.\d+)\s+(\d+)\s*$")


def _oxigraph_cli() -> str | None:
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph")


@pytest.mark.slow
def test_bench_http_smoke_run_prints_a_table_of_numbers_for_every_query_and_server(tmp_path: Path) -> None:
    if _oxigraph_cli() is None:
        pytest.skip("the oxigraph CLI (PyPI package `oxigraph`, in the test extra) is not installed")
    out = tmp_path / "bench.json"
    # --no-validate: validation has its own tests; here it would only make the server slower to start.
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--graph",
            "seed",
            "--root",
            str(REPO),
            "--only",
            ",".join(SERVERS),
            "--duration",
            "1",
            "--warmup",
            "0",
            "--ctgraph-arg=--no-validate",
            "--json",
            str(out),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"bench/http.py exited {done.returncode}:\n{done.stderr[-3000:]}"

    rows = {(m[1], m[2]): m for line in done.stdout.splitlines() if (m := _ROW.match(line))}
    assert set(rows) == {(q, s) for q in QUERIES for s in SERVERS}, done.stdout
    for (query, server), match in rows.items():
        assert int(match[3]) > 0, f"{query} on {server}: no solutions\n{done.stdout}"
        assert float(match[4].replace(",", "")) > 0, (
            f"{query} on {server}: no successful request\n{done.stdout}"
        )
        assert match[7] == "0", f"{query} on {server}: errors\n{done.stdout}"
    assert "ratios from this run" in done.stdout
    assert re.search(
        r"^ctgraph\s+lookup\s+req/s ≥ 0\.2× oxigraph\s+[\d.]+\s+(met|NOT MET)", done.stdout, re.M
    )

    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["servers"] == list(SERVERS)
    for query in QUERIES:
        counts = {server: report["results"][query][server]["solutions"] for server in SERVERS}
        assert len(set(counts.values())) == 1, (
            f"{query}: servers disagree on the number of solutions: {counts}"
        )
    assert report["warnings"] == [], report["warnings"]
    # the benchmark stops what it started: nothing listens on the servers' ports any more
    for server in SERVERS:
        port = urllib.parse.urlsplit(report["endpoints"][server]).port
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"{server} still listens on port {port}"
