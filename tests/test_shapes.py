"""SHACL shapes: valid SHACL, a shape per class used, main conforms, invalid fixtures fail as declared."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyshacl.entrypoints import meta_validate
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from ctgraph.load import KnowledgeGraph, SourceFile, load_graph, load_shapes, parse_turtle
from ctgraph.namespaces import GRAPH, ID, PREFIXES, RDF, RDFS, SH
from ctgraph.paths import Layout, resolve_layout
from ctgraph.validate import validate, validate_layout

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "invalid"
FIXTURE_FILES = sorted(FIXTURES.glob("*.ttl"))
SHAPES_NS = "https://w3id.org/ctgraph/shapes#"
# shapes/*.ttl declare ctgsh:; it is added here in case src/ctgraph/namespaces.py does not bind it.
TEST_PREFIXES = {**PREFIXES, "ctgsh": SHAPES_NS}
# The delete: patterns of a fixture resolve relative IRIs against id/, like the data files' @base.
UPDATE_PROLOGUE = f"BASE <{ID}>\n" + "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in TEST_PREFIXES.items())

TARGET_PREDICATES = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
# Parameters of the constraint components that produce results on the shape that holds them.
CONSTRAINT_PARAMETERS = frozenset(
    SH[name]
    for name in (
        "class datatype nodeKind minCount maxCount minExclusive minInclusive maxExclusive maxInclusive "
        "minLength maxLength pattern languageIn uniqueLang equals disjoint lessThan lessThanOrEquals "
        "not and or xone node qualifiedValueShape closed hasValue in"
    ).split()
)
_HEADER = re.compile(r"^#\s*(expect-shape|expect-path|delete):\s*(.*?)\s*$")


# ---------------------------------------------------------------- reading fixtures


@dataclass(frozen=True)
class Expectation:
    """One (shape, path) pair that a fixture must make fail; path "none" for a node-level result."""

    shape: str
    path: str


@dataclass(frozen=True)
class InvalidFixture:
    """A Turtle file to add to the real graph, with the triples to delete first and the failures to expect."""

    path: Path
    deletes: tuple[str, ...]
    expected: tuple[Expectation, ...]


def read_fixture(path: Path) -> InvalidFixture:
    """Parse the machine-readable header of an invalid fixture (see tests/fixtures/invalid/README.md)."""
    shapes: list[str] = []
    paths: list[str] = []
    deletes: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _HEADER.match(line)
        if not match:
            continue
        key, value = match.groups()
        {"expect-shape": shapes, "expect-path": paths, "delete": deletes}[key].append(value)
    if not shapes or len(shapes) != len(paths):
        raise ValueError(
            f"{path}: needs one or more expect-shape lines, each followed by an expect-path line"
        )
    expected = tuple(Expectation(s, p) for s, p in zip(shapes, paths, strict=True))
    return InvalidFixture(path=path, deletes=tuple(deletes), expected=expected)


def graph_with_fixture(layout: Layout, fixture: InvalidFixture) -> KnowledgeGraph:
    """The real graph with the fixture's delete: patterns applied and its triples added as a named graph."""
    kg = load_graph(layout)
    for pattern in fixture.deletes:
        removed = 0
        for source in kg.files:
            graph = kg.graph_of(source)
            before = len(graph)
            graph.update(UPDATE_PROLOGUE + f"DELETE WHERE {{ {pattern} }}")
            removed += before - len(graph)
        # A pattern that matches nothing means the data changed under the fixture: it would test nothing.
        assert removed, f"{fixture.path.name}: 'delete: {pattern}' matches no triple of the real graph"
    source = SourceFile(fixture.path, GRAPH["fixture-" + fixture.path.stem], "data")
    named = kg.dataset.graph(source.graph_iri)
    for triple in parse_turtle(fixture.path):
        named.add(triple)
    kg.files.append(source)
    return kg


# ---------------------------------------------------------------- reading results


def _namespaces() -> NamespaceManager:
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in TEST_PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph.namespace_manager


NAMES = _namespaces()


def name(node: Node) -> str:
    """A prefixed name for an IRI (or <IRI> when no prefix fits)."""
    return NAMES.normalizeUri(node) if isinstance(node, URIRef) else str(node)


def render_path(graph: Graph, path: Node | None) -> str:
    """A SHACL path as SPARQL-like text: p, ^p, p|q, p/q; "none" for no path."""
    if path is None:
        return "none"
    if isinstance(path, URIRef):
        return name(path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + render_path(graph, inverse)
    alternative = graph.value(path, SH.alternativePath)
    if alternative is not None:
        return "|".join(render_path(graph, step) for step in Collection(graph, alternative))
    if (path, RDF.first, None) in graph:
        return "/".join(render_path(graph, step) for step in Collection(graph, path))
    raise ValueError(f"unsupported SHACL path {path!r}")


def owning_shape(shapes: Graph, shape: Node) -> Node:
    """The node shape a blank property shape belongs to (results name the property shape)."""
    if isinstance(shape, BNode):
        owner = shapes.value(predicate=SH.property, object=shape)
        if owner is not None:
            return owner
    return shape


@dataclass(frozen=True)
class Failure:
    """One validation result, reduced to what a fixture declares."""

    shape: str
    path: str
    focus: str
    messages: tuple[str, ...]


def failures(results: Graph, shapes: Graph) -> list[Failure]:
    """The top-level results of a report (sh:result, not nested sh:detail), by owning shape and path."""
    out = []
    for result in results.objects(None, SH.result):
        shape = owning_shape(shapes, results.value(result, SH.sourceShape))
        out.append(
            Failure(
                shape=name(shape),
                path=render_path(results, results.value(result, SH.resultPath)),
                focus=name(results.value(result, SH.focusNode)),
                messages=tuple(str(m) for m in results.objects(result, SH.resultMessage)),
            )
        )
    return out


# ---------------------------------------------------------------- reading shapes


def targeted_shapes(shapes: Graph) -> set[Node]:
    """Shapes with at least one target: the ones validation starts from."""
    return {s for p in TARGET_PREDICATES for s in shapes.subjects(p, None)}


def named_node_shapes(shapes: Graph) -> set[URIRef]:
    return {s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}


def sparql_prologue(shapes: Graph, declaring: Node) -> str:
    """The PREFIX lines that sh:prefixes points a SPARQL target or constraint to."""
    lines = []
    for holder in shapes.objects(declaring, SH.prefixes):
        for declaration in shapes.objects(holder, SH.declare):
            prefix, namespace = shapes.value(declaration, SH.prefix), shapes.value(declaration, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>\n")
    return "".join(lines)


def focus_nodes(shapes: Graph, shape: Node, data: Graph) -> set[Node]:
    """The focus nodes of a shape's targets in a data graph (SHACL 2.1.3, plus SHACL-AF SPARQL targets)."""
    nodes: set[Node] = set()
    for cls in shapes.objects(shape, SH.targetClass):
        for subclass in data.transitive_subjects(RDFS.subClassOf, cls):
            nodes.update(data.subjects(RDF.type, subclass))
    nodes.update(
        n for n in shapes.objects(shape, SH.targetNode) if (n, None, None) in data or (None, None, n) in data
    )
    for predicate in shapes.objects(shape, SH.targetSubjectsOf):
        nodes.update(data.subjects(predicate, None))
    for predicate in shapes.objects(shape, SH.targetObjectsOf):
        nodes.update(data.objects(None, predicate))
    for target in shapes.objects(shape, SH.target):
        select = shapes.value(target, SH.select)
        assert select is not None, f"{name(shape)}: only SPARQL-based custom targets are supported here"
        nodes.update(row[0] for row in data.query(sparql_prologue(shapes, target) + str(select)))
    return nodes


def walk_shapes(shapes: Graph) -> Iterator[Node]:
    """Every shape that can own a validation result: node shapes and the property shapes under them."""
    seen: set[Node] = set()
    pending = list(targeted_shapes(shapes) | named_node_shapes(shapes))
    while pending:
        shape = pending.pop()
        if shape in seen:
            continue
        seen.add(shape)
        yield shape
        pending.extend(shapes.objects(shape, SH.property))


# ---------------------------------------------------------------- pytest fixtures


@pytest.fixture(scope="session")
def layout() -> Layout:
    return resolve_layout(ROOT)


@pytest.fixture(scope="session")
def shapes(layout: Layout) -> Graph:
    return load_shapes(layout)


@pytest.fixture(scope="session")
def meta_result(shapes: Graph) -> tuple:
    return meta_validate(shapes, inference="none")


# ---------------------------------------------------------------- the shapes graph and main


def test_shapes_graph_is_valid_shacl(meta_result: tuple) -> None:
    conforms, _, text = meta_result
    assert conforms, text


def test_main_graph_conforms(layout: Layout) -> None:
    report = validate_layout(layout)
    assert report.conforms, report.render()
    assert report.violations == []


def test_every_class_used_has_a_shape_targeting_it(layout: Layout, shapes: Graph) -> None:
    used = {row[0] for row in load_graph(layout).union.query("SELECT DISTINCT ?c WHERE { ?s a ?c }")}
    assert len(used) > 20, f"found only {len(used)} classes; is the data loaded?"
    targeted = set(shapes.objects(None, SH.targetClass))
    missing = sorted(name(c) for c in used - targeted)
    assert not missing, f"classes used in the data with no shape targeting them: {missing}"


def test_every_shape_target_reaches_a_node_of_main(layout: Layout, shapes: Graph) -> None:
    data = load_graph(layout).union
    shapes_found = targeted_shapes(shapes)
    assert len(shapes_found) > 20, f"found only {len(shapes_found)} targeted shapes"
    # A target that matches nothing validates nothing, and passes silently.
    idle = sorted(name(s) for s in shapes_found if not focus_nodes(shapes, s, data))
    assert not idle, f"shapes whose targets match no node of the real graph: {idle}"
    for shape in shapes_found:
        for cls in shapes.objects(shape, SH.targetClass):
            assert any((None, RDF.type, c) in data for c in data.transitive_subjects(RDFS.subClassOf, cls)), (
                f"{name(shape)} targets {name(cls)}, which nothing in the real graph is"
            )


def test_every_constraint_carries_a_message(shapes: Graph) -> None:
    problems = []
    for shape in walk_shapes(shapes):
        path = shapes.value(shape, SH.path)
        label = name(shape) if isinstance(shape, URIRef) else f"property shape on {render_path(shapes, path)}"
        has_message = (shape, SH.message, None) in shapes
        has_parameters = any((shape, p, None) in shapes for p in CONSTRAINT_PARAMETERS)
        sparql = list(shapes.objects(shape, SH.sparql))
        if has_parameters and not has_message:
            problems.append(f"{label}: has constraints but no sh:message")
        if sparql and has_message:
            # pySHACL attaches a shape's message to its SPARQL results as well, giving them two.
            problems.append(f"{label}: holds sh:sparql, so its message belongs on the constraint")
        unexplained = [c for c in sparql if (c, SH.message, None) not in shapes]
        problems += [f"{label}: SPARQL constraint without sh:message" for _ in unexplained]
    assert not problems, "\n".join(problems)


def test_every_helper_shape_is_used(shapes: Graph) -> None:
    helpers = named_node_shapes(shapes) - targeted_shapes(shapes)
    unused = sorted(name(h) for h in helpers if not any(shapes.subjects(None, h)) and not _in_list(shapes, h))
    assert not unused, f"named shapes with no target that no other shape uses: {unused}"


def _in_list(graph: Graph, node: Node) -> bool:
    return (None, RDF.first, node) in graph


# ---------------------------------------------------------------- the invalid fixtures


def test_fixtures_exist() -> None:
    assert len(FIXTURE_FILES) > 30, f"found only {len(FIXTURE_FILES)} fixtures under {FIXTURES}"


def test_every_targeted_shape_has_an_invalid_fixture(shapes: Graph) -> None:
    covered = {e.shape for f in FIXTURE_FILES for e in read_fixture(f).expected}
    missing = sorted(name(s) for s in targeted_shapes(shapes) if name(s) not in covered)
    assert not missing, f"shapes without an invalid fixture in {FIXTURES}: {missing}"
    unknown = sorted(s for s in covered if URIRef(NAMES.expand_curie(s)) not in named_node_shapes(shapes))
    assert not unknown, f"fixtures expect shapes that shapes/ does not define: {unknown}"


@pytest.mark.parametrize("fixture_file", FIXTURE_FILES, ids=lambda p: p.stem)
def test_invalid_fixture_fails_on_its_shape_and_path(
    fixture_file: Path,
    layout: Layout,
    shapes: Graph,
) -> None:
    fixture = read_fixture(fixture_file)
    # SHACL-for-SHACL is off by default in validate(); test_shapes_graph_is_valid_shacl runs it once.
    report = validate(graph_with_fixture(layout, fixture), shapes)
    assert not report.conforms
    found = failures(report.results_graph, shapes)
    seen = "\n".join(sorted({f"  {f.shape} {f.path}  (focus {f.focus})" for f in found}))
    missing = [e for e in fixture.expected if not any(f.shape == e.shape and f.path == e.path for f in found)]
    assert not missing, f"expected failures did not occur: {missing}\nfailures seen:\n{seen}"
    unexpected = {f.shape for f in found} - {e.shape for e in fixture.expected}
    assert not unexpected, f"unrelated shapes failed too: {sorted(unexpected)}\nfailures seen:\n{seen}"
    for failure in found:
        assert len(failure.messages) == 1 and failure.messages[0].strip(), failure
