"""Format generated source with black (pinned in pyproject) and parse it back with libcst before
anything is written: a formatting or parse failure is fatal, never papered over.

Sweep modules are formatted as a skeleton by black, with their CASES entries laid out by
ttgen.compile.layout in black's exact style (tests prove black leaves the result unchanged).
Every assembled file is then compiled whole by CPython from its UTF-8 bytes, as an import reads
it: that catches what a parse alone does not (a `from __future__` import below other code is the
compiler's error, not the parser's), and a PEP 263 encoding declaration on its first two lines,
which would make Python decode the file differently from how it was written, is refused."""

from __future__ import annotations

import re

import black
import libcst
from black.mode import Mode, TargetVersion
from black.parsing import InvalidInput

MODE = Mode(line_length=120, target_versions={TargetVersion.PY310})
_CODING_DECLARATION = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+", re.ASCII)  # PEP 263


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
    """The file as Python will read it: decoded as UTF-8 (no encoding declaration) and compiled."""
    data = source.encode("utf-8")
    for number, line in enumerate(data.splitlines()[:2], 1):
        if _CODING_DECLARATION.match(line):
            raise FormatError(f"{name}: line {number} is a PEP 263 encoding declaration; generated files are UTF-8")
    try:
        compile(data, name, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as e:  # ValueError: a null byte
        raise FormatError(f"{name}: assembled source does not compile: {e}") from None
