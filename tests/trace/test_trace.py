"""`ttgen trace`: real pytest runs of real tests on the emulator, recorded into a real master."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EMBEDDED_MASTER, ROOT

TTGEN = shutil.which("ttgen", path=str(Path(sys.executable).parent)) or "ttgen"

# what every traced test file here starts with: a device, and a DRAM tensor of ones
PRELUDE = """
import numpy as np
import pytest

from ttgen.runtime import ttnn


@pytest.fixture(scope="module")
def device():
    opened = ttnn.open_device(device_id=0)
    yield opened
    ttnn.close_device(opened)


def x(device, width=32):
    host = ttnn.Tensor(np.ones((1, 1, 32, width), np.float32), ttnn.bfloat16, None, ttnn.TILE_LAYOUT)
    return ttnn.to_device(host, device, ttnn.DRAM_MEMORY_CONFIG)
"""

TESTS = (
    PRELUDE
    + """


def test_passes(device):
    ttnn.relu(x(device, 32))
    ttnn.relu(x(device, 32))
    ttnn.exp(x(device, WIDTH))


def test_other(device):
    ttnn.relu(x(device, 32))


def test_fails(device):
    ttnn.gelu(x(device, 32))
    assert False


@pytest.mark.skip(reason="not today")
def test_skipped(device):
    ttnn.sigmoid(x(device, 32))


@pytest.mark.xfail(reason="known", strict=True)
def test_xfails(device):
    ttnn.silu(x(device, 32))
    assert False
"""
)


def write_tests(project: Path, width: int = 64) -> None:
    (project / "test_ops.py").write_text(TESTS.replace("WIDTH", str(width)))


def trace(project: Path, *args: str, backend: str = "emu") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TTGEN, "trace", "--master", "master.json", "--backend", backend, *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
    )


def configs(master: Path) -> dict[str, list[dict[str, Any]]]:
    ops = json.loads(master.read_text())["operations"]
    return {op: v["configurations"] for op, v in ops.items()}


def identity(master: Path) -> set[tuple[str, str, str, int]]:
    """(op, config_hash, source, count) of every execution: what a trace must reproduce."""
    return {
        (op, c["config_hash"], e["source"], e["count"])
        for op, cs in configs(master).items()
        for c in cs
        for e in c["executions"]
    }


def by_hash(master: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """Every configuration by (op, config_hash): arguments, return value, executions without their
    trace_uid. Not config_id: a master grown trace by trace numbers them in another order."""
    return {
        (op, c["config_hash"]): {
            **{k: v for k, v in c.items() if k != "config_id"},
            "executions": [{k: v for k, v in e.items() if k != "trace_uid"} for e in c["executions"]],
        }
        for op, cs in configs(master).items()
        for c in cs
    }


def test_only_passed_tests_are_kept_and_infrastructure_is_not_recorded(tmp_path: Path) -> None:
    write_tests(tmp_path)
    done = trace(tmp_path, "--", "test_ops.py", "-q")
    assert done.returncode == 1, done.stdout + done.stderr  # pytest's status: a test failed
    assert "traced 5 tests on emu (Wormhole n150): 1 failed, 2 passed, 1 skipped, 1 xfailed" in done.stdout
    assert "4 op calls recorded from tests that passed (2 unique configurations)" in done.stdout
    assert "2 calls of tests that did not pass not kept" in done.stdout  # gelu, silu
    assert "infrastructure calls not recorded: ttnn.to_device ×6" in done.stdout
    found = configs(tmp_path / "master.json")
    assert sorted(found) == ["ttnn.exp", "ttnn.relu"]
    [relu] = found["ttnn.relu"]
    assert sorted((e["source"], e["count"]) for e in relu["executions"]) == [
        ("test_ops.py::test_other", 1),
        ("test_ops.py::test_passes", 2),
    ]
    execution = relu["executions"][0]
    assert execution["machine_info"] == {
        "board_type": "Wormhole",
        "card_count": 1,
        "device_count": 1,
        "device_ids": [0],
        "device_series": "n150",
        "mesh_device_shape": [1, 1],
    }
    assert len(execution["trace_uid"]) == 36
    arg = relu["arguments"]["arg0"]
    assert (arg["original_shape"], arg["original_dtype"], arg["layout"]) == (
        [1, 1, 32, 32],
        "DataType.BFLOAT16",
        "Layout.TILE",
    )
    assert relu["return_value"]["memory_config"]["memory_layout"] == "TensorMemoryLayout.INTERLEAVED"
    meta = json.loads((tmp_path / "master.json").read_text())["metadata"]
    assert meta["total_configurations"] == 2 and meta["operations_summary"] == {"ttnn.exp": 1, "ttnn.relu": 1}


def test_a_retrace_replaces_the_executions_of_the_tests_it_ran(tmp_path: Path) -> None:
    write_tests(tmp_path)
    trace(tmp_path, "--", "test_ops.py")
    master = tmp_path / "master.json"
    first = master.read_bytes()
    again = trace(tmp_path, "--", "test_ops.py")
    assert "0 configurations added, 2 already present, 0 removed (no longer traced); unchanged" in again.stdout
    assert master.read_bytes() == first  # a fixed point: same bytes, trace_uid and last_updated included

    write_tests(tmp_path, width=96)  # test_passes now calls exp on another shape
    done = trace(tmp_path, "--", "test_ops.py", "-k", "passes")  # only that test re-runs
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 configurations added, 1 already present, 1 removed (no longer traced)" in done.stdout
    assert "ttnn.exp: +1 −1" in done.stdout
    found = configs(master)
    assert [c["arguments"]["arg0"]["original_shape"][-1] for c in found["ttnn.exp"]] == [96]
    before = {c["config_hash"]: c for c in configs(tmp_path / "master.json")["ttnn.relu"]}
    assert len(before) == 1  # relu, traced again with the same count, kept as it was
    [relu] = before.values()
    assert json.loads(first)["operations"]["ttnn.relu"]["configurations"] == [relu]


def test_deselected_tests_keep_their_executions(tmp_path: Path) -> None:
    write_tests(tmp_path)
    trace(tmp_path, "--", "test_ops.py")
    before = identity(tmp_path / "master.json")
    trace(tmp_path, "--", "test_ops.py::test_other")
    assert identity(tmp_path / "master.json") == before


def test_bad_invocations_are_one_line_errors(tmp_path: Path) -> None:
    done = trace(tmp_path, "--", "no_such_file.py")
    assert done.returncode == 2 and done.stderr.splitlines()[-1] == (
        "ttgen: error: pytest exited with status 4 (usage error); the master was not changed"
    )
    assert not (tmp_path / "master.json").exists()
    done = trace(tmp_path, "--python", "./nowhere/python", "--", "x.py")
    assert done.returncode == 2 and "cannot run" in done.stderr and done.stderr.count("\n") == 1
    done = trace(tmp_path, "--", "x.py", backend="gpu")
    assert done.returncode == 2 and "expected emu or ttnn" in done.stderr


def test_tracing_the_examples_gives_the_committed_master(tmp_path: Path) -> None:
    """traced_operations/ is what `ttgen trace -- examples/` records: an example changed without a
    re-trace fails here (and `ttgen check` then keeps generated/ in step with the master)."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples", ignore=shutil.ignore_patterns("__pycache__"))
    done = trace(tmp_path, "--", "examples/")
    assert done.returncode == 0, done.stdout + done.stderr
    assert identity(tmp_path / "master.json") == identity(EMBEDDED_MASTER)
    assert by_hash(tmp_path / "master.json") == by_hash(EMBEDDED_MASTER)


@pytest.mark.skipif(
    not os.environ.get("TTGEN_TTNN_PYTHON"),
    reason="live tier: set TTGEN_TTNN_PYTHON to an interpreter with the real ttnn wheel (mock cluster)",
)
def test_real_ttnn_traces_the_examples_as_the_emulator_does(tmp_path: Path) -> None:
    """The examples traced on real ttnn 0.81.1 (a mock T3K: one chip, and the tensor-parallel
    examples' 2x4 mesh) give the emulator's configurations: the same config_hash, arguments,
    return values (output specs, topologies) and executions."""
    python = os.environ["TTGEN_TTNN_PYTHON"]
    shutil.copytree(ROOT / "examples", tmp_path / "examples", ignore=shutil.ignore_patterns("__pycache__"))
    env = {
        **os.environ,
        "TT_LOGGER_LEVEL": "error",
        "TT_METAL_MOCK_CLUSTER_DESC_PATH": str(
            Path(python).parent.parent / "mock_cluster" / "wormhole_t3k_grid8x8.yaml"
        ),
    }
    done = subprocess.run(
        [TTGEN, "trace", "--master", "real.json", "--backend", "ttnn", "--python", python, "--", "examples/"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    tests = sum(p.read_text().count("\ndef test_") for p in (ROOT / "examples").glob("test_*.py"))
    assert f"traced {tests} tests on ttnn (Wormhole n150): {tests} passed" in done.stdout

    assert by_hash(tmp_path / "real.json") == by_hash(EMBEDDED_MASTER)
