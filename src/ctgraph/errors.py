"""The exceptions ctgraph raises. Only the CLI turns them into exit codes.

    CtgraphError                 base; ``exit_code`` 2 (error in input) unless stated
    ├── RootNotFound             a required folder (ontology/, data/, shapes/, queries/) is missing
    ├── InputSyntaxError         a Turtle file does not parse (file:line)
    ├── ConflictingDefinition    a prefix or term is defined twice with different meanings (file:line)
    ├── QueryNotFound            a named query does not exist
    ├── QuerySyntaxError         SPARQL that does not parse (line, column)
    ├── UnsupportedFormat        a format that the operation cannot produce
    └── ExportError              an export could not be written
"""

from __future__ import annotations

__all__ = [
    "CtgraphError",
    "RootNotFound",
    "InputSyntaxError",
    "ConflictingDefinition",
    "QueryNotFound",
    "QuerySyntaxError",
    "UnsupportedFormat",
    "ExportError",
]


class CtgraphError(Exception):
    """A user-facing error: one line saying what failed, where, and what to do."""

    exit_code = 2
    code = "error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class RootNotFound(CtgraphError):
    """A project folder is missing."""

    code = "root-not-found"


class InputSyntaxError(CtgraphError):
    """A data, ontology or shapes file is not valid Turtle."""

    code = "syntax-error"


class ConflictingDefinition(CtgraphError):
    """The same prefix or term is given two different meanings."""

    code = "conflicting-definition"


class QueryNotFound(CtgraphError):
    """A query name or file does not resolve."""

    code = "query-not-found"


class QuerySyntaxError(CtgraphError):
    """SPARQL text that does not parse."""

    code = "query-syntax-error"

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None,
                 hint: str | None = None) -> None:
        self.line = line
        self.column = column
        super().__init__(message, hint=hint)


class UnsupportedFormat(CtgraphError):
    """A requested output format is not available for this operation."""

    code = "unsupported-format"


class ExportError(CtgraphError):
    """An export could not be written."""

    code = "export-error"
