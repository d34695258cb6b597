"""`ttgen verify`: every case replayed under the tracer reproduces its source configuration, and
a replay that passes anything differently is caught, argument by argument."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conformance.test_specs import MOCK_YAML
from tests.conftest import TTNN_TRACES, needs_shared
from ttgen.model import Argument, IntValue, OpConfig
from ttgen.verify import argument_diffs, arguments_hash

ROOT = Path(__file__).resolve().parent.parent
MASTER = ROOT / "traced_operations" / "ttnn_operations_master.json"
WIDE = ROOT / "tests" / "fixtures" / "wide"
PYTHON = os.environ.get("TTGEN_TTNN_PYTHON", "")
live = pytest.mark.skipif(
    not PYTHON, reason="live tier: set TTGEN_TTNN_PYTHON to an interpreter with the real ttnn wheel (mock cluster)"
)
KEYS = {"configurations", "excluded", "cases", "run", "reproduced", "differs", "not_run"}


def ttgen(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ttgen.cli", *args], cwd=ROOT, capture_output=True, text=True, env=env, timeout=900
    )


def softmax(*arguments: Argument) -> OpConfig:
    return OpConfig(operation="ttnn.softmax", config_hash="0" * 64, arguments=arguments)


def test_keyword_and_positional_are_different_calls() -> None:
    tensor_free = IntValue(value=-1)
    keyword = softmax(Argument(name="dim", value=tensor_free))
    positional = softmax(Argument(name="arg0", value=tensor_free))
    assert arguments_hash(keyword) != arguments_hash(positional)
    (diff,) = argument_diffs(keyword, positional)
    assert diff.name == "dim" and diff.why == "traced as keyword 'dim', replayed positionally"
    changed = softmax(Argument(name="dim", value=IntValue(value=1)))
    assert [d.why for d in argument_diffs(keyword, changed)] == ["the replayed value differs"]
    assert [d.why for d in argument_diffs(keyword, softmax())] == ["traced, but the replay did not pass it"]


def test_the_embedded_master_reproduces_every_configuration_on_the_emulator() -> None:
    proc = ttgen("verify", "--backend", "emu", "--json")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    doc = json.loads(proc.stdout)
    assert set(doc) >= KEYS
    assert doc["cases"] == doc["run"] == doc["reproduced"] == doc["configurations"] - len(doc["not_compiled"]) > 30
    assert doc["differs"] == [] and doc["not_run"] == []


def test_a_replay_that_passes_arguments_otherwise_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compile every call keyword-only (as ttgen did before call forms): verify names each
    argument the trace had positional and exits 1."""
    from ttgen.cli.verify import verify_cmd
    from ttgen.compile import plan
    from ttgen.verify import verify

    monkeypatch.setattr(plan, "traced_form", lambda binding: ())
    result = verify(MASTER, backend="emu", ops=["ttnn.add"])
    differs = [r for r in result.results if r.verdict == "differs"]
    assert differs and len(differs) == result.run
    whys = {a.why for r in differs for a in r.arguments}
    assert "traced as positional, replayed by keyword 'input_tensor_a'" in whys
    import typer

    with pytest.raises(typer.Exit) as exit_info:
        verify_cmd(master=MASTER, backend="emu", op=["ttnn.add"], as_json=True)
    assert exit_info.value.exit_code == 1


@needs_shared
def test_fixture_cases_that_fit_one_device_reproduce_and_mesh_cases_say_why() -> None:
    upstream = ROOT.parent / "shared" / "fixtures" / "upstream"
    masters = (
        TTNN_TRACES / "operation_parameters",
        upstream / "sweep_trace_gpt_oss.json",
        upstream / "ttnn_operations_master_v1_graphcapture_excerpt.json",
    )
    one_chip = {**os.environ, "TTGEN_EMU_SYSTEM": "n150"}  # an emulated N150: mesh cases cannot open theirs
    for master in masters:
        doc = json.loads(ttgen("verify", "--backend", "emu", "--master", str(master), "--json", env=one_chip).stdout)
        assert doc["differs"] == [] and doc["run"] == doc["reproduced"]
        assert all("mesh" in r["reason"] or "not emulated" in r["reason"] for r in doc["not_run"]), doc["not_run"][:3]
    # V1 graph capture's C++ argument lists (pad's trailing use_multicore=1, memory_config) are
    # replayed by keyword, as the Python API takes them, with 1 as the bool it declares
    assert doc["cases"] == doc["reproduced"] == 3


def _live_env(arch: str) -> dict[str, str]:
    yaml = Path(PYTHON).parent.parent / "mock_cluster" / MOCK_YAML.get(arch, arch)
    return {**os.environ, "TT_LOGGER_LEVEL": "error", "TT_METAL_MOCK_CLUSTER_DESC_PATH": str(yaml)}


@live
@pytest.mark.parametrize(
    ("master", "arch"),
    [
        (MASTER, "wormhole_t3k_grid8x8.yaml"),  # a T3K: one chip, and the tensor-parallel example's 2x4 mesh
        (WIDE / "n150" / "operation_parameters", "wormhole_b0"),
        (WIDE / "p150" / "operation_parameters", "blackhole"),
    ],
)
def test_real_ttnn_reproduces_every_case(master: Path, arch: str) -> None:
    """The live tier: real ttnn 0.81.1 on a mock device runs every case of the embedded master
    and of the wide real trace, and each replayed call is the traced one."""
    proc = ttgen(
        "verify", "--backend", "ttnn", "--python", PYTHON, "--master", str(master), "--json", env=_live_env(arch)
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    doc = json.loads(proc.stdout)
    assert doc["not_run"] == [] and doc["differs"] == [] and doc["not_compiled"] == []
    assert doc["cases"] == doc["run"] == doc["reproduced"] == doc["configurations"]
