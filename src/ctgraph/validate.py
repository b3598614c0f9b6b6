"""SHACL validation of the whole graph (ontology, data and links) against shapes/, with a report that names files."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyshacl
from pyshacl.entrypoints import meta_validate
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from .errors import CtgraphError
from .load import KnowledgeGraph, load_graph, load_shapes, locate
from .namespaces import RDF, SH, bind_prefixes
from .paths import Layout

__all__ = ["Violation", "ValidationReport", "InvalidShapes", "check_shapes", "validate", "validate_layout"]

_SPEC = "https://www.w3.org/TR/shacl/#validation-report"


class InvalidShapes(CtgraphError):
    """The shapes graph itself does not conform to SHACL-for-SHACL."""

    code = "invalid-shapes"


@dataclass(frozen=True)
class Violation:
    """One validation result, located in the source files."""

    focus: str
    path: str | None
    shape: str
    constraint: str
    message: str
    severity: str
    value: str | None
    source: str | None  # "file:line" of the file that defines the focus node

    def render(self) -> str:
        where = self.source or "(no source file)"
        lines = [
            f"{where}: {self.severity}: {self.message}",
            f"    focus node: <{self.focus}>",
            f"    path:       {self.path or '(node)'}",
            f"    shape:      {self.shape} ({self.constraint})",
        ]
        if self.value is not None:
            lines.append(f"    value:      {self.value}")
        return "\n".join(lines)


@dataclass
class ValidationReport:
    """The outcome of validating a knowledge graph."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    results_graph: Graph | None = None
    focus_count: int = 0

    def render(self, fmt: str = "text") -> str:
        if fmt == "json":
            body = {"conforms": self.conforms, "violations": [asdict(v) for v in self.violations]}
            return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
        if fmt == "turtle":
            graph = self.results_graph if self.results_graph is not None else Graph()
            return graph.serialize(format="turtle")
        if self.conforms:
            return "Validation: conforms.\n"
        parts = [v.render() for v in self.violations]
        parts.append(f"Validation: {len(self.violations)} violation(s); see {_SPEC}")
        return "\n".join(parts) + "\n"


def _term(graph: Graph, node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, URIRef):
        return graph.namespace_manager.normalizeUri(node)
    if isinstance(node, Literal):
        return node.n3(graph.namespace_manager)
    # A blank-node path (sequence, inverse, ...) or anonymous shape: describe it by its triples.
    described = [f"{graph.namespace_manager.normalizeUri(p)} {_term(graph, o)}" for p, o in graph.predicate_objects(node)]
    return "[ " + " ; ".join(sorted(described)) + " ]" if described else "_:" + str(node)


def _shape_name(results: Graph, shapes: Graph, shape: Node | None) -> str:
    """A named shape as a prefixed name; a blank property shape as the named node shape that holds it."""
    if shape is None:
        return "?"
    if isinstance(shape, URIRef):
        return _term(results, shape) or "?"
    holder = shapes.value(None, SH.property, shape)
    path = shapes.value(shape, SH.path)
    prefix = _term(results, holder) if isinstance(holder, URIRef) else "(anonymous shape)"
    return f"{prefix} property {_term(results, path)}" if path is not None else str(prefix)


def _source_of(kg: KnowledgeGraph, focus: Node) -> str | None:
    files = kg.files_defining(focus)
    if not files:
        return None
    path = files[0].path
    line = locate(path, focus)
    return f"{_display(path)}:{line}" if line else _display(path)


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _violations(kg: KnowledgeGraph, results: Graph, shapes: Graph) -> list[Violation]:
    out = []
    # Only the report's top-level results: pySHACL also types the sh:detail results nested under sh:node.
    for result in results.objects(None, SH.result):
        focus = results.value(result, SH.focusNode)
        message = results.value(result, SH.resultMessage)
        out.append(
            Violation(
                focus=str(focus),
                path=_term(results, results.value(result, SH.resultPath)),
                shape=_shape_name(results, shapes, results.value(result, SH.sourceShape)),
                constraint=_term(results, results.value(result, SH.sourceConstraintComponent)) or "?",
                message=str(message) if message is not None else "constraint not met",
                severity=(_term(results, results.value(result, SH.resultSeverity)) or "sh:Violation").split(":")[-1],
                value=_term(results, results.value(result, SH.value)),
                source=_source_of(kg, focus) if focus is not None else None,
            )
        )
    return sorted(out, key=lambda v: (v.source or "", v.focus, v.path or "", v.shape))


def check_shapes(shapes: Graph) -> None:
    """Raise InvalidShapes unless the shapes graph conforms to SHACL-for-SHACL (slow: seconds, so opt-in)."""
    meta_ok, _, meta_text = meta_validate(shapes, inference="none")
    if not meta_ok:
        first = next((line.strip() for line in str(meta_text).splitlines() if "Message:" in line), "see pyshacl")
        raise InvalidShapes(f"shapes/: the shapes graph is not valid SHACL: {first}", hint="fix shapes/")


def validate(kg: KnowledgeGraph, shapes: Graph, *, meta_shacl: bool = False) -> ValidationReport:
    """Validate the union of the ontology and data against the shapes (first against SHACL-for-SHACL if asked)."""
    if meta_shacl:
        check_shapes(shapes)
    data = kg.union
    conforms, results, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        advanced=True,
    )
    bind_prefixes(results)
    violations = _violations(kg, results, shapes)
    return ValidationReport(conforms=bool(conforms), violations=violations, results_graph=results)


def validate_layout(layout: Layout, *, meta_shacl: bool = False) -> ValidationReport:
    """Load the checkout's graph and shapes, then validate."""
    return validate(load_graph(layout), load_shapes(layout), meta_shacl=meta_shacl)
