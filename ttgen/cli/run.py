"""`ttgen run`, `ttgen report`, `ttgen shard`: the runner's commands (registered on the app)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ttgen.cli.console import WIDTH, SafeConsole, err, fail, out
from ttgen.cli.options import backend_of, out_path, project, python_of
from ttgen.files import write_atomic
from ttgen.runner.discover import DiscoveryError, SweepModule, find_modules
from ttgen.runner.location import mask
from ttgen.runner.run import Selection, cases_of, execute, validate
from ttgen.runner.scheduler import RunAborted
from ttgen.runner.store import Result, StoreError, StoreLost
from ttgen.terminal import clean

if TYPE_CHECKING:
    from ttgen.runner.history import History
    from ttgen.runner.merge import MergeSummary
    from ttgen.runner.report import Reported

RESULTS_HELP = "The results store: a SQLite path or a postgresql:// URL."
ResultsOption = Annotated[str | None, typer.Option("--results", envvar="TTGEN_RESULTS", help=RESULTS_HELP)]
ManyResultsOption = Annotated[
    list[str] | None,
    typer.Option("--results", envvar="TTGEN_RESULTS", help=f"{RESULTS_HELP} Repeat it to read several stores as one."),
]


def _gather(
    locations: list[str], run_ids: list[int], depth: int
) -> tuple[list[Reported], list[History], MergeSummary | None]:
    """The runs to report with their results and history, and (for several stores) what
    combining them did: a store opened read-only, or several merged into one in memory."""
    from ttgen.runner.history import history
    from ttgen.runner.location import present
    from ttgen.runner.merge import combined
    from ttgen.runner.stores import open_store

    for location in locations:
        if not present(location):
            fail(f"{location}: no results store (run `ttgen run` first)")
    try:
        if len(locations) == 1:
            store, summary = open_store(locations[0], readonly=True), None
            wanted: list[int | None] = list(run_ids) or [None]
        else:
            if run_ids:
                fail("--run names runs of one store: merge the stores first (ttgen merge OUT STORE...)")
            store, summary = combined(locations)
            wanted = list(dict.fromkeys(s.latest for s in summary.sources if s.latest is not None))
        with store:
            runs = []
            for run_id in wanted:
                row = store.run(run_id)
                if row is None:
                    fail(f"{store.where}: no run {run_id}" if run_id else f"{store.where}: no runs yet")
                runs.append(row)
            if not runs:
                fail(f"{store.where}: no runs yet")
            reported = [(run, store.results(run["id"])) for run in runs]
            return reported, history(store, reported, depth), summary
    except StoreError as e:
        fail(str(e))


def _write(path: Path, text: str) -> None:
    try:
        write_atomic(path, text)
    except OSError as e:
        where = f" ({e.filename})" if e.filename and str(e.filename) != str(path) else ""
        fail(f"{path}: cannot write: {e.strerror or e}{where}")


def _stored_paths(run: dict[str, Any]) -> list[str]:
    try:
        paths = json.loads(run["selection"]).get("paths")
    except (ValueError, AttributeError):
        return []
    return [p for p in paths if isinstance(p, str)] if isinstance(paths, list) else []


def _case_keys(queries: list[str], folders: list[Path]) -> list[str]:
    """--case values as full keys: each may be an id (or a unique prefix), op:id or op:suite:id."""
    wanted = [q for item in queries for q in item.split(",") if q.strip()]
    if not wanted:
        return []
    from ttgen.runner.discover import find_modules, match_case, select

    try:
        known = select(find_modules(folders))
        return [match_case(q, known).key for q in wanted]
    except DiscoveryError as e:
        fail(str(e))


def _op_hint(sel: Selection) -> str:
    """For an --op that names no op here: the near misses, or the ops there are."""
    from ttgen.model import did_you_mean

    known = tuple(sorted({m.op for m in find_modules([Path(p) for p in sel.paths])}))
    missing = [q for q in sel.ops if q not in known and f"ttnn.{q}" not in known]
    return "".join(f" (--op {q}{did_you_mean(q, known) or ': no such op here'})" for q in missing)


def _resumed_paths(location: str) -> list[Path]:
    """The paths the unfinished run ran, when no path is given and they are all here (a store
    from elsewhere names paths this machine may not have: then the default applies)."""
    from ttgen.runner.location import present
    from ttgen.runner.stores import open_store

    if not present(location):
        return []
    try:
        with open_store(location, readonly=True) as store:
            row = store.unfinished_run()
    except StoreError:
        return []  # the resume itself reports the store's problem
    stored = [Path(p) for p in _stored_paths(row)] if row is not None else []
    return stored if stored and all(p.exists() for p in stored) else []


def results_of(given: str | None) -> str:
    """--results (or $TTGEN_RESULTS), else [tool.ttgen] results: a SQLite path or a URL."""
    chosen = given if given is not None else project().results
    if "://" in chosen or given is not None:
        return chosen
    return str(project().path(Path(chosen)))


def run_cmd(
    paths: Annotated[list[Path] | None, typer.Argument(help="Sweep modules or folders (default: generated/).")] = None,
    backend: Annotated[str | None, typer.Option(help="emu | ttnn (default: ttnn when importable, else emu).")] = None,
    op: Annotated[list[str] | None, typer.Option("--op", help="Only these ops (repeatable).")] = None,
    suite: Annotated[list[str] | None, typer.Option("--suite", help="Only these suites (repeatable).")] = None,
    case: Annotated[
        list[str] | None, typer.Option("--case", help="Only these case keys op:suite:id (comma-separated).")
    ] = None,
    shard: Annotated[str | None, typer.Option(help="I/N: the I-th of N disjoint shards (stable hash).")] = None,
    timeout: Annotated[float | None, typer.Option(help="Per-case deadline in s (default: module TIMEOUT_S).")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes, one per device slot.")] = 1,
    results: ResultsOption = None,
    resume: Annotated[bool, typer.Option(help="Continue the store's last unfinished run.")] = False,
    python: Annotated[str | None, typer.Option(help="Interpreter for the workers (e.g. a real-ttnn venv).")] = None,
    reset_cmd: Annotated[
        str | None, typer.Option(help="Run after a crash or hang (default: $TT_SMI_RESET_COMMAND).")
    ] = None,
    fail_fast: Annotated[bool, typer.Option(help="Stop at the first unexpected result.")] = False,
) -> None:
    """Run generated sweep cases in persistent, isolated workers; every result goes to the store."""
    from ttgen.runner.progress import reporter_for, summary_table

    folders = paths or (resume and _resumed_paths(results_of(results))) or [out_path(None)]
    sel = Selection(
        paths=[str(p) for p in folders],
        ops=op or [],
        suites=suite or [],
        shard=shard,
        cases=_case_keys(case or [], folders),
        backend=backend_of(backend),
        python=python_of(python),
        workers=workers,
        timeout=timeout,
        reset_cmd=reset_cmd,
        fail_fast=fail_fast,
    )
    try:
        validate(sel)
        if resume and (op or suite or shard or case):
            fail("--resume continues the stored run's cases: --op, --suite, --shard and --case do not apply")
        if not resume and not cases_of(sel):
            fail(f"no cases selected under {', '.join(sel.paths)}{_op_hint(sel)}")
    except (DiscoveryError, ValueError) as e:
        fail(str(e))
    console = SafeConsole(highlight=False, markup=False, soft_wrap=True, width=WIDTH)
    try:
        summary = execute(sel, results_of(results), resume=resume, reporter=reporter_for(console))
    except StoreLost as e:
        fail(str(e), 3)
    except (DiscoveryError, ValueError, StoreError) as e:
        fail(str(e))
    except RunAborted as e:
        if e.detail:  # the worker's traceback, as lines, before the one-line error
            for line in e.detail.rstrip().splitlines():
                err.print(clean(line))
        fail(f"run aborted (resume it with `ttgen run --resume`): {e}", 3)
    except KeyboardInterrupt:
        err.print("ttgen: interrupted; `ttgen run --resume` continues this run")
        raise typer.Exit(130) from None
    out.print(summary_table(summary.results, f"run {summary.run_id}: {summary.status}"))
    _print_failures_and_skips(summary.results)
    counts = ", ".join(f"{n} {s}" for s, n in sorted(summary.counts.items()))
    n = len(summary.results)
    out.print(f"{n} case{'s' * (n != 1)} ({counts}); {summary.ran_now} run now; results in {mask(results_of(results))}")
    if summary.unexpected:
        raise typer.Exit(1)


def report(
    results: ManyResultsOption = None,
    run: Annotated[
        list[int] | None, typer.Option("--run", help="Run id (repeatable: those runs together; default: the latest).")
    ] = None,
    history_depth: Annotated[
        int, typer.Option("--history", help="Earlier runs of the same backend and arch to compare with (0: none).")
    ] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")] = False,
    html: Annotated[Path | None, typer.Option("--html", help="Write a self-contained HTML page here.")] = None,
    export: Annotated[
        tuple[str, Path] | None,
        typer.Option("--export", help="FORMAT OUT; FORMAT is optest (upstream OpTest JSON)."),
    ] = None,
) -> None:
    """Per-op results of a run (or of the latest run of each of several stores, together):
    counts by status, worst PCC, slowest case, and the history: pass rate per op across runs, the
    cases that newly fail or newly pass."""
    from ttgen.runner.report import COLUMNS, op_rows, report_document, title

    if history_depth < 0:
        fail(f"--history {history_depth}: expected 0 or more runs")
    reported, histories, combined = _gather(results or [results_of(None)], run or [], history_depth)
    if combined is not None and not as_json:
        for line in combined.lines():
            err.print(f"combined {line}")
    rows = [r for _, rs in reported for r in rs]
    if html is not None:
        from ttgen.runner.html import render

        _write(html, render(reported, histories))
        err.print(f"wrote {html}")
    if export is not None:
        fmt, target = export
        if fmt != "optest":
            fail(f"--export {fmt!r}: the only format is optest")
        from ttgen.runner.optest import optest_records

        records = []
        for run_row, run_results in reported:
            paths = {m.name: str(m.path) for m in _modules_quietly(_stored_paths(run_row))}
            records += optest_records(run_row, run_results, paths)
        _write(target, json.dumps(records, indent=2) + "\n")
        err.print(f"wrote {target} ({len(records)} OpTest records)")
    if as_json:
        doc = report_document(reported, histories)
        if combined is not None:
            doc["sources"] = [
                {"store": s.where, "runs": s.runs, "results": s.results, "latest_run": s.latest}
                for s in combined.sources
            ]
        sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
        return
    from rich.table import Table

    table = Table(title=clean(title([run_row for run_row, _ in reported])))
    for name in ("op", "total", *COLUMNS, "worst PCC", "slowest case"):
        wide = name in ("op", "slowest case")  # long names wrap rather than lose their end
        table.add_column(name, justify="left" if wide else "right", overflow="fold" if wide else "ellipsis")
    for row in op_rows(rows):
        table.add_row(
            clean(row.op),
            str(row.total),
            *(str(n) for n in row.columns.values()),
            "" if row.worst_pcc is None else f"{row.worst_pcc:.6f}",
            clean(f"{row.slowest_case} ({(row.slowest_s or 0) * 1e3:.1f} ms)"),
        )
    out.print(table)
    _print_failures_and_skips(rows)
    for h in histories:
        _print_history(h)


SHOWN = 20  # failures listed one by one; the rest are counted


def _print_failures_and_skips(results: list[Result]) -> None:
    """Each unexpected result with its message and the command that reproduces it; the skips by
    reason (a mock device's "output spec matches ..." skips say what was checked)."""
    from ttgen.facts.status import UNEXPECTED

    failing = [r for r in results if r.status in UNEXPECTED]
    if failing:
        out.print(f"failing ({len(failing)}):")
    for r in failing[:SHOWN]:
        message = r.message.splitlines()[0] if r.message else ""
        out.print(clean(f"  {r.key}: {r.status}: {message}"))
        out.print(clean(f"    repro: ttgen repro {r.op}:{r.suite}:{r.case_id} -o repro_{r.case_id}.py"))
    if len(failing) > SHOWN:
        out.print(f"  ... and {len(failing) - SHOWN} more (ttgen report --json lists them all)")
    reasons: dict[str, int] = {}
    for r in results:
        if r.status == "SKIP":
            reason = r.message.splitlines()[0] if r.message else "(no reason given)"
            reasons[reason] = reasons.get(reason, 0) + 1
    if reasons:
        out.print(f"skipped ({sum(reasons.values())}), by reason:")
    for reason, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])):
        out.print(clean(f"  {n} × {reason}"))


def _print_history(h: History) -> None:
    from rich.table import Table

    from ttgen.runner.report import percent

    if not h.earlier:
        out.print(clean(f"history ({h.label}): no earlier run of this backend and arch"))
        return
    table = Table(
        title=clean(
            f"history ({h.label}): pass rate per op, {len(h.earlier)} earlier run{'' if len(h.earlier) == 1 else 's'}"
            f" and now;"
            f" {h.compared} cases compared with an earlier verdict"
        )
    )
    table.add_column("op")
    for past in h.earlier:
        table.add_column(f"run {past['id']}", justify="right")
    table.add_column("now", justify="right")
    for t in h.ops:
        table.add_row(clean(t.op), *(percent(rate) for rate in t.rates))
    out.print(table)
    for heading, changes in (("newly failing", h.newly_failing), ("newly passing", h.newly_passing)):
        out.print(f"{heading} ({len(changes)})" + (":" if changes else ""))
        for c in changes:
            out.print(clean(f"  {c.case}: {c.previous_status} (run {c.previous_run}) -> {c.status} (run {c.run})"))


def merge_cmd(
    target: Annotated[
        str, typer.Argument(metavar="OUT", help="The store to merge into: a SQLite path or a postgresql:// URL.")
    ],
    sources: Annotated[list[str], typer.Argument(metavar="STORE...", help="Stores whose runs are copied.")],
    as_json: Annotated[bool, typer.Option("--json", help="The counts as JSON on stdout.")] = False,
) -> None:
    """Copy every run of the stores (e.g. a CI matrix's SQLite files) into OUT, with new run ids;
    runs OUT already has (the same origin: host, run id, start) are not copied again."""
    from ttgen.runner.location import present
    from ttgen.runner.merge import merge

    for location in sources:
        if not present(location):
            fail(f"{location}: no results store")
    try:
        summary = merge(target, sources)
    except (StoreError, ValueError) as e:
        fail(str(e))
    if as_json:
        doc = {
            "target": summary.target,
            "before": summary.before,
            "after": summary.after,
            "copied": summary.copied,
            "by_other_writers": summary.others,
            "sources": [
                {
                    "store": s.where,
                    "runs": s.runs,
                    "runs_new": s.runs_new,
                    "runs_updated": s.runs_updated,
                    "results": s.results,
                    "results_copied": s.copied,
                    "first_attempts": s.notes,
                    "first_attempts_copied": s.notes_copied,
                    "run_ids": {str(k): v for k, v in s.ids.items()},
                }
                for s in summary.sources
            ],
        }
        sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
        return
    for line in summary.lines():
        out.print(clean(line))


def shard_cmd(
    paths: Annotated[list[Path] | None, typer.Argument(help="Sweep modules or folders (default: generated/).")] = None,
    results: ManyResultsOption = None,
    groups: Annotated[int, typer.Option(help="How many groups (CI jobs).")] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="Only the matrix JSON on stdout.")] = False,
) -> None:
    """Pack cases longest-first by recorded durations into N groups: a GitHub Actions matrix."""
    from ttgen.runner.location import present
    from ttgen.runner.merge import combined
    from ttgen.runner.shard import matrix, pack
    from ttgen.runner.stores import open_store

    sel = Selection(paths=[str(p) for p in (paths or [out_path(None)])])
    try:
        cases = cases_of(sel)
    except (DiscoveryError, ValueError) as e:
        fail(str(e))
    durations: dict[str, float] = {}
    locations = [loc for loc in results or [results_of(None)] if present(loc)]  # none yet: no durations
    try:
        if len(locations) == 1:
            with open_store(locations[0], readonly=True) as store:
                durations = store.durations()
        elif locations:
            merged, _ = combined(locations)
            with merged:
                durations = merged.durations()
    except StoreError as e:
        fail(str(e))
    try:
        packed = pack(cases, durations, groups)
    except ValueError as e:
        fail(str(e))
    doc = matrix(packed, sel.paths, [])
    if as_json:
        sys.stdout.write(json.dumps(doc) + "\n")
        return
    known = sum(1 for c in cases if c.key in durations)
    out.print(f"{len(cases)} cases ({known} with recorded durations) in {groups} groups:")
    for g in packed:
        out.print(f"  group {g.index}: {len(g.keys)} cases, ~{g.seconds:.2f} s")
    out.print(json.dumps(doc))


def _modules_quietly(paths: list[str]) -> list[SweepModule]:
    try:
        return find_modules([Path(p) for p in paths])
    except DiscoveryError:
        return []


def register(app: typer.Typer) -> None:
    app.command("run")(run_cmd)
    app.command()(report)
    app.command("shard")(shard_cmd)
    app.command("merge")(merge_cmd)
