"""The consoles and the error exit every `ttgen` command shares."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer
from rich.console import Console

from ttgen.analyze.describe import clean

# Trace text is printed verbatim: no rich markup or highlighting may reinterpret it. Off a
# terminal (CI logs, pipes) tables get 160 columns instead of rich's 80.
WIDTH = None if sys.stdout.isatty() else 160
out = Console(markup=False, highlight=False, soft_wrap=True, width=WIDTH)
err = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"ttgen: error: {clean(message)}")
    raise typer.Exit(code)
