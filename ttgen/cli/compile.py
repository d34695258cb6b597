"""`ttgen compile` and `ttgen check`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ttgen.cli.console import fail, out
from ttgen.cli.options import MasterOption, OutOption, master_path, out_path, sweeps_overlay
from ttgen.ingest import TraceFormatError
from ttgen.model import did_you_mean, resolve_op_query
from ttgen.terminal import clean, count

if TYPE_CHECKING:
    from ttgen.compile.compiler import Compilation
    from ttgen.compile.summary import CompileSummary
    from ttgen.compile.sweeps_src import SweepsData


def sweeps_data() -> SweepsData:
    """The built-in sweeps data with the repository's overlay ([tool.ttgen] sweeps_src)."""
    from ttgen.compile.sweeps_src import SweepsDataError, load_sweeps_data

    try:
        return load_sweeps_data(overlay=sweeps_overlay())
    except SweepsDataError as e:
        fail(str(e))


def _compilation(master: Path, out: Path, all_cases: bool = False, max_cases: int | None = None) -> Compilation:
    from ttgen.compile.all_cases import DEFAULT_MAX_CASES
    from ttgen.compile.compiler import CompileError, compile_master
    from ttgen.compile.fmt import FormatError

    try:
        return compile_master(
            master,
            out,
            data=sweeps_data(),
            all_cases=all_cases,
            max_cases=DEFAULT_MAX_CASES if max_cases is None else max_cases,
        )
    except TraceFormatError as e:
        fail(str(e))
    except (CompileError, FormatError) as e:
        fail(str(e))


def _output_folder(out_dir: Path) -> None:
    """Refuse an output folder before reading the master (one line, exit 2)."""
    from ttgen.compile.outdir import OutputError, refuse_output_folder

    try:
        refuse_output_folder(out_dir)
    except OutputError as e:
        fail(str(e))


def print_summary(s: CompileSummary) -> None:
    out.print(
        f"{s.master}: {count(s.operations, 'op')}, {count(s.configurations, 'configuration')}: "
        f"{count(s.cases, 'case')} in {count(s.operations_with_cases, 'op')}, {s.rejected} rejected"
    )
    if s.excluded:
        ops = ", ".join(f"{clean(op)} {n}" for op, n in s.excluded.items())
        out.print(f"  and {sum(s.excluded.values())} infrastructure configurations not compiled ({ops})")
    if s.read_rejected:
        out.print(f"  and {s.read_rejected} configurations rejected when read (see: ttgen stats)")
    for g in s.groups:
        out.print(f"  rejected {g.count}: {clean(g.reason)} [{', '.join(clean(o) for o in g.operations)}]")
    a = s.all_cases
    if a is None:
        return
    out.print(
        f"all-cases: {a.combinations} combinations of traced values; {a.enumerated} enumerated: "
        f"{a.added} new cases, {sum(a.pruned.values())} pruned as invalid, {a.already_traced} already traced"
    )
    if a.too_large or a.over_cap:
        out.print(
            f"  not enumerated: {a.too_large + a.over_cap} ({a.too_large} in groups over the per-group limit, "
            f"{a.over_cap} over the cap of {a.max_cases} new cases, --max-cases)"
        )
    for reason, n in a.pruned.items():
        out.print(f"  pruned {n}: {clean(reason)}")
    for op, note in a.capped:
        out.print(f"  {clean(op)}: {note}")


def compile_cmd(
    op: Annotated[
        list[str] | None, typer.Option("--op", help="Operation(s) to compile: add, ttnn.add, ttnn::add.")
    ] = None,
    all_ops: Annotated[bool, typer.Option("--all", help="Every operation of the master.")] = False,
    master: MasterOption = None,
    out_dir: OutOption = None,
    all_cases: Annotated[
        bool,
        typer.Option(
            "--all-cases",
            help="Also the Cartesian product of traced values per parameter, pruned by ttnn's validity rules.",
        ),
    ] = False,
    max_cases: Annotated[
        int,
        typer.Option(
            "--max-cases",
            min=0,
            help="With --all-cases: at most this many new cases over all ops; the combinations left are counted"
            " and named per op, not enumerated.",
        ),
    ] = 10_000,
) -> None:
    """Compile traced configurations into sweep modules and pytest files (writes only what changed;
    never overwrites or removes a file ttgen did not write)."""
    from ttgen.compile.outdir import OutputError
    from ttgen.compile.outputs import remember, write
    from ttgen.compile.summary import summarize

    if op and all_ops:
        fail("--op and --all exclude each other: give one")
    if not op and not all_ops:
        fail("give --op OP (one or more) or --all")
    master, out_dir = master_path(master), out_path(out_dir)
    _output_folder(out_dir)
    comp = _compilation(master, out_dir, all_cases, max_cases)
    only = None
    if op:
        known = tuple(r.op for r in comp.reports)
        only = []
        for q in op:
            name = resolve_op_query(q, known)
            if name is None:
                fail(f"no operation {q!r} in {master.as_posix()}{did_you_mean(q, known)}")
            only.append(name)
    try:
        report = write(comp, only)
    except OutputError as e:
        fail(str(e))
    if only is None:
        remember(comp)
    print_summary(summarize(comp, only))
    out.print(
        f"wrote {len(report.written)} file(s), {len(report.unchanged)} unchanged, "
        f"{len(report.removed)} removed under {out_dir.as_posix()}/"
    )
    for rel in report.kept:
        out.print(f"  kept {out_dir.as_posix()}/{rel}: no longer generated, but it is not ttgen's any more")


def check_cmd(master: MasterOption = None, out_dir: OutOption = None) -> None:
    """Exit 1, with a unified diff and a reason per file, when generated code is stale, missing,
    orphaned or hand-edited, or the folder holds files ttgen did not write; 0 when it is exactly
    what `ttgen compile --all` would write. Skips recompiling only when this machine's own compile
    recorded exactly these bytes (outside the folder)."""
    master, out_dir = master_path(master), out_path(out_dir)
    from ttgen.compile.outputs import check as check_files
    from ttgen.compile.outputs import recorded_options, remember, up_to_date

    _output_folder(out_dir)
    all_cases, max_cases = recorded_options(out_dir)
    mode = f" (--all-cases --max-cases {max_cases}, as {out_dir.as_posix()}/MANIFEST.json records)" if all_cases else ""
    recorded = up_to_date(master, out_dir, all_cases, max_cases, sweeps_data())
    if recorded is not None:
        rejected = [r for r in recorded.get("rejected", []) if isinstance(r, dict)]
        n_rejected = sum(r["count"] for r in rejected if isinstance(r.get("count"), int))
        out.print(
            f"{out_dir.as_posix()}/ is up to date with {recorded.get('master')}{mode}: "
            f"{recorded.get('operations')} ops, {recorded.get('configurations')} configurations, "
            f"{recorded.get('cases')} cases, {n_rejected} rejected (every file is what this machine's compile"
            " of the same inputs wrote)"
        )
        for r in rejected:
            ops = ", ".join(clean(str(o)) for o in r.get("operations", []))
            out.print(f"  rejected {r.get('count')}: {clean(str(r.get('reason')))} [{ops}]")
        return
    comp = _compilation(master, out_dir, all_cases, max_cases)
    try:
        findings = check_files(comp)
    except OSError as e:
        fail(f"{out_dir.as_posix()}: cannot read the output folder: {e.strerror or e}")
    if not findings:
        remember(comp)
        out.print(
            f"{out_dir.as_posix()}/ is up to date with {comp.master}{mode} "
            f"({comp.cases} cases; compared with a fresh compile)"
        )
        return
    for f in findings:
        sys.stdout.write(clean(f.diff, keep_newlines=True))
    for f in findings:
        out.print(f"{out_dir.as_posix()}/{clean(f.path)}: {f.reason}: {f.detail}")
    stale = [f for f in findings if f.regenerates]
    if stale:
        again = f" --all-cases --max-cases {max_cases}" if all_cases else ""
        out.print(
            f"{len(stale)} file(s) out of date; regenerate with: ttgen compile --all --master {comp.master}"
            f" --out {out_dir.as_posix()}{again}"
        )
    if len(stale) < len(findings):
        out.print(
            f"{len(findings) - len(stale)} file(s) under {out_dir.as_posix()}/ that ttgen did not write there: move"
            " them out (compile never overwrites or removes them)"
        )
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("compile")(compile_cmd)
    app.command("check")(check_cmd)
