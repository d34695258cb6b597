"""The emulator's multi-device mesh model, held to what the real ttnn 0.81.1 wheel does on mock
clusters. Every asserted fact was read off the real wheel (probe scripts run 2026-12 against
/work/ttnn-venv with TT_METAL_MOCK_CLUSTER_DESC_PATH=wormhole_t3k_grid8x8.yaml / wormhole_galaxy_6u.yaml);
the comment on each test names the probe. Values are not comparable (mock devices read back zeros),
so the collectives' numerics are checked against their definitions instead."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

import ttgen.emu as ttnn
from ttgen.emu import topology as topology_module

P, R = ttnn.PlacementShard, ttnn.PlacementReplicate
LINEAR = ttnn.Topology.Linear


@pytest.fixture(autouse=True)
def _fresh_fabric(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TTGEN_EMU_SYSTEM", "any")
    previous = topology_module.fabric_config()
    yield
    ttnn.set_fabric_config(previous)


def open_mesh(rows: int, cols: int, fabric: ttnn.FabricConfig = ttnn.FabricConfig.FABRIC_1D) -> ttnn.MeshDevice:
    ttnn.set_fabric_config(fabric)
    return ttnn.open_mesh_device(ttnn.MeshShape(rows, cols))


def values(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def on_mesh(
    mesh: ttnn.MeshDevice,
    shape: tuple[int, ...],
    placements: list[ttnn.PlacementShard | ttnn.PlacementReplicate] | None,
    memory_config: ttnn.MemoryConfig = ttnn.DRAM_MEMORY_CONFIG,
    dtype: ttnn.DataType = ttnn.bfloat16,
    layout: ttnn.Layout = ttnn.TILE_LAYOUT,
    seed: int = 0,
) -> ttnn.Tensor:
    """A device mesh tensor of the global `shape`; placements None: a plain host tensor sent to the mesh."""
    if placements is None:
        host = ttnn.Tensor(values(shape, seed), dtype, None, layout)
    else:
        mapper = ttnn.create_mesh_mapper(mesh, ttnn.MeshMapperConfig(placements))
        host = ttnn.Tensor(values(shape, seed), dtype, None, layout, mesh_mapper=mapper)
    return ttnn.to_device(host, mesh, memory_config)


def label(t: ttnn.Tensor) -> tuple[str, list[int]]:
    topo = t.tensor_topology()
    return repr(topo.placements()), list(topo.distribution_shape())


def shards(t: ttnn.Tensor) -> list[np.ndarray]:
    return [np.asarray(d._values, dtype=np.float32) for d in ttnn.get_device_tensors(t)]


# ----------------------------------------------------------------------------- value types


def test_mesh_shape_constructors_equality_and_errors() -> None:
    # probe p1: MeshShape(2, 4) == MeshShape([2, 4]); repr; MeshShape(8) and == tuple are TypeErrors
    m = ttnn.MeshShape(2, 4)
    assert repr(m) == "MeshShape([2, 4])" and m == ttnn.MeshShape([2, 4]) and m != ttnn.MeshShape([4, 2])
    assert tuple(int(d) for d in m) == (2, 4) and m.dims() == 2 and m.mesh_size() == 8 and m[-1] == 4
    assert repr(ttnn.MeshShape([8])) == "MeshShape([8])" and repr(ttnn.MeshShape((1, 1, 1))) == "MeshShape([1, 1, 1])"
    with pytest.raises(TypeError, match="incompatible function arguments"):
        ttnn.MeshShape(8)
    with pytest.raises(TypeError):
        _ = m == (2, 4)
    with pytest.raises(RuntimeError, match="MeshShape cannot have 0 dimension"):
        ttnn.MeshShape([])
    with pytest.raises(RuntimeError, match=r"ShapeBase\[\] index out of range. 5 not in"):
        m[5]


def test_placements_and_mapper_config_print_as_ttnn() -> None:
    # probe p1: reprs; Shard equality is identity while Replicate compares equal; row_dim/col_dim overload
    assert repr(P(-1)) == "PlacementShard(-1)" and P(-1).dim == -1 and repr(R()) == "PlacementReplicate()"
    assert R() == R() and P(1) != P(1)
    config = ttnn.MeshMapperConfig([R(), P(-1)])
    assert repr(config) == "MeshMapperConfig(placements: [PlacementReplicate(), PlacementShard(-1)])"
    override = ttnn.MeshMapperConfig([R(), P(-1)], ttnn.MeshShape(2, 4))
    assert repr(override).endswith(", mesh_shape_override=MeshShape([2, 4]))")
    assert repr(ttnn.MeshMapperConfig(row_dim=2, col_dim=3)) == (
        "MeshMapperConfig(placements: [PlacementShard(2), PlacementShard(3)])"
    )
    assert repr(ttnn.FabricConfig.FABRIC_1D) == "FabricConfig.FABRIC_1D" and ttnn.FabricConfig.FABRIC_2D.value == 4


# ----------------------------------------------------------------------------- opening meshes


def test_open_mesh_reports_ttnns_device_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    # probe p3 (T3K descriptor): repr, ids, per-chip 8x8 grid; the 6U Galaxy reports 8x9
    monkeypatch.setenv("TTGEN_EMU_SYSTEM", "t3k")
    mesh = ttnn.open_mesh_device(ttnn.MeshShape(2, 4), l1_small_size=0, trace_region_size=0)
    assert repr(mesh) == "MeshDevice(2x4 grid, 8 devices)" and mesh.shape == ttnn.MeshShape(2, 4)
    assert mesh.get_num_devices() == 8 and mesh.get_device_ids() == [4, 0, 2, 6, 5, 1, 3, 7]
    assert mesh.arch() is ttnn.Arch.WORMHOLE_B0 and repr(mesh.compute_with_storage_grid_size()) == "8-8"
    ttnn.close_mesh_device(mesh)
    assert not mesh.is_open
    monkeypatch.setenv("TTGEN_EMU_SYSTEM", "galaxy")
    galaxy = ttnn.open_mesh_device(ttnn.MeshShape(4, 8))
    assert repr(galaxy.compute_with_storage_grid_size()) == "8-9" and galaxy.get_device_ids()[:4] == [0, 4, 8, 12]


def test_a_system_opens_what_it_has(monkeypatch: pytest.MonkeyPatch) -> None:
    # probe p3: on T3K 4x2, 1x3, 2x3 open (lines and blocks that fit either way round); 4x4 and 1x16 do not
    monkeypatch.setenv("TTGEN_EMU_SYSTEM", "t3k")
    for shape in [(4, 2), (1, 3), (2, 3), (8, 1)]:
        assert ttnn.open_mesh_device(ttnn.MeshShape(*shape)).get_num_devices() == shape[0] * shape[1]
    with pytest.raises(
        RuntimeError,
        match=r"Requested mesh shape MeshShape\(\[4, 4\]\) requires 16 devices, but only 8 devices are available "
        r"in the system mesh MeshShape\(\[2, 4\]\)",
    ):
        ttnn.open_mesh_device(ttnn.MeshShape(4, 4))
    monkeypatch.setenv("TTGEN_EMU_SYSTEM", "galaxy")  # probe p3 (6U Galaxy): 2x16 fits no way round
    with pytest.raises(RuntimeError, match=r"Requested mesh is too big and is not rotatable: MeshShape\(\[2, 16\]\)"):
        ttnn.open_mesh_device(ttnn.MeshShape(2, 16))
    monkeypatch.setenv("TTGEN_EMU_SYSTEM", "any")
    # `any`: every shape opens; a known machine's shape takes that machine's grid
    assert ttnn.open_mesh_device(ttnn.MeshShape(16, 16)).get_num_devices() == 256
    assert repr(ttnn.open_mesh_device(ttnn.MeshShape(4, 8)).compute_with_storage_grid_size()) == "8-9"
    assert ttnn.open_mesh_device(ttnn.MeshShape(2, 4)).get_device_ids() == [4, 0, 2, 6, 5, 1, 3, 7]


def test_unset_the_emulator_opens_any_mesh_and_a_named_board_only_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    # unset: `any` (a trace's mesh cases run whatever mesh they were traced on);
    # n150, as probe p3 on the N150 descriptor: 1x1 opens, 1x2 does not
    monkeypatch.delenv("TTGEN_EMU_SYSTEM", raising=False)
    assert ttnn.open_mesh_device(ttnn.MeshShape(4, 8)).get_num_devices() == 32
    monkeypatch.setenv("TTGEN_EMU_SYSTEM", "n150")
    assert ttnn.get_num_devices() == 1 and ttnn.open_mesh_device(ttnn.MeshShape(1, 1)).get_num_devices() == 1
    with pytest.raises(RuntimeError, match=r"requires 2 devices, but only 1 devices are available in the system mesh"):
        ttnn.open_mesh_device(ttnn.MeshShape(1, 2))


def test_the_single_device_path_is_unchanged() -> None:
    device = ttnn.open_device(device_id=0)
    t = ttnn.to_device(ttnn.Tensor(values((32, 32)), ttnn.bfloat16, None, ttnn.TILE_LAYOUT), device)
    assert repr(device) == "MeshDevice(1x1 grid, 1 devices)" and t._shards is None
    assert label(ttnn.relu(t)) == ("[PlacementReplicate()]", [1])  # probe p2: a plain tensor's label


# ----------------------------------------------------------------------------- distributing


def test_mappers_give_per_device_shapes_and_labels() -> None:
    # probe p2 (T3K 2x4): per-device shapes and topologies of every mapper
    mesh = open_mesh(2, 4)
    bf16, tile = ttnn.bfloat16, ttnn.TILE_LAYOUT
    cases = [
        (
            ttnn.create_mesh_mapper(mesh, ttnn.MeshMapperConfig([R(), P(-1)])),
            (1, 1, 64, 256),
            (1, 1, 64, 64),
            "[PlacementReplicate(), PlacementShard(-1)]",
            [2, 4],
        ),
        (ttnn.ShardTensorToMesh(mesh, dim=3), (1, 1, 32, 512), (1, 1, 32, 64), "[PlacementShard(3)]", [8]),
        (
            ttnn.ShardTensor2dMesh(mesh, mesh_shape=(2, 4), dims=(-2, -1)),
            (1, 1, 64, 256),
            (1, 1, 32, 64),
            "[PlacementShard(-2), PlacementShard(-1)]",
            [2, 4],
        ),
        (ttnn.replicate_tensor_to_mesh_mapper(mesh), (1, 1, 32, 64), (1, 1, 32, 64), "[PlacementReplicate()]", [8]),
        (
            ttnn.create_mesh_mapper(mesh, ttnn.MeshMapperConfig(row_dim=2, col_dim=3)),
            (1, 1, 64, 256),
            (1, 1, 32, 64),
            "[PlacementShard(2), PlacementShard(3)]",
            [2, 4],
        ),
        (
            ttnn.create_mesh_mapper(mesh, ttnn.MeshMapperConfig([R(), P(-1)], ttnn.MeshShape(1, 2))),
            (1, 1, 32, 128),
            (1, 1, 32, 64),
            "[PlacementReplicate(), PlacementShard(-1)]",
            [1, 2],
        ),
        # fewer pieces than devices: the distribution shrinks (torch.chunk sizes)
        (ttnn.ShardTensorToMesh(mesh, dim=-1), (1, 1, 32, 3), (1, 1, 32, 1), "[PlacementShard(-1)]", [3]),
    ]
    for mapper, whole, per_device, placements, dist in cases:
        host = ttnn.Tensor(values(whole), bf16, None, tile, mesh_mapper=mapper)
        assert tuple(host.shape) == per_device and label(host) == (placements, dist)
        assert host.storage_type() is ttnn.StorageType.HOST
        on = ttnn.to_device(host, mesh, ttnn.L1_MEMORY_CONFIG)
        assert label(on) == (placements, dist) and on.memory_config() == ttnn.L1_MEMORY_CONFIG
    coords = ttnn.Tensor(values((1, 1, 64, 256)), bf16, None, tile, mesh_mapper=cases[0][0]).tensor_topology()
    assert repr(coords.mesh_coords()[:2]) == "[MeshCoordinate([0, 0]), MeshCoordinate([0, 1])]"


def test_mapper_refusals_carry_ttnns_words() -> None:
    # probe p2: uneven split, placements count, dim range, duplicate dims
    mesh = open_mesh(2, 4)
    with pytest.raises(
        RuntimeError,
        match=r"Shard shape mismatch: expected Shape\(\[1, 1, 32, 9\]\) but got Shape\("
        r"\[1, 1, 32, 7\]\)",
    ):
        ttnn.Tensor(values((1, 1, 32, 70)), mesh_mapper=ttnn.ShardTensorToMesh(mesh, dim=-1))
    with pytest.raises(
        RuntimeError,
        match=r"The number of dimensions in the mesh shape MeshShape\(\[2, 4\]\) does "
        r"not match the number of placements in the config MeshMapperConfig\(placements: "
        r"\[PlacementShard\(-1\)\]\)",
    ):
        ttnn.create_mesh_mapper(mesh, ttnn.MeshMapperConfig([P(-1)]))
    with pytest.raises(RuntimeError, match=r"Invalid dimension index; got dims: \{4\}, tensor dimension: 4"):
        ttnn.Tensor(
            values((1, 1, 32, 64)), mesh_mapper=ttnn.create_mesh_mapper(mesh, ttnn.MeshMapperConfig([R(), P(4)]))
        )
    with pytest.raises(RuntimeError, match="dims must be unique"):
        ttnn.Tensor(
            values((1, 1, 32, 512)), mesh_mapper=ttnn.create_mesh_mapper(mesh, ttnn.MeshMapperConfig([P(-1), P(3)]))
        )


def test_plain_tensor_replicates_one_d_and_readback_needs_a_composer() -> None:
    # probe p2: to_device(plain) -> [Replicate] over [8]; from_device keeps the label; to_torch needs a composer;
    # aggregate_tensor(ConcatMeshToTensor) -> the concatenation, labelled Replicate over [1]
    mesh = open_mesh(2, 4)
    plain = on_mesh(mesh, (1, 1, 32, 64), None)
    assert tuple(plain.shape) == (1, 1, 32, 64) and label(plain) == ("[PlacementReplicate()]", [8])
    assert plain.device() is mesh
    sharded = on_mesh(mesh, (1, 1, 64, 256), [P(-2), P(-1)])
    host = ttnn.from_device(sharded)
    assert host.storage_type() is ttnn.StorageType.HOST and label(host) == label(sharded)
    with pytest.raises(RuntimeError, match=r"Can't convert a tensor distributed on MeshShape\(\[2, 4\]\) mesh"):
        host.to_numpy()
    whole = ttnn.aggregate_tensor(host, ttnn.ConcatMesh2dToTensor(mesh, mesh_shape=(2, 4), dims=(-2, -1)))
    assert tuple(whole.shape) == (1, 1, 64, 256) and label(whole) == ("[PlacementReplicate()]", [1])
    expected = ttnn.Tensor(values((1, 1, 64, 256)), ttnn.bfloat16, None, ttnn.TILE_LAYOUT).to_numpy()
    np.testing.assert_array_equal(whole.to_numpy(), expected)  # shards reassemble exactly
    flat = ttnn.aggregate_tensor(host, ttnn.ConcatMeshToTensor(mesh, dim=-1))
    assert tuple(flat.shape) == (1, 1, 32, 512)


# ----------------------------------------------------------------------------- ops on meshes


def test_ops_run_per_device_with_the_union_label() -> None:
    # probe p4 ops: eltwise/softmax/norm/reshape/typecast keep the label; add's label is the union of its
    # inputs' (first Shard per axis wins, a tensor dim is sharded on one axis only, 1-D labels are outranked)
    mesh = open_mesh(2, 4)
    x = on_mesh(mesh, (1, 1, 64, 256), [R(), P(-1)], ttnn.L1_MEMORY_CONFIG)
    rep = on_mesh(mesh, (1, 1, 64, 64), None, seed=1)
    y = on_mesh(mesh, (1, 1, 128, 64), [P(-2), R()], seed=2)
    z = on_mesh(mesh, (1, 1, 64, 128), [P(-1), R()], seed=3)
    rs1 = "[PlacementReplicate(), PlacementShard(-1)]"
    assert label(ttnn.add(rep, x)) == (rs1, [2, 4])
    assert label(ttnn.add(x, y)) == ("[PlacementShard(-2), PlacementShard(-1)]", [2, 4])
    assert label(ttnn.add(z, x)) == ("[PlacementShard(-1), PlacementReplicate()]", [2, 4])
    out = ttnn.add(x, rep)
    assert out.memory_config() == ttnn.L1_MEMORY_CONFIG  # input a's config
    for o in (ttnn.relu(x), ttnn.softmax(x, dim=-1), ttnn.rms_norm(x, epsilon=1e-5), ttnn.typecast(x, ttnn.float32)):
        assert tuple(o.shape) == (1, 1, 64, 64) and label(o) == (rs1, [2, 4])
    assert tuple(ttnn.reshape(x, (1, 64, 64)).shape) == (1, 64, 64)
    # per device: device k adds its own shard of x to the replicated tensor
    for got, a, b in zip(shards(out), shards(x), shards(rep), strict=True):
        np.testing.assert_allclose(got, a + b, rtol=1e-2, atol=1e-2)


def test_matmul_column_and_row_parallel() -> None:
    # probe p4 ops: column-parallel rep x Shard(-1) -> [Shard(-1)] over [8]; row-parallel Shard(-1) x Shard(-2)
    # -> labelled by the activations (no "partial" placement); output DRAM by default
    mesh = open_mesh(2, 4)
    rep = on_mesh(mesh, (1, 1, 64, 64), None)
    w_col = ttnn.to_device(
        ttnn.Tensor(
            values((1, 1, 64, 256)),
            ttnn.bfloat8_b,
            None,
            ttnn.TILE_LAYOUT,
            mesh_mapper=ttnn.ShardTensorToMesh(mesh, dim=-1),
        ),
        mesh,
    )
    col = ttnn.matmul(rep, w_col)
    assert tuple(col.shape) == (1, 1, 64, 32) and label(col) == ("[PlacementShard(-1)]", [8])
    x = on_mesh(mesh, (1, 1, 64, 256), [R(), P(-1)], ttnn.L1_MEMORY_CONFIG)
    w_row = on_mesh(mesh, (1, 1, 256, 64), [R(), P(-2)], seed=5)
    row = ttnn.matmul(x, w_row)
    assert tuple(row.shape) == (1, 1, 64, 64) and label(row) == ("[PlacementReplicate(), PlacementShard(-1)]", [2, 4])
    assert row.memory_config() == ttnn.DRAM_MEMORY_CONFIG
    # the partial sums add up to the full product after an all_reduce over the sharded axis
    total = ttnn.all_reduce(row, cluster_axis=1)
    full = values((1, 1, 64, 256)) @ values((1, 1, 256, 64), seed=5)
    np.testing.assert_allclose(shards(total)[0], full, rtol=0.1, atol=0.5)


def test_lockstep_allocation_books_one_chips_worth() -> None:
    mesh = open_mesh(2, 4)
    x = on_mesh(mesh, (1, 1, 64, 256), [R(), P(-1)], ttnn.L1_MEMORY_CONFIG)
    before = list(mesh.allocator.l1_used)
    y = ttnn.relu(x)
    per_bank = max(b - a for a, b in zip(before, mesh.allocator.l1_used, strict=True))
    assert per_bank == 2048  # 4 tiles of 2048 B over 64 banks: one bank holds a tile, once, not 8 times
    ttnn.deallocate(y)
    assert mesh.allocator.l1_used == before


# ----------------------------------------------------------------------------- collectives: labels


def test_sync_ccl_shapes_and_labels_on_2x4() -> None:
    # probe p4 ccl / p5 (T3K 2x4, FABRIC_1D, input [Replicate, Shard(-1)] per device (1,1,64,64) / (256,256))
    mesh = open_mesh(2, 4)
    x = on_mesh(mesh, (1, 1, 64, 256), [R(), P(-1)])
    rr, rs1, rs3 = (
        "[PlacementReplicate(), PlacementReplicate()]",
        "[PlacementReplicate(), PlacementShard(-1)]",
        ("[PlacementReplicate(), PlacementShard(3)]"),
    )
    cases = [
        (ttnn.all_gather(x, -1, cluster_axis=1), (1, 1, 64, 256), rr, [2, 4]),
        (ttnn.all_gather(x, -1, cluster_axis=0), (1, 1, 64, 128), rs1, [2, 4]),
        (ttnn.all_gather(x, 0, cluster_axis=1), (4, 1, 64, 64), rr, [2, 4]),
        (ttnn.reduce_scatter(x, -1, cluster_axis=1), (1, 1, 64, 16), rs3, [2, 4]),
        (ttnn.reduce_scatter(x, 3, cluster_axis=0), (1, 1, 64, 32), rs1, [2, 4]),  # dim 3 sharded on axis 1 already
        (ttnn.reduce_scatter(x, 2, cluster_axis=0), (1, 1, 32, 64), "[PlacementShard(2), PlacementShard(-1)]", [2, 4]),
        (ttnn.reduce_scatter(x, 3), (1, 1, 64, 8), rs3, [2, 4]),  # whole mesh: axis 0 then axis 1
        (ttnn.reduce_scatter(x, 2), (1, 1, 8, 64), "[PlacementShard(2)]", [8]),
        (ttnn.all_reduce(x, cluster_axis=1), (1, 1, 64, 64), rr, [2, 4]),
        (ttnn.all_reduce(x, cluster_axis=0), (1, 1, 64, 64), rs1, [2, 4]),
        (ttnn.all_reduce(x), (1, 1, 64, 64), rr, [2, 4]),
    ]
    for out, shape, placements, dist in cases:
        assert (tuple(out.shape), *label(out)) == (shape, placements, dist)
    wide = on_mesh(mesh, (1, 1, 256, 1024), [R(), P(-1)])
    part = ttnn.mesh_partition(wide, 3, cluster_axis=1)
    assert tuple(part.shape) == (1, 1, 256, 64) and label(part) == (rs3, [2, 4])
    assert label(ttnn.mesh_partition(wide, 3)) == ("[PlacementShard(3)]", [8])
    assert label(ttnn.mesh_partition(wide, 2)) == (rs1, [2, 4])  # not expressible: keeps the input's label


def test_ccl_outputs_keep_dtype_layout_and_memory_config() -> None:
    # probe p4 ccl: output memory config = input's unless given; dtype and layout kept (bf8_b, ROW_MAJOR)
    mesh = open_mesh(2, 4)
    l1 = on_mesh(mesh, (1, 1, 64, 256), [R(), P(-1)], ttnn.L1_MEMORY_CONFIG)
    assert ttnn.all_gather(l1, -1, cluster_axis=1).memory_config() == ttnn.L1_MEMORY_CONFIG
    dram = ttnn.all_gather(l1, -1, cluster_axis=1, memory_config=ttnn.DRAM_MEMORY_CONFIG)
    assert dram.memory_config() == ttnn.DRAM_MEMORY_CONFIG
    bf8 = on_mesh(mesh, (1, 1, 64, 256), [R(), P(-1)], dtype=ttnn.bfloat8_b)
    assert ttnn.reduce_scatter(bf8, -1, cluster_axis=1).dtype is ttnn.bfloat8_b
    rm = on_mesh(mesh, (1, 1, 64, 256), [R(), P(-1)], layout=ttnn.ROW_MAJOR_LAYOUT)
    assert ttnn.all_reduce(rm, cluster_axis=0).layout is ttnn.ROW_MAJOR_LAYOUT


def test_fabric_2d_needs_no_cluster_axis() -> None:
    # probe p5 (FABRIC_2D on 2x4): whole-mesh gathers keep the label's shape; reduce_scatter_minimal_async -> 1-D
    mesh = open_mesh(2, 4, ttnn.FabricConfig.FABRIC_2D)
    x = on_mesh(mesh, (1, 1, 64, 256), [R(), P(-1)])
    out = ttnn.all_gather(x, -1)
    assert tuple(out.shape) == (1, 1, 64, 512) and label(out) == (
        "[PlacementReplicate(), PlacementReplicate()]",
        [2, 4],
    )
    sems = [ttnn.create_global_semaphore(mesh, cores(), 0) for _ in range(3)]
    rs = ttnn.experimental.reduce_scatter_minimal_async(x, None, 3, sems, topology=LINEAR)
    assert tuple(rs.shape) == (1, 1, 64, 8) and label(rs) == ("[PlacementShard(3)]", [8])
    plain = on_mesh(mesh, (1, 1, 64, 64), None)
    assert label(ttnn.all_gather(plain, 3)) == ("[PlacementReplicate()]", [8])


def cores() -> ttnn.CoreRangeSet:
    return ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(7, 7))})


# ----------------------------------------------------------------------------- collectives: refusals


def test_line_fabric_on_a_2d_mesh_needs_cluster_axis() -> None:
    # probe p4/p5 (FABRIC_1D, 2x4): sync all_gather refuses; async ops cannot route; reduce_scatter runs
    mesh = open_mesh(2, 4)
    x = on_mesh(mesh, (1, 1, 64, 256), [R(), P(-1)])
    with pytest.raises(RuntimeError, match="1D fabric on a 2D mesh_device requires cluster_axis to be set"):
        ttnn.all_gather(x, -1)
    sem = [ttnn.create_global_semaphore(mesh, cores(), 0) for _ in range(2)]
    with pytest.raises(RuntimeError, match=r"Could not find any forwarding direction from src \(M0, D3\) to dst"):
        ttnn.experimental.all_gather_async(x, 3, sem, topology=LINEAR)
    assert tuple(ttnn.reduce_scatter(x, 3).shape) == (1, 1, 64, 8)
    with pytest.raises(RuntimeError, match="Invalid gather dim 4 for 4D input tensor"):
        ttnn.all_gather(x, 4, cluster_axis=1)
    with pytest.raises(RuntimeError, match=r"ShapeBase\[\] index out of range. 2 not in"):
        ttnn.all_gather(x, -1, cluster_axis=2)


def test_without_a_fabric_collectives_refuse() -> None:
    # probe p5 (DISABLED): sync and most async -> un-initialized fabric context; all_gather_async -> unsupported;
    # mesh_partition moves nothing over the fabric and runs
    mesh = open_mesh(2, 4, ttnn.FabricConfig.DISABLED)
    x = on_mesh(mesh, (1, 1, 256, 1024), [R(), P(-1)])
    for call in (lambda: ttnn.all_gather(x, 3, cluster_axis=1), lambda: ttnn.all_reduce(x, cluster_axis=0)):
        with pytest.raises(RuntimeError, match="Trying to get un-initialized fabric context"):
            call()
    sem = [ttnn.create_global_semaphore(mesh, cores(), 0) for _ in range(2)]
    with pytest.raises(RuntimeError, match="Unsupported fabric config"):
        ttnn.experimental.all_gather_async(x, None, 3, sem, cluster_axis=1, topology=LINEAR)
    assert tuple(ttnn.mesh_partition(x, 3, cluster_axis=1).shape) == (1, 1, 256, 64)


def test_a_ring_of_one_device_refuses() -> None:
    # probe p5 (FABRIC_1D, 1x8, cluster_axis=0)
    mesh = open_mesh(1, 8)
    x = on_mesh(mesh, (1, 1, 256, 2048), [R(), P(-1)])
    sem = [ttnn.create_global_semaphore(mesh, cores(), 0) for _ in range(3)]
    with pytest.raises(RuntimeError, match="all_gather collective will only work for num_devices > 1, got 1"):
        ttnn.all_gather(x, 3, cluster_axis=0)
    with pytest.raises(RuntimeError, match="all_gather_async op will only work for num_devices > 1, but has 1"):
        ttnn.experimental.all_gather_async(x, None, 3, sem[:2], cluster_axis=0, topology=LINEAR)
    with pytest.raises(RuntimeError, match="reduce_scatter_minimal_async op will only work for num_devices > 1"):
        ttnn.experimental.reduce_scatter_minimal_async(x, None, 3, sem, cluster_axis=0, topology=LINEAR)
    with pytest.raises(RuntimeError, match="forward_coord or backward_coord is null"):
        ttnn.reduce_scatter(x, 3, cluster_axis=0)
    part = ttnn.mesh_partition(x, 3, cluster_axis=0)  # a partition into one piece: unchanged
    assert tuple(part.shape) == (1, 1, 256, 256) and label(part) == label(x)
    # the whole 1-D mesh needs no cluster_axis on FABRIC_1D
    assert label(ttnn.all_gather(x, 3)) == ("[PlacementReplicate(), PlacementReplicate()]", [1, 8])


def test_async_overloads_and_semaphore_counts() -> None:
    # probe p4 async (T3K 2x4, FABRIC_1D): all_gather_async takes exactly 2 semaphores in every overload;
    # all_reduce_async's barrier 2 (on every ring: a cached program skips the check, which once made a 4-device
    # ring seem to take any); the three all_gather_async overloads agree
    mesh = open_mesh(2, 4)
    x = on_mesh(mesh, (1, 1, 256, 1024), [R(), P(-1)])
    sem = lambda n: [ttnn.create_global_semaphore(mesh, cores(), 0) for _ in range(n)]  # noqa: E731
    ag = ttnn.experimental.all_gather_async
    a = ag(
        x, persistent_output_buffer=None, dim=3, multi_device_global_semaphore=sem(2), cluster_axis=1, topology=LINEAR
    )
    b = ag(x, 3, 1, mesh, LINEAR, sem(2), barrier_semaphore=sem(1)[0])
    out = on_mesh(mesh, (1, 1, 256, 1024), None, ttnn.L1_MEMORY_CONFIG)  # in the op's memory config (probe)
    c = ag(x, out, 3, sem(2), cluster_axis=1, topology=LINEAR, memory_config=ttnn.L1_MEMORY_CONFIG)
    assert c is out  # the persistent buffer is the result
    for o in (a, b, c):
        assert tuple(o.shape) == (1, 1, 256, 1024) and label(o) == (
            "[PlacementReplicate(), PlacementReplicate()]",
            [2, 4],
        )
    for n in (1, 3):
        with pytest.raises(RuntimeError, match="Default implementation requires 2 semaphores"):
            ag(x, None, 3, sem(n), cluster_axis=1, topology=LINEAR)
    with pytest.raises(TypeError, match="incompatible function arguments"):
        ag(x, "3", sem(2))
    rs = ttnn.experimental.reduce_scatter_minimal_async(x, None, 3, sem(3), cluster_axis=1, topology=LINEAR)
    assert tuple(rs.shape) == (1, 1, 256, 64) and label(rs) == ("[PlacementReplicate(), PlacementShard(3)]", [2, 4])
    ar = ttnn.experimental.all_reduce_async
    kw = dict(mesh_device=mesh, rs_global_semaphores=sem(3), math_op=ttnn.ReduceType.Sum, topology=LINEAR)
    ok = ar(x, cluster_axis=0, barrier_semaphores=sem(2), ag_global_semaphores=sem(2), **kw)
    assert tuple(ok.shape) == (1, 1, 256, 256) and label(ok) == ("[PlacementReplicate(), PlacementShard(-1)]", [2, 4])
    with pytest.raises(RuntimeError, match="Barrier semaphores must be of size 2"):
        ar(x, cluster_axis=0, barrier_semaphores=sem(1), ag_global_semaphores=sem(2), **kw)
    with pytest.raises(RuntimeError, match="Default implementation requires 2 semaphores"):
        ar(x, cluster_axis=0, barrier_semaphores=sem(2), ag_global_semaphores=sem(3), **kw)


# ----------------------------------------------------------------------------- collectives: numerics


def test_ccl_numerics_follow_their_definitions() -> None:
    mesh = open_mesh(2, 4, ttnn.FabricConfig.FABRIC_2D)
    whole = values((1, 1, 64, 256))
    x = on_mesh(mesh, (1, 1, 64, 256), [R(), P(-1)], dtype=ttnn.float32)
    pieces = shards(x)  # device (r, c) holds columns c*64 .. c*64+63
    np.testing.assert_array_equal(pieces[5], whole[..., 64:128])
    gathered = shards(ttnn.all_gather(x, -1, cluster_axis=1))
    for g in gathered:
        np.testing.assert_array_equal(g, whole)  # ring order is column order
    summed = shards(ttnn.all_reduce(x, cluster_axis=1))
    row_sum = sum(pieces[:4])
    for s in summed:
        np.testing.assert_allclose(s, row_sum, rtol=1e-5, atol=1e-6)
    scattered = shards(ttnn.reduce_scatter(x, 3, cluster_axis=1))
    for c in range(4):
        np.testing.assert_allclose(scattered[c], row_sum[..., c * 16 : (c + 1) * 16], rtol=1e-5, atol=1e-6)
    everything = shards(ttnn.all_reduce(x))
    np.testing.assert_allclose(everything[7], 2 * row_sum, rtol=1e-5, atol=1e-6)  # rows replicate: twice each column
    part = shards(ttnn.mesh_partition(on_mesh(mesh, (1, 1, 64, 256), None, dtype=ttnn.float32), 3, cluster_axis=1))
    np.testing.assert_array_equal(part[6], whole[..., 128:192])
