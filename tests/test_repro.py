"""`ttgen repro`: every generated case of the embedded master as a standalone script, run on the
emulator standing in for ttnn (and on the real ttnn in the live tier): same inputs as the
runtime makes, same call, the spec check and the golden pass where the case passes."""

from __future__ import annotations

import dataclasses
import importlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import ROOT
from ttgen.repro import find_case, repro_script
from ttgen.runner.discover import CaseNotFound, find_modules, select

GENERATED = ROOT / "generated"
CASES = select(find_modules([GENERATED]))
# one case of each op (its first): every call form, mesh and device handle the suite has
ONE_PER_OP = list({c.module.op: c for c in reversed(CASES)}.values())


def run_script(script: str) -> tuple[int, dict[str, Any]]:
    """Exec the script with the emulator as its `ttnn`; its exit code and globals."""
    import ttgen.emu

    saved = sys.modules.get("ttnn")
    sys.modules["ttnn"] = ttgen.emu
    ns: dict[str, Any] = {"__name__": "__main__"}
    try:
        exec(compile(script, "repro.py", "exec"), ns)
    except SystemExit as e:
        return int(e.code or 0), ns
    finally:
        if saved is None:
            sys.modules.pop("ttnn", None)
        else:
            sys.modules["ttnn"] = saved
    return 0, ns


@pytest.mark.parametrize("case", ONE_PER_OP, ids=[c.key for c in ONE_PER_OP])
def test_each_op_repros_with_the_runtimes_inputs(case: Any, capsys: pytest.CaptureFixture[str]) -> None:
    script = repro_script(case)
    assert "ttgen" not in script.split('"""', 2)[2].replace("ttgen repro", "")  # standalone
    code, ns = run_script(script)
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "spec matches the traced one" in printed
    # the inputs are the runtime's own, value for value
    sys.path.insert(0, str(GENERATED.parent))
    try:
        module = importlib.import_module(case.module.name)
    finally:
        sys.path.remove(str(GENERATED.parent))
    from ttgen.runtime import Inputs
    from ttgen.runtime.devices import Devices

    spec_case = module.CASES[case.case_id]
    devices = Devices()
    try:
        device = devices.for_case(spec_case, module.DEVICE_PARAMS)
        inputs = Inputs(
            module.OP,
            device,
            golden=module.GOLDEN,
            pcc=module.PCC,
            ranges=module.RANGES,
            indices=module.INDICES,
            case=spec_case,
        )
        for f in dataclasses.fields(spec_case):
            value = getattr(spec_case, f.name)
            if f.name != "expected" and hasattr(value, "dtype") and hasattr(value, "placement"):
                inputs.tensor(f.name, value)
                assert np.array_equal(ns[f"{f.name}_host"], inputs.host[f.name]), f.name
    finally:
        devices.close()
    if module.GOLDEN and "placement=MeshPlacement" not in Path(case.module.path).read_text():
        assert "golden: pcc" in printed


def test_a_case_is_named_by_id_prefix_op_id_or_key() -> None:
    case = CASES[0]
    for query in (
        case.case_id,
        case.case_id[:6],
        f"{case.module.op}:{case.case_id}",
        f"{case.module.op.removeprefix('ttnn.')}:{case.case_id}",
        case.key,
    ):
        assert find_case(query, [GENERATED]).key == case.key
    with pytest.raises(CaseNotFound, match="no such case 'zzzz'"):
        find_case("zzzz", [GENERATED])
    with pytest.raises(CaseNotFound, match="ambiguous"):
        find_case("add:", [GENERATED])


def test_the_command_writes_a_script_and_never_overwrites_another_file(tmp_path: Path) -> None:
    ttgen = Path(sys.executable).parent / "ttgen"
    target = tmp_path / "repro.py"
    proc = subprocess.run([ttgen, "repro", CASES[0].case_id, "-o", target], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert target.read_text().startswith('"""Standalone repro of ')
    mine = tmp_path / "mine.py"
    mine.write_text("print('my own work')\n")
    proc = subprocess.run([ttgen, "repro", CASES[0].case_id, "-o", mine], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2 and "not overwritten" in proc.stderr and mine.read_text() == "print('my own work')\n"


@pytest.mark.skipif(
    not os.environ.get("TTGEN_TTNN_PYTHON"), reason="live tier: set TTGEN_TTNN_PYTHON to a real-ttnn venv"
)
def test_scripts_run_on_the_real_ttnn_on_a_mock_t3k(tmp_path: Path) -> None:
    python = os.environ["TTGEN_TTNN_PYTHON"]
    yaml = Path(python).parent.parent / "mock_cluster" / "wormhole_t3k_grid8x8.yaml"
    env = {**os.environ, "TT_METAL_MOCK_CLUSTER_DESC_PATH": str(yaml), "TT_LOGGER_LEVEL": "error"}
    env.pop("PYTHONPATH", None)  # the script needs no ttgen
    picked = [c for c in CASES if c.module.op in ("ttnn.matmul", "ttnn.all_gather", "ttnn.layer_norm")]
    assert picked
    for case in picked:
        path = tmp_path / f"{case.case_id}.py"
        path.write_text(repro_script(case))
        proc = subprocess.run([python, path], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, (case.key, proc.stdout[-1500:], proc.stderr[-1500:])
        assert "spec matches the traced one" in proc.stdout
