"""Live tier: mesh-traced cases on the real ttnn 0.81.1 with mock multi-chip clusters. The shared
gpt-oss sweep trace (4x8 and 1x32 meshes) on a mock 6U Galaxy; the traces made with the real
ttnn on mock T3K and Galaxy meshes (tests/fixtures/mesh) on their systems. Each case opens its
mesh, distributes its inputs, calls the op and checks the per-device output spec and topology;
`ttgen verify` replays each one's configuration."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, UPSTREAM

PYTHON = os.environ.get("TTGEN_TTNN_PYTHON", "")
pytestmark = pytest.mark.skipif(
    not PYTHON, reason="live tier: set TTGEN_TTNN_PYTHON to an interpreter with the real ttnn wheel (mock clusters)"
)
MESH = ROOT / "tests" / "fixtures" / "mesh"
RAN = "no device numerics"  # a case that ran to its end on a mock cluster says so (numerics SKIP)


def env(cluster: str) -> dict[str, str]:
    yaml = Path(PYTHON).parent.parent / "mock_cluster" / cluster
    return {**os.environ, "TT_LOGGER_LEVEL": "error", "TT_METAL_MOCK_CLUSTER_DESC_PATH": str(yaml)}


def ttgen(*args: str, cluster: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ttgen.cli", *args], cwd=cwd, env=env(cluster), capture_output=True, text=True,
        timeout=1800,
    )  # fmt: skip


def run_and_verify(master: Path, cluster: str, tmp: Path) -> tuple[dict[str, list[str]], dict[str, object]]:
    gen, db = tmp / "gen", tmp / "r.sqlite"
    done = ttgen("compile", "--all", "--master", str(master), "--out", str(gen), cluster=cluster, cwd=ROOT)
    assert done.returncode == 0 and " 0 rejected" in done.stdout, done.stdout + done.stderr
    done = ttgen(
        "run", str(gen), "--backend", "ttnn", "--python", PYTHON, "--results", str(db), cluster=cluster, cwd=tmp
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    con = sqlite3.connect(db)
    rows = con.execute("SELECT op || ':' || case_id, status, message FROM results").fetchall()
    con.close()
    by: dict[str, list[str]] = {"ran": [], "other": []}
    for key, status, message in rows:
        by["ran" if status == "SKIP" and RAN in message else "other"].append(f"{key} {status}: {message}")
    verify = ttgen(
        "verify", "--master", str(master), "--backend", "ttnn", "--python", PYTHON, "--json", cluster=cluster, cwd=ROOT
    )
    doc = json.loads(verify.stdout)
    return by, doc


@pytest.mark.skipif(not (UPSTREAM / "sweep_trace_gpt_oss.json").is_file(), reason="../shared/fixtures is absent")
def test_gpt_oss_runs_on_a_mock_galaxy_and_replays(tmp_path: Path) -> None:
    by, doc = run_and_verify(UPSTREAM / "sweep_trace_gpt_oss.json", "wormhole_galaxy_6u.yaml", tmp_path)
    total = len(by["ran"]) + len(by["other"])
    assert total == 132
    assert len(by["ran"]) >= 0.95 * total, by["other"][:10]  # every other case lists ttnn's own reason
    assert doc["differs"] == [] and doc["reproduced"] == doc["run"] >= len(by["ran"]), doc["differs"][:3]


@pytest.mark.parametrize(
    ("name", "cluster"), [("t3k_2x4", "wormhole_t3k_grid8x8.yaml"), ("galaxy_4x8", "wormhole_galaxy_6u.yaml")]
)
def test_own_mesh_traces_run_whole_and_replay(name: str, cluster: str, tmp_path: Path) -> None:
    by, doc = run_and_verify(MESH / name / "operation_parameters", cluster, tmp_path)
    assert by["other"] == [] and len(by["ran"]) >= 150
    # spec and topology were compared against each traced return value
    assert doc["differs"] == [] and doc["not_run"] == [] and doc["reproduced"] == doc["cases"] == len(by["ran"])


def test_a_mesh_this_machine_cannot_open_is_a_skip_naming_both(tmp_path: Path) -> None:
    gen, db = tmp_path / "gen", tmp_path / "r.sqlite"
    master = MESH / "galaxy_4x8" / "operation_parameters"
    assert ttgen("compile", "--all", "--master", str(master), "--out", str(gen), cluster="", cwd=ROOT).returncode == 0
    done = ttgen(
        "run", str(gen), "--backend", "ttnn", "--python", PYTHON, "--results", str(db), "--op", "ttnn.add",
        cluster="wormhole_t3k_grid8x8.yaml", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:]
    con = sqlite3.connect(db)
    messages = [m for (m,) in con.execute("SELECT message FROM results WHERE status = 'SKIP'")]
    con.close()
    assert messages and all("needs a 4x8 mesh; this machine has a 2x4 system mesh (8 devices)" in m for m in messages)
