"""Tracing overhead: the examples run untraced, with the recording plugin, and through the whole
`ttgen trace` (record, read back, merge into a master), side by side and interleaved in one run
so machine noise hits all three alike; plus the cost of the emulator's call hook per op call.

    .venv/bin/python benchmarks/trace.py [--repeats N] [--record]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
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

TTGEN = shutil.which("ttgen", path=str(Path(sys.executable).parent)) or "ttgen"
TESTS = sum(p.read_text().count("\ndef test_") for p in (ROOT / "examples").glob("test_*.py"))
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "examples/"]


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return took


def runs(repeats: int, scratch: Path) -> dict[str, list[float]]:
    env = {**os.environ, "TTGEN_BACKEND": "emu"}
    out: dict[str, list[float]] = {"untraced": [], "plugin": [], "trace": []}
    for i in range(repeats):
        out["untraced"].append(timed(PYTEST, env))
        calls = scratch / f"calls{i}"
        out["plugin"].append(timed([*PYTEST, "-p", "ttgen.trace.plugin"], {**env, "TTGEN_TRACE_DIR": str(calls)}))
        master = scratch / f"master{i}.json"
        out["trace"].append(timed([TTGEN, "trace", "--master", str(master), "--", "examples/", "-q"], env))
    return out


def per_call(n: int = 2000) -> tuple[float, float]:
    """µs per ttnn.relu call on a 32x32 tile without and with the recording hook."""
    import numpy as np

    import ttgen.emu as ttnn
    from ttgen.emu import calls
    from ttgen.trace.record import TestCalls

    device = ttnn.open_device(device_id=0)
    x = ttnn.to_device(ttnn.Tensor(np.ones((1, 1, 32, 32), np.float32), ttnn.bfloat16, None, ttnn.TILE_LAYOUT), device)
    ttnn.relu(x)  # imports torch for the golden once, outside the timing

    def loop() -> float:
        start = time.perf_counter()
        for _ in range(n):
            ttnn.relu(x)
        return (time.perf_counter() - start) / n * 1e6

    plain, hooked = [], []
    for _ in range(3):
        plain.append(loop())
        calls.set_hook(TestCalls("bench").record)  # what the plugin's hook does for a call in a test
        hooked.append(loop())
        calls.set_hook(None)
    return min(plain), min(hooked)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="ttgen-bench-trace-"))
    try:
        times = runs(args.repeats, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    plain, hooked = per_call()
    lines = [
        f"- `pytest examples/` ({TESTS} tests), median of {args.repeats}"
        " interleaved runs, wall including interpreter start:",
        f"  - untraced: {med['untraced']:.2f} s",
        f"  - with the recording plugin: {med['plugin']:.2f} s ({med['plugin'] / med['untraced']:.2f}x untraced)",
        f"  - whole `ttgen trace` (record, read back, merge into a master): {med['trace']:.2f} s"
        f" ({med['trace'] / med['untraced']:.2f}x untraced)",
        f"- per op call (emulated relu, 32x32 bfloat16, in-process): {plain:.1f} µs without the hook,"
        f" {hooked:.1f} µs recording ({hooked - plain:.1f} µs per recorded call)",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    ]
    print("\n".join(lines))
    if args.record:
        record("trace", lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
