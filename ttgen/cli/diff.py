"""`ttgen diff OLD NEW`: the re-trace summary a reviewer pastes into the pull request."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ttgen.cli.console import fail, out
from ttgen.cli.options import OutOption, out_path
from ttgen.ingest import TraceFormatError


def diff_cmd(
    old: Annotated[Path, typer.Argument(help="The master before the re-trace (any supported input).")],
    new: Annotated[Path, typer.Argument(help="The master after it.")],
    markdown: Annotated[bool, typer.Option("--markdown", help="GitHub markdown, for the pull request.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON (schema in README).")] = False,
    out_dir: OutOption = None,
) -> None:
    """Per op: configurations added and removed (by config_hash), unchanged, and the generated
    files that will change. Exit 0 whatever changed; 2 when an input cannot be read."""
    out_dir = out_path(out_dir)
    from ttgen.analyze.diff import diff_document, diff_masters, render_markdown, render_text
    from ttgen.compile.compiler import CompileError
    from ttgen.compile.fmt import FormatError
    from ttgen.compile.outputs import recorded_options

    if markdown and as_json:
        fail("give --markdown or --json, not both")
    try:
        # compared in the mode out/ was compiled in, as `ttgen check` recompiles
        all_cases, max_cases = recorded_options(out_dir)
        result = diff_masters(old, new, out_dir, all_cases=all_cases, max_cases=max_cases)
    except (TraceFormatError, CompileError, FormatError) as e:
        fail(str(e))
    if as_json:
        # ASCII-escaped like every --json: trace strings never reach a terminal raw (json leaves
        # DEL as it is; it can only stand inside a string, where its escape means the same)
        text = json.dumps(diff_document(result), indent=2, sort_keys=True, ensure_ascii=True)
        sys.stdout.write(text.replace("\x7f", "\\u007f") + "\n")
    elif markdown:
        sys.stdout.write(render_markdown(result))
    else:
        # Console.out: no markup, emoji codes or wrapping applied to trace text
        out.out(render_text(result), end="", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("diff")(diff_cmd)
