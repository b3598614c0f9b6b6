"""Named queries: each has a complete header, runs, and gives the answer its golden file records."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.paths import Path as PropertyPath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.query import Result
from rdflib.term import Node

from ctgraph.errors import QuerySyntaxError
from ctgraph.load import KnowledgeGraph, load_graph
from ctgraph.namespaces import BASE, ID, OWL, RDFS, SKOS, XSD
from ctgraph.paths import Layout, resolve_layout
from ctgraph.queries import load_named_queries, parse_header
from ctgraph.query import execute

# rdflib 7.6's Dataset.triples reads its own deprecated Dataset.default_context on every query, so the
# warning comes from inside rdflib, not from our code; filterwarnings=error would fail every query.
pytestmark = pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")

REPO_ROOT = Path(__file__).resolve().parents[1]
QUERIES_DIR = REPO_ROOT / "queries"
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
SOURCE_TEXT = REPO_ROOT / "data" / "sources" / "fourth-dialogue-press-release.txt"
QUERY_FILES = sorted(QUERIES_DIR.glob("*.rq"))

# The competency questions of issue 2, section 5 (co-chairs.rq is the lead's); each must ship.
COMPETENCY_QUERIES = (
    "dialogue-date",
    "co-chairs",
    "participants",
    "priority-areas",
    "contributing-entities",
    "donor-ranking",
    "wikidata-links",
    "fact-provenance",
)
# Queries whose golden row order is part of the answer, not only the set of rows.
ORDERED_QUERIES = ("priority-areas",)
WIKIDATA = "http://www.wikidata.org/entity/"

# identifiers.md, "Not verified": the graph's resources for these must be searched for, never linked by guess.
UNVERIFIED_ENTITIES = {
    ID["org/taliban"],
    ID["org/unoct"],
    ID["org/un-trust-fund-for-counter-terrorism"],
    ID["person/vladimir-voronkov"],
    ID["person/abdul-aziz-abdullah-al-ansari"],
    ID["person/alya-ahmed-s-al-thani"],
    ID["person/ali-bin-khalfan-al-mansouri"],
    ID["person/edmund-fitton-brown"],
    ID["person/ahmed-seif-el-dawla"],
    ID["org/qatar-ministry-of-interior"],
    ID["org/qatar-ministry-of-foreign-affairs"],
    ID["org/qatar-national-counter-terrorism-committee"],
    ID["document/un-global-counter-terrorism-strategy"],
    ID["org/global-counter-terrorism-coordination-compact"],
    ID["org/monitoring-team-isil-al-qaida-taliban"],
    ID["org/security-council-counter-terrorism-committee"],
    ID["org/cted"],
}
# Listed in identifiers.md but not named by the release, so the graph has no resource to link yet.
UNVERIFIED_WITHOUT_RESOURCE = {"United Nations Counter-Terrorism Centre"}


def _header_lines(path: Path) -> list[str]:
    """The first three lines of a query file, where its header must be."""
    return path.read_text(encoding="utf-8").splitlines()[:3]


def _needs_network(path: Path) -> bool:
    """Whether the query's header says it needs the network."""
    return parse_header(path.read_text(encoding="utf-8")).get("network", "").strip().lower() == "yes"


OFFLINE = [p for p in QUERY_FILES if not _needs_network(p)]
ONLINE = [p for p in QUERY_FILES if _needs_network(p)]


@pytest.fixture(scope="module")
def layout() -> Layout:
    return resolve_layout(REPO_ROOT)


@pytest.fixture(scope="module")
def kg(layout: Layout) -> KnowledgeGraph:
    return load_graph(layout)


def _golden_path(query: Path) -> Path | None:
    """The one golden file of a query (.srj or .ttl), or None."""
    found = [
        GOLDEN_DIR / f"{query.stem}{ext}"
        for ext in (".srj", ".ttl")
        if (GOLDEN_DIR / f"{query.stem}{ext}").exists()
    ]
    assert len(found) <= 1, f"{query.name}: more than one golden file: {found}"
    return found[0] if found else None


def _term(node: Node) -> Node:
    """Fold "x"^^xsd:string into "x": one term in RDF 1.1, two in rdflib."""
    if isinstance(node, Literal) and node.datatype == XSD.string and node.language is None:
        return Literal(str(node))
    return node


def _solutions(rows: list[dict[Variable, Node]]) -> Counter[frozenset[tuple[str, Node]]]:
    """A multiset of solutions, each the set of its bound (variable, term) pairs."""
    return Counter(
        frozenset((str(var), _term(value)) for var, value in row.items() if value is not None) for row in rows
    )


def _bindings(result: Result) -> list[dict[Variable, Node]]:
    """The bound variables of each row of a SELECT result, in row order."""
    return [{Variable(str(k)): v for k, v in row.asdict().items()} for row in result]  # type: ignore[union-attr]


def _load_srj(path: Path) -> Result:
    """Parse a SPARQL 1.1 Results JSON file with rdflib, so its terms are rdflib terms."""
    with path.open("rb") as handle:
        return Result.parse(handle, format="json")


def _describe(counter: Counter[frozenset[tuple[str, Node]]]) -> list[str]:
    """Readable, sorted lines for a failure message."""
    return sorted(
        f"{count}x "
        + ", ".join(f"?{var}={value.n3()}" for var, value in sorted(solution, key=lambda pair: pair[0]))
        for solution, count in counter.items()
    )


def _query_id(path: Path) -> str:
    """Test ids are the query names."""
    return path.stem


# ---------------------------------------------------------------- the folder and the headers


def test_every_competency_question_has_a_query() -> None:
    names = {path.stem for path in QUERY_FILES}
    missing = [name for name in COMPETENCY_QUERIES if name not in names]
    assert not missing, f"queries/ lacks competency queries: {missing}"
    assert ONLINE, "queries/ should ship the network-only wikidata-candidates query"


@pytest.mark.parametrize("path", QUERY_FILES, ids=_query_id)
def test_header_opens_the_file(path: Path) -> None:
    lines = _header_lines(path)
    keys = ["title", "description", "network"]
    assert len(lines) == 3, f"{path.name}: fewer than three lines"
    for key, line in zip(keys, lines, strict=True):
        prefix = f"# {key}: "
        assert line.startswith(prefix), f"{path.name}: expected a '{prefix}…' line, found {line!r}"
        assert line[len(prefix) :].strip(), f"{path.name}: '# {key}:' is empty"
    assert lines[2] in ("# network: yes", "# network: no"), f"{path.name}: network must be yes or no"


def test_library_reads_the_same_headers(layout: Layout) -> None:
    named = {query.name: query for query in load_named_queries(layout)}
    assert set(named) == {path.stem for path in QUERY_FILES}
    for path in QUERY_FILES:
        title, description, network = (line.split(": ", 1)[1] for line in _header_lines(path))
        assert named[path.stem].title == title
        assert named[path.stem].description == description
        assert named[path.stem].needs_network == (network == "yes")


@pytest.mark.parametrize("path", QUERY_FILES, ids=_query_id)
def test_query_parses(path: Path) -> None:
    prepareQuery(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- goldens


@pytest.mark.parametrize("path", OFFLINE, ids=_query_id)
def test_offline_query_has_golden(path: Path) -> None:
    golden = _golden_path(path)
    assert golden is not None, (
        f"{path.name}: no tests/golden/{path.stem}.srj (or .ttl for CONSTRUCT/DESCRIBE)"
    )
    kind = prepareQuery(path.read_text(encoding="utf-8")).algebra.name
    expected_suffix = ".ttl" if kind in ("ConstructQuery", "DescribeQuery") else ".srj"
    assert golden.suffix == expected_suffix, f"{path.name} is a {kind}; its golden must be {expected_suffix}"


@pytest.mark.parametrize("path", ONLINE, ids=_query_id)
def test_network_query_has_no_golden(path: Path) -> None:
    assert _golden_path(path) is None, f"{path.name} needs the network, so tests cannot check a golden for it"


def test_every_golden_belongs_to_an_offline_query() -> None:
    goldens = sorted(GOLDEN_DIR.glob("*.srj")) + sorted(GOLDEN_DIR.glob("*.ttl"))
    assert goldens, f"{GOLDEN_DIR}: no golden files found"
    offline = {path.stem for path in OFFLINE}
    orphans = [golden.name for golden in goldens if golden.stem not in offline]
    assert not orphans, f"golden files without an offline query: {orphans}"


@pytest.mark.parametrize("path", OFFLINE, ids=_query_id)
def test_query_gives_golden_answer(kg: KnowledgeGraph, path: Path) -> None:
    golden = _golden_path(path)
    assert golden is not None, f"{path.name}: no golden file"
    result = execute(kg, path.read_text(encoding="utf-8"))
    if golden.suffix == ".ttl":
        expected = Graph().parse(golden, format="turtle")
        assert result.graph is not None, f"{path.name}: expected a graph result"
        if not isomorphic(result.graph, expected):
            _, only_got, only_expected = graph_diff(to_isomorphic(result.graph), to_isomorphic(expected))
            pytest.fail(
                f"{path.name}: graph differs from {golden.name}\n"
                f"only in result:\n{only_got.serialize(format='nt')}\n"
                f"only in golden:\n{only_expected.serialize(format='nt')}"
            )
        return
    expected_result = _load_srj(golden)
    if expected_result.type == "ASK":
        assert result.askAnswer == expected_result.askAnswer
        return
    assert [str(v) for v in result.vars or []] == [str(v) for v in expected_result.vars or []], (
        f"{path.name}: projected variables differ from {golden.name}"
    )
    got, expected = _solutions(_bindings(result)), _solutions(_bindings(expected_result))
    assert expected, f"{golden.name}: the golden has no solutions, so it checks nothing"
    missing, extra = expected - got, got - expected
    assert not missing and not extra, (
        f"{path.name} vs {golden.name}\nmissing:\n  "
        + "\n  ".join(_describe(missing))
        + "\nunexpected:\n  "
        + "\n  ".join(_describe(extra))
    )


@pytest.mark.parametrize("name", ORDERED_QUERIES)
def test_ordered_query_keeps_golden_order(kg: KnowledgeGraph, name: str) -> None:
    text = (QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8")
    # The order must be asked for with ORDER BY, not be an accident of how the store iterates.
    assert "OrderBy" in repr(prepareQuery(text).algebra), f"{name}.rq has no ORDER BY"
    result = execute(kg, text)
    got = [frozenset((str(k), _term(v)) for k, v in row.items()) for row in _bindings(result)]
    expected = [
        frozenset((str(k), _term(v)) for k, v in row.items())
        for row in _bindings(_load_srj(GOLDEN_DIR / f"{name}.srj"))
    ]
    assert got == expected


# ---------------------------------------------------------------- the goldens agree with the source


def _golden_rows(name: str) -> list[dict[str, Node]]:
    """The solutions of a golden file, keyed by variable name."""
    return [{str(k): v for k, v in row.items()} for row in _bindings(_load_srj(GOLDEN_DIR / f"{name}.srj"))]


def test_priority_golden_lists_ten_areas_numbered_in_release_order() -> None:
    rows = _golden_rows("priority-areas")
    assert [row["notation"].toPython() for row in rows] == list(range(1, 11))  # type: ignore[union-attr]
    text = SOURCE_TEXT.read_text(encoding="utf-8")
    positions = [text.index(str(row["label"])) for row in rows]
    assert positions == sorted(positions), "the golden labels must follow the release's bullet order"


def test_date_golden_fits_the_stated_weekday() -> None:
    (row,) = _golden_rows("dialogue-date")
    assert str(row["dateAsStated"]) == "Sunday, 27 March"
    day = row["date"].toPython()  # type: ignore[union-attr]
    assert day == datetime.date(2022, 3, 27) and day.strftime("%A") == "Sunday"
    # The inference rests on 27 March being a Sunday in 2022 only, among the neighbouring years.
    assert [year for year in (2021, 2022, 2023) if datetime.date(year, 3, 27).weekday() == 6] == [2022]
    assert row["status"] == URIRef("https://w3id.org/ctgraph/vocab/status/inferred")


def test_provenance_golden_quotes_sit_at_their_offsets() -> None:
    text = SOURCE_TEXT.read_text(encoding="utf-8")
    rows = _golden_rows("fact-provenance")
    assert len(rows) == 27
    for row in rows:
        start, end = row["start"].toPython(), row["end"].toPython()  # type: ignore[union-attr]
        assert text[start:end] == str(row["quote"]), f"{row['fact']}: quote is not at [{start}:{end}]"


def test_donor_golden_keeps_the_release_wording() -> None:
    (row,) = _golden_rows("donor-ranking")
    text = SOURCE_TEXT.read_text(encoding="utf-8")
    assert row["rank"].toPython() == 2 and row["donorCount"].toPython() == 35  # type: ignore[union-attr]
    for key in ("rankAsStated", "donorCountAsStated"):
        assert str(row[key]) in text


def test_source_document_golden_matches_stored_text() -> None:
    (row,) = _golden_rows("source-document")
    assert row["characterCount"].toPython() == len(SOURCE_TEXT.read_text(encoding="utf-8"))  # type: ignore[union-attr]
    assert str(row["sha256"]) == hashlib.sha256(SOURCE_TEXT.read_bytes()).hexdigest()


def test_golden_files_are_sparql_results_json() -> None:
    for golden in sorted(GOLDEN_DIR.glob("*.srj")):
        document = json.loads(golden.read_text(encoding="utf-8"))
        assert set(document) in ({"head", "results"}, {"head", "boolean"}), (
            f"{golden.name}: not SPARQL 1.1 Results JSON"
        )


# ---------------------------------------------------------------- the network-only reconciliation query


def _walk(node: object, inside_values: bool = False) -> Iterator[tuple[Node, bool]]:
    """Every RDF term in a parsed query, and whether it sits in a VALUES block."""
    if isinstance(node, CompValue):
        in_values = inside_values or node.name == "values"
        for value in node.values():
            yield from _walk(value, in_values)
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(key, inside_values)
            yield from _walk(value, inside_values)
    elif isinstance(node, list | tuple | set):
        for item in node:
            yield from _walk(item, inside_values)
    elif isinstance(node, PropertyPath):
        yield from _walk(list(vars(node).values()), inside_values)
    elif isinstance(node, URIRef | Literal | BNode):
        yield node, inside_values


def _values_rows(node: object) -> list[dict[Variable, Node]]:
    """The rows of every VALUES block in a parsed query, UNDEF cells left out."""
    found: list[dict[Variable, Node]] = []
    if isinstance(node, CompValue):
        if node.name == "values":
            # rdflib's parser keeps UNDEF as the plain string "UNDEF", never as an RDF term.
            found.extend(
                {var: value for var, value in row.items() if isinstance(value, Node)} for row in node["res"]
            )
        for value in node.values():
            found.extend(_values_rows(value))
    elif isinstance(node, list | tuple):
        for item in node:
            found.extend(_values_rows(item))
    return found


@pytest.fixture(scope="module")
def candidates_query() -> tuple[str, CompValue]:
    path = QUERIES_DIR / "wikidata-candidates.rq"
    text = path.read_text(encoding="utf-8")
    return text, prepareQuery(text).algebra


def test_candidates_query_is_marked_network_and_for_review(candidates_query: tuple[str, CompValue]) -> None:
    text, _ = candidates_query
    assert _header_lines(QUERIES_DIR / "wikidata-candidates.rq")[2] == "# network: yes"
    assert "REVIEW BEFORE USE" in text and "data/links.ttl" in text


def test_candidates_query_targets_wikidata(candidates_query: tuple[str, CompValue]) -> None:
    _, algebra = candidates_query
    terms = {term for term, _ in _walk(algebra)}
    assert URIRef("http://wikiba.se/ontology#mwapi") in terms, (
        "the search must go through Wikidata's MWAPI service"
    )
    assert Literal("www.wikidata.org") in terms


def test_candidates_query_is_refused_offline(
    candidates_query: tuple[str, CompValue], kg: KnowledgeGraph
) -> None:
    text, _ = candidates_query
    with pytest.raises(QuerySyntaxError, match="SERVICE"):
        execute(kg, text)


def test_candidates_query_uses_local_iris_only_as_values(candidates_query: tuple[str, CompValue]) -> None:
    _, algebra = candidates_query
    misplaced = sorted(
        {str(term) for term, in_values in _walk(algebra) if str(term).startswith(BASE) and not in_values}
    )
    assert not misplaced, (
        f"Wikidata holds no ctgraph triples; these IRIs are matched as patterns: {misplaced}"
    )


def test_candidates_query_covers_exactly_the_unverified_entities(
    candidates_query: tuple[str, CompValue], kg: KnowledgeGraph
) -> None:
    _, algebra = candidates_query
    rows = _values_rows(algebra)
    assert rows, "wikidata-candidates.rq has no VALUES rows"
    local, name = Variable("local"), Variable("name")
    locals_ = {row[local] for row in rows if row.get(local) is not None}
    assert locals_ == UNVERIFIED_ENTITIES
    assert {str(row[name]) for row in rows if row.get(local) is None} == UNVERIFIED_WITHOUT_RESOURCE
    graph = kg.union
    for row in rows:
        resource = row.get(local)
        if resource is None:
            continue
        names = {str(label) for label in graph.objects(resource, RDFS.label)}
        names |= {str(label) for label in graph.objects(resource, SKOS.altLabel)}
        assert str(row[name]) in names, f"{resource}: searched name {row[name]!r} is not its label or variant"
        linked = [o for o in graph.objects(resource, OWL.sameAs) if str(o).startswith(WIKIDATA)]
        assert not linked, f"{resource} already links to {linked}; drop it from the candidates"
