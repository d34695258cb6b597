"""The parent's loop: hand cases to workers, enforce deadlines, recover, record.

Single-threaded: a selector waits on every worker's reply pipe with a timeout equal to the
nearest deadline. On a crash (the pipe closes) or a hang (the deadline passes) the worker is
killed, the reset hook runs, a new worker is spawned, and the case in flight is tried once more;
a case that kills the worker twice in a row is recorded as CRASH or HANG and the run goes on.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ttgen.runner.discover import Case
from ttgen.runner.pool import InFlight, WorkerProcess, describe_exit
from ttgen.runner.store import Result, Store

UNEXPECTED = frozenset({"FAIL_ASSERT", "FAIL_EXCEPTION", "FAIL_L1_OUT_OF_MEM", "CRASH", "HANG", "XPASS"})
FAILED = frozenset({"FAIL_ASSERT", "FAIL_EXCEPTION", "FAIL_L1_OUT_OF_MEM", "INVALID", "CRASH", "HANG"})
MAX_ATTEMPTS = 2  # a case that kills the worker twice in a row is not tried a third time


class RunAborted(RuntimeError):
    """The run cannot go on (a worker cannot start, the reset hook failed); it stays resumable."""


@dataclass
class Settings:
    workers: int = 1
    python: str = sys.executable
    timeout: float | None = None  # overrides each module's TIMEOUT_S
    reset_cmd: str | None = None
    fail_fast: bool = False
    env: dict[str, str] = field(default_factory=dict)  # extra environment for the workers
    startup_timeout: float = 300.0


def apply_expectation(case: Case, status: str, message: str) -> tuple[str, str]:
    expected = case.expectation
    if expected is None or expected.kind != "xfail" or status == "SKIP":
        return status, message
    if status == "PASS":
        return "XPASS", f"expected to fail ({expected.reason}), but passed: {message}"
    return "XFAIL", f"{expected.reason} — {status}: {message}"


class Scheduler:
    def __init__(
        self,
        store: Store,
        run_id: int,
        settings: Settings,
        on_result: Callable[[Result], None] = lambda r: None,
        on_event: Callable[[str], None] = lambda text: None,
    ) -> None:
        self.store = store
        self.run_id = run_id
        self.settings = settings
        self.on_result = on_result
        self.on_event = on_event
        self.selector = selectors.DefaultSelector()
        self.logs = Path(tempfile.mkdtemp(prefix="ttgen-run-"))
        self.workers: list[WorkerProcess] = []
        self.pending: deque[tuple[Case, int, str]] = deque()  # case, attempt, what attempt 1 did
        self.seq = 0
        self.unexpected = 0
        self.recorded = 0
        self.described = False
        env = {**os.environ, **settings.env}
        self.env = env

    # -- workers -------------------------------------------------------------------------
    def spawn(self, slot: int) -> WorkerProcess:
        w = WorkerProcess(slot, self.settings.python, self.env, self.logs / f"worker-{slot}.log")
        self.selector.register(w.fd, selectors.EVENT_READ, w)
        return w

    def retire(self, w: WorkerProcess) -> int | None:
        self.selector.unregister(w.fd)
        return w.kill()

    def replace(self, w: WorkerProcess, why: str) -> WorkerProcess:
        self.retire(w)
        self.reset(why)
        fresh = self.spawn(w.slot)
        self.workers[self.workers.index(w)] = fresh
        return fresh

    def reset(self, why: str) -> None:
        command = self.settings.reset_cmd
        if not command:
            return
        self.on_event(f"reset ({why}): {command}")
        try:
            done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=600, check=False)
        except subprocess.TimeoutExpired as e:
            raise RunAborted(f"reset command timed out after 600 s: {command}") from e
        if done.returncode != 0:
            tail = (done.stdout + done.stderr)[-2000:]
            raise RunAborted(f"reset command failed with status {done.returncode}: {command}\n{tail}")

    # -- the loop ------------------------------------------------------------------------
    def execute(self, cases: list[Case]) -> str:
        """Run the cases; returns the run's final status (complete | stopped)."""
        for case in cases:
            expected = case.expectation
            if expected is not None and expected.kind == "skip":
                now = time.time()
                self.record(case, "SKIP", expected.reason, None, {}, 1, None, now, now)
            else:
                self.pending.append((case, 1, ""))
        if not self.pending:
            return "complete"
        try:
            self.workers = [self.spawn(slot) for slot in range(min(self.settings.workers, len(self.pending)))]
            while self.pending or any(w.current for w in self.workers):
                if self.settings.fail_fast and self.unexpected:
                    return "stopped"
                self.dispatch()
                self.wait()
            return "stopped" if self.settings.fail_fast and self.unexpected else "complete"
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        for w in self.workers:
            if w.fd < 0:
                continue
            self.selector.unregister(w.fd)
            if w.current is None and w.ready is not None:
                w.quit()
            else:
                w.kill()
        self.selector.close()
        shutil.rmtree(self.logs, ignore_errors=True)

    def dispatch(self) -> None:
        for w in self.workers:
            if not self.pending:
                return
            if w.ready is None or w.current is not None:
                continue
            case, attempt, first = self.pending.popleft()
            self.seq += 1
            timeout = self.settings.timeout or case.module.timeout_s
            now = time.monotonic()
            w.current = InFlight(self.seq, (case, first), attempt, time.time(), now + timeout, w.log_size())
            request = {"seq": self.seq, "root": str(case.module.root), "module": case.module.name, "case": case.case_id}
            with contextlib.suppress(OSError):  # it died between two looks: the selector reports the EOF next
                w.send(request)

    def wait(self) -> None:
        now = time.monotonic()
        deadlines = [w.current.deadline for w in self.workers if w.current]
        deadlines += [w.spawned + self.settings.startup_timeout for w in self.workers if w.ready is None]
        timeout = max(0.0, min(deadlines) - now) if deadlines else None
        for key, _ in self.selector.select(timeout):
            w: WorkerProcess = key.data
            for message in w.read():
                self.handle(w, message)
            if w.eof:
                self.died(w)
        now = time.monotonic()
        for w in list(self.workers):
            if w.current is not None and now > w.current.deadline:
                w.dump_stacks()
                timeout = self.settings.timeout or w.current.case[0].module.timeout_s
                self.failed(w, "HANG", f"no result within the {timeout:g} s deadline")
            elif w.ready is None and now > w.spawned + self.settings.startup_timeout:
                tail = w.log_since(0)
                self.retire(w)
                raise RunAborted(
                    f"worker {w.slot} did not open its device within {self.settings.startup_timeout:g} s\n{tail}"
                )

    def handle(self, w: WorkerProcess, message: dict[str, Any]) -> None:
        if "ready" in message:
            w.ready = message["ready"]
            if not self.described:
                self.described = True
                info = message["ready"]
                self.store.update_run(
                    self.run_id, backend=info.get("backend"), arch=info.get("arch"), device=info.get("device")
                )
            return
        if "fatal" in message:
            raise RunAborted(f"worker {w.slot} could not start:\n{message['fatal']}")
        flight = w.current
        if flight is None or message.get("seq") != flight.seq:
            raise RunAborted(f"worker {w.slot} answered a case it was not given: {message}")
        case, first = flight.case
        w.current = None
        status, text = str(message["status"]), str(message.get("message") or "")
        if first:
            text = f"{text} (attempt {flight.attempt}; attempt 1: {first})"
        self.record(
            case, status, text, message.get("exception"), message, flight.attempt, w.slot, flight.started, time.time()
        )
        if message.get("recycle"):
            self.on_event(f"worker {w.slot} replaced after {status} in {case.key}")
            self.replace(w, f"after {status}")

    def died(self, w: WorkerProcess) -> None:
        if w.current is None:
            tail = w.log_since(0)
            code = self.retire(w)
            raise RunAborted(f"worker {w.slot} ended before running a case: {describe_exit(code)}\n{tail}")
        code = w.proc.poll()
        if code is None:  # the pipe closed but the process lingers: wait for it briefly
            try:
                code = w.proc.wait(2)
            except subprocess.TimeoutExpired:
                code = None
        self.failed(w, "CRASH", describe_exit(code))

    def failed(self, w: WorkerProcess, status: str, why: str) -> None:
        flight = w.current
        assert flight is not None
        case, first = flight.case
        tail = w.log_since(flight.log_offset)
        self.on_event(f"{status} in {case.key} on worker {w.slot}: {why}; respawning")
        self.replace(w, f"{status} in {case.key}")
        if flight.attempt < MAX_ATTEMPTS:
            self.pending.appendleft((case, flight.attempt + 1, f"{status}: {why}"))
            return
        text = f"{why}; twice in a row, not retried" if first.startswith(status) else f"{why} (attempt 1: {first})"
        self.record(case, status, text, tail or None, {}, flight.attempt, w.slot, flight.started, time.time())

    def record(
        self,
        case: Case,
        status: str,
        message: str,
        exception: str | None,
        reply: dict[str, Any],
        attempt: int,
        worker: int | None,
        started: float,
        ended: float,
    ) -> None:
        status, message = apply_expectation(case, status, message)
        result = Result(
            op=case.module.op,
            module=case.module.name,
            suite=case.suite,
            case_id=case.case_id,
            status=status,
            message=message,
            exception=exception,
            e2e_ms=reply.get("e2e_ms"),
            pcc=reply.get("pcc"),
            output_spec=reply.get("output_spec"),
            attempt=attempt,
            worker=worker,
            started=started,
            ended=ended,
        )
        self.store.record(self.run_id, result)
        self.recorded += 1
        if status in UNEXPECTED:
            self.unexpected += 1
        self.on_result(result)
