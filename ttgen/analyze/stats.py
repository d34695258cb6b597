"""The `ttgen stats` report: per input, what was present, parsed and rejected (and why).

JSON schema (stable; README "ttgen stats --json"):
{"files": [{"path", "format", "operations", "configurations", "parsed", "rejected",
            "unique_configurations", "declared": {"operations", "configurations"},
            "per_operation": {op: {"configurations", "parsed", "rejected"}},
            "rejections": [{"operation", "pointer", "reason"}], "notes": [str]}],
 "total": {"files", "configurations", "parsed", "rejected"}}
"""

from __future__ import annotations

from typing import Any

from ttgen.ingest import IngestResult


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
        },
    }
