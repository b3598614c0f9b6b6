"""Fixtures for the page, dump and UI tests: a real server on 127.0.0.1 and a headless Chromium.

A test module takes the fixtures it uses by name (``pages_server = pages_conftest.pages_server``). Such a
fixture is that module's own copy, so the ones holding a server or a browser are module-scoped: each module
starts its own and stops it before the next module runs.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from ctgraph.load import KnowledgeGraph, load_graph
from ctgraph.paths import Layout, resolve_layout
from ctgraph.server.app import create_app
from ctgraph.server.settings import Settings

__all__ = [
    "REPO",
    "ARTIFACTS",
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "LiveServer",
    "start_server",
    "live_app",
    "pages_layout",
    "pages_kg",
    "pages_server",
    "chromium",
]

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class LiveServer:
    """A uvicorn server running in a thread of the test process."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def start_server(app: FastAPI) -> LiveServer:
    """Serve an app on 127.0.0.1 on a socket bound here (so the port is known and free); wait for it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60  # a readiness wait, not an assertion about speed
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"test server on {url} did not start")
        time.sleep(0.05)
    with httpx.Client() as client:
        client.get(url + "/health").raise_for_status()
    return LiveServer(url, server, thread)


def live_app(settings: Settings) -> LiveServer:
    """The real app (create_app, with its query workers) served on 127.0.0.1."""
    return start_server(create_app(settings))


@pytest.fixture(scope="session")
def pages_layout() -> Layout:
    return resolve_layout(REPO)


@pytest.fixture(scope="session")
def pages_kg(pages_layout: Layout) -> KnowledgeGraph:
    return load_graph(pages_layout)


@pytest.fixture(scope="module")
def pages_server() -> Iterator[str]:
    """The base URL of a live ctgraph server on the checkout's data, shared by the page tests."""
    live = live_app(Settings(root=REPO, workers=1))
    try:
        yield live.url
    finally:
        live.stop()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium under playwright; the tests using it are skipped only when it is not installed."""
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); the browser tests need it")

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            with contextlib.suppress(PlaywrightError):  # a browser that already died must not hide the error
                instance.close()
