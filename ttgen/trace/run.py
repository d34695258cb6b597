"""`ttgen trace`: run pytest with the recording plugin (ttgen.trace.plugin) in a child process,
read the per-call records of the tests that passed with ttgen's own reader, and merge them into
the master as a re-trace of those tests (ttgen.trace.merge).

The child runs in a scratch working directory (real ttnn writes files such as
`generated/fabric/*.yaml` into its working directory, which must not land in the project), with
pytest's rootdir set to the caller's directory, so node ids, and with them the executions'
sources, read as they would in a plain `pytest` run there.
"""

from __future__ import annotations

import json
import os
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
from ttgen.ingest.master import decode_machine_info
from ttgen.model import OpConfig
from ttgen.trace.masterfile import merge_into_master
from ttgen.trace.merge import MergeStats
from ttgen.trace.plugin import ENV, SUMMARY

PROJECT = Path(ttgen.__file__).resolve().parent.parent


_PYTEST_EXITS = {2: "interrupted", 3: "internal error", 4: "usage error", 5: "no tests collected"}


class TraceError(RuntimeError):
    """The traced run did not produce a trace (pytest could not start, was interrupted, ...)."""


@dataclass
class TraceReport:
    backend: str
    pytest_exit: int
    statuses: dict[str, str]  # node id → passed | failed | skipped | xfailed | xpassed
    recorded: Counter[str]  # op → calls recorded in tests that passed
    infrastructure: Counter[str]  # op → calls not recorded (upstream's exclusion list)
    dropped: int  # calls of tests that did not pass
    machine_info: dict[str, object] | None
    trace_uid: str
    configurations: list[OpConfig] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    stats: MergeStats | None = None

    @property
    def counts(self) -> Counter[str]:
        return Counter(self.statuses.values())


def _absolute(args: list[str], cwd: Path) -> list[str]:
    """Test paths (with or without `::node`) relative to the caller's directory, made absolute."""
    out = []
    for a in args:
        path, sep, rest = a.partition("::")
        if not a.startswith("-") and path and (cwd / path).exists():
            a = str((cwd / path).resolve()) + sep + rest
        out.append(a)
    return out


def _environment(trace_dir: Path, backend: str | None, cwd: Path) -> dict[str, str]:
    env = dict(os.environ)
    env[ENV] = str(trace_dir)
    if backend:
        env["TTGEN_BACKEND"] = backend
    # the caller's directory (its test packages) and ttgen itself, for an interpreter without ttgen
    paths = [str(cwd), str(PROJECT), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def run_pytest(
    pytest_args: list[str], trace_dir: Path, scratch: Path, *, backend: str | None, python: str | None, cwd: Path
) -> tuple[int, dict[str, Any]]:
    scratch.mkdir(parents=True, exist_ok=True)
    if python and os.sep in python:  # a path: relative to the caller, not to the scratch directory
        python = str((cwd / python).absolute())
    command = [
        python or sys.executable,
        *("-m", "pytest", "-p", "ttgen.trace.plugin", "-p", "no:cacheprovider", "--rootdir", str(cwd)),
        *_absolute(pytest_args, cwd),
    ]
    try:
        code = subprocess.call(command, cwd=scratch, env=_environment(trace_dir, backend, cwd))
    except OSError as e:
        raise TraceError(f"cannot run {command[0]}: {e.strerror}") from None
    summary_file = trace_dir / SUMMARY
    if code not in (0, 1) or not summary_file.is_file():
        why = _PYTEST_EXITS.get(code, "no trace was left" if code in (0, 1) else "")
        raise TraceError(f"pytest exited with status {code}{f' ({why})' if why else ''}; the master was not changed")
    summary: dict[str, Any] = json.loads(summary_file.read_text(encoding="utf-8"))
    return code, summary


def _read_calls(trace_dir: Path, report: TraceReport) -> None:
    if not report.recorded:
        return
    result = ingest_path(trace_dir)
    report.rejections = list(result.rejections)
    report.configurations = [
        c.config.model_copy(
            update={
                "executions": tuple(e.model_copy(update={"trace_uid": report.trace_uid}) for e in c.config.executions)
            }
        )
        for c in result.configs
    ]


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
    work = Path(tempfile.mkdtemp(prefix="ttgen-trace-"))
    trace_dir = keep.resolve() if keep is not None else work / "calls"
    if keep is not None and trace_dir.exists():
        shutil.rmtree(trace_dir)
    try:
        code, summary = run_pytest(pytest_args, trace_dir, work / "cwd", backend=backend, python=python, cwd=cwd)
        statuses = {str(k): str(v) for k, v in summary["tests"].items()}
        report = TraceReport(
            backend=str(summary["backend"]),
            pytest_exit=code,
            statuses=statuses,
            recorded=Counter(summary["recorded_calls"]),
            infrastructure=Counter(summary["infrastructure_calls"]),
            dropped=int(summary["dropped_calls"]),
            machine_info=summary.get("machine_info"),
            trace_uid=str(uuid.uuid4()),
        )
        _read_calls(trace_dir, report)
        info = decode_machine_info(report.machine_info, "/machine_info")
        hardware = info.hardware if info is not None else None
        retraced = frozenset((node, hardware) for node, status in statuses.items() if status == "passed")
        report.stats = merge_into_master(master, report.configurations, retraced=retraced)
        return report
    finally:
        shutil.rmtree(work, ignore_errors=True)
