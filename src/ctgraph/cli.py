"""The ``ctgraph`` command: parses options and calls library functions; the only place that exits."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import CtgraphError

__all__ = ["main", "build_parser"]

EXIT_CODES = """exit codes:
  0  success (validate: the graph conforms)
  1  validate: the graph does not conform to the shapes
  2  error in input: bad Turtle, unknown prefix, conflicting definition, missing folder,
     SPARQL syntax error, unknown query or format
"""


def _layout(args: argparse.Namespace):  # noqa: ANN202 - Layout, imported lazily to keep --help fast
    from .paths import resolve_layout

    return resolve_layout(args.root)


def _cmd_validate(args: argparse.Namespace) -> int:
    from .validate import validate_layout

    report = validate_layout(_layout(args), meta_shacl=args.meta_shacl)
    stream = sys.stdout if args.format != "text" or report.conforms else sys.stderr
    stream.write(report.render(args.format))
    return 0 if report.conforms else 1


def _cmd_query(args: argparse.Namespace) -> int:
    from .load import load_graph
    from .query import execute, format_result
    from .queries import resolve_query

    layout = _layout(args)
    if args.query_text is not None:
        if args.target is not None:
            raise CtgraphError("give either a query NAME/FILE or --query TEXT, not both")
        text = args.query_text
    elif args.target is not None:
        text = resolve_query(layout, args.target).text
    else:
        raise CtgraphError("no query given", hint="ctgraph query NAME | FILE | --query TEXT")
    kg = load_graph(layout)
    result = execute(kg, text)
    sys.stdout.buffer.write(format_result(kg, result, args.format))
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from .export import export_bytes, write_export
    from .load import load_graph

    kg = load_graph(_layout(args))
    if args.output is None:
        sys.stdout.buffer.write(export_bytes(kg, args.format))
        return 0
    for path in write_export(kg, args.format, Path(args.output), Path(args.context) if args.context else None):
        sys.stderr.write(f"wrote {path}\n")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from .server.run import run_serve
    from .server.settings import settings_from_args

    run_serve(settings_from_args(args))
    return 0


def _add_serve(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser(
        "serve", help="serve the validated graph as a read-only SPARQL endpoint",
        description="Validate the graph, then serve it read-only: SPARQL at /sparql, web UI at /, "
                    "linked-data pages for every IRI.",
    )
    from .server.settings import add_serve_arguments

    add_serve_arguments(serve)
    serve.set_defaults(func=_cmd_serve)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one sub-command per operation."""
    parser = argparse.ArgumentParser(
        prog="ctgraph",
        description="A linked-open-data knowledge graph of UN counter-terrorism diplomacy.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ctgraph {__version__}")
    parser.add_argument(
        "--root", metavar="DIR", default=None,
        help="a ctgraph checkout holding ontology/ data/ shapes/ queries/ (default: $CTGRAPH_ROOT, "
             "the current directory if it is a checkout, else the bundled copy)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    validate = sub.add_parser(
        "validate", help="SHACL-validate the graph against shapes/", epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate.add_argument("--format", choices=("text", "turtle", "json"), default="text")
    validate.add_argument("--meta-shacl", action="store_true",
                          help="first check shapes/ against SHACL-for-SHACL (takes a few seconds)")
    validate.set_defaults(func=_cmd_validate)

    query = sub.add_parser(
        "query", help="run a named query, a .rq file or inline SPARQL", epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    query.add_argument("target", nargs="?", metavar="NAME|FILE", help="a query name from queries/ or a .rq file")
    query.add_argument("--query", dest="query_text", metavar="TEXT", help="inline SPARQL")
    query.add_argument(
        "--format", default="table",
        choices=("table", "json", "xml", "csv", "tsv", "turtle", "json-ld", "nt"),
        help="table, json, xml, csv, tsv for SELECT/ASK; turtle, json-ld, nt for CONSTRUCT/DESCRIBE",
    )
    query.set_defaults(func=_cmd_query)

    export = sub.add_parser("export", help="write the whole graph deterministically", epilog=EXIT_CODES,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    export.add_argument("--format", required=True, choices=("turtle", "json-ld", "nt", "trig", "nquads"))
    export.add_argument("-o", "--output", metavar="FILE", help="write atomically to FILE (default: stdout)")
    export.add_argument("--context", metavar="FILE",
                        help="JSON-LD only: where to write the context file (default: context.jsonld beside FILE)")
    export.set_defaults(func=_cmd_export)

    _add_serve(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except CtgraphError as exc:
        sys.stderr.write(f"ctgraph: error: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
