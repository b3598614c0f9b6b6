"""Resolves every path ctgraph reads: the one place that knows where ontology/, data/, shapes/ and queries/ live.

Order of precedence:
1. an explicit root (``--root DIR``);
2. the ``CTGRAPH_ROOT`` environment variable;
3. the current directory, when it is a checkout (it holds all four folders);
4. the copies bundled inside the installed wheel (``ctgraph/_assets``);
5. the source checkout this module sits in (an editable install).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import RootNotFound

__all__ = ["FOLDERS", "Layout", "resolve_layout"]

FOLDERS = ("ontology", "data", "shapes", "queries")
_BUNDLED = Path(__file__).resolve().parent / "_assets"
_SOURCE_CHECKOUT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Layout:
    """The folders of one checkout (or of the bundled assets)."""

    root: Path

    @property
    def ontology(self) -> Path:
        return self.root / "ontology"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def sources(self) -> Path:
        return self.root / "data" / "sources"

    @property
    def shapes(self) -> Path:
        return self.root / "shapes"

    @property
    def queries(self) -> Path:
        return self.root / "queries"

    def missing(self) -> list[str]:
        """Names of the required folders that do not exist under root."""
        return [name for name in FOLDERS if not (self.root / name).is_dir()]

    def check(self) -> Layout:
        """Raise RootNotFound unless every folder exists; return self."""
        missing = self.missing()
        if missing:
            folders = ", ".join(f"{name}/" for name in missing)
            raise RootNotFound(
                f"{self.root}: missing {folders}",
                hint="pass --root DIR or set CTGRAPH_ROOT to a ctgraph checkout",
            )
        return self


def _is_checkout(path: Path) -> bool:
    return all((path / name).is_dir() for name in FOLDERS)


def resolve_layout(root: str | os.PathLike[str] | None = None) -> Layout:
    """Find the folders to read, following the precedence in this module's docstring."""
    if root is not None:
        return Layout(Path(root).resolve()).check()
    env_root = os.environ.get("CTGRAPH_ROOT")
    if env_root:
        return Layout(Path(env_root).resolve()).check()
    for candidate in (Path.cwd(), _BUNDLED, _SOURCE_CHECKOUT):
        if _is_checkout(candidate):
            return Layout(candidate.resolve())
    return Layout(Path.cwd().resolve()).check()
