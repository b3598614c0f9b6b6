"""Dereferenceable IRIs: every IRI under the base IRI is served at its path, as HTML or as RDF by Accept.

``base_iri + P`` is served at ``/P``; ``/P.ttl``, ``/P.jsonld`` and ``/P.nt`` force a format. Three kinds of
IRI get their own view: the ontology (one hash namespace, so ``/ontology`` renders every term with an anchor),
named graphs (``/graph/<file stem>`` serves the graph itself) and everything else (its concise bounded
description).
The stored source texts are served as plain text under ``/sources/``.
"""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Request, Response
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ..load import KnowledgeGraph, SourceFile
from ..namespaces import (
    DCTERMS,
    FOAF,
    OA,
    OWL,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    VOID,
    XSD,
    bind_prefixes,
)
from .dataset_description import RDF_OFFERS, build_void_graph, rdf_body
from .html import Markup, el, error_response, join, json_script, negotiate, page, safe_href

if TYPE_CHECKING:
    from .state import ServerState

__all__ = ["SUFFIXES", "LinkedDataSite", "build_router"]

#: A suffix on a path forces the representation, for clients that cannot send Accept.
SUFFIXES: dict[str, str] = {
    ".ttl": "text/turtle",
    ".jsonld": "application/ld+json",
    ".nt": "application/n-triples",
}
_SUFFIX_OF = {media: suffix for suffix, media in SUFFIXES.items()}
_FORMAT_NAMES = {
    "text/turtle": "Turtle",
    "application/ld+json": "JSON-LD",
    "application/n-triples": "N-Triples",
}
#: Machine clients that accept anything get Turtle; browsers ask for text/html by name.
_PAGE_OFFERS = (*RDF_OFFERS, "text/html")
_LABELS = (RDFS.label, SKOS.prefLabel, SCHEMA.name, DCTERMS.title, FOAF.name)
_LINKS_OUT = (
    OWL.sameAs,
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.relatedMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SCHEMA.sameAs,
    RDFS.seeAlso,
    SCHEMA.url,
)
_PROVENANCE = (PROV.wasDerivedFrom, DCTERMS.source)
_SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.txt$")
#: Incoming links shown on one page: a class with a million instances must not make a million-row page.
_MAX_ROWS = 500


def _lang_rank(literal: Literal) -> int:
    return {"en": 0, None: 1}.get(literal.language, 2)


def _media_header(media_type: str) -> str:
    return media_type if media_type == "application/ld+json" else f"{media_type}; charset=utf-8"


@dataclass
class _Notes:
    """The sources cited on one page, numbered in order of first use."""

    nodes: list[Node] = field(default_factory=list)

    def ref(self, node: Node) -> int:
        if node not in self.nodes:
            self.nodes.append(node)
        return self.nodes.index(node) + 1


class LinkedDataSite:
    """The graphs behind the pages, and how to label, link and describe what is in them."""

    def __init__(self, kg: KnowledgeGraph, base_iri: str) -> None:
        self.base = base_iri
        self.kg = kg
        self.graph = Graph()
        bind_prefixes(self.graph)
        self.graph += kg.union
        # The dataset's description (id/dataset/ctgraph) is generated, not stored, yet dereferences the same.
        self.graph += build_void_graph(kg, base_iri)
        self.ontology_iri = URIRef(base_iri + "ontology")
        # The version IRI names the same document (there is one version), so it resolves to it too.
        self.ontology_names = {self.ontology_iri, *self.graph.objects(self.ontology_iri, OWL.versionIRI)}
        self.graph_files: dict[URIRef, SourceFile] = {source.graph_iri: source for source in kg.files}
        self._prefixes = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
        self.uri_spaces = sorted(
            (
                (str(space), self.label(ds))
                for ds, space in self.graph.subject_objects(VOID.uriSpace)
                if str(space) != base_iri
            ),
            key=lambda item: -len(item[0]),
        )

    # ------------------------------------------------------------------ naming and linking

    def iri_for_path(self, path: str) -> URIRef:
        return URIRef(self.base + path)

    def local_path(self, iri: str) -> str | None:
        """The path on this server of an IRI under the base IRI, None for any other IRI."""
        if not iri.startswith(self.base):
            return None
        return "/" + quote(iri[len(self.base) :], safe="/#:@!$&'()*+,;=-._~%")

    def href(self, node: Node) -> str | None:
        if not isinstance(node, URIRef):
            return None
        return self.local_path(str(node)) or safe_href(str(node))

    def short(self, node: Node) -> str:
        """A prefixed name where one reads naturally (no slash or hash after the prefix), else the IRI."""
        text = str(node)
        for prefix, namespace in self._prefixes:
            if text.startswith(namespace):
                local = text[len(namespace) :]
                if local and not re.search(r"[/#?]", local):
                    return f"{prefix}:{local}"
        return text

    def label(self, node: Node) -> str:
        for predicate in _LABELS:
            values = [v for v in self.graph.objects(node, predicate) if isinstance(v, Literal)]
            if values:
                return str(min(values, key=lambda v: (_lang_rank(v), str(v))))
        return self.short(node)

    def exists(self, iri: URIRef) -> bool:
        return (
            (iri, None, None) in self.graph
            or (None, None, iri) in self.graph
            or iri in self.graph_files
            or iri in self.ontology_names
        )

    # ------------------------------------------------------------------ descriptions

    def describe(self, iri: URIRef) -> Graph:
        """The concise bounded description of an IRI, with the labels of the nodes it links to."""
        description = self.graph.cbd(iri)
        bind_prefixes(description)
        neighbours = {o for o in description.objects() if isinstance(o, URIRef) and o != iri}
        for neighbour in neighbours:
            for predicate in _LABELS:
                for value in self.graph.objects(neighbour, predicate):
                    description.add((neighbour, predicate, value))
        return description

    def ontology_graph(self) -> Graph:
        """The ontology document: the owl:Ontology and every term it defines, from the ontology files."""
        terms = Graph()
        bind_prefixes(terms)
        for source in self.kg.files:
            if source.kind != "ontology":
                continue
            named = self.kg.graph_of(source)
            for subject in set(named.subjects()):
                defined_here = (
                    str(subject).startswith(f"{self.ontology_iri}#") or subject == self.ontology_iri
                )
                if defined_here or (subject, RDFS.isDefinedBy, self.ontology_iri) in named:
                    terms += named.cbd(subject)
        return terms

    def fixed_document(self, iri: URIRef) -> tuple[URIRef, Callable[[], str], Callable[[], Graph]] | None:
        """For the ontology (by any of its names) and each named graph: key, page maker, graph maker."""
        if iri in self.ontology_names:
            return self.ontology_iri, self.ontology_page, self.ontology_graph
        if iri in self.graph_files:
            return iri, partial(self.graph_page, iri), partial(self.named_graph, iri)
        return None

    def named_graph(self, iri: URIRef) -> Graph:
        content = Graph()
        bind_prefixes(content)
        content += self.kg.dataset.graph(iri)
        return content

    def graphs_holding(self, triple: tuple[Node, Node, Node]) -> list[URIRef]:
        return sorted(
            g.identifier for g in self.kg.dataset.graphs(triple) if g.identifier in self.graph_files
        )

    def sources_of(self, triple: tuple[Node, Node, Node], graphs: Iterable[URIRef]) -> list[Node]:
        """What a statement rests on, in each file that states it.

        Provenance is recorded per resource, so a link rests on the passages its two ends share; when they
        share none, on the passages of both. A resource with no passage may name a secondary source
        (dcterms:source).
        """
        subject, _, obj = triple
        found: list[Node] = []
        for graph_iri in graphs:
            named = self.kg.dataset.graph(graph_iri)
            spans = {v for p in _PROVENANCE for v in named.objects(subject, p)}
            if isinstance(obj, URIRef):
                object_spans = {v for p in _PROVENANCE for v in named.objects(obj, p)}
                spans = (spans & object_spans) or (spans | object_spans)
            found.extend(s for s in sorted(spans) if s not in found)
        return found

    # ------------------------------------------------------------------ HTML pieces

    def link(self, node: Node, text: str | None = None) -> Markup:
        href = self.href(node)
        caption = text if text is not None else self.label(node)
        if href is None:
            return el("span", caption, title=str(node), class_="iri")
        external = self.local_path(str(node)) is None
        return el(
            "a",
            caption,
            href=href,
            title=str(node),
            rel="external" if external else None,
            class_="external" if external else None,
        )

    def value(self, node: Node, depth: int = 0) -> Markup:
        if isinstance(node, Literal):
            parts = [el("span", str(node), class_="literal", lang=node.language)]
            if node.language:
                parts.append(el("span", f"@{node.language}", class_="lang"))
            elif node.datatype is not None and node.datatype != XSD.string:
                parts.append(el("span", f"^^{self.short(node.datatype)}", class_="datatype"))
            return join(parts, " ")
        if isinstance(node, BNode):
            if depth >= 3:
                return el("span", "[…]", class_="bnode")
            rows = [
                el("dt", self.link(p, self.short(p))) + el("dd", self.value(o, depth + 1))
                for p, o in sorted(self.graph.predicate_objects(node))
            ]
            return el("dl", join(rows), class_="bnode")
        return self.link(node)

    def source_item(self, node: Node, number: int) -> Markup:
        """One cited source: the quoted passage with its document, or the entity or note given as source."""
        anchor = f"source-{number}"
        if isinstance(node, Literal):
            return el("li", el("p", str(node), class_="note"), id=anchor)
        quotes = [
            str(exact)
            for selector in self.graph.objects(node, OA.hasSelector)
            for exact in self.graph.objects(selector, OA.exact)
        ]
        document = self.graph.value(node, OA.hasSource)
        parts: list[Markup] = []
        if quotes:
            original = self.graph.value(document, SCHEMA.url) if document is not None else None
            cite = safe_href(str(original)) if original is not None else None
            parts.extend(el("blockquote", quote_text, cite=cite) for quote_text in quotes)
        credits: list[Markup] = []
        if document is not None:
            title = self.graph.value(document, DCTERMS.title) or self.label(document)
            credits.append(el("cite", self.link(document, str(title))))
            original = self.graph.value(document, SCHEMA.url)
            if original is not None and safe_href(str(original)):
                credits.append(el("a", "original", href=str(original), rel="external", class_="external"))
            stored = self.graph.value(document, SCHEMA.archivedAt)
            if stored is not None and self.href(stored):
                credits.append(el("a", "stored text", href=self.href(stored)))
            credits.append(self.link(node, "passage"))
        else:
            credits.append(self.link(node))
        parts.append(el("p", join(credits, " · "), class_="credit"))
        return el("li", join(parts), id=anchor)

    # ------------------------------------------------------------------ pages

    def _alternates(self, path: str) -> tuple[Markup, Markup]:
        links = [
            el("link", rel="alternate", type=media, href=path + suffix) for suffix, media in SUFFIXES.items()
        ]
        anchors = [
            el("a", _FORMAT_NAMES[media], href=path + suffix, type=media)
            for suffix, media in SUFFIXES.items()
        ]
        return join(links), el("p", "This description as ", join(anchors, " · "), class_="formats")

    def resource_page(self, iri: URIRef) -> str:
        path = self.local_path(str(iri)) or "/"
        head, formats = self._alternates(path)
        notes = _Notes()
        types = sorted(self.graph.objects(iri, RDF.type))
        body: list[object] = [
            el("h1", self.label(iri)),
            el("p", el("code", str(iri)), class_="iri"),
        ]
        if types:
            body.append(el("p", "Type: ", join((self.link(t) for t in types), ", "), class_="types"))
        body.append(formats)
        body.append(self._properties(iri, notes))
        body.append(self._links_out(iri))
        body.append(self._incoming(iri, notes))
        if notes.nodes:
            items = [self.source_item(node, number) for number, node in enumerate(notes.nodes, start=1)]
            body.append(
                el("section", el("h2", "Sources"), el("ol", join(items), class_="sources"), id="sources")
            )
        description = self.describe(iri)
        embedded = json.loads(
            description.serialize(
                format="json-ld", context=self._embed_context(description), auto_compact=True
            )
        )
        return page(self.label(iri), body, head=[head, json_script(embedded)])

    def _embed_context(self, graph: Graph) -> dict[str, object]:
        """schema.org terms bare (as search engines read them), other terms by the prefixes the graph uses."""
        used = {str(term) for triple in graph for term in triple if isinstance(term, URIRef)}
        used |= {
            str(t.datatype) for t in graph.objects() if isinstance(t, Literal) and t.datatype is not None
        }
        context: dict[str, object] = {"@vocab": str(SCHEMA)}
        context.update(
            {
                p: ns
                for p, ns in sorted(PREFIXES.items())
                if ns != str(SCHEMA) and any(term.startswith(ns) for term in used)
            }
        )
        return context

    def _refs(self, triple: tuple[Node, Node, Node], notes: _Notes) -> tuple[Markup, Markup]:
        graphs = self.graphs_holding(triple)
        graph_links = join((self.link(g, g.rsplit("/", 1)[-1]) for g in graphs), " ")
        if triple[1] in _PROVENANCE:
            return graph_links, Markup("")
        refs = [notes.ref(node) for node in self.sources_of(triple, graphs)]
        marks = join((el("a", f"[{n}]", href=f"#source-{n}", class_="ref") for n in refs), "")
        return graph_links, marks

    def _properties(self, iri: URIRef, notes: _Notes) -> Markup:
        by_predicate: dict[Node, list[Node]] = defaultdict(list)
        for predicate, obj in self.graph.predicate_objects(iri):
            if predicate != RDF.type:
                by_predicate[predicate].append(obj)
        if not by_predicate:
            return Markup("")
        order = {p: i for i, p in enumerate(_LABELS)}
        rows = []
        for predicate in sorted(by_predicate, key=lambda p: (order.get(p, len(order)), self.short(p))):
            for obj in sorted(by_predicate[predicate], key=lambda o: (isinstance(o, Literal), self.label(o))):
                graph_links, marks = self._refs((iri, predicate, obj), notes)
                rows.append(
                    el(
                        "tr",
                        el("th", self.link(predicate, self.short(predicate)), scope="row"),
                        el("td", self.value(obj)),
                        el("td", marks, class_="refs"),
                        el("td", graph_links, class_="graph"),
                    )
                )
        header = el("tr", el("th", "property"), el("th", "value"), el("th", "source"), el("th", "graph"))
        return el(
            "section",
            el("h2", "Properties"),
            el("table", el("thead", header), el("tbody", join(rows))),
            id="properties",
        )

    def _links_out(self, iri: URIRef) -> Markup:
        items = []
        for predicate in _LINKS_OUT:
            for obj in sorted(self.graph.objects(iri, predicate)):
                if (
                    not isinstance(obj, URIRef)
                    or self.local_path(str(obj)) is not None
                    or not safe_href(str(obj))
                ):
                    continue
                host = urlsplit(str(obj)).hostname or str(obj)
                dataset = next((name for space, name in self.uri_spaces if str(obj).startswith(space)), host)
                items.append(
                    el(
                        "li",
                        el(
                            "a",
                            f"{dataset}: {self.short(obj)}",
                            href=str(obj),
                            rel="external",
                            class_="external",
                        ),
                        " ",
                        el("span", self.short(predicate), class_="via"),
                    )
                )
        if not items:
            return Markup("")
        return el("section", el("h2", "Links to other datasets"), el("ul", join(items)), id="links-out")

    def _incoming(self, iri: URIRef, notes: _Notes) -> Markup:
        pairs = sorted(
            self.graph.subject_predicates(iri), key=lambda sp: (self.label(sp[0]), self.short(sp[1]))
        )
        if not pairs:
            return Markup("")
        rows = []
        for subject, predicate in pairs[:_MAX_ROWS]:
            graph_links, marks = self._refs((subject, predicate, iri), notes)
            rows.append(
                el(
                    "tr",
                    el("td", self.value(subject)),
                    el("td", self.link(predicate, self.short(predicate))),
                    el("td", marks, class_="refs"),
                    el("td", graph_links, class_="graph"),
                )
            )
        more = (
            el("p", f"… and {len(pairs) - _MAX_ROWS} more; ask the SPARQL endpoint for all of them.")
            if len(pairs) > _MAX_ROWS
            else Markup("")
        )
        header = el("tr", el("th", "resource"), el("th", "property"), el("th", "source"), el("th", "graph"))
        return el(
            "section",
            el("h2", "Referenced by"),
            el("table", el("thead", header), el("tbody", join(rows))),
            more,
            id="incoming",
        )

    def graph_page(self, iri: URIRef) -> str:
        source = self.graph_files[iri]
        named = self.kg.dataset.graph(iri)
        path = self.local_path(str(iri)) or "/"
        head, formats = self._alternates(path)
        subjects = sorted(set(named.subjects(RDF.type, None)), key=self.label)
        items = [
            el(
                "li",
                self.link(s),
                " ",
                el(
                    "span", ", ".join(self.short(t) for t in sorted(named.objects(s, RDF.type))), class_="via"
                ),
            )
            for s in subjects[:_MAX_ROWS]
        ]
        body = [
            el("h1", f"Named graph {iri.rsplit('/', 1)[-1]}"),
            el("p", el("code", str(iri)), class_="iri"),
            el("p", f"{len(named)} triples, loaded from {source.kind}/{source.path.name}."),
            formats,
            el(
                "section",
                el("h2", f"Typed resources ({len(subjects)})"),
                el("ul", join(items)),
                id="resources",
            ),
        ]
        return page(f"graph {iri.rsplit('/', 1)[-1]}", body, head=[head])

    def ontology_page(self) -> str:
        terms = self.ontology_graph()
        head, formats = self._alternates(self.local_path(str(self.ontology_iri)) or "/ontology")
        ontology = self.ontology_iri
        meta = []
        for predicate in (
            OWL.versionInfo,
            OWL.versionIRI,
            DCTERMS.license,
            DCTERMS.creator,
            DCTERMS.created,
            URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix"),
            URIRef("http://purl.org/vocab/vann/preferredNamespaceUri"),
        ):
            for value in sorted(terms.objects(ontology, predicate)):
                meta.append(el("dt", self.short(predicate)) + el("dd", self.value(value)))
        hash_terms = [s for s in set(terms.subjects()) if str(s).startswith(f"{ontology}#")]
        classes = sorted(
            (
                s
                for s in hash_terms
                if (s, RDF.type, OWL.Class) in terms or (s, RDF.type, RDFS.Class) in terms
            ),
            key=str,
        )
        properties = sorted((s for s in hash_terms if s not in classes), key=str)
        schemes = sorted(terms.subjects(RDF.type, SKOS.ConceptScheme), key=str)
        body = [
            el("h1", str(terms.value(ontology, DCTERMS.title) or "ontology")),
            el("p", el("code", str(ontology)), class_="iri"),
            el("p", str(terms.value(ontology, DCTERMS.description) or "")),
            el("dl", join(meta), class_="meta"),
            formats,
            el(
                "nav",
                el("a", f"Classes ({len(classes)})", href="#classes"),
                " · ",
                el("a", f"Properties ({len(properties)})", href="#properties"),
                " · ",
                el("a", f"Vocabularies ({len(schemes)})", href="#vocabularies"),
                class_="toc",
            ),
            el("section", el("h2", "Classes"), join(self._term(terms, c) for c in classes), id="classes"),
            el(
                "section",
                el("h2", "Properties"),
                join(self._term(terms, p) for p in properties),
                id="properties",
            ),
            el(
                "section",
                el("h2", "Vocabularies"),
                join(self._scheme(terms, s) for s in schemes),
                id="vocabularies",
            ),
        ]
        return page("ontology", body, head=[head])

    def _term(self, terms: Graph, term: URIRef) -> Markup:
        anchor = str(term).split("#", 1)[1]
        rows = []
        for predicate, caption in (
            (RDF.type, "type"),
            (RDFS.subClassOf, "sub-class of"),
            (RDFS.subPropertyOf, "sub-property of"),
            (RDFS.domain, "domain"),
            (RDFS.range, "range"),
        ):
            values = sorted(terms.objects(term, predicate))
            if values:
                rows.append(
                    el("dt", caption) + el("dd", join((self.link(v, self.short(v)) for v in values), ", "))
                )
        definition = terms.value(term, SKOS.definition)
        return el(
            "article",
            el("h3", self.label(term), " ", el("code", self.short(term))),
            el("p", str(definition), class_="definition") if definition else None,
            el("dl", join(rows)),
            id=anchor,
            class_="term",
        )

    def _scheme(self, terms: Graph, scheme: URIRef) -> Markup:
        concepts = sorted(terms.subjects(SKOS.inScheme, scheme), key=str)
        items = [el("li", self.link(c), ": ", str(terms.value(c, SKOS.definition) or "")) for c in concepts]
        return el(
            "article",
            el("h3", self.link(scheme)),
            el("p", str(terms.value(scheme, SKOS.definition) or ""), class_="definition"),
            el("ul", join(items)),
        )


class _Memo:
    """The views that never change and may be large (the ontology, whole named graphs), each made once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._locks: dict[tuple[URIRef, str], threading.Lock] = {}
        self._bodies: dict[tuple[URIRef, str], bytes | str] = {}

    def get(self, key: tuple[URIRef, str], make: Callable[[], bytes | str]) -> bytes | str:
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        # A 100k-triple graph takes seconds to serialise: once, by the first to ask; other views do not wait.
        with lock:
            if key not in self._bodies:
                self._bodies[key] = make()
            return self._bodies[key]


def _rdf_response(body: bytes | str, media_type: str, path: str) -> Response:
    return Response(
        body,
        media_type=_media_header(media_type),
        headers={"Vary": "Accept", "Content-Location": path + _SUFFIX_OF[media_type]},
    )


def _html_response(body: bytes | str, path: str) -> Response:
    alternates = ", ".join(
        f'<{path}{suffix}>; rel="alternate"; type="{media}"' for suffix, media in SUFFIXES.items()
    )
    return Response(
        body, media_type="text/html; charset=utf-8", headers={"Vary": "Accept", "Link": alternates}
    )


def build_router(state: ServerState) -> APIRouter:
    """The source texts and the catch-all resource route; include this router last."""
    site = LinkedDataSite(state.kg, str(state.settings.base_iri))
    sources = (
        {p.name: p for p in sorted(state.layout.sources.glob("*.txt")) if p.is_file()}
        if state.layout.sources.is_dir()
        else {}
    )
    memo = _Memo()
    router = APIRouter()

    @router.api_route("/sources/{name}", methods=["GET", "HEAD"], summary="A stored source text")
    def source_text(name: str, request: Request) -> Response:
        # Only names listed at start-up are served: no path (../, %2F, symlinks) can reach another file.
        path = sources.get(name) if _SOURCE_NAME.match(name) else None
        if path is None:
            return error_response(
                request.headers.get("accept"),
                404,
                "not-found",
                f"no stored source text named {name!r}; known: {', '.join(sources) or 'none'}",
            )
        return Response(path.read_bytes(), media_type="text/plain; charset=utf-8")

    @router.api_route("/{path:path}", methods=["GET", "HEAD"], summary="A resource of the graph")
    def resource(path: str, request: Request) -> Response:
        accept = request.headers.get("accept")
        iri, forced = site.iri_for_path(path), None
        if not site.exists(iri):
            stem, dot, suffix = path.rpartition(".")
            if dot and f".{suffix}" in SUFFIXES and site.exists(site.iri_for_path(stem)):
                iri, forced = site.iri_for_path(stem), SUFFIXES[f".{suffix}"]
            else:
                return error_response(
                    accept,
                    404,
                    "not-found",
                    f"<{iri}> is not in the graph; search for it at /sparql or browse from /ontology",
                    headers={"Vary": "Accept"},
                )
        media = forced or negotiate(accept, _PAGE_OFFERS)
        local = site.local_path(str(iri)) or "/"
        if media is None:
            offered = ", ".join(_PAGE_OFFERS)
            return error_response(
                accept,
                406,
                "not-acceptable",
                f"<{iri}> is available as {offered}",
                headers={"Vary": "Accept"},
            )
        document = site.fixed_document(iri)
        if document is not None:
            key, page_of, graph_of = document
            make = page_of if media == "text/html" else (lambda: rdf_body(graph_of(), media))
            body = memo.get((key, media), make)
        elif media == "text/html":
            body = site.resource_page(iri)
        else:
            body = rdf_body(site.describe(iri), media)
        return _html_response(body, local) if media == "text/html" else _rdf_response(body, media, local)

    return router
