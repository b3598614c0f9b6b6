"""The web UI at /: local YASGUI preloaded with the named queries, or a plain form when YASGUI is absent.

YASGUI comes from the npm package ``@zazuko/yasgui``, installed with ``npm install --prefix ui`` into
``ui/node_modules``; a copy of its ``build/`` folder in ``server/static/yasgui/`` (for an installed wheel) is
used first. Nothing is ever loaded from a CDN, and the page's Content-Security-Policy forbids the browser to
connect anywhere but this server, so the UI works offline and leaks no queries.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from fastapi import APIRouter, Request, Response

from ..queries import NamedQuery
from .html import Markup, el, error_response, join, json_script, page

if TYPE_CHECKING:
    from .state import ServerState

__all__ = ["STATIC_DIR", "BUNDLED_YASGUI", "YASGUI_FILES", "find_yasgui", "build_router"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
BUNDLED_YASGUI = STATIC_DIR / "yasgui"
_NPM_BUILD = Path("ui") / "node_modules" / "@zazuko" / "yasgui" / "build"
#: The files of YASGUI's build that the page needs (and their source maps, for a developer's console).
YASGUI_FILES = ("yasgui.min.js", "yasgui.min.css", "yasgui.min.js.map")
_MEDIA = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".map": "application/json",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
}
#: YASGUI sets inline styles (tab widths, codemirror), so styles may be inline; scripts, connections and
#: everything else are this origin only.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'"
)
_ENDPOINT = "/sparql"
_RESULT_FORMATS = (
    ("json", "SPARQL Results JSON"),
    ("xml", "SPARQL Results XML"),
    ("csv", "CSV"),
    ("tsv", "TSV"),
)


def find_yasgui(root: Path) -> Path | None:
    """The folder of YASGUI's built files: the bundled copy, else the npm install under root; else None."""
    for folder in (BUNDLED_YASGUI, root / _NPM_BUILD):
        if all((folder / name).is_file() for name in YASGUI_FILES[:2]):
            return folder
    return None


def _query_form(query: NamedQuery | None, *, heading: str | None = None) -> Markup:
    text = query.text if query is not None else "SELECT * WHERE { ?s ?p ?o } LIMIT 10\n"
    options = join(el("option", label, value=value) for value, label in _RESULT_FORMATS)
    return el(
        "form",
        el("h2", heading) if heading else None,
        el("label", "SPARQL query", for_="query"),
        el("textarea", text, id="query", name="query", rows="16", cols="100", spellcheck="false"),
        el(
            "p",
            el("label", "Result format ", el("select", options, name="format")),
            " ",
            el("button", "Run query", type="submit"),
        ),
        action=_ENDPOINT,
        method="get",
        class_="query-form",
    )


def _examples(queries: list[NamedQuery]) -> Markup:
    items = []
    for query in queries:
        run = el(
            "form",
            el("input", type="hidden", name="query", value=query.text),
            el("button", "Run", type="submit"),
            action=_ENDPOINT,
            method="get",
            class_="inline",
        )
        network = el("span", " (needs the network)", class_="via") if query.needs_network else None
        items.append(
            el(
                "li",
                el(
                    "details",
                    el("summary", el("strong", query.title), network),
                    el("p", query.description),
                    el("pre", query.text),
                ),
                run,
                id=f"example-{query.name}",
            )
        )
    return el("section", el("h2", "Example queries"), el("ul", join(items), class_="examples"), id="examples")


def _fallback_page(queries: list[NamedQuery]) -> str:
    body = [
        el("h1", "ctgraph SPARQL endpoint"),
        el(
            "p",
            "Send a SPARQL query to ",
            el("code", _ENDPOINT),
            " with this form, or with any SPARQL client.",
        ),
        _query_form(queries[0] if queries else None),
        _examples(queries),
    ]
    return page("SPARQL endpoint", body)


def _yasgui_page(queries: list[NamedQuery], base_iri: str) -> str:
    config = {
        "endpoint": _ENDPOINT,
        "baseIri": base_iri,
        "queries": [
            {"name": q.name, "title": q.title, "description": q.description, "text": q.text} for q in queries
        ],
    }
    body = [
        el("h1", "ctgraph SPARQL endpoint"),
        el(
            "p",
            "The endpoint is ",
            el("code", _ENDPOINT),
            "; each example query has its own tab. ",
            "Resources link to their pages; the ontology is at ",
            el("a", "/ontology", href="/ontology"),
            ".",
        ),
        el("div", id="yasgui"),
        el("noscript", _query_form(queries[0] if queries else None), _examples(queries)),
        json_script(config, type_="application/json", id_="ctgraph-ui-config"),
        el("script", src="/static/yasgui/yasgui.min.js"),
        el("script", src="/static/ui.js"),
    ]
    return page(
        "SPARQL endpoint",
        body,
        head=[el("link", rel="stylesheet", href="/static/yasgui/yasgui.min.css")],
        body_class="ui",
    )


def _listing(folder: Path, names: tuple[str, ...] | None = None) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    files = {p.name: p for p in folder.iterdir() if p.is_file() and p.suffix in _MEDIA}
    return {n: p for n, p in files.items() if names is None or n in names}


def build_router(state: ServerState, *, yasgui_dir: Path | None | Literal["auto"] = "auto") -> APIRouter:
    """/ and the static files; ``yasgui_dir=None`` forces the plain form (as without the assets)."""
    assets = find_yasgui(state.layout.root) if yasgui_dir == "auto" else yasgui_dir
    queries = list(state.named_queries)
    index = (
        _yasgui_page(queries, str(state.settings.base_iri)) if assets is not None else _fallback_page(queries)
    )
    # Whitelists made once: a request names a file, never a path, so nothing outside these folders is served.
    yasgui_files = _listing(assets, YASGUI_FILES) if assets is not None else {}
    own_files = _listing(STATIC_DIR)
    router = APIRouter()

    @router.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    def home() -> Response:
        headers = {"Content-Security-Policy": _CSP, "X-Content-Type-Options": "nosniff"}
        return Response(index, media_type="text/html; charset=utf-8", headers=headers)

    def serve(files: dict[str, Path], name: str, request: Request) -> Response:
        path = files.get(name)
        if path is None:
            return error_response(request.headers.get("accept"), 404, "not-found", f"no static file {name!r}")
        return Response(
            path.read_bytes(),
            media_type=_MEDIA[path.suffix],
            headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
        )

    @router.api_route("/static/yasgui/{name}", methods=["GET", "HEAD"], include_in_schema=False)
    def yasgui_asset(name: str, request: Request) -> Response:
        return serve(yasgui_files, name, request)

    @router.api_route("/static/{name}", methods=["GET", "HEAD"], include_in_schema=False)
    def static_asset(name: str, request: Request) -> Response:
        return serve(own_files, name, request)

    return router
