"""Multi-device meshes as ttnn 0.81.1 models them: MeshShape, the fabric setting, placements and
tensor topologies, mesh mappers and composers, and the rule that labels an op's output.

A mesh tensor keeps one numpy array per device (its shards, in the topology's coordinate order),
so an emulated op runs once per device (`map_over_devices`). Every chip of a mesh is identical
and allocates in lockstep: one allocator stands for all of them. Facts cited as "probe" were read
off the real wheel on mock T3K / Galaxy clusters (see tests/emu/test_mesh.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from ttgen.emu.device import Chip, MeshDevice
from ttgen.emu.tensor import SINGLE, Tensor, content_key, fatal, is_broadcast_zero
from ttgen.emu.topology import (
    Axis,
    MeshMapperConfig,
    MeshShape,
    PlacementReplicate,
    PlacementShard,
    Topology,
    coords_for,
    objects,
    placement_axes,
)

Array = np.ndarray[Any, np.dtype[Any]]


def topology_of(t: Tensor) -> Topology:
    return t._topology if t._topology is not None else SINGLE


def is_mesh(t: object) -> bool:
    return isinstance(t, Tensor) and t._shards is not None


# --------------------------------------------------------------------------------- mappers


def _normalize(dim: int, rank: int) -> int | None:
    d = dim + rank if dim < 0 else dim
    return d if 0 <= d < rank else None


class TensorToMesh:
    """A mesh mapper: placements over a distribution shape."""

    def __init__(self, dist: MeshShape, config: MeshMapperConfig, mesh: tuple[int, ...]) -> None:
        if len(config.placements) != dist.dims():
            raise fatal(
                f"The number of dimensions in the mesh shape {dist!r} does not match the number of placements "
                f"in the config {config!r}"
            )
        self.dist = tuple(dist)
        self.axes = placement_axes(config.placements)
        self.mesh = mesh

    def split(self, values: Array) -> tuple[list[Array], Topology]:
        """Shards in row-major distribution order; an axis that splits into fewer pieces than it
        has devices shrinks to that many (torch.chunk's sizes, as ttnn splits)."""
        rank = values.ndim
        sharded = [d for d in self.axes if d is not None]
        normal = [_normalize(d, rank) for d in sharded]
        if any(n is None for n in normal):
            raise fatal(
                f"Invalid dimension index; got dims: {{{', '.join(str(d) for d in sharded)}}}, tensor dimension: {rank}"
            )
        if len(set(normal)) != len(normal):
            raise fatal("dims must be unique")
        pieces: list[Array] = [values]
        dist: list[int] = []
        for size, given in zip(self.dist, self.axes, strict=True):
            dim = None if given is None else _normalize(given, rank)
            if dim is None:
                pieces = [p for p in pieces for _ in range(size)]
                dist.append(size)
                continue
            extent = values.shape[dim]
            step = -(-extent // size) if extent else 1
            count = max(1, -(-extent // step)) if extent else size
            split = [p[_slab(dim, k * step, min((k + 1) * step, extent), rank)] for p in pieces for k in range(count)]
            for s in split:
                if s.shape != split[0].shape:
                    raise fatal(
                        f"Shard shape mismatch: expected Shape({list(split[0].shape)}) but got Shape({list(s.shape)})"
                    )
            pieces = split
            dist.append(count)
        return pieces, Topology(tuple(dist), self.axes, coords_for(dist, self.mesh))


def _slab(dim: int, start: int, stop: int, rank: int) -> tuple[slice, ...]:
    return tuple(slice(start, stop) if i == dim else slice(None) for i in range(rank))


def _mesh_of(target: MeshDevice | MeshShape) -> tuple[int, ...]:
    return tuple(target) if isinstance(target, MeshShape) else tuple(target.shape)


def create_mesh_mapper(mesh: MeshDevice | MeshShape, config: MeshMapperConfig) -> TensorToMesh:
    shape = _mesh_of(mesh)
    dist = config.mesh_shape_override or MeshShape(list(shape))
    return TensorToMesh(dist, config, shape)


def replicate_tensor_to_mesh_mapper(mesh: MeshDevice) -> TensorToMesh:
    n = mesh.get_num_devices()
    return TensorToMesh(MeshShape([n]), MeshMapperConfig([PlacementReplicate()]), _mesh_of(mesh))


def ShardTensorToMesh(mesh_device: MeshDevice, dim: int) -> TensorToMesh:  # ttnn's name
    n = mesh_device.get_num_devices()
    return TensorToMesh(MeshShape([n]), MeshMapperConfig([PlacementShard(dim)]), _mesh_of(mesh_device))


def ShardTensor2dMesh(  # ttnn's name
    mesh_device: MeshDevice, mesh_shape: Sequence[int], dims: Sequence[int | None]
) -> TensorToMesh:
    config = MeshMapperConfig(objects(tuple(dims)))
    return TensorToMesh(MeshShape(list(mesh_shape)), config, _mesh_of(mesh_device))


class MeshToTensor:
    """A mesh composer: concatenates shards along one dim per distribution axis."""

    def __init__(self, dims: Sequence[int], mesh_shape: Sequence[int] | None = None) -> None:
        self.dims = list(dims)
        self.mesh_shape = None if mesh_shape is None else tuple(mesh_shape)

    def compose(self, t: Tensor) -> Array:
        shards = t._shards if t._shards is not None else [t._values]
        if len(self.dims) == 1:
            return np.concatenate(shards, axis=self.dims[0])
        rows, cols = self.mesh_shape or topology_of(t).dist
        grid = [np.concatenate(shards[r * cols : (r + 1) * cols], axis=self.dims[1]) for r in range(rows)]
        return np.concatenate(grid, axis=self.dims[0])


def ConcatMeshToTensor(mesh_device: MeshDevice, dim: int) -> MeshToTensor:  # ttnn's name
    return MeshToTensor([dim])


def ConcatMesh2dToTensor(  # ttnn's name
    mesh_device: MeshDevice, mesh_shape: Sequence[int], dims: Sequence[int]
) -> MeshToTensor:
    return MeshToTensor(dims, mesh_shape)


def aggregate_tensor(tensor: Tensor, composer: MeshToTensor) -> Tensor:
    """One host tensor of the concatenated shards, labelled Replicate over [1] (probe)."""
    return Tensor._from_values(composer.compose(tensor), tensor.dtype, tensor.layout)


def get_device_tensors(tensor: Tensor) -> list[Tensor]:
    shards = tensor._shards if tensor._shards is not None else [tensor._values]
    out = []
    for s in shards:
        t = Tensor._from_values(s, tensor.dtype, tensor.layout)
        t._memory_config, t._device, t._buffer = tensor._memory_config, tensor._device, tensor._buffer
        t._topology = tensor._topology if tensor._device is not None else None
        out.append(t)
    return out


# ----------------------------------------------------------------------- running ops per device


def union_topology(tensors: Sequence[Tensor]) -> Topology:
    """ttnn's default output label (device_operation_detail.cpp, compute_output_placements_and_shape):
    per axis the first Shard seen wins, a tensor dim already sharded on an axis is not sharded on
    another; only inputs of the highest distribution rank among the sharded ones count."""
    topos = [topology_of(t) for t in tensors]
    sharded = [t for t in topos if any(a is not None for a in t.axes)]
    rank = max(len(t.dist) for t in sharded) if sharded else len(topos[0].dist)
    dist = [1] * rank
    out: list[Axis] = [None] * rank
    claimed: set[int] = set()
    for t in topos:
        if len(t.dist) != rank:
            continue
        dist = [max(a, b) for a, b in zip(dist, t.dist, strict=True)]
        for i, a in enumerate(t.axes):
            if a is not None and a not in claimed:
                claimed.add(a)
                if out[i] is None:
                    out[i] = a
    first = next((t for t in topos if len(t.dist) == rank), topos[0])
    return Topology(tuple(dist), tuple(out), first.coords)


def _tensors_in(args: Iterable[Any]) -> list[Tensor]:
    found: list[Tensor] = []
    for a in args:
        if isinstance(a, Tensor):
            found.append(a)
        elif isinstance(a, list | tuple):
            found.extend(x for x in a if isinstance(x, Tensor))
    return found


def has_mesh_tensor(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    return any(is_mesh(t) for t in _tensors_in((*args, *kwargs.values())))


def _view(a: Any, k: int, chip: MeshDevice | None, seen: dict[int, tuple[Tensor, Tensor]]) -> Any:
    """Argument `a` as device k sees it: a mesh tensor becomes a one-device tensor of its shard k."""
    if isinstance(a, list | tuple):
        return type(a)(_view(x, k, chip, seen) for x in a)
    if not is_mesh(a) or a._shards is None:
        return a
    v = Tensor._from_values(a._shards[k], a.dtype, a.layout)
    v._memory_config, v._buffer = a._memory_config, a._buffer
    v._device = chip if a._device is not None else None
    seen[id(v)] = (v, a)  # the view is kept alive so its id stays unique
    return v


MESH_ELEMENTS = 1 << 27  # host memory guard: input elements an op may touch summed over distinct devices


class MeshTooLarge(NotImplementedError):
    """A mesh op whose per-device work would not fit the host: reported as not emulated (a skip)."""


def map_over_devices(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Run a single-device op once per shard on per-device views, then assemble the results:
    values per device, the union label, one lockstep buffer (only device 0's view allocates)."""
    inputs = [t for t in _tensors_in((*args, *kwargs.values())) if is_mesh(t)]
    count = len(inputs[0]._shards or [])
    mesh = next((t._device for t in inputs if t._device is not None), None)
    distinct = {tuple(content_key(t._shards[k]) for t in inputs if t._shards is not None) for k in range(count)}
    # zero inputs hold no memory and a device's zeros are every device's: they cost nothing here
    work = len(distinct) * sum(int(t._values.size) for t in inputs if not is_broadcast_zero(t._values))
    if work > MESH_ELEMENTS:
        raise MeshTooLarge(
            f"{len(distinct)} distinct devices x {work // len(distinct)} input elements is more than the emulator "
            f"computes per mesh op ({MESH_ELEMENTS} elements)"
        )
    results: list[Any] = []
    seen: dict[int, tuple[Tensor, Tensor]] = {}
    done: dict[tuple[object, ...], Any] = {}  # devices holding the very same input arrays compute once
    for k in range(count):
        key = tuple(content_key(t._shards[k]) for t in inputs if t._shards is not None)
        if key in done:
            results.append(done[key])
            continue
        chip = Chip(mesh, k) if mesh is not None else None
        results.append(
            fn(*(_view(a, k, chip, seen) for a in args), **{n: _view(v, k, chip, seen) for n, v in kwargs.items()})
        )
        done.setdefault(key, results[-1])
    topology = union_topology(inputs)

    def assemble(each: list[Any]) -> Any:
        first = each[0]
        if not isinstance(first, Tensor):
            return first
        if id(first) in seen and seen[id(first)][0] is first:  # an output_tensor argument written in place
            original = seen[id(first)][1]
            original._shards = [seen[id(e)][0]._values for e in each]
            original._values = original._shards[0]
            return original
        out = Tensor._from_values(first._values, first.dtype, first.layout)
        out._shards, out._topology = [e._values for e in each], topology
        out._memory_config, out._buffer = first._memory_config, first._buffer
        out._device = mesh if first._device is not None else None
        return out

    if isinstance(results[0], list | tuple):
        return type(results[0])(assemble([r[i] for r in results]) for i in range(len(results[0])))
    return assemble(results)
