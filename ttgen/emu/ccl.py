"""Collectives (CCLs) on mesh tensors: ttnn 0.81.1's validation (fabric, cluster axis, dims,
preallocated outputs, semaphore counts, routing), its output specs and topology labels, and the
real semantics on the per-device arrays (mock ttnn reads back zeros, so values follow the
definitions: a gather concatenates the ring's shards in ring order, a reduce-scatter sums then
splits, an all-reduce sums).

Validation follows each entry point's order of ttnn's shared helpers (see "ttnn's shared CCL
helpers"), then its device op's checks; facts marked "probe" were read off the wheel on mock T3K
/ Galaxy meshes with the program cache off (a cached program skips a device op's checks).

The labels follow what the wheel printed for tile-aligned inputs; the rules are those of ttnn's
ccl_topology_utils (a per-axis update that falls back to the input's label where no label can
state the result). Inputs that take another path take that path's label and checks where probed:
the composite reduce-scatter / all-gather for pieces that are not whole tiles, reduce_scatter's
one-shot kernel (which keeps the input's label)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

import numpy as np

from ttgen.emu.calls import operation
from ttgen.emu.device import GlobalSemaphore, MeshDevice, selected_system
from ttgen.emu.mesh import Array, topology_of
from ttgen.emu.tensor import TILE_BYTES, Tensor, fatal, store
from ttgen.emu.topology import Axis, FabricConfig, Topology
from ttgen.emu.types import DRAM_MEMORY_CONFIG, MemoryConfig, Shape
from ttgen.facts.enums import DataType, Layout, ReduceType, StorageType, TensorMemoryLayout
from ttgen.facts.enums import Topology as CclTopology
from ttgen.facts.validity import TILE

_LINE_FABRICS = {FabricConfig.FABRIC_1D, FabricConfig.FABRIC_1D_RING, FabricConfig.FABRIC_1D_NEIGHBOR_EXCHANGE}


# ------------------------------------------------------------------------------ topology labels


def _norm(dim: int, rank: int) -> int | None:
    d = dim + rank if dim < 0 else dim
    return d if 0 <= d < rank else None


def _shards_dim(a: Axis, dim: int, rank: int) -> bool:
    return a is not None and _norm(a, rank) == dim


def _line_axis(mesh: Sequence[int]) -> int | None:
    axes = [i for i, m in enumerate(mesh) if m > 1]
    return axes[0] if len(axes) == 1 else None


def _expand(t: Topology, mesh: Sequence[int]) -> list[Axis] | None:
    """One placement per mesh axis; a 1-D label over the whole mesh reads as its placement on
    every axis of size > 1. None: a label this cannot read (fewer shards than devices)."""
    if len(t.dist) == len(mesh) and len(t.axes) == len(mesh):
        return list(t.axes)
    if not t.collapsed or math.prod(t.dist) != math.prod(mesh):
        return None
    return [t.axes[0] if m > 1 else None for m in mesh]


def _finalise(t: Topology, shape: tuple[int, ...], out: list[Axis], rank: int, new_axis: int | None) -> Topology | None:
    """The label `out` if expressible: a dim sharded on two axes is only the collapsed row-major
    label, when every non-trivial axis shards it and the new shard is innermost."""

    def also_sharded(axis: int, a: Axis) -> bool:
        d = None if a is None else _norm(a, rank)
        return d is not None and any(o != axis and _shards_dim(out[o], d, rank) for o in range(len(out)))

    for axis, a in enumerate(out):
        if a is not None and shape[axis] == 1 and also_sharded(axis, a):
            out[axis] = None
    dup = next((_norm(a, rank) for i, a in enumerate(out) if a is not None and also_sharded(i, a)), None)
    if dup is None:
        return Topology(shape, tuple(out), t.coords)
    for axis, a in enumerate(out):
        if shape[axis] > 1:
            if not _shards_dim(a, dup, rank) or (new_axis is not None and axis > new_axis):
                return None
        elif a is not None:
            return None
    return Topology((math.prod(shape),), (dup,), t.coords)


def gather_label(t: Topology, axis: int | None, mesh: Sequence[int], rank: int, dim: int, contiguous: bool) -> Topology:
    if axis is None:  # every device ends up with every piece; the label's own shape is kept
        return Topology(t.dist, (None,) * len(t.axes), t.coords)
    expanded = _expand(t, mesh)
    if expanded is None:
        return t
    collapsed = t.collapsed and len(mesh) > 1
    if collapsed and _line_axis(mesh) == axis:
        return Topology(t.dist, (None,), t.coords)
    d = _norm(dim, rank)
    inner = range(axis + 1, len(mesh))
    if (
        collapsed
        and contiguous
        and d is not None
        and _shards_dim(expanded[axis], d, rank)
        and any(mesh[i] > 1 and _shards_dim(expanded[i], d, rank) for i in inner)
    ):
        return t  # a 1-D mapper's pieces would interleave if gathered along an outer axis: the label stays
    expanded[axis] = None
    return _finalise(t, tuple(mesh) if collapsed else t.dist, expanded, rank, None) or t


def scatter_label(t: Topology, axis: int, mesh: Sequence[int], rank: int, dim: int) -> Topology:
    d = _norm(dim, rank)
    expanded = _expand(t, mesh)
    if d is None or expanded is None:
        return t
    collapsed = t.collapsed and len(mesh) > 1
    if collapsed and _line_axis(mesh) == axis:
        return Topology(t.dist, (d,), t.coords)
    expanded[axis] = d  # only normalised dims are written (probe: reduce_scatter(dim=-1) -> Shard(3))
    return _finalise(t, tuple(mesh) if collapsed else t.dist, expanded, rank, axis) or t


def _per_axis(t: Topology, mesh: Sequence[int], step: Callable[[Topology, int], Topology]) -> Topology:
    for axis in range(len(mesh)):
        t = step(t, axis)
    return t


def _whole(t: Topology, d: int) -> Topology:
    return Topology((math.prod(t.dist),), (d,), t.coords)


# ------------------------------------------------------------------------------ ttnn's shared CCL helpers
#
# Each CCL entry point calls ttnn's ccl_common helpers in its own order, and each helper refuses a
# bad cluster axis in its own words: get_usable_topology indexes the mesh shape (ShapeBase) for a
# wrapping topology, get_num_links (only when num_links is not given) accepts axes 0 and 1, and
# get_topological_dimension compares the axis with the device coordinates' rank.

_WRAPPING = {CclTopology.Ring, CclTopology.Torus}
_TORUS_FABRICS = {FabricConfig.FABRIC_2D_TORUS_X, FabricConfig.FABRIC_2D_TORUS_Y, FabricConfig.FABRIC_2D_TORUS_XY}
_DIRECT_RS_MAX_BYTES = 512 << 10  # reduce_scatter's one-shot kernel: inputs up to 512 KiB per device


def _cpp(value: Enum) -> str:
    """An enum as ttnn's messages print it: `DataType::BFLOAT16`."""
    return f"{type(value).__name__}::{value.name}"


def _shape_at(dims: Sequence[int], index: int) -> int:
    """ShapeBase[] (tensor and mesh shapes alike): stored padded to 4 dims, so a negative index
    may reach the padding's ones and the lower bound is -max(rank, 4)."""
    n, full = len(dims), max(len(dims), 4)
    if not -full <= index < n:
        raise fatal(f"ShapeBase[] index out of range. {index} not in [{-full}, {n})")
    return int(dims[index]) if index >= 0 or -index <= n else 1


def _normalized_index(dim: int, rank: int) -> int:
    """Shape::get_normalized_index: it reports the index it computed, as an unsigned 64-bit value
    (probe: dim -5 of a rank-4 tensor is 18446744073709551615)."""
    index = dim + rank if dim < 0 else dim
    if not 0 <= index < rank:
        raise fatal(
            f"Index is out of bounds for the rank, should be between 0 and {rank - 1} however is {index % 2**64}"
        )
    return index


def _fabric_topology(fabric: FabricConfig | None) -> CclTopology:
    """tt_fabric::get_fabric_topology: the topology a CCL takes when none is given."""
    if fabric is FabricConfig.FABRIC_1D_RING:
        return CclTopology.Ring
    if fabric in _TORUS_FABRICS:
        return CclTopology.Torus
    if fabric is FabricConfig.FABRIC_2D:
        return CclTopology.Mesh
    return CclTopology.Linear


def _wraps(t: Tensor, mesh: MeshDevice, axis: int | None) -> bool:
    """get_boundary_mode for a wrapping topology: the tensor's devices span the whole axis (the
    whole mesh without one) and the axis is longer than 2."""
    shape, coords = mesh.mesh_shape, topology_of(t).coords
    if axis is not None:
        size = _shape_at(shape, axis)
        return size != 2 and coords[0][axis] == 0 and coords[-1][axis] == size - 1
    if shape[0] == 2 or shape[1] == 2:
        return False
    return all(c == 0 for c in coords[0]) and all(c == s - 1 for c, s in zip(coords[-1], shape, strict=True))


def _usable_topology(t: Tensor, mesh: MeshDevice, topology: CclTopology | None, axis: int | None) -> CclTopology:
    """get_usable_topology: a Ring / Torus that cannot wrap is a Linear / Mesh."""
    topo = topology if topology is not None else _fabric_topology(mesh.fabric)
    if topo not in _WRAPPING or _wraps(t, mesh, axis):
        return topo
    return CclTopology.Mesh if topo is CclTopology.Torus else CclTopology.Linear


def _default_links(axis: int | None) -> None:
    """get_num_links, which runs only when num_links is not given."""
    if axis is not None and axis not in (0, 1):
        raise fatal(f"Invalid cluster axis {axis}. Must be 0 or 1")


def _topological_dimension(t: Tensor, axis: int | None) -> int:
    coords = topology_of(t).coords
    if axis is None:
        return len(coords)
    if axis >= len(coords[0]):
        raise fatal(f"cluster axis {axis} is out of range for mesh shape rank {len(coords[0])}")
    return max(c[axis] for c in coords) + 1


def _check_ring_route(t: Tensor, mesh: MeshDevice, topology: CclTopology) -> None:
    """An async CCL on a 1-D fabric sends each ring's last hop from its first device straight to
    its last: a line of chips wraps physically only when it spans the whole system (a T3K's 8, a
    Galaxy's 32; probe: a 1x4 T3K or 1x8 Galaxy mesh cannot route a Ring)."""
    if topology is not CclTopology.Ring or mesh.fabric not in _LINE_FABRICS or _mesh_axes(mesh) > 1:
        return
    system, n = selected_system(), mesh.get_num_devices()
    if system is not None and n < math.prod(system.mesh):
        raise fatal(f"Could not find any forwarding direction from src (M0, D0) to dst (M0, D{n - 1})")


def _mesh_input(t: Any) -> tuple[Tensor, MeshDevice]:
    if not isinstance(t, Tensor):
        raise TypeError("input_tensor must be a ttnn.Tensor")
    device = t.device()
    if device is None or t.storage_type() is not StorageType.DEVICE:
        raise fatal(f"Input tensor must be on device, got storage type: StorageType::{t.storage_type().name}")
    shards = t._shards or [t._values]
    if len(shards) != device.get_num_devices():
        raise fatal("ttgen.emu: collectives are emulated only on tensors that cover the whole mesh")
    return t, device


def _mesh_axes(mesh: MeshDevice) -> int:
    return sum(d > 1 for d in mesh.mesh_shape)


def _check_fabric(mesh: MeshDevice, op: str) -> None:
    fabric = mesh.fabric or FabricConfig.DISABLED
    if fabric is FabricConfig.DISABLED:
        if op == "all_gather_async":
            raise fatal("Unsupported fabric config")
        raise fatal("Trying to get un-initialized fabric context")


def _check_line_fabric(mesh: MeshDevice, axis: int | None, op: str, asynchronous: bool) -> None:
    """A 1-D fabric on a 2-D mesh: the sync all_gather refuses the missing cluster_axis up front;
    the async ops find no route from the end of the first row on."""
    if mesh.fabric in _LINE_FABRICS and axis is None and _mesh_axes(mesh) > 1:
        if asynchronous:
            cols = mesh.mesh_shape[-1]
            raise fatal(f"Could not find any forwarding direction from src (M0, D{cols - 1}) to dst (M0, D{cols})")
        if op == "all_gather":
            raise fatal("1D fabric on a 2D mesh_device requires cluster_axis to be set")


def _ring_size(mesh: MeshDevice, axis: int | None) -> int:
    return mesh.get_num_devices() if axis is None else _shape_at(mesh.mesh_shape, axis)


def _check_neighbours(ring: int) -> None:
    """A one-device ring has no neighbour to route to (probe: reduce_scatter / all_reduce)."""
    if ring <= 1:
        raise fatal("DEBUG: forward_coord or backward_coord is null")


def _groups(t: Tensor, axis: int | None) -> list[list[int]]:
    """Shard indices of each ring, in ring order: along `axis` (the others fixed), or the whole mesh."""
    coords = topology_of(t).coords
    if axis is None:
        return [list(range(len(coords)))]
    rings: dict[tuple[int, ...], list[int]] = {}
    for i, c in enumerate(coords):
        rings.setdefault(c[:axis] + c[axis + 1 :], []).append(i)
    return [sorted(r, key=lambda i: coords[i][axis]) for r in rings.values()]


def _semaphores(value: Any) -> list[GlobalSemaphore]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _tiles(t: Tensor) -> int:
    padded = tuple(t.padded_shape)
    return math.prod(padded[:-2]) * (padded[-2] // TILE) * (padded[-1] // TILE)


def _buffer_bytes(t: Tensor) -> int:
    """A TILE tensor's per-device buffer: its tiles in the dtype's tile size."""
    return _tiles(t) * TILE_BYTES[t.dtype]


def _normalize_dim_4d(dim: int, rank: int) -> int:
    """composite_common::normalize_dim_4d: a dim of an N-D tensor as the 4-D dim it stands for."""
    if rank == 2:
        return dim + 2
    diff = rank - 4
    return dim if dim < abs(diff) else dim - diff


def _composite_scatter(t: Tensor, dim: int, ring: int) -> bool:
    """use_composite_reduce_scatter: an even split whose pieces are not whole tiles (or a
    ROW_MAJOR input) scatters through pad, native reduce-scatter and slice."""
    size = _shape_at(tuple(t.shape), dim)
    if size % ring:
        return False
    if t.layout is not Layout.TILE:
        return True
    d4 = _normalize_dim_4d(dim, len(t.shape))
    return d4 in (2, 3) and (size // ring) % TILE != 0


def _composite_gather(t: Tensor, dim: int) -> bool:
    """use_composite_all_gather: a ROW_MAJOR input, or a gather along a tile-padded dim, gathers
    through another path, which takes no output buffer (probe)."""
    if t.layout is not Layout.TILE:
        return True
    rank, logical = len(t.shape), t.shape
    return (dim == rank - 2 and logical[-2] % TILE != 0) or (dim == rank - 1 and logical[-1] % TILE != 0)


def _check_composite_scatter(t: Tensor, memory_config: MemoryConfig | None) -> None:
    if t.memory_config().is_sharded() and memory_config is None:
        raise fatal(
            "If input memory config is sharded, then output memory config must be provided. Defaulting the output "
            "memory config to the input sharded memory config will break the op as the input and output shapes are "
            "different."
        )


# ------------------------------------------------------------------------------ preallocated outputs


def _check_gather_output(t: Tensor, out: Tensor, dim: int, ring: int) -> None:
    """all_gather's output_tensor: the input's layout and dtype, the gathered padded shape."""
    if out.layout is not t.layout:
        raise fatal(f"Output tensor layout {_cpp(out.layout)} should be same as input tensor layout {_cpp(t.layout)}")
    if out.dtype is not t.dtype:
        raise fatal(f"Output tensor dtype {_cpp(out.dtype)} should be same as input tensor dtype {_cpp(t.dtype)}")
    want = list(t.padded_shape)
    want[dim] *= ring
    have = out.padded_shape
    if len(have) != len(want):
        raise fatal(f"Output tensor shape should have same number of dimensions as input tensor but has {len(have)}")
    if tuple(have) != tuple(want):
        raise fatal(f"Output tensor shape must be {Shape(want)!r}, got {have!r}")


def _check_async_gather_output(t: Tensor, out: Tensor, dim: int, ring: int, mc: MemoryConfig) -> None:
    """all_gather_async's persistent buffer: the input's layout and dtype, the op's memory config,
    every dim the input's except the gathered one, which holds at most the whole ring's pieces."""
    if out.layout is not t.layout:
        raise fatal(f"Error, Output tensor layout should be same as input tensor layout but has {_cpp(out.layout)}")
    if out.dtype is not t.dtype:
        raise fatal(f"Error, Output tensor dtype should be same as input tensor dtype but has {_cpp(out.dtype)}")
    if out.memory_config() != mc:
        raise fatal(
            f"Error, Output tensor memory config should be same as output_mem_config but has {out.memory_config()!r}"
        )
    have, want = tuple(out.padded_shape), tuple(t.padded_shape)
    if len(have) != len(want):
        raise fatal(
            f"Error, Output tensor shape should have same number of dimensions as input tensor but has {len(have)}"
        )
    for i, (h, w) in enumerate(zip(have, want, strict=True)):
        if (h > w * ring) if i == dim else (h != w):
            expected = w * ring if i == dim else w
            raise fatal(f"Error, Output tensor shape at dimension {i} should be {expected} but has {h}")


def _check_scatter_output(t: Tensor, out: Tensor, dim: int, ring: int, mc: MemoryConfig) -> None:
    """reduce_scatter_common_validates on the output buffer."""
    if out.layout is not t.layout:
        raise fatal("Output tensor layout must match input tensor layout")
    if out.dtype is not t.dtype:
        raise fatal("Output tensor dtype must match input tensor dtype")
    if out.memory_config() != mc:
        raise fatal("Output tensor memory config must match provided memory_config")
    have, want = tuple(out.padded_shape), tuple(t.padded_shape)
    if len(have) != len(want):
        raise fatal("Output tensor must have same number of dimensions as input tensor")
    for i, (h, w) in enumerate(zip(have, want, strict=True)):
        if i == dim and h != w // ring:
            raise fatal(f"Output tensor dimension {i} must be input dimension / ring_size")
        if i != dim and h != w:
            raise fatal(f"Output tensor dimension {i} must match input dimension")


def _spec_text(shape: Sequence[int], dtype: DataType, layout: Layout, mc: MemoryConfig) -> str:
    """A TensorSpec as ttnn prints it (interleaved only: a sharded spec's alignment is not modelled)."""
    if mc.is_sharded():
        from ttgen.emu import NotEmulatedError

        raise NotEmulatedError("reduce_scatter: the printed TensorSpec of a sharded output tensor is not modelled")
    if layout is Layout.TILE:
        page = "TilePageConfig(tile=Tile(tile_shape={32, 32},face_shape={16, 16},num_faces=4))"
        alignment = "[32, 32]"
    else:
        page, alignment = "RowMajorPageConfig()", "[1]"
    return (
        f"TensorSpec(logical_shape={Shape(shape)!r},tensor_layout=TensorLayout(dtype={_cpp(dtype)},"
        f"page_config=PageConfig(config={page}),memory_config={mc!r},alignment=Alignment({alignment})))"
    )


def _check_spec_output(t: Tensor, out: Tensor, dim: int, ring: int, mc: MemoryConfig, direct: bool) -> None:
    """reduce_scatter's output_tensor: exactly the computed spec (logical shape with `dim` split,
    the input's dtype and layout, the op's memory config); the one-shot kernel words it apart."""
    want = list(t.shape)
    want[dim] //= ring
    same = (
        tuple(out.shape) == tuple(want)
        and out.dtype is t.dtype
        and out.layout is t.layout
        and out.memory_config() == mc
    )
    if same:
        return
    have_text = _spec_text(tuple(out.shape), out.dtype, out.layout, out.memory_config())
    want_text = _spec_text(want, t.dtype, t.layout, mc)
    if direct:
        raise fatal(
            f"Persistent output tensor spec {have_text} does not match the computed spec {want_text}; persistent "
            "buffers must come from reduce_scatter_minimal_direct_create_persistent_buffers"
        )
    raise fatal(f"Output tensor spec {have_text} does not match computed output spec {want_text}")


def _check_scatter_input(t: Tensor, topology: CclTopology, dim: int, ring: int, num_links: int) -> None:
    """reduce_scatter_common_validates on the input."""
    if topology not in (CclTopology.Ring, CclTopology.Linear):
        raise fatal("Topology must be either Ring or Linear")
    if num_links <= 0:
        raise fatal("num_links must be greater than 0")
    rank = len(t.shape)
    if rank <= 1:
        raise fatal("reduce_scatter currently supports rank 2 tensors at minimum")
    if dim >= rank:
        raise fatal(f"Invalid scatter dim {dim} for rank {rank} tensor")
    size = t.padded_shape[dim]
    if _normalize_dim_4d(dim, rank) in (2, 3):
        if (size // TILE) % ring:
            raise fatal(f"Number of tiles at dimension {dim} must be divisible by ring_size")
    elif size % ring:
        raise fatal(f"Dimension {dim} must be divisible by ring_size")


def _staging_pages(t: Tensor, ring: int) -> tuple[int, int]:
    """The contiguous chunk-paged staging buffer of a Ring reduce_scatter_minimal_async (what
    reduce_scatter_minimal_async_create_intermediate_buffer allocates; probe on shapes, dtypes and
    ring sizes): pages of up to 8 tiles and at most 16 KiB, each device's slice in whole pages.
    Returns (pages per device, page bytes)."""
    tile = TILE_BYTES[t.dtype]
    per_page = min(8, 16384 // tile)
    slice_tiles = _tiles(t) // ring
    return -(-slice_tiles // per_page), per_page * tile


def _is_staging(buf: Tensor, rows: int, page: int) -> bool:
    return (
        tuple(buf.padded_shape) == (rows, page)
        and buf.dtype is DataType.UINT8
        and buf.layout is Layout.ROW_MAJOR
        and buf.memory_config() == DRAM_MEMORY_CONFIG
    )


def _check_intermediate(
    t: Tensor,
    buffers: list[Tensor],
    topology: CclTopology,
    dim: int,
    ring: int,
    intermediate_mc: MemoryConfig | None,
) -> None:
    """reduce_scatter_minimal_async's persistent intermediate and its optional third buffer, the
    penultimate intermediate, which only the Ring staging layout takes (probe)."""
    inter = buffers[0]
    if topology is CclTopology.Ring and dim != 0:  # the contiguous staging layout, or an input-shaped one
        pages, page = _staging_pages(t, ring)
        tiled = inter.padded_shape == t.padded_shape and inter.dtype is t.dtype and inter.layout is t.layout
        if not tiled and not _is_staging(inter, ring * pages, page):
            raise fatal(
                "Persistent intermediate matches neither reduce-scatter intermediate layout. Expected either the "
                f"contiguous chunk-paged staging buffer (shape {Shape([ring * pages, page])!r}, UINT8, row-major, "
                "interleaved DRAM; allocate it with reduce_scatter_minimal_async_create_intermediate_buffer) or an "
                f"input-shaped tiled intermediate (padded shape {t.padded_shape!r}, dtype {_cpp(t.dtype)}, layout "
                f"{_cpp(t.layout)}). Got padded shape {inter.padded_shape!r}, dtype {_cpp(inter.dtype)}, layout "
                f"{_cpp(inter.layout)}."
            )
        if len(buffers) > 2 and tiled:
            raise fatal(
                "A persistent penult intermediate was provided but this call does not use the contiguous "
                "reduce-scatter staging layout (the provided persistent intermediate selects the tiled layout); the "
                "penult intermediate is not applicable."
            )
        if len(buffers) > 2 and not _is_staging(buffers[2], pages, page):
            raise fatal(
                "Persistent penult intermediate does not match the contiguous reduce-scatter penult intermediate "
                f"staging layout (expected shape {Shape([pages, page])!r}, UINT8 row-major interleaved DRAM). Allocate "
                "it with reduce_scatter_minimal_async_create_intermediate_buffer."
            )
        return
    if inter.layout is not t.layout:
        raise fatal("Intermediate tensor layout must match input tensor layout")
    if inter.dtype is not t.dtype:
        raise fatal("Intermediate tensor dtype must match input tensor dtype")
    if intermediate_mc is not None and inter.memory_config() != intermediate_mc:
        raise fatal("Intermediate tensor memory config must match provided intermediate_mem_config")
    if len(buffers) > 2:
        raise fatal(
            "A persistent penult intermediate was provided but this call does not use the contiguous reduce-scatter "
            "staging layout (requires Ring topology and scatter dim != 0); the penult intermediate is not applicable."
        )


# ------------------------------------------------------------------------------ numerics


def _float(a: Array) -> Array:
    return np.asarray(a, dtype=np.float64)


def _reduce(parts: list[Array], math_op: ReduceType) -> Array:
    stack = np.stack([_float(p) for p in parts])
    if math_op is ReduceType.Mean:
        return np.asarray(stack.mean(axis=0))
    if math_op is ReduceType.Max:
        return np.asarray(stack.max(axis=0))
    if math_op is ReduceType.Min:
        return np.asarray(stack.min(axis=0))
    return np.asarray(stack.sum(axis=0))


def _chunks(a: Array, dim: int, n: int) -> list[Array]:
    return list(np.split(a, n, axis=dim))


def _result(
    t: Tensor,
    mesh: MeshDevice,
    values: list[Array],
    topology: Topology,
    mc: MemoryConfig | None,
    dtype: DataType | None = None,
) -> Tensor:
    dtype = dtype or t.dtype
    stored: dict[int, Array] = {}  # a value many devices share is converted once and shared
    for v in values:
        if id(v) not in stored:
            stored[id(v)] = store(v, dtype, t.layout)
    shards = [stored[id(v)] for v in values]
    out = Tensor._from_values(shards[0], dtype, t.layout)
    out._shards, out._topology = shards, topology
    out._place(mesh, mc if mc is not None else t.memory_config())
    return out


def _into(target: Tensor | None, out: Tensor) -> Tensor:
    """A persistent output buffer is the result: it takes the values (when they fit) and the label."""
    if target is None:
        return out
    if target._shards is not None and tuple(target.shape) == tuple(out.shape):
        target._shards = out._shards
        target._values = out._values
    target._topology = out._topology
    return target


def _gather(t: Tensor, mesh: MeshDevice, dim: int, axis: int | None, mc: MemoryConfig | None) -> Tensor:
    rank = len(t.shape)
    d = _norm(dim, rank)
    assert d is not None
    shards = t._shards or [t._values]
    values: list[Array] = list(shards)
    for ring in _groups(t, axis):
        whole = np.concatenate([shards[i] for i in ring], axis=d)
        for i in ring:
            values[i] = whole
    label = gather_label(topology_of(t), axis, mesh.mesh_shape, rank, dim, contiguous=True)
    return _result(t, mesh, values, label, mc)


def _scatter(
    t: Tensor, mesh: MeshDevice, dim: int, axis: int | None, mc: MemoryConfig | None, label: Topology
) -> Tensor:
    d = _norm(dim, len(t.shape))
    assert d is not None
    shards = t._shards or [t._values]
    values: list[Array] = list(shards)
    for ring in _groups(t, axis):
        pieces = _chunks(_reduce([shards[i] for i in ring], ReduceType.Sum), d, len(ring))
        for position, i in enumerate(ring):
            values[i] = pieces[position]
    return _result(t, mesh, values, label, mc)


def _all_reduce(
    t: Tensor,
    mesh: MeshDevice,
    axis: int | None,
    mc: MemoryConfig | None,
    label: Topology,
    math_op: ReduceType = ReduceType.Sum,
    dtype: DataType | None = None,
) -> Tensor:
    shards = t._shards or [t._values]
    values: list[Array] = list(shards)
    for ring in _groups(t, axis):
        total = _reduce([shards[i] for i in ring], math_op)
        for i in ring:
            values[i] = total
    return _result(t, mesh, values, label, mc, dtype)


def _scatter_label(t: Tensor, mesh: MeshDevice, dim: int, axis: int | None) -> Topology:
    rank, shape, topo = len(t.shape), mesh.mesh_shape, topology_of(t)
    if axis is not None:
        return scatter_label(topo, axis, shape, rank, dim)
    return _whole(topo, _norm(dim, rank) or 0)


def _reduce_label(t: Tensor, mesh: MeshDevice, axis: int | None) -> Topology:
    rank, shape, topo = len(t.shape), mesh.mesh_shape, topology_of(t)
    if axis is None and _mesh_axes(mesh) > 1:
        return _per_axis(topo, shape, lambda x, a: gather_label(x, a, shape, rank, 0, contiguous=False))
    return gather_label(topo, axis, shape, rank, 0, contiguous=False)


# ------------------------------------------------------------------------------ synchronous CCLs


@operation("ttnn.all_gather", per_device=False)
def all_gather(
    input_tensor: Tensor,
    dim: int,
    *,
    cluster_axis: int | None = None,
    memory_config: MemoryConfig | None = None,
    output_tensor: Tensor | None = None,
    subdevice_id: Any = None,
    sub_core_grids: Any = None,
    num_links: int | None = None,
    topology: CclTopology | None = None,
    chunks_per_sync: int | None = None,
    num_workers_per_link: int | None = None,
    num_buffers_per_channel: int | None = None,
    use_l1_small_for_semaphores: bool = False,
) -> Tensor:
    t, mesh = _mesh_input(input_tensor)
    rank = len(t.shape)
    d = _norm(dim, rank)
    if d is None:
        raise fatal(f"Invalid gather dim {dim} for {rank}D input tensor")
    _check_fabric(mesh, "all_gather")
    _check_line_fabric(mesh, cluster_axis, "all_gather", asynchronous=False)
    ring = _ring_size(mesh, cluster_axis)
    if ring <= 1:
        raise fatal(f"all_gather collective will only work for num_devices > 1, got {ring}")
    if _composite_gather(t, d):
        return _gather(t, mesh, d, cluster_axis, memory_config)
    if output_tensor is not None:
        _check_gather_output(t, output_tensor, d, ring)
    return _into(output_tensor, _gather(t, mesh, d, cluster_axis, memory_config))


@dataclass(frozen=True)
class _ScatterCall:
    """ttnn.reduce_scatter's arguments besides the input, dim and cluster axis."""

    memory_config: MemoryConfig | None
    num_links: int | None
    topology: CclTopology | None
    tuned: bool  # a tuning knob given: the one-shot kernel does not take them
    output: Tensor | None


def _reduce_scatter(t: Tensor, mesh: MeshDevice, dim: int, axis: int | None, call: _ScatterCall) -> Tensor:
    """ttnn::reduce_scatter: without a cluster axis on a 2-D mesh, one axis after the other (each
    step given the output tensor); else the composite path for pieces that are not whole tiles
    (pad, native reduce-scatter, slice: the output tensor is not used), the one-shot (direct)
    kernel for a small tiled input on a wrapping 1-D fabric ring, or the ring kernel."""
    if axis is None and _mesh_axes(mesh) > 1:
        for a in range(len(mesh.mesh_shape)):
            t = _reduce_scatter(t, mesh, dim, a, call)
        return t
    rank = len(t.shape)
    d = _normalized_index(dim, rank)
    topo = _usable_topology(t, mesh, call.topology, axis)
    if call.num_links is None:
        _default_links(axis)
    ring = _topological_dimension(t, axis)
    mc = call.memory_config
    if _composite_scatter(t, d, ring):
        _check_composite_scatter(t, mc)
        _check_neighbours(ring)
        return _scatter(t, mesh, d, axis, mc, _scatter_label(t, mesh, d, axis))
    line_topo = CclTopology.Ring if topo in _WRAPPING else CclTopology.Linear  # convert_2d_to_1d_topology
    _check_scatter_input(t, line_topo, d, ring, 1 if call.num_links is None else call.num_links)
    direct = topo in _WRAPPING and not call.tuned and _direct_scatter(t, mesh, d, axis, ring)
    if call.output is not None:
        _check_spec_output(t, call.output, d, ring, mc if mc is not None else t.memory_config(), direct)
    _check_neighbours(ring)
    # the one-shot kernel leaves the input's label (probe)
    label = topology_of(t) if direct else _scatter_label(t, mesh, d, axis)
    return _into(call.output, _scatter(t, mesh, d, axis, mc, label))


def _direct_scatter(t: Tensor, mesh: MeshDevice, dim: int, axis: int | None, ring: int) -> bool:
    """reduce_scatter_minimal_direct_is_applicable, then the 512 KiB size gate (probe: a 512 KiB
    bf16 input takes it, a 1 MiB one does not)."""
    if t.layout is not Layout.TILE or ring < 2:
        return False
    if axis is None and _mesh_axes(mesh) > 1:
        return False
    along = _usable_topology(t, mesh, None, axis)
    two_d = mesh.fabric in _TORUS_FABRICS or mesh.fabric is FabricConfig.FABRIC_2D
    if along not in _WRAPPING or (two_d and along is not CclTopology.Torus):
        return False
    rank, padded, logical = len(t.shape), t.padded_shape, t.shape
    pages = padded[dim]
    if dim >= rank - 2:
        if padded[dim] != logical[dim]:
            return False
        pages //= TILE
    return pages > 0 and pages % ring == 0 and _buffer_bytes(t) <= _DIRECT_RS_MAX_BYTES


@operation("ttnn.reduce_scatter", per_device=False)
def reduce_scatter(
    input_tensor: Tensor,
    dim: int,
    *,
    cluster_axis: int | None = None,
    subdevice_id: Any = None,
    memory_config: MemoryConfig | None = None,
    intermediate_memory_config: MemoryConfig | None = None,
    output_tensor: Tensor | None = None,
    num_links: int | None = None,
    topology: CclTopology | None = None,
    chunks_per_sync: int | None = None,
    num_workers_per_link: int | None = None,
    num_buffers_per_channel: int | None = None,
    compute_kernel_config: Any = None,
    use_l1_small_for_semaphores: bool = False,
) -> Tensor:
    t, mesh = _mesh_input(input_tensor)
    _check_fabric(mesh, "reduce_scatter")
    tuning = (chunks_per_sync, num_workers_per_link, num_buffers_per_channel, compute_kernel_config)
    tuned = any(v is not None for v in tuning) or intermediate_memory_config is not None or use_l1_small_for_semaphores
    call = _ScatterCall(memory_config, num_links, topology, tuned, output_tensor)
    return _reduce_scatter(t, mesh, dim, cluster_axis, call)


@operation("ttnn.all_reduce", per_device=False)
def all_reduce(
    input_tensor: Tensor,
    *,
    cluster_axis: int | None = None,
    subdevice_id: Any = None,
    memory_config: MemoryConfig | None = None,
    num_links: int | None = None,
    topology: CclTopology | None = None,
) -> Tensor:
    t, mesh = _mesh_input(input_tensor)
    _check_fabric(mesh, "all_reduce")
    _usable_topology(t, mesh, topology, cluster_axis)
    if num_links is None:
        _default_links(cluster_axis)
    _check_neighbours(_topological_dimension(t, cluster_axis))
    return _all_reduce(t, mesh, cluster_axis, memory_config, _reduce_label(t, mesh, cluster_axis))


@operation("ttnn.mesh_partition", per_device=False)
def mesh_partition(
    input_tensor: Tensor, dim: int, cluster_axis: int | None = None, *, memory_config: MemoryConfig | None = None
) -> Tensor:
    """Each device keeps its ring position's piece of its own data: no fabric traffic (it runs
    without a fabric, probe). Its output spec is computed first (the ring: rows on axis 0, else
    columns; the input's size on `dim`), then the cluster axis and the split are checked."""
    t, mesh = _mesh_input(input_tensor)
    rank = len(t.shape)
    rows, cols = mesh.mesh_shape[0], mesh.mesh_shape[-1]
    ring = mesh.get_num_devices() if cluster_axis is None else rows if cluster_axis == 0 else cols
    d = dim + rank if dim < 0 else dim
    size = _shape_at(tuple(t.shape), d)
    if cluster_axis is not None and cluster_axis > 1:
        raise fatal("Only support cluster axis of None, 0 or 1")
    if not 0 <= d < rank:  # unsigned on the device op (probe: dim -5 of a rank-4 tensor)
        raise fatal("dim must be less than the rank of the input tensor")
    if size % ring:
        raise fatal(f"input shape {t.shape!r} must be divisible by cluster axis size {ring}")
    piece = size // ring
    if t.layout is Layout.TILE and ring > 1 and d >= rank - 2 and piece % 32:
        which = "width" if d == rank - 1 else "height"
        raise fatal(f"Can only slice tilized tensor with {which} begin index aligned to tiles")
    topo = topology_of(t)
    shards = t._shards or [t._values]
    values: list[Array] = list(shards)
    for ring_members in _groups(t, cluster_axis):
        for position, i in enumerate(ring_members):
            values[i] = _chunks(shards[i], d, len(ring_members))[position]
    if ring == 1:
        label = topo
    elif cluster_axis is None:
        other = any(n > 1 and a is not None and _norm(a, rank) != d for n, a in zip(topo.dist, topo.axes, strict=True))
        label = topo if other else _whole(topo, d)
    else:
        held = (_expand(topo, mesh.mesh_shape) or [None] * len(mesh.mesh_shape))[cluster_axis]
        line = topo.collapsed and _line_axis(mesh.mesh_shape) == cluster_axis  # a 1-D label along its own line
        differs = held is not None and _norm(held, rank) != d and not line
        label = topo if differs else scatter_label(topo, cluster_axis, mesh.mesh_shape, rank, dim)
    return _result(t, mesh, values, label, memory_config)


# ------------------------------------------------------------------------------ async CCLs

_REQUIRED = object()
Check = Callable[[Any], bool]


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_tensor_or_none(v: Any) -> bool:
    return v is None or isinstance(v, Tensor)


def _bind(
    params: Sequence[tuple[str, Any, Check | None]],
    keyword_only: Sequence[str],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> dict[str, Any] | None:
    """nanobind's overload matching, for these signatures: positional then keyword parameters,
    each with an optional type check; None when this overload does not take the call."""
    if len(args) > len(params) or any(k not in {p[0] for p in params} | set(keyword_only) for k in kwargs):
        return None
    bound: dict[str, Any] = {}
    for i, (name, default, check) in enumerate(params):
        if i < len(args):
            if name in kwargs:
                return None
            value = args[i]
        else:
            value = kwargs.get(name, default)
        if value is _REQUIRED or (check is not None and not check(value)):
            return None
        bound[name] = value
    bound.update({k: v for k, v in kwargs.items() if k in keyword_only})
    return bound


def _no_overload(name: str) -> TypeError:
    """nanobind's refusal: a blank line, the function's name, then the call and the signatures."""
    return TypeError(
        f"\nttnn.experimental.{name}(): incompatible function arguments.\n\nCalled with:\n  ...\n\n"
        "Available signatures:\n  ..."
    )


_AG_KW = (
    "num_links",
    "memory_config",
    "topology",
    "subdevice_id",
    "cluster_axis",
    "use_optimal_ccl_for_llama",
    "use_broadcast",
    "barrier_semaphore",
    "chunks_per_sync",
    "num_workers_per_link",
    "num_buffers_per_channel",
    "sub_core_grids",
    "persistent_output_tensor",
)


def _ag_async(*args: Any, **kwargs: Any) -> Tensor:
    """ttnn.experimental.all_gather_async, its three overloads: (input, dim, semaphores, ...),
    (input, persistent_output_buffer, dim, semaphores, ..., cluster_axis=) and (input, dim,
    cluster_axis, mesh_device, topology, semaphores, ...). Every one resolves num_links and the
    usable topology, then the device op checks the axis, the dim, the ring, the semaphores and
    the persistent buffer, and the fabric routes the ring last."""
    ov1_kw = [
        k for k in _AG_KW if k not in ("cluster_axis", "use_broadcast", "chunks_per_sync", "persistent_output_tensor")
    ]
    ov2_kw = [k for k in _AG_KW if k != "persistent_output_tensor"]
    ov3_kw = [k for k in _AG_KW if k not in ("topology", "cluster_axis", "chunks_per_sync")]
    req = _REQUIRED
    b = _bind(
        [("input_tensor", req, None), ("dim", req, _is_int), ("multi_device_global_semaphore", req, None)],
        ov1_kw,
        args,
        kwargs,
    )
    persistent, with_mesh = None, False
    if b is None:
        b = _bind(
            [
                ("input_tensor", req, None),
                ("persistent_output_buffer", None, _is_tensor_or_none),
                ("dim", req, _is_int),
                ("multi_device_global_semaphore", req, None),
            ],
            ov2_kw,
            args,
            kwargs,
        )
        persistent = b.get("persistent_output_buffer") if b else None
    if b is None:
        b = _bind(
            [
                ("input_tensor", req, None),
                ("dim", req, _is_int),
                ("cluster_axis", req, _is_int),
                ("mesh_device", req, lambda v: isinstance(v, MeshDevice)),
                ("topology", req, lambda v: isinstance(v, CclTopology)),
                ("multi_device_global_semaphore", req, None),
            ],
            ov3_kw,
            args,
            kwargs,
        )
        persistent, with_mesh = (b.get("persistent_output_tensor") if b else None), True
    if b is None:
        raise _no_overload("all_gather_async")
    t, mesh = _mesh_input(b["input_tensor"])
    _check_fabric(mesh, "all_gather_async")
    axis = b.get("cluster_axis")
    if b.get("num_links") is None:
        _default_links(axis)
    topo = _usable_topology(t, mesh, b.get("topology") or CclTopology.Ring, axis)
    rank, dim = len(t.shape), b["dim"]
    gather_dim = dim + rank if dim < 0 else dim  # wrapped once; the check takes -rank .. rank-1 (probe)
    d = gather_dim + rank if gather_dim < 0 else gather_dim
    mc = b.get("memory_config")
    if _composite_gather(t, gather_dim):  # composite_all_gather: no persistent buffer, no semaphore count (probe)
        _topological_dimension(t, axis)
        return _gather(t, mesh, d, axis, mc)
    ring = _topological_dimension(t, axis)
    if not -rank <= gather_dim < rank:
        raise fatal(f"Dimension input should be in between -{rank} and {rank - 1}, but has {dim}")
    if with_mesh:  # the mesh-device overload resolves the ring's neighbours first (probe)
        _check_neighbours(ring)
    elif ring <= 1:
        raise fatal(f"all_gather_async op will only work for num_devices > 1, but has {ring}")
    if len(_semaphores(b["multi_device_global_semaphore"])) != 2:  # checked before routing (probe)
        raise fatal("Default implementation requires 2 semaphores")
    if persistent is not None:
        _check_async_gather_output(t, persistent, d, ring, mc if mc is not None else t.memory_config())
    _check_line_fabric(mesh, axis, "all_gather_async", asynchronous=True)
    _check_ring_route(t, mesh, topo)
    # the async gather's label is the whole-label update of ttnn's gather rule (probe: 256-wide inputs)
    return _into(persistent, _gather(t, mesh, d, axis, mc))


all_gather_async = operation("ttnn.experimental.all_gather_async", per_device=False)(_ag_async)


@operation("ttnn.experimental.reduce_scatter_minimal_async", per_device=False)
def reduce_scatter_minimal_async(
    input_tensor: Tensor,
    persistent_output_buffers: Sequence[Tensor] | None = None,
    dim: int | None = None,
    multi_device_global_semaphore: Sequence[GlobalSemaphore] | None = None,
    *,
    barrier_semaphore: GlobalSemaphore | None = None,
    num_links: int | None = None,
    memory_config: MemoryConfig | None = None,
    intermediate_memory_config: MemoryConfig | None = None,
    topology: CclTopology = CclTopology.Ring,
    subdevice_id: Any = None,
    cluster_axis: int | None = None,
    chunks_per_sync: int | None = None,
    num_workers_per_link: int | None = None,
    num_buffers_per_channel: int | None = None,
    compute_kernel_config: Any = None,
) -> Tensor:
    """Resolves num_links, the ring and the usable topology; pieces that are not whole tiles take
    the composite path (which leaves the persistent buffers unused); else the device op checks
    the input, the output buffer, the intermediate and the semaphores."""
    if dim is None or multi_device_global_semaphore is None or not _is_int(dim):
        raise _no_overload("reduce_scatter_minimal_async")
    t, mesh = _mesh_input(input_tensor)
    _check_fabric(mesh, "reduce_scatter_minimal_async")
    axis = cluster_axis
    if num_links is None:
        _default_links(axis)
    rank = len(t.shape)
    d = dim + rank if dim < 0 else dim
    ring = _topological_dimension(t, axis)
    if ring <= 1:
        raise fatal(f"reduce_scatter_minimal_async op will only work for num_devices > 1, but has {ring}")
    topo = _usable_topology(t, mesh, topology, axis)
    composite = _composite_scatter(t, d, ring)
    if d < 0:  # the device op's scatter dim is unsigned (probe: dim -5 of a rank-4 tensor)
        raise fatal(f"Invalid scatter dim {d % 2**32} for rank {rank} tensor")
    label = _scatter_label(t, mesh, d, axis)  # without an axis: the 1-D label over every device (probe)
    if composite:
        _check_composite_scatter(t, memory_config)
        return _scatter(t, mesh, d, axis, memory_config, label)
    mc = memory_config if memory_config is not None else t.memory_config()
    buffers = list(persistent_output_buffers or [])
    _check_scatter_input(t, topo, d, ring, 1 if num_links is None else num_links)
    if len(buffers) > 1:
        _check_scatter_output(t, buffers[1], d, ring, mc)
    if buffers:
        _check_intermediate(t, buffers, topo, d, ring, intermediate_memory_config)
    _check_semaphores(len(_semaphores(multi_device_global_semaphore)))
    _check_line_fabric(mesh, axis, "reduce_scatter_minimal_async", asynchronous=True)
    _check_ring_route(t, mesh, topo)
    out = _scatter(t, mesh, d, axis, memory_config, label)
    return _into(buffers[1] if len(buffers) > 1 else None, out)


_AR_KW1 = ("memory_config", "topology", "num_links", "subdevice_id")
_AR_KW3 = (
    "dtype",
    "memory_config",
    "topology",
    "num_links",
    "subdevice_id",
    "use_noc1_only",
    "use_optimal_ccl_for_llama",
    "fp32_dest_acc",
)


def _scatter_dim(t: Tensor, ring: int) -> int:
    """all_reduce_async's finding_scatter_dim: the innermost dim (in tiles for the last two) that
    the ring divides; the rank when none does."""
    dims = list(t.padded_shape)
    if t.layout is Layout.TILE:
        dims[-1] //= TILE
        dims[-2] //= TILE
    for i in range(len(dims) - 1, -1, -1):
        if dims[i] % ring == 0:
            return i
    return len(dims)


def _all_reduce_composite(t: Tensor, axis: int | None) -> bool:
    """Whether all_reduce_async all-gathers and sums locally instead of reduce-scatter + all-gather
    (probe: then no semaphore count is checked): a gather of a ROW_MAJOR or tile-padded dim, a
    scatter of pieces that are not whole tiles, or no dim the ring divides. (Newer ttnn also
    takes that path for a whole 2-D mesh on FABRIC_2D; 0.81.1 does not, probe.)"""
    ring = _topological_dimension(t, axis)
    dim = _scatter_dim(t, ring)
    at = 0 if dim == len(t.shape) else dim
    rank, logical = len(t.shape), t.shape
    padded_gather = t.layout is Layout.TILE and (
        (at == rank - 2 and logical[-2] % TILE) or (at == rank - 1 and logical[-1] % TILE)
    )
    gather = t.layout is Layout.ROW_MAJOR or bool(padded_gather)
    return gather or _composite_scatter(t, at, ring) or dim != at


def _ar_async(*args: Any, **kwargs: Any) -> Tensor:
    """ttnn.experimental.all_reduce_async: (input, num_devices, barrier, rs, ag semaphores, math_op),
    (input, cluster_axis, mesh_device, barrier=, rs=, ag= semaphores, math_op) and (input,
    buffer_tensor, cluster_axis, mesh_device, semaphore)."""
    req = _REQUIRED
    is_list = lambda v: isinstance(v, list | tuple)  # noqa: E731
    is_list_or_none = lambda v: v is None or isinstance(v, list | tuple)  # noqa: E731
    is_reduce = lambda v: isinstance(v, ReduceType)  # noqa: E731
    is_mesh = lambda v: isinstance(v, MeshDevice)  # noqa: E731
    b = _bind(
        [
            ("input_tensor", req, None),
            ("num_devices", req, _is_int),
            ("barrier_semaphores", req, is_list),
            ("rs_global_semaphores", req, is_list),
            ("ag_global_semaphores", req, is_list),
            ("math_op", req, is_reduce),
        ],
        _AR_KW1,
        args,
        kwargs,
    )
    if b is not None:
        t, mesh = _mesh_input(b["input_tensor"])
        _check_fabric(mesh, "all_reduce_async")
        topo = _usable_topology(t, mesh, b.get("topology") or CclTopology.Linear, None)
        if not _all_reduce_composite(t, None):  # the all-gather + local sum path checks and routes none (probe)
            _check_semaphores(len(b["rs_global_semaphores"]))
            _check_line_fabric(mesh, None, "all_reduce_async", asynchronous=True)
            _check_ring_route(t, mesh, topo)
            if len(b["ag_global_semaphores"]) != 2:
                raise fatal("Default implementation requires 2 semaphores")
        label = gather_label(topology_of(t), None, mesh.mesh_shape, len(t.shape), 0, contiguous=False)
        return _all_reduce(t, mesh, None, b.get("memory_config"), label, b["math_op"])
    b = _bind(
        [
            ("input_tensor", req, None),
            ("cluster_axis", None, lambda v: v is None or _is_int(v)),
            ("mesh_device", req, is_mesh),
            ("barrier_semaphores", None, is_list_or_none),
            ("rs_global_semaphores", None, is_list_or_none),
            ("ag_global_semaphores", None, is_list_or_none),
            ("math_op", req, is_reduce),
        ],
        _AR_KW1,
        args,
        kwargs,
    )
    if b is not None:
        return _ar_async_axis(b)
    b = _bind(
        [
            ("input_tensor", req, None),
            ("buffer_tensor", req, lambda v: isinstance(v, Tensor)),
            ("cluster_axis", req, _is_int),
            ("mesh_device", req, is_mesh),
            ("multi_device_global_semaphore", req, lambda v: isinstance(v, GlobalSemaphore)),
        ],
        _AR_KW3,
        args,
        kwargs,
    )
    if b is None:
        raise _no_overload("all_reduce_async")
    return _ar_async_buffer(b)


def _check_semaphores(count: int) -> None:
    """reduce_scatter_minimal_async's device op takes exactly 3 (probe, program cache off: a
    cached program skips the check, which is how 2 or 4 can seem to pass)."""
    if count != 3:
        raise fatal(f"Expected 3 semaphores but got {count}")


def _ar_async_axis(b: dict[str, Any]) -> Tensor:
    """The cluster-axis overload (probe on FABRIC_1D / FABRIC_2D 2x4 meshes, program cache off):
    given barrier and reduce-scatter semaphores its scatter is reduce_scatter_minimal_async (3
    semaphores, then routing), else ttnn.reduce_scatter; given barrier and all-gather semaphores
    its gather takes 2 of each and needs a cluster axis. The all-gather + local sum path (see
    _all_reduce_composite) checks none of them."""
    t, mesh = _mesh_input(b["input_tensor"])
    _check_fabric(mesh, "all_reduce_async")
    axis = b.get("cluster_axis")
    topo = _usable_topology(t, mesh, b.get("topology"), axis)
    if b.get("num_links") is None:
        _default_links(axis)
    ring = _topological_dimension(t, axis)
    if ring <= 1:  # it runs as a reduce_scatter then an all_gather
        raise fatal(f"reduce_scatter_minimal_async op will only work for num_devices > 1, but has {ring}")
    barrier, rs, ag = b.get("barrier_semaphores"), b.get("rs_global_semaphores"), b.get("ag_global_semaphores")
    if not _all_reduce_composite(t, axis):
        if rs is not None and barrier is not None:  # the scatter is reduce_scatter_minimal_async
            _check_semaphores(len(rs))
            _check_line_fabric(mesh, axis, "all_reduce_async", asynchronous=True)
            _check_ring_route(t, mesh, topo)
        if barrier is not None and ag is not None:
            if len(barrier) != 2:
                raise fatal("Barrier semaphores must be of size 2")
            if axis is None:
                raise fatal("Cluster axis is required for all gather")
            if len(ag) != 2:
                raise fatal("Default implementation requires 2 semaphores")
    label = gather_label(topology_of(t), axis, mesh.mesh_shape, len(t.shape), 0, contiguous=False)
    return _all_reduce(t, mesh, axis, b.get("memory_config"), label, b.get("math_op", ReduceType.Sum))


def _ar_async_buffer(b: dict[str, Any]) -> Tensor:
    """The buffer-tensor (fused, width-sharded) overload: the ring is the mesh's rows on axis 0,
    else its columns; the buffer's shards hold the ring's output shards; the reduction's circular
    buffer lives in the buffer's L1 bank, holding them in the input's tile format (probe)."""
    t, mesh = _mesh_input(b["input_tensor"])
    _check_fabric(mesh, "all_reduce_async")
    buffer: Tensor = b["buffer_tensor"]
    axis: int = b["cluster_axis"]
    _usable_topology(t, mesh, b.get("topology") or CclTopology.Linear, axis)
    rows, cols = mesh.mesh_shape[0], mesh.mesh_shape[-1]
    ring = rows if axis == 0 else cols
    mc: MemoryConfig = b.get("memory_config") or t.memory_config()
    dtype: DataType = b.get("dtype") or t.dtype
    num_links = b.get("num_links")
    if ring % 2:
        raise fatal("AllReduceAsync currently only supports even number of blocks in the reduction kernel.")
    if num_links is not None and num_links <= 0:
        raise fatal(f"Error, num_links should be more than 0 but has {num_links}")
    if num_links is not None and num_links > mesh.compute_with_storage_grid_size().y:
        raise fatal("Worker cores used by links are parallelized over rows")
    width = TensorMemoryLayout.WIDTH_SHARDED
    if t.memory_config().memory_layout is not width:
        raise fatal(f"Unsupported memory layout for input tensor{_cpp(t.memory_config().memory_layout)}.")
    if buffer.memory_config().memory_layout is not width:
        raise fatal(f"Unsupported memory layout for buffer tensor {_cpp(buffer.memory_config().memory_layout)}.")
    if mc.memory_layout is not width:
        raise fatal(f"Unsupported memory layout for output tensor {_cpp(mc.memory_layout)}.")
    out_spec, buf_spec = mc.shard_spec, buffer.memory_config().shard_spec
    assert out_spec is not None and buf_spec is not None
    if not _grid_contains(buf_spec.grid, out_spec.grid):
        raise fatal("The output tensor must reside on a subset of the cores of the buffer tensor")
    out_volume, buf_volume = math.prod(out_spec.shape), math.prod(buf_spec.shape)
    if out_volume * ring > buf_volume:
        raise fatal(
            "The shard size for the buffer must be large enough to hold the intermediate tensor. Require at least "
            f"{out_volume * ring} but has {buf_volume}"
        )
    if axis >= 2:  # the program resolves each device's neighbours along the axis
        raise fatal(f"cluster axis {axis} is out of range for physical coord rank {len(mesh.mesh_shape)}")
    cb = ring * _shard_tiles(out_spec.shape) * TILE_BYTES[t.dtype]
    bank = _shard_tiles(buf_spec.shape) * TILE_BYTES[buffer.dtype]
    if cb > bank:
        raise fatal(
            f"Cannot set circular buffer size to {cb}. This is larger than the associated dynamically allocated L1 "
            f"buffer bank size of {bank} B"
        )
    label = gather_label(topology_of(t), axis, mesh.mesh_shape, len(t.shape), 0, contiguous=False)
    return _all_reduce(t, mesh, axis, mc, label, ReduceType.Sum, dtype)


def _shard_tiles(shape: Sequence[int]) -> int:
    return -(-shape[0] // TILE) * -(-shape[1] // TILE)


def _cells(grid: Any) -> set[tuple[int, int]]:
    return {(x, y) for r in grid.ranges() for x in range(r.start.x, r.end.x + 1) for y in range(r.start.y, r.end.y + 1)}


def _grid_contains(outer: Any, inner: Any) -> bool:
    return _cells(inner) <= _cells(outer)


all_reduce_async = operation("ttnn.experimental.all_reduce_async", per_device=False)(_ar_async)
