"""`ttgen import` (and, as it lands, `ttgen trace` / `ttgen diff`): the retrace loop's commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ttgen.cli_console import fail, out
from ttgen.ingest import TraceFormatError, ingest_path

DEFAULT_MASTER = Path("traced_operations/ttnn_operations_master.json")


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_cmd(
        paths: Annotated[list[Path], typer.Argument(help="Masters (any era), per-call trace folders, graph reports.")],
        master: Annotated[Path, typer.Option("--master", help="The master to merge into.")] = DEFAULT_MASTER,
    ) -> None:
        """Merge other traces into the master: dedup by config_hash, executions merged (locked, atomic)."""
        from ttgen.analyze.describe import clean
        from ttgen.trace.masterfile import MasterRewriteError, merge_into_master

        configs = []
        rejected = 0
        for path in paths:
            try:
                result = ingest_path(path)
            except TraceFormatError as e:
                fail(str(e))
            present, parsed = sum(result.present.values()), sum(result.parsed.values())
            out.print(
                f"{path}: {result.format}, {present} present, {parsed} parsed, {len(result.rejections)} rejected"
                f" ({len(result.configs)} unique configurations)"
            )
            for r in result.rejections:
                out.print(f"  rejected {clean(r.operation)} at {clean(r.pointer)}: {clean(r.reason)}")
            configs += [located.config for located in result.configs]
            rejected += len(result.rejections)
        try:
            stats = merge_into_master(master, configs)
        except MasterRewriteError as e:
            fail(str(e))
        out.print(
            f"{master}: {stats.added} configurations added, {stats.merged} already present (executions merged),"
            f" {rejected} rejected inputs not merged"
        )
