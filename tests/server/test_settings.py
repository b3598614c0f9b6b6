"""Settings: defaults, CTGRAPH_* variables, serve flags (flags over variables over defaults), bad data."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from ctgraph.namespaces import BASE
from ctgraph.server.settings import Settings, add_serve_arguments, settings_from_args
from tests.helpers import copy_checkout
from tests.server.conftest import REPO, Server, free_port, start_server

#: Per setting: (field, CLI arguments, a CTGRAPH_* value, the value those arguments give, another CTGRAPH_*
#: value that differs from the flag's (and from the default), to show that the flag wins over it).
CASES = [
    ("host", ["--host", "0.0.0.0"], "0.0.0.0", "0.0.0.0", "127.0.0.2"),
    ("port", ["--port", "9001"], "9001", 9001, "9002"),
    ("root", ["--root", "/srv/ctgraph"], "/srv/ctgraph", Path("/srv/ctgraph"), "/srv/other"),
    (
        "base_iri",
        ["--base-iri", "http://example.org/kg/"],
        "http://example.org/kg/",
        "http://example.org/kg/",
        "http://example.org/other/",
    ),
    ("query_timeout", ["--query-timeout", "2.5"], "2.5", 2.5, "3"),
    ("max_query_length", ["--max-query-length", "500"], "500", 500, "600"),
    ("max_body_bytes", ["--max-body-bytes", "4096"], "4096", 4096, "5000"),
    ("max_rows", ["--max-rows", "7"], "7", 7, "8"),
    ("max_concurrent", ["--max-concurrent", "4"], "4", 4, "5"),
    ("workers", ["--workers", "5"], "5", 5, "6"),
    ("processes", ["--processes", "2"], "2", 2, "3"),
    ("result_cache_size", ["--result-cache-size", "0"], "0", 0, "9"),
    (
        "cors_origins",
        ["--cors-origin", "https://a.example", "--cors-origin", "https://b.example"],
        "https://a.example,https://b.example",
        ["https://a.example", "https://b.example"],
        "https://c.example",
    ),
    (
        "allow_service",
        ["--allow-service", "https://query.wikidata.org/"],
        '["https://query.wikidata.org/"]',
        ["https://query.wikidata.org/"],
        "https://dbpedia.org/",
    ),
    (
        "graphs",
        ["--graph", "http://example.org/g?x=1=/tmp/g.nt"],
        "http://example.org/g?x=1=/tmp/g.nt",
        ["http://example.org/g?x=1=/tmp/g.nt"],
        "http://example.org/h=/tmp/h.nt",
    ),
    ("validate", ["--no-validate"], "false", False, "true"),
    ("access_log", ["--access-log"], "true", True, "false"),
]
_IDS = [case[0] for case in CASES]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for key in [k for k in os.environ if k.startswith("CTGRAPH_")]:
        monkeypatch.delenv(key)


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    return parser.parse_args(list(argv))


def test_every_setting_has_a_case_and_a_flag() -> None:
    assert {c[0] for c in CASES} == set(Settings.model_fields)
    help_text = _parse_help()
    for case in CASES:
        assert case[1][0] in help_text


def _parse_help() -> str:
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    return parser.format_help()


def test_defaults() -> None:
    settings = Settings()
    assert (settings.host, settings.port, settings.root) == ("127.0.0.1", 8000, None)
    assert settings.base_iri == BASE
    assert settings.query_timeout == 10.0
    assert settings.cors_origins == ["*"] and settings.allow_service == [] and settings.graphs == []
    assert settings.validate is True
    assert settings.workers >= 3, "two runaway queries must leave a worker for everyone else"


@pytest.mark.parametrize(("name", "argv", "env", "expected", "other"), CASES, ids=_IDS)
def test_environment_overrides_default(
    monkeypatch: pytest.MonkeyPatch, name: str, argv: list[str], env: str, expected: object, other: str
) -> None:
    assert Settings.model_fields[name].default != expected
    monkeypatch.setenv(f"CTGRAPH_{name.upper()}", env)
    assert getattr(settings_from_args(_parse()), name) == expected


@pytest.mark.parametrize(("name", "argv", "env", "expected", "other"), CASES, ids=_IDS)
def test_flag_overrides_environment(
    monkeypatch: pytest.MonkeyPatch, name: str, argv: list[str], env: str, expected: object, other: str
) -> None:
    monkeypatch.setenv(f"CTGRAPH_{name.upper()}", other)
    from_environment = getattr(Settings(), name)
    assert from_environment != expected
    if not isinstance(expected, bool):  # a boolean has no third value
        assert from_environment != Settings.model_fields[name].default
    assert getattr(settings_from_args(_parse(*argv)), name) == expected


def test_unset_flags_leave_the_environment_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTGRAPH_MAX_ROWS", "11")
    settings = settings_from_args(_parse("--query-timeout", "4"))
    assert (settings.max_rows, settings.query_timeout) == (11, 4.0)


def test_root_given_before_the_subcommand_counts() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root")
    sub = parser.add_subparsers()
    add_serve_arguments(sub.add_parser("serve"))
    assert settings_from_args(parser.parse_args(["--root", "/srv/a", "serve"])).root == Path("/srv/a")
    assert settings_from_args(
        parser.parse_args(["--root", "/srv/a", "serve", "--root", "/srv/b"])
    ).root == Path("/srv/b")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("query_timeout", 0),
        ("max_rows", -1),
        ("port", 70000),
        ("workers", 0),
        ("graphs", ["no-equals-sign"]),
        ("base_iri", "https://example.org/no-slash"),
    ],
)
def test_bad_values_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=field):
        Settings(**{field: value})


def test_serve_help_lists_every_flag() -> None:
    """The real ``ctgraph serve --help``."""
    result = subprocess.run(
        [sys.executable, "-m", "ctgraph.cli", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    for case in CASES:
        assert case[1][0] in result.stdout
    assert "CTGRAPH_QUERY_TIMEOUT" in result.stdout


def test_serve_refuses_data_that_does_not_conform(tmp_path: Path) -> None:
    checkout = copy_checkout(tmp_path / "broken")
    data = checkout / "data" / "dialogue.ttl"
    text = data.read_text(encoding="utf-8")
    broken = text.replace(
        '    schema:startDate "2022-03-27"^^xsd:date ;\n    schema:about', "    schema:about", 1
    )
    assert broken != text
    data.write_text(broken, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "ctgraph.server.run", "--root", str(checkout), "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "does not conform" in result.stderr and "schema:startDate" in result.stderr
    assert "Uvicorn running" not in result.stderr


def _cache_hits(server: Server) -> int:
    hits = server.health()["cache_hits"]
    assert isinstance(hits, int)
    return hits


def test_identical_queries_are_answered_from_the_cache(server: Server) -> None:
    query = "SELECT ?s WHERE { ?s a <https://schema.org/Person> } # cache test"
    first = httpx.get(server.sparql, params={"query": query}, timeout=60)
    before = _cache_hits(server)
    second = httpx.get(server.sparql, params={"query": query}, timeout=60)
    assert _cache_hits(server) == before + 1
    assert first.content == second.content and first.headers["content-type"] == second.headers["content-type"]
    other_format = httpx.get(
        server.sparql, params={"query": query}, headers={"Accept": "text/csv"}, timeout=60
    )
    assert other_format.headers["content-type"].startswith("text/csv")


def test_queries_with_now_or_rand_are_not_cached(server: Server) -> None:
    query = "SELECT (NOW() AS ?t) (RAND() AS ?r) WHERE {}"
    httpx.get(server.sparql, params={"query": query}, timeout=60)
    before = _cache_hits(server)
    httpx.get(server.sparql, params={"query": query}, timeout=60)
    assert _cache_hits(server) == before


def test_cache_off(limits_server: Server) -> None:
    for _ in range(3):
        httpx.get(limits_server.sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
    assert _cache_hits(limits_server) == 0


def test_several_processes_with_an_access_log() -> None:
    live = start_server("processes", "--no-validate", "--processes", "2", "--workers", "1", "--access-log")
    try:
        with httpx.Client(timeout=60) as client:
            answers = [
                client.get(live.sparql, params={"query": f"SELECT ({i} AS ?n) WHERE {{}}"}).json()
                for i in range(20)
            ]
        assert [a["results"]["bindings"][0]["n"]["value"] for a in answers] == [str(i) for i in range(20)]
    finally:
        live.stop()
    log = live.log_text()
    assert log.count("Application startup complete") == 2
    assert '"GET /sparql?query=' in log
