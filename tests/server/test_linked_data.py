"""Dereferenceable IRIs over real HTTP: RDF by Accept and suffix, HTML pages, the ontology, 404s, sources."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urlsplit

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from ctgraph.load import KnowledgeGraph
from ctgraph.namespaces import BASE, CTG, OA, ONTOLOGY_IRI, ORG, OWL, RDF, RDFS, SCHEMA, SKOS
from ctgraph.paths import Layout
from ctgraph.server.html import Markup, el, escape, negotiate, safe_href
from ctgraph.server.settings import Settings
from tests.helpers import copy_checkout
from tests.server import pages_conftest
from tests.server.pages_conftest import live_app

# The shared fixtures, as this module's own (see pages_conftest).
pages_kg = pages_conftest.pages_kg
pages_layout = pages_conftest.pages_layout
pages_server = pages_conftest.pages_server

VLADIMIR = URIRef(BASE + "id/person/vladimir-voronkov")
POST = URIRef(BASE + "id/post/under-secretary-general-for-counter-terrorism")
DIALOGUE = URIRef(BASE + "id/event/fourth-high-level-strategic-dialogue-qatar-unoct")
QATAR = URIRef(BASE + "id/org/state-of-qatar")
CO_CHAIRS_SPAN = URIRef(BASE + "id/source/fourth-dialogue-press-release/span/co-chairs")
LABELS = (
    RDFS.label,
    SKOS.prefLabel,
    SCHEMA.name,
    URIRef("http://purl.org/dc/terms/title"),
    URIRef("http://xmlns.com/foaf/0.1/name"),
)
RDF_TYPES = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt"}


class Page(HTMLParser):
    """What the tests read from a page: links, ids, script blocks, headings and the visible text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self.scripts: list[tuple[str, str]] = []
        self.h1: list[str] = []
        self.text_parts: list[str] = []
        self._stack: list[tuple[str, dict[str, str | None]]] = []
        self._buffer: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(str(attributes["id"]))
        if tag in ("a", "script", "h1"):
            self._stack.append((tag, attributes))
            self._buffer = []

    def handle_endtag(self, tag: str) -> None:
        if self._stack and self._stack[-1][0] == tag:
            _, attributes = self._stack.pop()
            content = "".join(self._buffer)
            if tag == "a" and attributes.get("href") is not None:
                self.links.append((str(attributes["href"]), content))
            elif tag == "script":
                self.scripts.append((str(attributes.get("type")), content))
            elif tag == "h1":
                self.h1.append(content)

    def handle_data(self, data: str) -> None:
        self._buffer.append(data)
        if not (self._stack and self._stack[-1][0] == "script"):
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def hrefs(self) -> set[str]:
        return {href for href, _ in self.links}


def get(base: str, path: str, accept: str | None = None) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return httpx.get(base + path, headers=headers, follow_redirects=False, timeout=60)


def parse_rdf(response: httpx.Response) -> Graph:
    media = response.headers["content-type"].split(";")[0].strip()
    graph = Graph()
    graph.parse(data=response.content, format=RDF_TYPES[media])
    return graph


def contexts_are_inline(value: object) -> bool:
    """True when no @context anywhere in a JSON-LD document is (or lists) a URL."""
    if isinstance(value, dict):
        context = value.get("@context")
        if context is not None and not isinstance(context, dict):
            return False
        return all(contexts_are_inline(v) for k, v in value.items() if k != "@context")
    if isinstance(value, list):
        return all(contexts_are_inline(v) for v in value)
    return True


def expected_description(kg: KnowledgeGraph, iri: URIRef) -> set[tuple[object, object, object]]:
    """The concise bounded description (the data has no blank nodes) plus the labels of linked nodes."""
    union = kg.union
    triples = set(union.triples((iri, None, None)))
    for _, _, neighbour in list(triples):
        if isinstance(neighbour, URIRef) and neighbour != iri:
            for predicate in LABELS:
                triples.update(union.triples((neighbour, predicate, None)))
    return triples


# ---------------------------------------------------------------------- RDF descriptions


@pytest.mark.parametrize("accept", list(RDF_TYPES))
def test_resource_description_by_accept_is_its_cbd_plus_neighbour_labels(
    pages_server: str, pages_kg: KnowledgeGraph, accept: str
) -> None:
    response = get(pages_server, "/id/person/vladimir-voronkov", accept)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    assert "accept" in response.headers["vary"].lower()
    graph = parse_rdf(response)
    assert set(graph) == expected_description(pages_kg, VLADIMIR)
    assert (VLADIMIR, ORG.holds, POST) in graph
    assert (POST, RDFS.label, Literal("Under-Secretary-General for Counter-Terrorism", lang="en")) in graph


@pytest.mark.parametrize(
    ("suffix", "media"),
    [(".ttl", "text/turtle"), (".jsonld", "application/ld+json"), (".nt", "application/n-triples")],
)
def test_suffix_forces_the_format_whatever_accept_says(pages_server: str, suffix: str, media: str) -> None:
    by_suffix = get(pages_server, f"/id/person/vladimir-voronkov{suffix}", "text/html")
    by_accept = get(pages_server, "/id/person/vladimir-voronkov", media)
    assert by_suffix.status_code == 200
    assert by_suffix.headers["content-type"].split(";")[0] == media
    assert isomorphic(parse_rdf(by_suffix), parse_rdf(by_accept))


def test_jsonld_descriptions_carry_an_inline_context_only(pages_server: str) -> None:
    for path in (
        "/id/person/vladimir-voronkov.jsonld",
        "/ontology.jsonld",
        "/graph/links.jsonld",
        "/id/dataset/ctgraph.jsonld",
    ):
        document = get(pages_server, path).json()
        assert isinstance(document["@context"], dict), path
        assert contexts_are_inline(document), path


def test_any_accept_gets_turtle(pages_server: str) -> None:
    for accept in (None, "*/*"):
        response = get(pages_server, "/id/org/state-of-qatar", accept)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/turtle")
        assert (QATAR, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q846")) in parse_rdf(response)


def test_every_iri_in_our_namespace_resolves(pages_server: str, pages_kg: KnowledgeGraph) -> None:
    iris = {
        term
        for triple in pages_kg.union
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(BASE)
    }
    iris |= {source.graph_iri for source in pages_kg.files}
    assert len(iris) > 150  # the check must have found the graph's IRIs to check
    anchors: dict[str, set[str]] = {}
    for iri in sorted(iris):
        path, _, fragment = str(iri)[len(BASE) - 1 :].partition("#")
        if fragment:
            if path not in anchors:
                page = get(pages_server, path, "text/html")
                assert page.status_code == 200, path
                anchors[path] = Page(page.text).ids
            assert fragment in anchors[path], f"{iri}: no anchor #{fragment} on {path}"
            continue
        response = get(pages_server, path, "text/turtle")
        assert response.status_code == 200, iri
        if path.startswith("/sources/"):
            assert response.headers["content-type"] == "text/plain; charset=utf-8"
            continue
        graph = parse_rdf(response)
        assert len(graph) > 0, iri
        assert (
            (iri, None, None) in graph
            or (None, None, iri) in graph
            or path in ("/ontology", "/ontology/0.1.0")
            or path.startswith("/graph/")
        ), iri


def test_named_graph_iri_serves_the_graph(pages_server: str, pages_kg: KnowledgeGraph) -> None:
    for source in pages_kg.files:
        path = str(source.graph_iri)[len(BASE) - 1 :]
        response = get(pages_server, path, "application/n-triples")
        assert response.status_code == 200
        assert isomorphic(parse_rdf(response), pages_kg.graph_of(source)), path
        page = Page(get(pages_server, path, "text/html").text)
        assert f"{len(pages_kg.graph_of(source))} triples" in page.text


def test_head_answers_like_get_without_a_body(pages_server: str) -> None:
    response = httpx.head(pages_server + "/id/person/vladimir-voronkov", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert response.content == b""


# ---------------------------------------------------------------------- HTML pages


def test_person_page_shows_label_types_properties_incoming_links_and_sources(
    pages_server: str, pages_kg: KnowledgeGraph
) -> None:
    response = get(pages_server, "/id/person/vladimir-voronkov", "text/html")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = Page(response.text)
    assert page.h1 == ["Vladimir Voronkov"]
    links = dict(page.links)
    assert links["https://schema.org/Person"] == "schema:Person"
    # properties, with our IRIs linked to their local paths
    assert (
        links["/id/post/under-secretary-general-for-counter-terrorism"]
        == "Under-Secretary-General for Counter-Terrorism"
    )
    # incoming links: the dialogue lists him as attendee, and his participation names him as agent
    assert (
        links["/id/event/fourth-high-level-strategic-dialogue-qatar-unoct"]
        == "Fourth High-Level Strategic Dialogue between the State of Qatar & UNOCT"
    )
    assert "/id/participation/fourth-dialogue/vladimir-voronkov" in links
    # the quoted source sentence, its document, the original and the stored text
    quote = next(
        str(o)
        for s in pages_kg.union.objects(CO_CHAIRS_SPAN, OA.hasSelector)
        for o in pages_kg.union.objects(s, OA.exact)
    )
    assert " ".join(quote.split()) in page.text
    assert "/sources/fourth-dialogue-press-release.txt" in links
    assert (
        "https://www.un.org/counterterrorism/events/fourth-high-level-strategic-dialogue-between-state-qatar-unoct"
        in links
    )
    # the enrichment statement names its secondary source and its graph
    assert 'UNOCT "About us" page and UN News focus page' in page.text
    assert "/graph/enrichment" in links


def test_page_embeds_its_data_as_jsonld_with_schema_org_terms(
    pages_server: str, pages_kg: KnowledgeGraph
) -> None:
    page = Page(get(pages_server, "/id/person/vladimir-voronkov", "text/html").text)
    blocks = [text for kind, text in page.scripts if kind == "application/ld+json"]
    assert len(blocks) == 1
    document = json.loads(blocks[0])
    assert document["@context"]["@vocab"] == str(SCHEMA)
    assert contexts_are_inline(document)
    person = next(node for node in document["@graph"] if node["@id"] == str(VLADIMIR))
    assert person["name"] == "Vladimir Voronkov"  # schema:name, as a bare schema.org term
    assert "Person" in person["@type"]
    embedded = Graph().parse(data=blocks[0], format="json-ld")
    assert set(embedded) == expected_description(pages_kg, VLADIMIR)


def test_links_out_to_other_datasets(pages_server: str) -> None:
    page = Page(get(pages_server, "/id/org/state-of-qatar", "text/html").text)
    links = dict(page.links)
    assert links["http://www.wikidata.org/entity/Q846"] == "Wikidata: wd:Q846"
    assert links["http://dbpedia.org/resource/Qatar"].startswith("DBpedia")
    assert links["https://sws.geonames.org/289688/"].startswith("GeoNames")
    assert links["http://metadata.un.org/UNMS/634"].startswith("UN Member States")
    assert "links-out" in page.ids


def test_page_links_to_ontology_terms_land_on_their_anchors(pages_server: str) -> None:
    ontology_ids = Page(get(pages_server, "/ontology", "text/html").text).ids
    for path in (
        "/id/person/vladimir-voronkov",
        "/id/event/fourth-high-level-strategic-dialogue-qatar-unoct",
        "/id/ranking/state-of-qatar/un-trust-fund-for-counter-terrorism",
    ):
        hrefs = Page(get(pages_server, path, "text/html").text).hrefs()
        fragments = {href.split("#", 1)[1] for href in hrefs if href.startswith("/ontology#")}
        assert fragments, path
        assert fragments <= ontology_ids, path


def test_every_local_link_on_a_page_resolves(pages_server: str) -> None:
    hrefs = Page(
        get(pages_server, "/id/event/fourth-high-level-strategic-dialogue-qatar-unoct", "text/html").text
    ).hrefs()
    local = {href.split("#", 1)[0] for href in hrefs if href.startswith("/") and not href.startswith("//")}
    assert len(local) > 20
    for path in sorted(local - {""}):
        response = get(pages_server, path, "text/html")
        assert response.status_code in (200, 303), path


def test_dataset_iri_has_a_page(pages_server: str) -> None:
    page = Page(get(pages_server, "/id/dataset/ctgraph", "text/html").text)
    assert page.h1 == ["ctgraph"]
    assert {"/sparql", "/download/ctgraph.ttl", "/download/ctgraph.nq"} <= page.hrefs()


# ---------------------------------------------------------------------- the ontology


def test_ontology_resolves_to_the_ontology_in_rdf(pages_server: str, pages_kg: KnowledgeGraph) -> None:
    response = get(pages_server, "/ontology", "text/turtle")
    assert response.status_code == 200
    graph = parse_rdf(response)
    assert (URIRef(ONTOLOGY_IRI), RDF.type, OWL.Ontology) in graph
    defined = {s for s in pages_kg.union.subjects() if str(s).startswith(str(CTG))}
    assert len(defined) > 30
    for term in defined:
        assert set(pages_kg.union.triples((term, None, None))) <= set(graph), term
    assert (DIALOGUE, None, None) not in graph  # instance data is not part of the ontology document
    version = get(pages_server, "/ontology/0.1.0", "text/turtle")
    assert isomorphic(parse_rdf(version), graph)


def test_ontology_page_renders_every_term_with_an_anchor(pages_server: str, pages_kg: KnowledgeGraph) -> None:
    response = get(pages_server, "/ontology", "text/html")
    assert response.status_code == 200
    page = Page(response.text)
    terms = {str(s).split("#", 1)[1] for s in pages_kg.union.subjects() if str(s).startswith(str(CTG))}
    assert terms <= page.ids
    definition = pages_kg.union.value(CTG.Participation, SKOS.definition)
    assert " ".join(str(definition).split()) in page.text
    hrefs = page.hrefs()
    assert "/ontology#Dialogue" in hrefs  # e.g. the domain of ctg:hasParty
    assert "https://schema.org/Event" in hrefs  # e.g. a super-class of ctg:Dialogue
    assert "/vocab/role/co-chair" in hrefs  # the vocabularies the ontology ships


# ---------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/html", "text/html"),
        ("application/json", "application/json"),
        ("text/plain", "text/plain"),
        (None, "application/json"),
    ],
)
def test_unknown_iri_is_404_in_the_format_asked_for(
    pages_server: str, accept: str | None, media: str
) -> None:
    response = get(pages_server, "/id/person/nobody-at-all", accept)
    assert response.status_code == 404
    assert response.headers["content-type"].split(";")[0] == media
    assert "https://w3id.org/ctgraph/id/person/nobody-at-all" in response.text
    if media == "application/json":
        assert response.json()["error"] == "not-found"
    for path in ("/id/person/nobody-at-all.ttl", "/nothing/here", "/id/"):
        assert get(pages_server, path, accept).status_code == 404


def test_unacceptable_type_is_406(pages_server: str) -> None:
    response = get(pages_server, "/id/person/vladimir-voronkov", "image/png")
    assert response.status_code == 406
    assert "text/turtle" in response.json()["message"]


# ---------------------------------------------------------------------- stored source texts


def test_source_text_is_served_as_utf8_text(pages_server: str, pages_layout: Layout) -> None:
    stored = pages_layout.sources / "fourth-dialogue-press-release.txt"
    response = get(pages_server, "/sources/fourth-dialogue-press-release.txt")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.content == stored.read_bytes()


def raw_get(base: str, raw_path: str) -> tuple[int, bytes]:
    """A GET of a path sent byte for byte, as no client library would normalise it."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.putrequest("GET", raw_path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize(
    "raw_path",
    [
        "/sources/../data/dialogue.ttl",
        "/sources/..%2Fdialogue.ttl",
        "/sources/..%2f..%2fpyproject.toml",
        "/sources/%2e%2e/%2e%2e/pyproject.toml",
        "/sources/.%2e/sources.ttl",
        "/sources/dialogue.ttl",
        "/sources/fourth-dialogue-press-release.txt%00.ttl",
        "/sources/%2Fetc%2Fpasswd",
        "/sources//etc/passwd",
        "/sources/..\\..\\pyproject.toml",
    ],
)
def test_source_route_never_leaves_the_sources_folder(pages_server: str, raw_path: str) -> None:
    status, body = raw_get(pages_server, raw_path)
    assert status in (400, 404), raw_path
    assert b"@prefix" not in body and b"[project]" not in body and b"root:" not in body


# ---------------------------------------------------------------------- hostile data


HOSTILE = URIRef(BASE + "id/test/hostile")
HOSTILE_LABEL = "<script>alert('label')</script> & </script><img src=x onerror=alert(1)>"
HOSTILE_TTL = f"""
@prefix owl:    <http://www.w3.org/2002/07/owl#> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .

<{HOSTILE}> a schema:Thing ;
    rdfs:label {json.dumps(HOSTILE_LABEL)}@en ;
    schema:description "a line\\u2028separator and a \\"quote\\" and </SCRIPT >" ;
    owl:sameAs <javascript:alert(1)> ;
    schema:url <data:text/html,alert> .
"""


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = copy_checkout(tmp_path_factory.mktemp("hostile"))
    (root / "data" / "hostile.ttl").write_text(HOSTILE_TTL, encoding="utf-8")
    live = live_app(Settings(root=root, workers=1))
    try:
        yield live.url
    finally:
        live.stop()


def test_untrusted_data_is_escaped_and_never_a_script_or_a_script_link(hostile_server: str) -> None:
    response = get(hostile_server, "/id/test/hostile", "text/html")
    assert response.status_code == 200
    body = response.text
    assert "<script>alert" not in body and "<img" not in body
    page = Page(body)
    assert page.h1 == [HOSTILE_LABEL]  # shown as text, exactly
    assert [kind for kind, _ in page.scripts] == ["application/ld+json"]  # the only script is the data block
    assert body.lower().count("</script") == 1
    assert not any(href.lower().startswith(("javascript:", "data:")) for href in page.hrefs())
    embedded = Graph().parse(data=page.scripts[0][1], format="json-ld")
    assert (HOSTILE, RDFS.label, Literal(HOSTILE_LABEL, lang="en")) in embedded
    missing = get(hostile_server, "/id/test/<script>alert(1)</script>", "text/html")
    assert missing.status_code == 404 and "<script>alert" not in missing.text


# ---------------------------------------------------------------------- helpers, directly


def test_el_escapes_children_and_attributes_but_not_markup() -> None:
    assert el("a", "<b>&", href='x" onclick="y') == '<a href="x&quot; onclick=&quot;y">&lt;b&gt;&amp;</a>'
    assert el("p", el("b", "ok")) == "<p><b>ok</b></p>"
    assert el("td", el("b", "x") + "<i>") == "<td><b>x</b>&lt;i&gt;</td>"
    assert "<" + escape("<") == "&lt;&lt;"
    assert isinstance(Markup("a") + "b", Markup)


def test_safe_href_refuses_script_schemes() -> None:
    assert safe_href("/id/x") == "/id/x"
    assert safe_href("https://www.wikidata.org/entity/Q1") == "https://www.wikidata.org/entity/Q1"
    for url in (
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,x",
        "//evil.example/x",
        "vbscript:x",
    ):
        assert safe_href(url) is None, url


def test_negotiate_follows_q_values() -> None:
    offers = ("text/turtle", "application/ld+json", "text/html")
    assert negotiate("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", offers) == "text/html"
    assert negotiate("application/ld+json;q=0.5, text/turtle;q=0.4", offers) == "application/ld+json"
    assert negotiate("*/*", offers) == "text/turtle"
    assert negotiate(None, offers) == "text/turtle"
    assert negotiate("image/png", offers) is None
    assert negotiate("text/*;q=0.5, text/html;q=0", offers) == "text/turtle"
