"""The pytest plugin behind `ttgen trace` (`-p ttgen.trace.plugin`, active when TTGEN_TRACE_DIR
is set): records every ttnn op call of every test, laid out as upstream's 2026 tracer plugin lays
out a trace: one folder per test (sha256 of its node id, 16 hex digits) holding the test's
per-call records, `_status.json` {test_nodeid, status} and `_trace_metadata.json` {test_source,
machine_info, trace_count}. Only tests that passed keep their calls. `_ttgen_trace.json` at the
top sums up the session (statuses, infrastructure calls not recorded).

Calls are heard through the emulator's built-in hook (`ttgen.emu.calls`), or, on real ttnn, by
wrapping every registered operation where its module exposes it, as ttnn's own operation tracer
wraps them. Standard library + pytest only: this runs in the traced interpreter.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ttgen.runtime.backend import backend_name
from ttgen.trace.record import TestCalls, machine_info

ENV = "TTGEN_TRACE_DIR"
SUMMARY = "_ttgen_trace.json"
Hook = Callable[[str, tuple[Any, ...], dict[str, Any], Any], None]


def test_folder(nodeid: str) -> str:
    return hashlib.sha256(nodeid.encode("utf-8")).hexdigest()[:16]


def _write_json(path: Path, doc: Any) -> None:
    path.write_text(json.dumps(doc, indent=2, sort_keys=True, allow_nan=False) + "\n", encoding="utf-8")


class _Traced:
    """A registered ttnn operation standing in for itself: calls are reported (outermost only),
    every other attribute (golden_function, __name__, ...) is the operation's own."""

    depth = 0

    def __init__(self, op: Any, name: str, hook: Hook) -> None:
        self._op, self._name, self._hook = op, name, hook

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._op, attr)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        _Traced.depth += 1
        try:
            result = self._op(*args, **kwargs)
        finally:
            _Traced.depth -= 1
        if _Traced.depth == 0:
            self._hook(self._name, args, kwargs, result)
        return result


def _wrap_real_ttnn(hook: Hook) -> Callable[[], None]:
    import importlib

    ttnn = importlib.import_module("ttnn")  # the real library; nothing to type-check against here
    patched: list[tuple[Any, str, Any]] = []
    for op in list(ttnn.decorators.REGISTERED_OPERATIONS):
        name = op.python_fully_qualified_name
        module_name, _, attr = name.rpartition(".")
        module = sys.modules.get(module_name)
        if module is None or getattr(module, attr, None) is not op:
            continue  # not reachable under its own name (a method, or shadowed)
        setattr(module, attr, _Traced(op, name, hook))
        patched.append((module, attr, op))

    def restore() -> None:
        for module, attr, op in patched:
            setattr(module, attr, op)

    return restore


def install(hook: Hook) -> Callable[[], None]:
    """Start hearing op calls on the selected backend; returns what stops it."""
    if backend_name() == "ttnn":
        return _wrap_real_ttnn(hook)
    from ttgen.emu import calls

    previous = calls.set_hook(hook)

    def restore() -> None:
        calls.set_hook(previous)

    return restore


class Tracer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.current: TestCalls | None = None
        self.phases: dict[str, str] = {}
        self.statuses: dict[str, str] = {}
        self.infrastructure: Counter[str] = Counter()
        self.recorded: Counter[str] = Counter()
        self.dropped = 0  # calls of tests that did not pass
        self.outside = 0  # calls made outside any test
        self.machine: dict[str, Any] | None = None

    def on_call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
        if self.current is None:
            self.outside += 1
            return
        self.current.record(name, args, kwargs, result)

    def start(self, nodeid: str) -> None:
        self.current = TestCalls(nodeid)
        self.phases = {}

    def report(self, report: pytest.TestReport) -> None:
        if report.failed:
            self.phases[report.when] = "failed"
        elif report.skipped:
            self.phases[report.when] = "xfailed" if hasattr(report, "wasxfail") else "skipped"
        elif report.when == "call":
            self.phases["call"] = "xpassed" if hasattr(report, "wasxfail") else "passed"

    def finish(self, nodeid: str) -> None:
        calls, self.current = self.current, None
        if calls is None or calls.nodeid != nodeid:
            return
        seen = set(self.phases.values())
        status = next((s for s in ("failed", "xpassed", "xfailed", "skipped", "passed") if s in seen), "skipped")
        self.statuses[nodeid] = status
        self.infrastructure.update(calls.skipped)
        folder = self.root / test_folder(nodeid)
        folder.mkdir(parents=True, exist_ok=True)
        _write_json(folder / "_status.json", {"test_nodeid": nodeid, "status": status})
        if status != "passed":
            self.dropped += len(calls.records)
            return
        machine = machine_info(calls.device) if calls.device is not None else None
        self.machine = self.machine or machine
        meta = {"test_source": nodeid, "machine_info": machine, "trace_count": len(calls.records)}
        _write_json(folder / "_trace_metadata.json", meta)
        for record in calls.records:
            safe = record["operation_name"].replace(".", "_").replace("::", "_")
            _write_json(folder / f"{record['operation_id']}_{safe}.json", record)
            self.recorded[record["operation_name"]] += 1

    def summary(self) -> dict[str, Any]:
        return {
            "backend": backend_name(),
            "machine_info": self.machine,
            "tests": dict(sorted(self.statuses.items())),
            "recorded_calls": dict(sorted(self.recorded.items())),
            "infrastructure_calls": dict(sorted(self.infrastructure.items())),
            "dropped_calls": self.dropped,
            "calls_outside_tests": self.outside,
        }


_tracer: Tracer | None = None
_stop: Callable[[], None] | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _tracer, _stop
    target = os.environ.get(ENV)
    if not target or _tracer is not None:
        return
    _tracer = Tracer(Path(target))
    _tracer.root.mkdir(parents=True, exist_ok=True)
    _stop = install(_tracer.on_call)


def pytest_runtest_logstart(nodeid: str, location: tuple[str, int | None, str]) -> None:
    if _tracer is not None:
        _tracer.start(nodeid)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if _tracer is not None:
        _tracer.report(report)


def pytest_runtest_logfinish(nodeid: str, location: tuple[str, int | None, str]) -> None:
    if _tracer is not None:
        _tracer.finish(nodeid)


def pytest_unconfigure(config: pytest.Config) -> None:
    global _tracer, _stop
    if _tracer is None:
        return
    if _stop is not None:
        _stop()
    _write_json(_tracer.root / SUMMARY, _tracer.summary())
    _tracer, _stop = None, None
