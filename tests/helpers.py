"""Small helpers shared by the tests: the repository root and a disposable copy of a checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FOLDERS = ("ontology", "data", "shapes", "queries")


def copy_checkout(target: Path) -> Path:
    """Copy the four data folders of the repository into target and return it."""
    for name in FOLDERS:
        shutil.copytree(REPO / name, target / name)
    return target


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real ``ctgraph`` command (as ``python -m ctgraph.cli``) and capture its output."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("CTGRAPH_ROOT", None) if env is None or "CTGRAPH_ROOT" not in env else None
    return subprocess.run(
        [sys.executable, "-m", "ctgraph.cli", *args],
        cwd=cwd or REPO, env=full_env, capture_output=True, text=True, timeout=300, check=False,
    )
