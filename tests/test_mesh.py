"""Mesh-traced configurations through ingest and compile: the traces made on mock T3K and 6U
Galaxy meshes with the real ttnn (tests/fixtures/mesh, tools/record_mesh.sh) and the shared
gpt-oss sweep trace (4x8 and 1x32 meshes). What a case prints: per-device shape, placements,
distribution and global shape; its Machine (arch, mesh); the semaphores upstream's tracer drops."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, UPSTREAM, needs_shared
from ttgen.compile.machine import MeshConflict, case_mesh
from ttgen.model import OpConfig
from ttgen.runner.discover import find_modules, select

MESH_TRACES = ROOT / "tests" / "fixtures" / "mesh"
SYSTEMS = {"t3k_2x4": (2, 4), "galaxy_4x8": (4, 8)}


def ttgen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ttgen.cli", *args], capture_output=True, text=True, cwd=ROOT, check=False
    )


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for name in SYSTEMS:
        dest = tmp_path_factory.mktemp(name) / "gen"
        done = ttgen(
            "compile", "--all", "--master", str(MESH_TRACES / name / "operation_parameters"), "--out", str(dest)
        )
        assert done.returncode == 0, done.stderr
        assert " 0 rejected" in done.stdout, done.stdout
        out[name] = dest
    return out


@pytest.mark.parametrize("name", list(SYSTEMS))
def test_mesh_traces_parse_completely(name: str) -> None:
    doc = json.loads(ttgen("stats", str(MESH_TRACES / name / "operation_parameters"), "--json").stdout)["files"][0]
    assert doc["parsed"] == doc["configurations"] >= 260  # every traced call
    assert doc["compile"]["rejected"] == 0 and doc["compile"]["bound"] == doc["compile"]["configurations"]
    ccls = {"ttnn.all_gather", "ttnn.reduce_scatter", "ttnn.all_reduce", "ttnn.experimental.all_gather_async"}
    ccls |= {"ttnn.experimental.reduce_scatter_minimal_async", "ttnn.experimental.all_reduce_async"}
    assert ccls <= set(doc["per_operation"]), sorted(ccls - set(doc["per_operation"]))


def test_mesh_cases_name_their_mesh_and_cover_the_trace(compiled: dict[str, Path]) -> None:
    for name, mesh in SYSTEMS.items():
        cases = select(find_modules([compiled[name]]))
        meshes = {c.hardware.mesh for c in cases}
        assert mesh in meshes  # most calls ran on the whole mesh; 1xN (sub)meshes for the ring phase
        assert all(len(m) == 2 for m in meshes)
        order = [c.hardware.mesh for c in cases]
        assert order == sorted(order, key=lambda m: (m[0] * m[1], m)), "cases of one mesh run together"


def test_a_mesh_tensor_prints_its_global_shape(compiled: dict[str, Path]) -> None:
    text = (compiled["t3k_2x4"] / "sweeps" / "ttnn" / "all_gather.py").read_text()
    assert "placement=MeshPlacement(" in text and "global_shape=" in text
    assert "machine=Machine(mesh=(2, 4))" in text
    from ttgen.model.tensor import Replicate, Shard, TensorPlacement

    p = TensorPlacement(placements=(Replicate(), Shard(dim=-1)), distribution_shape=(2, 4), mesh_device_shape=(2, 4))
    assert p.global_shape((1, 1, 32, 64)) == (1, 1, 32, 256)
    both = TensorPlacement(
        placements=(Shard(dim=-2), Shard(dim=-1)), distribution_shape=(4, 8), mesh_device_shape=(4, 8)
    )
    assert both.global_shape((1, 1, 32, 64)) == (1, 1, 128, 512)
    flat = TensorPlacement(placements=(Shard(dim=0),), distribution_shape=(32,), mesh_device_shape=(4, 8))
    assert flat.global_shape((2, 3)) == (64, 3)


def test_semaphore_lists_bind_where_ttnn_takes_a_global_semaphore_arg(compiled: dict[str, Path]) -> None:
    text = (compiled["galaxy_4x8"] / "sweeps" / "ttnn" / "experimental" / "all_gather_async.py").read_text()
    assert 'multi_device_global_semaphore=(Resource("global_semaphore"), Resource("global_semaphore"))' in text


@needs_shared
def test_gpt_oss_compiles_whole_with_the_semaphores_its_tracer_dropped(tmp_path: Path) -> None:
    done = ttgen(
        "compile", "--all", "--master", str(UPSTREAM / "sweep_trace_gpt_oss.json"), "--out", str(tmp_path / "g")
    )
    assert done.returncode == 0 and "132 cases in 37 ops, 0 rejected" in done.stdout, done.stdout
    sweeps = tmp_path / "g" / "sweeps" / "ttnn"
    ag = (sweeps / "experimental" / "all_gather_async.py").read_text()
    assert "multi_device_global_semaphore=(Resource(" in ag and "mesh_device=MeshRef((4, 8))" in ag
    add = (sweeps / "add.py").read_text()
    # per-device (1, 128, 360) split 8 ways on the last dim: the model's hidden size 2880
    assert "shape=(1, 128, 360)" in add and "global_shape=(1, 128, 2880)" in add
    assert 'machine=Machine(arch="wormhole_b0", mesh=(4, 8))' in add
    # a preallocated output_tensor is what the op returns: its spec (and topology) is checked
    assert "expected=TensorSpec(" in add
    meshes = {c.hardware.mesh for c in select(find_modules([tmp_path / "g"]))}
    assert meshes == {(4, 8), (1, 32)}


def _config(arguments: list[dict[str, object]]) -> OpConfig:
    from ttgen.model import Argument, MeshDeviceValue

    args = tuple(Argument(name=f"arg{i}", value=MeshDeviceValue(shape=a["shape"])) for i, a in enumerate(arguments))  # type: ignore[arg-type]
    return OpConfig(operation="ttnn.zeros", arguments=args, config_hash="0" * 64)


def test_a_call_on_two_meshes_is_refused_and_one_mesh_is_read() -> None:
    assert case_mesh(_config([{"shape": (2, 4)}])) == (2, 4)
    assert case_mesh(_config([])) == (1, 1)
    with pytest.raises(MeshConflict, match="different meshes: 1x8 and 2x4"):
        case_mesh(_config([{"shape": (2, 4)}, {"shape": (1, 8)}]))


def test_shard_groups_by_arch_and_mesh(compiled: dict[str, Path]) -> None:
    done = ttgen("shard", str(compiled["t3k_2x4"]), "--groups", "2", "--json")
    assert done.returncode == 0, done.stderr
    include = json.loads(done.stdout)["include"]
    classes = {(e["arch"], e["mesh"]) for e in include}
    assert classes == {("any", "2x4"), ("any", "1x8"), ("any", "1x4")}
    assert sum(e["cases"] for e in include) == len(select(find_modules([compiled["t3k_2x4"]])))
    assert [e["group"] for e in include] == list(range(1, len(include) + 1))
    assert all(e["devices"] == int(e["mesh"][0]) * int(e["mesh"][2]) for e in include)
