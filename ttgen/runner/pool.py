"""Worker processes as the parent sees them: spawn, send a case, read replies, end.

Each worker is `python -m ttgen.runner.worker` in its own session: a keeper process
(`ttgen/runner/keeper.py`) with the worker beneath it, so that ending the keeper's worker ends
everything its cases started. Commands go on the worker's stdin, replies come on a dedicated
pipe, stdout and stderr on a third one whose tail explains a crash or a hang
(`ttgen/runner/output.py`). The worker's end is watched on its process (a pidfd on Linux),
not only on the reply pipe's EOF, which a process the case started may hold open.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ttgen.runner.output import OutputTail
from ttgen.runner.protocol import LineBuffer, encode

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
KEEPER_GRACE_S = 20.0  # the keeper's sweep is bounded (keeper.SWEEP_S); then it is killed outright


@dataclass
class InFlight:
    seq: int
    case: Any  # (discover.Case, what attempt 1 did)
    attempt: int
    started: float
    deadline: float
    log_offset: int


class WorkerProcess:
    def __init__(self, slot: int, python: str, env: dict[str, str], log: Path) -> None:
        self.slot = slot
        self.log = log
        read_fd, write_fd = os.pipe()
        out_read, out_write = os.pipe()
        path = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
        try:
            self.proc = subprocess.Popen(
                [python, "-m", "ttgen.runner.worker", "--slot", str(slot), "--result-fd", str(write_fd)],
                stdin=subprocess.PIPE,
                stdout=out_write,
                stderr=subprocess.STDOUT,
                pass_fds=(write_fd,),
                env={**env, "PYTHONPATH": path, "PYTHONUNBUFFERED": "1"},
                start_new_session=True,
                cwd=log.parent,  # ttnn writes scratch files (generated/fabric, generated/watcher) into its cwd
            )
        except BaseException:
            for fd in (read_fd, write_fd, out_read, out_write):
                os.close(fd)
            raise
        os.close(write_fd)
        os.close(out_write)
        os.set_blocking(read_fd, False)
        self.fd = read_fd
        self.output = OutputTail(out_read, log)
        self.exit_fd = _pidfd(self.proc.pid)
        self.lines = LineBuffer()
        self.ready: dict[str, Any] | None = None
        self.spawned = time.monotonic()
        self.current: InFlight | None = None
        self.eof = False

    @property
    def pid(self) -> int:
        return self.proc.pid

    def exited(self) -> bool:
        return self.proc.poll() is not None

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(encode(message))
        self.proc.stdin.flush()

    def read(self) -> list[bytes]:
        """The lines the worker has written since the last read (never blocks)."""
        lines: list[bytes] = []
        while self.fd >= 0 and not self.eof:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                break
            if not chunk:
                self.eof = True
                break
            lines += self.lines.feed(chunk)
        return [line for line in lines if line.strip()]

    def log_size(self) -> int:
        return self.output.size

    def log_since(self, offset: int, limit: int = 6000) -> str:
        return self.output.since(offset, limit)

    def dump_stacks(self) -> None:
        """Ask faulthandler in the worker for every thread's stack (for the HANG record)."""
        before = self.output.size
        try:
            os.kill(self.proc.pid, signal.SIGUSR1)  # the keeper forwards it to the worker
        except ProcessLookupError:
            return
        end = time.monotonic() + 2.0
        while self.output.size == before and time.monotonic() < end:
            time.sleep(0.05)
        time.sleep(0.2)  # the rest of the dump

    def wait_exit(self, timeout: float) -> int | None:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> int | None:
        """End the worker and everything it started, reap it; its exit status (negative: signal)."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGTERM)  # the keeper kills the worker and sweeps
            if self.wait_exit(KEEPER_GRACE_S) is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.proc.pid, signal.SIGKILL)  # the worker dies with its keeper (PDEATHSIG)
        return self.close()

    def quit(self, grace: float = 10.0) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.send({"quit": True})
        if self.wait_exit(grace) is None:
            self.kill()
        self.close()

    def close(self) -> int | None:
        code = self.wait_exit(10)
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        for name in ("fd", "exit_fd"):
            fd = getattr(self, name)
            if fd >= 0:
                os.close(fd)
                setattr(self, name, -1)
        self.output.finish()
        return code


def _pidfd(pid: int) -> int:
    """A descriptor that turns readable when the process ends (Linux >= 5.3), else -1."""
    opener = getattr(os, "pidfd_open", None)
    if opener is None:
        return -1
    try:
        return int(opener(pid))
    except OSError:
        return -1


def describe_exit(code: int | None) -> str:
    if code is None:
        return "the worker did not exit"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the worker was killed by {name} (signal {-code})"
    return f"the worker exited with status {code}"
