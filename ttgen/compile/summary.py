"""What a compile did, as data for `ttgen compile` to print: counts that reconcile, rejections
grouped by reason, and the --all-cases accounting."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

from ttgen.compile.compiler import Compilation


@dataclass(frozen=True, slots=True)
class RejectionGroup:
    reason: str
    count: int
    operations: tuple[str, ...]  # sorted


@dataclass(frozen=True, slots=True)
class AllCasesSummary:
    combinations: int  # of traced values, over every op
    enumerated: int
    added: int  # new cases compiled
    pruned: dict[str, int]  # reason → combinations pruned as invalid
    too_large: int  # in groups over the per-group limit, not enumerated
    over_cap: int  # over the global --max-cases cap, not enumerated
    max_cases: int
    capped: tuple[tuple[str, str], ...]  # (op, note) for each op the caps cut

    @property
    def already_traced(self) -> int:
        return self.enumerated - self.added - sum(self.pruned.values())


@dataclass(frozen=True, slots=True)
class CompileSummary:
    master: str
    operations: int
    operations_with_cases: int
    configurations: int
    cases: int
    rejected: int
    read_rejected: int  # rejected when the master was read (ttgen stats lists them)
    groups: tuple[RejectionGroup, ...] = field(default_factory=tuple)  # most frequent reason first
    excluded: dict[str, int] = field(default_factory=dict)  # infrastructure op → configurations not compiled
    all_cases: AllCasesSummary | None = None


def summarize(comp: Compilation, only: Collection[str] | None = None) -> CompileSummary:
    """The compile's counts, or those of the `only` ops (`compile --op`), which then leave out
    what concerns the whole master (infrastructure ops, read rejections)."""
    reports = [r for r in comp.reports if only is None or r.op in only]
    rejections = [x for r in reports for x in r.rejections]
    by_reason: dict[str, list[str]] = {}
    for r in rejections:
        by_reason.setdefault(r.reason, []).append(r.operation)
    groups = tuple(
        RejectionGroup(reason, len(ops), tuple(sorted(set(ops))))
        for reason, ops in sorted(by_reason.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    )
    expansions = [(r.op, r.combinations, r.expansion) for r in reports if r.expansion is not None]
    all_cases = None
    if expansions:
        pruned: Counter[str] = Counter()
        for _, _, e in expansions:
            pruned.update(e.pruned)
        all_cases = AllCasesSummary(
            combinations=sum(e.combinations for _, _, e in expansions),
            enumerated=sum(e.enumerated for _, _, e in expansions),
            added=sum(n for _, n, _ in expansions),
            pruned=dict(sorted(pruned.items(), key=lambda kv: (-kv[1], kv[0]))),
            too_large=sum(e.not_expanded for _, _, e in expansions),
            over_cap=sum(e.over_cap for _, _, e in expansions),
            max_cases=comp.max_cases,
            capped=tuple((op, note) for op, _, e in expansions for note in e.capped),
        )
    whole = only is None
    return CompileSummary(
        master=comp.master,
        operations=len(reports),
        operations_with_cases=sum(1 for r in reports if r.cases),
        configurations=sum(r.configurations for r in reports),
        cases=sum(r.cases for r in reports),
        rejected=len(rejections),
        read_rejected=len(comp.ingest.rejections) if comp.ingest is not None and whole else 0,
        groups=groups,
        all_cases=all_cases,
        excluded=dict(sorted(comp.excluded.items())) if whole else {},
    )
