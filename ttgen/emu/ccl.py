"""Collectives (CCLs) on mesh tensors: ttnn 0.81.1's validation (fabric, cluster axis, ring size,
semaphore counts), output specs and topology labels, and their real semantics on the per-device
arrays (mock ttnn reads back zeros, so values follow the definitions: a gather concatenates the
ring's shards in ring order, a reduce-scatter sums then splits, an all-reduce sums).

The labels follow what the wheel printed on mock T3K / Galaxy meshes for tile-aligned inputs; the
rules are those of ttnn's ccl_topology_utils (a per-axis update that falls back to the input's
label where no label can state the result). Small inputs take other kernels in ttnn with other
labels; those are not modelled."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ttgen.emu.calls import operation
from ttgen.emu.device import GlobalSemaphore, MeshDevice
from ttgen.emu.mesh import Array, topology_of
from ttgen.emu.tensor import Tensor, fatal, store
from ttgen.emu.topology import Axis, FabricConfig, Topology
from ttgen.emu.types import MemoryConfig
from ttgen.facts.enums import Layout, ReduceType, StorageType
from ttgen.facts.enums import Topology as CclTopology

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


# ------------------------------------------------------------------------------ validation


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


def _check_fabric(mesh: MeshDevice, axis: int | None, op: str, asynchronous: bool) -> None:
    fabric = mesh.fabric or FabricConfig.DISABLED
    if fabric is FabricConfig.DISABLED:
        if op == "all_gather_async":
            raise fatal("Unsupported fabric config")
        raise fatal("Trying to get un-initialized fabric context")
    if fabric in _LINE_FABRICS and axis is None and _mesh_axes(mesh) > 1:
        if asynchronous:
            cols = mesh.mesh_shape[-1]
            raise fatal(f"Could not find any forwarding direction from src (M0, D{cols - 1}) to dst (M0, D{cols})")
        if op == "all_gather":
            raise fatal("1D fabric on a 2D mesh_device requires cluster_axis to be set")


def _ring_size(mesh: MeshDevice, axis: int | None, rank: int) -> int:
    shape = mesh.mesh_shape
    if axis is None:
        return mesh.get_num_devices()
    if not 0 <= axis < len(shape):
        raise fatal(f"ShapeBase[] index out of range. {axis} not in [-{rank}, {len(shape)})")
    return shape[axis]


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


def _result(t: Tensor, mesh: MeshDevice, values: list[Array], topology: Topology, mc: MemoryConfig | None) -> Tensor:
    stored: dict[int, Array] = {}  # a value many devices share is converted once and shared
    for v in values:
        if id(v) not in stored:
            stored[id(v)] = store(v, t.dtype, t.layout)
    shards = [stored[id(v)] for v in values]
    out = Tensor._from_values(shards[0], t.dtype, t.layout)
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
    if d is None:
        raise fatal(f"Invalid gather dim {dim} for {rank}D input tensor")
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
    rank = len(t.shape)
    d = _norm(dim, rank)
    if d is None:
        raise fatal(f"Invalid reduce_scatter dim {dim} for {rank}D input tensor")
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
) -> Tensor:
    shards = t._shards or [t._values]
    values: list[Array] = list(shards)
    for ring in _groups(t, axis):
        total = _reduce([shards[i] for i in ring], math_op)
        for i in ring:
            values[i] = total
    return _result(t, mesh, values, label, mc)


def _scatter_label(t: Tensor, mesh: MeshDevice, dim: int, axis: int | None) -> Topology:
    rank, shape, topo = len(t.shape), mesh.mesh_shape, topology_of(t)
    if axis is not None:
        return scatter_label(topo, axis, shape, rank, dim)
    if _mesh_axes(mesh) > 1:  # a whole-mesh reduce_scatter on a 2-D mesh labels as one axis after the other
        return _per_axis(topo, shape, lambda x, a: scatter_label(x, a, shape, rank, dim))
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
    if _norm(dim, rank) is None:
        raise fatal(f"Invalid gather dim {dim} for {rank}D input tensor")
    _check_fabric(mesh, cluster_axis, "all_gather", asynchronous=False)
    ring = _ring_size(mesh, cluster_axis, rank)
    if ring <= 1:
        raise fatal(f"all_gather collective will only work for num_devices > 1, got {ring}")
    return _into(output_tensor, _gather(t, mesh, dim, cluster_axis, memory_config))


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
    _check_fabric(mesh, cluster_axis, "reduce_scatter", asynchronous=False)
    _check_neighbours(_ring_size(mesh, cluster_axis, len(t.shape)))
    label = _scatter_label(t, mesh, dim, cluster_axis)
    if mesh.fabric is FabricConfig.FABRIC_1D_RING:  # probe: the ring kernel keeps the input's label
        label = topology_of(t)
    return _into(output_tensor, _scatter(t, mesh, dim, cluster_axis, memory_config, label))


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
    _check_fabric(mesh, cluster_axis, "all_reduce", asynchronous=False)
    _check_neighbours(_ring_size(mesh, cluster_axis, len(t.shape)))
    return _all_reduce(t, mesh, cluster_axis, memory_config, _reduce_label(t, mesh, cluster_axis))


@operation("ttnn.mesh_partition", per_device=False)
def mesh_partition(
    input_tensor: Tensor, dim: int, cluster_axis: int | None = None, *, memory_config: MemoryConfig | None = None
) -> Tensor:
    """Each device keeps its ring position's piece of its own data: no fabric traffic (it runs
    without a fabric, probe)."""
    t, mesh = _mesh_input(input_tensor)
    rank = len(t.shape)
    ring = _ring_size(mesh, cluster_axis, rank)
    d = _norm(dim, rank)
    if d is None:
        raise fatal(f"Invalid partition dim {dim} for {rank}D input tensor")
    piece = t.shape[d] // ring
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
        other = any(
            size > 1 and a is not None and _norm(a, rank) != d for size, a in zip(topo.dist, topo.axes, strict=True)
        )
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
    return TypeError(f"{name}(): incompatible function arguments. The following argument types are supported: ...")


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
    cluster_axis, mesh_device, topology, semaphores, ...)."""
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
    persistent = None
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
        persistent = b.get("persistent_output_tensor") if b else None
        if b is not None:
            t, mesh = _mesh_input(b["input_tensor"])
            _check_fabric(mesh, b["cluster_axis"], "all_gather_async", asynchronous=True)
            _check_neighbours(_ring_size(mesh, b["cluster_axis"], len(t.shape)))
    if b is None:
        raise _no_overload("all_gather_async")
    t, mesh = _mesh_input(b["input_tensor"])
    axis = b.get("cluster_axis")
    if len(_semaphores(b["multi_device_global_semaphore"])) != 2:  # checked before routing (probe)
        raise fatal("Default implementation requires 2 semaphores")
    _check_fabric(mesh, axis, "all_gather_async", asynchronous=True)
    ring = _ring_size(mesh, axis, len(t.shape))
    if ring <= 1:
        raise fatal(f"all_gather_async op will only work for num_devices > 1, but has {ring}")
    # the async gather's label is the whole-label update of ttnn's gather rule (probe: 256-wide inputs)
    return _into(persistent, _gather(t, mesh, b["dim"], axis, b.get("memory_config")))


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
    if dim is None or multi_device_global_semaphore is None or not _is_int(dim):
        raise _no_overload("reduce_scatter_minimal_async")
    t, mesh = _mesh_input(input_tensor)
    _check_fabric(mesh, cluster_axis, "reduce_scatter_minimal_async", asynchronous=True)
    ring = _ring_size(mesh, cluster_axis, len(t.shape))
    if ring <= 1:
        raise fatal(f"reduce_scatter_minimal_async op will only work for num_devices > 1, but has {ring}")
    rank = len(t.shape)
    if cluster_axis is None:  # probe: always the 1-D label over every device
        label = _whole(topology_of(t), _norm(dim, rank) or 0)
    else:
        label = scatter_label(topology_of(t), cluster_axis, mesh.mesh_shape, rank, dim)
    out = _scatter(t, mesh, dim, cluster_axis, memory_config, label)
    buffers = list(persistent_output_buffers or [])
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
        _check_fabric(mesh, None, "all_reduce_async", asynchronous=True)
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
    buffer = None
    if b is None:
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
        buffer = b.get("buffer_tensor") if b else None
    if b is None:
        raise _no_overload("all_reduce_async")
    t, mesh = _mesh_input(b["input_tensor"])
    axis = b.get("cluster_axis")
    _check_fabric(mesh, axis, "all_reduce_async", asynchronous=True)
    ring = _ring_size(mesh, axis, len(t.shape))
    if buffer is None:
        if ring <= 1:  # it runs as a reduce_scatter then an all_gather
            raise fatal(f"reduce_scatter_minimal_async op will only work for num_devices > 1, but has {ring}")
        if ring == 2:  # probe: only a 2-device ring checks the semaphore counts (a 4-device one takes any)
            if b.get("barrier_semaphores") is not None and len(b["barrier_semaphores"]) != 2:
                raise fatal("Barrier semaphores must be of size 2")
            if b.get("ag_global_semaphores") is not None and len(b["ag_global_semaphores"]) != 2:
                raise fatal("Default implementation requires 2 semaphores")
    label = gather_label(topology_of(t), axis, mesh.mesh_shape, len(t.shape), 0, contiguous=False)
    math_op = b.get("math_op", ReduceType.Sum)
    out = _all_reduce(t, mesh, axis, b.get("memory_config"), label, math_op)
    return out


all_reduce_async = operation("ttnn.experimental.all_reduce_async", per_device=False)(_ar_async)
