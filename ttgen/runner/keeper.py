"""The keeper: the process the runner starts for each worker, so that nothing a case starts
outlives the worker.

`keep()` forks: the child returns and becomes the worker (in its own process group); the parent
stays the keeper and never returns. On Linux the keeper is a child subreaper, so every process
the worker's cases start, even one that left the worker's process group or session (setsid) and
was orphaned, stays beneath it. When the worker ends, however it ends (its last case done, a
crash, the runner's SIGTERM after a hang, the runner dying: PR_SET_PDEATHSIG), the keeper kills
and reaps everything beneath it, then ends the way the worker ended (same exit status, or the
same signal), so the runner sees the worker's exit only once nothing of it is left.

Standard library only (it runs under the workers' interpreter). Elsewhere than Linux it still
kills the worker's process group.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import time
from types import FrameType

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
SWEEP_S = 10.0  # a process stuck in the kernel (D state) cannot be killed: stop trying after this


def _prctl(option: int, value: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(option, value, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def descendants(root: int) -> list[int]:
    """Every process beneath `root`, from /proc (Linux; elsewhere none)."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat.rsplit(b")", 1)[-1].split()  # after "pid (comm)": state, ppid, ...
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry))
    found: list[int] = []
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.append(child)
                todo.append(child)
    return found


def _reap_all() -> bool:
    """Reap whatever has ended; True when the keeper has no children left."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return True
        if pid == 0:
            return False


def _sweep(worker: int) -> None:
    with contextlib.suppress(OSError):
        os.killpg(worker, signal.SIGKILL)  # the worker is still unreaped, so its group id is not reused
    end = time.monotonic() + SWEEP_S
    while True:
        for pid in descendants(os.getpid()):
            if pid != worker:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(worker, os.WNOHANG)
        if _reap_all() or time.monotonic() > end:
            return
        time.sleep(0.01)


def _end_like(code: int, signalled: bool) -> None:
    if signalled:
        import resource

        with contextlib.suppress(OSError, ValueError):
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # the worker dumped core already, if allowed
        signal.signal(code, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {code})
        os.kill(os.getpid(), code)
        time.sleep(1)  # a signal whose default is to ignore it: exit as a shell would say it
        os._exit(128 + code)
    os._exit(code)


def keep(result_fd: int) -> None:
    """Returns in the worker; the keeper stays here until the worker and all it started are gone."""
    parent = os.getppid()
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the runner died before the line above (earlier: the worker sees stdin close)
        os._exit(1)
    handled = {signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGUSR1}
    signal.pthread_sigmask(signal.SIG_BLOCK, handled)  # until the keeper's handlers are in place
    worker = os.fork()
    if worker == 0:
        os.setpgid(0, 0)
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # the worker dies with its keeper
        signal.pthread_sigmask(signal.SIG_UNBLOCK, handled)
        return
    with contextlib.suppress(OSError):
        os.setpgid(worker, worker)  # also here: whichever of the two runs first

    def end_worker(signum: int, frame: FrameType | None) -> None:
        with contextlib.suppress(OSError):
            os.killpg(worker, signal.SIGKILL)

    def forward(signum: int, frame: FrameType | None) -> None:
        with contextlib.suppress(OSError):
            os.kill(worker, signum)

    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, end_worker)
    signal.signal(signal.SIGUSR1, forward)  # faulthandler's stack dump, asked for before a hang's kill
    signal.pthread_sigmask(signal.SIG_UNBLOCK, handled)
    # the worker's pipes are the worker's: the runner sees EOF on them when it and its children go
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    with contextlib.suppress(OSError):
        os.close(result_fd)
    while True:
        try:
            info = os.waitid(os.P_PID, worker, os.WEXITED | os.WNOWAIT)
        except ChildProcessError:
            os._exit(1)
        if info is not None:
            break
    _sweep(worker)
    _end_like(info.si_status, info.si_code != os.CLD_EXITED)
