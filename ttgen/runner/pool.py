"""Worker processes as the parent sees them: spawn, send a case, read replies, kill.

Each worker is `python -m ttgen.runner.worker` in its own session (so a kill takes any children
too), commands on its stdin, replies on a dedicated pipe, stdout and stderr into a log file
whose tail explains a crash or a hang.
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

from ttgen.runner.protocol import LineBuffer, decode, encode

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass
class InFlight:
    seq: int
    case: Any  # discover.Case
    attempt: int
    started: float
    deadline: float
    log_offset: int


class WorkerProcess:
    def __init__(self, slot: int, python: str, env: dict[str, str], log: Path) -> None:
        self.slot = slot
        self.log = log
        read_fd, write_fd = os.pipe()
        path = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
        with open(log, "ab") as sink:
            self.proc = subprocess.Popen(
                [python, "-m", "ttgen.runner.worker", "--slot", str(slot), "--result-fd", str(write_fd)],
                stdin=subprocess.PIPE,
                stdout=sink,
                stderr=subprocess.STDOUT,
                pass_fds=(write_fd,),
                env={**env, "PYTHONPATH": path, "PYTHONUNBUFFERED": "1"},
                start_new_session=True,
                cwd=log.parent,  # ttnn writes scratch files (generated/fabric, generated/watcher) into its cwd
            )
        os.close(write_fd)
        self.fd = read_fd
        self.lines = LineBuffer()
        self.ready: dict[str, Any] | None = None
        self.spawned = time.monotonic()
        self.current: InFlight | None = None
        self.eof = False

    @property
    def pid(self) -> int:
        return self.proc.pid

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(encode(message))
        self.proc.stdin.flush()

    def read(self) -> list[dict[str, Any]]:
        """What the worker has said since the last read (call when its fd is readable)."""
        chunk = os.read(self.fd, 1 << 16)
        if not chunk:
            self.eof = True
            return []
        return [decode(line) for line in self.lines.feed(chunk) if line.strip()]

    def log_size(self) -> int:
        try:
            return self.log.stat().st_size
        except OSError:
            return 0

    def log_since(self, offset: int, limit: int = 6000) -> str:
        try:
            with open(self.log, "rb") as f:
                f.seek(offset)
                text = f.read().decode("utf-8", errors="replace")
        except OSError:
            return ""
        return text[-limit:]

    def dump_stacks(self) -> None:
        """Ask faulthandler in the worker for every thread's stack (for the HANG record)."""
        try:
            os.kill(self.proc.pid, signal.SIGUSR1)
        except ProcessLookupError:
            return
        time.sleep(0.2)

    def kill(self) -> int | None:
        """Kill the worker's whole session and reap it; its exit status (negative: signal)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        return self.close()

    def quit(self, grace: float = 5.0) -> None:
        try:
            self.send({"quit": True})
            self.proc.wait(grace)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            self.kill()
        self.close()

    def close(self) -> int | None:
        try:
            code = self.proc.wait(10)
        except subprocess.TimeoutExpired:
            code = None
        for f in (self.proc.stdin,):
            try:
                if f is not None:
                    f.close()
            except OSError:
                pass
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        return code


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
