"""A persistent worker: opens the device once, then runs case after case as the parent asks.

Run as `python -m ttgen.runner.worker --slot N --result-fd FD`. Imports only the standard
library and `ttgen.runtime` (lean, and importable under another interpreter). Crashes and hangs
are the parent's business: faulthandler prints every thread's stack to stderr on a fatal
signal, and on SIGUSR1 (the parent sends it before killing a hung worker).
"""

from __future__ import annotations

import argparse
import ctypes
import faulthandler
import importlib
import importlib.util
import math
import os
import signal
import sys
import time
import traceback
from types import ModuleType
from typing import Any

from ttgen.runner.classify import classify, core_message
from ttgen.runner.protocol import decode, encode


def die_with_parent() -> None:
    """Linux: the kernel kills this worker when the runner dies (even by kill -9)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: stdin EOF still ends the worker
        pass


class Worker:
    def __init__(self, slot: int, result_fd: int) -> None:
        self.slot = slot
        self.out = result_fd
        self.modules: dict[tuple[str, str], ModuleType] = {}
        self.device: Any = None

    def send(self, message: dict[str, Any]) -> None:
        data = encode(message)
        while data:
            data = data[os.write(self.out, data) :]

    def open(self) -> None:
        from ttgen.runtime import ttnn
        from ttgen.runtime.backend import backend_name

        self.ttnn = ttnn
        self.device = ttnn.open_device(device_id=self.slot)
        # Goldens need torch: import it before reporting ready, so no case's time includes it
        # (TTGEN_PREWARM=0 skips that: faster respawns when no case computes a golden).
        if os.environ.get("TTGEN_PREWARM", "1") != "0" and importlib.util.find_spec("torch") is not None:
            importlib.import_module("ttgen.runtime.goldens")._torch()
        self.send(
            {
                "ready": {
                    "backend": backend_name(),
                    "arch": self.device.arch().name.lower(),
                    "device": type(self.device).__name__,
                    "pid": os.getpid(),
                    "python": sys.version.split()[0],
                }
            }
        )

    def module(self, root: str, name: str) -> ModuleType:
        key = (root, name)
        if key not in self.modules:  # lazily: a worker imports only what it is asked to run
            if root not in sys.path:
                sys.path.insert(0, root)
            self.modules[key] = importlib.import_module(name)
        return self.modules[key]

    def run(self, request: dict[str, Any]) -> dict[str, Any]:
        reply: dict[str, Any] = {"seq": request["seq"], "recycle": False}
        started = time.perf_counter()
        try:
            module = self.module(request["root"], request["module"])
            outcome = module.run(module.CASES[request["case"]], self.device)
        except BaseException as e:
            if isinstance(e, KeyboardInterrupt | SystemExit):
                raise
            rule = classify(e)
            reason = getattr(e, "reason", None)
            reply.update(
                status=rule.status,
                message=reason if isinstance(reason, str) else core_message(e),
                exception="".join(traceback.format_exception(e))[-8000:],
                recycle=rule.recycle,
            )
        else:
            pcc = outcome.pcc
            reply.update(
                status=outcome.status.value,
                message=outcome.message,
                pcc=pcc if pcc is not None and math.isfinite(pcc) else None,
                output_spec=outcome.output_spec,
            )
        reply["e2e_ms"] = (time.perf_counter() - started) * 1e3
        return reply

    def serve(self) -> None:
        for line in sys.stdin.buffer:  # EOF: the parent is gone or done
            request = decode(line)
            if request.get("quit"):
                break
            self.send(self.run(request))
        if self.device is not None:
            self.ttnn.close_device(self.device)


def main() -> None:
    parser = argparse.ArgumentParser(prog="ttgen.runner.worker")
    parser.add_argument("--slot", type=int, required=True)
    parser.add_argument("--result-fd", type=int, required=True)
    args = parser.parse_args()
    die_with_parent()
    faulthandler.enable(all_threads=True)
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    worker = Worker(args.slot, args.result_fd)
    try:
        worker.open()
    except Exception:
        worker.send({"fatal": traceback.format_exc()[-4000:]})
        sys.exit(1)
    worker.serve()


if __name__ == "__main__":
    main()
