"""Tensor placements (validation verdicts, error classes and messages, resulting specs): the
emulator against ttnn 0.81.1 recorded on mock Wormhole N150 and Blackhole P150."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from ttgen.conformance.specs import compare, fixture, load

ARCHS = ("wormhole_b0", "blackhole")
MOCK_YAML = {"wormhole_b0": "wormhole_N150.yaml", "blackhole": "blackhole_P150.yaml"}


@pytest.mark.parametrize("arch", ARCHS)
def test_emulator_agrees_with_ttnn_on_every_placement(arch: str) -> None:
    n, found = compare(load(arch))
    assert n >= 900
    assert found == [], "\n".join(f"{d.case}: {d.detail}" for d in found[:20])


@pytest.mark.parametrize("arch", ARCHS)
def test_corpus_holds_every_fixture_tensor_and_rejections_of_every_rule(arch: str) -> None:
    doc = load(arch)
    sources = {r["spec"]["source"].split(":")[0] for r in doc["records"]}
    assert {"sweep_trace_gpt_oss.json", "ttnn_master_v2_verbatim_excerpts.json", "variation"} <= sources
    messages = " ".join(r["error"]["message"] for r in doc["records"] if "error" in r)
    for rule in (
        "must be tile {32, 32} sized",
        "must match physical width",
        "must match physical height",
        "must not exceed number of cores",
        "one full rectangular grid for block sharded",
        "for row major orientation",
        "for column major orientation",
    ):
        assert rule in messages, rule
    if arch == "wormhole_b0":
        assert "has no L1 bank on this device" in messages


@pytest.mark.skipif(
    not os.environ.get("TTGEN_TTNN_PYTHON"),
    reason="live tier: set TTGEN_TTNN_PYTHON to an interpreter with the real ttnn wheel (mock cluster)",
)
@pytest.mark.parametrize("arch", ARCHS)
def test_live_ttnn_placements_equal_the_recorded_ones(arch: str, tmp_path: Path) -> None:
    python = os.environ["TTGEN_TTNN_PYTHON"]
    desc = Path(python).parent.parent / "mock_cluster" / MOCK_YAML[arch]
    env = {**os.environ, "TT_LOGGER_LEVEL": "error", "TT_METAL_MOCK_CLUSTER_DESC_PATH": str(desc)}
    out = tmp_path / "live.json"
    script = Path(__file__).with_name("record_ttnn.py")
    argv = ["record", "specs", str(out)]
    code = f"import runpy, sys; sys.argv = {argv!r}; runpy.run_path({str(script)!r}, run_name='__main__')"
    proc = subprocess.run([python, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(out.read_text()) == json.loads(fixture(arch).read_text())
