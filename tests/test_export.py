"""Exports are deterministic, parse back to the same graph, and the JSON-LD reads offline with its inline context."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from ctgraph.export import FORMATS, build_context, export_bytes, write_export
from ctgraph.load import load_graph
from ctgraph.paths import resolve_layout

from .helpers import REPO, run_cli


@pytest.fixture(scope="module")
def kg():  # noqa: ANN201
    return load_graph(resolve_layout(REPO))


def test_json_ld_and_turtle_parse_back_to_isomorphic_graphs(kg) -> None:  # noqa: ANN001
    turtle = Graph().parse(data=export_bytes(kg, "turtle"), format="turtle")
    jsonld = Graph().parse(data=export_bytes(kg, "json-ld"), format="json-ld")
    ntriples = Graph().parse(data=export_bytes(kg, "nt"), format="nt")
    assert len(turtle) == len(kg.union) > 1000
    assert isomorphic(turtle, jsonld)
    assert isomorphic(turtle, ntriples)
    assert isomorphic(turtle, kg.union)


def test_quad_formats_keep_the_named_graphs(kg) -> None:  # noqa: ANN001
    expected = {str(s.graph_iri): len(kg.graph_of(s)) for s in kg.files}
    for fmt in ("trig", "nquads"):
        dataset = Dataset()
        dataset.parse(data=export_bytes(kg, fmt), format=fmt)
        got = {str(g.identifier): len(g) for g in dataset.graphs() if len(g)}
        assert got == expected, fmt


def test_json_ld_context_is_inline_small_and_only_uses_what_the_graph_uses(kg) -> None:  # noqa: ANN001
    document = json.loads(export_bytes(kg, "json-ld"))
    context = document["@context"]
    assert isinstance(context, dict), "the context must be embedded, not a remote URL"
    assert context["schema"] == "https://schema.org/"
    assert "sh" not in context, "shapes are not exported, so the sh: prefix must not be in the context"
    assert context["startDate"] == {"@id": "schema:startDate", "@type": "xsd:date"}
    assert all(not str(v).startswith("http") or k.isidentifier() for k, v in context.items())
    assert build_context(kg.union) == context


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_is_byte_identical_across_processes(fmt: str) -> None:
    outputs = set()
    for seed in ("1", "97"):
        result = subprocess.run(
            [sys.executable, "-m", "ctgraph.cli", "--root", str(REPO), "export", "--format", fmt],
            capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed}, timeout=120, check=True,
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1 and len(next(iter(outputs))) > 10_000


def test_json_ld_export_writes_the_context_file_beside_it(kg, tmp_path: Path) -> None:  # noqa: ANN001
    written = write_export(kg, "json-ld", tmp_path / "ctgraph.jsonld")
    assert [p.name for p in written] == ["context.jsonld", "ctgraph.jsonld"]
    context = json.loads((tmp_path / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    document = json.loads((tmp_path / "ctgraph.jsonld").read_text(encoding="utf-8"))
    assert context == document["@context"]
    # The file reads offline with the reusable context substituted for the inline one.
    document["@context"] = context
    assert isomorphic(Graph().parse(data=json.dumps(document), format="json-ld"), kg.union)


def test_export_cli_writes_atomically_and_reports_paths(tmp_path: Path) -> None:
    result = run_cli("export", "--format", "trig", "-o", str(tmp_path / "g.trig"))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert f"wrote {tmp_path / 'g.trig'}" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["g.trig"], "no temporary file may remain"


def test_exported_files_get_the_mode_of_a_plain_open(kg, tmp_path: Path) -> None:  # noqa: ANN001
    umask = os.umask(0o022)
    try:
        written = write_export(kg, "json-ld", tmp_path / "ctgraph.jsonld")
    finally:
        os.umask(umask)
    assert {oct(p.stat().st_mode & 0o777) for p in written} == {oct(0o644)}
