"""`ttgen trace` and `ttgen import`: the retrace loop's commands that write the master."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ttgen.cli.console import fail, out
from ttgen.cli.options import backend_of, master_path, python_of
from ttgen.ingest import TraceFormatError, ingest_path
from ttgen.terminal import clean

if TYPE_CHECKING:
    from ttgen.trace.merge import MergeStats


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{clean(op)} ×{n}" for op, n in sorted(counter.items()))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _not_run(stats: MergeStats) -> None:
    """Tests under the traced paths that did not run: kept (why, by file) or gone (each named)."""
    from ttgen.trace.merge import kept_groups

    if stats.kept or stats.gone:
        out.print(
            f"  not run this time: {_plural(len(stats.kept), 'test')} kept their executions"
            f" ({stats.kept_executions}), {_plural(len(stats.gone), 'test')} removed as gone"
            f" ({stats.gone_executions} executions)"
        )
    for g in kept_groups(stats):
        where = "deselected" if g.group == "deselected" else "in " + clean(g.group)
        detail = "" if g.group == "deselected" else f", not collected: {clean(g.reason)}"
        out.print(f"  kept the executions of {_plural(len(g.sources), 'test')} {where} ({g.executions}){detail}")
    for source in sorted(stats.gone):
        out.print(f"  executions of {clean(source)} dropped: the test no longer exists ({clean(stats.gone[source])})")


def _identities(stats: MergeStats) -> None:
    """Conflicts (a hash that arrived with other arguments) and updated observations."""
    for c in stats.conflicts:
        out.print(
            f"  conflict: {clean(c.operation)} config_hash {clean(c.config_hash)} from {clean(c.incoming)} has other"
            f" arguments than the configuration holding it at {clean(c.holder)}; kept apart as {c.assigned}"
            " (ttgen's hash of its arguments), not merged"
        )
    for u in stats.updates:
        out.print(
            f"  {u.field} of {clean(u.operation)} {clean(u.config_hash)} updated: the newer observation,"
            f" from {clean(u.incoming)}, wins"
        )


def _master_error(master: Path, e: OSError) -> str:
    where = e.filename if e.filename is not None else master
    return f"{where}: {e.strerror or e}; the master was not changed"


def trace_cmd(
    pytest_args: Annotated[
        list[str] | None, typer.Argument(help="pytest's arguments, after `--` (tests, -k, ...).")
    ] = None,
    master: Annotated[
        Path | None, typer.Option("--master", help="The master to merge into (default: [tool.ttgen] master).")
    ] = None,
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
    master = master_path(master)
    from ttgen.trace.masterfile import MasterRewriteError
    from ttgen.trace.run import TraceError, trace

    if not pytest_args:
        fail("give the tests to trace after --, e.g. ttgen trace -- tests/test_model.py (pytest's arguments)")
    backend, python = backend_of(backend), python_of(python)
    try:
        report = trace(pytest_args or [], master, backend=backend, python=python, keep=keep)
    except (TraceError, MasterRewriteError, TraceFormatError) as e:
        fail(str(e))
    except OSError as e:
        fail(_master_error(master, e))
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
        out.print(
            f"  not recorded, a value could not be serialized: {clean(u['op'])} in {clean(u['test'])}:"
            f" {clean(u['error'])}"
        )
    for r in report.rejections:
        out.print(f"  rejected {clean(r.operation)} in {clean(r.pointer)}: {clean(r.reason)}")
    stats = report.stats
    if stats is not None:
        out.print(
            f"{clean(str(master))}: {stats.added} configurations added, {stats.merged} already present,"
            f" {stats.removed} removed (no longer traced)" + ("" if stats.changed else "; unchanged")
        )
        _not_run(stats)
        _identities(stats)
        for op in sorted(set(stats.by_op) | set(stats.removed_by_op)):
            out.print(f"  {op}: +{stats.by_op.get(op, 0)} −{stats.removed_by_op.get(op, 0)}")
    if report.pytest_exit != 0:
        raise typer.Exit(report.pytest_exit)


def import_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Masters (any era), per-call trace folders, graph reports.")],
    master: Annotated[
        Path | None, typer.Option("--master", help="The master to merge into (default: [tool.ttgen] master).")
    ] = None,
) -> None:
    """Merge other traces into the master: dedup by config_hash, executions merged (locked, atomic)."""
    master = master_path(master)
    from ttgen.trace.masterfile import MasterRewriteError, merge_into_master

    configs = []
    where: list[str] = []
    rejected = 0
    for path in paths:
        try:
            result = ingest_path(path)
        except TraceFormatError as e:
            fail(str(e))
        present, parsed = sum(result.present.values()), sum(result.parsed.values())
        out.print(
            f"{clean(str(path))}: {result.format}, {present} present, {parsed} parsed,"
            f" {len(result.rejections)} rejected ({len(result.configs)} unique configurations)"
        )
        for r in result.rejections:
            out.print(f"  rejected {clean(r.operation)} at {clean(r.pointer)}: {clean(r.reason)}")
        configs += [located.config for located in result.configs]
        where += [f"{path} at {located.pointer}" for located in result.configs]
        rejected += len(result.rejections)
    try:
        stats = merge_into_master(master, configs, where=where)
    except (MasterRewriteError, TraceFormatError) as e:
        fail(str(e))
    except OSError as e:
        fail(_master_error(master, e))
    out.print(
        f"{clean(str(master))}: {stats.added} configurations added, {stats.merged} already present"
        f" (executions merged), {rejected} rejected inputs not merged"
        + (f", {_plural(len(stats.conflicts), 'conflict')} kept apart" if stats.conflicts else "")
    )
    _identities(stats)


def register(app: typer.Typer) -> None:
    app.command("trace")(trace_cmd)
    app.command("import")(import_cmd)
