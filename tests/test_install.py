"""`pip install .` into a clean venv gives a ctgraph that finds its bundled ontology, data, shapes and queries."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .helpers import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel built from this checkout installed into it; returns its bin/ directory."""
    base = tmp_path_factory.mktemp("install")
    wheels = base / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(REPO)],
        check=True, timeout=600,
    )
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    wheel = next(wheels.glob("ctgraph-*.whl"))
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True, timeout=900,
    )
    return venv / "bin"


def _run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CTGRAPH_ROOT"}
    return subprocess.run([str(bin_dir / "ctgraph"), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300, check=False)


def test_installed_validate_query_export_from_any_directory(installed: Path, tmp_path: Path) -> None:
    assert _run(installed, "validate", cwd=tmp_path).returncode == 0
    result = _run(installed, "query", "co-chairs", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    names = {b["name"]["value"] for b in json.loads(result.stdout)["results"]["bindings"]}
    assert names == {"Vladimir Voronkov", "Abdul Aziz Abdullah Al-Ansari"}
    result = _run(installed, "export", "--format", "turtle", "-o", str(tmp_path / "g.ttl"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "g.ttl").stat().st_size > 10_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_installed_serve_answers_ask(installed: Path, tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "CTGRAPH_ROOT"}
    log_path = tmp_path / "serve.log"
    log = log_path.open("wb")
    server = subprocess.Popen([str(installed / "ctgraph"), "serve", "--host", "127.0.0.1", "--port", str(port)],
                              cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D"
        deadline = time.monotonic() + 120
        while True:
            try:
                request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
                with urllib.request.urlopen(request, timeout=5) as response:
                    assert json.load(response)["boolean"] is True
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(log_path.read_text(encoding="utf-8", errors="replace")) from None
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
