"""Live tier: the example models run unchanged on the real ttnn 0.81.1 on a mock T3K (single-chip
examples on one of its chips, the tensor-parallel ones on its 2x4 mesh; every op accepted by
ttnn's validation; numerics are not compared there: device reads are zeros)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYTHON = os.environ.get("TTGEN_TTNN_PYTHON", "")
T3K_YAML = "wormhole_t3k_grid8x8.yaml"


@pytest.mark.skipif(
    not PYTHON, reason="live tier: set TTGEN_TTNN_PYTHON to an interpreter with the real ttnn wheel (mock cluster)"
)
def test_examples_run_unchanged_on_real_ttnn(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TTGEN_BACKEND": "ttnn",
        "TT_LOGGER_LEVEL": "error",
        "TT_METAL_MOCK_CLUSTER_DESC_PATH": str(Path(PYTHON).parent.parent / "mock_cluster" / T3K_YAML),
    }
    proc = subprocess.run(
        [PYTHON, "-m", "pytest", "-o", "addopts=", "-q", "-p", "no:cacheprovider", str(ROOT / "examples")],
        cwd=tmp_path,  # ttnn writes scratch files into its working directory
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    tests = sum(p.read_text().count("\ndef test_") for p in (ROOT / "examples").glob("test_*.py"))
    assert f"{tests} passed" in proc.stdout  # none skipped: the 2x4 mesh opened
