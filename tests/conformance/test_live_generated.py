"""Live tier: generated tests run on the real ttnn 0.81.1 with a mock device. Validation,
output specs and allocation are real there; numerics are reported as SKIP, never as PASS."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conformance.test_specs import MOCK_YAML
from tests.conftest import generated_cases

ROOT = Path(__file__).resolve().parent.parent.parent
PER_CALL = ROOT.parent / "shared" / "fixtures" / "ttnn-0.81.1" / "traces" / "operation_parameters"

pytestmark = pytest.mark.skipif(
    not os.environ.get("TTGEN_TTNN_PYTHON"),
    reason="live tier: set TTGEN_TTNN_PYTHON to an interpreter with the real ttnn wheel and pytest",
)


def run_live(package: Path, cwd: Path, cluster: str = MOCK_YAML["wormhole_b0"]) -> str:
    python = os.environ["TTGEN_TTNN_PYTHON"]
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TTGEN_BACKEND": "ttnn",
        "TT_LOGGER_LEVEL": "error",
        "TT_METAL_MOCK_CLUSTER_DESC_PATH": str(Path(python).parent.parent / "mock_cluster" / cluster),
    }
    proc = subprocess.run(
        [python, "-m", "pytest", str(package.name), "-rA", "-p", "no:cacheprovider"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    return proc.stdout


@pytest.mark.skipif(not PER_CALL.is_dir(), reason="../shared/fixtures is absent")
def test_fixture_cases_check_specs_and_skip_numerics_on_real_ttnn(tmp_path: Path) -> None:
    """The per-call fixture records every return value: each case's output spec is checked
    against real ttnn's, then numerics SKIP with that reason."""
    out = tmp_path / "generated"
    ttgen = shutil.which("ttgen", path=str(Path(sys.executable).parent)) or "ttgen"
    subprocess.run(
        [ttgen, "compile", "--all", "--master", str(PER_CALL), "--out", str(out)], check=True, capture_output=True
    )
    stdout = run_live(out, tmp_path)  # ttnn writes ./generated/ reports: a scratch cwd
    assert "FAILED" not in stdout and "PASSED" not in stdout
    # 21 calls, 9 of them to_device (infrastructure: not compiled)
    assert "SKIPPED [12]" in stdout and "output spec matches the traced one; no device numerics" in stdout


def test_embedded_generated_suite_runs_on_real_ttnn(tmp_path: Path) -> None:
    """The embedded master is traced, return values included: every case checks its output
    spec against real ttnn's, then numerics SKIP. On a mock T3K: the tensor-parallel example's
    cases open its 2x4 mesh, the others one chip."""
    shutil.copytree(ROOT / "generated", tmp_path / "generated")
    stdout = run_live(tmp_path / "generated", tmp_path, "wormhole_t3k_grid8x8.yaml")
    n = sum(generated_cases().values())
    assert "FAILED" not in stdout and "PASSED" not in stdout
    assert f"SKIPPED [{n}]" in stdout and "output spec matches the traced one; no device numerics" in stdout
