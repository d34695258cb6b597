"""Per-case overhead of ttgen's runner on trivial cases, against fork-per-case and
spawn-per-case isolation, side by side in one run; and the time from a crash to the next case.

Every mechanism does the same work per case: run a trivial case of a real sweep module (on the
emulator) and commit its result to a SQLite store (ttgen's own Store, WAL). ttgen's figure is
the full runner (pipe protocol, deadline, expectations, store): the slope between a small and a
large run, so worker start-up cancels out. fork: a warm parent forks a child per case (the
module already imported). spawn: a fresh interpreter per case (what a per-case subprocess or
multiprocessing spawn costs; a device open would come on top).

    .venv/bin/python benchmarks/runner.py [--record]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ["TTGEN_BACKEND"] = "emu"

from compile import record  # noqa: E402

from tests.runner.sweeps import write_sweep  # noqa: E402
from ttgen.runner.run import Selection, execute  # noqa: E402
from ttgen.runner.sqlite_store import SqliteStore  # noqa: E402
from ttgen.runner.store import Result  # noqa: E402

SMALL, LARGE = 100, 1100
FORK_N, SPAWN_N = 300, 15


class Quiet:
    def start(self, total: int, done: int) -> None: ...
    def result(self, r: Result) -> None: ...
    def event(self, text: str) -> None: ...
    def stop(self) -> None: ...


def ttgen_run(folder: Path, n: int) -> float:
    sweeps = folder / f"n{n}"
    write_sweep(sweeps, f"trivial{n}", [0.0] * n, op="bench.trivial")
    start = time.perf_counter()
    summary = execute(Selection(paths=[str(sweeps)], backend="emu"), folder / f"n{n}.sqlite", reporter=Quiet())
    wall = time.perf_counter() - start
    assert summary.counts["PASS"] == n, summary.counts
    return wall


def result_row(case_id: str, t0: float) -> Result:
    return Result("bench.trivial", "trivial", "model_traced", case_id, "PASS", "ok", None, 0.0, 1.0, None, 1, 0, t0, t0)


def fork_per_case(folder: Path) -> float:
    sweeps = folder / "fork"
    write_sweep(sweeps, "trivialfork", [0.0] * FORK_N, op="bench.trivial")
    sys.path.insert(0, str(sweeps))
    import trivialfork  # type: ignore[import-not-found]

    import ttgen.emu as ttnn

    device = ttnn.open_device(device_id=0)
    store = SqliteStore(folder / "fork.sqlite")
    run_id = store.begin_run(host="b", command="fork", ttgen_version="b", python="b", planned=FORK_N, selection={})
    start = time.perf_counter()
    for case_id, case in trivialfork.CASES.items():
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            outcome = trivialfork.run(case, device)
            os.write(w, outcome.status.value.encode())
            os._exit(0)
        os.close(w)
        status = os.read(r, 64).decode()
        os.close(r)
        os.waitpid(pid, 0)
        assert status == "PASS"
        store.record(run_id, result_row(case_id, time.time()))
    wall = time.perf_counter() - start
    store.close()
    return wall / FORK_N


def spawn_per_case(folder: Path) -> float:
    sweeps = folder / "spawn"
    write_sweep(sweeps, "trivialspawn", [0.0] * SPAWN_N, op="bench.trivial")
    store = SqliteStore(folder / "spawn.sqlite")
    run_id = store.begin_run(host="b", command="spawn", ttgen_version="b", python="b", planned=SPAWN_N, selection={})
    code = (
        "import sys, ttgen.emu as ttnn; sys.path.insert(0, sys.argv[1]); import trivialspawn as m;"
        "d = ttnn.open_device(device_id=0); print(m.run(m.CASES[sys.argv[2]], d).status.value)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    for i in range(SPAWN_N):
        case_id = f"case{i:05d}"
        out = subprocess.run(
            [sys.executable, "-c", code, str(sweeps), case_id], env=env, capture_output=True, text=True
        )
        assert out.stdout.strip() == "PASS", out.stderr
        store.record(run_id, result_row(case_id, time.time()))
    wall = time.perf_counter() - start
    store.close()
    return wall / SPAWN_N


CRASHER = """
import os, signal
from typing import Final
from ttgen.runtime import Outcome, Status, ttnn

OP: Final = "bench.crash"
TIMEOUT_S: Final = 30
CASES: Final[dict[str, str]] = {"a_crash": "crash", "b_next": "pass"}


def run(case: str, device: ttnn.MeshDevice) -> Outcome:
    if case == "crash":
        os.kill(os.getpid(), signal.SIGSEGV)
    return Outcome(Status.PASS, "ok")
"""


def crash_to_next(folder: Path, prewarm: bool, repeats: int = 5) -> list[float]:
    """From the crash being recorded (after its one retry) to the next case starting on a fresh
    worker: kill, reap, respawn, import, open the device, dispatch."""
    out = []
    for i in range(repeats):
        sweeps = folder / f"crash{i}{prewarm}"
        sweeps.mkdir()
        (sweeps / "crasher.py").write_text(CRASHER)
        os.environ["TTGEN_PREWARM"] = "1" if prewarm else "0"
        summary = execute(Selection(paths=[str(sweeps)], backend="emu"), sweeps / "r.sqlite", reporter=Quiet())
        crash, nxt = summary.results
        assert (crash.status, nxt.status) == ("CRASH", "PASS")
        out.append(nxt.started - crash.ended)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small = ttgen_run(folder, SMALL)
        large = ttgen_run(folder, LARGE)
        ours = (large - small) / (LARGE - SMALL)
        fork = fork_per_case(folder)
        spawn = spawn_per_case(folder)
        crashes = crash_to_next(folder, prewarm=True)
        bare = crash_to_next(folder, prewarm=False)
    lines = [
        f"- ttgen runner, per case (slope of {SMALL} vs {LARGE} trivial cases, 1 worker, emulator, SQLite commit"
        f" per case, deadline + crash isolation): **{ours * 1e3:.3f} ms** (target <= 1 ms);"
        f" whole runs {small:.2f} s and {large:.2f} s including worker start",
        f"- fork per case (warm parent, same store commit): {fork * 1e3:.3f} ms per case ({fork / ours:.1f}x ttgen)",
        f"- spawn per case (fresh interpreter importing the runtime, same store commit): {spawn * 1e3:.1f} ms per case"
        f" ({spawn / ours:.0f}x ttgen)",
        f"- crash to next case running (kill, reap, respawn, import, open device, dispatch): median"
        f" {statistics.median(crashes) * 1e3:.0f} ms over {len(crashes)} crashes (min {min(crashes) * 1e3:.0f},"
        f" max {max(crashes) * 1e3:.0f}), the worker importing torch for goldens before it reports ready; with"
        f" TTGEN_PREWARM=0 (torch imported by the first golden instead) {statistics.median(bare) * 1e3:.0f} ms",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    ]
    print("\n".join(lines))
    if args.record:
        record("runner", lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
