"""`ttgen init`: scaffold a repository for ttgen — the [tool.ttgen] table, an empty master, a
sweeps_src overlay, a CI workflow and a pre-commit hook. Writes only files that do not exist;
an existing pyproject.toml gains the table at its end (its bytes before are kept), never twice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ttgen.cli.console import fail, out
from ttgen.config import ConfigError, read

TABLE = """
[tool.ttgen]
# ttgen's settings for this repository; command-line flags override them
master = "traced_operations/ttnn_operations_master.json"
output = "generated"
sweeps_src = "sweeps_src"  # overlay of the built-in goldens, PCC, ranges, timeouts, device params, expectations
results = "results/ttgen.sqlite"
"""

EXPECTATIONS = {
    "about": "Known failures (xfail, strict) and cases not to run (skip): {op, case, kind, reason}.",
    "expectations": [],
}

WORKFLOW = """\
# Regenerate-on-retrace: fails when the traced master changed and nobody ran `ttgen compile --all`
# (ttgen check prints the diff), then runs the generated tests on ttgen's emulator.
name: ttgen
on:
  pull_request:
  push:
    branches: [main]

jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Install ttgen (CPU torch first, so no CUDA build is pulled in)
        run: |
          python -m pip install torch --index-url https://download.pytorch.org/whl/cpu
          python -m pip install ttgen pytest
      - name: ttgen check
        run: ttgen check
      - name: pytest on the emulator
        run: python -m pytest generated/ -q
"""

PRE_COMMIT = """\
# ttgen check before each commit: generated code must match the traced master
repos:
  - repo: local
    hooks:
      - id: ttgen-check
        name: ttgen check (generated code matches the traced master)
        entry: ttgen check
        language: system
        pass_filenames: false
        always_run: true
"""


def _write_new(path: Path, text: str, wrote: list[str], kept: list[str], root: Path) -> None:
    rel = path.relative_to(root).as_posix()
    if path.exists():
        kept.append(rel)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    wrote.append(rel)


def init_cmd(
    folder: Annotated[Path, typer.Argument(help="The repository to scaffold (default: here).")] = Path("."),
) -> None:
    """Scaffold a repository for ttgen: [tool.ttgen] in pyproject.toml, an empty master, a sweeps_src
    overlay, a GitHub workflow and a pre-commit hook. Existing files are left as they are."""
    root = folder.resolve()
    if not root.is_dir():
        fail(f"{folder}: not a folder")
    wrote: list[str] = []
    kept: list[str] = []
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            configured = read(pyproject).source is not None
        except ConfigError as e:
            fail(str(e))
        if configured:
            kept.append("pyproject.toml [tool.ttgen]")
        else:
            text = pyproject.read_text(encoding="utf-8")
            with pyproject.open("a", encoding="utf-8") as f:
                f.write(("" if text.endswith("\n") or not text else "\n") + TABLE)
            wrote.append("pyproject.toml [tool.ttgen]")
    else:
        _write_new(pyproject, TABLE.lstrip("\n"), wrote, kept, root)
    master = root / "traced_operations" / "ttnn_operations_master.json"
    _write_new(master, json.dumps({"operations": {}}, indent=2) + "\n", wrote, kept, root)
    _write_new(root / "sweeps_src" / "expectations.json", json.dumps(EXPECTATIONS, indent=2) + "\n", wrote, kept, root)
    _write_new(root / ".github" / "workflows" / "ttgen.yml", WORKFLOW, wrote, kept, root)
    _write_new(root / ".pre-commit-config.yaml", PRE_COMMIT, wrote, kept, root)
    for rel in wrote:
        out.print(f"wrote {rel}")
    for rel in kept:
        out.print(f"kept {rel} (already there)")
    out.print("next: trace a model test (ttgen trace -- tests/...), then ttgen compile --all and pytest generated/")


def register(app: typer.Typer) -> None:
    app.command("init")(init_cmd)
