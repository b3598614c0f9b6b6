"""The server's settings: one class read from ``CTGRAPH_*`` variables, also the ``serve`` flags."""

from __future__ import annotations

import argparse
import json
import os
import warnings
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from ..namespaces import BASE

__all__ = ["Settings", "add_serve_arguments", "settings_from_args"]

_Listed = Annotated[list[str], NoDecode]


def _flag(name: str, metavar: str | None = None) -> dict[str, Any]:
    return {"flag": name, "metavar": metavar}


# The field is called ``validate`` (the documented CTGRAPH_VALIDATE / --validate); pydantic warns, once, when
# the class is built, that it shadows BaseModel's deprecated ``validate`` classmethod, which nothing here
# uses.
with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message='Field name "validate" in "Settings" shadows', category=UserWarning
    )

    class Settings(BaseSettings):
        """Everything ``ctgraph serve`` can be told; flags override ``CTGRAPH_*``, which override defaults."""

        model_config = SettingsConfigDict(env_prefix="CTGRAPH_", extra="ignore")

        host: str = Field(
            "127.0.0.1", description="interface to listen on", json_schema_extra=_flag("--host", "HOST")
        )
        port: int = Field(
            8000,
            ge=0,
            le=65535,
            description="TCP port (0 picks a free one)",
            json_schema_extra=_flag("--port", "PORT"),
        )
        root: Path | None = Field(
            None,
            description="ctgraph checkout to serve (default: see ctgraph.paths)",
            json_schema_extra=_flag("--root", "DIR"),
        )
        base_iri: str = Field(
            BASE,
            description="IRI base of the data; <BASE>id/x is served at /id/x",
            json_schema_extra=_flag("--base-iri", "IRI"),
        )
        query_timeout: float = Field(
            10.0,
            gt=0,
            description="time limit of every query, in seconds",
            json_schema_extra=_flag("--query-timeout", "SECONDS"),
        )
        max_query_length: int = Field(
            100_000,
            gt=0,
            description="longest query text accepted, in characters",
            json_schema_extra=_flag("--max-query-length", "CHARS"),
        )
        max_body_bytes: int = Field(
            1_000_000,
            gt=0,
            description="largest request body accepted, in bytes",
            json_schema_extra=_flag("--max-body-bytes", "BYTES"),
        )
        max_rows: int = Field(
            100_000,
            gt=0,
            description="most result rows (or triples) returned; more are cut",
            json_schema_extra=_flag("--max-rows", "ROWS"),
        )
        max_concurrent: int = Field(
            32,
            gt=0,
            description="queries admitted at once per server process; more get 503",
            json_schema_extra=_flag("--max-concurrent", "N"),
        )
        workers: int = Field(
            3,
            ge=1,
            description="query worker processes per server process",
            json_schema_extra=_flag("--workers", "N"),
        )
        processes: int = Field(
            1,
            ge=1,
            description="HTTP server processes (each with its own workers)",
            json_schema_extra=_flag("--processes", "N"),
        )
        result_cache_size: int = Field(
            1024,
            ge=0,
            description="identical requests answered from memory (0: off)",
            json_schema_extra=_flag("--result-cache-size", "ENTRIES"),
        )
        cors_origins: _Listed = Field(
            ["*"],
            description="origins allowed by CORS (repeatable; '*' for any)",
            json_schema_extra=_flag("--cors-origin", "ORIGIN"),
        )
        allow_service: _Listed = Field(
            [],
            description="IRI prefix that SERVICE may call (repeatable; none by default)",
            json_schema_extra=_flag("--allow-service", "PREFIX"),
        )
        graphs: _Listed = Field(
            [],
            description="extra named graph to load, as IRI=FILE (repeatable)",
            json_schema_extra=_flag("--graph", "IRI=FILE"),
        )
        validate: bool = Field(
            True,
            description="refuse to start unless the data conforms to the shapes",
            json_schema_extra=_flag("--validate"),
        )
        access_log: bool = Field(
            False, description="log every request", json_schema_extra=_flag("--access-log")
        )

        @field_validator("cors_origins", "allow_service", "graphs", mode="before")
        @classmethod
        def _split_list(cls, value: Any) -> Any:
            """Accept a JSON list or a comma-separated string from the environment."""
            if isinstance(value, str):
                text = value.strip()
                if text.startswith("["):
                    return json.loads(text)
                return [item.strip() for item in text.split(",") if item.strip()]
            return value

        @field_validator("graphs")
        @classmethod
        def _check_graphs(cls, value: list[str]) -> list[str]:
            """Each extra graph is IRI=FILE with an absolute IRI."""
            for item in value:
                iri, sep, file = item.rpartition("=")
                if not sep or ":" not in iri or not file:
                    raise ValueError(f"graph {item!r} must be IRI=FILE, e.g. http://example.org/g=data/g.nt")
            return value

        @field_validator("base_iri")
        @classmethod
        def _check_base(cls, value: str) -> str:
            """The base must be an absolute IRI ending in '/' so that paths append to it."""
            if ":" not in value or not value.endswith("/"):
                raise ValueError(f"base IRI {value!r} must be absolute and end with '/'")
            return value

        def extra_graphs(self) -> list[tuple[str, Path]]:
            """The ``graphs`` items as (graph IRI, file path) pairs."""
            pairs = []
            for item in self.graphs:
                iri, _, file = item.rpartition("=")
                pairs.append((iri, Path(file)))
            return pairs

        def to_environment(self) -> dict[str, str]:
            """These settings as ``CTGRAPH_*`` variables, to hand to child server processes."""
            env = {}
            for name in type(self).model_fields:
                value = getattr(self, name)
                key = f"CTGRAPH_{name.upper()}"
                if value is None:
                    continue
                env[key] = json.dumps(value) if isinstance(value, list) else str(value)
            return env


def _dest(name: str) -> str:
    return f"serve_{name}"


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """Add one flag per Settings field; a flag left out does not override the environment."""
    group = parser.add_argument_group("server settings (each also read from CTGRAPH_<NAME>)")
    for name, field in Settings.model_fields.items():
        extra = field.json_schema_extra or {}
        assert isinstance(extra, dict)
        flag, metavar = str(extra["flag"]), extra.get("metavar")
        default = field.default if not isinstance(field.default, list) else ", ".join(field.default) or "none"
        env = f"CTGRAPH_{name.upper()}"
        help_text = f"{field.description} [{env}; default {default}]"
        kwargs: dict[str, Any] = {"dest": _dest(name), "default": argparse.SUPPRESS, "help": help_text}
        if field.annotation is bool:
            group.add_argument(flag, action=argparse.BooleanOptionalAction, **kwargs)
        elif name in ("cors_origins", "allow_service", "graphs"):
            group.add_argument(flag, action="append", metavar=metavar, **kwargs)
        else:
            kind = {int: int, float: float}.get(field.annotation, str)  # type: ignore[call-overload]
            group.add_argument(flag, type=kind, metavar=metavar, **kwargs)


def settings_from_args(namespace: argparse.Namespace) -> Settings:
    """Settings from parsed ``serve`` flags over the environment over the defaults."""
    given: dict[str, Any] = {}
    for name in Settings.model_fields:
        if hasattr(namespace, _dest(name)):
            given[name] = getattr(namespace, _dest(name))
    # A --root given to the main parser (before the sub-command) counts too.
    if "root" not in given and getattr(namespace, "root", None) is not None:
        given["root"] = namespace.root
    if "root" in given and given["root"] is not None:
        given["root"] = Path(os.fspath(given["root"]))
    return Settings(**given)
