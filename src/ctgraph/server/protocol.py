"""The SPARQL 1.1 Protocol at /sparql, as a plain ASGI app: the request path is short because it is hot.

Order of work for a query: read and check the request (method, media type, size, encoding), screen the query
with the guard (refusals never reach the engine), negotiate the format, answer from the result cache or a
worker.
"""

from __future__ import annotations

import asyncio
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl

from .engine import (
    EngineBusy,
    EngineCrashed,
    EngineEvaluationError,
    EngineSyntaxError,
    EngineTimeout,
    Job,
    NoAcceptableFormat,
    Outcome,
)
from .guard import Inspection, syntax_error_from_engine
from .http_errors import (
    BadRequest,
    EngineFailure,
    MethodNotAllowed,
    NotAcceptable,
    Overloaded,
    PayloadTooLarge,
    QueryEvaluationError,
    QueryRefused,
    QueryTimeout,
    ReadOnly,
    UnsupportedMediaType,
)
from .negotiation import GRAPH, SERVICE_DESCRIPTION, TABULAR, Offer, choose, media_types, negotiate_results
from .service_description import ServiceDescriptions
from .state import ServerState

__all__ = ["SparqlEndpoint", "ResultCache", "ProtocolRequest"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

_FORM = "application/x-www-form-urlencoded"
_DIRECT = "application/sparql-query"
_UPDATE = "application/sparql-update"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Results of these functions differ per evaluation, so such queries are never answered from the cache.
_VOLATILE = re.compile(r"\b(?:now|rand|uuid|struuid|bnode)\s*\(", re.IGNORECASE)
_ALLOW = "GET, HEAD, POST, OPTIONS"
_EXPOSED = [(b"vary", b"Accept")]


@dataclass
class ProtocolRequest:
    """The protocol parameters of one request."""

    method: str
    accept: str = ""
    query: str | None = None
    update: str | None = None
    format: str | None = None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    dataset_given: bool = False


class ResultCache:
    """Serialized results of identical requests, least recently used dropped first; bounded in size."""

    def __init__(self, entries: int, max_bytes: int = 64 << 20, max_entry_bytes: int = 2 << 20) -> None:
        self.entries = entries
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_entry_bytes
        self.bytes = 0
        self.hits = 0
        self._items: OrderedDict[tuple[Any, ...], tuple[bytes, bytes, bool]] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> tuple[bytes, bytes, bool] | None:
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
            self.hits += 1
        return item

    def put(self, key: tuple[Any, ...], item: tuple[bytes, bytes, bool]) -> None:
        size = len(item[0])
        if self.entries == 0 or size > self.max_entry_bytes or key in self._items:
            return
        self._items[key] = item
        self.bytes += size
        while len(self._items) > self.entries or self.bytes > self.max_bytes:
            _, (body, _, _) = self._items.popitem(last=False)
            self.bytes -= len(body)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return ""


def _media_type(content_type: str) -> tuple[str, dict[str, str]]:
    main, *params = content_type.split(";")
    parsed = {}
    for param in params:
        key, _, value = param.partition("=")
        parsed[key.strip().lower()] = value.strip().strip('"').lower()
    return main.strip().lower(), parsed


@lru_cache(maxsize=1024)
def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    """Decoded parameters of a query string or form body (cached: clients repeat the same requests)."""
    return tuple(parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict"))


def _parse_params(text: str, request: ProtocolRequest, *, where: str) -> None:
    try:
        pairs = _pairs(text)
    except UnicodeDecodeError:
        raise BadRequest(f"the {where} parameters are not percent-encoded UTF-8") from None
    for key, value in pairs:
        if key == "query":
            if request.query is not None:
                raise BadRequest(
                    "the request has more than one query", hint="send exactly one 'query' parameter"
                )
            request.query = value
        elif key == "update":
            if request.update is not None:
                raise BadRequest("the request has more than one update")
            request.update = value
        elif key == "default-graph-uri":
            request.default_graphs.append(value)
            request.dataset_given = True
        elif key == "named-graph-uri":
            request.named_graphs.append(value)
            request.dataset_given = True
        elif key == "format":
            request.format = value
        elif key == "context":
            raise QueryRefused(
                "remote JSON-LD contexts are refused: this endpoint fetches nothing",
                hint="drop the 'context' parameter; compact the JSON-LD on the client",
            )


def _offers_message(offers: tuple[Offer, ...], what: str) -> NotAcceptable:
    types = ", ".join(media_types(offers))
    return NotAcceptable(
        f"no acceptable format for {what}; this endpoint offers: {types}",
        hint="send one of them in Accept, or a format= parameter",
    )


class SparqlEndpoint:
    """The ASGI app mounted at /sparql."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.settings = state.settings
        self.guard = state.guard
        self.engine = state.engine
        self.cache = ResultCache(state.settings.result_cache_size)
        self.descriptions = ServiceDescriptions(
            state.kg.dataset, state.triple_count, list(state.settings.allow_service)
        )
        # rdflib's pyparsing parser is pure Python: one thread keeps it off the event loop, one at a time.
        self._parser = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sparql-parse")
        self._truncated = [
            (b"x-ctgraph-truncated", b"true"),
            (b"x-ctgraph-max-rows", str(state.settings.max_rows).encode()),
        ]

    def close(self) -> None:
        """Stop the parser thread."""
        self._parser.shutdown(wait=False, cancel_futures=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] == "OPTIONS":  # not a CORS preflight (CORS answers those before this app)
            headers = [(b"allow", _ALLOW.encode()), (b"content-length", b"0")]
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        request = await self._read_request(scope, receive)
        if request.update is not None:
            raise ReadOnly(
                "SPARQL Update is refused: this endpoint is read-only",
                hint="authenticated updates belong to the curation workflow; edit the files in data/",
            )
        if request.query is None:
            if request.method == "POST":
                raise BadRequest("the POST has no query", hint="send query=… or a body of type " + _DIRECT)
            await self._describe(scope, send, request)
            return
        body, media_type, truncated = await self._answer(request)
        headers = [(b"content-type", media_type), (b"content-length", str(len(body)).encode()), *_EXPOSED]
        if truncated:
            headers.extend(self._truncated)
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if request.method == "HEAD" else body})

    async def _read_request(self, scope: Scope, receive: Receive) -> ProtocolRequest:
        method = scope["method"]
        if method not in ("GET", "HEAD", "POST"):
            raise MethodNotAllowed(
                f"{method} is not a SPARQL protocol operation at /sparql",
                hint="query with GET or POST",
                headers={"Allow": _ALLOW},
            )
        request = ProtocolRequest(method=method, accept=_header(scope, b"accept"))
        if scope["query_string"]:
            _parse_params(scope["query_string"].decode("latin-1"), request, where="URL")
        if method == "POST":
            await self._read_body(scope, receive, request)
        if _header(scope, b"link") and "json-ld#context" in _header(scope, b"link"):
            raise QueryRefused(
                "remote JSON-LD contexts are refused: this endpoint fetches nothing",
                hint="drop the Link header; compact the JSON-LD on the client",
            )
        if request.query is not None:
            if request.update is not None:
                raise BadRequest("the request has both a query and an update", hint="send one operation")
            if len(request.query) > self.settings.max_query_length:
                raise PayloadTooLarge(
                    f"the query is {len(request.query)} characters; this endpoint accepts at most "
                    f"{self.settings.max_query_length}",
                    hint="shorten the query (limit: --max-query-length)",
                )
        for iri in request.default_graphs + request.named_graphs:
            if not _SCHEME.match(iri):
                raise BadRequest(
                    f"graph IRI {iri!r} is not an absolute IRI",
                    hint="default-graph-uri and named-graph-uri take absolute IRIs",
                )
            if iri[:5].lower() == "file:":
                raise QueryRefused(f"file: IRIs are refused ({iri}): queries cannot read files on the server")
        return request

    async def _read_body(self, scope: Scope, receive: Receive, request: ProtocolRequest) -> None:
        limit = self.settings.max_body_bytes
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge(
                f"the request body is {declared} bytes; this endpoint accepts at most {limit}",
                hint="send a shorter query (limit: --max-body-bytes)",
            )
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise BadRequest("the client went away before sending the whole body")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(
                    f"the request body is over {limit} bytes, the most this endpoint accepts",
                    hint="send a shorter query (limit: --max-body-bytes)",
                )
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        media_type, params = _media_type(_header(scope, b"content-type"))
        charset = params.get("charset", "utf-8")
        if media_type in (_DIRECT, _UPDATE, _FORM) and charset not in ("utf-8", "utf8"):
            raise UnsupportedMediaType(
                f"charset {charset} is not supported; the SPARQL protocol uses UTF-8",
                hint="send the body as UTF-8",
            )
        if media_type == _FORM:
            _parse_params(body.decode("latin-1"), request, where="form")
        elif media_type in (_DIRECT, _UPDATE):
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise BadRequest(
                    "the request body is not valid UTF-8", hint="send the query as UTF-8"
                ) from None
            if media_type == _UPDATE:
                request.update = text
            elif request.query is not None:
                raise BadRequest("the request has more than one query (in the URL and in the body)")
            else:
                request.query = text
        else:
            shown = media_type or "none"
            raise UnsupportedMediaType(
                f"a POST body of type {shown} is not a SPARQL request",
                hint=f"use Content-Type {_FORM} (query=…) or {_DIRECT} (the query as the body)",
            )

    async def _inspect(self, query: str) -> Inspection:
        verdict = self.guard.screen(query)
        if verdict is None:
            verdict = await asyncio.get_running_loop().run_in_executor(
                self._parser, self.guard.inspect, query
            )
        if verdict.refusal is not None:
            refusal = verdict.refusal
            raise type(refusal)(refusal.message, hint=refusal.hint, headers=refusal.headers)
        return verdict

    async def _answer(self, request: ProtocolRequest) -> tuple[bytes, bytes, bool]:
        query = request.query
        assert query is not None
        inspection = await self._inspect(query)
        choice = negotiate_results(request.accept, request.format)
        if inspection.form in ("SELECT", "ASK") and choice.tabular is None:
            raise _offers_message(TABULAR, f"{inspection.form} results")
        if inspection.form in ("CONSTRUCT", "DESCRIBE") and choice.graph is None:
            raise _offers_message(GRAPH, f"{inspection.form} results")
        if choice.tabular is None and choice.graph is None:
            raise _offers_message(TABULAR + GRAPH, "query results")
        default = named = None
        if request.dataset_given:
            default, named = tuple(request.default_graphs), tuple(request.named_graphs)
        key = (query, default, named, choice.tabular, choice.graph)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        job = Job(
            query=query,
            tabular_format=choice.tabular.engine_format if choice.tabular else None,
            graph_format=choice.graph.engine_format if choice.graph else None,
            union_default=not inspection.has_dataset,
            default_graphs=default,
            named_graphs=named,
        )
        outcome = await self._run(job)
        offer = choice.tabular if outcome.kind == "tabular" else choice.graph
        assert offer is not None
        media_type = offer.media_type + ("; charset=utf-8" if offer.media_type.startswith("text/") else "")
        answer = (outcome.body, media_type.encode(), outcome.truncated)
        if _VOLATILE.search(query) is None:
            self.cache.put(key, answer)
        return answer

    async def _run(self, job: Job) -> Outcome:
        try:
            return await self.engine.run(job)
        except EngineTimeout as exc:
            raise QueryTimeout(
                str(exc),
                hint="narrow the query, add a LIMIT, or ask the operator for a longer --query-timeout",
            ) from None
        except EngineBusy as exc:
            raise Overloaded(str(exc), hint="retry shortly", headers={"Retry-After": "1"}) from None
        except EngineSyntaxError as exc:
            loop = asyncio.get_running_loop()
            if await loop.run_in_executor(self._parser, self.guard.is_update, job.query):
                raise ReadOnly(
                    "SPARQL Update is refused: this endpoint is read-only",
                    hint="authenticated updates belong to the curation workflow",
                ) from None
            raise syntax_error_from_engine(str(exc)) from None
        except NoAcceptableFormat as exc:
            offers = TABULAR if exc.args[0] == "tabular" else GRAPH
            raise _offers_message(offers, "this query's results") from None
        except EngineEvaluationError as exc:
            raise QueryEvaluationError(f"the query could not be evaluated: {exc}") from None
        except EngineCrashed as exc:
            raise EngineFailure(f"the query engine failed: {exc}") from None

    async def _describe(self, scope: Scope, send: Send, request: ProtocolRequest) -> None:
        """The service description in RDF, or a redirect to the HTML UI for browsers."""
        if request.format:
            chosen = negotiate_results("", request.format).graph
            offer = chosen if chosen in SERVICE_DESCRIPTION else None
        else:
            offer = choose(request.accept, SERVICE_DESCRIPTION)
        if offer is None:
            raise _offers_message(SERVICE_DESCRIPTION[:-1], "the service description")
        if offer.engine_format == "html":
            await send(
                {
                    "type": "http.response.start",
                    "status": 303,
                    "headers": [(b"location", b"/"), (b"content-length", b"0"), *_EXPOSED],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        scheme = scope.get("scheme", "http")
        host = _header(scope, b"host") or "localhost"
        endpoint = f"{scheme}://{host}{scope.get('root_path', '')}/sparql"
        body = self.descriptions.render(endpoint, offer.engine_format)
        media_type = offer.media_type + ("; charset=utf-8" if offer.media_type.startswith("text/") else "")
        headers = [
            (b"content-type", media_type.encode()),
            (b"content-length", str(len(body)).encode()),
            *_EXPOSED,
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if request.method == "HEAD" else body})
