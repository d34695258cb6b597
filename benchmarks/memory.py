"""Peak memory of ingest (RSS per MB of master) and of `compile --all-cases` (RSS per case).

Ingest: the real fixture masters' V2 configurations (../shared/fixtures/upstream and the embedded
master, as benchmarks/compile.py uses them) are replicated, each copy with its tensors' leading
dimension scaled (a distinct configuration with its own config_hash), into masters of 50 and
200 MB in a temporary folder, written one configuration at a time. Two layouts: two-space indent
(how upstream and ttgen write masters) and compact JSON (no whitespace, so about twice as many
configurations per MB: the harder case). Each is ingested by `ingest_path` in a fresh child
process; its peak RSS (wait4's ru_maxrss of that child), minus the peak RSS of a child that only
imports ingest, divided by the file's size, is the figure (target: at most 5x).

--all-cases: `ttgen compile --all --all-cases` of the gpt-oss fixture master into a temporary
--out, with --max-cases 0 (no new case) and the default cap; the difference in peak RSS over the
difference in cases is the memory per enumerated case.

Also: the repair of an unclosed V1 UnparsedElement grid of 1 MB (was quadratic: 90 KB took 22 s).

    .venv/bin/python benchmarks/memory.py [--sizes 50,200] [--record]

--record rewrites the "memory" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from compile import FIXTURES, record, scaled, seed_configs  # noqa: E402

MB = 1_000_000
GPT_OSS = FIXTURES / "sweep_trace_gpt_oss.json"
INGEST = "import sys\nfrom ttgen.ingest import ingest_path\n"
READ = "r = ingest_path(sys.argv[1])\nassert r.reconciles()\nprint(sum(r.present.values()), len(r.rejections))\n"


def _item(value: Any, indent: bool) -> str:
    """One configuration as json.dumps(master, indent=2) or compact json.dumps lays it out."""
    if not indent:
        return json.dumps(value, separators=(",", ":"))
    return "\n        " + json.dumps(value, indent=2).replace("\n", "\n        ")


def write_master(path: Path, size: int, indent: bool) -> int:
    """A master of about `size` bytes, written one configuration at a time (never held whole);
    returns its number of configurations."""
    by_op: dict[str, list[dict[str, Any]]] = {}
    for op, c in seed_configs():
        by_op.setdefault(op, []).append(c)
    per_copy = sum(len(_item(scaled(c, 1), indent)) + 1 for cs in by_op.values() for c in cs)
    copies = max(1, round(size / per_copy))
    n = 0
    with path.open("w") as f:
        f.write('{\n  "operations": {' if indent else '{"operations":{')
        for i, (op, configs) in enumerate(sorted(by_op.items())):
            head = (
                f'\n    {json.dumps(op)}: {{\n      "configurations": ['
                if indent
                else f'{json.dumps(op)}:{{"configurations":['
            )
            f.write(("" if i == 0 else ",") + head)
            for k in range(copies):
                for j, c in enumerate(configs):
                    f.write(("" if k == j == 0 else ",") + _item(scaled(c, k), indent))
                    n += 1
            f.write("\n      ]\n    }" if indent else "]}")
        f.write('\n  },\n  "metadata": {}\n}\n' if indent else '},"metadata":{}}')
    return n


def peak_rss(cmd: list[str], cwd: Path | None = None) -> tuple[int, float, str]:
    """(peak RSS in bytes, wall seconds, stdout) of one child process, from wait4."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read()
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stdout}\n{err.read()}")
    return usage.ru_maxrss * 1024, wall, stdout


def ingest_figures(work: Path, sizes: list[int]) -> list[str]:
    base, _, _ = peak_rss([sys.executable, "-c", INGEST])
    lines = [f"- baseline (interpreter + `import ttgen.ingest`): {base / MB:.0f} MB peak RSS"]
    worst = 0.0
    for indent in (True, False):
        for size_mb in sizes:
            master = work / f"master-{size_mb}-{'indent' if indent else 'compact'}.json"
            n = write_master(master, size_mb * MB, indent)
            size = master.stat().st_size
            rss, wall, out = peak_rss([sys.executable, "-c", INGEST + READ, str(master)])
            master.unlink()
            assert out.split() == [str(n), "0"], out
            ratio = (rss - base) / size
            worst = max(worst, ratio)
            lines.append(
                f"- {size / MB:.0f} MB master, {'two-space indent' if indent else 'compact'}, {n} configurations:"
                f" peak RSS {rss / MB:.0f} MB, {ratio:.2f} MB per MB above the baseline; {wall:.1f} s"
            )
    lines.append(
        f"- worst: **{worst:.2f}x** the master's size (target <= 5x; before streaming and shared IR values,"
        " json.loads of the whole file took 5.8x indented and 11.8x compact at 20 MB)"
    )
    return lines


def all_cases_figures(work: Path) -> list[str]:
    ttgen = shutil.which("ttgen", path=str(Path(sys.executable).parent)) or "ttgen"
    runs = []
    for cap in ("0", None):
        out_dir = work / f"generated_{cap or 'default'}"
        cmd = [ttgen, "compile", "--all", "--master", str(GPT_OSS), "--out", str(out_dir), "--all-cases"]
        rss, wall, stdout = peak_rss([*cmd, "--max-cases", cap] if cap is not None else cmd, cwd=work)
        traced = re.search(r": (\d+) cases in", stdout)
        added = re.search(r"(\d+) new cases", stdout)
        assert traced, stdout
        runs.append((rss, wall, int(traced.group(1)) + (int(added.group(1)) if added else 0)))
    (rss0, wall0, cases0), (rss1, wall1, cases1) = runs
    per_case = (rss1 - rss0) / max(1, cases1 - cases0)
    return [
        f"- `compile --all --all-cases` of {GPT_OSS.name}: {cases1} cases ({cases1 - cases0} enumerated),"
        f" peak RSS {rss1 / MB:.0f} MB, {wall1:.1f} s; with --max-cases 0 ({cases0} traced cases)"
        f" {rss0 / MB:.0f} MB, {wall0:.1f} s",
        f"- per enumerated case: **{per_case / 1000:.1f} KB** of peak RSS",
    ]


def repair_figure() -> str:
    from ttgen.ingest import ingest_document

    info = '{"arg0": ' + '{"grid": {[' * 100_000
    doc = {"operations": {"ttnn::pad": {"configurations": [[{"UnparsedElement": {"element_info": info}}]]}}}
    start = time.perf_counter()
    result = ingest_document(doc, "m.json")
    took = time.perf_counter() - start
    assert len(result.rejections) == 1
    return (
        f"- repair of an unclosed V1 UnparsedElement grid of {len(info) / MB:.1f} MB: {took:.2f} s"
        " (rejected, located; before the linear repair 90 KB took 22 s, quadratic)"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="50,200", help="master sizes in MB, comma-separated")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="ttgen-bench-memory-") as tmp:
        work = Path(tmp)
        lines = ingest_figures(work, sizes) + all_cases_figures(work)
    lines += [
        repair_figure(),
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    ]
    print("\n".join(lines))
    if args.record:
        record("memory", lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
