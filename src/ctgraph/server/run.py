"""``ctgraph serve``: validate the data, then serve it with uvicorn (or ``python -m ctgraph.server.run``)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

import uvicorn
from fastapi import FastAPI

from ..errors import CtgraphError
from ..paths import Layout, resolve_layout
from .app import create_app
from .http_errors import GraphNotConforming
from .settings import Settings, add_serve_arguments, settings_from_args

__all__ = ["run_serve", "check_conforms", "app_from_environment", "main"]

_log = logging.getLogger(__name__)


def check_conforms(layout: Layout) -> None:
    """Raise GraphNotConforming unless the data conforms to the shapes."""
    try:
        from ..validate import validate_layout
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__.rsplit('.', 1)[0]}.validate":
            raise
        _log.warning("not validating: ctgraph.validate is not installed in this build")
        return
    report = validate_layout(layout)
    if not report.conforms:
        raise GraphNotConforming(
            f"{layout.root}: the data does not conform to its shapes, so the server will not serve it\n"
            f"{report.render('text')}",
            hint="fix the data (ctgraph validate shows the same report), or start with --no-validate",
        )


def app_from_environment() -> FastAPI:
    """App factory for uvicorn's multi-process mode: each process reads its settings from CTGRAPH_*."""
    return create_app(Settings())


def run_serve(settings: Settings) -> None:
    """Validate (unless told not to) and serve until interrupted."""
    layout = resolve_layout(settings.root)
    if settings.validate:
        check_conforms(layout)
    common = {
        "host": settings.host,
        "port": settings.port,
        "access_log": settings.access_log,
        "log_level": "info",
        "lifespan": "on",
        "proxy_headers": True,
    }
    if settings.processes > 1:
        # Each process builds its own app, so the settings travel as environment variables.
        os.environ.update(settings.model_copy(update={"validate": False}).to_environment())
        uvicorn.run(f"{__name__}:app_from_environment", factory=True, workers=settings.processes, **common)
    else:
        uvicorn.run(create_app(settings), **common)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse serve flags and run; returns the exit code (0, or the error's code after printing it)."""
    parser = argparse.ArgumentParser(prog="python -m ctgraph.server.run", description=run_serve.__doc__)
    add_serve_arguments(parser)
    try:
        run_serve(settings_from_args(parser.parse_args(argv)))
    except CtgraphError as exc:
        sys.stderr.write(f"ctgraph serve: {exc}\n")
        return exc.exit_code
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
