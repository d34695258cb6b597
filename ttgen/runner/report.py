"""What a run found, per op: counts by status, worst PCC, slowest case (`ttgen report`); of one
run or of several together (a CI matrix's shards), with their history (`history`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ttgen.facts.status import STATUSES, UNEXPECTED, Status
from ttgen.runner.store import Result

if TYPE_CHECKING:
    from ttgen.runner.history import History

Reported = tuple[dict[str, Any], list[Result]]  # a run and its results

# The columns of `ttgen report`'s table: every status counted in exactly one.
COLUMNS: dict[str, tuple[Status, ...]] = {
    "pass": (Status.PASS,),
    "fail": (Status.FAIL_ASSERT, Status.FAIL_EXCEPTION, Status.FAIL_L1_OUT_OF_MEM, Status.XPASS),
    "crash": (Status.CRASH,),
    "hang": (Status.HANG,),
    "skip": (Status.SKIP,),
    "other": (Status.INVALID, Status.XFAIL),
}


@dataclass(frozen=True, slots=True)
class OpRow:
    op: str
    counts: dict[str, int]
    worst_pcc: float | None
    worst_pcc_case: str | None
    slowest_case: str | None
    slowest_s: float | None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def columns(self) -> dict[str, int]:
        """The counts by `COLUMNS`, in its order."""
        return {name: sum(self.counts.get(s.value, 0) for s in group) for name, group in COLUMNS.items()}

    @property
    def passed(self) -> int:
        return self.counts.get(Status.PASS.value, 0) + self.counts.get(Status.XFAIL.value, 0)

    @property
    def ran(self) -> int:
        """Cases with a verdict on the device (skips excluded): the pass rate's denominator."""
        return self.total - self.counts.get(Status.SKIP.value, 0)

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.ran if self.ran else None


def op_rows(results: list[Result]) -> list[OpRow]:
    rows = []
    for op in sorted({r.op for r in results}):
        mine = [r for r in results if r.op == op]
        with_pcc = [r for r in mine if r.pcc is not None]
        worst = min(with_pcc, key=lambda r: r.pcc or 0.0) if with_pcc else None
        slowest = max(mine, key=lambda r: r.ended - r.started)
        counts = Counter(r.status for r in mine)
        rows.append(
            OpRow(
                op=op,
                counts={s: counts[s] for s in STATUSES if counts[s]},
                worst_pcc=worst.pcc if worst else None,
                worst_pcc_case=worst.case_id if worst else None,
                slowest_case=slowest.case_id,
                slowest_s=slowest.ended - slowest.started,
            )
        )
    return rows


def report_document(reported: Sequence[Reported], histories: Sequence[History] = ()) -> dict[str, Any]:
    """`ttgen report --json`: the runs (`run`: the one run, when there is one), per-op rows
    over all of them, every case that did not pass as expected, and the history per lineage."""
    runs = [run for run, _ in reported]
    results = [r for _, rs in reported for r in rs]
    return {
        "run": runs[0] if len(runs) == 1 else None,
        "runs": runs,
        "totals": dict(Counter(r.status for r in results)),
        "ops": [
            {
                "op": row.op,
                "counts": row.counts,
                "total": row.total,
                "pass_rate": row.pass_rate,
                "worst_pcc": row.worst_pcc,
                "worst_pcc_case": row.worst_pcc_case,
                "slowest_case": row.slowest_case,
                "slowest_s": row.slowest_s,
            }
            for row in op_rows(results)
        ],
        "unexpected": [
            {
                "run": run["id"],
                "case": r.key,
                "status": r.status,
                "message": r.message,
                "attempt": r.attempt,
                "repro": f"ttgen repro {r.key} -o repro_{r.case_id}.py",
            }
            for run, rs in reported
            for r in rs
            if r.status in UNEXPECTED
        ],
        # why cases were not checked, by first line of the reason (a mock device's skips say what was)
        "skipped": dict(
            sorted(
                Counter((r.message.splitlines() or [""])[0] for r in results if r.status == "SKIP").items(),
                key=lambda kv: (-kv[1], kv[0]),
            )
        ),
        "history": [h.to_json() for h in histories],
    }


def title(runs: Sequence[dict[str, Any]]) -> str:
    """`run 3 (complete, emu, wormhole_b0)`, or `runs 3, 4 (...)` with each distinct value once."""
    ids = ", ".join(str(run["id"]) for run in runs)
    what = ", ".join(" / ".join(dict.fromkeys(str(run[k]) for run in runs)) for k in ("status", "backend", "arch"))
    return f"{'run' if len(runs) == 1 else 'runs'} {ids} ({what})"


def percent(rate: float | None) -> str:
    return "" if rate is None else f"{100 * rate:.0f}%"
