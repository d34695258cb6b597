"""`ttgen trace` and `ttgen import`: the retrace loop's commands that write the master."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from ttgen.cli_console import fail, out
from ttgen.ingest import TraceFormatError, ingest_path

DEFAULT_MASTER = Path("traced_operations/ttnn_operations_master.json")


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{op} ×{n}" for op, n in sorted(counter.items()))


def register(app: typer.Typer) -> None:
    @app.command("trace")
    def trace_cmd(
        pytest_args: Annotated[
            list[str] | None, typer.Argument(help="pytest's arguments, after `--` (tests, -k, ...).")
        ] = None,
        master: Annotated[Path, typer.Option("--master", help="The master to merge into.")] = DEFAULT_MASTER,
        backend: Annotated[
            str | None, typer.Option("--backend", help="emu or ttnn (default: ttnn when importable, else emu).")
        ] = None,
        python: Annotated[
            str | None, typer.Option("--python", help="Run the tests under this interpreter (e.g. a real-ttnn venv).")
        ] = None,
        keep: Annotated[
            Path | None, typer.Option("--keep", help="Keep the per-call records (upstream's format) in this folder.")
        ] = None,
    ) -> None:
        """Run tests and record every ttnn op call of the tests that pass; merge them into the master
        as a re-trace of those tests (their executions replaced; configurations no test uses any
        more removed). Exit status: pytest's (1 when a test failed; its calls are not kept)."""
        from ttgen.trace.masterfile import MasterRewriteError
        from ttgen.trace.run import TraceError, trace

        if backend not in (None, "emu", "ttnn"):
            fail(f"--backend {backend!r}: expected emu or ttnn")
        try:
            report = trace(pytest_args or [], master, backend=backend, python=python, keep=keep)
        except (TraceError, MasterRewriteError, TraceFormatError) as e:
            fail(str(e))
        except OSError as e:
            fail(f"{e.filename or master}: {e.strerror}")
        counts = report.counts
        machine = report.machine_info or {}
        where = " ".join(str(machine[k]) for k in ("board_type", "device_series") if machine.get(k))
        out.print(
            f"traced {len(report.statuses)} tests on {report.backend}{f' ({where})' if where else ''}: "
            + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        )
        out.print(
            f"  {sum(report.recorded.values())} op calls recorded from tests that passed"
            f" ({len(report.configurations)} unique configurations)"
            f"; {report.dropped} calls of tests that did not pass not kept"
        )
        if report.infrastructure:
            out.print(f"  infrastructure calls not recorded: {_counts(report.infrastructure)}")
        if report.raised:
            out.print(f"  calls that raised, not recorded: {_counts(report.raised)}")
        if report.outside:
            out.print(f"  calls outside any test (import, session teardown), not recorded: {_counts(report.outside)}")
        for u in report.unrecordable:
            out.print(f"  not recorded, a value could not be serialized: {u['op']} in {u['test']}: {u['error']}")
        for r in report.rejections:
            out.print(f"  rejected {r.operation} in {r.pointer}: {r.reason}")
        stats = report.stats
        if stats is not None:
            out.print(
                f"{master}: {stats.added} configurations added, {stats.merged} already present,"
                f" {stats.removed} removed (no longer traced)" + ("" if stats.changed else "; unchanged")
            )
            for source in sorted(stats.gone):
                out.print(f"  executions of {source} dropped: the test no longer exists")
            for op in sorted(set(stats.by_op) | set(stats.removed_by_op)):
                out.print(f"  {op}: +{stats.by_op.get(op, 0)} −{stats.removed_by_op.get(op, 0)}")
        if report.pytest_exit != 0:
            raise typer.Exit(report.pytest_exit)

    @app.command("import")
    def import_cmd(
        paths: Annotated[list[Path], typer.Argument(help="Masters (any era), per-call trace folders, graph reports.")],
        master: Annotated[Path, typer.Option("--master", help="The master to merge into.")] = DEFAULT_MASTER,
    ) -> None:
        """Merge other traces into the master: dedup by config_hash, executions merged (locked, atomic)."""
        from ttgen.terminal import clean
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
