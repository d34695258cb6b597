"""Options and helpers every verb group shares."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ttgen.cli.console import fail
from ttgen.ingest import IngestResult, TraceFormatError, ingest_path

DEFAULT_MASTER = Path("traced_operations/ttnn_operations_master.json")
DEFAULT_OUT = Path("generated")

MasterOption = Annotated[
    Path, typer.Option("--master", help="Master JSON (any era), per-call trace directory or graph report.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout (schema in README).")]


OutOption = Annotated[Path, typer.Option("--out", help="Directory of generated code (a Python package).")]


def load(path: Path) -> IngestResult:
    try:
        return ingest_path(path)
    except TraceFormatError as e:
        fail(str(e))


def emit_json(doc: object) -> None:
    # ASCII-escaped: trace strings reach the terminal as \u escapes, never as raw control codes
    sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=True) + "\n")
