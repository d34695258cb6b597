"""The consoles and the error exit every `ttgen` command shares."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import typer
from rich.console import Console

from ttgen.terminal import clean

# Trace text is printed verbatim: no rich markup or highlighting may reinterpret it. Off a
# terminal (CI logs, pipes) tables get 160 columns instead of rich's 80.
WIDTH = None if sys.stdout.isatty() else 160


class SafeConsole(Console):
    """A console whose printed strings are cleaned (newlines kept): the safety net under the
    explicit `clean` of each trace value, so a message nobody cleaned still cannot drive the
    terminal."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        super().print(*(clean(o, keep_newlines=True) if isinstance(o, str) else o for o in objects), **kwargs)


out = SafeConsole(markup=False, highlight=False, soft_wrap=True, width=WIDTH)
err = SafeConsole(stderr=True, markup=False, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"ttgen: error: {clean(message)}")
    raise typer.Exit(code)
