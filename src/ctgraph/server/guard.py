"""Inspects a query before any engine sees it: refuses SERVICE, foreign FROM, file: IRIs and updates.

A query whose text cannot hold any of these (no ``service``, ``from``, ``file:`` or ``\\u`` escape in any
case) is passed without parsing: that is sound because each refused construct needs one of those character
sequences. Every other query is parsed with rdflib's SPARQL parser (4–50 ms with pyparsing) and the verdict is
cached by text.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import urljoin

from pyparsing import ParseBaseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef

from .http_errors import EndpointError, QueryRefused, ReadOnly, SparqlSyntaxError

__all__ = ["Inspection", "QueryGuard", "syntax_error_from_engine", "UNPARSED"]

_SUSPICIOUS = re.compile(r"service|from|file:|\\[uU]", re.IGNORECASE)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_ENGINE_POSITION = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)
_FORMS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}
_MESSAGE_LIMIT = 300


@dataclass(frozen=True)
class Inspection:
    """What the guard learned: the query form (None if unparsed), whether it names its dataset, a refusal."""

    form: str | None
    has_dataset: bool
    refusal: EndpointError | None = None


#: The verdict for a query the screen passes without parsing.
UNPARSED = Inspection(form=None, has_dataset=False)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 1] + "…"


def syntax_error_from_engine(message: str) -> SparqlSyntaxError:
    """Oxigraph's ``error at L:C: …`` as a SparqlSyntaxError naming line and column."""
    match = _ENGINE_POSITION.match(message.strip())
    if match:
        line, column, detail = match.groups()
        return SparqlSyntaxError(f"SPARQL syntax error at line {line}, column {column}: {_short(detail)}")
    return SparqlSyntaxError(f"SPARQL syntax error: {_short(message)}")


def _syntax_error(exc: ParseBaseException) -> SparqlSyntaxError:
    return SparqlSyntaxError(
        f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {_short(str(exc.msg))}"
    )


class _Resolver:
    """Resolves IRIs of one parsed query against its PREFIX and BASE declarations."""

    def __init__(self, prologue: object, base: str) -> None:
        self.prefixes: dict[str, str] = {}
        self.base = base
        self.declared: list[str] = []
        for decl in prologue if isinstance(prologue, list | ParseResults) else []:
            if not isinstance(decl, CompValue):
                continue
            if decl.name == "Base":
                self.base = urljoin(self.base, str(decl.iri))
                self.declared.append(self.base)
            elif decl.name == "PrefixDecl":
                iri = urljoin(self.base, str(decl.iri))
                self.prefixes[decl.prefix or ""] = iri
                self.declared.append(iri)

    def iri(self, term: object) -> str | None:
        """The absolute IRI of an IRI or prefixed-name term; None for a variable or an unknown prefix."""
        if isinstance(term, URIRef):
            return urljoin(self.base, str(term))
        if isinstance(term, CompValue) and term.name == "pname":
            namespace = self.prefixes.get(term.prefix or "")
            return None if namespace is None else namespace + (term.localname or "")
        return None


def _is_file(iri: str) -> bool:
    match = _SCHEME.match(iri)
    return bool(match) and match.group(1).lower() == "file"


class QueryGuard:
    """Decides, once per query text, whether a query may reach the engine."""

    def __init__(
        self,
        graph_names: frozenset[str],
        allow_service: tuple[str, ...],
        base_iri: str,
        cache_size: int = 4096,
    ) -> None:
        self.graph_names = graph_names
        self.allow_service = allow_service
        self.base_iri = base_iri
        self._cache: OrderedDict[str, Inspection] = OrderedDict()
        self._updates: OrderedDict[str, bool] = OrderedDict()
        self._cache_size = cache_size

    def screen(self, query: str) -> Inspection | None:
        """The verdict without parsing, if the text allows it or it is cached; None: call ``inspect``."""
        cached = self._cache.get(query)
        if cached is not None:
            return cached
        if _SUSPICIOUS.search(query) is None:
            return UNPARSED
        return None

    def inspect(self, query: str) -> Inspection:
        """Parse the query with rdflib and decide; the verdict is cached by text."""
        cached = self._cache.get(query)
        if cached is not None:
            return cached
        verdict = self._decide(query)
        self._cache[query] = verdict
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return verdict

    def is_update(self, text: str) -> bool:
        """True when the text parses as SPARQL Update (so a failed query gets 403, not 400)."""
        known = self._updates.get(text)
        if known is None:
            try:
                parseUpdate(text)
                known = True
            except (ParseBaseException, ValueError):
                known = False
            self._updates[text] = known
            if len(self._updates) > self._cache_size:
                self._updates.popitem(last=False)
        return known

    def _decide(self, query: str) -> Inspection:
        try:
            parsed = parseQuery(query)
        except ParseBaseException as exc:
            if self.is_update(query):
                return Inspection(None, False, _read_only())
            return Inspection(None, False, _syntax_error(exc))
        except ValueError as exc:  # an invalid \u escape
            return Inspection(None, False, SparqlSyntaxError(f"SPARQL syntax error: {_short(str(exc))}"))
        prologue, body = parsed[0], parsed[1]
        resolver = _Resolver(prologue, self.base_iri)
        form = _FORMS.get(body.name)
        refusal = self._check_prologue(resolver) or self._check_tree(body, resolver)
        has_dataset = bool(body.get("datasetClause"))
        return Inspection(form, has_dataset, refusal)

    def _check_prologue(self, resolver: _Resolver) -> EndpointError | None:
        for iri in resolver.declared:
            if _is_file(iri):
                return _file_refused(iri)
        return None

    def _check_tree(self, root: CompValue, resolver: _Resolver) -> EndpointError | None:
        stack: list[object] = [root]
        while stack:
            node = stack.pop()
            if isinstance(node, CompValue):
                refusal = self._check_node(node, resolver)
                if refusal is not None:
                    return refusal
                stack.extend(node.values())
            elif isinstance(node, list | tuple | ParseResults):
                stack.extend(node)
            elif isinstance(node, URIRef):
                iri = resolver.iri(node)
                if iri and _is_file(iri):
                    return _file_refused(iri)
        return None

    def _check_node(self, node: CompValue, resolver: _Resolver) -> EndpointError | None:
        if node.name == "pname":
            iri = resolver.iri(node)
            if iri and _is_file(iri):
                return _file_refused(iri)
        elif node.name == "ServiceGraphPattern":
            iri = resolver.iri(node.term)
            if iri is None:
                return QueryRefused(
                    "SERVICE with a variable or undeclared endpoint is refused: this endpoint makes no "
                    "outbound requests",
                    hint="query the other endpoint directly",
                )
            if not any(iri.startswith(prefix) for prefix in self.allow_service):
                return QueryRefused(
                    f"SERVICE <{iri}> is refused: this endpoint makes no outbound requests",
                    hint="query that endpoint directly; an operator can allow it with --allow-service PREFIX",
                )
        elif node.name == "DatasetClause":
            term = node.get("default") if node.get("default") is not None else node.get("named")
            iri = resolver.iri(term)
            keyword = "FROM" if node.get("default") is not None else "FROM NAMED"
            if iri is None or iri not in self.graph_names:
                return QueryRefused(
                    f"{keyword} <{iri or term}> is refused: it names no graph in this store, and this "
                    "endpoint never fetches graphs",
                    hint="GET /sparql lists the store's named graphs",
                )
        return None


def _file_refused(iri: str) -> QueryRefused:
    return QueryRefused(
        f"file: IRIs are refused ({_short(iri)}): queries cannot read files on the server",
        hint="query the graph's own IRIs; GET /sparql describes the dataset",
    )


def _read_only() -> ReadOnly:
    return ReadOnly(
        "SPARQL Update is refused: this endpoint is read-only",
        hint="authenticated updates belong to the curation workflow; edit the Turtle files in data/",
    )
