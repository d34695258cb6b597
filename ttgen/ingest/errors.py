"""Typed, located errors of ingest.

Two levels: a TraceFormatError means the whole input cannot be read (not JSON, unknown format);
a Reject inside a configuration becomes a Rejection, counted per op, and reading goes on.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError


def escape_token(token: str | int) -> str:
    """One JSON-pointer reference token (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(base: str, *tokens: str | int) -> str:
    return base + "".join("/" + escape_token(t) for t in tokens)


class TraceFormatError(Exception):
    """The input as a whole cannot be read. Names the file and, where known, a JSON pointer."""

    def __init__(self, path: str, reason: str, pointer: str = "") -> None:
        self.path = path
        self.pointer = pointer
        self.reason = reason
        where = f"{path}#{pointer}" if pointer else path
        super().__init__(f"{where}: {reason}")


class Reject(Exception):
    """Raised while decoding one configuration: this value, at this pointer, is unusable."""

    def __init__(self, pointer: str, reason: str) -> None:
        self.pointer = pointer
        self.reason = reason
        super().__init__(f"{pointer}: {reason}")


@dataclass(frozen=True, slots=True)
class Rejection:
    operation: str
    pointer: str
    reason: str


def describe_validation_error(err: ValidationError) -> str:
    """pydantic's first complaint, in one line, without its URL boilerplate."""
    first = err.errors(include_url=False)[0]
    loc = ".".join(str(p) for p in first.get("loc", ()) if p != "__root__")
    msg = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    return f"{loc}: {msg}" if loc else msg
