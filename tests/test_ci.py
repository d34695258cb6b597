"""The regenerate-on-retrace CI: the workflow and pre-commit hooks call real commands, and the
retrace check script passes on this checkout and fails, with the diff, when an example changed
and nobody re-traced."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import ROOT, generated_cases
from tests.trace.test_trace import TTGEN

IGNORE = shutil.ignore_patterns("__pycache__")


def test_workflow_runs_the_retrace_check_and_the_tests() -> None:
    doc = yaml.safe_load((ROOT / ".github" / "workflows" / "ttgen.yml").read_text())
    jobs = doc["jobs"]
    runs = {job: [s.get("run", "") for s in spec["steps"]] for job, spec in jobs.items()}
    assert any("bash tools/retrace_check.sh" in r for r in runs["retrace-check"])
    assert any("bash tools/test.sh" in r for r in runs["tests"])
    assert {"pull_request", "push"} <= set(doc[True] if True in doc else doc["on"])  # YAML reads `on` as True


def test_pre_commit_hooks_run_ttgen_check() -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["entry"] == "ttgen check" and hook["pass_filenames"] is False
    [repo] = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"]
    [local] = repo["hooks"]
    assert local["entry"] == ".venv/bin/ttgen check"
    done = subprocess.run(local["entry"].split(), cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def retrace_check(project: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TTGEN": TTGEN, "PYTHON": sys.executable}
    env.pop("GITHUB_STEP_SUMMARY", None)
    return subprocess.run(
        ["bash", "tools/retrace_check.sh"], cwd=project, env=env, capture_output=True, text=True, timeout=900
    )


def test_retrace_check_passes_here_and_fails_on_an_untraced_change(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for folder in ("examples", "generated", "traced_operations"):
        shutil.copytree(ROOT / folder, project / folder, ignore=IGNORE)
    (project / "tools").mkdir()
    shutil.copy(ROOT / "tools" / "retrace_check.sh", project / "tools")
    done = retrace_check(project)
    assert done.returncode == 0, done.stdout + done.stderr
    n = sum(generated_cases().values())
    # the tensor-parallel example's 8 cases check specs and topologies on the emulated mesh; values SKIP
    assert "unchanged" in done.stdout and f"{n - 8} passed, 8 skipped" in done.stdout

    mlp = project / "examples" / "test_mlp.py"  # the gated MLP takes a longer sequence
    assert "rand(6, 1, 1, 32, 128)" in mlp.read_text()
    mlp.write_text(mlp.read_text().replace("rand(6, 1, 1, 32, 128)", "rand(6, 1, 1, 64, 128)"))
    done = retrace_check(project)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "the re-trace changed traced_operations/ttnn_operations_master.json" in done.stdout
    assert "ttnn.silu" in done.stdout  # ttgen diff's per-op table
    assert "generated/sweeps/ttnn/silu.py: stale" in done.stdout  # ttgen check names the file
    assert "--- a/sweeps/ttnn/silu.py" in done.stdout  # and shows the diff
