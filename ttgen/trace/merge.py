"""Merging configurations into a master, as upstream's tracer does (shared/reference
upstream-trace-formats.md §1.3): a configuration is identified by its config_hash; a new one gets
the next config_id; an existing one merges executions keyed by (source, machine_info), keeping
the larger count (re-tracing the same test does not double it; on equal counts the record already
in the master stays, trace_uid included). Merging is idempotent and its configurations and counts
do not depend on the order of inputs, so concurrent traces give the union whatever order they land.

A re-trace (`retraced`) also forgets: the executions of the (source, hardware) pairs it re-ran are
replaced by what it recorded now; those of tests under its paths that no longer exist go
(`Scope`: renamed or deleted tests); a
configuration left with no execution is removed. New configurations get ids above every id the
op had before the merge, so one merge never gives a removed configuration's id to a new one. A
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


@dataclass(frozen=True)
class Scope:
    """What a re-trace ran: the test paths it was given (folders, files or node ids, relative to
    pytest's rootdir as node ids are) and every test collected under them, deselected ones
    included."""

    paths: tuple[str, ...] = ()
    collected: frozenset[str] = frozenset()

    def gone(self, source: str) -> bool:
        """A test source under these paths that was not collected: renamed or deleted."""
        if "::" not in source or source in self.collected:
            return False
        file = source.split("::")[0]
        return any(
            source.startswith((p + "::", p + "[")) if "::" in p else p == "." or file == p or file.startswith(p + "/")
            for p in self.paths
        )


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
    gone: set[str] = field(default_factory=set)  # sources dropped: tests that no longer exist


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


def _forget(
    base: Master, incoming: list[OpConfig], retraced: Retraced, scope: Scope, stats: MergeStats
) -> dict[str, list[OpConfig]]:
    """The base's configurations without the retraced executions that this trace did not record
    again unchanged; configurations left with none are dropped (and counted)."""
    again = {(c.config_hash, e.source, e.machine_info, e.count) for c in incoming for e in c.executions}
    traced = {(c.operation, c.config_hash) for c in incoming}
    ops: dict[str, list[OpConfig]] = {}
    stats.gone = {e.source for _, cs in base.operations for c in cs for e in c.executions if scope.gone(e.source)}
    for op, configs in base.operations:
        for c in configs:
            keep = tuple(
                e
                for e in c.executions
                if e.source not in stats.gone
                and (
                    (e.source, _hardware(e.machine_info)) not in retraced
                    or (c.config_hash, e.source, e.machine_info, e.count) in again
                )
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
    scope: Scope | None = None,
    now: datetime | None = None,
) -> tuple[Master, MergeStats]:
    stats = MergeStats()
    incoming = list(incoming)
    top = {op: max((c.config_id for c in cs if isinstance(c.config_id, int)), default=0) for op, cs in base.operations}
    ops = _forget(base, incoming, retraced, scope or Scope(), stats)
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
        top[c.operation] = top.get(c.operation, 0) + 1
        configs.append(
            c.model_copy(update={"config_id": top[c.operation], "executions": merge_executions((), c.executions)})
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
