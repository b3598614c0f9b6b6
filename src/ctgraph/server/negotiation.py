"""Content negotiation: the result formats offered, chosen by ``Accept`` with q-values or by ``format=``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "Offer",
    "TABULAR",
    "GRAPH",
    "SERVICE_DESCRIPTION",
    "FORMAT_NAMES",
    "parse_accept",
    "choose",
    "choose_by_name",
    "ResultChoice",
    "negotiate_results",
    "media_types",
]


@dataclass(frozen=True)
class Offer:
    """One representation: the media type sent, the engine's format name, and its W3C format IRI."""

    media_type: str
    engine_format: str
    format_iri: str


_F = "http://www.w3.org/ns/formats/"

#: SELECT and ASK results, the default first. Aliases (application/json, application/xml) answer with their
#: own type.
TABULAR: tuple[Offer, ...] = (
    Offer("application/sparql-results+json", "json", _F + "SPARQL_Results_JSON"),
    Offer("application/sparql-results+xml", "xml", _F + "SPARQL_Results_XML"),
    Offer("text/csv", "csv", _F + "SPARQL_Results_CSV"),
    Offer("text/tab-separated-values", "tsv", _F + "SPARQL_Results_TSV"),
    Offer("application/json", "json", _F + "SPARQL_Results_JSON"),
    Offer("application/xml", "xml", _F + "SPARQL_Results_XML"),
    Offer("text/xml", "xml", _F + "SPARQL_Results_XML"),
)

#: CONSTRUCT and DESCRIBE results (and the service description), the default first.
GRAPH: tuple[Offer, ...] = (
    Offer("text/turtle", "turtle", _F + "Turtle"),
    Offer("application/n-triples", "ntriples", _F + "N-Triples"),
    Offer("application/ld+json", "jsonld", _F + "JSON-LD"),
    Offer("application/rdf+xml", "rdfxml", _F + "RDF_XML"),
    Offer("application/trig", "trig", _F + "TriG"),
    Offer("application/n-quads", "nquads", _F + "N-Quads"),
    Offer("text/plain", "ntriples", _F + "N-Triples"),
    Offer("application/json", "jsonld", _F + "JSON-LD"),
    Offer("application/xml", "rdfxml", _F + "RDF_XML"),
)

#: What a GET without a query may get: the service description in RDF (triple formats), or a redirect to the
#: UI.
SERVICE_DESCRIPTION: tuple[Offer, ...] = GRAPH[:4] + (
    GRAPH[6],
    GRAPH[7],
    GRAPH[8],
    Offer("text/html", "html", ""),
)

#: ``format=`` short names, per result kind.
FORMAT_NAMES: dict[str, tuple[str | None, str | None]] = {
    # name: (tabular media type, graph media type)
    "json": ("application/sparql-results+json", "application/ld+json"),
    "srj": ("application/sparql-results+json", None),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "srx": ("application/sparql-results+xml", None),
    "csv": ("text/csv", None),
    "tsv": ("text/tab-separated-values", None),
    "turtle": (None, "text/turtle"),
    "ttl": (None, "text/turtle"),
    "nt": (None, "application/n-triples"),
    "ntriples": (None, "application/n-triples"),
    "n-triples": (None, "application/n-triples"),
    "jsonld": (None, "application/ld+json"),
    "json-ld": (None, "application/ld+json"),
    "rdfxml": (None, "application/rdf+xml"),
    "rdf": (None, "application/rdf+xml"),
    "trig": (None, "application/trig"),
    "nq": (None, "application/n-quads"),
    "nquads": (None, "application/n-quads"),
    "n-quads": (None, "application/n-quads"),
}


@lru_cache(maxsize=256)
def parse_accept(header: str) -> tuple[tuple[str, str, float, int, tuple[tuple[str, str], ...]], ...]:
    """Parse an Accept header into (type, subtype, q, position, params) ranges, skipping malformed ones."""
    ranges = []
    for position, item in enumerate(header.split(",")):
        parts = [p.strip() for p in item.split(";")]
        if not parts[0] or "/" not in parts[0]:
            continue
        main, _, sub = parts[0].lower().partition("/")
        q = 1.0
        params = []
        for param in parts[1:]:
            key, _, value = param.partition("=")
            key = key.strip().lower()
            value = value.strip().strip('"')
            if key == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
            elif key:
                params.append((key, value))
        ranges.append((main, sub, q, position, tuple(params)))
    return tuple(ranges)


def _quality(
    ranges: tuple[tuple[str, str, float, int, tuple[tuple[str, str], ...]], ...], media_type: str
) -> tuple[float, int, int]:
    """(q, specificity, -position) of the most specific range matching a media type; q 0 when none does."""
    main, _, sub = media_type.partition("/")
    best: tuple[float, int, int] | None = None
    for r_main, r_sub, q, position, _params in ranges:
        if r_main == main and r_sub == sub:
            specificity = 2
        elif r_main == main and r_sub == "*":
            specificity = 1
        elif r_main == "*" and r_sub == "*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[1]:
            best = (q, specificity, -position)
    return best or (0.0, -1, 0)


def choose(accept: str, offers: tuple[Offer, ...]) -> Offer | None:
    """The offer the client prefers: highest q, most specific match, the client's order, then ours."""
    if not accept.strip():
        return offers[0]
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0]
    best: Offer | None = None
    best_key: tuple[float, int, int, int] | None = None
    for index, offer in enumerate(offers):
        q, specificity, position = _quality(ranges, offer.media_type)
        if q <= 0:
            continue
        # An exact match is ordered by the client's list; wildcard matches fall back to our order.
        key = (q, specificity, position if specificity == 2 else 0, -index)
        if best_key is None or key > best_key:
            best, best_key = offer, key
    return best


def choose_by_name(name: str, offers: tuple[Offer, ...], kind: int) -> Offer | None:
    """The offer a ``format=`` value names: a short name (``json``, ``ttl``…) or a media type."""
    name = name.strip().lower()
    media_type = FORMAT_NAMES.get(name, (None, None))[kind] if "/" not in name else name
    return next((offer for offer in offers if offer.media_type == media_type), None)


@dataclass(frozen=True)
class ResultChoice:
    """The negotiated representation for each kind of result; None where nothing acceptable exists."""

    tabular: Offer | None
    graph: Offer | None


@lru_cache(maxsize=512)
def negotiate_results(accept: str, format_name: str | None) -> ResultChoice:
    """Choose the SELECT/ASK and the CONSTRUCT/DESCRIBE representation of a request (cached by inputs)."""
    if format_name:
        return ResultChoice(choose_by_name(format_name, TABULAR, 0), choose_by_name(format_name, GRAPH, 1))
    return ResultChoice(choose(accept, TABULAR), choose(accept, GRAPH))


def media_types(offers: tuple[Offer, ...]) -> list[str]:
    """The distinct media types of some offers, in order."""
    return list(dict.fromkeys(offer.media_type for offer in offers))
