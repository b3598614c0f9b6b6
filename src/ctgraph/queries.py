"""The named queries in queries/: each .rq file opens with a comment header giving its title, description and network need."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import QueryNotFound
from .paths import Layout

__all__ = ["NamedQuery", "load_named_queries", "resolve_query", "parse_header"]

_HEADER_RE = re.compile(r"^#\s*([A-Za-z][\w-]*)\s*:\s*(.*?)\s*$")


@dataclass(frozen=True)
class NamedQuery:
    """A query file and the metadata its header declares."""

    name: str
    title: str
    description: str
    needs_network: bool
    text: str
    path: Path | None = None


def parse_header(text: str) -> dict[str, str]:
    """Read the leading ``# key: value`` comment lines of a query into a dict (keys lower-cased)."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER_RE.match(line)
        if match:
            fields[match.group(1).lower()] = match.group(2)
    return fields


def _from_file(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    header = parse_header(text)
    missing = [key for key in ("title", "description", "network") if key not in header]
    if missing:
        raise QueryNotFound(
            f"{path}:1: query header lacks {', '.join(missing)}",
            hint="start the file with '# title: …', '# description: …' and '# network: yes|no' lines",
        )
    network = header["network"].strip().lower()
    if network not in ("yes", "no"):
        raise QueryNotFound(f"{path}:1: '# network:' must be yes or no, not {network!r}")
    return NamedQuery(
        name=path.stem,
        title=header["title"],
        description=header["description"],
        needs_network=network == "yes",
        text=text,
        path=path,
    )


def load_named_queries(layout: Layout) -> list[NamedQuery]:
    """Every query in queries/, sorted by name; raises if the folder holds none."""
    files = sorted(layout.queries.glob("*.rq"))
    if not files:
        raise QueryNotFound(f"{layout.queries}: no .rq files found", hint="the queries folder must hold SPARQL files")
    return [_from_file(path) for path in files]


def resolve_query(layout: Layout, name_or_path: str) -> NamedQuery:
    """A query by name (``co-chairs``) from queries/, or by path to a .rq file."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".rq" or candidate.exists():
        if not candidate.is_file():
            raise QueryNotFound(f"{candidate}: no such query file", hint="give a path to an existing .rq file")
        text = candidate.read_text(encoding="utf-8")
        header = parse_header(text)
        return NamedQuery(
            name=candidate.stem,
            title=header.get("title", candidate.stem),
            description=header.get("description", ""),
            needs_network=header.get("network", "no").lower() == "yes",
            text=text,
            path=candidate,
        )
    path = layout.queries / f"{name_or_path}.rq"
    if not path.is_file():
        known = ", ".join(q.name for q in load_named_queries(layout))
        raise QueryNotFound(f"no named query '{name_or_path}' in {layout.queries}", hint=f"known queries: {known}")
    return _from_file(path)
