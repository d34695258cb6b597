"""Merging configurations into a master, as upstream's tracer does (shared/reference
upstream-trace-formats.md §1.3): a configuration is identified by its config_hash; a new one gets
the next config_id; an existing one merges executions keyed by (source, machine_info), keeping
the larger count (re-tracing the same test does not double it). Merging is idempotent and does
not depend on the order of inputs, so concurrent traces give the union whatever order they land.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ttgen.model import Execution, Master, MasterMetadata, OpConfig


@dataclass
class MergeStats:
    added: int = 0  # configurations new to the master
    merged: int = 0  # configurations already there (executions merged)
    by_op: dict[str, int] = field(default_factory=dict)  # additions per op


def merge_executions(old: tuple[Execution, ...], new: tuple[Execution, ...]) -> tuple[Execution, ...]:
    out: dict[tuple[object, ...], Execution] = {}
    for e in (*old, *new):
        key = (e.source, e.machine_info)
        have = out.get(key)
        if have is None:
            out[key] = e
            continue
        uids = [u for u in (have.trace_uid, e.trace_uid) if u is not None]
        out[key] = have.model_copy(update={"count": max(have.count, e.count), "trace_uid": max(uids) if uids else None})
    return tuple(sorted(out.values(), key=lambda e: (e.source, e.model_dump_json())))


def merge(base: Master, incoming: Iterable[OpConfig], *, now: datetime | None = None) -> tuple[Master, MergeStats]:
    stats = MergeStats()
    ops: dict[str, list[OpConfig]] = {op: list(configs) for op, configs in base.operations}
    where: dict[tuple[str, str], int] = {}
    for op, configs in ops.items():
        for i, c in enumerate(configs):
            where[(op, c.config_hash)] = i
    for c in incoming:
        configs = ops.setdefault(c.operation, [])
        at = where.get((c.operation, c.config_hash))
        if at is not None:
            have = configs[at]
            configs[at] = have.model_copy(update={"executions": merge_executions(have.executions, c.executions)})
            stats.merged += 1
            continue
        ids = [x.config_id for x in configs if isinstance(x.config_id, int)]
        configs.append(
            c.model_copy(
                update={"config_id": max(ids, default=0) + 1, "executions": merge_executions((), c.executions)}
            )
        )
        where[(c.operation, c.config_hash)] = len(configs) - 1
        stats.added += 1
        stats.by_op[c.operation] = stats.by_op.get(c.operation, 0) + 1
    operations = tuple((op, tuple(ops[op])) for op in sorted(ops) if ops[op])
    sources = sorted({e.source for _, configs in operations for c in configs for e in c.executions})
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M:%S")
    metadata = MasterMetadata(
        models=tuple(sources),
        unique_operations=len(operations),
        total_configurations=sum(len(configs) for _, configs in operations),
        operations_summary=tuple((op, len(configs)) for op, configs in operations),
        last_updated=stamp,
        trace_uid=base.metadata.trace_uid,
    )
    return Master(operations=operations, metadata=metadata), stats
