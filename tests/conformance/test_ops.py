"""Generated cases of the embedded master and the fixtures: output specs (or errors, or skip
reasons) on the emulator against real ttnn on a mock N150 and a mock P150."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conformance.test_specs import MOCK_YAML
from ttgen.conformance.ops import ROOT, compare, compile_inputs, fixture, load

needs_shared = pytest.mark.skipif(
    not (ROOT.parent / "shared" / "fixtures").is_dir(), reason="../shared/fixtures is absent"
)


ARCHS = ["wormhole_b0", "blackhole"]


@needs_shared
@pytest.mark.parametrize("arch", ARCHS)
def test_every_generated_case_agrees_with_ttnn(arch: str) -> None:
    doc = load(arch)
    assert doc["arch"] == arch
    compared, found, not_emulated, _ = compare(doc)
    assert compared == len(doc["records"]) >= 60  # single-device cases; mesh cases: tests/conformance/test_mesh.py
    assert found == [], "\n".join(f"{d.case}: {d.detail}" for d in found[:20])
    assert not_emulated == []
    specs = [r for r in doc["records"] if "output_spec" in r]
    assert len({r["op"] for r in specs}) >= 14  # single-device ops with real output specs


@needs_shared
def test_a_changed_answer_is_listed_by_case() -> None:
    doc = load()
    victim = next(r for r in doc["records"] if "dtype=DataType.BFLOAT16" in r.get("output_spec", ""))
    victim["output_spec"] = victim["output_spec"].replace("dtype=DataType.BFLOAT16", "dtype=DataType.UINT8")
    _, found, _, _ = compare(doc)
    assert [d.case for d in found] == [f"{victim['package']} {victim['op']} {victim['case']}"]
    assert "DataType.UINT8" in found[0].detail


@pytest.mark.skipif(
    not os.environ.get("TTGEN_TTNN_PYTHON"),
    reason="live tier: set TTGEN_TTNN_PYTHON to an interpreter with the real ttnn wheel (mock cluster)",
)
@needs_shared
@pytest.mark.parametrize("arch", ARCHS)
def test_live_op_outputs_equal_the_recorded_ones(arch: str, tmp_path: Path) -> None:
    python = os.environ["TTGEN_TTNN_PYTHON"]
    packages = compile_inputs(tmp_path)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TTGEN_BACKEND": "ttnn",
        "TT_LOGGER_LEVEL": "error",
        "TT_METAL_MOCK_CLUSTER_DESC_PATH": str(Path(python).parent.parent / "mock_cluster" / MOCK_YAML[arch]),
    }
    out = tmp_path / "live.json"
    script = ROOT / "tests" / "conformance" / "record_ttnn.py"
    argv = ["record", "ops", str(out), *[str(p) for p in packages]]
    code = f"import runpy, sys; sys.argv = {argv!r}; runpy.run_path({str(script)!r}, run_name='__main__')"
    proc = subprocess.run([python, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(out.read_text()) == json.loads(fixture(arch).read_text())
