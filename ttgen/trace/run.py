"""`ttgen trace`: run pytest with the recording plugin (ttgen.trace.plugin) in a child process,
read the per-call records of the tests that passed with ttgen's own reader, and merge them into
the master as a re-trace of those tests (ttgen.trace.merge).

The child runs where the caller runs it, so pytest's arguments, rootdir, ini file and node ids
are exactly those of a plain `pytest` there. On real ttnn the plugin moves the working directory
to a scratch folder once pytest is configured, because ttnn writes files of its own
(`generated/fabric/*.yaml`) into it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ttgen
from ttgen.ingest import Rejection, ingest_path
from ttgen.ingest.errors import Reject
from ttgen.ingest.master import decode_machine_info
from ttgen.model import OpConfig
from ttgen.trace.masterfile import locked, merge_into_master, read_master
from ttgen.trace.merge import MergeStats, Scope
from ttgen.trace.plugin import ENV, SCRATCH_ENV, SUMMARY

_PYTEST_EXITS = {2: "interrupted", 3: "internal error", 4: "usage error", 5: "no tests collected"}
_TRACE_ENTRY = re.compile(r"[0-9a-f]{16}(-[0-9]+)?\Z")


class TraceError(RuntimeError):
    """The traced run did not produce a trace (pytest could not start, was interrupted, ...)."""


@dataclass
class TraceReport:
    backend: str
    pytest_exit: int
    statuses: dict[str, str]  # node id → passed | failed | skipped | xfailed | xpassed
    recorded: Counter[str]  # op → calls recorded in tests that passed
    infrastructure: Counter[str]  # op → calls not recorded (upstream's exclusion list)
    raised: Counter[str]  # op → calls that raised (no configuration to keep)
    outside: Counter[str]  # op → calls outside any test (at import, in session teardown)
    unrecordable: list[dict[str, str]]  # {test, op, error}: calls whose values could not be serialized
    dropped: int  # calls of tests that did not pass
    machine_info: dict[str, Any] | None  # the first machine a passed test ran on
    trace_uid: str
    configurations: list[OpConfig] = field(default_factory=list)
    where: list[str] = field(default_factory=list)  # the test each configuration was first read from
    rejections: list[Rejection] = field(default_factory=list)
    stats: MergeStats | None = None

    @property
    def counts(self) -> Counter[str]:
        return Counter(self.statuses.values())


def _environment(trace_dir: Path, scratch: Path, backend: str | None, cwd: Path) -> dict[str, str]:
    env = dict(os.environ)
    env[ENV] = str(trace_dir)
    env[SCRATCH_ENV] = str(scratch)
    if backend:
        env["TTGEN_BACKEND"] = backend
    # the caller's own packages first, then ttgen alone (a folder holding just a link to the
    # package: the project root would also offer its tests/ and examples/ packages)
    importable = scratch.parent / "pythonpath"
    importable.mkdir(exist_ok=True)
    (importable / "ttgen").symlink_to(Path(ttgen.__file__).resolve().parent, target_is_directory=True)
    paths = [str(cwd), str(importable), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def _prepare_keep(keep: Path) -> Path:
    """--keep DIR: a new or empty folder, or an earlier trace, whose entries alone are replaced."""
    if keep.exists() and not keep.is_dir():
        raise TraceError(f"--keep {keep}: not a folder")
    if keep.is_dir():
        entries = list(keep.iterdir())
        if entries and not (keep / SUMMARY).is_file():
            raise TraceError(f"--keep {keep}: the folder is not empty and holds no earlier trace; refusing to touch it")
        for entry in entries:
            if entry.name == SUMMARY:
                entry.unlink()
            elif entry.is_dir() and _TRACE_ENTRY.match(entry.name):
                shutil.rmtree(entry)
    keep.mkdir(parents=True, exist_ok=True)
    return keep.resolve()


def _preflight(master: Path) -> None:
    """Fail before hours of tests, not after: the master must be readable and its folder usable."""
    try:
        master.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise TraceError(f"{master}: cannot create its folder: {e.strerror}") from None
    if master.exists() and not master.is_file():
        raise TraceError(f"{master}: not a file")
    with locked(master):  # an OSError here (a read-only folder, ...) names the lock file
        read_master(master)  # MasterRewriteError / TraceFormatError name the file and the pointer


def run_pytest(
    pytest_args: list[str],
    trace_dir: Path,
    scratch: Path,
    *,
    backend: str | None,
    python: str | None,
    cwd: Path,
    extra_env: dict[str, str] | None = None,
    quiet: bool = False,
) -> tuple[int, dict[str, Any]]:
    scratch.mkdir(parents=True, exist_ok=True)
    command = [python or sys.executable, "-m", "pytest", "-p", "ttgen.trace.plugin", *pytest_args]
    env = {**_environment(trace_dir, scratch, backend, cwd), **(extra_env or {})}
    try:
        code = subprocess.call(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL if quiet else None)
    except OSError as e:
        raise TraceError(f"cannot run {command[0]}: {e.strerror}") from None
    summary_file = trace_dir / SUMMARY
    if code not in (0, 1) or not summary_file.is_file():
        why = _PYTEST_EXITS.get(code, "no trace was left" if code in (0, 1) else "")
        raise TraceError(f"pytest exited with status {code}{f' ({why})' if why else ''}; the master was not changed")
    summary: dict[str, Any] = json.loads(summary_file.read_text(encoding="utf-8"))
    return code, summary


def _read_calls(trace_dir: Path, report: TraceReport, folders: dict[str, str]) -> None:
    if not report.recorded:
        return
    result = ingest_path(trace_dir)
    # a pointer into a scratch folder says little: name the test it came from
    report.rejections = [
        Rejection(r.operation, f"{folders.get(r.pointer.split('/')[0], '?')} ({r.pointer})", r.reason)
        for r in result.rejections
    ]
    uid = {"trace_uid": report.trace_uid}
    report.configurations = [
        c.config.model_copy(update={"executions": tuple(e.model_copy(update=uid) for e in c.config.executions)})
        for c in result.configs
    ]
    report.where = [f"{folders.get(c.pointer.split('/')[0], '?')} ({c.pointer})" for c in result.configs]


def trace(
    pytest_args: list[str],
    master: Path,
    *,
    backend: str | None = None,
    python: str | None = None,
    keep: Path | None = None,
    cwd: Path | None = None,
) -> TraceReport:
    cwd = (cwd or Path.cwd()).resolve()
    _preflight(master)
    work = Path(tempfile.mkdtemp(prefix="ttgen-trace-"))
    try:
        trace_dir = _prepare_keep(keep) if keep is not None else work / "calls"
        code, summary = run_pytest(pytest_args, trace_dir, work / "cwd", backend=backend, python=python, cwd=cwd)
        statuses = {str(k): str(v) for k, v in summary["tests"].items()}
        machines: dict[str, Any] = summary["machines"]
        report = TraceReport(
            backend=str(summary["backend"]),
            pytest_exit=code,
            statuses=statuses,
            recorded=Counter(summary["recorded_calls"]),
            infrastructure=Counter(summary["infrastructure_calls"]),
            raised=Counter(summary["raised_calls"]),
            outside=Counter(summary["calls_outside_tests"]),
            unrecordable=list(summary["unrecordable_calls"]),
            dropped=int(summary["dropped_calls"]),
            machine_info=next((m for m in machines.values() if m), None),
            trace_uid=str(uuid.uuid4()),
        )
        _read_calls(trace_dir, report, summary["folders"])
        retraced = set()
        for node, status in statuses.items():
            if status == "passed":
                try:
                    info = decode_machine_info(machines.get(node), "/machine_info")
                except Reject as e:  # the plugin wrote it: a failure here is ttgen's own bug
                    raise TraceError(f"{trace_dir / SUMMARY}: machine of {node}: {e.reason}") from None
                retraced.add((node, info.hardware if info is not None else None))
        scope = Scope(
            paths=tuple(summary["paths"]),
            collected=frozenset(summary["collected"]) | frozenset(summary["deselected"]),
            rootdir=Path(summary["rootdir"]),
            deselected=frozenset(summary["deselected"]),
            skipped=tuple(summary["collection_skips"].items()),
            errors=tuple(summary["collection_errors"].items()),
            reported=frozenset(summary["reported_files"]),
        )
        report.stats = merge_into_master(
            master, report.configurations, retraced=frozenset(retraced), scope=scope, where=report.where
        )
        return report
    finally:
        shutil.rmtree(work, ignore_errors=True)
