"""Reads ontology/, data/ and shapes/ into rdflib graphs, one named graph per file, rejecting bad input whole."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from .errors import ConflictingDefinition, InputSyntaxError, RootNotFound
from .namespaces import BASE, GRAPH, RDF, bind_prefixes
from .paths import Layout

__all__ = ["SourceFile", "KnowledgeGraph", "load_graph", "load_shapes", "parse_turtle", "locate"]

_PREFIX_RE = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_BASE_RE = re.compile(r"^\s*(?:@base|BASE)\s+<([^>]*)>", re.IGNORECASE)


@dataclass(frozen=True)
class SourceFile:
    """One Turtle file and the named graph it is loaded into."""

    path: Path
    graph_iri: URIRef
    kind: str  # "ontology" | "data" | "shapes"


def parse_turtle(path: Path) -> Graph:
    """Parse one Turtle file; a syntax error becomes InputSyntaxError naming file:line."""
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except BadSyntax as exc:
        line = exc.lines + 1
        raise InputSyntaxError(f"{path}:{line}: {exc._why}", hint="fix the Turtle and run again") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputSyntaxError(f"{path}: {exc}", hint="the file must be UTF-8 Turtle") from None
    return graph


def _needles(text: str, iri: str) -> list[str]:
    """The spellings a Turtle file may use for an IRI: full, prefixed, or relative to @base."""
    needles = [f"<{iri}>"]
    for line in text.splitlines():
        match = _PREFIX_RE.match(line)
        if match and iri.startswith(match.group(2)):
            needles.append(f"{match.group(1) or ''}:{iri[len(match.group(2)):]}")
        base = _BASE_RE.match(line)
        if base and iri.startswith(base.group(1)):
            needles.append(f"<{iri[len(base.group(1)):]}>")
    return needles


def _mentions(line: str, needle: str) -> int:
    index = line.find(needle)
    while index >= 0:
        end = index + len(needle)
        if end == len(line) or not (line[end].isalnum() or line[end] in "-_"):
            return index
        index = line.find(needle, index + 1)
    return -1


_TYPED_RE = re.compile(r"(^|[\s;])(a|rdf:type)\s")


def locate(path: Path, term: Node, *, typed: bool = False) -> int | None:
    """1-based line where a term first appears in a Turtle file; with typed, where it is the subject of ``a``."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    needles = _needles(text, str(term))
    if typed:
        for number, line in enumerate(lines, start=1):
            if not any(line.lstrip().startswith(n) and _mentions(line, n) >= 0 for n in needles):
                continue
            block = []
            for following in lines[number - 1:]:
                block.append(following)
                if following.rstrip().endswith(" .") or following.rstrip() == ".":
                    break
            if _TYPED_RE.search(" ".join(block)):
                return number
    for number, line in enumerate(lines, start=1):
        if any(_mentions(line, n) >= 0 for n in needles):
            return number
    return None


def _turtle_files(folder: Path, kind: str) -> list[Path]:
    if not folder.is_dir():
        raise RootNotFound(f"{folder}: folder is missing", hint="pass --root DIR pointing at a ctgraph checkout")
    files = sorted(folder.glob("*.ttl"))
    if not files:
        raise RootNotFound(f"{folder}: no .ttl files found", hint=f"the {kind} folder must hold Turtle files")
    return files


def _check_prefixes(files: Iterable[Path]) -> None:
    """A prefix must mean one namespace across all files; a second meaning is a conflict."""
    seen: dict[str, tuple[str, Path, int]] = {}
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = _PREFIX_RE.match(line)
            if not match:
                continue
            prefix, namespace = match.group(1) or "", match.group(2)
            if prefix in seen and seen[prefix][0] != namespace:
                first_ns, first_path, first_line = seen[prefix]
                raise ConflictingDefinition(
                    f"{path}:{number}: prefix '{prefix}:' is bound to <{namespace}> but "
                    f"{first_path}:{first_line} binds it to <{first_ns}>",
                    hint="use one namespace per prefix across the project",
                )
            seen.setdefault(prefix, (namespace, path, number))


@dataclass
class KnowledgeGraph:
    """The loaded graph: a dataset with one named graph per source file."""

    dataset: Dataset = field(repr=False)
    files: list[SourceFile] = field(default_factory=list)

    @cached_property
    def union(self) -> Graph:
        """All triples of the ontology and data files in one graph (a copy)."""
        graph = Graph()
        bind_prefixes(graph)
        for source in self.files:
            for triple in self.dataset.graph(source.graph_iri):
                graph.add(triple)
        return graph

    def graph_of(self, source: SourceFile) -> Graph:
        return self.dataset.graph(source.graph_iri)

    def files_defining(self, node: Node) -> list[SourceFile]:
        """The files in which a node is a subject, the one that types it first."""
        typed = [s for s in self.files if (node, RDF.type, None) in self.graph_of(s)]
        other = [s for s in self.files if s not in typed and (node, None, None) in self.graph_of(s)]
        return typed + other


def _graph_iri(path: Path) -> URIRef:
    return GRAPH[path.stem]


def _check_single_definition(kg: KnowledgeGraph) -> None:
    """A resource we mint may be typed in one file only; typing it again elsewhere is a duplicate."""
    owner: dict[Node, SourceFile] = {}
    for source in kg.files:
        for subject in set(kg.graph_of(source).subjects(RDF.type, None)):
            if not isinstance(subject, URIRef) or not str(subject).startswith(BASE):
                continue
            first = owner.setdefault(subject, source)
            if first is not source:
                line = locate(source.path, subject, typed=True)
                first_line = locate(first.path, subject, typed=True)
                raise ConflictingDefinition(
                    f"{source.path}:{line or '?'}: <{subject}> is already defined in "
                    f"{first.path}:{first_line or '?'}",
                    hint="define each resource in one file; other files may only add links to it",
                )


def load_graph(layout: Layout) -> KnowledgeGraph:
    """Load ontology/ and data/ into a dataset; raises on the first bad file, so nothing half-loaded escapes."""
    layout.check()
    sources = [SourceFile(p, _graph_iri(p), "ontology") for p in _turtle_files(layout.ontology, "ontology")]
    sources += [SourceFile(p, _graph_iri(p), "data") for p in _turtle_files(layout.data, "data")]
    stems: dict[URIRef, Path] = {}
    for source in sources:
        if source.graph_iri in stems:
            raise ConflictingDefinition(
                f"{source.path}: its named graph <{source.graph_iri}> is also that of {stems[source.graph_iri]}",
                hint="file names must be unique across ontology/ and data/",
            )
        stems[source.graph_iri] = source.path
    _check_prefixes(s.path for s in sources)
    dataset = Dataset(default_union=True)
    bind_prefixes(dataset)
    for source in sources:
        parsed = parse_turtle(source.path)
        named = dataset.graph(source.graph_iri)
        for triple in parsed:
            named.add(triple)
    kg = KnowledgeGraph(dataset=dataset, files=sources)
    _check_single_definition(kg)
    return kg


def load_shapes(layout: Layout) -> Graph:
    """Load every shapes file into one graph."""
    layout.check()
    files = _turtle_files(layout.shapes, "shapes")
    _check_prefixes(files)
    shapes = Graph()
    bind_prefixes(shapes)
    for path in files:
        shapes += parse_turtle(path)
    return shapes
