"""The broadcasts, the MoE all-to-all pair, the fused all_gather_matmul_async and the
reduce-scatter intermediate buffers (ttgen.emu.ccl_broadcast / ccl_moe / ccl_fused), held to what
ttnn 0.81.1 answered on mock T3K and 6U Galaxy clusters. Every asserted spec, label and error was
read off the real wheel (probe scripts p1-p21, 2026-12, /work/ttnn-venv with
TT_METAL_MOCK_CLUSTER_DESC_PATH=wormhole_t3k_grid8x8.yaml / wormhole_galaxy_6u.yaml, diffed line by
line against the emulator); values are checked against the ops' definitions (mock devices read
back zeros)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import ttgen.emu as ttnn
from ttgen.emu import topology as topology_module

P, R = ttnn.PlacementShard, ttnn.PlacementReplicate
LINEAR, RING = ttnn.Topology.Linear, ttnn.Topology.Ring
RM = ttnn.ROW_MAJOR_LAYOUT
RR = "[PlacementReplicate(), PlacementReplicate()]"


@pytest.fixture(autouse=True)
def _fresh_fabric(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TTGEN_EMU_SYSTEM", "any")  # a 2x4 / 1x8 mesh opens as T3K's, 4x8 / 1x32 as the Galaxy's
    previous = topology_module.fabric_config()
    yield
    ttnn.set_fabric_config(previous)


def open_mesh(rows: int, cols: int, fabric: ttnn.FabricConfig = ttnn.FabricConfig.FABRIC_1D) -> ttnn.MeshDevice:
    ttnn.set_fabric_config(fabric)
    return ttnn.open_mesh_device(ttnn.MeshShape(rows, cols))


def put(
    mesh: ttnn.MeshDevice,
    data: np.ndarray,
    placements: list[Any] | None,
    dtype: ttnn.DataType = ttnn.float32,
    layout: ttnn.Layout = ttnn.TILE_LAYOUT,
    memory_config: ttnn.MemoryConfig = ttnn.DRAM_MEMORY_CONFIG,
    one_d: bool = False,
) -> ttnn.Tensor:
    """A device mesh tensor of the global `data`: a 2-D mapper over the mesh, a 1-D one over every
    device (`one_d`), or a plain host tensor sent to the mesh (placements None)."""
    if placements is None:
        host = ttnn.Tensor(data, dtype, None, layout)
    else:
        override = ttnn.MeshShape([mesh.get_num_devices()]) if one_d else None
        config = ttnn.MeshMapperConfig(placements, override)
        host = ttnn.Tensor(data, dtype, None, layout, mesh_mapper=ttnn.create_mesh_mapper(mesh, config))
    return ttnn.to_device(host, mesh, memory_config)


def values(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def label(t: ttnn.Tensor) -> tuple[str, list[int]]:
    topo = t.tensor_topology()
    return repr(topo.placements()), list(topo.distribution_shape())


def shards(t: ttnn.Tensor) -> list[np.ndarray]:
    return [np.asarray(d._values) for d in ttnn.get_device_tensors(t)]


def cores() -> ttnn.CoreRangeSet:
    return ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(7, 7))})


# ----------------------------------------------------------------------------------- all_broadcast


def test_all_broadcast_gives_every_ring_member_each_piece() -> None:
    # probe p1/p2 (T3K 2x4, FABRIC_1D, [Shard(-2), Shard(-1)] of (1, 1, 64, 1024))
    mesh = open_mesh(2, 4)
    whole = values((1, 1, 64, 1024))
    x = put(mesh, whole, [P(-2), P(-1)])
    pieces = shards(x)  # device (r, c): rows r*32.., columns c*256..
    outs = ttnn.all_broadcast(x, cluster_axis=1, num_links=1, topology=LINEAR)
    assert len(outs) == 4
    for position, out in enumerate(outs):
        assert tuple(out.shape) == (1, 1, 32, 256)
        assert label(out) == ("[PlacementShard(-2), PlacementReplicate()]", [2, 4])
        got = shards(out)
        for k in range(8):  # every device of row r holds what device (r, position) holds
            np.testing.assert_array_equal(got[k], pieces[(k // 4) * 4 + position])
    outs = ttnn.all_broadcast(x, cluster_axis=0)
    assert len(outs) == 2 and label(outs[1]) == ("[PlacementReplicate(), PlacementShard(-1)]", [2, 4])
    np.testing.assert_array_equal(shards(outs[1])[2], pieces[6])  # device (0, 2) gets (1, 2)'s piece
    everything = ttnn.all_broadcast(x)
    assert len(everything) == 8 and label(everything[5]) == (RR, [2, 4])
    np.testing.assert_array_equal(shards(everything[5])[0], pieces[5])


def test_all_broadcast_labels_read_a_1d_label_per_mesh_axis() -> None:
    # probe p2/p3: [Shard(-1)] over 8 on 2x4 comes out mesh-shaped; on 1x8 a 1-D label stays 1-D
    mesh = open_mesh(2, 4)
    x = put(mesh, values((1, 1, 32, 2048)), [P(-1)], one_d=True)
    assert label(ttnn.all_broadcast(x, cluster_axis=0)[0]) == ("[PlacementReplicate(), PlacementShard(-1)]", [2, 4])
    assert label(ttnn.all_broadcast(x, cluster_axis=1)[0]) == ("[PlacementShard(-1), PlacementReplicate()]", [2, 4])
    assert label(ttnn.all_broadcast(x)[0]) == (RR, [2, 4])
    plain = put(mesh, values((1, 1, 32, 256)), None)
    assert label(ttnn.all_broadcast(plain, cluster_axis=1)[0]) == (RR, [2, 4])
    line = open_mesh(1, 8)
    y = put(line, values((1, 1, 32, 2048)), [P(-1)], one_d=True)
    assert label(ttnn.all_broadcast(y, cluster_axis=1)[0]) == ("[PlacementReplicate()]", [8])
    z = put(line, values((1, 1, 32, 2048)), [P(-2), P(-1)])
    assert label(ttnn.all_broadcast(z)[0]) == (RR, [1, 8])


def test_all_broadcast_keeps_dtype_layout_and_takes_the_memory_config() -> None:
    # probe p2: bf8_b, ROW_MAJOR (odd widths), sharded in, L1 out
    mesh = open_mesh(2, 4)
    bf8 = put(mesh, values((1, 1, 64, 1024)), [P(-2), P(-1)], ttnn.bfloat8_b)
    assert all(o.dtype is ttnn.bfloat8_b for o in ttnn.all_broadcast(bf8, cluster_axis=1))
    rm = put(mesh, values((1, 1, 64, 1000)), [P(-2), P(-1)], ttnn.bfloat16, RM)
    out = ttnn.all_broadcast(rm, cluster_axis=1)[0]
    assert (tuple(out.shape), out.layout) == ((1, 1, 32, 250), RM)
    l1 = ttnn.all_broadcast(bf8, cluster_axis=1, memory_config=ttnn.L1_MEMORY_CONFIG)[2]
    assert l1.memory_config() == ttnn.L1_MEMORY_CONFIG


def test_all_broadcast_refusals() -> None:
    # probe p2/p3/p4/p5 on T3K
    mesh = open_mesh(2, 4)
    x = put(mesh, values((1, 1, 64, 1024)), [P(-2), P(-1)])
    with pytest.raises(RuntimeError, match=r"Invalid cluster axis 2\. Must be 0 or 1"):
        ttnn.all_broadcast(x, cluster_axis=2)
    with pytest.raises(TypeError, match="incompatible function arguments"):
        ttnn.all_broadcast(x, cluster_axis=-1)
    with pytest.raises(RuntimeError, match="Error, num_links should be more than 0 but has 0"):
        ttnn.all_broadcast(x, cluster_axis=1, num_links=0)
    with pytest.raises(RuntimeError, match="Worker cores used by links are parallelized over rows"):
        ttnn.all_broadcast(x, cluster_axis=1, num_links=9)
    with pytest.raises(RuntimeError, match=r"Requested link index 2 is out of bounds. 2 ethernet .* dst \(M0, D4\)"):
        ttnn.all_broadcast(x, cluster_axis=0, num_links=3)
    with pytest.raises(
        RuntimeError, match=r"Multiple ethernet cores in the same direction \(eth_chan_directions::EAST"
    ):
        ttnn.all_broadcast(x, cluster_axis=1, topology=RING)
    assert len(ttnn.all_broadcast(x, cluster_axis=0, topology=RING)) == 2  # two devices run as a line
    with pytest.raises(RuntimeError, match="Mesh device is required for all_broadcast operation"):
        ttnn.all_broadcast(ttnn.Tensor(values((1, 1, 32, 32)), ttnn.bfloat16, None, ttnn.TILE_LAYOUT))
    ring = open_mesh(1, 8, ttnn.FabricConfig.FABRIC_1D_RING)
    y = put(ring, values((1, 1, 32, 2048)), [P(-1)], one_d=True)
    assert len(ttnn.all_broadcast(y, topology=RING)) == 8  # T3K's 1x8 is a ring
    with pytest.raises(RuntimeError, match=r"ShapeBase\[\] index out of range. 2 not in"):
        ttnn.all_broadcast(y, cluster_axis=2)
    with pytest.raises(RuntimeError, match="all_broadcast op will only work for num_devices > 1, but has 1"):
        ttnn.all_broadcast(y, cluster_axis=0)
    off = open_mesh(2, 4, ttnn.FabricConfig.DISABLED)
    z = put(off, values((1, 1, 64, 1024)), [P(-2), P(-1)])
    with pytest.raises(RuntimeError, match="Trying to get un-initialized fabric context"):
        ttnn.all_broadcast(z, cluster_axis=2)  # the fabric is asked first


def test_all_broadcast_on_a_galaxy() -> None:
    # probe p4/p18 (6U Galaxy 4x8, FABRIC_2D): 4 links between neighbours; its 4x8 view is the 8x4 turned round
    mesh = open_mesh(4, 8, ttnn.FabricConfig.FABRIC_2D)
    x = put(mesh, values((1, 1, 128, 2048)), [P(-2), P(-1)], ttnn.bfloat16)
    assert len(ttnn.all_broadcast(x, cluster_axis=1, num_links=4)) == 8
    with pytest.raises(RuntimeError, match=r"Requested link index 4 is out of bounds. 4 .* dst \(M0, D4\)"):
        ttnn.all_broadcast(x, cluster_axis=1, num_links=5)
    with pytest.raises(RuntimeError, match="eth_chan_directions::SOUTH"):
        ttnn.all_broadcast(x, cluster_axis=1, topology=RING)
    with pytest.raises(RuntimeError, match="eth_chan_directions::EAST"):
        ttnn.all_broadcast(x, cluster_axis=0, topology=RING)
    with pytest.raises(ttnn.NotEmulatedError, match="Ring over a whole 2-D mesh"):
        ttnn.all_broadcast(x, topology=RING)


# ----------------------------------------------------------------------------------- broadcast


def test_broadcast_copies_the_sender_to_its_ring_only() -> None:
    # probe p1/p2: labels as all_broadcast's; values per ttnn's golden (other rings keep their own)
    mesh = open_mesh(2, 4)
    x = put(mesh, values((1, 1, 64, 1024)), [P(-2), P(-1)])
    pieces = shards(x)
    out = ttnn.broadcast(x, ttnn.MeshCoordinate([0, 1]), cluster_axis=0, num_links=1, topology=LINEAR)
    assert tuple(out.shape) == (1, 1, 32, 256)
    assert label(out) == ("[PlacementReplicate(), PlacementShard(-1)]", [2, 4])
    got = shards(out)
    np.testing.assert_array_equal(got[5], pieces[1])  # (1, 1) takes the sender (0, 1)'s piece
    np.testing.assert_array_equal(got[6], pieces[6])  # column 2 is another ring: untouched
    row = ttnn.broadcast(x, ttnn.MeshCoordinate([1, 2]), cluster_axis=1, memory_config=ttnn.L1_MEMORY_CONFIG)
    assert label(row) == ("[PlacementShard(-2), PlacementReplicate()]", [2, 4])
    assert row.memory_config() == ttnn.L1_MEMORY_CONFIG
    np.testing.assert_array_equal(shards(row)[4], pieces[6])
    np.testing.assert_array_equal(shards(row)[0], pieces[0])


def test_broadcast_without_cluster_axis_needs_a_line_label() -> None:
    # probe p1/p3: a 2-D label refuses; a 1-D one keeps its shape; a 1-D fabric cannot route 2x4 as a line
    mesh = open_mesh(2, 4, ttnn.FabricConfig.FABRIC_2D)
    x = put(mesh, values((1, 1, 64, 1024)), [P(-2), P(-1)])
    with pytest.raises(RuntimeError, match="broadcast op is only supported for a linear tensor topology shape"):
        ttnn.broadcast(x, ttnn.MeshCoordinate([0, 0]))
    y = put(mesh, values((1, 1, 32, 2048)), [P(-1)], one_d=True)
    out = ttnn.broadcast(y, ttnn.MeshCoordinate([0, 3]))
    assert label(out) == ("[PlacementReplicate()]", [8])
    assert all(np.array_equal(s, shards(y)[3]) for s in shards(out))
    line = open_mesh(2, 4)
    z = put(line, values((1, 1, 32, 2048)), [P(-1)], one_d=True)
    with pytest.raises(RuntimeError, match=r"Could not find any forwarding direction from src \(M0, D3\) to dst"):
        ttnn.broadcast(z, ttnn.MeshCoordinate([0, 0]))
    with pytest.raises(RuntimeError, match="Invalid cluster axis 2"):
        ttnn.broadcast(z, ttnn.MeshCoordinate([0, 0]), cluster_axis=2)
    with pytest.raises(ttnn.NotEmulatedError, match="sender_coord"):
        ttnn.broadcast(z, ttnn.MeshCoordinate([5, 5]), cluster_axis=1)  # ttnn takes it; what it sends is unknown
    with pytest.raises(RuntimeError, match="Mesh device is required for broadcast operation"):
        ttnn.broadcast(ttnn.Tensor(values((1, 1, 32, 32))), ttnn.MeshCoordinate([0, 0]))


# ----------------------------------------------------------------------------------- MoE all-to-all


def moe_inputs(mesh: ttnn.MeshDevice, axis: int, batch: int = 2, k: int = 2, hidden: int = 64) -> tuple[Any, ...]:
    """Tokens sharded on dim 0 along `axis`, expert indices likewise, a one-hot mapping of
    2 experts per device (expert e on device e % 8), replicated."""
    rows, cols = mesh.mesh_shape
    span = cols if axis == 1 else rows
    dims = [R(), P(0)] if axis == 1 else [P(0), R()]
    experts, devices = 2 * rows * cols, rows * cols
    tokens_np = values((batch * span, 1, 1, hidden))
    indices_np = np.random.default_rng(3).integers(0, experts, size=(batch * span, 1, 1, k))
    mapping_np = np.zeros((1, 1, experts, devices), dtype=np.int32)
    mapping_np[0, 0, np.arange(experts), np.arange(experts) % devices] = 1
    tokens = put(mesh, tokens_np, dims, ttnn.bfloat16, RM)
    indices = put(mesh, indices_np, dims, ttnn.uint16, RM)
    mapping = put(mesh, mapping_np, [R(), R()], ttnn.uint16, RM)
    return tokens, indices, mapping, tokens_np, indices_np, mapping_np


def test_all_to_all_dispatch_sends_tokens_to_their_experts_devices() -> None:
    # probe p6/p8 (T3K 2x4, FABRIC_1D): output [1, B*R, S, H] / metadata [1, B*R, S, K], label = the inputs' union
    mesh = open_mesh(2, 4)
    tokens, indices, mapping, _, indices_np, mapping_np = moe_inputs(mesh, axis=1)
    out, meta = ttnn.all_to_all_dispatch(tokens, indices, mapping, cluster_axis=1, num_links=1, topology=LINEAR)
    assert (tuple(out.shape), out.dtype, out.layout) == ((1, 8, 1, 64), ttnn.bfloat16, RM)
    assert (tuple(meta.shape), meta.dtype) == ((1, 8, 1, 2), ttnn.uint16)
    assert label(out) == label(meta) == ("[PlacementReplicate(), PlacementShard(0)]", [2, 4])
    got, got_meta = shards(out), shards(meta)
    stored = shards(tokens)
    for device in range(8):
        r = device // 4
        np.testing.assert_array_equal(got_meta[device][0, :, 0], indices_np[:, 0, 0])  # the ring's indices, gathered
        for row in range(8):  # ring member row // 2, its local token row % 2
            wanted = mapping_np[0, 0, indices_np[row, 0, 0], device].any()
            expected = stored[r * 4 + row // 2][row % 2, 0, 0] if wanted else np.zeros(64, np.float32)
            np.testing.assert_array_equal(got[device][0, row, 0], expected)
    cat2 = ttnn.all_to_all_dispatch(tokens, indices, mapping, cluster_axis=1, output_concat_dim=2)
    assert [tuple(t.shape) for t in cat2] == [(1, 2, 4, 64), (1, 2, 4, 2)]
    l1 = ttnn.all_to_all_dispatch(tokens, indices, mapping, cluster_axis=0, memory_config=ttnn.L1_MEMORY_CONFIG)
    assert tuple(l1[0].shape) == (1, 4, 1, 64) and l1[1].memory_config() == ttnn.L1_MEMORY_CONFIG


def test_all_to_all_dispatch_refusals() -> None:
    # probe p6/p8/p19: ttnn's checks in its order
    mesh = open_mesh(2, 4)
    tokens, indices, mapping, tokens_np, indices_np, _ = moe_inputs(mesh, axis=1)
    dims = [R(), P(0)]
    d = ttnn.all_to_all_dispatch
    with pytest.raises(RuntimeError, match="Input tensor must be in row major layout"):
        d(put(mesh, tokens_np, dims, ttnn.bfloat16), indices, mapping, cluster_axis=1)
    with pytest.raises(RuntimeError, match="Input tensor must be bfloat16"):
        d(put(mesh, tokens_np, dims, ttnn.float32, RM), indices, mapping, cluster_axis=1)
    with pytest.raises(RuntimeError, match="Indices tensor must be uint16"):
        d(tokens, put(mesh, indices_np, dims, ttnn.uint32, RM), mapping, cluster_axis=1)
    with pytest.raises(RuntimeError, match="Output memory config must not be sharded"):
        d(tokens, indices, mapping, cluster_axis=1, memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG)
    wide = put(mesh, np.zeros((16, 1, 1, 2), np.int32), dims, ttnn.uint16, RM)
    with pytest.raises(RuntimeError, match="Mismatch at dimension 0 with shape 2 and 4"):
        d(tokens, wide, mapping, cluster_axis=1)
    with pytest.raises(RuntimeError, match="Output concat dimension must be 1 or 2, got 0"):
        d(tokens, indices, mapping, cluster_axis=1, output_concat_dim=0)
    with pytest.raises(RuntimeError, match=r"Invalid cluster axis 2\. Must be 0 or 1"):
        d(tokens, indices, mapping, cluster_axis=2)
    with pytest.raises(ttnn.NotEmulatedError, match="num_links=0"):
        d(tokens, indices, mapping, cluster_axis=1, num_links=0)  # ttnn divides by zero
    off = open_mesh(2, 4, ttnn.FabricConfig.DISABLED)
    t2, i2, m2, *_ = moe_inputs(off, axis=1)
    with pytest.raises(RuntimeError, match="Trying to get un-initialized fabric context"):
        d(t2, i2, m2, cluster_axis=1)


def test_all_to_all_combine_returns_expert_outputs_to_their_tokens() -> None:
    # probe p7/p8: input [E/D, B*R, S, H], output [K, B, S, H] sharded like the tokens; values per the kernels
    mesh = open_mesh(2, 4)
    tokens, indices, mapping, _, indices_np, _ = moe_inputs(mesh, axis=1)
    dispatched, meta = ttnn.all_to_all_dispatch(tokens, indices, mapping, cluster_axis=1)
    # each device's "experts": its local expert j scales the dispatched tokens by (10 * device + j + 1)
    scaled = [
        np.concatenate([s * (10 * dev + j + 1) for j in range(2)], axis=0) for dev, s in enumerate(shards(dispatched))
    ]
    contrib = put(mesh, np.concatenate(scaled, axis=0), [P(0)], ttnn.bfloat16, RM, one_d=True)  # device d: scaled[d]
    out = ttnn.all_to_all_combine(contrib, meta, mapping, cluster_axis=1)
    assert (tuple(out.shape), out.dtype, out.layout) == ((2, 2, 1, 64), ttnn.bfloat16, RM)
    assert label(out) == ("[PlacementReplicate(), PlacementShard(0)]", [2, 4])  # the union: the 2-D labels count
    got, stored = shards(out), shards(tokens)
    filled = 0
    for device in range(8):
        r, c = divmod(device, 4)
        want = np.zeros((2, 2, 1, 64), np.float32)  # nothing arrives: zeros (ttnn fills the output first)
        for b in range(2):
            token = c * 2 + b  # the ring's token index
            for slot in range(2):
                e = indices_np[token, 0, 0, slot]
                if e % 8 // 4 != r or list(indices_np[token, 0, 0]).index(e) != slot:
                    continue  # its expert is in the other row's ring, or it was found at an earlier slot
                holder, j = r * 4 + (e % 8) % 4, e // 8  # expert e lives on device e % 8, local index e // 8
                want[slot, b, 0] = stored[device][b, 0, 0].astype(np.float32) * (10 * holder + j + 1)
                filled += 1
        np.testing.assert_allclose(got[device], want, rtol=1e-2, atol=1e-2)
    assert filled >= 12


def test_all_to_all_combine_refusals() -> None:
    # probe p7/p8/p19/p20: the output is filled (ttnn.full) before the checks
    mesh = open_mesh(2, 4)
    mapping = put(mesh, np.zeros((1, 1, 16, 8), np.int32), [R(), R()], ttnn.uint16, RM)
    dims = [R(), P(0)]

    def contrib(shape: tuple[int, ...], **kw: Any) -> ttnn.Tensor:
        return put(mesh, np.zeros(shape, np.float32), dims, kw.get("dtype", ttnn.bfloat16), kw.get("layout", RM))

    def meta(shape: tuple[int, ...]) -> ttnn.Tensor:
        return put(mesh, np.zeros(shape, np.int32), dims, ttnn.uint16, RM)

    c = ttnn.all_to_all_combine
    assert tuple(c(contrib((8, 8, 1, 64)), meta((4, 8, 1, 2)), mapping, cluster_axis=1, local_reduce=False).shape) == (
        2,
        2,
        1,
        64,
    )
    with pytest.raises(RuntimeError, match=r"Invalid shape at index 2. .* butgot shape\[2\] = 0"):
        c(contrib((8, 8, 1, 64)), meta((4, 8, 1, 2)), mapping, cluster_axis=1, output_shard_dim=2)
    with pytest.raises(RuntimeError, match="Input tensor must be in row major layout"):
        c(contrib((8, 8, 32, 64), layout=ttnn.TILE_LAYOUT), meta((4, 8, 32, 2)), mapping, cluster_axis=1)
    with pytest.raises(RuntimeError, match="Indices tensor must be uint32"):  # sic: the mapping's dtype
        bad = put(mesh, np.zeros((1, 1, 16, 8), np.int32), [R(), R()], ttnn.uint32, RM)
        c(contrib((8, 8, 1, 64)), meta((4, 8, 1, 2)), bad, cluster_axis=1)
    with pytest.raises(RuntimeError, match="Number of experts 12 should be evenly divisible by devices: 8"):
        twelve = put(mesh, np.zeros((1, 1, 12, 8), np.int32), [R(), R()], ttnn.uint16, RM)
        c(contrib((8, 8, 1, 64)), meta((4, 8, 1, 2)), twelve, cluster_axis=1)
    with pytest.raises(RuntimeError, match="Expected input shape dim 0: 4 to be equal to expert mapping dim 2: 16"):
        c(contrib((16, 8, 1, 64)), meta((4, 8, 1, 2)), mapping, cluster_axis=1)
    with pytest.raises(RuntimeError, match="Expecting input dim 0 equal to num devices: 8, got: 2"):
        c(contrib((8, 8, 1, 64)), meta((4, 8, 1, 2)), mapping, cluster_axis=1, local_reduce=True)
    with pytest.raises(RuntimeError, match="Axis must be specified at the moment"):
        c(contrib((8, 16, 1, 64)), meta((4, 16, 1, 2)), mapping)
    with pytest.raises(RuntimeError, match="Batch 6 must be divisible by axis group"):
        c(contrib((8, 6, 1, 64)), meta((4, 6, 1, 2)), mapping, cluster_axis=1)
    with pytest.raises(RuntimeError, match="Output shard dimension must be 1 or 2, got 3"):
        c(contrib((8, 8, 1, 64)), meta((4, 8, 1, 2)), mapping, cluster_axis=1, output_shard_dim=3)
    with pytest.raises(RuntimeError, match="Number of links must be greater than 0, got 0"):
        c(contrib((8, 8, 1, 64)), meta((4, 8, 1, 2)), mapping, cluster_axis=1, num_links=0)


# ----------------------------------------------------------------------------------- all_gather_matmul_async


def agmm_config(**kw: int) -> ttnn.MatmulMultiCoreReuseMultiCastProgramConfig:
    fields: dict[str, Any] = dict(
        compute_with_storage_grid_size=ttnn.CoreCoord(4, 4),
        in0_block_w=4,
        out_subblock_h=1,
        out_subblock_w=1,
        per_core_M=1,
        per_core_N=1,
        transpose_mcast=False,
        fused_activation=None,
        fuse_batch=False,
    )
    fields.update(kw)
    return ttnn.MatmulMultiCoreReuseMultiCastProgramConfig(**fields)


def test_all_gather_matmul_async_gathers_then_multiplies() -> None:
    # probe p9/p10 (T3K 1x8, FABRIC_1D_RING): gathered keeps the input's label; the product is the union's
    mesh = open_mesh(1, 8, ttnn.FabricConfig.FABRIC_1D_RING)
    whole, w = values((1, 1, 32, 1024)), values((1, 1, 1024, 128), seed=1)
    x = put(mesh, whole, [P(-1)], ttnn.bfloat16, one_d=True)
    weight = put(mesh, w, [R()], ttnn.bfloat8_b, one_d=True)
    sems = [ttnn.create_global_semaphore(mesh, cores(), 0) for _ in range(2)]
    agmm = ttnn.experimental.all_gather_matmul_async
    gathered, product = agmm(
        x, weight, None, 3, sems, ttnn.CoreCoord(0, 4), num_links=1, topology=RING, program_config=agmm_config()
    )
    assert tuple(gathered.shape) == (1, 1, 32, 1024) and label(gathered) == ("[PlacementShard(-1)]", [8])
    assert (tuple(product.shape), product.dtype) == ((1, 1, 32, 128), ttnn.bfloat16)
    assert label(product) == ("[PlacementShard(-1)]", [8])
    full = np.asarray(shards(gathered)[0], np.float32)
    np.testing.assert_allclose(full, whole, rtol=1e-2, atol=1e-2)
    wq = np.asarray(shards(weight)[0], np.float64)
    np.testing.assert_allclose(shards(product)[3], full @ wq, rtol=2e-2, atol=0.3)
    outs = agmm(
        x,
        weight,
        persistent_output_buffer=None,
        dim=3,
        multi_device_global_semaphore=sems,
        all_gather_core_grid_offset=ttnn.CoreCoord(0, 4),
        program_config=agmm_config(),
        dtype=ttnn.bfloat8_b,
        memory_config_ag=ttnn.L1_MEMORY_CONFIG,
        num_workers_per_link=2,
    )
    assert outs[1].dtype is ttnn.bfloat8_b and outs[0].memory_config() == ttnn.L1_MEMORY_CONFIG
    bias = put(mesh, values((1, 1, 1, 128), seed=2), [R()], ttnn.bfloat16, one_d=True)
    _, biased = agmm(x, weight, None, 3, sems, ttnn.CoreCoord(0, 4), program_config=agmm_config(), bias=bias)
    want = full @ wq + np.asarray(shards(bias)[0], np.float64)
    np.testing.assert_allclose(shards(biased)[0], want, rtol=2e-2, atol=0.3)


def test_all_gather_matmul_async_refusals() -> None:
    # probe p9/p10/p11/p16/p17: the fused op's checks, its workers' placement and its rings
    mesh = open_mesh(1, 8, ttnn.FabricConfig.FABRIC_1D_RING)
    x = put(mesh, values((1, 1, 32, 1024)), [P(-1)], ttnn.bfloat16, one_d=True)
    w = put(mesh, values((1, 1, 1024, 128)), [R()], ttnn.bfloat8_b, one_d=True)
    sems = [ttnn.create_global_semaphore(mesh, cores(), 0) for _ in range(2)]
    agmm = ttnn.experimental.all_gather_matmul_async
    offset = ttnn.CoreCoord(0, 4)

    def run(*args: Any, **kw: Any) -> Any:
        kw.setdefault("program_config", agmm_config())
        kw.setdefault("topology", RING)
        return agmm(*args, **kw)

    with pytest.raises(RuntimeError, match="bad optional access"):
        agmm(x, w, None, 3, sems, offset, topology=RING)
    with pytest.raises(RuntimeError, match="linear is not support when using fused for all-gather"):
        run(x, w, None, 3, sems, offset, topology=LINEAR)
    with pytest.raises(RuntimeError, match=r"Kt \(32\) must be divisible by in0_block_w \(3\)"):
        run(x, w, None, 3, sems, offset, program_config=agmm_config(in0_block_w=3))
    with pytest.raises(RuntimeError, match=r"Num output blocks along y \(8\) must be smaller than or equal"):
        run(put(mesh, values((1, 1, 256, 1024)), [P(-1)], ttnn.bfloat16, one_d=True), w, None, 3, sems, offset)
    with pytest.raises(RuntimeError, match="out_block_w must be multiple of out_subblock_w"):
        run(x, w, None, 3, sems, offset, program_config=agmm_config(out_subblock_w=2))
    with pytest.raises(RuntimeError, match="Invalid circular buffer index"):
        run(x, w, None, 3, sems, ttnn.CoreCoord(1, 0))  # a worker on the matmul grid's first row
    with pytest.raises(
        RuntimeError, match=r"Core grid offset 7-7 pushed 1 of the 2 selected worker cores \(first: 8-7\)"
    ):
        run(x, w, None, 3, sems, ttnn.CoreCoord(7, 7))
    with pytest.raises(RuntimeError, match=r"pushed 10 of the 18 selected worker cores \(first: 0-8\)"):
        run(x, w, None, 3, sems, ttnn.CoreCoord(0, 7), num_workers_per_link=8)
    with pytest.raises(RuntimeError, match="Requested link index 2 is out of bounds"):
        run(x, w, None, 3, sems, offset, num_links=3)
    with pytest.raises(IndexError, match=r"__n \(which is 1\) >= this->size\(\) \(which is 1\)"):
        run(x, w, None, 3, sems[:1], offset)
    with pytest.raises(TypeError, match="incompatible function arguments"):
        run(x, w, None, -1, sems, offset)
    for rows, cols, message in ((2, 4, "linear is not support"), (1, 4, r"forwarding direction .* dst \(M0, D3\)")):
        m = open_mesh(rows, cols, ttnn.FabricConfig.FABRIC_1D_RING if rows == 1 else ttnn.FabricConfig.FABRIC_2D)
        n = rows * cols
        xs = put(m, values((1, 1, 32, 128 * n)), [P(-1)], ttnn.bfloat16, one_d=True)
        ws = put(m, values((1, 1, 128 * n, 128)), [R()], ttnn.bfloat8_b, one_d=True)
        s2 = [ttnn.create_global_semaphore(m, cores(), 0) for _ in range(2)]
        with pytest.raises(RuntimeError, match=message):
            run(xs, ws, None, 3, s2, offset)


def test_all_gather_matmul_async_on_the_galaxy_torus() -> None:
    # probe p17: the whole 4x8 Galaxy is a ring on a 2-D fabric only
    mesh = open_mesh(4, 8, ttnn.FabricConfig.FABRIC_2D)
    x = put(mesh, values((1, 1, 32, 4096)), [P(-1)], ttnn.bfloat16, one_d=True)
    w = put(mesh, values((1, 1, 4096, 128)), [R()], ttnn.bfloat8_b, one_d=True)
    sems = [ttnn.create_global_semaphore(mesh, cores(), 0) for _ in range(2)]
    agmm = ttnn.experimental.all_gather_matmul_async
    g, p = agmm(x, w, None, 3, sems, ttnn.CoreCoord(0, 4), topology=RING, program_config=agmm_config(), num_links=4)
    assert (tuple(g.shape), tuple(p.shape)) == ((1, 1, 32, 4096), (1, 1, 32, 128))
    assert label(p) == ("[PlacementShard(-1)]", [32])
    with pytest.raises(RuntimeError, match=r"Requested link index 4 is out of bounds. .* dst \(M0, D4\)"):
        agmm(x, w, None, 3, sems, ttnn.CoreCoord(0, 4), topology=RING, program_config=agmm_config(), num_links=5)
    line = open_mesh(4, 8, ttnn.FabricConfig.FABRIC_1D)
    x1 = put(line, values((1, 1, 32, 4096)), [P(-1)], ttnn.bfloat16, one_d=True)
    w1 = put(line, values((1, 1, 4096, 128)), [R()], ttnn.bfloat8_b, one_d=True)
    s1 = [ttnn.create_global_semaphore(line, cores(), 0) for _ in range(2)]
    with pytest.raises(
        RuntimeError, match=r"Could not find any forwarding direction from src \(M0, D0\) to dst \(M0, D31\)"
    ):
        agmm(x1, w1, None, 3, s1, ttnn.CoreCoord(0, 4), topology=RING, program_config=agmm_config())


# ----------------------------------------------------------------------------------- intermediate buffers


@pytest.mark.parametrize(
    ("shape", "dim", "dtype", "fp32", "rows", "page"),
    [
        ((1, 1, 32, 512), 3, ttnn.bfloat16, False, (8, 1), 16384),
        ((1, 1, 32, 4096), 3, ttnn.bfloat16, False, (16, 2), 16384),
        ((1, 1, 64, 4224), 3, ttnn.bfloat16, False, (40, 5), 16384),  # (2 * 132) // 8 = 33 tiles: 5 chunks
        ((1, 1, 32, 4224), 3, ttnn.bfloat16, False, (16, 2), 16384),  # 132 // 8 = 16 tiles: 2 chunks
        ((3, 2, 64, 2304), 3, ttnn.bfloat16, False, (144, 18), 16384),  # 6 batches of 3 chunks
        ((1, 1, 392, 4224), 2, ttnn.bfloat16, False, (216, 27), 16384),
        ((2, 8, 64, 2304), 1, ttnn.bfloat16, False, (288, 36), 16384),
        ((1, 1, 32, 4096), 3, ttnn.bfloat8_b, False, (16, 2), 8704),
        ((1, 1, 32, 4096), 3, ttnn.bfloat8_b, True, (32, 4), 4352),
        ((1, 1, 32, 4096), 3, ttnn.float32, False, (32, 4), 16384),
        ((1, 1, 32, 4096), 3, ttnn.bfloat16, True, (32, 4), 8192),
        ((1, 1, 32, 100), 3, ttnn.bfloat16, False, (0, 0), 16384),  # a slice of less than a tile: no chunk
    ],
)
def test_intermediate_buffers_follow_the_chunking(
    shape: tuple[int, ...], dim: int, dtype: ttnn.DataType, fp32: bool, rows: tuple[int, int], page: int
) -> None:
    # probe p12/p13/p14 (T3K 1x8, FABRIC_1D_RING)
    mesh = open_mesh(1, 8, ttnn.FabricConfig.FABRIC_1D_RING)
    x = put(mesh, np.zeros(shape, np.float32), [R()], dtype, one_d=True)
    ckc = ttnn.WormholeComputeKernelConfig(fp32_dest_acc_en=True) if fp32 else None
    make = ttnn.experimental.reduce_scatter_minimal_async_create_intermediate_buffer
    inter, penult = make(x, dim, topology=RING, compute_kernel_config=ckc)
    assert (tuple(inter.shape), tuple(penult.shape)) == ((rows[0], page), (rows[1], page))
    for t in (inter, penult):
        assert (t.dtype, t.layout, t.memory_config()) == (ttnn.uint8, RM, ttnn.DRAM_MEMORY_CONFIG)
        assert label(t) == (RR, [1, 8])


def test_intermediate_buffers_only_for_the_ring_fast_path() -> None:
    # probe p12/p13/p15/p18: Linear, dim 0, T3K's 2x4 and an axis along an open line refuse; any 1xN whole mesh
    # and the whole Galaxy torus take the fast path
    refuse = "only applies to the contiguous fast path"
    make = ttnn.experimental.reduce_scatter_minimal_async_create_intermediate_buffer
    mesh = open_mesh(1, 8, ttnn.FabricConfig.FABRIC_1D_RING)
    x = put(mesh, np.zeros((8, 1, 32, 512), np.float32), [R()], ttnn.bfloat16, one_d=True)
    for kw in ({"topology": LINEAR}, {"cluster_axis": 0}):
        with pytest.raises(RuntimeError, match=refuse):
            make(x, 3, **kw)
    with pytest.raises(RuntimeError, match=refuse):
        make(x, 0)
    assert tuple(make(x, 3, cluster_axis=1)[0].shape) == (64, 16384)
    four = open_mesh(1, 4, ttnn.FabricConfig.FABRIC_1D)
    y = put(four, np.zeros((1, 1, 32, 512), np.float32), [R()], ttnn.bfloat16, one_d=True)
    assert tuple(make(y, 3)[0].shape) == (4, 16384)
    with pytest.raises(RuntimeError, match=refuse):
        make(y, 3, cluster_axis=1)  # T3K's 1x4 is not a ring
    two_d = open_mesh(2, 4, ttnn.FabricConfig.FABRIC_2D)
    z = put(two_d, np.zeros((1, 1, 32, 4096), np.float32), [R(), R()], ttnn.bfloat16)
    with pytest.raises(RuntimeError, match=refuse):
        make(z, 3)
    with pytest.raises(RuntimeError, match="cluster axis 2 is out of range for mesh shape rank 2"):
        make(z, 3, cluster_axis=2)
    galaxy = open_mesh(4, 8, ttnn.FabricConfig.FABRIC_2D)
    g = put(galaxy, np.zeros((1, 1, 32, 4096), np.float32), [R(), R()], ttnn.bfloat16)
    inter, penult = make(g, 3)  # the whole Galaxy torus is a ring
    assert (tuple(inter.shape), tuple(penult.shape), label(inter)) == ((32, 16384), (1, 16384), (RR, [4, 8]))
    off = open_mesh(1, 8, ttnn.FabricConfig.DISABLED)
    h = put(off, np.zeros((1, 1, 32, 512), np.float32), [R()], ttnn.bfloat16, one_d=True)
    with pytest.raises(RuntimeError, match="Trying to get un-initialized fabric context"):
        make(h, 3)
