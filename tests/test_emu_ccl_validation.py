"""The collectives' validation as real ttnn 0.81.1 performs it: which helper refuses a bad cluster
axis (and in whose words), the preallocated outputs each op checks, the paths that take no output
buffer, routing a Ring, and the specs of uneven splits. Each message and spec below was recorded
by real ttnn on a mock T3K / Galaxy (tests/conformance/fixtures/mesh_*_variants.json) or read off
the wheel by a probe script (2026-12, /work/ttnn-venv, wormhole_t3k_grid8x8.yaml /
wormhole_galaxy_6u.yaml); the comment on each test says which."""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
import pytest

import ttgen.emu as ttnn
from ttgen.emu import topology as topology_module

P, R = ttnn.PlacementShard, ttnn.PlacementReplicate
LINEAR, RING = ttnn.Topology.Linear, ttnn.Topology.Ring
FABRIC = ttnn.FabricConfig
DRAM, L1 = ttnn.DRAM_MEMORY_CONFIG, ttnn.L1_MEMORY_CONFIG


@pytest.fixture(autouse=True)
def _t3k(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TTGEN_EMU_SYSTEM", "t3k")
    previous = topology_module.fabric_config()
    yield
    ttnn.set_fabric_config(previous)


def open_mesh(rows: int, cols: int, fabric: ttnn.FabricConfig = FABRIC.FABRIC_2D) -> ttnn.MeshDevice:
    ttnn.set_fabric_config(fabric)
    return ttnn.open_mesh_device(ttnn.MeshShape(rows, cols))


def on(
    mesh: ttnn.MeshDevice,
    shape: tuple[int, ...],
    placements: list[ttnn.PlacementShard | ttnn.PlacementReplicate] | None = None,
    memory_config: ttnn.MemoryConfig = DRAM,
    dtype: ttnn.DataType = ttnn.bfloat16,
    layout: ttnn.Layout = ttnn.TILE_LAYOUT,
) -> ttnn.Tensor:
    """A device tensor of the global `shape`: mapped with `placements`, or replicated."""
    values = np.zeros(shape, dtype=np.float32)
    if placements is None:
        host = ttnn.Tensor(values, dtype, None, layout)
    else:
        mapper = ttnn.create_mesh_mapper(mesh, ttnn.MeshMapperConfig(placements))
        host = ttnn.Tensor(values, dtype, None, layout, mesh_mapper=mapper)
    return ttnn.to_device(host, mesh, memory_config)


def sems(mesh: ttnn.MeshDevice, n: int) -> list[ttnn.GlobalSemaphore]:
    cores = ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(7, 7))})
    return [ttnn.create_global_semaphore(mesh, cores, 0) for _ in range(n)]


def placements(t: ttnn.Tensor) -> list[str]:
    return [repr(p) for p in t.tensor_topology().placements()]


def refused(message: str) -> pytest.RaisesContext[RuntimeError]:
    return pytest.raises(RuntimeError, match=re.escape(message))


# ----------------------------------------------------------------------------- a bad cluster axis


def test_each_helper_refuses_a_bad_cluster_axis_in_its_own_words() -> None:
    # recorded (t3k_variants, cluster_axis=2): a Ring topology indexes the mesh shape first; without
    # num_links, get_num_links refuses; with both given, get_topological_dimension does
    mesh = open_mesh(2, 4)
    x = on(mesh, (1, 1, 32, 1024))
    with refused("ShapeBase[] index out of range. 2 not in [-4, 2)"):
        ttnn.reduce_scatter(x, 3, cluster_axis=2, topology=RING)
    with refused("Invalid cluster axis 2. Must be 0 or 1"):
        ttnn.reduce_scatter(x, 3, cluster_axis=2)
    with refused("cluster axis 2 is out of range for mesh shape rank 2"):
        ttnn.reduce_scatter(x, 3, cluster_axis=2, num_links=1, topology=LINEAR)
    with refused("Invalid cluster axis 2. Must be 0 or 1"):
        ttnn.all_reduce(x, cluster_axis=2)
    with refused("cluster axis 2 is out of range for mesh shape rank 2"):
        ttnn.all_reduce(x, cluster_axis=2, num_links=1, topology=LINEAR)
    ag = ttnn.experimental.all_gather_async
    with refused("Invalid cluster axis 2. Must be 0 or 1"):
        ag(x, None, 3, sems(mesh, 2), cluster_axis=2, topology=LINEAR)
    with refused("cluster axis 2 is out of range for mesh shape rank 2"):
        ag(x, 3, 2, mesh, LINEAR, sems(mesh, 2), num_links=1)
    with refused("ShapeBase[] index out of range. 2 not in [-4, 2)"):
        ag(x, 3, 2, mesh, RING, sems(mesh, 2), num_links=1)
    # all_gather reads the axis off the mesh shape; mesh_partition states its own rule
    with refused("ShapeBase[] index out of range. 2 not in [-4, 2)"):
        ttnn.all_gather(x, 3, cluster_axis=2)
    with refused("Only support cluster axis of None, 0 or 1"):
        ttnn.mesh_partition(x, 3, cluster_axis=2)


def test_out_of_range_dims_in_each_ops_words() -> None:
    # recorded (dim=4) and probed (negative dims: ttnn wraps them once, some ops then read them unsigned)
    mesh = open_mesh(2, 4)
    x = on(mesh, (1, 1, 32, 256))
    ag, rsma = ttnn.experimental.all_gather_async, ttnn.experimental.reduce_scatter_minimal_async
    with refused("Index is out of bounds for the rank, should be between 0 and 3 however is 4"):
        ttnn.reduce_scatter(x, 4, cluster_axis=1)
    with refused("should be between 0 and 3 however is 18446744073709551615"):
        ttnn.reduce_scatter(x, -5, cluster_axis=1)
    with refused("Dimension input should be in between -4 and 3, but has 4"):
        ag(x, None, 4, sems(mesh, 2), cluster_axis=1, topology=LINEAR)
    with refused("Dimension input should be in between -4 and 3, but has -9"):
        ag(x, None, -9, sems(mesh, 2), cluster_axis=1, topology=LINEAR)
    assert tuple(ag(x, None, -6, sems(mesh, 2), cluster_axis=1, topology=LINEAR).shape) == (1, 1, 128, 256)
    with refused("ShapeBase[] index out of range. 4 not in [-4, 4)"):
        rsma(x, None, 4, sems(mesh, 3), cluster_axis=1, topology=LINEAR)
    with refused("Invalid scatter dim 4294967295 for rank 4 tensor"):
        rsma(x, None, -5, sems(mesh, 3), cluster_axis=1, topology=LINEAR)
    with refused("ShapeBase[] index out of range. 4 not in [-4, 4)"):
        ttnn.mesh_partition(x, 4, cluster_axis=1)
    with refused("dim must be less than the rank of the input tensor"):
        ttnn.mesh_partition(x, -5, cluster_axis=1)
    with refused("input shape Shape([1, 1, 32, 256]) must be divisible by cluster axis size 4"):
        ttnn.mesh_partition(x, 1, cluster_axis=1)


# ----------------------------------------------------------------------------- preallocated outputs


def test_all_gather_checks_its_output_tensor_against_the_gathered_padded_shape() -> None:
    # recorded (t3k_variants c1c3da2491cf): dtype first, then the input's padded shape with the gather dim x ring
    mesh = open_mesh(2, 4)
    x = on(mesh, (1, 1, 64, 1024), [P(-2), P(-1)])
    out = on(mesh, (1, 1, 32, 1024))
    assert tuple(ttnn.all_gather(x, 3, cluster_axis=1, output_tensor=out).shape) == (1, 1, 32, 1024)
    with refused("Output tensor shape must be Shape([1, 1, 128, 256]), got Shape([1, 1, 32, 1024])"):
        ttnn.all_gather(x, 2, cluster_axis=1, output_tensor=out)
    with refused("Output tensor shape must be Shape([1, 1, 32, 2048]), got Shape([1, 1, 32, 1024])"):
        ttnn.all_gather(x, 3, output_tensor=out)
    with refused("Output tensor dtype DataType::BFLOAT16 should be same as input tensor dtype DataType::FLOAT32"):
        ttnn.all_gather(
            on(mesh, (1, 1, 64, 1024), [P(-2), P(-1)], dtype=ttnn.float32), 3, cluster_axis=1, output_tensor=out
        )
    # its memory config is not checked; a tile-padded gather dim gathers elsewhere and ignores it (probe)
    assert ttnn.all_gather(x, 3, cluster_axis=1, output_tensor=on(mesh, (1, 1, 32, 1024), None, L1)) is not None
    padded = ttnn.all_gather(on(mesh, (1, 1, 32, 48)), 3, cluster_axis=1, output_tensor=on(mesh, (1, 1, 32, 256)))
    assert tuple(padded.shape) == (1, 1, 32, 192)


def test_all_gather_async_checks_its_persistent_buffer() -> None:
    # recorded (t3k_variants 8a098555dc98 / 6743a9752676) and probed: layout, dtype, the op's memory
    # config, then each dim (the gathered one may hold less than the whole ring's pieces)
    mesh = open_mesh(2, 4)
    ag = ttnn.experimental.all_gather_async
    x = on(mesh, (1, 1, 64, 1024), [P(-2), P(-1)])
    buffer = on(mesh, (1, 1, 64, 1024), [P(-2), R()])
    with refused("Error, Output tensor shape at dimension 3 should be 512 but has 1024"):
        ag(x, buffer, 3, sems(mesh, 2), cluster_axis=0, topology=LINEAR)
    with refused("Error, Output tensor shape at dimension 3 should be 256 but has 1024"):
        ag(x, buffer, 2, sems(mesh, 2), cluster_axis=1, topology=LINEAR)
    with refused("Error, Output tensor dtype should be same as input tensor dtype but has DataType::BFLOAT16"):
        ag(on(mesh, (1, 1, 64, 1024), [P(-2), P(-1)], dtype=ttnn.bfloat8_b), buffer, 3, sems(mesh, 2), cluster_axis=1)
    with refused("Error, Output tensor memory config should be same as output_mem_config but has MemoryConfig("):
        ag(on(mesh, (1, 1, 64, 1024), [P(-2), P(-1)], L1), buffer, 3, sems(mesh, 2), cluster_axis=1)
    smaller = on(mesh, (1, 1, 64, 512), [P(-2), R()])
    assert tuple(ag(x, smaller, 3, sems(mesh, 2), cluster_axis=1, topology=LINEAR).shape) == (1, 1, 32, 512)
    # a ROW_MAJOR input gathers by the composite path: no persistent buffer, no semaphore count (probe)
    rm = on(mesh, (1, 1, 32, 1024), [R(), P(-1)], layout=ttnn.ROW_MAJOR_LAYOUT)
    got = ag(rm, on(mesh, (1, 1, 32, 2048), layout=ttnn.ROW_MAJOR_LAYOUT), 3, sems(mesh, 3), cluster_axis=1)
    assert tuple(got.shape) == (1, 1, 32, 1024)


def test_reduce_scatter_minimal_async_checks_output_and_intermediate_buffers() -> None:
    # recorded (t3k_variants 0d3480743321 / 131a5258019d) and probed
    mesh = open_mesh(2, 4)
    rsma = ttnn.experimental.reduce_scatter_minimal_async
    x = on(mesh, (1, 1, 32, 1024))
    inter, out = on(mesh, (1, 1, 32, 1024)), on(mesh, (1, 1, 32, 1024), [P(3), R()])
    kw = dict(cluster_axis=0, topology=LINEAR, num_links=1)
    assert tuple(rsma(x, [inter, out], 3, sems(mesh, 3), **kw).shape) == (1, 1, 32, 512)
    with refused("Output tensor dimension 3 must be input dimension / ring_size"):
        rsma(x, [inter, out], 3, sems(mesh, 3), **{**kw, "cluster_axis": 1})
    with refused("Output tensor dtype must match input tensor dtype"):
        rsma(on(mesh, (1, 1, 32, 1024), dtype=ttnn.float32), [inter, out], 3, sems(mesh, 3), **kw)
    with refused("Output tensor memory config must match provided memory_config"):
        rsma(on(mesh, (1, 1, 32, 1024), memory_config=L1), [inter, out], 3, sems(mesh, 3), **kw)
    # pieces that are not whole tiles scatter by the composite path, which leaves the buffers unused
    assert tuple(rsma(x, [inter, out], 2, sems(mesh, 3), **kw).shape) == (1, 1, 16, 1024)
    wide = rsma(on(mesh, (1, 1, 32, 1056)), [inter, out], 3, sems(mesh, 3), **kw)
    assert (tuple(wide.shape), tuple(wide.padded_shape)) == ((1, 1, 32, 528), (1, 1, 32, 544))
    # exactly 3 semaphores (probe with the program cache off: a cached program skips the check)
    for n in (2, 4):
        with refused(f"Expected 3 semaphores but got {n}"):
            rsma(x, None, 3, sems(mesh, n), **kw)


def test_ring_staging_intermediate_of_reduce_scatter_minimal_async() -> None:
    # probe (1x8 FABRIC_1D_RING): a Ring scatter on dim != 0 takes the chunk-paged staging buffers that
    # reduce_scatter_minimal_async_create_intermediate_buffer allocates, or an input-shaped tiled one
    mesh = open_mesh(1, 8, FABRIC.FABRIC_1D_RING)
    rsma = ttnn.experimental.reduce_scatter_minimal_async
    x = on(mesh, (1, 1, 32, 512))
    out = on(mesh, (1, 1, 32, 512), [R(), P(3)])

    def staging(rows: int) -> ttnn.Tensor:
        return on(mesh, (rows, 16384), dtype=ttnn.uint8, layout=ttnn.ROW_MAJOR_LAYOUT)

    kw = dict(topology=RING, num_links=1, barrier_semaphore=sems(mesh, 1)[0])
    assert tuple(rsma(x, [staging(8), out, staging(1)], 3, sems(mesh, 3), **kw).shape) == (1, 1, 32, 64)
    with refused("Persistent intermediate matches neither reduce-scatter intermediate layout. Expected either the"):
        rsma(x, [on(mesh, (1, 1, 32, 512), dtype=ttnn.bfloat8_b), out], 3, sems(mesh, 3), **kw)
    with refused("(expected shape Shape([1, 16384]), UINT8 row-major interleaved DRAM)"):
        rsma(x, [staging(8), out, staging(2)], 3, sems(mesh, 3), **kw)
    with refused("(the provided persistent intermediate selects the tiled layout)"):
        rsma(x, [on(mesh, (1, 1, 32, 512)), out, staging(1)], 3, sems(mesh, 3), **kw)
    with refused("Intermediate tensor layout must match input tensor layout"):  # recorded: topology=Linear
        rsma(x, [staging(8), out, staging(1)], 3, sems(mesh, 3), **{**kw, "topology": LINEAR})
    with refused("(requires Ring topology and scatter dim != 0); the penult intermediate is not applicable."):
        rsma(x, [on(mesh, (2, 1, 32, 512)), out, staging(1)], 3, sems(mesh, 3), **{**kw, "topology": LINEAR})


def test_reduce_scatter_checks_its_output_tensor_spec() -> None:
    # probe: the ring kernel and the one-shot kernel compare the whole TensorSpec, in their own words
    mesh = open_mesh(2, 4)
    x = on(mesh, (1, 1, 32, 1024))
    assert placements(ttnn.reduce_scatter(x, 3, cluster_axis=0, output_tensor=on(mesh, (1, 1, 32, 1024), [P(3), R()])))
    with refused(
        "Output tensor spec TensorSpec(logical_shape=Shape([1, 1, 32, 256]),tensor_layout=TensorLayout("
        "dtype=DataType::BFLOAT16,page_config=PageConfig(config=TilePageConfig(tile=Tile(tile_shape={32, 32},"
        "face_shape={16, 16},num_faces=4))),memory_config=MemoryConfig(memory_layout=TensorMemoryLayout::INTERLEAVED,"
    ):
        ttnn.reduce_scatter(x, 3, cluster_axis=0, output_tensor=on(mesh, (1, 1, 32, 256)))
    with refused("does not match computed output spec TensorSpec(logical_shape=Shape([1, 1, 32, 512])"):
        ttnn.reduce_scatter(x, 3, output_tensor=on(mesh, (1, 1, 32, 128)))  # checked at the first axis' step
    ring = open_mesh(1, 8, FABRIC.FABRIC_1D_RING)
    y = on(ring, (1, 1, 32, 512))
    with refused("; persistent buffers must come from reduce_scatter_minimal_direct_create_persistent_buffers"):
        ttnn.reduce_scatter(y, 3, topology=RING, output_tensor=on(ring, (1, 1, 32, 128)))


# ----------------------------------------------------------------------------- kernels, paths, labels


def test_reduce_scatter_one_shot_kernel_keeps_the_input_label() -> None:
    # recorded (t3k_variants ed0551fb533a) and probed: a small tiled Ring scatter on a wrapping 1-D
    # fabric takes the direct kernel, which leaves the label; tuning knobs, > 512 KiB, Linear, or an
    # uneven (composite) split take the ring kernel's Shard label
    mesh = open_mesh(1, 8, FABRIC.FABRIC_1D_RING)
    assert placements(ttnn.reduce_scatter(on(mesh, (1, 1, 32, 512)), 3, topology=RING)) == ["PlacementReplicate()"]
    assert placements(ttnn.reduce_scatter(on(mesh, (1, 1, 256, 1024)), 3, topology=RING)) == ["PlacementReplicate()"]
    shard = ["PlacementShard(3)"]
    assert placements(ttnn.reduce_scatter(on(mesh, (1, 1, 512, 1024)), 3, topology=RING)) == shard
    assert placements(ttnn.reduce_scatter(on(mesh, (1, 1, 256, 1024), dtype=ttnn.float32), 3, topology=RING)) == shard
    assert placements(ttnn.reduce_scatter(on(mesh, (1, 1, 32, 512)), 3, topology=LINEAR)) == shard
    config = ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.HiFi4, fp32_dest_acc_en=True)
    assert (
        placements(ttnn.reduce_scatter(on(mesh, (1, 1, 32, 512)), 3, topology=RING, compute_kernel_config=config))
        == shard
    )
    uneven = ttnn.reduce_scatter(on(mesh, (1, 1, 32, 544)), 3, topology=RING)
    assert (tuple(uneven.shape), tuple(uneven.padded_shape), placements(uneven)) == (
        (1, 1, 32, 68),
        (1, 1, 32, 96),
        shard,
    )
    with refused("Number of tiles at dimension 3 must be divisible by ring_size"):
        ttnn.reduce_scatter(on(mesh, (1, 1, 32, 516)), 3, topology=RING)


def test_a_ring_over_a_partial_line_cannot_route() -> None:
    # recorded (t3k_variants topology=Ring on 1x4; galaxy_variants on 1x8): an async ring's wrap link
    # exists only when the line spans the whole system; the sync all_gather does not route so
    mesh = open_mesh(1, 4, FABRIC.FABRIC_1D_RING)
    x = on(mesh, (1, 1, 32, 1024), [R(), P(-1)])
    with refused("Could not find any forwarding direction from src (M0, D0) to dst (M0, D3)"):
        ttnn.experimental.all_gather_async(x, 3, sems(mesh, 2), topology=RING, num_links=1)
    with refused("Could not find any forwarding direction from src (M0, D0) to dst (M0, D3)"):
        ttnn.experimental.reduce_scatter_minimal_async(x, None, 3, sems(mesh, 3), topology=RING)
    assert tuple(ttnn.all_gather(x, 3, topology=RING).shape) == (1, 1, 32, 1024)
    ttnn.close_mesh_device(mesh)
    whole = open_mesh(1, 8, FABRIC.FABRIC_1D_RING)
    y = on(whole, (1, 1, 32, 2048), [R(), P(-1)])
    assert tuple(ttnn.experimental.all_gather_async(y, 3, sems(whole, 2), topology=RING).shape) == (1, 1, 32, 2048)


def test_all_reduce_async_cluster_axis_overload() -> None:
    # recorded (cluster_axis=None on FABRIC_2D) and probed on FABRIC_1D / FABRIC_2D 2x4
    mesh = open_mesh(2, 4)
    ar = ttnn.experimental.all_reduce_async
    x = on(mesh, (1, 1, 32, 1024))
    kw = dict(mesh_device=mesh, rs_global_semaphores=sems(mesh, 3), math_op=ttnn.ReduceType.Sum, topology=LINEAR)
    with refused("Cluster axis is required for all gather"):
        ar(x, cluster_axis=None, barrier_semaphores=sems(mesh, 2), ag_global_semaphores=sems(mesh, 2), **kw)
    with refused("Barrier semaphores must be of size 2"):
        ar(x, cluster_axis=1, barrier_semaphores=sems(mesh, 1), ag_global_semaphores=sems(mesh, 2), **kw)
    with refused("Default implementation requires 2 semaphores"):
        ar(x, cluster_axis=1, barrier_semaphores=sems(mesh, 2), ag_global_semaphores=sems(mesh, 3), **kw)
    # its scatter is reduce_scatter_minimal_async (3 semaphores); a 96-wide input sums by all-gather (no checks)
    with refused("Expected 3 semaphores but got 2"):
        ar(
            x,
            cluster_axis=1,
            barrier_semaphores=sems(mesh, 2),
            ag_global_semaphores=sems(mesh, 2),
            **{**kw, "rs_global_semaphores": sems(mesh, 2)},
        )
    one = sems(mesh, 1)
    assert ar(
        on(mesh, (1, 1, 32, 96)), cluster_axis=1, barrier_semaphores=one, ag_global_semaphores=sems(mesh, 2), **kw
    )
    with refused("Invalid cluster axis 2. Must be 0 or 1"):
        ar(x, cluster_axis=2, mesh_device=mesh, math_op=ttnn.ReduceType.Sum)
    line = open_mesh(2, 4, FABRIC.FABRIC_1D)
    y = on(line, (1, 1, 32, 1024))
    kw1 = dict(mesh_device=line, math_op=ttnn.ReduceType.Sum, topology=LINEAR, barrier_semaphores=sems(line, 2))
    with refused("Expected 3 semaphores but got 2"):  # over the whole mesh on a 1-D fabric, before routing
        ar(y, cluster_axis=None, rs_global_semaphores=sems(line, 2), ag_global_semaphores=sems(line, 2), **kw1)
    with refused("Could not find any forwarding direction from src (M0, D3) to dst (M0, D4)"):
        ar(y, cluster_axis=None, rs_global_semaphores=sems(line, 3), ag_global_semaphores=sems(line, 2), **kw1)


def test_all_reduce_async_buffer_overload() -> None:
    # recorded (t3k_variants 121f1eb93126 / ee1b8aa4d0bc) and probed: the ring is the rows on axis 0,
    # else the columns; the buffer holds ring x the output shard; the reduction's circular buffer sits
    # in the buffer's L1 bank and holds the ring's shards in the input's tile format
    mesh = open_mesh(2, 4)
    ar = ttnn.experimental.all_reduce_async
    grid = ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(7, 0))})

    def width(cols: int) -> ttnn.MemoryConfig:
        spec = ttnn.ShardSpec(grid, [32, cols], ttnn.ShardOrientation.ROW_MAJOR)
        return ttnn.MemoryConfig(ttnn.TensorMemoryLayout.WIDTH_SHARDED, ttnn.BufferType.L1, spec)

    def x(dtype: ttnn.DataType = ttnn.bfloat16, mc: ttnn.MemoryConfig | None = None) -> ttnn.Tensor:
        return on(mesh, (2, 4, 32, 256), [P(0), P(1)], mc or width(32), dtype)

    buffer = on(mesh, (2, 4, 32, 512), [P(0), P(1)], width(64))
    sem = sems(mesh, 1)[0]
    kw = dict(memory_config=width(32), topology=LINEAR, num_links=1, dtype=ttnn.bfloat16)
    out = ar(x(ttnn.bfloat8_b), buffer, 0, mesh, sem, **kw)
    assert (out.dtype, placements(out)) == (ttnn.bfloat16, ["PlacementReplicate()", "PlacementShard(1)"])
    with refused(
        "The shard size for the buffer must be large enough to hold the intermediate tensor. "
        "Require at least 4096 but has 2048"
    ):
        ar(x(), buffer, 1, mesh, sem, **kw)
    with refused(
        "The shard size for the buffer must be large enough to hold the intermediate tensor. "
        "Require at least 4096 but has 2048"
    ):
        ar(x(), buffer, 2, mesh, sem, **kw)  # axis 2 counts the columns too
    with refused("Unsupported memory layout for input tensorTensorMemoryLayout::INTERLEAVED."):
        ar(x(mc=L1), buffer, 0, mesh, sem, **kw)
    with refused(
        "Cannot set circular buffer size to 8192. This is larger than the associated dynamically allocated L1 "
        "buffer bank size of 4096 B"
    ):
        ar(x(ttnn.float32), buffer, 0, mesh, sem, **kw)
    with pytest.raises(
        TypeError, match=r"\nttnn\.experimental\.all_reduce_async\(\): incompatible function arguments\.\n"
    ):
        ar(x(), buffer, None, mesh, sem, **kw)
