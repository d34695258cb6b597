"""Options and helpers every verb group shares."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from ttgen.cli.console import fail
from ttgen.config import ConfigError, Settings, settings
from ttgen.ingest import IngestResult, TraceFormatError, ingest_path

MasterOption = Annotated[
    Path | None,
    typer.Option(
        "--master",
        help="Master JSON (any era), per-call trace directory or graph report. Default: [tool.ttgen] master,"
        " else traced_operations/ttnn_operations_master.json.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout (schema in README).")]


OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out", help="Directory of generated code (a Python package). Default: [tool.ttgen] output, else generated."
    ),
]


def project() -> Settings:
    """[tool.ttgen] of the nearest pyproject.toml; a broken one is a one-line error."""
    try:
        return settings()
    except ConfigError as e:
        fail(str(e))


def master_path(given: Path | None) -> Path:
    return given if given is not None else project().path(project().master)


def out_path(given: Path | None) -> Path:
    return given if given is not None else project().path(project().output)


def backend_of(given: str | None) -> str | None:
    """--backend, else [tool.ttgen] backend; None: ttnn when importable, else the emulator."""
    chosen = given if given is not None else project().backend
    if chosen not in (None, "emu", "ttnn"):
        fail(f"--backend {chosen!r}: expected emu or ttnn")
    return chosen


def python_of(given: str | None) -> str | None:
    """--python, else [tool.ttgen] python (made absolute: the command may run it elsewhere)."""
    if given is not None:
        return os.path.abspath(given) if os.sep in given else given
    configured = project().python
    return None if configured is None else str(project().path(configured).absolute())


def sweeps_overlay() -> Path | None:
    """The repository's sweeps_src overlay ([tool.ttgen] sweeps_src), if it names one."""
    overlay = project().sweeps_src
    return None if overlay is None else project().path(overlay)


def load(path: Path) -> IngestResult:
    try:
        return ingest_path(path)
    except TraceFormatError as e:
        fail(str(e))


def emit_json(doc: object) -> None:
    # ASCII-escaped: trace strings reach the terminal as \u escapes, never as raw control codes
    sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=True) + "\n")
