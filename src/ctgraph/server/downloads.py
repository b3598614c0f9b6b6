"""The dumps under /download/ and the JSON-LD context at /context.jsonld, each serialised once."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response
from rdflib import URIRef

from ..export import build_context, export_bytes
from ..load import KnowledgeGraph
from .html import el, error_response, join, page

if TYPE_CHECKING:
    from .state import ServerState

__all__ = ["Dump", "DUMPS", "CONTEXT_PATH", "build_router"]

_FORMATS_NS = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Dump:
    """One downloadable serialisation of the whole graph."""

    filename: str
    export_format: str  # a name ctgraph.export.export_bytes accepts
    media_type: str
    title: str
    format_iri: URIRef  # the W3C unique format IRI, for void:feature and dcterms:format

    @property
    def path(self) -> str:
        return f"download/{self.filename}"


DUMPS: tuple[Dump, ...] = (
    Dump("ctgraph.ttl", "turtle", "text/turtle", "Turtle", URIRef(_FORMATS_NS + "Turtle")),
    Dump("ctgraph.jsonld", "json-ld", "application/ld+json", "JSON-LD", URIRef(_FORMATS_NS + "JSON-LD")),
    Dump("ctgraph.nt", "nt", "application/n-triples", "N-Triples", URIRef(_FORMATS_NS + "N-Triples")),
    Dump("ctgraph.trig", "trig", "application/trig", "TriG", URIRef(_FORMATS_NS + "TriG")),
    Dump("ctgraph.nq", "nquads", "application/n-quads", "N-Quads", URIRef(_FORMATS_NS + "N-Quads")),
)
CONTEXT_PATH = "context.jsonld"


@dataclass(frozen=True)
class _Cached:
    body: bytes
    media_type: str
    etag: str


def _cached(body: bytes, media_type: str) -> _Cached:
    return _Cached(body, media_type, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


def _content_type(media_type: str) -> str:
    # Turtle, N-Triples, TriG and N-Quads are UTF-8 by definition; saying so stops browsers guessing.
    return media_type if media_type.startswith("application/ld+json") else f"{media_type}; charset=utf-8"


def _etag_matches(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in candidates or etag in candidates


def _respond(request: Request, item: _Cached, filename: str) -> Response:
    headers = {
        "ETag": item.etag,
        "Cache-Control": "public, max-age=3600",
        "Content-Disposition": f'inline; filename="{filename}"',
    }
    if _etag_matches(request, item.etag):
        return Response(status_code=304, headers=headers)
    return Response(item.body, media_type=_content_type(item.media_type), headers=headers)


def _index_page() -> str:
    rows = [
        el("li", el("a", dump.filename, href=f"/{dump.path}"), f" — {dump.title} ({dump.media_type})")
        for dump in DUMPS
    ]
    rows.append(
        el("li", el("a", CONTEXT_PATH, href=f"/{CONTEXT_PATH}"), " — the JSON-LD context of the dumps")
    )
    return page(
        "Downloads",
        [
            el("h1", "Downloads"),
            el(
                "p",
                "The whole graph in each format; the dataset description at ",
                el("a", "/void", href="/void"),
                " lists the same files.",
            ),
            el("ul", join(rows)),
        ],
    )


class _Dumps:
    """Each dump serialised on its first request, then served from memory.

    Not at start-up: on a 100k-triple graph the five exports take about 35 s, which every server process
    would spend before answering anything, for files most runs never serve. The graph is read-only, so once
    is enough.
    """

    def __init__(self, kg: KnowledgeGraph) -> None:
        self._kg = kg
        self._lock = threading.Lock()
        self._bodies: dict[str, _Cached] = {}

    def get(self, dump: Dump) -> _Cached:
        with self._lock:  # two first requests for one dump must not both pay for it
            cached = self._bodies.get(dump.filename)
            if cached is None:
                cached = _cached(export_bytes(self._kg, dump.export_format), dump.media_type)
                self._bodies[dump.filename] = cached
            return cached


def build_router(state: ServerState) -> APIRouter:
    """Routes for the dumps (each serialised once, when first asked for) and the context (serialised now)."""
    files = {dump.filename: dump for dump in DUMPS}
    dumps = _Dumps(state.kg)
    context_body = (
        json.dumps({"@context": build_context(state.kg.union)}, indent=2, ensure_ascii=False) + "\n"
    )
    context = _cached(context_body.encode("utf-8"), "application/ld+json")
    index = _index_page()
    router = APIRouter()

    @router.api_route("/download/", methods=["GET", "HEAD"], include_in_schema=False)
    def download_index() -> Response:
        return Response(index, media_type="text/html; charset=utf-8")

    @router.api_route("/download/{filename}", methods=["GET", "HEAD"], summary="A dump of the whole graph")
    def download(filename: str, request: Request) -> Response:
        dump = files.get(filename)
        if dump is None:
            known = ", ".join(files)
            return error_response(
                request.headers.get("accept"),
                404,
                "not-found",
                f"no dump named {filename!r} under /download/; available: {known}",
            )
        return _respond(request, dumps.get(dump), filename)

    @router.api_route(f"/{CONTEXT_PATH}", methods=["GET", "HEAD"], summary="The JSON-LD context of the dumps")
    def jsonld_context(request: Request) -> Response:
        return _respond(request, context, CONTEXT_PATH)

    return router
