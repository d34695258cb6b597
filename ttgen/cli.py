"""`ttgen` command line: thin wrappers that parse options and call library functions."""

from __future__ import annotations

import difflib
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from loguru import logger
from rich.table import Table
from rich.text import Text

from ttgen import __version__
from ttgen.analyze.describe import describe_execution, describe_value
from ttgen.analyze.stats import stats_document
from ttgen.cli_console import err, fail, out
from ttgen.cli_diff import register as register_diff_commands
from ttgen.cli_run import register as register_runner_commands
from ttgen.cli_trace import register as register_trace_commands
from ttgen.ingest import IngestResult, TraceFormatError, ingest_path
from ttgen.model import OpConfig, resolve_op_query
from ttgen.model.serialize import config_to_json
from ttgen.terminal import clean

DEFAULT_MASTER = Path("traced_operations/ttnn_operations_master.json")

app = typer.Typer(
    name="ttgen",
    help="Compile traced TT-NN op configurations into typed, reviewable tests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


MasterOption = Annotated[
    Path, typer.Option("--master", help="Master JSON (any era), per-call trace directory or graph report.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout (schema in README).")]


def load(path: Path) -> IngestResult:
    try:
        return ingest_path(path)
    except TraceFormatError as e:
        fail(str(e))


def emit_json(doc: Any) -> None:
    # ASCII-escaped: trace strings reach the terminal as \u escapes, never as raw control codes
    sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=True) + "\n")


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging on stderr.")] = False,
) -> None:
    logger.remove()
    logger.add(sys.stderr, level="DEBUG" if verbose else "WARNING", format="{level}: {message}")


signatures_app = typer.Typer(help="The op signature catalog (sweeps_src/signatures/).", no_args_is_help=True)
app.add_typer(signatures_app, name="signatures")


@signatures_app.command("dump")
def signatures_dump(
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Default: sweeps_src/signatures/ttnn-<version>.json")
    ] = None,
    python: Annotated[
        str | None,
        typer.Option("--python", help="Interpreter with a real ttnn (default: $TTGEN_TTNN_PYTHON or this one)."),
    ] = None,
) -> None:
    """Introspect a real, importable ttnn (no device needed) and write its signature catalog."""
    from ttgen.signatures.dump import DumpError, dump_catalog, write_catalog

    try:
        catalog = dump_catalog(python)
    except DumpError as e:
        fail(str(e))
    path = write_catalog(catalog, out_path)
    overloads = sum(len(o.overloads) for o in catalog.operations)
    out.print(f"ttnn {catalog.ttnn_version}: {len(catalog.operations)} operations, {overloads} overloads -> {path}")


OutOption = Annotated[Path, typer.Option("--out", help="Directory of generated code (a Python package).")]
DEFAULT_OUT = Path("generated")


def _compilation(master: Path, out: Path, all_cases: bool = False, max_cases: int | None = None) -> Any:
    from ttgen.compile.all_cases import DEFAULT_MAX_CASES
    from ttgen.compile.compiler import CompileError, compile_master
    from ttgen.compile.fmt import FormatError

    try:
        return compile_master(
            master, out, all_cases=all_cases, max_cases=DEFAULT_MAX_CASES if max_cases is None else max_cases
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


def _summary(comp: Any) -> None:
    rejected = comp.rejections
    ops = sum(1 for r in comp.reports if r.cases)
    out.print(
        f"{comp.master}: {len(comp.reports)} ops, {comp.configurations} configurations: "
        f"{comp.cases} cases in {ops} ops, {len(rejected)} rejected"
    )
    ingest_rejected = comp.ingest.rejections if comp.ingest is not None else []
    if ingest_rejected:
        out.print(f"  and {len(ingest_rejected)} configurations rejected when read (see: ttgen stats)")
    by_reason: dict[str, list[Any]] = {}
    for r in rejected:
        by_reason.setdefault(r.reason, []).append(r)
    for reason, items in sorted(by_reason.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        ops_named = ", ".join(sorted({clean(i.operation) for i in items}))
        out.print(f"  rejected {len(items)}: {clean(reason)} [{ops_named}]")
    expansions = [r for r in comp.reports if r.expansion is not None]
    if expansions:
        combos = sum(r.expansion.combinations for r in expansions)
        too_large = sum(r.expansion.not_expanded for r in expansions)
        over_cap = sum(r.expansion.over_cap for r in expansions)
        enumerated = sum(r.expansion.enumerated for r in expansions)
        added = sum(r.combinations for r in expansions)
        pruned: dict[str, int] = {}
        for r in expansions:
            for reason, n in r.expansion.pruned.items():
                pruned[reason] = pruned.get(reason, 0) + n
        n_pruned = sum(pruned.values())
        out.print(
            f"all-cases: {combos} combinations of traced values; {enumerated} enumerated: "
            f"{added} new cases, {n_pruned} pruned as invalid, {enumerated - added - n_pruned} already traced"
        )
        if too_large or over_cap:
            out.print(
                f"  not enumerated: {too_large + over_cap} ({too_large} in groups over the per-group limit, "
                f"{over_cap} over the cap of {comp.max_cases} new cases, --max-cases)"
            )
        for reason, n in sorted(pruned.items(), key=lambda kv: (-kv[1], kv[0])):
            out.print(f"  pruned {n}: {clean(reason)}")
        for r in expansions:
            for note in r.expansion.capped:
                out.print(f"  {clean(r.op)}: {note}")


@app.command("compile")
def compile_cmd(
    op: Annotated[
        list[str] | None, typer.Option("--op", help="Operation(s) to compile: add, ttnn.add, ttnn::add.")
    ] = None,
    all_ops: Annotated[bool, typer.Option("--all", help="Every operation of the master.")] = False,
    master: MasterOption = DEFAULT_MASTER,
    out_dir: OutOption = DEFAULT_OUT,
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

    if bool(op) == all_ops:
        fail("give --op OP (one or more) or --all")
    _output_folder(out_dir)
    comp = _compilation(master, out_dir, all_cases, max_cases)
    only = None
    if op:
        known = tuple(r.op for r in comp.reports)
        only = []
        for q in op:
            name = resolve_op_query(q, known)
            if name is None:
                fail(f"no operation {q!r} in {master.as_posix()}")
            only.append(name)
    try:
        report = write(comp, only)
    except OutputError as e:
        fail(str(e))
    if only is None:
        remember(comp)
    _summary(comp)
    out.print(
        f"wrote {len(report.written)} file(s), {len(report.unchanged)} unchanged, "
        f"{len(report.removed)} removed under {out_dir.as_posix()}/"
    )
    for rel in report.kept:
        out.print(f"  kept {out_dir.as_posix()}/{rel}: no longer generated, but it is not ttgen's any more")


@app.command()
def check(master: MasterOption = DEFAULT_MASTER, out_dir: OutOption = DEFAULT_OUT) -> None:
    """Exit 1, with a unified diff and a reason per file, when generated code is stale, missing,
    orphaned or hand-edited, or the folder holds files ttgen did not write; 0 when it is exactly
    what `ttgen compile --all` would write. Skips recompiling only when this machine's own compile
    recorded exactly these bytes (outside the folder)."""
    from ttgen.compile.outputs import check as check_files
    from ttgen.compile.outputs import recorded_options, remember, up_to_date

    _output_folder(out_dir)
    all_cases, max_cases = recorded_options(out_dir)
    mode = f" (--all-cases --max-cases {max_cases}, as {out_dir.as_posix()}/MANIFEST.json records)" if all_cases else ""
    recorded = up_to_date(master, out_dir, all_cases, max_cases)
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


@app.command()
def conformance(as_json: JsonOption = False) -> None:
    """Agreement of ttgen's emulator with the real ttnn 0.81.1, from answers recorded on mock
    devices (tests/conformance/): host dtype round trips bit for bit, and tensor placements
    (accept/reject, error class and message, resulting spec) on Wormhole and Blackhole, and
    every generated case's output spec, error or skip reason on both.
    Exit 1 on any disagreement, each listed by case."""
    from ttgen.conformance import roundtrips, specs

    sections: dict[str, tuple[int, list[roundtrips.Disagreement]]] = {
        "roundtrips": roundtrips.compare(roundtrips.load())
    }
    for arch in ("wormhole_b0", "blackhole"):
        sections[f"placements_{arch}"] = specs.compare(specs.load(arch))
    from ttgen.conformance import ops

    archs = ("wormhole_b0", "blackhole")
    verdicts = dict(zip(archs, ops.compare_all([ops.load(a) for a in archs]), strict=True))
    for arch, verdict in verdicts.items():
        sections[f"op_outputs_{arch}"] = (verdict.compared, verdict.found)
    titles = {
        "roundtrips": "host dtype round trips (bit-exact)",
        "placements_wormhole_b0": "tensor placements on Wormhole N150 (verdict, error class and message, spec)",
        "placements_blackhole": "tensor placements on Blackhole P150 (verdict, error class and message, spec)",
        "op_outputs_wormhole_b0": "generated cases on Wormhole N150 (output spec, error or skip reason)",
        "op_outputs_blackhole": "generated cases on Blackhole P150 (output spec, error or skip reason)",
    }
    doc: dict[str, dict[str, Any]] = {
        name: {
            "compared": compared,
            "agree": compared - len(found),
            "disagreements": [{"case": d.case, "detail": d.detail} for d in found],
        }
        for name, (compared, found) in sections.items()
    }
    for arch, verdict in verdicts.items():
        doc[f"op_outputs_{arch}"]["not_emulated"] = verdict.not_emulated
        doc[f"op_outputs_{arch}"]["ttnn_answers"] = verdict.kinds
    if as_json:
        emit_json(doc)
    else:
        for name, section in doc.items():
            answers = section.get("ttnn_answers")
            detail = (
                f" ({', '.join(f'{n} {k.replace(chr(95), chr(32))}' for k, n in answers.items())})" if answers else ""
            )
            out.print(f"{titles[name]}: {section['agree']}/{section['compared']} agree{detail}")
            for d in section["disagreements"]:
                out.print(f"  {clean(d['case'])}: {clean(d['detail'])}")
            for case in section.get("not_emulated", []):
                out.print(f"  not emulated: {clean(case)}")
    if any(section["disagreements"] for section in doc.values()):
        raise typer.Exit(1)


@app.command()
def version() -> None:
    """Print ttgen's version."""
    out.print(__version__)


@app.command()
def show(
    op: Annotated[str | None, typer.Argument(help="Operation: add, ttnn.add or ttnn::add.")] = None,
    master: MasterOption = DEFAULT_MASTER,
    as_json: JsonOption = False,
) -> None:
    """Without OP: every operation with its configuration and execution counts.
    With OP: every configuration of OP, readable, with provenance."""
    result = load(master)
    m = result.master()
    if result.rejections:
        err.print(f"ttgen: {len(result.rejections)} configuration(s) rejected; see: ttgen stats {clean(str(master))}")
    if op is None:
        rows = [
            {"operation": name, "configurations": len(cs), "executions": sum(c.execution_count for c in cs)}
            for name, cs in m.operations
        ]
        if as_json:
            emit_json({"master": master.as_posix(), "format": result.format, "operations": rows})
            return
        table = Table(title=f"{clean(master.as_posix())} ({result.format})")
        table.add_column("operation")
        table.add_column("configurations", justify="right")
        table.add_column("executions", justify="right")
        for row in rows:
            table.add_row(Text(str(row["operation"])), str(row["configurations"]), str(row["executions"]))
        table.add_section()
        table.add_row(
            Text(f"{len(rows)} operations"),
            str(m.total_configurations),
            str(sum(int(str(r["executions"])) for r in rows)),
        )
        out.print(table)
        return
    name = resolve_op_query(op, m.op_names)
    if name is None:
        close = difflib.get_close_matches(op, [n.removeprefix("ttnn.") for n in m.op_names], n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        fail(f"no operation {op!r} in {master.as_posix()}{hint}")
    configs = m.configs(name)
    pointers = {id(c.config): c.pointer for c in result.configs}
    if as_json:
        emit_json(
            {
                "master": master.as_posix(),
                "operation": name,
                "configurations": [
                    {"id": c.short_id, "pointer": pointers.get(id(c), ""), **config_to_json(c)} for c in configs
                ],
            }
        )
        return
    total = sum(c.execution_count for c in configs)
    out.print(f"{name}: {len(configs)} configuration(s), {total} execution(s)\n")
    for i, c in enumerate(configs, 1):
        print_config(i, c, pointers.get(id(c), ""))


def print_config(index: int, c: OpConfig, pointer: str) -> None:
    ident = f" config_id={c.config_id}" if c.config_id is not None else ""
    out.print(f"[{index}] {c.short_id}{clean(ident)}  at {clean(pointer)}")
    for a in c.arguments:
        out.print(f"    {a.name}: {describe_value(a.value)}")
    if c.output is not None:
        out.print(f"    -> {describe_value(c.output)}")
    for e in c.executions:
        out.print(f"    from {describe_execution(e)}")
    out.print("")


@app.command()
def stats(
    paths: Annotated[list[Path], typer.Argument(help="Inputs: master JSONs, trace directories, graph reports.")],
    as_json: JsonOption = False,
) -> None:
    """Per input: configurations present, parsed and rejected (with reasons and JSON pointers).
    Exit 0 even when configurations are rejected; 2 when an input cannot be read."""
    results = [load(p) for p in paths]
    doc = stats_document(results)
    if as_json:
        emit_json(doc)
        return
    for f in doc["files"]:
        table = Table(title=f"{clean(f['path'])} ({f['format']})")
        table.add_column("operation")
        for col in ("configurations", "parsed", "rejected"):
            table.add_column(col, justify="right")
        for opname, counts in f["per_operation"].items():
            counts_row = (str(counts["configurations"]), str(counts["parsed"]), str(counts["rejected"]))
            table.add_row(Text(clean(opname)), *counts_row)
        table.add_section()
        table.add_row(
            Text(f"{f['operations']} operations"), str(f["configurations"]), str(f["parsed"]), str(f["rejected"])
        )
        out.print(table)
        declared = f["declared"]
        if declared["configurations"] is not None and declared["configurations"] != f["configurations"]:
            out.print(
                f"note: metadata declares {declared['configurations']} configurations; "
                f"the file holds {f['configurations']}"
            )
        for r in f["rejections"]:
            out.print(f"rejected {clean(r['operation'])} at {clean(r['pointer'])}: {clean(r['reason'])}")
        for note in f["notes"]:
            out.print(f"note: {clean(note)}")
        c = f["compile"]
        out.print(f"compile: {c['configurations']} unique configurations, {c['bound']} bound, {c['rejected']} rejected")
        for r in c["rejections"]:
            out.print(f"  not compiled: {clean(r['operation'])} at {clean(r['pointer'])}: {clean(r['reason'])}")
        out.print("")
    t = doc["total"]
    out.print(
        f"total: {t['configurations']} configurations, {t['parsed']} parsed, {t['rejected']} rejected; "
        f"compile: {t['bound']} bound, {t['compile_rejected']} rejected"
    )


register_runner_commands(app)
register_trace_commands(app)
register_diff_commands(app)

if __name__ == "__main__":  # pragma: no cover
    app()
