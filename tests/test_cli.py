"""The ctgraph command: documented exit codes, formats and root resolution."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from rdflib import Graph

from .helpers import REPO, copy_checkout, run_cli


def test_help_documents_exit_codes_and_commands() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for word in ("validate", "query", "export", "serve", "exit codes", "does not conform"):
        assert word in result.stdout


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("ctgraph ")


def test_validate_passes_on_main() -> None:
    result = run_cli("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "conforms" in result.stdout


def test_validate_json_report_on_main() -> None:
    result = run_cli("validate", "--format", "json")
    assert result.returncode == 0
    assert json.loads(result.stdout) == {"conforms": True, "violations": []}


def test_validate_nonconforming_exits_1_and_names_focus_path_shape_file(tmp_path: Path) -> None:
    checkout = copy_checkout(tmp_path / "c")
    data = checkout / "data" / "dialogue.ttl"
    text = data.read_text(encoding="utf-8")
    text = text.replace('    schema:startDate "2022-03-27"^^xsd:date ;\n    schema:about', "    schema:about", 1)
    data.write_text(text, encoding="utf-8")
    result = run_cli("--root", str(checkout), "validate")
    assert result.returncode == 1, result.stdout + result.stderr
    report = result.stderr
    assert "event/fourth-high-level-strategic-dialogue-qatar-unoct" in report
    assert "schema:startDate" in report
    assert "shape:" in report and "focus node:" in report
    assert f"{data}:" in report


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "xml", "table"])
def test_query_formats(fmt: str) -> None:
    result = run_cli("query", "co-chairs", "--format", fmt)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    if fmt == "json":
        names = {b["name"]["value"] for b in json.loads(out)["results"]["bindings"]}
        assert names == {"Vladimir Voronkov", "Abdul Aziz Abdullah Al-Ansari"}
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert {r["name"] for r in rows} == {"Vladimir Voronkov", "Abdul Aziz Abdullah Al-Ansari"}
    elif fmt == "tsv":
        rows = list(csv.reader(io.StringIO(out), delimiter="\t", quoting=csv.QUOTE_NONE))
        assert rows[0][:2] == ["?person", "?name"]
        assert {r[1] for r in rows[1:]} == {'"Vladimir Voronkov"', '"Abdul Aziz Abdullah Al-Ansari"'}
    elif fmt == "xml":
        assert "<sparql" in out and "Vladimir Voronkov" in out
    else:
        assert "Vladimir Voronkov" in out and "(3 rows)" in out


def test_inline_construct_as_turtle() -> None:
    query = "PREFIX schema: <https://schema.org/> CONSTRUCT { ?p schema:name ?n } WHERE { ?p a schema:Person ; schema:name ?n }"
    result = run_cli("query", "--query", query, "--format", "turtle")
    assert result.returncode == 0, result.stderr
    assert len(Graph().parse(data=result.stdout, format="turtle")) == 6


def test_ask_as_json() -> None:
    result = run_cli("query", "--query", "ASK { ?s ?p ?o }", "--format", "json")
    assert json.loads(result.stdout)["boolean"] is True


def test_root_from_environment(tmp_path: Path) -> None:
    checkout = copy_checkout(tmp_path / "c")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli("validate", cwd=elsewhere, env={"CTGRAPH_ROOT": str(checkout)})
    assert result.returncode == 0, result.stderr


def test_query_file_path() -> None:
    result = run_cli("query", str(REPO / "queries" / "co-chairs.rq"), "--format", "csv")
    assert result.returncode == 0 and "Voronkov" in result.stdout
