"""Merging configurations into a master, as upstream's tracer does (shared/reference
upstream-trace-formats.md §1.3): a configuration is identified by its config_hash; a new one gets
the next config_id; an existing one merges executions keyed by (source, machine_info), keeping
the larger count (re-tracing the same test does not double it; on equal counts the record already
in the master stays, trace_uid included). Merging is idempotent and its configurations and counts
do not depend on the order of inputs, so concurrent traces give the union whatever order they land.

A re-trace (`retraced`) also forgets: the executions of the (source, hardware) pairs it re-ran are
replaced by what it recorded now, and a configuration left with no execution is removed. A
master that nothing changed keeps its bytes, `last_updated` included, so re-tracing unchanged
tests is a fixed point.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ttgen.model import Execution, MachineInfo, Master, MasterMetadata, OpConfig

# (source, hardware) pairs a re-trace ran again: hardware is upstream's (board, series, cards)
Retraced = frozenset[tuple[str, tuple[str, str | None, int] | None]]


def _hardware(machine: MachineInfo | None) -> tuple[str, str | None, int] | None:
    return machine.hardware if machine is not None else None


@dataclass
class MergeStats:
    added: int = 0  # configurations new to the master
    merged: int = 0  # configurations already there (executions merged)
    removed: int = 0  # configurations a re-trace no longer produced
    by_op: dict[str, int] = field(default_factory=dict)  # additions per op
    removed_by_op: dict[str, int] = field(default_factory=dict)
    changed: bool = False  # whether the master's configurations or executions changed


def merge_executions(old: tuple[Execution, ...], new: tuple[Execution, ...]) -> tuple[Execution, ...]:
    out: dict[tuple[object, ...], Execution] = {}
    for e in (*old, *new):
        key = (e.source, e.machine_info)
        have = out.get(key)
        if have is None:
            out[key] = e
            continue
        if e.count > have.count:
            out[key] = e
    return tuple(sorted(out.values(), key=lambda e: (e.source, e.model_dump_json())))


def _forget(base: Master, incoming: list[OpConfig], retraced: Retraced, stats: MergeStats) -> dict[str, list[OpConfig]]:
    """The base's configurations without the retraced executions that this trace did not record
    again unchanged; configurations left with none are dropped (and counted)."""
    again = {(c.config_hash, e.source, e.machine_info, e.count) for c in incoming for e in c.executions}
    traced = {(c.operation, c.config_hash) for c in incoming}
    ops: dict[str, list[OpConfig]] = {}
    for op, configs in base.operations:
        for c in configs:
            keep = tuple(
                e
                for e in c.executions
                if (e.source, _hardware(e.machine_info)) not in retraced
                or (c.config_hash, e.source, e.machine_info, e.count) in again
            )
            # kept: what still has executions, what was traced again (its executions follow), and
            # a configuration traced without any (V1)
            if keep or not c.executions or (op, c.config_hash) in traced:
                ops.setdefault(op, []).append(c if keep == c.executions else c.model_copy(update={"executions": keep}))
            else:
                stats.removed += 1
                stats.removed_by_op[op] = stats.removed_by_op.get(op, 0) + 1
    return ops


def merge(
    base: Master,
    incoming: Iterable[OpConfig],
    *,
    retraced: Retraced = frozenset(),
    now: datetime | None = None,
) -> tuple[Master, MergeStats]:
    stats = MergeStats()
    incoming = list(incoming)
    ops = _forget(base, incoming, retraced, stats)
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
    stats.changed = operations != base.operations
    if not stats.changed:
        return base, stats
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
