"""`ttgen verify`: every generated case replayed under the tracer, compared with its source."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from ttgen.cli.console import fail, out
from ttgen.cli.options import JsonOption, MasterOption, backend_of, emit_json, master_path, python_of
from ttgen.terminal import clean


def verify_cmd(
    master: MasterOption = None,
    backend: Annotated[
        str | None, typer.Option("--backend", help="emu | ttnn (default: ttnn when importable, else emu).")
    ] = None,
    python: Annotated[
        str | None, typer.Option("--python", help="Interpreter for the replay (e.g. a real-ttnn venv).")
    ] = None,
    op: Annotated[list[str] | None, typer.Option("--op", help="Only these ops (repeatable).")] = None,
    keep: Annotated[
        Path | None, typer.Option("--keep", help="Keep the replay's per-call records in this folder.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Compile the master into a scratch folder, run every case with the tracer on, and compare
    each replayed call with the configuration it was compiled from, by the hash of its arguments
    (upstream's config_hash less the hardware; runtime handles and addresses left out). Per case:
    reproduced, differs (argument by argument, with why), or not run (why). Exit 1 when any differs."""
    from ttgen.verify import VerifyError, verify

    master = master_path(master)
    backend, python = backend_of(backend), python_of(python)  # python: absolute, the replay runs elsewhere
    try:
        result = verify(master, backend=backend, python=python, ops=op or None, keep=keep)
    except VerifyError as e:
        fail(str(e))
    differs = [r for r in result.results if r.verdict == "differs"]
    if as_json:
        emit_json(result.to_json())
    else:
        out.print(
            f"{clean(result.master)} ({result.backend}): {result.configurations} configurations"
            f" ({result.excluded} infrastructure calls excluded), {result.cases} cases, {result.run} run: "
            f"{result.count('reproduced')} reproduced, {len(differs)} differ, {result.count('not_run')} not run"
        )
        for r in differs:
            out.print(f"  differs {clean(r.op)} {clean(r.case)}:")
            for a in r.arguments:
                traced, replayed = json.dumps(a.traced)[:120], json.dumps(a.replayed)[:120]
                out.print(f"    {clean(a.name)}: {clean(a.why)} (traced {clean(traced)}, replayed {clean(replayed)})")
        reasons = Counter(r.reason for r in result.results if r.verdict == "not_run")
        for reason, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])):
            out.print(f"  not run ×{n}: {clean(reason)}")
        for x in result.not_compiled:
            out.print(f"  not compiled: {clean(x.operation)} at {clean(x.pointer)}: {clean(x.reason)}")
    if differs:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("verify")(verify_cmd)
