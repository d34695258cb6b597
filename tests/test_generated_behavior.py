"""Generated code behaves as the contract says: expectations become marks, mesh cases skip
with their reason on a single-device backend."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEED_MASTER, UPSTREAM, generated_cases, needs_shared
from ttgen.compile.compiler import compile_master
from ttgen.compile.outputs import write
from ttgen.compile.sweeps_src import Expectation, Expectations, load_sweeps_data
from ttgen.runtime.pytest import params, skip, xfail


def test_expectations_become_marks(tmp_path: Path) -> None:
    data = load_sweeps_data()
    expected = Expectations(
        expectations=[
            Expectation(op="ttnn.add", case="66eeaee51f68", kind="xfail", reason="issue #1: sharded add rounding"),
            Expectation(op="ttnn.add", case="752870a4a1bf", kind="skip", reason="hangs on N150 (issue #2)"),
            Expectation(op="ttnn.add", case="000000000000", kind="skip", reason="no such case: ignored"),
        ]
    )
    data = data.model_copy(update={"expectations": expected})
    comp = compile_master(SEED_MASTER, tmp_path / "generated", data=data)
    text = comp.files["tests/ttnn/test_add.py"]
    assert '"66eeaee51f68": xfail("issue #1: sharded add rounding"),' in text
    assert '"752870a4a1bf": skip("hangs on N150 (issue #2)"),' in text
    assert "000000000000" not in text
    # the sweep module does not change with expectations; the pytest file's digest does
    plain = compile_master(SEED_MASTER, tmp_path / "generated")
    assert comp.files["sweeps/ttnn/add.py"] == plain.files["sweeps/ttnn/add.py"]
    assert comp.files["tests/ttnn/test_add.py"] != plain.files["tests/ttnn/test_add.py"]


def test_params_attach_strict_xfail_and_skip() -> None:
    out = params({"a": 1, "b": 2, "c": 3}, {"b": xfail("known"), "c": skip("not here")})
    assert out[0] == "a"
    xf, sk = out[1], out[2]
    assert (
        xf.values == ("b",)
        and xf.marks[0].name == "xfail"
        and xf.marks[0].kwargs == {"reason": "known", "strict": True}
    )
    assert sk.values == ("c",) and sk.marks[0].name == "skip" and sk.marks[0].kwargs == {"reason": "not here"}


@needs_shared
def test_mesh_cases_open_their_mesh_or_skip_naming_it(tmp_path: Path) -> None:
    """A 4x8 case runs on the emulator's 4x8 mesh; on an emulated one-chip board (TTGEN_EMU_SYSTEM
    =n150) it skips naming the mesh and the machine, never running on fewer devices."""
    comp = compile_master(UPSTREAM / "ttnn_master_v2_verbatim_excerpts.json", tmp_path / "generated")
    write(comp)

    def pytest_exp(system: str | None) -> str:
        env = {**os.environ, "TTGEN_BACKEND": "emu"}
        env.pop("TTGEN_EMU_SYSTEM", None)
        env.update({"TTGEN_EMU_SYSTEM": system} if system else {})
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "generated/tests/ttnn/test_exp.py"],
            cwd=tmp_path, capture_output=True, text=True, env=env,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stdout
        return proc.stdout

    one_chip = pytest_exp("n150")
    assert "1 skipped" in one_chip or "SKIPPED [1]" in one_chip
    assert "needs a 4x8 mesh; this machine has 1 device(s)" in one_chip
    on_mesh = pytest_exp(None)
    assert "needs a 4x8 mesh" not in on_mesh and "traced on a 4x8 mesh" not in on_mesh, on_mesh


@pytest.mark.parametrize("backend", ["emu"])
def test_generated_suite_runs_under_pytest(backend: str) -> None:
    """Every case of the embedded master runs on the emulator and passes its golden check."""
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-rA", "-p", "no:cacheprovider", "generated/"],
        cwd=root, capture_output=True, text=True, env={**os.environ, "TTGEN_BACKEND": backend},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout
    n = sum(generated_cases().values())
    # the tensor-parallel example's 8 cases run on the emulated 2x4 mesh: specs and topologies
    # are checked; values are not (goldens compare single-device outputs; CCLs have none)
    assert f"{n - 8} passed, 8 skipped" in proc.stdout and proc.stdout.count("PASSED") == n - 8, proc.stdout
    assert "SKIPPED [4] ttgen/runtime/pytest.py:63: output spec and topology match the traced ones" in proc.stdout


def test_the_suite_summary_lists_cases_with_xfail_and_skip_reasons(tmp_path: Path) -> None:
    """pytest generated/ ends with ttgen's line: cases run, passed, xfailed (each with its reason)
    and skipped (grouped by reason)."""
    doc = json.loads(SEED_MASTER.read_text())
    relu = doc["operations"]["ttnn.relu"]["configurations"]
    too_big = relu[0]["arguments"]["arg0"]  # 128 MiB in L1 interleaved: ttnn's out-of-memory error
    too_big["original_shape"] = [1, 1, 8192, 8192]
    too_big["memory_config"]["buffer_type"] = "BufferType.L1"
    master = tmp_path / "master.json"
    master.write_text(json.dumps(doc))
    ids = [c["config_hash"][:12] for c in relu]
    data = load_sweeps_data()
    expected = [
        Expectation(op="ttnn.relu", case=ids[0], kind="xfail", reason="does not fit in L1"),
        Expectation(op="ttnn.relu", case=ids[1], kind="skip", reason="not on this board"),
    ]
    data = data.model_copy(update={"expectations": Expectations(expectations=expected)})
    write(compile_master(master, tmp_path / "generated", data=data))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "generated/"],
        cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "TTGEN_BACKEND": "emu"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout
    n = sum(len(c["configurations"]) for c in doc["operations"].values())
    assert f"ttgen: {n} cases, {n - 1} run: {n - 2} passed, 1 xfailed, 1 skipped" in proc.stdout, proc.stdout
    assert f"  xfailed generated/tests/ttnn/test_relu.py::test_relu[{ids[0]}]: does not fit in L1" in proc.stdout
    assert "  skipped ×1: not on this board" in proc.stdout


def test_ops_with_a_domain_get_inputs_inside_it(tmp_path: Path) -> None:
    """sqrt, rsqrt, log and reciprocal of values in [-1, 1) are NaN or huge, and NaN against NaN
    checks nothing: sweeps_src/ranges.json gives them inputs in their domain, printed into the
    sweep module, and the runtime draws from it, so the goldens are finite and the cases pass."""
    import numpy as np

    from ttgen.goldens import GOLDENS, as_torch
    from ttgen.runtime import Inputs, TensorSpec, ttnn

    doc = json.loads(SEED_MASTER.read_text())
    relu = doc["operations"]["ttnn.relu"]["configurations"][0]  # one bfloat16 input, interleaved
    relu.pop("return_value", None)
    ops = ("sqrt", "rsqrt", "log", "reciprocal")
    doc["operations"] = {f"ttnn.{op}": {"configurations": [relu]} for op in ops}
    master = tmp_path / "master.json"
    master.write_text(json.dumps(doc))
    data = load_sweeps_data()
    comp = compile_master(master, tmp_path / "generated", data=data)
    for op in ops:
        low, high = data.value_ranges(f"ttnn.{op}")["*"]
        assert (
            low >= 0
            and f'RANGES: Final[dict[str, tuple[float, float]]] = {{"*": ({low}, {high})}}'
            in comp.files[f"sweeps/ttnn/{op}.py"]
        )
    write(comp)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "generated/"],
        cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "TTGEN_BACKEND": "emu"},
    )  # fmt: skip
    assert done.returncode == 0 and "ttgen: 4 cases, 4 run: 4 passed" in done.stdout, done.stdout

    device = ttnn.open_device(device_id=0)
    spec = TensorSpec((1, 1, 32, 32), ttnn.bfloat16, ttnn.TILE_LAYOUT, ttnn.DRAM_MEMORY_CONFIG)
    for ranges, finite in (({"*": (0.01, 4.0)}, True), (None, False)):
        inputs = Inputs("ttnn.log", device, golden="log", pcc={"default": 0.999}, ranges=ranges)
        inputs.tensor("input_tensor", spec)
        golden = GOLDENS["log"]({"input_tensor": as_torch(inputs.host["input_tensor"])}).numpy()
        assert bool(np.isfinite(golden).all()) is finite
