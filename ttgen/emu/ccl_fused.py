"""ttnn.experimental.all_gather_matmul_async (an all-gather over the whole mesh fused with a 2-D
multicast matmul) and reduce_scatter_minimal_async_create_intermediate_buffer (the staging
buffers of the ring reduce-scatter's contiguous fast path), as ttnn 0.81.1 validates, shapes and
labels them (probed on mock T3K 2x4 / 1x8 / 1x4 / 1x2 and 6U Galaxy 4x8 / 8x4 / 1x32 / 1x16 / 1x8
meshes, every fabric; ttgen.emu.routing for the machines' rings).

all_gather_matmul_async returns (gathered, product): the input gathered along dim 3 in ring
(row-major) order, labelled as the input was (probe: [Shard(-1)] over 8 stays), in
memory_config_ag or the input's memory config; and gathered @ weight (+ bias) in `dtype` or the
input's, TILE, memory_config_mm or the input's memory config, labelled with the union of the
input's and the weight's labels. Its all-gather workers (2 per link, or 2 * (w + 1) with w > 1
num_workers_per_link) take the cores from all_gather_core_grid_offset row-major in rows of the
grid's width; a worker on the matmul grid's first row collides with the matmul's circular buffers
(probe, transpose_mcast=False).

The intermediate buffers are uint8 ROW_MAJOR DRAM tensors [ring * chunks, page] and [chunks, page],
replicated over the mesh shape: a chunk is what the destination register holds (8 tiles, 4 with
fp32 accumulation or a 32-bit dtype), page = chunk tiles * tile bytes, and chunks = the batches
before the scattered dims times ceil((their tiles // ring) / chunk tiles) (probe)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ttgen.emu.calls import operation
from ttgen.emu.ccl import _REQUIRED, _bind, _groups, _is_int, _mesh_input, _no_overload
from ttgen.emu.device import GlobalSemaphore, MeshDevice
from ttgen.emu.mesh import Array, topology_of, union_topology
from ttgen.emu.program_configs import MatmulMultiCoreReuseMultiCastProgramConfig
from ttgen.emu.routing import (
    TWO_D_FABRICS,
    check_links,
    is_full_torus,
    is_line,
    line_is_ring,
    no_forwarding,
    not_emulated,
)
from ttgen.emu.tensor import TILE_BYTES, Tensor, fatal, padded_dims, store
from ttgen.emu.topology import FabricConfig, Topology
from ttgen.emu.types import DRAM_MEMORY_CONFIG, CoreCoord, MemoryConfig
from ttgen.facts.enums import DataType, Layout, StorageType
from ttgen.facts.enums import Topology as CclTopology

AGMM = "ttnn.experimental.all_gather_matmul_async"
BUFFERS = "ttnn.experimental.reduce_scatter_minimal_async_create_intermediate_buffer"
_FABRIC_CONTEXT = "Trying to get un-initialized fabric context"
_LINEAR_FUSED = "linear is not support when using fused for all-gather"  # sic


def _emit(
    values: list[Array], dtype: DataType, layout: Layout, mesh: MeshDevice, label: Topology, mc: MemoryConfig
) -> Tensor:
    stored: dict[int, Array] = {}
    for v in values:
        if id(v) not in stored:
            stored[id(v)] = store(v, dtype, layout)
    shards = [stored[id(v)] for v in values]
    out = Tensor._from_values(shards[0], dtype, layout)
    out._shards, out._topology = shards, label
    out._place(mesh, mc)
    return out


# ------------------------------------------------------------------------ all_gather_matmul_async

_AGMM_KW = (
    "bias",
    "num_links",
    "memory_config_ag",
    "topology",
    "barrier_semaphore",
    "subdevice_id",
    "memory_config_mm",
    "transpose_a",
    "transpose_b",
    "dtype",
    "program_config",
    "activation",
    "compute_kernel_config",
    "core_grid",
    "chunks_per_sync",
    "num_workers_per_link",
    "num_buffers_per_channel",
)


def _semaphore_list(v: Any) -> bool:
    return isinstance(v, list | tuple) and all(isinstance(s, GlobalSemaphore) for s in v)


def _device_tensor(t: Any) -> Tensor:
    if not isinstance(t, Tensor):
        raise _no_overload(AGMM)
    if t.device() is None or t.storage_type() is not StorageType.DEVICE:
        raise fatal("Device Operations expect device tensors as inputs")
    return t


def _matmul_checks(a_shape: tuple[int, ...], weight: Tensor, pc: Any, m_tiles: int) -> None:
    """The 2-D multicast matmul's checks, in ttnn's order (probe)."""
    b_shape = padded_dims(tuple(weight.shape), weight.layout)
    if a_shape[-1] != b_shape[-2]:
        raise fatal(f"Dimension K (A.shape[-1] = {a_shape[-1]}, B.shape[-2] = {b_shape[-2]}) must match for matmul")
    kt, nt = a_shape[-1] // 32, b_shape[-1] // 32
    in0_block_w = int(pc.in0_block_w)
    if in0_block_w <= 0 or kt % in0_block_w:
        raise fatal(f"Kt ({kt}) must be divisible by in0_block_w ({in0_block_w})")
    grid = pc.compute_with_storage_grid_size
    blocks_x = -(-nt // int(pc.per_core_N))
    blocks_y = -(-m_tiles // int(pc.per_core_M))
    if blocks_x > grid.x:
        raise fatal(
            f"Num output blocks along x ({blocks_x}) must be smaller than or equal to the number of columns in "
            f"compute grid ({grid.x})!"
        )
    if blocks_y > grid.y:
        raise fatal(
            f"Num output blocks along y ({blocks_y}) must be smaller than or equal to the number of rows in compute "
            f"grid ({grid.y})!"
        )
    out_block_w = int(getattr(pc, "out_block_w", 0) or pc.per_core_N)
    sub_w = int(pc.out_subblock_w)
    if sub_w <= 0 or out_block_w % sub_w or out_block_w < sub_w:
        raise fatal("out_block_w must be multiple of out_subblock_w")


def _worker_cores(mesh: MeshDevice, offset: CoreCoord, num_links: int, workers: int | None, pc: Any) -> None:
    """Where the all-gather's workers go (probe): 2 per link (1 worker per direction), or 2 * (w + 1)
    for w > 1 workers per link (a mux core per direction), row-major from the offset in rows of the
    grid's width; none may leave the grid, none may sit on the matmul grid's first row."""
    if workers == 0:
        raise fatal("At least one type of channel must be configured")
    per_link = 2 if workers in (None, 1) else 2 * (int(workers) + 1)
    count = num_links * per_link
    grid = mesh.compute_with_storage_grid_size()
    cores = [(offset.x + i % grid.x, offset.y + i // grid.x) for i in range(count)]
    off = [c for c in cores if c[0] >= grid.x or c[1] >= grid.y]
    if off:
        raise fatal(
            f"Core grid offset {offset!r} pushed {len(off)} of the {count} selected worker cores (first: "
            f"{off[0][0]}-{off[0][1]}) off the worker grid; kernels cannot be placed there. Request fewer cores or use "
            "a smaller offset."
        )
    mm = pc.compute_with_storage_grid_size
    if any(y == 0 and x < mm.x for x, y in cores):
        raise fatal(
            "Invalid circular buffer index: Cannot add circular buffer at index 0, another circular buffer already "
            "exists"
        )


def _ring_route(mesh: MeshDevice) -> str | None:
    """How a Ring over the whole mesh runs (probe): 'ring', or 'linear' when ttnn falls back to a
    line (two devices; a 2-D mesh that is not the whole of a torus machine), 'no route' when the
    ring's closing hop has no path (an open 1xN line; a torus on a 1-D fabric); None: not probed."""
    n = mesh.get_num_devices()
    if n <= 2:
        return "linear"
    if is_line(mesh):
        closes = line_is_ring(mesh)
        return None if closes is None else "ring" if closes else "no route"
    if mesh.system is None:
        return None
    if not is_full_torus(mesh):
        return "linear"
    return "ring" if mesh.fabric in TWO_D_FABRICS else "no route"


def _agmm(*args: Any, **kwargs: Any) -> list[Tensor]:
    req = _REQUIRED
    b = _bind(
        [
            ("input_tensor", req, None),
            ("weight_tensor", req, None),
            ("persistent_output_buffer", None, lambda v: v is None or isinstance(v, Tensor)),
            ("dim", req, lambda v: _is_int(v) and v >= 0),
            ("multi_device_global_semaphore", req, _semaphore_list),
            ("all_gather_core_grid_offset", req, lambda v: isinstance(v, CoreCoord)),
        ],
        _AGMM_KW,
        args,
        kwargs,
    )
    if b is None:
        raise _no_overload(AGMM)
    t = _device_tensor(b["input_tensor"])
    weight = _device_tensor(b["weight_tensor"])
    _, mesh = _mesh_input(t)
    _mesh_input(weight)
    if (mesh.fabric or FabricConfig.DISABLED) is FabricConfig.DISABLED:
        raise fatal("Unsupported fabric config")
    dim, rank, n = int(b["dim"]), len(t.shape), mesh.get_num_devices()
    if dim > rank - 1:
        raise fatal(f"Dimension input should be in between -{rank} and {rank - 1}, but has {dim}")
    if n <= 1:
        raise fatal(f"all_gather_async op will only work for num_devices > 1, but has {n}")
    if dim != 3:
        raise fatal("AllGatherMatmulAsync requires dim=3 for the AllGather operations.")
    padded = padded_dims(tuple(t.shape), t.layout)
    if padded[0] != 1 or padded[1] != 1:
        raise fatal("AllGatherMatmulAsync requires input tensor to have batch size of 1.")
    pc = b.get("program_config")
    if pc is None:
        raise RuntimeError("bad optional access")
    if not isinstance(pc, MatmulMultiCoreReuseMultiCastProgramConfig):
        raise not_emulated(AGMM, f"a {type(pc).__name__}")
    if getattr(pc, "transpose_mcast", False):
        raise not_emulated(AGMM, "transpose_mcast=True (its worker-core collisions were not probed)")
    if weight.layout is not Layout.TILE:
        raise not_emulated(AGMM, "a ROW_MAJOR weight_tensor")
    dims = tuple(t.shape)
    gathered_shape = (*dims[:3], dims[3] * n)
    _matmul_checks(padded_dims(gathered_shape, t.layout), weight, pc, padded[-2] // 32)
    topology = b.get("topology", CclTopology.Ring)
    route = _ring_route(mesh) if topology is CclTopology.Ring else "linear"
    if route is None:
        raise not_emulated(AGMM, f"a Ring over {mesh!r} (this machine's ring was not probed)")
    if route == "linear":
        raise fatal(_LINEAR_FUSED)
    num_links = int(b.get("num_links", 1))
    if num_links <= 0:
        raise not_emulated(AGMM, f"num_links={num_links}")
    _worker_cores(mesh, b["all_gather_core_grid_offset"], num_links, b.get("num_workers_per_link"), pc)
    semaphores = list(b["multi_device_global_semaphore"])
    if len(semaphores) < 2:
        k = len(semaphores)
        raise IndexError(f"vector::_M_range_check: __n (which is {k}) >= this->size() (which is {k})")
    if route == "no route":
        raise no_forwarding(mesh)
    check_links(mesh, AGMM, num_links, None)
    for name in ("transpose_a", "transpose_b"):
        if b.get(name):
            raise not_emulated(AGMM, f"{name}=True (ttnn checks the untransposed shapes)")
    if b.get("activation") is not None:
        raise not_emulated(AGMM, "a fused activation")
    return _agmm_values(t, weight, b, mesh)


def _agmm_values(t: Tensor, weight: Tensor, b: dict[str, Any], mesh: MeshDevice) -> list[Tensor]:
    shards = list(t._shards or [t._values])
    w_shards = list(weight._shards or [weight._values])
    bias = b.get("bias")
    b_shards: list[Array] | None = None
    bias_shape: list[int] = []
    if bias is not None:
        _device_tensor(bias)
        _mesh_input(bias)
        b_shards, bias_shape = list(bias._shards or [bias._values]), list(bias.shape)
    gathered: list[Array] = list(shards)
    for members in _groups(t, None):
        whole = np.concatenate([shards[i] for i in members], axis=3)
        for i in members:
            gathered[i] = whole
    products: list[Array] = []
    done: dict[tuple[int, int, int], Array] = {}
    for k in range(len(shards)):
        key = (id(gathered[k]), id(w_shards[k]), id(b_shards[k]) if b_shards is not None else 0)
        if key not in done:
            a = np.asarray(gathered[k], dtype=np.float64)
            out = np.matmul(a, np.asarray(w_shards[k], dtype=np.float64))
            if b_shards is not None:
                try:
                    out = out + np.asarray(b_shards[k], dtype=np.float64)
                except ValueError:
                    raise not_emulated(AGMM, f"a bias of shape {bias_shape}") from None
            done[key] = out
        products.append(done[key])
    mc_ag, mc_mm, dtype = b.get("memory_config_ag"), b.get("memory_config_mm"), b.get("dtype")
    mc_ag = mc_ag if mc_ag is not None else t.memory_config()
    mc_mm = mc_mm if mc_mm is not None else t.memory_config()
    dtype = dtype if dtype is not None else t.dtype
    first = _emit(gathered, t.dtype, t.layout, mesh, topology_of(t), mc_ag)
    persistent = b.get("persistent_output_buffer")
    if persistent is not None and tuple(persistent.shape) == tuple(first.shape) and persistent._shards is not None:
        persistent._shards, persistent._values = first._shards, first._values
        persistent._topology = first._topology
        first = persistent
    second = _emit(products, dtype, Layout.TILE, mesh, union_topology([t, weight]), mc_mm)
    return [first, second]


all_gather_matmul_async = operation(AGMM, per_device=False)(_agmm)


# ------------------------------------------------------------ reduce-scatter intermediate buffers

_SIXTEEN_BIT = {DataType.BFLOAT16, DataType.BFLOAT8_B, DataType.BFLOAT4_B}
_THIRTY_TWO_BIT = {DataType.FLOAT32, DataType.UINT32}
_NO_FAST_PATH = (
    "reduce_scatter_minimal_async_create_intermediate_buffer only applies to the contiguous fast path (Ring "
    "topology, scatter dim != 0). For other configurations the intermediate has the input tensor shape and can be "
    "allocated directly."
)


def _fast_path(mesh: MeshDevice, axis: int | None, topology: CclTopology, dim: int) -> bool | None:
    """Whether the contiguous ring path applies (probe); None: this machine's ring was not probed.
    With no cluster_axis any 1xN view of more than two devices takes it, and a 2-D mesh only as
    the whole of a torus machine; along an axis, only a 1xN view that closes into a ring."""
    if topology is not CclTopology.Ring or dim == 0:
        return False
    ring = mesh.get_num_devices() if axis is None else mesh.mesh_shape[axis]
    if ring <= 2:
        return False
    if axis is None:
        if is_line(mesh):
            return True
        return None if mesh.system is None else is_full_torus(mesh)
    if not is_line(mesh):
        return False
    return line_is_ring(mesh)


@operation(BUFFERS, per_device=False)
def reduce_scatter_minimal_async_create_intermediate_buffer(
    input_tensor: Tensor,
    dim: int,
    *,
    topology: CclTopology = CclTopology.Ring,
    cluster_axis: int | None = None,
    compute_kernel_config: Any = None,
) -> list[Tensor]:
    if not isinstance(input_tensor, Tensor) or not _is_int(dim):
        raise _no_overload(BUFFERS)
    if input_tensor.device() is None or input_tensor.storage_type() is not StorageType.DEVICE:
        raise fatal("Mesh device is required to allocate the reduce_scatter intermediate buffer")
    t, mesh = _mesh_input(input_tensor)
    if (mesh.fabric or FabricConfig.DISABLED) is FabricConfig.DISABLED:
        raise fatal(_FABRIC_CONTEXT)
    shape = mesh.mesh_shape
    if cluster_axis is not None and cluster_axis >= len(shape):
        raise fatal(f"cluster axis {cluster_axis} is out of range for mesh shape rank {len(shape)}")
    rank = len(t.shape)
    if not -rank <= dim < rank:
        raise not_emulated(BUFFERS, f"dim={dim} on a rank-{rank} input (ttnn accepts it)")
    d = dim + rank if dim < 0 else dim
    fast = _fast_path(mesh, cluster_axis, topology, d)
    if fast is None:
        raise not_emulated(BUFFERS, f"cluster_axis={cluster_axis} on {mesh!r} (this machine's ring was not probed)")
    if not fast:
        raise fatal(_NO_FAST_PATH)
    if t.layout is not Layout.TILE:
        raise not_emulated(BUFFERS, "a ROW_MAJOR input (its page size was not pinned down)")
    if t.dtype not in _SIXTEEN_BIT | _THIRTY_TWO_BIT:
        raise not_emulated(BUFFERS, f"a {t.dtype.name} input")
    fp32_acc = bool(getattr(compute_kernel_config, "fp32_dest_acc_en", False))
    chunk_tiles = 4 if fp32_acc or t.dtype in _THIRTY_TWO_BIT else 8
    page = chunk_tiles * TILE_BYTES[t.dtype]
    ring = mesh.get_num_devices() if cluster_axis is None else shape[cluster_axis]
    padded = padded_dims(tuple(t.shape), t.layout)
    split = min(d, rank - 2)
    outer = math.prod(padded[:split])
    tiles = math.prod(padded[split : rank - 2]) * (padded[-2] // 32) * (padded[-1] // 32)
    chunks = outer * -(-(tiles // ring) // chunk_tiles)
    label = Topology(tuple(shape), (None,) * len(shape), tuple(np.ndindex(*shape)))
    out = []
    for rows in (ring * chunks, chunks):
        zeros = np.zeros((rows, page), dtype=np.uint8)
        shards = [zeros] * mesh.get_num_devices()
        out.append(_emit(shards, DataType.UINT8, Layout.ROW_MAJOR, mesh, label, DRAM_MEMORY_CONFIG))
    return out
