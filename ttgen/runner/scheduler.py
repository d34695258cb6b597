"""The parent's loop: hand cases to workers, enforce deadlines, recover, record.

Single-threaded: a selector waits on every worker's reply pipe and on its process's end (a
pidfd; elsewhere a poll every POLL_S) with a timeout equal to the nearest deadline. On a crash
(the worker ended) or a hang (the deadline passes) the worker is ended with everything it
started, the reset hook runs, a new worker is spawned, and the case in flight is tried once
more; a case that kills the worker twice in a row is recorded as CRASH or HANG and the run goes
on. What the first attempt did is in the store, so a resumed run makes the second attempt. A
line on the reply pipe that is not the reply to the case in flight (a case's child writing to
it, a reply that is no message) is that case's FAIL_EXCEPTION, and the worker is replaced.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ttgen.facts.status import STATUSES, UNEXPECTED, Status
from ttgen.runner.discover import Case
from ttgen.runner.logdirs import LogDir
from ttgen.runner.pool import InFlight, WorkerProcess, describe_exit
from ttgen.runner.protocol import decode
from ttgen.runner.store import Result, Store

MAX_ATTEMPTS = 2  # a case that kills the worker twice in a row is not tried a third time
POLL_S = 0.5  # how often a worker's end is polled where there is no pidfd
EXIT_WAIT_S = 10.0  # after its reply pipe closed, how long a worker gets to end


class RunAborted(RuntimeError):
    """The run cannot go on (a worker cannot start, the reset hook failed); it stays resumable.
    The message is one line; `detail` holds what explains it at length (a worker's traceback)."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


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
    if expected is None or expected.kind != "xfail" or status == Status.SKIP.value:
        return status, message
    if status == Status.PASS.value:
        return Status.XPASS.value, f"expected to fail ({expected.reason}), but passed: {message}"
    return Status.XFAIL.value, f"{expected.reason} — {status}: {message}"


class Scheduler:
    def __init__(
        self,
        store: Store,
        run_id: int,
        settings: Settings,
        on_result: Callable[[Result], None] = lambda r: None,
        on_event: Callable[[str], None] = lambda text: None,
        first_attempts: dict[str, str] | None = None,
    ) -> None:
        self.store = store
        self.run_id = run_id
        self.settings = settings
        self.on_result = on_result
        self.on_event = on_event
        self.first_attempts = first_attempts or {}  # case key -> what attempt 1 did (a resumed run)
        self.selector = selectors.DefaultSelector()
        self.logs: LogDir | None = None  # made when the first worker starts
        self.workers: list[WorkerProcess] = []
        self.pending: deque[tuple[Case, int, str]] = deque()  # case, attempt, what attempt 1 did
        self.seq = 0
        self.unexpected = 0
        self.recorded = 0
        self.described = False
        self.env = {**os.environ, **settings.env}

    # -- workers -------------------------------------------------------------------------
    def spawn(self, slot: int) -> WorkerProcess:
        if self.logs is None:
            try:
                self.logs = LogDir()
            except OSError as e:
                where = tempfile.gettempdir()
                raise RunAborted(f"cannot make the workers' folder in {where}: {e.strerror or e}") from e
        try:
            w = WorkerProcess(slot, self.settings.python, self.env, self.logs.path / f"worker-{slot}.log")
        except OSError as e:
            raise RunAborted(f"cannot start a worker with {self.settings.python}: {e.strerror or e}") from e
        self.selector.register(w.fd, selectors.EVENT_READ, (w, "reply"))
        if w.exit_fd >= 0:
            self.selector.register(w.exit_fd, selectors.EVENT_READ, (w, "exit"))
        return w

    def retire(self, w: WorkerProcess) -> int | None:
        """End the worker and everything it started (idempotent); its exit status."""
        if w.fd >= 0:
            self.selector.unregister(w.fd)
            if w.exit_fd >= 0:
                self.selector.unregister(w.exit_fd)
        return w.kill()

    def replace(self, w: WorkerProcess, why: str, *, reset: bool = True) -> WorkerProcess:
        self.retire(w)
        if reset:
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
                self.record(case, Status.SKIP.value, expected.reason, None, {}, 1, None, now, now)
            elif case.key in self.first_attempts:
                self.pending.append((case, MAX_ATTEMPTS, self.first_attempts[case.key]))
            else:
                self.pending.append((case, 1, ""))
        try:
            if not self.pending:
                return "complete"
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
        """Every worker ends with all it started, on every way out of the run."""
        try:
            for w in self.workers:
                if w.fd < 0:
                    continue
                self.selector.unregister(w.fd)
                if w.exit_fd >= 0:
                    self.selector.unregister(w.exit_fd)
                if w.current is None and w.ready is not None:
                    w.quit()
                else:
                    w.kill()
        finally:
            self.selector.close()
            if self.logs is not None:
                self.logs.remove()

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
            with contextlib.suppress(OSError):  # it died between two looks: its end is seen next
                w.send(request)

    def wait(self) -> None:
        now = time.monotonic()
        deadlines = [w.current.deadline for w in self.workers if w.current]
        deadlines += [w.spawned + self.settings.startup_timeout for w in self.workers if w.ready is None]
        if any(w.exit_fd < 0 for w in self.workers):
            deadlines.append(now + POLL_S)
        timeout = max(0.0, min(deadlines) - now) if deadlines else None
        for key, _ in self.selector.select(timeout):
            w, what = key.data
            if what == "reply" and w in self.workers:
                self.take(w, w.read())
        for w in list(self.workers):
            if w in self.workers and (w.eof or w.exited()):
                self.take(w, w.read())  # what it said before it went
                if w in self.workers:
                    self.died(w)
        now = time.monotonic()
        for w in list(self.workers):
            if w.current is not None and now > w.current.deadline:
                w.dump_stacks()
                timeout = self.settings.timeout or w.current.case[0].module.timeout_s
                self.failed(w, Status.HANG.value, f"no result within the {timeout:g} s deadline")
            elif w.ready is None and now > w.spawned + self.settings.startup_timeout:
                self.retire(w)
                raise RunAborted(
                    f"worker {w.slot} did not open its device within {self.settings.startup_timeout:g} s\n"
                    + w.log_since(0)
                )

    def take(self, w: WorkerProcess, lines: list[bytes]) -> None:
        """Handle what a worker wrote, line by line, until a line makes it be replaced."""
        for line in lines:
            if w not in self.workers:
                return
            try:
                message = decode(line)
            except ValueError as e:
                self.stray(w, line, f"not a JSON object: {e}")
                continue
            self.handle(w, line, message)

    def handle(self, w: WorkerProcess, line: bytes, message: dict[str, Any]) -> None:
        if "ready" in message:
            if w.ready is not None or not isinstance(message["ready"], dict):
                self.stray(w, line, "a second or malformed ready message")
                return
            w.ready = message["ready"]
            if not self.described:
                self.described = True
                info = message["ready"]
                self.store.update_run(
                    self.run_id,
                    **{k: str(info[k]) if info.get(k) is not None else None for k in ("backend", "arch", "device")},
                )
            return
        if "fatal" in message and w.ready is None:
            fatal = str(message["fatal"])
            last = next((line.strip() for line in reversed(fatal.splitlines()) if line.strip()), "no reason given")
            raise RunAborted(f"worker {w.slot} could not start: {last}", detail=fatal)
        flight = w.current
        if flight is None:
            self.stray(w, line, "no case was in flight")
            return
        why = reply_problem(message, flight.seq)
        if why:
            self.stray(w, line, why)
            return
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

    def stray(self, w: WorkerProcess, line: bytes, why: str) -> None:
        """A line on the reply pipe that is not the reply it should be: the case in flight
        failed (its reply cannot be trusted), and the worker, whose pipe is not its own any
        more, is replaced (no reset: the device is not suspect)."""
        shown = repr(line[:300]) + ("..." if len(line) > 300 else "")
        if w.ready is None:
            self.retire(w)
            raise RunAborted(f"worker {w.slot} wrote {shown} on its reply pipe before it was ready ({why})")
        flight = w.current
        w.current = None
        if flight is None:
            self.on_event(f"worker {w.slot} wrote {shown} on its reply pipe between cases ({why}); replaced")
        else:
            case, first = flight.case
            text = f"the reply pipe carried {shown}, not the case's reply ({why}); the worker was replaced"
            if first:
                text = f"{text} (attempt {flight.attempt}; attempt 1: {first})"
            self.record(
                case, Status.FAIL_EXCEPTION.value, text, None, {}, flight.attempt, w.slot, flight.started, time.time()
            )
        self.replace(w, "stray output on its reply pipe", reset=False)

    def died(self, w: WorkerProcess) -> None:
        code = w.wait_exit(EXIT_WAIT_S)  # the pipe may close a moment before the process ends
        if w.current is None:
            code = self.retire(w)
            raise RunAborted(f"worker {w.slot} ended before running a case: {describe_exit(code)}\n{w.log_since(0)}")
        if code is None:
            self.failed(
                w, Status.CRASH.value, f"the worker closed its reply pipe and did not end within {EXIT_WAIT_S:g} s"
            )
        else:
            self.failed(w, Status.CRASH.value, describe_exit(code))

    def failed(self, w: WorkerProcess, status: str, why: str) -> None:
        flight = w.current
        assert flight is not None
        case, first = flight.case
        w.current = None
        self.retire(w)  # first: then the tail holds everything it wrote
        tail = w.log_since(flight.log_offset)
        self.on_event(f"{status} in {case.key} on worker {w.slot}: {why}; respawning")
        self.replace(w, f"{status} in {case.key}")
        if flight.attempt < MAX_ATTEMPTS:
            note = f"{status}: {why}"
            self.store.note_first_attempt(self.run_id, case.module.op, case.suite, case.case_id, note)
            self.pending.appendleft((case, flight.attempt + 1, note))
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


def reply_problem(message: dict[str, Any], seq: int) -> str | None:
    """Why a message is not the reply to case `seq` (None: it is)."""
    if message.get("seq") != seq:
        return f"it answers seq {json.dumps(message.get('seq'))[:40]}, the case in flight is {seq}"
    if message.get("status") not in STATUSES:
        return f"status {json.dumps(message.get('status'))[:60]} is not a status"
    for name, types in (
        ("message", (str,)),
        ("exception", (str,)),
        ("output_spec", (str,)),
        ("pcc", (int, float)),
        ("e2e_ms", (int, float)),
    ):
        value = message.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, types)):
            return f"its {name} is {type(value).__name__}"
    return None
