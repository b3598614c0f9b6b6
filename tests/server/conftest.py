"""Live servers for the endpoint tests: ``python -m ctgraph.server.run`` on 127.0.0.1, one per config.

Each server is started once per session, waited for on /health, and stopped (SIGTERM, then SIGKILL) at the
end.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
PROTOCOL_SUITE = REPO / "tests" / "conformance" / "sparql11-protocol"  # vendored W3C copy, see its README
LOGS = REPO / "tests" / "artifacts" / "server-logs"
#: The manifest's data files and the graph IRIs its dataset tests give them (from its ut:graphData labels).
PROTOCOL_GRAPHS = {
    f"http://kasei.us/2009/09/sparql/data/data{n}.rdf": PROTOCOL_SUITE / f"data{n}.nt" for n in (1, 2, 3)
}
_STARTUP_SECONDS = 120  # a readiness wait on a loaded 2-core box, not a performance assertion


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running server subprocess."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def health(self) -> dict[str, object]:
        response = httpx.get(self.url + "/health", timeout=10)
        return dict(response.json())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_server(name: str, *flags: str, env: dict[str, str] | None = None) -> Server:
    """Start ``python -m ctgraph.server.run`` on a free port with the checkout's data; wait for /health."""
    LOGS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = LOGS / f"{name}.log"
    command = [
        sys.executable,
        "-m",
        "ctgraph.server.run",
        "--root",
        str(REPO),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *flags,
    ]
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("CTGRAPH_")}
    child_env.update(env or {})
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=child_env, cwd=REPO)
    server = Server(name, f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + _STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            raise RuntimeError(
                f"server {name} exited with {process.returncode}:\n{server.log_text()[-3000:]}"
            )
        try:
            if httpx.get(server.url + "/health", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"server {name} did not answer /health:\n{server.log_text()[-3000:]}")
        time.sleep(0.2)


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """The server with default settings (validation off: the validator has its own tests)."""
    live = start_server("default", "--no-validate")
    yield live
    live.stop()


@pytest.fixture(scope="session")
def protocol_server() -> Iterator[Server]:
    """The server with the W3C protocol suite's data files loaded as the named graphs its manifest names."""
    flags = [item for iri, path in PROTOCOL_GRAPHS.items() for item in ("--graph", f"{iri}={path}")]
    live = start_server("protocol", "--no-validate", *flags)
    yield live
    live.stop()


@pytest.fixture(scope="session")
def limits_server() -> Iterator[Server]:
    """A server with small limits, so that each is easy to reach."""
    live = start_server(
        "limits",
        "--no-validate",
        "--max-rows",
        "5",
        "--max-query-length",
        "400",
        "--max-body-bytes",
        "2000",
        "--result-cache-size",
        "0",
    )
    yield live
    live.stop()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60) as http:
        yield http
