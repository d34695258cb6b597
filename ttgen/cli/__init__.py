"""`ttgen` command line: one module per verb group, each only parsing options and calling a
library function that returns data (the library does the aggregation)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from loguru import logger

from ttgen import __version__
from ttgen.cli import compile, conformance, diff, init, repro, run, show, trace, verify

__all__ = ["app"]

app = typer.Typer(
    name="ttgen",
    help="Compile traced TT-NN op configurations into typed, reviewable tests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help text is plain: "[tool.ttgen]" is a TOML table, not rich markup
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ttgen {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging on stderr.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print ttgen's version and exit.")
    ] = False,
) -> None:
    logger.remove()
    logger.add(sys.stderr, level="DEBUG" if verbose else "WARNING", format="{level}: {message}")


for group in (init, compile, verify, conformance, show, run, repro, trace, diff):  # the order `ttgen --help` lists them
    group.register(app)
