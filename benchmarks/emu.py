"""Time to run every generated case of the embedded master on the emulator (target <= 60 s on
2 cores), measured as a user runs it: `pytest generated/` with TTGEN_BACKEND=emu, plus the
per-case time of run() in-process.

    .venv/bin/python benchmarks/emu.py [--record]
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from compile import record  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    env = {**os.environ, "TTGEN_BACKEND": "emu"}
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "generated/", "-q", "-o", "addopts=", "-p", "no:cacheprovider"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(proc.stdout[-3000:])
    summary = proc.stdout.strip().splitlines()[-1]

    os.environ["TTGEN_BACKEND"] = "emu"
    sys.path.insert(0, str(ROOT))
    import ttgen.emu as ttnn

    device = ttnn.open_device(device_id=0)
    per_case = []
    for path in sorted((ROOT / "generated" / "sweeps").rglob("*.py")):
        if path.name == "__init__.py":
            continue
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for case in module.CASES.values():
            t = time.perf_counter()
            module.run(case, device)
            per_case.append(time.perf_counter() - t)
    lines = [
        f"- `pytest generated/` on the emulator: {summary}; wall {wall:.2f} s including interpreter start "
        "(target <= 60 s)",
        f"- run() per case in-process: {len(per_case)} cases, total {sum(per_case):.2f} s, "
        f"mean {1000 * sum(per_case) / len(per_case):.1f} ms, "
        f"slowest {1000 * max(per_case):.1f} ms (the first imports torch)",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    ]
    print("\n".join(lines))
    if args.record:
        record("emu", lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
