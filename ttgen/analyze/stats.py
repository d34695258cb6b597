"""The `ttgen stats` report: per input, what was present, parsed and rejected (and why), and
what the compiler makes of the parsed configurations (bound into cases, or rejected).

JSON schema (stable; README "ttgen stats --json"):
{"files": [{"path", "format", "operations", "configurations", "parsed", "rejected",
            "unique_configurations", "declared": {"operations", "configurations"},
            "per_operation": {op: {"configurations", "parsed", "rejected"}},
            "rejections": [{"operation", "pointer", "reason"}], "notes": [str],
            "compile": {"configurations", "bound", "rejected", "rejections": [...]}}],
 "total": {"files", "configurations", "parsed", "rejected", "bound", "compile_rejected"}}
"""

from __future__ import annotations

from typing import Any

from ttgen.facts.infrastructure import is_infrastructure
from ttgen.ingest import IngestResult


def operations_overview(result: IngestResult) -> list[dict[str, Any]]:
    """`ttgen show` without an op: every operation with its configuration and execution counts."""
    return [
        {"operation": name, "configurations": len(cs), "executions": sum(c.execution_count for c in cs)}
        for name, cs in result.master().operations
    ]


def file_stats(result: IngestResult) -> dict[str, Any]:
    rejected = result.rejected
    ops = sorted(set(result.present))
    return {
        "path": result.path,
        "format": result.format,
        "operations": len(ops),
        "configurations": sum(result.present.values()),
        "parsed": sum(result.parsed.values()),
        "rejected": len(result.rejections),
        "unique_configurations": len(result.configs),
        "declared": {
            "operations": result.metadata.unique_operations,
            "configurations": result.metadata.total_configurations,
        },
        "per_operation": {
            op: {
                "configurations": result.present[op],
                "parsed": result.parsed[op],
                "rejected": rejected[op],
            }
            for op in ops
        },
        "rejections": [{"operation": r.operation, "pointer": r.pointer, "reason": r.reason} for r in result.rejections],
        "notes": list(result.notes),
        "compile": compile_stats(result),
    }


def compile_stats(result: IngestResult) -> dict[str, Any]:
    """What `ttgen compile` would do with the parsed configurations: the same plan, not rendered."""
    from ttgen.compile.plan import plan_op
    from ttgen.compile.sweeps_src import load_sweeps_data
    from ttgen.signatures.catalog import load_catalog

    catalog, data = load_catalog(), load_sweeps_data()
    by_op: dict[str, list[Any]] = {}
    excluded: dict[str, int] = {}
    for located in result.configs:
        op = located.config.operation
        if is_infrastructure(op):
            excluded[op] = excluded.get(op, 0) + 1
            continue
        by_op.setdefault(op, []).append((located.config, located.pointer))
    configurations = bound = 0
    rejections = []
    for op in sorted(by_op):
        plan = plan_op(op, by_op[op], catalog, data)
        configurations += plan.configurations
        bound += len(plan.cases)
        rejections += [{"operation": r.operation, "pointer": r.pointer, "reason": r.reason} for r in plan.rejections]
    return {
        "configurations": configurations,
        "excluded": dict(sorted(excluded.items())),
        "bound": bound,
        "rejected": len(rejections),
        "rejections": rejections,
    }


def stats_document(results: list[IngestResult]) -> dict[str, Any]:
    files = [file_stats(r) for r in results]
    return {
        "files": files,
        "total": {
            "files": len(files),
            "configurations": sum(f["configurations"] for f in files),
            "parsed": sum(f["parsed"] for f in files),
            "rejected": sum(f["rejected"] for f in files),
            "bound": sum(f["compile"]["bound"] for f in files),
            "compile_rejected": sum(f["compile"]["rejected"] for f in files),
            "excluded": sum(sum(f["compile"]["excluded"].values()) for f in files),
        },
    }
