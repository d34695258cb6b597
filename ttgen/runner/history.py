"""What changed since earlier runs (`ttgen report`'s history): per op, the pass rate in each of
the last runs of the same backend and arch and in the reported runs; and the cases that newly
fail or newly pass.

Runs are compared within a lineage: the same backend (emu, ttnn) and arch, ordered by start
time (ids of merged stores say nothing about time). A case's previous verdict is its most recent
result with a verdict in the earlier runs of the window (a SKIP is no verdict; a case is keyed
by op, suite and case id, so suites never mix): it newly fails when that verdict was a pass
(PASS, XFAIL) and it now fails (anything else but SKIP), and newly passes the other way round.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ttgen.facts.status import Status
from ttgen.runner.report import op_rows
from ttgen.runner.store import Result, Store

DEFAULT_DEPTH = 10  # earlier runs per lineage
PASSED = frozenset({Status.PASS.value, Status.XFAIL.value})


def verdict(status: str) -> bool | None:
    """True: passed; False: failed; None: skipped (no verdict)."""
    if status == Status.SKIP.value:
        return None
    return status in PASSED


@dataclass(frozen=True, slots=True)
class Change:
    case: str  # op:suite:case id
    op: str
    run: int  # the reported run with the new verdict
    status: str
    previous_status: str
    previous_run: int

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "run": self.run,
            "status": self.status,
            "previous_status": self.previous_status,
            "previous_run": self.previous_run,
        }


@dataclass(frozen=True, slots=True)
class OpTrend:
    op: str
    rates: list[float | None]  # per earlier run (oldest first), then the reported runs; None: no verdict there

    @property
    def now(self) -> float | None:
        return self.rates[-1]


@dataclass(frozen=True, slots=True)
class History:
    backend: str | None
    arch: str | None
    current: list[int]  # the reported runs of this lineage
    earlier: list[dict[str, Any]]  # the runs compared with, oldest first
    ops: list[OpTrend]
    newly_failing: list[Change]
    newly_passing: list[Change]
    compared: int  # reported results with a verdict that had an earlier verdict

    @property
    def label(self) -> str:
        return f"{self.backend or '?'}, {self.arch or '?'}"

    def to_json(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "arch": self.arch,
            "current": self.current,
            "runs": [
                {k: run[k] for k in ("id", "started", "host", "status", "git_sha", "merged_from")}
                for run in self.earlier
            ],
            "ops": [{"op": t.op, "pass_rates": t.rates} for t in self.ops],
            "compared": self.compared,
            "newly_failing": [c.to_json() for c in self.newly_failing],
            "newly_passing": [c.to_json() for c in self.newly_passing],
        }


def lineage(run: dict[str, Any]) -> tuple[str | None, str | None]:
    return run.get("backend"), run.get("arch")


def _rates(results: list[Result]) -> dict[str, float | None]:
    return {row.op: row.pass_rate for row in op_rows(results)}


def history(
    store: Store, reported: Sequence[tuple[dict[str, Any], list[Result]]], depth: int = DEFAULT_DEPTH
) -> list[History]:
    """One History per lineage among the reported runs: against at most `depth` earlier runs of
    that lineage (other runs started before the last reported one)."""
    everything = store.runs()
    found = []
    for line in dict.fromkeys(lineage(run) for run, _ in reported):
        current = sorted(
            ((run, results) for run, results in reported if lineage(run) == line),
            key=lambda item: (item[0]["started"], item[0]["id"]),
        )
        ids = {int(run["id"]) for run, _ in current}
        last = (current[-1][0]["started"], current[-1][0]["id"])
        candidates = [
            r for r in everything if lineage(r) == line and r["id"] not in ids and (r["started"], r["id"]) < last
        ]
        earlier = sorted(candidates, key=lambda r: (r["started"], r["id"]))[-depth:] if depth > 0 else []
        past = [(run, store.results(int(run["id"]))) for run in earlier]
        now = [r for _, results in current for r in results]
        per_run = [_rates(results) for _, results in past] + [_rates(now)]
        ops = sorted({op for rates in per_run for op in rates})
        trends = [OpTrend(op, [rates.get(op) for rates in per_run]) for op in ops]

        # in start order: an earlier run's verdicts replace older ones; a reported run is compared
        # with the verdicts of the runs that started before it
        previous: dict[str, tuple[str, int]] = {}
        failing: list[Change] = []
        passing: list[Change] = []
        compared = 0
        events = sorted(
            [(run, results, False) for run, results in past] + [(run, results, True) for run, results in current],
            key=lambda item: (item[0]["started"], item[0]["id"]),
        )
        for run, results, reported_here in events:
            for r in results:
                ok = verdict(r.status)
                if ok is None:
                    continue
                if not reported_here:
                    previous[r.key] = (r.status, int(run["id"]))
                    continue
                was = previous.get(r.key)
                if was is None:
                    continue
                compared += 1
                if verdict(was[0]) != ok:
                    change = Change(r.key, r.op, int(run["id"]), r.status, was[0], was[1])
                    (passing if ok else failing).append(change)
        found.append(
            History(
                backend=line[0],
                arch=line[1],
                current=sorted(ids),
                earlier=earlier,
                ops=trends,
                newly_failing=sorted(failing, key=lambda c: (c.case, c.run)),
                newly_passing=sorted(passing, key=lambda c: (c.case, c.run)),
                compared=compared,
            )
        )
    return found
