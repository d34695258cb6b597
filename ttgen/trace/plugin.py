"""The pytest plugin behind `ttgen trace` (`-p ttgen.trace.plugin`, active when TTGEN_TRACE_DIR
is set): records every ttnn op call of every test, laid out as upstream's 2026 tracer plugin lays
out a trace: one folder per test (sha256 of its node id, 16 hex digits) holding the test's
per-call records, `_status.json` {test_nodeid, status} and `_trace_metadata.json` {test_source,
machine_info, trace_count}. Only tests that passed keep their calls. `_ttgen_trace.json` at the
top sums up the session: statuses, the machine of each test, every node id collected (before
deselection) and deselected, what collection skipped or failed on and every file it reported,
the rootdir and the paths traced, and every call not recorded, by reason.

Calls are heard through the emulator's built-in hook (`ttgen.emu.calls`), or, on real ttnn, by
wrapping every registered operation where its module exposes it, as ttnn's own operation tracer
wraps them. Standard library + pytest only: this runs in the traced interpreter. One process
only: under pytest-xdist each worker would hear its own share, so `-n` is refused.
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
# `ttgen verify`: also keep the calls of tests that skipped after their call (on a mock device a
# case's output spec is checked, then it skips for want of numerics); each test's status file
# then says why it ended as it did
KEEP_SKIPPED_ENV = "TTGEN_TRACE_KEEP_SKIPPED"
SCRATCH_ENV = "TTGEN_TRACE_SCRATCH"  # the working directory real ttnn's own files go to
SUMMARY = "_ttgen_trace.json"
Hook = Callable[[str, tuple[Any, ...], dict[str, Any], Any, BaseException | None], None]


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
        except BaseException as e:
            _Traced.depth -= 1
            if _Traced.depth == 0:
                self._hook(self._name, args, kwargs, None, e)
            raise
        _Traced.depth -= 1
        if _Traced.depth == 0:
            self._hook(self._name, args, kwargs, result, None)
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
        self.reasons: dict[str, str] = {}  # phase → why it skipped or failed (last line)
        self.keep_skipped = os.environ.get(KEEP_SKIPPED_ENV) == "1"
        self.statuses: dict[str, str] = {}
        self.machines: dict[str, dict[str, Any] | None] = {}
        self.folders: dict[str, str] = {}  # folder → node id
        self.collected: list[str] = []
        self.deselected: list[str] = []
        self.collection_skips: dict[str, str] = {}  # collector node id → reason
        self.collection_errors: dict[str, str] = {}  # collector node id → its error's last line
        self.reported_files: set[str] = set()  # files collection reported on (collected or not)
        self.rootdir = ""
        self.paths: list[str] = []
        self.infrastructure: Counter[str] = Counter()
        self.raised: Counter[str] = Counter()
        self.recorded: Counter[str] = Counter()
        self.unrecordable: list[dict[str, str]] = []
        self.dropped = 0  # calls of tests that did not pass
        self.outside: Counter[str] = Counter()  # calls made outside any test (import, session teardown)

    def on_call(
        self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any, error: BaseException | None
    ) -> None:
        if self.current is None:
            self.outside[name] += 1
            return
        self.current.record(name, args, kwargs, result, error)

    def collect_report(self, report: pytest.CollectReport) -> None:
        file = report.nodeid.split("::")[0]
        if file:
            self.reported_files.add(file)
        if report.failed:
            lines = [line for line in report.longreprtext.splitlines() if line.strip()]
            errors = [line[1:].strip() for line in lines if line.startswith("E ")]
            self.collection_errors[report.nodeid] = ((errors or lines or [""])[-1])[:300]
        elif report.skipped:
            longrepr = report.longrepr
            why = str(longrepr[2]) if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
            self.collection_skips[report.nodeid] = why.removeprefix("Skipped: ")[:300]

    def start(self, nodeid: str) -> None:
        self.current = TestCalls(nodeid)
        self.phases = {}
        self.reasons = {}

    def report(self, report: pytest.TestReport) -> None:
        if str(report.outcome) == "rerun":  # pytest-rerunfailures: this attempt's calls do not count
            self.dropped += len(self.current.records) if self.current is not None else 0
            self.start(report.nodeid)
        elif report.failed:
            self.phases[report.when] = "failed"
            lines = [line for line in report.longreprtext.splitlines() if line.strip()]
            errors = [line[1:].strip() for line in lines if line.startswith("E ")]
            self.reasons[report.when] = ((errors or lines or [""])[-1])[:500]
        elif report.skipped:
            self.phases[report.when] = "xfailed" if hasattr(report, "wasxfail") else "skipped"
            longrepr = report.longrepr
            why = str(longrepr[2]) if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
            self.reasons[report.when] = why.removeprefix("Skipped: ")[:500]
        elif report.when == "call" and report.passed:
            self.phases["call"] = "xpassed" if hasattr(report, "wasxfail") else "passed"

    def _folder(self, nodeid: str) -> Path:
        name, n = test_folder(nodeid), 1
        while f"{name}{f'-{n}' if n > 1 else ''}" in self.folders:  # a node id run twice
            n += 1
        name = f"{name}{f'-{n}' if n > 1 else ''}"
        self.folders[name] = nodeid
        return self.root / name

    def finish(self, nodeid: str) -> None:
        calls, self.current = self.current, None
        if calls is None or calls.nodeid != nodeid:
            return
        seen = set(self.phases.values())
        status = next((s for s in ("failed", "xpassed", "xfailed", "skipped", "passed") if s in seen), "skipped")
        if self.statuses.get(nodeid, "passed") != "passed":
            status = self.statuses[nodeid]  # run twice: a failure in either run counts
        self.statuses[nodeid] = status
        self.infrastructure.update(calls.skipped)
        self.raised.update(calls.raised)
        self.unrecordable += [{"test": nodeid, "op": op, "error": why} for op, why in calls.unrecordable]
        folder = self._folder(nodeid)
        folder.mkdir(parents=True, exist_ok=True)
        doc: dict[str, Any] = {"test_nodeid": nodeid, "status": status}
        if self.keep_skipped and self.reasons:
            doc["reason"] = next(iter(self.reasons.values()))
        _write_json(folder / "_status.json", doc)
        if status != "passed" and not (self.keep_skipped and status in ("skipped", "failed")):
            self.dropped += len(calls.records)
            return
        machine = machine_info(calls.device) if calls.device is not None else self.default_machine()
        self.machines[nodeid] = machine
        meta = {"test_source": nodeid, "machine_info": machine, "trace_count": len(calls.records)}
        _write_json(folder / "_trace_metadata.json", meta)
        for record in calls.records:
            safe = record["operation_name"].replace(".", "_").replace("::", "_")
            _write_json(folder / f"{record['operation_id']}_{safe}.json", record)
            self.recorded[record["operation_name"]] += 1

    def default_machine(self) -> dict[str, Any] | None:
        """The machine of a test whose calls named no device (or that made no calls): the
        emulated one, or on real ttnn the one the other tests ran on."""
        if backend_name() == "emu":
            from ttgen.emu.device import MeshDevice, selected_arch
            from ttgen.facts.devices import DEVICE_MODELS

            return machine_info(MeshDevice(0, DEVICE_MODELS[selected_arch()]))
        return next((m for m in self.machines.values() if m is not None), None)

    def summary(self) -> dict[str, Any]:
        return {
            "backend": backend_name(),
            "tests": dict(sorted(self.statuses.items())),
            "machines": dict(sorted(self.machines.items())),
            "folders": dict(sorted(self.folders.items())),
            "collected": sorted(set(self.collected)),
            "deselected": sorted(set(self.deselected)),
            "collection_skips": dict(sorted(self.collection_skips.items())),
            "collection_errors": dict(sorted(self.collection_errors.items())),
            "reported_files": sorted(self.reported_files),
            "rootdir": self.rootdir,
            "paths": self.paths,
            "recorded_calls": dict(sorted(self.recorded.items())),
            "infrastructure_calls": dict(sorted(self.infrastructure.items())),
            "raised_calls": dict(sorted(self.raised.items())),
            "unrecordable_calls": self.unrecordable,
            "dropped_calls": self.dropped,
            "calls_outside_tests": dict(sorted(self.outside.items())),
        }


_tracer: Tracer | None = None
_stop: Callable[[], None] | None = None
_cwd: str | None = None


def _traced_paths(config: pytest.Config) -> list[str]:
    """The test paths (folders, files, node ids) this session was asked for, relative to the
    rootdir, as node ids are."""
    out = []
    for arg in config.args:
        file, sep, node = arg.partition("::")
        path = (config.invocation_params.dir / file).resolve()
        try:
            out.append(path.relative_to(config.rootpath.resolve()).as_posix() + sep + node)
        except ValueError:
            continue  # outside the rootdir: no node id of ours lives there
    return out


@pytest.hookimpl(trylast=True)  # after other plugins (junitxml, ...) resolved their paths
def pytest_configure(config: pytest.Config) -> None:
    global _tracer, _stop, _cwd
    target = os.environ.get(ENV)
    if not target or _tracer is not None:
        return
    if getattr(config.option, "numprocesses", None) or hasattr(config, "workerinput"):
        raise pytest.UsageError("ttgen trace records in one process: run it without -n (pytest-xdist)")
    _tracer = Tracer(Path(target))
    _tracer.root.mkdir(parents=True, exist_ok=True)
    _tracer.paths = _traced_paths(config)
    _tracer.rootdir = str(config.rootpath.resolve())
    scratch = os.environ.get(SCRATCH_ENV)
    if scratch and backend_name() == "ttnn":  # real ttnn writes generated/fabric/*.yaml into the cwd
        _cwd = os.getcwd()
        os.chdir(scratch)
    _stop = install(_tracer.on_call)


@pytest.hookimpl(tryfirst=True)  # before -k / -m deselect: a deselected test still exists
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if _tracer is not None:
        _tracer.collected += [item.nodeid for item in items]


def pytest_deselected(items: list[pytest.Item]) -> None:
    if _tracer is not None:  # -k, -m, --deselect, --lf, ...: the test exists
        _tracer.deselected += [item.nodeid for item in items]


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if _tracer is not None:
        _tracer.collect_report(report)


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
    global _tracer, _stop, _cwd
    if _tracer is None:
        return
    if _stop is not None:
        _stop()
    if _cwd is not None:
        os.chdir(_cwd)
    _write_json(_tracer.root / SUMMARY, _tracer.summary())
    _tracer, _stop, _cwd = None, None, None
