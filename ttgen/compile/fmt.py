"""Format generated source with black (pinned in pyproject) and parse it back with libcst before
anything is written: a formatting or parse failure is fatal, never papered over.

Sweep modules are formatted as a skeleton by black, with their CASES entries laid out by
ttgen.compile.layout in black's exact style (tests prove black leaves the result unchanged);
the assembled module is then parsed back with CPython's own parser, which is what runs it."""

from __future__ import annotations

import ast

import black
import libcst
from black.mode import Mode, TargetVersion
from black.parsing import InvalidInput

MODE = Mode(line_length=120, target_versions={TargetVersion.PY310})


class FormatError(Exception):
    pass


def format_source(source: str, name: str) -> str:
    try:
        formatted = black.format_str(source, mode=MODE)
    except InvalidInput as e:
        raise FormatError(f"{name}: generated source does not parse: {e}") from None
    try:
        libcst.parse_module(formatted)
    except libcst.ParserSyntaxError as e:
        raise FormatError(f"{name}: formatted source does not parse back: {e}") from None
    return formatted


def check_syntax(source: str, name: str) -> None:
    try:
        ast.parse(source, filename=name)
    except SyntaxError as e:
        raise FormatError(f"{name}: assembled source does not parse: {e}") from None
