"""The retrace loop on a scratch checkout, as a user runs it: an example changes → `ttgen trace`
→ `ttgen check` fails naming only that op's files → `ttgen compile` → `ttgen check` passes, and
the change touches only that op. And many traces and imports at once into one master."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.conftest import EMBEDDED_MASTER, ROOT, TTNN_TRACES, UPSTREAM, needs_shared
from tests.trace.test_trace import TTGEN, identity

IGNORE = shutil.ignore_patterns("__pycache__")


def checkout(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "examples", project / "examples", ignore=IGNORE)
    shutil.copytree(ROOT / "generated", project / "generated", ignore=IGNORE)
    (project / "traced_operations").mkdir()
    shutil.copy(EMBEDDED_MASTER, project / "traced_operations" / EMBEDDED_MASTER.name)
    return project


def ttgen(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TTGEN, *args], cwd=project, capture_output=True, text=True, timeout=600)


def snapshot(generated: Path) -> dict[str, bytes]:
    return {p.relative_to(generated).as_posix(): p.read_bytes() for p in generated.rglob("*.py")} | {
        "MANIFEST.json": (generated / "MANIFEST.json").read_bytes()
    }


def test_changing_one_example_shape_regenerates_only_that_op(tmp_path: Path) -> None:
    project = checkout(tmp_path)
    assert ttgen(project, "check").returncode == 0
    before = snapshot(project / "generated")
    old_master = tmp_path / "old_master.json"
    shutil.copy(project / "traced_operations" / EMBEDDED_MASTER.name, old_master)

    # the attention block's output projection gets narrower: only its last linear sees that shape
    test = project / "examples" / "test_attention.py"
    text = test.read_text()
    anchor = "    q, k, v, o = (put(a, device) for a in (wq, wk, wv, wo))\n"
    assert anchor in text
    test.write_text(text.replace(anchor, "    wo = rand(15, 128, 64, scale=0.1)\n" + anchor))

    traced = ttgen(project, "trace", "--", "examples/")
    assert traced.returncode == 0, traced.stdout + traced.stderr
    # the output projection had the q/k/v projections' shapes: that configuration stays (3 calls,
    # not 4) and the new shape is one configuration more
    n = sum(len(v["configurations"]) for v in json.loads(EMBEDDED_MASTER.read_text())["operations"].values())
    assert f"1 configurations added, {n} already present, 0 removed (no longer traced)" in traced.stdout
    assert "  ttnn.linear: +1 −0" in traced.stdout

    check = ttgen(project, "check")
    assert check.returncode == 1
    named = {line.split(":")[0] for line in check.stdout.splitlines() if line.startswith("generated/")}
    assert named == {"generated/sweeps/ttnn/linear.py", "generated/MANIFEST.json"}, check.stdout
    assert "2 file(s) out of date; regenerate with: ttgen compile --all" in check.stdout

    diff = ttgen(project, "diff", str(old_master), f"traced_operations/{EMBEDDED_MASTER.name}", "--json")
    doc = json.loads(diff.stdout)
    changed = {op["operation"]: op for op in doc["operations"] if op["changed"]}
    assert list(changed) == ["ttnn.linear"]
    linear = changed["ttnn.linear"]
    assert (len(linear["added"]), len(linear["removed"]), len(linear["content_changed"])) == (1, 0, 1)
    assert [f["path"] for f in linear["files"]] == ["generated/sweeps/ttnn/linear.py"]

    assert ttgen(project, "compile", "--all").returncode == 0
    assert ttgen(project, "check").returncode == 0
    after = snapshot(project / "generated")
    assert {rel for rel in before.keys() | after.keys() if before.get(rel) != after.get(rel)} == {
        "sweeps/ttnn/linear.py",
        "MANIFEST.json",
    }


@needs_shared
def test_eight_concurrent_traces_and_imports_give_the_union(tmp_path: Path) -> None:
    project = checkout(tmp_path)
    jobs = [
        *(
            ["trace", "--", f"examples/{name}"]
            for name in sorted(p.name for p in (ROOT / "examples").glob("test_*.py"))[:4]
        ),
        *(
            ["import", str(path)]
            for path in (
                UPSTREAM / "sweep_trace_gpt_oss.json",
                UPSTREAM / "ttnn_master_v2_verbatim_excerpts.json",
                TTNN_TRACES / "operation_parameters",
                TTNN_TRACES / "graph_report.json",
            )
        ),
    ]
    assert len(jobs) == 8
    serial, concurrent = tmp_path / "serial.json", tmp_path / "concurrent.json"
    for job in jobs:
        done = ttgen(project, job[0], "--master", str(serial), *job[1:])
        assert done.returncode == 0, done.stdout + done.stderr
    procs = [
        subprocess.Popen(
            [TTGEN, job[0], "--master", str(concurrent), *job[1:]],
            cwd=project,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for job in jobs
    ]
    assert [p.wait(600) for p in procs] == [0] * 8, [p.stderr.read() for p in procs if p.stderr]
    doc = json.loads(concurrent.read_text())  # valid JSON
    assert identity(concurrent) == identity(serial)
    assert {(op, c["config_hash"]) for op, v in doc["operations"].items() for c in v["configurations"]} == {
        (op, c["config_hash"])
        for op, v in json.loads(serial.read_text())["operations"].items()
        for c in v["configurations"]
    }
    total = sum(len(v["configurations"]) for v in doc["operations"].values())
    assert doc["metadata"]["total_configurations"] == total
    assert not list(tmp_path.glob(".concurrent.json.*"))  # no temporary file left behind
