"""A persistent worker: opens the device once, then runs case after case as the parent asks.

Run as `python -m ttgen.runner.worker --slot N --result-fd FD`: the process becomes the worker's
keeper (`ttgen/runner/keeper.py`) and forks the worker. Imports only the standard library and
`ttgen.runtime` (lean, and importable under another interpreter). Crashes and hangs are the
parent's business: faulthandler prints every thread's stack to stderr on a fatal signal, and on
SIGUSR1 (the parent sends it before killing a hung worker). Whatever a case returns or raises,
the reply is one valid message: a result that is not an Outcome, or does not serialize, is the
case's FAIL_EXCEPTION.
"""

from __future__ import annotations

import argparse
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

from ttgen.facts.status import Status
from ttgen.runner.classify import classify, core_message
from ttgen.runner.keeper import keep
from ttgen.runner.protocol import decode, encode


class Worker:
    def __init__(self, slot: int, result_fd: int) -> None:
        self.slot = slot
        self.out = result_fd
        self.modules: dict[tuple[str, str], ModuleType] = {}
        self.devices: Any = None

    def send(self, message: dict[str, Any]) -> None:
        self.write(encode(message))

    def write(self, data: bytes) -> None:
        while data:
            data = data[os.write(self.out, data) :]

    def open(self) -> None:
        from ttgen.runtime.backend import backend_name
        from ttgen.runtime.devices import Devices

        self.devices = Devices(self.slot)
        device = self.devices.get()
        # Goldens need torch: import it before reporting ready, so no case's time includes it
        # (TTGEN_PREWARM=0 skips that: faster respawns when no case computes a golden).
        if os.environ.get("TTGEN_PREWARM", "1") != "0" and importlib.util.find_spec("torch") is not None:
            importlib.import_module("ttgen.goldens")._torch()
        self.send(
            {
                "ready": {
                    "backend": backend_name(),
                    "arch": device.arch().name.lower(),
                    "device": type(device).__name__,
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
            cases = {**module.CASES, **getattr(module, "COMBINATIONS", {})}
            case = cases[request["case"]]
            device = self.devices.for_case(case, getattr(module, "DEVICE_PARAMS", {}))
            outcome = module.run(case, device)
        except BaseException as e:
            if isinstance(e, KeyboardInterrupt | SystemExit):
                raise
            reply.update(described(e))
        else:
            reply.update(outcome_fields(outcome))
        reply["e2e_ms"] = (time.perf_counter() - started) * 1e3
        return reply

    def reply(self, request: dict[str, Any]) -> bytes:
        reply = self.run(request)
        try:
            return encode(reply)
        except (TypeError, ValueError, RecursionError) as e:
            return encode(
                {
                    "seq": reply["seq"],
                    "status": Status.FAIL_EXCEPTION.value,
                    "message": f"the case's result does not serialize: {type(e).__name__}: {e}"[:2000],
                    "recycle": False,
                    "e2e_ms": reply.get("e2e_ms"),
                }
            )

    def serve(self) -> None:
        for line in sys.stdin.buffer:  # EOF: the parent is gone or done
            request = decode(line)
            if request.get("quit"):
                break
            self.write(self.reply(request))
        if self.devices is not None:
            self.devices.close()


def described(e: BaseException) -> dict[str, Any]:
    """An exception a case raised, as reply fields; one whose str() fails is still described."""
    try:
        rule = classify(e)
        reason = getattr(e, "reason", None)
        return {
            "status": rule.status,
            "message": reason if isinstance(reason, str) else core_message(e),
            "exception": "".join(traceback.format_exception(e))[-8000:],
            "recycle": rule.recycle,
        }
    except Exception as inner:  # one that cannot be described is still the case's
        return {
            "status": Status.FAIL_EXCEPTION.value,
            "message": f"{type(e).__name__} (describing it failed: {type(inner).__name__})",
            "recycle": False,
        }


def outcome_fields(outcome: object) -> dict[str, Any]:
    """What run() returned, as reply fields, if it is an Outcome of the right types."""
    from ttgen.runtime.outcome import Outcome, Status

    def wrong(why: str) -> dict[str, Any]:
        return {"status": Status.FAIL_EXCEPTION.value, "message": f"run() returned {why}"}

    if not isinstance(outcome, Outcome):
        return wrong(f"{type(outcome).__name__}, not an Outcome")
    if not isinstance(outcome.status, Status):
        return wrong(f"an Outcome whose status is {type(outcome.status).__name__}, not a Status")
    if not isinstance(outcome.message, str):
        return wrong(f"an Outcome whose message is {type(outcome.message).__name__}, not a str")
    pcc = outcome.pcc
    if pcc is not None and (isinstance(pcc, bool) or not isinstance(pcc, int | float)):
        return wrong(f"an Outcome whose pcc is {type(pcc).__name__}, not a float")
    if outcome.output_spec is not None and not isinstance(outcome.output_spec, str):
        return wrong(f"an Outcome whose output_spec is {type(outcome.output_spec).__name__}, not a str")
    return {
        "status": outcome.status.value,
        "message": outcome.message,
        "pcc": float(pcc) if pcc is not None and math.isfinite(pcc) else None,
        "output_spec": outcome.output_spec,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="ttgen.runner.worker")
    parser.add_argument("--slot", type=int, required=True)
    parser.add_argument("--result-fd", type=int, required=True)
    args = parser.parse_args()
    keep(args.result_fd)  # returns in the worker; its keeper stays in keep()
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
