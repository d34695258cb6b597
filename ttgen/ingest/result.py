"""What reading one input produced: configurations, rejections, and counts that reconcile."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import ValidationError

from ttgen.ingest.errors import Reject, Rejection, describe_validation_error
from ttgen.ingest.intern import Interner
from ttgen.model import Execution, Master, MasterMetadata, OpConfig


@dataclass(frozen=True, slots=True)
class LocatedConfig:
    config: OpConfig
    pointer: str  # where it was read: a JSON pointer, or `file#pointer` inside a directory


@dataclass(frozen=True, slots=True)
class Unkept:
    """Keys an input holds that the IR does not keep: a rewrite of that input would lose them."""

    pointer: str  # the JSON object holding them ("" for the document itself)
    keys: tuple[str, ...]


@dataclass
class IngestResult:
    """`present` counts the configurations (masters) or calls (per-call dumps, graph captures)
    found per op; each one is either `parsed` or rejected, so per op and in total
    parsed + rejected == present. Identical calls are merged into one configuration whose
    executions add up, so `configs` can be shorter than `parsed`."""

    path: str
    format: str
    configs: list[LocatedConfig] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    present: Counter[str] = field(default_factory=Counter)
    parsed: Counter[str] = field(default_factory=Counter)
    metadata: MasterMetadata = field(default_factory=MasterMetadata)
    notes: list[str] = field(default_factory=list)
    unkept: list[Unkept] = field(default_factory=list)  # also in `notes`, for people
    merge_identical: bool = False
    _index: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)
    _interner: Interner = field(default_factory=Interner, repr=False, compare=False)

    def item(self, op: str, pointer: str, build: Callable[[], OpConfig]) -> None:
        """Count one configuration of `op` found at `pointer`; keep it or record why not."""
        self.present[op] += 1
        try:
            config = build()
        except Reject as r:
            self.rejections.append(Rejection(op, r.pointer, r.reason))
            return
        except ValidationError as e:
            self.rejections.append(Rejection(op, pointer, describe_validation_error(e)))
            return
        config = self._interner.config(config)
        conflict = self._merge_conflict(config)
        if conflict is not None:
            self.rejections.append(Rejection(op, pointer, conflict))
            return
        self.parsed[op] += 1
        self._add(config, pointer)

    def _merge_conflict(self, config: OpConfig) -> str | None:
        """Identical calls merge; one that returned something else (or came from another sweep
        vector) cannot be merged without losing that, so it is reported instead."""
        i = self._index.get((config.operation, config.config_hash))
        if not self.merge_identical or i is None:
            return None
        kept = self.configs[i]
        for what, mine, theirs in (
            ("return value", config.output, kept.config.output),
            ("sweep_source_hash", config.sweep_source_hash, kept.config.sweep_source_hash),
        ):
            if mine != theirs:
                return f"same call as {kept.pointer} but a different {what}"
        return None

    def reject(self, op: str, pointer: str, reason: str) -> None:
        self.present[op] += 1
        self.rejections.append(Rejection(op, pointer, reason))

    def _add(self, config: OpConfig, pointer: str) -> None:
        key = (config.operation, config.config_hash)
        if self.merge_identical and key in self._index:
            i = self._index[key]
            kept = self.configs[i]
            merged = kept.config.model_copy(
                update={"executions": merge_executions(kept.config.executions + config.executions)}
            )
            self.configs[i] = LocatedConfig(merged, kept.pointer)
            return
        self._index.setdefault(key, len(self.configs))
        self.configs.append(LocatedConfig(config, pointer))

    def done(self) -> IngestResult:
        """Reading is over: drop the table of shared values (the IR keeps what it uses)."""
        self._interner.clear()
        return self

    @property
    def rejected(self) -> Counter[str]:
        return Counter(r.operation for r in self.rejections)

    def reconciles(self) -> bool:
        rejected = self.rejected
        ops = set(self.present) | set(self.parsed) | set(rejected)
        return all(self.parsed[op] + rejected[op] == self.present[op] for op in ops)

    def master(self) -> Master:
        by_op: dict[str, list[OpConfig]] = {}
        for located in self.configs:
            by_op.setdefault(located.config.operation, []).append(located.config)
        # ops by name: a master's operations are a JSON object, so their order carries nothing.
        return Master(
            operations=tuple((op, tuple(by_op[op])) for op in sorted(by_op)),
            metadata=self.metadata,
        )


def merge_executions(executions: tuple[Execution, ...]) -> tuple[Execution, ...]:
    """Executions of the same source, machine and trace run add their counts; order is kept."""
    merged: dict[tuple[object, ...], Execution] = {}
    for e in executions:
        key = (e.source, e.machine_info, e.trace_uid, e.pytest_args, e.trace_run_ids)
        if key in merged:
            merged[key] = merged[key].model_copy(update={"count": merged[key].count + e.count})
        else:
            merged[key] = e
    return tuple(merged.values())
