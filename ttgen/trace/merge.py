"""Merging configurations into a master, as upstream's tracer does (shared/reference
upstream-trace-formats.md §1.3): a configuration is identified by its config_hash; a new one gets
the next config_id; an existing one merges executions keyed by (source, machine_info), keeping
the larger count (re-tracing the same test does not double it; on equal counts the record already
in the master stays, trace_uid included). Merging is idempotent and its configurations and counts
do not depend on the order of inputs, so concurrent traces give the union whatever order they land
(save the two cases below where inputs disagree: a conflict, and a changed return value).

A hash is an identity only together with the arguments it was computed over: one that arrives
with other arguments than the configuration holding it is a conflict, reported and kept apart
(`Conflict`): the incoming configuration takes ttgen's own hash of its arguments (or, if even that
is held by other arguments, a derived one), so both stay in the master with distinct case ids and
neither's executions go to the other. The one that was there first keeps the hash.

An incoming observation of a known configuration's `return_value` or `sweep_source_hash` wins
(`Update`): it is what ttnn does now (a re-trace) or what the user brings in (an import: the
later input on its command line, the later of concurrent imports); an input that recorded none
leaves the master's.

A re-trace (`retraced`) also forgets: the executions of the (source, hardware) pairs it re-ran are
replaced by what it recorded now; those of tests under its paths that are really gone go, and
those of tests it did not collect but that still exist stay, counted with the reason
(`ttgen.trace.scope`); a configuration left with no execution is removed. New configurations get
ids above every id the op had before the merge, so one merge never gives a removed
configuration's id to a new one. A master that nothing changed keeps its bytes, `last_updated`
included, so re-tracing unchanged tests is a fixed point.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ttgen.model import Argument, Execution, MachineInfo, Master, MasterMetadata, OpConfig
from ttgen.model.serialize import arguments_to_json, compute_config_hash
from ttgen.trace.scope import Scope, Verdict

__all__ = [
    "Conflict",
    "KeptGroup",
    "MergeStats",
    "Retraced",
    "Scope",
    "Update",
    "Verdict",
    "kept_groups",
    "merge",
    "merge_executions",
]

# (source, hardware) pairs a re-trace ran again: hardware is upstream's (board, series, cards)
Retraced = frozenset[tuple[str, tuple[str, str | None, int] | None]]


def _hardware(machine: MachineInfo | None) -> tuple[str, str | None, int] | None:
    return machine.hardware if machine is not None else None


@dataclass(frozen=True)
class Conflict:
    """An incoming configuration whose config_hash the master (or an earlier input) already
    holds for other arguments; it is kept apart under `assigned`."""

    operation: str
    config_hash: str
    incoming: str  # where the incoming configuration was read
    holder: str  # where the configuration holding the hash is: a master pointer or an input
    assigned: str  # the incoming configuration's config_hash in the master


@dataclass(frozen=True)
class Update:
    """A known configuration whose recorded `field` the incoming observation replaced."""

    operation: str
    config_hash: str
    field: str  # return_value | sweep_source_hash
    incoming: str


@dataclass
class MergeStats:
    added: int = 0  # configurations new to the master
    merged: int = 0  # configurations already there (executions merged)
    removed: int = 0  # configurations a re-trace no longer produced
    by_op: dict[str, int] = field(default_factory=dict)  # additions per op
    removed_by_op: dict[str, int] = field(default_factory=dict)
    changed: bool = False  # whether the master's configurations or executions changed
    gone: dict[str, str] = field(default_factory=dict)  # source → why: tests really gone, executions removed
    kept: dict[str, Verdict] = field(default_factory=dict)  # tests under the paths not run, executions kept
    executions: Counter[str] = field(default_factory=Counter)  # execution records of those sources

    @property
    def kept_executions(self) -> int:
        return sum(self.executions[s] for s in self.kept)

    @property
    def gone_executions(self) -> int:
        return sum(self.executions[s] for s in self.gone)

    conflicts: list[Conflict] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class KeptGroup:
    """Tests under a re-trace's paths it did not run that kept their executions, for one reason."""

    group: str  # a file, or "deselected"
    reason: str
    sources: tuple[str, ...]
    executions: int


def kept_groups(stats: MergeStats) -> list[KeptGroup]:
    """The kept tests by (group, reason), sorted, with their execution records counted."""
    groups: dict[tuple[str, str], list[str]] = {}
    for source, verdict in stats.kept.items():
        groups.setdefault((verdict.group, verdict.reason), []).append(source)
    return [
        KeptGroup(group, reason, tuple(sorted(sources)), sum(stats.executions[s] for s in sources))
        for (group, reason), sources in sorted(groups.items())
    ]


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


def _pointer(op: str, i: int) -> str:
    return f"/operations/{op}/configurations/{i}"


Held = dict[tuple[str, str], list[tuple[tuple[Argument, ...], str]]]


def _free_hash(c: OpConfig, held: Held) -> str:
    """ttgen's own hash of `c`'s arguments, or one derived from it when even that is held by
    other arguments; a hash held by the same arguments is `c`'s own (it merges there)."""
    computed = candidate = compute_config_hash(c.operation, arguments_to_json(c), c.executions)
    n = 0
    while any(args != c.arguments for args, _ in held.get((c.operation, candidate), [])):
        n += 1
        candidate = hashlib.sha256(f"ttgen conflict {c.config_hash} {computed} {n}".encode()).hexdigest()
    return candidate


def _resolve(base: Master, incoming: list[OpConfig], where: Sequence[str], stats: MergeStats) -> list[OpConfig]:
    """The incoming configurations with every conflicting hash replaced by a free one."""
    held: Held = {}
    for op, configs in base.operations:
        for i, c in enumerate(configs):
            held.setdefault((op, c.config_hash), []).append((c.arguments, _pointer(op, i)))
    out = []
    for c, src in zip(incoming, where, strict=True):
        holders = held.setdefault((c.operation, c.config_hash), [])
        if holders and all(args != c.arguments for args, _ in holders):
            assigned = _free_hash(c, held)
            stats.conflicts.append(Conflict(c.operation, c.config_hash, src, holders[0][1], assigned))
            c = c.model_copy(update={"config_hash": assigned})
            holders = held.setdefault((c.operation, assigned), [])
        if not any(args == c.arguments for args, _ in holders):
            holders.append((c.arguments, src))
        out.append(c)
    return out


def _forget(
    base: Master, incoming: list[OpConfig], retraced: Retraced, scope: Scope, stats: MergeStats
) -> dict[str, list[OpConfig]]:
    """The base's configurations without the retraced executions that this trace did not record
    again unchanged, nor those of tests that are gone; configurations left with none are dropped
    (and counted)."""
    again = {(c.config_hash, e.source, e.machine_info, e.count) for c in incoming for e in c.executions}
    traced = {(c.operation, c.config_hash) for c in incoming}
    ops: dict[str, list[OpConfig]] = {}
    verdicts: dict[str, Verdict | None] = {}
    for _, cs in base.operations:
        for c in cs:
            for e in c.executions:
                if e.source not in verdicts:
                    verdicts[e.source] = scope.verdict(e.source)
                if verdicts[e.source] is not None:
                    stats.executions[e.source] += 1
    stats.gone = {s: v.reason for s, v in verdicts.items() if v is not None and v.fate == "gone"}
    stats.kept = {s: v for s, v in verdicts.items() if v is not None and v.fate == "kept"}
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


def _observe(have: OpConfig, c: OpConfig, src: str, stats: MergeStats) -> OpConfig:
    """`have` with `c`'s executions merged in and `c`'s observations (return value, sweep
    source) where it recorded one."""
    update: dict[str, object] = {"executions": merge_executions(have.executions, c.executions)}
    for name, attr in (("return_value", "output"), ("sweep_source_hash", "sweep_source_hash")):
        mine = getattr(c, attr)
        if mine is not None and mine != getattr(have, attr):
            update[attr] = mine
            stats.updates.append(Update(c.operation, c.config_hash, name, src))
    return have.model_copy(update=update)


def merge(
    base: Master,
    incoming: Iterable[OpConfig],
    *,
    retraced: Retraced = frozenset(),
    scope: Scope | None = None,
    where: Sequence[str] | None = None,
    now: datetime | None = None,
) -> tuple[Master, MergeStats]:
    """`where` names where each incoming configuration was read (for conflict reports)."""
    stats = MergeStats()
    arrived = list(incoming)
    origins = list(where) if where is not None else [f"input #{i + 1}" for i in range(len(arrived))]
    arrived = _resolve(base, arrived, origins, stats)
    top = {op: max((c.config_id for c in cs if isinstance(c.config_id, int)), default=0) for op, cs in base.operations}
    ops = _forget(base, arrived, retraced, scope or Scope(), stats)
    at: dict[tuple[str, str], list[int]] = {}
    for op, configs in ops.items():
        for i, c in enumerate(configs):
            at.setdefault((op, c.config_hash), []).append(i)
    for c, src in zip(arrived, origins, strict=True):
        configs = ops.setdefault(c.operation, [])
        same = [i for i in at.get((c.operation, c.config_hash), []) if configs[i].arguments == c.arguments]
        if same:
            configs[same[0]] = _observe(configs[same[0]], c, src, stats)
            stats.merged += 1
            continue
        top[c.operation] = top.get(c.operation, 0) + 1
        configs.append(
            c.model_copy(update={"config_id": top[c.operation], "executions": merge_executions((), c.executions)})
        )
        at.setdefault((c.operation, c.config_hash), []).append(len(configs) - 1)
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
