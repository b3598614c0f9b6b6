"""Bad input is an error for the user: exit 2, one line naming file, line and problem, no traceback, nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .helpers import copy_checkout, run_cli


def _single_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, f"expected one line, got:\n{stderr}"
    assert lines[0].startswith("ctgraph: error: "), lines[0]
    return lines[0]


@pytest.fixture()
def checkout(tmp_path: Path) -> Path:
    return copy_checkout(tmp_path / "checkout")


def _append(path: Path, text: str) -> int:
    """Append text to a file; return the 1-based line number where it starts."""
    before = path.read_text(encoding="utf-8")
    path.write_text(before + text, encoding="utf-8")
    return before.count("\n") + 1


@pytest.mark.parametrize("command", [["validate"], ["export", "--format", "turtle"], ["query", "co-chairs"]])
def test_malformed_turtle_names_file_and_line(checkout: Path, command: list[str]) -> None:
    target = checkout / "data" / "dialogue.ttl"
    line = _append(target, '\n<person/x> <http://schema.org/name> "unterminated .\n')
    result = run_cli("--root", str(checkout), *command)
    assert result.returncode == 2
    message = _single_error_line(result.stderr)
    assert f"{target}:{line + 1}:" in message
    assert "string literal" in message
    assert result.stdout == ""


def test_unknown_prefix_names_the_prefix_and_line(checkout: Path) -> None:
    target = checkout / "data" / "links.ttl"
    line = _append(target, "\n<org/state-of-qatar> nope:sameAs <http://example.org/x> .\n")
    result = run_cli("--root", str(checkout), "validate")
    assert result.returncode == 2
    message = _single_error_line(result.stderr)
    assert f"{target}:{line + 1}:" in message
    assert 'Prefix "nope:" not bound' in message


def test_conflicting_prefix_definition_is_refused(checkout: Path) -> None:
    target = checkout / "data" / "enrichment.ttl"
    text = target.read_text(encoding="utf-8")
    target.write_text("@prefix schema: <http://schema.org/> .\n" + text, encoding="utf-8")
    result = run_cli("--root", str(checkout), "validate")
    assert result.returncode == 2
    message = _single_error_line(result.stderr)
    assert "prefix 'schema:'" in message and "https://schema.org/" in message
    assert str(target) in message or "enrichment.ttl" in message


def test_duplicate_definition_names_both_files(checkout: Path) -> None:
    target = checkout / "data" / "enrichment.ttl"
    line = _append(target, '\n<person/vladimir-voronkov> a schema:Person ; rdfs:label "V. Voronkov"@en .\n')
    result = run_cli("--root", str(checkout), "validate")
    assert result.returncode == 2
    message = _single_error_line(result.stderr)
    assert f"{target}:{line + 1}:" in message
    assert "already defined in" in message and "dialogue.ttl" in message


@pytest.mark.parametrize("folder", ["ontology", "data", "shapes", "queries"])
def test_missing_folder_is_named(checkout: Path, folder: str) -> None:
    shutil.rmtree(checkout / folder)
    result = run_cli("--root", str(checkout), "validate")
    assert result.returncode == 2
    message = _single_error_line(result.stderr)
    assert f"{folder}/" in message


def test_failed_export_leaves_no_file(checkout: Path, tmp_path: Path) -> None:
    _append(checkout / "data" / "dialogue.ttl", "\nthis is not turtle\n")
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli("--root", str(checkout), "export", "--format", "json-ld", "-o", str(out / "graph.jsonld"))
    assert result.returncode == 2
    _single_error_line(result.stderr)
    assert list(out.iterdir()) == [], "a failed export must write nothing, not even the context file"


def test_export_into_missing_directory_is_an_input_error(tmp_path: Path) -> None:
    result = run_cli("export", "--format", "turtle", "-o", str(tmp_path / "no" / "such" / "dir" / "g.ttl"))
    assert result.returncode == 2
    assert "no such directory" in _single_error_line(result.stderr)
    assert not (tmp_path / "no").exists()


def test_query_syntax_error_gives_line_and_column() -> None:
    result = run_cli("query", "--query", "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?o = ) }")
    assert result.returncode == 2
    message = _single_error_line(result.stderr)
    assert "line 3" in message and "column" in message


def test_unknown_query_name_lists_the_known_ones() -> None:
    result = run_cli("query", "no-such-query")
    assert result.returncode == 2
    message = _single_error_line(result.stderr)
    assert "no-such-query" in message and "co-chairs" in message


def test_update_through_query_is_refused() -> None:
    result = run_cli("query", "--query", "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert result.returncode == 2
    _single_error_line(result.stderr)


def test_service_is_refused_offline() -> None:
    result = run_cli("query", "--query", "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert result.returncode == 2
    assert "SERVICE is refused" in _single_error_line(result.stderr)
