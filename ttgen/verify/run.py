"""Compile, replay under the recording plugin, compare: the pieces of `ttgen verify`."""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ttgen.compile.compiler import CompileError, compile_master
from ttgen.compile.outputs import write
from ttgen.ingest import Rejection
from ttgen.ingest.calls import read_call
from ttgen.ingest.errors import Reject, TraceFormatError
from ttgen.model import Argument, OpConfig
from ttgen.model.config import argument_sort_key
from ttgen.model.names import resolve_op_query
from ttgen.signatures.bind import BindError, bind
from ttgen.signatures.catalog import load_catalog
from ttgen.trace.plugin import KEEP_SKIPPED_ENV
from ttgen.trace.run import TraceError, run_pytest
from ttgen.verify.compare import ArgumentDiff, argument_diffs, reproduces

Verdict = Literal["reproduced", "differs", "not_run"]


class VerifyError(RuntimeError):
    """verify could not run at all: the master is unreadable, pytest did not start, ..."""


@dataclass(frozen=True, slots=True)
class CaseResult:
    op: str
    case: str
    verdict: Verdict
    arguments: tuple[ArgumentDiff, ...] = ()
    reason: str = ""  # not_run: why the op's call was never made


@dataclass
class Verification:
    master: str
    backend: str
    configurations: int = 0  # the master's, infrastructure calls aside
    excluded: int = 0  # infrastructure calls (to_device, ...), not compiled
    results: list[CaseResult] = field(default_factory=list)
    not_compiled: list[Rejection] = field(default_factory=list)

    @property
    def cases(self) -> int:
        return len(self.results)

    def count(self, verdict: Verdict) -> int:
        return sum(1 for r in self.results if r.verdict == verdict)

    @property
    def run(self) -> int:
        return self.count("reproduced") + self.count("differs")

    def to_json(self) -> dict[str, Any]:
        return {
            "master": self.master,
            "backend": self.backend,
            "configurations": self.configurations,
            "excluded": self.excluded,
            "cases": self.cases,
            "run": self.run,
            "reproduced": self.count("reproduced"),
            "differs": [
                {"op": r.op, "case": r.case, "arguments": [a.to_json() for a in r.arguments]}
                for r in self.results
                if r.verdict == "differs"
            ],
            "not_run": [
                {"op": r.op, "case": r.case, "reason": r.reason} for r in self.results if r.verdict == "not_run"
            ],
            "not_compiled": [{"op": r.operation, "pointer": r.pointer, "reason": r.reason} for r in self.not_compiled],
        }


@dataclass(frozen=True, slots=True)
class _Replay:
    status: str
    reason: str
    calls: tuple[OpConfig, ...]


def _case_of(nodeid: str) -> tuple[str, str] | None:
    """`generated/tests/ttnn/test_softmax.py::test_softmax[<case id>]` → (test file, case id)."""
    file, _, rest = nodeid.partition("::")
    if not rest.endswith("]") or "[" not in rest:
        return None
    return file, rest[rest.index("[") + 1 : -1]


def _read_replays(trace_dir: Path, summary: dict[str, Any]) -> dict[str, _Replay]:
    """Per test node id: how it ended, and the calls it made (the plugin's folder layout)."""
    replays: dict[str, _Replay] = {}
    for folder, nodeid in summary["folders"].items():
        path = trace_dir / folder
        status_doc = json.loads((path / "_status.json").read_text(encoding="utf-8"))
        calls = []
        for f in sorted(path.glob("*.json")):
            if f.name.startswith("_"):
                continue
            try:
                calls.append(read_call(json.loads(f.read_text(encoding="utf-8")), f"{f.name}#", nodeid, None))
            except (Reject, TraceFormatError) as e:
                raise VerifyError(f"{f}: the replay's call does not read back: {e}") from None
        replays[nodeid] = _Replay(str(status_doc.get("status")), str(status_doc.get("reason", "")), tuple(calls))
    return replays


def verify(
    master: Path,
    *,
    backend: str | None = None,
    python: str | None = None,
    ops: list[str] | None = None,
    keep: Path | None = None,
) -> Verification:
    work = Path(tempfile.mkdtemp(prefix="ttgen-verify-"))
    try:
        out = work / "generated"
        try:
            comp = compile_master(master, out)
        except CompileError as e:
            raise VerifyError(str(e)) from None
        only = None
        if ops:
            known = tuple(r.op for r in comp.reports)
            only = []
            for q in ops:
                name = resolve_op_query(q, known)
                if name is None:
                    raise VerifyError(f"no operation {q!r} in {master.as_posix()}")
                only.append(name)
        write(comp, only)
        reports = [r for r in comp.reports if only is None or r.op in only]
        result = Verification(master=comp.master, backend=backend or "default")
        result.configurations = sum(r.configurations for r in reports)
        result.excluded = sum(n for op, n in comp.excluded.items() if only is None)
        result.not_compiled = [x for r in reports for x in r.rejections]
        ingest = comp.ingest
        assert ingest is not None
        by_hash = {(c.config.operation, c.config.config_hash): c.config for c in ingest.configs}
        test_file_op = {
            f"generated/{rel}": op for op, rels in comp.op_files.items() for rel in rels if "/test_" in f"/{rel}"
        }
        tests = sorted({f"generated/{rel}" for op in (only or comp.op_files) for rel in comp.op_files.get(op, [])})
        tests = [t for t in tests if t in test_file_op]
        if not tests:
            return result
        trace_dir = keep.resolve() if keep is not None else work / "calls"
        if keep is not None and trace_dir.exists():
            shutil.rmtree(trace_dir)
        try:
            _, summary = run_pytest(
                [*tests, "-q", "-p", "no:cacheprovider"],
                trace_dir,
                work / "cwd",
                backend=backend,
                python=python,
                cwd=work,
                extra_env={KEEP_SKIPPED_ENV: "1"},
                quiet=True,
            )
        except TraceError as e:
            raise VerifyError(str(e)) from None
        result.backend = str(summary.get("backend", result.backend))
        replays = _read_replays(trace_dir, summary)
        by_case: dict[tuple[str, str], _Replay] = {}
        for nodeid, replay in replays.items():
            located = _case_of(nodeid)
            if located is not None and located[0] in test_file_op:
                by_case[(test_file_op[located[0]], located[1])] = replay
        for report in reports:
            for case_id, config_hash in sorted(report.case_hashes.items()):
                source = by_hash[(report.op, config_hash)]
                result.results.append(_judge(report.op, case_id, source, by_case.get((report.op, case_id))))
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def as_replayed(source: OpConfig) -> OpConfig:
    """The call a faithful replay makes: the source's own arguments, except where the Python API
    cannot take them as traced (V1 graph capture's C++ arguments: trailing ones that Python makes
    keyword-only, bools printed 0/1), which go by keyword and as the declared bool."""
    try:
        binding = bind(source, load_catalog())
    except BindError:
        return source
    arguments = []
    for a in binding.args:
        positional = a.traced_as.startswith("arg") and a.traced_as[3:].isdigit()
        name = a.traced_as if a.param.positional or not positional else a.param.name
        arguments.append(Argument(name=name, value=a.value))
    return source.model_copy(update={"arguments": tuple(sorted(arguments, key=argument_sort_key))})


def _judge(op: str, case_id: str, source: OpConfig, replay: _Replay | None) -> CaseResult:
    if replay is None:
        return CaseResult(op, case_id, "not_run", reason="pytest did not run this case (not collected)")
    calls = [c for c in replay.calls if c.operation == op]
    if not calls:
        why = replay.reason or f"the test {replay.status} before calling {op}"
        return CaseResult(op, case_id, "not_run", reason=why)
    expected = as_replayed(source)
    if any(reproduces(expected, c) for c in calls):
        return CaseResult(op, case_id, "reproduced")
    return CaseResult(op, case_id, "differs", tuple(argument_diffs(expected, calls[0])))
