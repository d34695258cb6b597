"""`ttgen repro`: one case as a standalone script (ttnn, numpy, torch) for a kernel engineer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ttgen.cli.console import fail, out
from ttgen.cli.options import out_path


def repro_cmd(
    case: Annotated[str, typer.Argument(help="The case: its id (or a unique prefix), op:id, or op:suite:id.")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the script here (default: print it).")
    ] = None,
    paths: Annotated[
        list[Path] | None,
        typer.Option("--in", help="Generated folders or sweep modules to look in (default: [tool.ttgen] output)."),
    ] = None,
) -> None:
    """Write CASE as a standalone script: the same seeded inputs, the op called exactly as the case
    calls it, then the output spec against the traced one and the golden by PCC. It imports only
    ttnn, numpy and torch; run it with the interpreter that has ttnn (exit 1 when a check fails)."""
    from ttgen.repro import ReproError, find_case, repro_script
    from ttgen.runner.discover import DiscoveryError

    try:
        found = find_case(case, paths or [out_path(None)])
        script = repro_script(found)
    except (DiscoveryError, ReproError) as e:
        fail(str(e))
    if output is None:
        out.file.write(script)
        return
    if output.exists() and not output.read_text(encoding="utf-8", errors="replace").startswith(
        '"""Standalone repro of '
    ):
        fail(f"{output}: exists and is not a ttgen repro script; not overwritten")
    output.write_text(script, encoding="utf-8")
    out.print(f"wrote {output} ({found.key}); run it: python {output}")


def register(app: typer.Typer) -> None:
    app.command("repro")(repro_cmd)
