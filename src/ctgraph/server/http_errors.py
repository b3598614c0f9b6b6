"""HTTP errors, mapped in one place to a stable body: JSON ``{"error", "message"}`` or plain text.

CtgraphError (ctgraph.errors)
├── GraphNotConforming       the data fails SHACL validation, so ``serve`` refuses to start (exit 1)
└── EndpointError            an HTTP error with a status and a stable code
    ├── BadRequest           400 malformed request (two queries, bad encoding, bad parameter)
    ├── QueryRefused         400 the query would reach outside the store (SERVICE, FROM, file:, …)
    ├── SparqlSyntaxError    400 the query does not parse; the message gives line and column
    ├── QueryEvaluationError 400 the engine could not evaluate the query (an unknown function, …)
    ├── ReadOnly             403 SPARQL Update on this read-only endpoint
    ├── NotFound             404
    ├── MethodNotAllowed     405 (``Allow`` header)
    ├── NotAcceptable        406 no supported result type matches ``Accept``/``format``
    ├── PayloadTooLarge      413 body or query over the configured limit
    ├── UnsupportedMediaType 415 a POST body type the protocol does not define
    ├── EngineFailure        500 the query engine failed (the worker is replaced)
    ├── QueryTimeout         503 the query ran past the time limit and was stopped
    └── Overloaded           503 too many concurrent queries (``Retry-After``)
"""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from ..errors import CtgraphError

__all__ = [
    "GraphNotConforming",
    "EndpointError",
    "BadRequest",
    "QueryRefused",
    "SparqlSyntaxError",
    "QueryEvaluationError",
    "ReadOnly",
    "NotFound",
    "MethodNotAllowed",
    "NotAcceptable",
    "PayloadTooLarge",
    "UnsupportedMediaType",
    "EngineFailure",
    "QueryTimeout",
    "Overloaded",
    "wants_text",
    "error_body",
    "error_response",
    "install_error_handlers",
]

_log = logging.getLogger(__name__)


class GraphNotConforming(CtgraphError):
    """The graph does not conform to its SHACL shapes; the server will not serve it."""

    exit_code = 1
    code = "graph-not-conforming"


class EndpointError(CtgraphError):
    """An error answered over HTTP with ``status`` and a stable ``code``."""

    status = 400
    code = "bad-request"

    def __init__(
        self, message: str, *, hint: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        self.headers = headers or {}
        super().__init__(message, hint=hint)


class BadRequest(EndpointError):
    """The request breaks the SPARQL protocol."""


class QueryRefused(EndpointError):
    """The query would make the server fetch, call out or read files; it never reaches the engine."""

    code = "query-refused"


class SparqlSyntaxError(EndpointError):
    """The query text does not parse."""

    code = "query-syntax-error"


class QueryEvaluationError(EndpointError):
    """The query parses but the engine cannot evaluate it."""

    code = "query-evaluation-error"


class ReadOnly(EndpointError):
    """An update on the read-only endpoint."""

    status = 403
    code = "read-only"


class NotFound(EndpointError):
    """No resource at this path."""

    status = 404
    code = "not-found"


class MethodNotAllowed(EndpointError):
    """An HTTP method the resource does not accept."""

    status = 405
    code = "method-not-allowed"


class NotAcceptable(EndpointError):
    """No representation matches what the client accepts."""

    status = 406
    code = "not-acceptable"


class PayloadTooLarge(EndpointError):
    """The body or the query text is over its limit."""

    status = 413
    code = "too-large"


class UnsupportedMediaType(EndpointError):
    """A POST body whose media type the protocol does not define."""

    status = 415
    code = "unsupported-media-type"


class EngineFailure(EndpointError):
    """The query engine failed while evaluating."""

    status = 500
    code = "engine-failure"


class QueryTimeout(EndpointError):
    """The query ran past the time limit and its worker was stopped."""

    status = 503
    code = "query-timeout"


class Overloaded(EndpointError):
    """More concurrent queries than the server admits."""

    status = 503
    code = "overloaded"


def wants_text(accept: str) -> bool:
    """True when the client's first choice is a text type other than HTML (curl -H 'Accept: text/csv' …)."""
    first = accept.split(",", 1)[0].split(";", 1)[0].strip().lower()
    return first.startswith("text/") and first != "text/html"


def error_body(code: str, message: str, *, text: bool) -> tuple[bytes, str]:
    """The body and media type of an error, JSON unless the client is a text client."""
    if text:
        return f"{code}: {message}\n".encode(), "text/plain; charset=utf-8"
    return json.dumps({"error": code, "message": message}).encode(), "application/json"


def error_response(exc: Exception, accept: str) -> Response:
    """The response for any exception: its status and code if it is ours, a bare 500 otherwise."""
    headers: dict[str, str] | None = None
    if isinstance(exc, EndpointError):
        status, code, message, headers = exc.status, exc.code, str(exc), exc.headers
    elif isinstance(exc, CtgraphError):
        status, code, message = 400, exc.code, str(exc)
    elif isinstance(exc, StarletteHTTPException):
        codes = {404: "not-found", 405: "method-not-allowed", 406: "not-acceptable", 413: "too-large"}
        status, code, message = exc.status_code, codes.get(exc.status_code, "http-error"), str(exc.detail)
        headers = dict(exc.headers or {})
    elif isinstance(exc, RequestValidationError):
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors()
        )
        status, code, message = 400, "bad-request", f"invalid request parameters: {problems}"
    else:
        # An unknown failure: the operator gets the traceback in the log, the client only the fact.
        _log.error("unhandled error while answering a request", exc_info=exc)
        status, code, message = (
            500,
            "internal-error",
            "the server failed to answer this request; it is logged",
        )
    body, media_type = error_body(code, message, text=wants_text(accept))
    return Response(body, status_code=status, media_type=media_type, headers=headers)


async def _handle(request: Request, exc: Exception) -> Response:
    return error_response(exc, request.headers.get("accept", ""))


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every exception into the stable error body."""
    for kind in (EndpointError, CtgraphError, StarletteHTTPException, RequestValidationError, Exception):
        app.add_exception_handler(kind, _handle)
