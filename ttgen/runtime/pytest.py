"""Glue between generated pytest files and the runtime (imported only under pytest)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import pytest

from ttgen.facts.expectations import Expectation
from ttgen.runtime.devices import Devices
from ttgen.runtime.outcome import Outcome, SkipCase, Status

__all__ = ["Devices", "Expectation", "device_for", "params", "skip", "verify", "xfail"]

C = TypeVar("C")


def xfail(reason: str) -> Expectation:
    return Expectation("xfail", reason)


def skip(reason: str) -> Expectation:
    return Expectation("skip", reason)


def params(cases: Mapping[str, object], expected: Mapping[str, Expectation]) -> list[Any]:
    """One pytest param per case id (sorted, as CASES is), with its expectation's mark."""
    out: list[Any] = []
    for case_id in cases:
        e = expected.get(case_id)
        if e is None:
            out.append(case_id)
        elif e.kind == "xfail":
            out.append(pytest.param(case_id, marks=pytest.mark.xfail(reason=e.reason, strict=True)))
        else:
            out.append(pytest.param(case_id, marks=pytest.mark.skip(reason=e.reason)))
    return out


def device_for(devices: Devices, request: pytest.FixtureRequest) -> Any:
    """The device the requesting test's case needs: the mesh its Machine names (or one chip),
    opened with its module's DEVICE_PARAMS. A mesh this machine cannot open skips the test."""
    params: dict[str, int] = getattr(request.module, "DEVICE_PARAMS", {})
    cases: Mapping[str, object] = getattr(request.module, "ALL_CASES", {})
    callspec = getattr(request.node, "callspec", None)
    case = cases.get(callspec.params.get("case_id", "")) if callspec is not None else None
    try:
        return devices.for_case(case, params)
    except SkipCase as e:
        pytest.skip(e.reason)


def verify(run: Callable[[C, Any], Outcome], case: C, device: Any) -> None:
    """Run a case under pytest: skips are skips (with their reason), anything else not PASS fails."""
    try:
        outcome = run(case, device)
    except SkipCase as e:
        pytest.skip(e.reason)
    except NotImplementedError as e:  # the emulator's NotEmulatedError
        pytest.skip(str(e))
    if outcome.status is Status.SKIP:
        pytest.skip(outcome.message)
    if outcome.status is not Status.PASS:
        pytest.fail(f"{outcome.status.value}: {outcome.message}")


def terminal_summary(reporter: Any) -> None:
    """The generated suite's own summary line: cases run and how they ended, with the reason of
    every expected failure and, grouped, of every skip (a mesh case on one device, a mock device
    without numerics, ...), so a reader sees what was not checked and why."""
    stats = reporter.stats
    n = {k: len(stats.get(k, [])) for k in ("passed", "failed", "error", "xfailed", "xpassed", "skipped")}
    total = sum(n.values())
    if not total:
        return
    ran = total - n["skipped"]
    parts = [f"{n[k]} {k}" for k in ("passed", "failed", "error", "xfailed", "xpassed", "skipped") if n[k]]
    reporter.write_sep("-", "ttgen")
    reporter.write_line(f"ttgen: {total} case{'s' * (total != 1)}, {ran} run: {', '.join(parts)}")
    for r in stats.get("xfailed", []):
        reporter.write_line(f"  xfailed {r.nodeid}: {getattr(r, 'wasxfail', '')}")
    reasons: dict[str, int] = {}
    for r in stats.get("skipped", []):
        reason = r.longrepr[2] if isinstance(r.longrepr, tuple) else str(r.longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])):
        reporter.write_line(f"  skipped ×{count}: {reason}")
