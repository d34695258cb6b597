"""`ttgen show`, `ttgen stats`, `ttgen version` and `ttgen signatures dump`: reading inputs."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from ttgen import __version__
from ttgen.analyze.describe import describe_execution, describe_value
from ttgen.analyze.stats import operations_overview, stats_document
from ttgen.cli.console import err, fail, out
from ttgen.cli.options import JsonOption, MasterOption, emit_json, load, master_path
from ttgen.model import OpConfig, resolve_op_query
from ttgen.model.serialize import config_to_json
from ttgen.terminal import clean


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
    from ttgen.signatures.dump import DumpError, dump_catalog, write_catalog, write_class_table

    try:
        catalog, class_table = dump_catalog(python)
    except DumpError as e:
        fail(str(e))
    path = write_catalog(catalog, out_path)
    # beside an explicit --out, else the committed table that ttgen.facts.classes reads
    table_path = write_class_table(class_table, out_path.with_suffix(".classes.json") if out_path else None)
    overloads = sum(len(o.overloads) for o in catalog.operations)
    out.print(
        f"ttnn {catalog.ttnn_version}: {len(catalog.operations)} operations, {overloads} overloads -> {path}; "
        f"{len(class_table['classes'])} config classes -> {table_path}"
    )


def version() -> None:
    """Print ttgen's version."""
    out.print(__version__)


def show(
    op: Annotated[str | None, typer.Argument(help="Operation: add, ttnn.add or ttnn::add.")] = None,
    master: MasterOption = None,
    as_json: JsonOption = False,
) -> None:
    """Without OP: every operation with its configuration and execution counts.
    With OP: every configuration of OP, readable, with provenance."""
    master = master_path(master)
    result = load(master)
    m = result.master()
    if result.rejections:
        err.print(f"ttgen: {len(result.rejections)} configuration(s) rejected; see: ttgen stats {clean(str(master))}")
    if op is None:
        rows = operations_overview(result)
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
        totals = (sum(r["configurations"] for r in rows), sum(r["executions"] for r in rows))
        table.add_row(Text(f"{len(rows)} operations"), *(str(n) for n in totals))
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
        excluded = sum(c["excluded"].values())
        out.print(
            f"compile: {c['configurations']} unique configurations, {c['bound']} bound, {c['rejected']} rejected"
            + (f"; {excluded} infrastructure calls excluded" if excluded else "")
        )
        for r in c["rejections"]:
            out.print(f"  not compiled: {clean(r['operation'])} at {clean(r['pointer'])}: {clean(r['reason'])}")
        out.print("")
    t = doc["total"]
    out.print(
        f"total: {t['configurations']} configurations, {t['parsed']} parsed, {t['rejected']} rejected; "
        f"compile: {t['bound']} bound, {t['compile_rejected']} rejected"
    )


def register(app: typer.Typer) -> None:
    app.command("version")(version)
    app.command("show")(show)
    app.command("stats")(stats)
    signatures = typer.Typer(help="The op signature catalog (sweeps_src/signatures/).", no_args_is_help=True)
    signatures.command("dump")(signatures_dump)
    app.add_typer(signatures, name="signatures")
