"""The app factory: /sparql and /health, the page routers, CORS and the error handlers, each mounted once."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from .. import __version__
from .http_errors import error_response, install_error_handlers
from .protocol import SparqlEndpoint
from .settings import Settings
from .state import ServerState, build_state

__all__ = ["create_app", "CtgraphApp", "PAGE_ROUTERS"]

#: The page modules, in mounting order; linked_data is last because it has catch-all paths.
PAGE_ROUTERS = ("ui", "dataset_description", "downloads", "linked_data")
_EXPOSED_HEADERS = ["X-Ctgraph-Truncated", "X-Ctgraph-Max-Rows", "Retry-After"]


def _page_module(name: str) -> ModuleType | None:
    """Import a page module; None only if that module itself does not exist (an error inside it surfaces)."""
    qualified = f"{__package__}.{name}"
    try:
        return importlib.import_module(qualified)
    except ModuleNotFoundError as exc:
        if exc.name == qualified:
            return None
        raise


class _ErrorBoundary:
    """Turns an exception from /sparql into the same error response the app's handlers give."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except Exception as exc:  # noqa: BLE001 - every failure is mapped to a response, unknown ones logged
            accept = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"accept"), "")
            await error_response(exc, accept)(scope, receive, send)


class CtgraphApp(FastAPI):
    """FastAPI with a short path for /sparql: CORS, error mapping and the endpoint, skipping the router."""

    sparql: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.sparql is not None and scope["type"] == "http" and scope["path"] == "/sparql":
            scope["app"] = self
            await self.sparql(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def create_app(settings: Settings, state: ServerState | None = None) -> FastAPI:
    """Build the app for one server process; the query workers start with the app's lifespan."""
    state = state if state is not None else build_state(settings)
    endpoint = SparqlEndpoint(state)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await state.engine.start()
        try:
            yield
        finally:
            await state.engine.close()
            endpoint.close()

    app = CtgraphApp(
        title="ctgraph",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.ctg = state
    cors = {
        "allow_origins": list(settings.cors_origins),
        "allow_credentials": False,
        "allow_methods": ["GET", "HEAD", "POST", "OPTIONS"],
        "allow_headers": ["*"],
        "expose_headers": _EXPOSED_HEADERS,
        "max_age": 86400,
    }
    # /sparql is a plain ASGI app behind its own CORS and error mapping, the same as the app's below, so the
    # hot path skips FastAPI's router and middleware stack (measured: about a third of a cached answer's
    # time). The route is also in the router (where the app's own CORS applies) for anything that dispatches
    # by route.
    bounded = _ErrorBoundary(endpoint)
    app.sparql = CORSMiddleware(bounded, **cors)
    app.router.add_route("/sparql", bounded, include_in_schema=False)

    @app.get("/health", include_in_schema=False)
    async def health() -> JSONResponse:
        engine = state.engine
        stats = engine.stats
        body = {
            "status": "ok" if engine.ready else "starting",
            "triples": state.triple_count,
            "graphs": len(state.graph_names),
            "workers": {"size": engine.size, "ready": engine.ready, "running": engine.running},
            "queries": stats.queries,
            "timeouts": stats.timeouts,
            "rejected": stats.rejected,
            "crashes": stats.crashes,
            "respawns": stats.respawns,
            "stop_seconds": [round(s, 3) for s in stats.stop_seconds[-10:]],
            "cache_hits": endpoint.cache.hits,
        }
        return JSONResponse(body, status_code=200 if engine.ready else 503)

    for name in PAGE_ROUTERS:
        module = _page_module(name)
        if module is not None:
            app.include_router(module.build_router(state))

    app.add_middleware(CORSMiddleware, **cors)
    install_error_handlers(app)
    return app
