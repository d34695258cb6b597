"""Live tier: `ttgen run --python` with workers under the real ttnn 0.81.1 (Python 3.12 venv) on a
mock Wormhole. The real library's crashes, errors and messages get the same statuses as the
emulator's; generated cases check output specs and report SKIP for numerics."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conformance.test_specs import MOCK_YAML
from tests.conftest import generated_cases
from tests.runner.sweeps import CHAOS
from tests.runner.test_runner import EXPECTED

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = os.environ.get("TTGEN_TTNN_PYTHON", "")

pytestmark = pytest.mark.skipif(
    not PYTHON, reason="live tier: set TTGEN_TTNN_PYTHON to an interpreter with the real ttnn wheel (mock cluster)"
)


def run_live(tmp_path: Path, *paths: str, cluster: str = MOCK_YAML["wormhole_b0"]) -> dict[str, tuple[str, int, str]]:
    db = tmp_path / "r.sqlite"
    (tmp_path / "state").mkdir()
    env = {
        **os.environ,
        "CHAOS_STATE": str(tmp_path / "state"),
        "TT_LOGGER_LEVEL": "error",
        "TT_METAL_MOCK_CLUSTER_DESC_PATH": str(Path(PYTHON).parent.parent / "mock_cluster" / cluster),
    }
    argv = [sys.executable, "-m", "ttgen.cli", "run", *paths, "--backend", "ttnn", "--python", PYTHON]
    subprocess.run([*argv, "--results", str(db)], cwd=ROOT, env=env, capture_output=True, timeout=600, check=False)
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT backend, arch FROM runs").fetchone() == ("ttnn", "wormhole_b0")
        rows = con.execute("SELECT case_id, status, attempt, message FROM results").fetchall()
    return {case: (status, attempt, message) for case, status, attempt, message in rows}


def test_chaos_on_real_ttnn_gets_the_same_statuses(tmp_path: Path) -> None:
    got = run_live(tmp_path, str(CHAOS))
    assert {k: v[:2] for k, v in got.items()} == EXPECTED
    assert "Out of Memory: Not enough space to allocate" in got["l1_oom"][2]  # ttnn's own allocator text
    assert "must be tile" in got["invalid"][2]


def test_generated_cases_on_real_ttnn_check_specs_and_skip_numerics(tmp_path: Path) -> None:
    got = run_live(tmp_path, "generated", cluster="wormhole_t3k_grid8x8.yaml")  # one chip, and the example's 2x4 mesh
    assert len(got) == sum(generated_cases().values())
    assert {status for status, _, _ in got.values()} == {"SKIP"}
    assert all("output spec matches the traced one; no device numerics" in message for _, _, message in got.values())
