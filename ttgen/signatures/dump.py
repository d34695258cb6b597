"""`ttgen signatures dump`: introspect a real ttnn in its own interpreter and write the catalog."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ttgen.facts import classes
from ttgen.signatures.catalog import Catalog, catalog_path
from ttgen.signatures.parse import parse_class_table, parse_raw_dump

INTROSPECT = Path(__file__).resolve().parent / "introspect.py"


class DumpError(Exception):
    pass


def ttnn_python() -> str:
    """The interpreter with ttnn: TTGEN_TTNN_PYTHON, else this one."""
    return os.environ.get("TTGEN_TTNN_PYTHON") or sys.executable


def dump_catalog(python: str | None = None) -> tuple[Catalog, dict[str, Any]]:
    """The op catalog and the config-class table (ttgen.facts.classes) of a real ttnn."""
    exe = python or ttnn_python()
    if os.sep in exe:
        exe = os.path.abspath(exe)  # not resolve(): a venv's python is a symlink to its base
    env = {**os.environ, "TT_LOGGER_LEVEL": "error"}
    # ttnn writes ./generated/ and reports into the working directory: keep them out of the repo
    with tempfile.TemporaryDirectory(prefix="ttgen-sigdump-") as scratch:
        try:
            # run by runpy from the scratch dir: the script's own directory must not be on sys.path
            # (a ttgen module there could shadow a stdlib module inside the ttnn interpreter)
            code = f"import runpy; runpy.run_path({str(INTROSPECT)!r}, run_name='__main__')"
            proc = subprocess.run([exe, "-c", code], cwd=scratch, env=env, capture_output=True, text=True, timeout=600)
        except OSError as e:
            raise DumpError(f"cannot run {exe}: {e.strerror}") from None
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise DumpError(f"{exe} could not introspect ttnn: {last}")
    try:
        raw = json.loads(proc.stdout)
        return parse_raw_dump(raw), parse_class_table(raw)
    except (ValueError, KeyError) as e:
        raise DumpError(f"unexpected introspection output: {e}") from None


def write_catalog(catalog: Catalog, out: Path | None = None) -> Path:
    path = out or catalog_path(catalog.ttnn_version)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(catalog.dumps(), encoding="utf-8")
    return path


def write_class_table(table: dict[str, Any], out: Path | None = None) -> Path:
    path = out or classes.TABLE
    path.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path
