"""Small HTML building blocks that escape by default, so untrusted data can never become markup.

Also the two helpers every page route needs beside them: choosing a media type by Accept, and an error
answered as a page, JSON or text, whichever the client asked for.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from fastapi import Response

from .negotiation import Offer, choose

__all__ = [
    "Markup",
    "escape",
    "el",
    "join",
    "safe_href",
    "json_script",
    "page",
    "negotiate",
    "error_response",
]

_VOID_ELEMENTS = frozenset({"br", "hr", "img", "input", "link", "meta"})
#: Schemes a link built from data may use; anything else (javascript:, data:, ...) is shown as text.
_SAFE_SCHEMES = frozenset({"http", "https", "mailto", "urn"})


class Markup(str):
    """A string that is already safe HTML; everything else is escaped when inserted."""

    __slots__ = ()

    def __add__(self, other: str) -> Markup:  # type: ignore[override]
        return Markup(str.__add__(self, escape(other)))

    def __radd__(self, other: str) -> Markup:
        return Markup(str.__add__(escape(other), self))


def escape(value: object) -> Markup:
    """Escape a value for text or attribute content, leaving Markup as it is."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(str(value), quote=True))


def join(items: Iterable[object], separator: str = "") -> Markup:
    """Concatenate escaped items, with an escaped separator."""
    return Markup(escape(separator).join(escape(item) for item in items))


def _attribute_name(name: str) -> str:
    # Python keywords and dashes cannot be keyword arguments: class_ -> class, data_tab -> data-tab.
    return name.rstrip("_").replace("_", "-")


def el(tag: str, *children: object, **attributes: object) -> Markup:
    """One element; children and attribute values are escaped, None and False attributes are left out."""
    parts = [f"<{tag}"]
    for name, value in attributes.items():
        if value is None or value is False:
            continue
        if value is True:
            parts.append(f" {_attribute_name(name)}")
        else:
            parts.append(f' {_attribute_name(name)}="{escape(value)}"')
    parts.append(">")
    if tag in _VOID_ELEMENTS:
        return Markup("".join(parts))
    parts.extend(escape(child) for child in children if child is not None)
    parts.append(f"</{tag}>")
    return Markup("".join(parts))


def safe_href(url: str) -> str | None:
    """The URL if it is root-relative, a fragment or uses a harmless scheme; None otherwise."""
    if url.startswith(("/", "#")) and not url.startswith("//"):
        return url
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in _SAFE_SCHEMES else None


def json_script(data: object, *, type_: str = "application/ld+json", id_: str | None = None) -> Markup:
    """A <script> data block; <, > and & are written as JSON escapes so the text cannot close the element."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    id_attribute = f' id="{escape(id_)}"' if id_ else ""
    return Markup(f'<script type="{escape(type_)}"{id_attribute}>\n{text}\n</script>')


_NAV = (("/", "Query"), ("/ontology", "Ontology"), ("/void", "Dataset"), ("/download/", "Downloads"))


def page(
    title: str, body: Iterable[object], *, head: Iterable[object] = (), body_class: str | None = None
) -> str:
    """A whole HTML document with the site's stylesheet and navigation around the given body."""
    nav = el("nav", join(el("a", label, href=href) for href, label in _NAV), class_="site")
    return Markup("<!DOCTYPE html>\n") + el(
        "html",
        el(
            "head",
            el("meta", charset="utf-8"),
            el("meta", name="viewport", content="width=device-width, initial-scale=1"),
            el("title", f"{title} · ctgraph"),
            el("link", rel="stylesheet", href="/static/ctgraph.css"),
            el("link", rel="icon", href="data:,"),  # no /favicon.ico request, so no 404 in every console
            join(head),
        ),
        el(
            "body",
            el("header", el("a", "ctgraph", href="/", class_="brand"), nav),
            el("main", join(body)),
            class_=body_class,
        ),
        lang="en",
    )


def negotiate(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offered media type Accept prefers, by the endpoint's own rules (q, specificity, order)."""
    chosen = choose(accept or "", tuple(Offer(media, "", "") for media in offers))
    return chosen.media_type if chosen is not None else None


def error_response(
    accept: str | None, status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    """An error as JSON ``{"error", "message"}`` by default, or as a page or text if the client prefers."""
    chosen = negotiate(accept, ("application/json", "text/html", "text/plain")) or "application/json"
    if chosen == "text/html":
        body = page(
            message, [el("h1", f"{status}: {code.replace('-', ' ')}"), el("p", message, class_="error")]
        )
        return Response(body, status_code=status, media_type="text/html; charset=utf-8", headers=headers)
    if chosen == "text/plain":
        return Response(
            f"{code}: {message}\n",
            status_code=status,
            media_type="text/plain; charset=utf-8",
            headers=headers,
        )
    return Response(
        json.dumps({"error": code, "message": message}, ensure_ascii=False),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )
