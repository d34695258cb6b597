"""Compile speed at upstream's real-world scale (~6,000 configurations; PR #44464: 17 N150
models = 5,870 unique configs).

The fixture masters' configurations (../shared/fixtures/upstream, V2) and the embedded master's
are replicated into a ~6,000-configuration master by scaling a leading tensor dimension
(each copy is a distinct, valid configuration with its own config_hash). Then, in one run:

  1. a full `ttgen compile --all` into an empty directory   (target <= 10 s on 2 cores)
  2. `ttgen check` with nothing changed                      (target <= 1 s)

Both go through the console script, as a user runs them. Usage:

    .venv/bin/python benchmarks/compile.py [--configs 6000] [--record]

--record rewrites the "compile" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT.parent / "shared" / "fixtures" / "upstream"
SOURCES = [
    ROOT / "traced_operations" / "ttnn_operations_master.json",
    FIXTURES / "sweep_trace_gpt_oss.json",
    FIXTURES / "ttnn_master_v2_verbatim_excerpts.json",
]


def seed_configs() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in SOURCES:
        if not path.is_file():
            continue
        doc = json.loads(path.read_text())
        for op, entry in doc["operations"].items():
            for c in entry["configurations"]:
                out.append((op, c))
    return out


def scaled(config: dict[str, Any], k: int) -> dict[str, Any]:
    """Copy k of a configuration: every tensor's leading dimension multiplied by k+1."""
    c = copy.deepcopy(config)
    for value in c["arguments"].values():
        if isinstance(value, dict) and value.get("type") == "ttnn.Tensor" and value.get("original_shape"):
            value["original_shape"][0] *= k + 1
    c["config_hash"] = f"{k:06d}" + c["config_hash"][6:]
    c.pop("config_id", None)
    return c


def build_master(n: int) -> dict[str, Any]:
    seeds = seed_configs()
    ops: dict[str, list[dict[str, Any]]] = {}
    k = 0
    while sum(len(v) for v in ops.values()) < n:
        for op, c in seeds:
            ops.setdefault(op, []).append(scaled(c, k))
            if sum(len(v) for v in ops.values()) >= n:
                break
        k += 1
    return {"operations": {op: {"configurations": cs} for op, cs in ops.items()}, "metadata": {}}


def timed(cmd: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return elapsed, proc.stdout


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--configs", type=int, default=6000)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    ttgen = shutil.which("ttgen", path=str(Path(sys.executable).parent)) or "ttgen"
    with tempfile.TemporaryDirectory(prefix="ttgen-bench-") as tmp:
        work = Path(tmp)
        master = work / "master.json"
        master.write_text(json.dumps(build_master(args.configs)))
        compile_s, summary = timed([ttgen, "compile", "--all", "--master", str(master), "--out", "generated"], work)
        check_s, _ = timed([ttgen, "check", "--master", str(master), "--out", "generated"], work)
        files = sum(1 for _ in (work / "generated").rglob("*.py"))
    lines = [
        f"- configurations: {args.configs} ({summary.splitlines()[0].split(': ', 1)[1]})",
        f"- generated .py files: {files}",
        f"- full compile (console script, empty output dir): {compile_s:.2f} s (target <= 10 s)",
        f"- check with nothing changed: {check_s:.2f} s (target <= 1 s)",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    ]
    print("\n".join(lines))
    if args.record:
        record("compile", lines)
    return 0


def record(section: str, lines: list[str]) -> None:
    results = ROOT / "benchmarks" / "RESULTS.md"
    text = results.read_text() if results.is_file() else "# Benchmark results\n"
    header = f"## {section}"
    body = f"{header}\n\n`.venv/bin/python benchmarks/{section}.py --record`\n\n" + "\n".join(lines) + "\n"
    if header in text:
        start = text.index(header)
        end = text.find("\n## ", start + len(header))
        text = text[:start] + body + (text[end + 1 :] if end != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + body
    results.write_text(text)


if __name__ == "__main__":
    raise SystemExit(main())
