"""ttnn.all_broadcast and ttnn.broadcast on mesh tensors: ttnn 0.81.1's validation (in its order),
output specs and topology labels (probed on mock T3K 2x4 / 1x8 / 1x4 / 1x2 and 6U Galaxy 4x8 /
8x4 / 1x32 / 1x16 / 1x8 meshes, every fabric), and their values by definition (ttnn's golden
functions, ttnn/operations/ccl.py): all_broadcast returns one tensor per ring position, the k-th
holding on every ring member what ring member k holds; broadcast copies the sender's data to the
ring through it, other rings keep their own.

Labels (probe): the cluster axis becomes Replicate (every axis with no cluster_axis); a 1-D label
over a 2-D mesh is read as its placement on each axis and comes out as the mesh-shaped label
([Shard(-1)] over 8 on 2x4, axis 0 -> [Replicate, Shard(-1)] over [2, 4]); on a 1xN mesh a 1-D
label stays 1-D. broadcast with no cluster_axis keeps the label's own distribution shape."""

from __future__ import annotations

import math
from typing import Any

from ttgen.emu.calls import operation
from ttgen.emu.ccl import _LINE_FABRICS, _expand, _groups, _line_axis, _mesh_input, _result
from ttgen.emu.device import MeshDevice
from ttgen.emu.mesh import Array, topology_of
from ttgen.emu.routing import check_links, is_line, line_is_ring, not_emulated, transposed
from ttgen.emu.tensor import Tensor, fatal
from ttgen.emu.topology import Axis, FabricConfig, MeshShape, Topology
from ttgen.emu.types import MemoryConfig, MeshCoordinate
from ttgen.facts.enums import StorageType
from ttgen.facts.enums import Topology as CclTopology

_FABRIC_CONTEXT = "Trying to get un-initialized fabric context"


def _input(t: Any, op: str) -> tuple[Tensor, MeshDevice]:
    if not isinstance(t, Tensor):
        raise TypeError(f"ttnn.{op}(): incompatible function arguments.")
    if t.device() is None or t.storage_type() is not StorageType.DEVICE:
        raise fatal(f"Mesh device is required for {op} operation")
    return _mesh_input(t)


def _axis_arg(axis: Any, op: str) -> None:
    """cluster_axis binds as an unsigned int: a negative one matches no overload (probe)."""
    if axis is not None and (not isinstance(axis, int) or isinstance(axis, bool) or axis < 0):
        raise TypeError(f"ttnn.{op}(): incompatible function arguments.")


def _check_axis(mesh: MeshDevice, axis: int | None) -> None:
    if axis is not None and axis >= len(mesh.mesh_shape):
        raise fatal(f"Invalid cluster axis {axis}. Must be 0 or 1")


def _check_num_links(mesh: MeshDevice, num_links: int) -> None:
    if num_links <= 0:
        raise fatal(f"Error, num_links should be more than 0 but has {num_links}")
    if num_links > mesh.compute_with_storage_grid_size().y:
        raise fatal("Worker cores used by links are parallelized over rows")


def _ring(mesh: MeshDevice, t: Tensor, axis: int | None, op: str) -> int:
    """The ring's size: the mesh's extent along the axis; with none, the label's devices. Its
    error prints the label's distribution shape (probe)."""
    dist = topology_of(t).dist
    ring = mesh.mesh_shape[axis] if axis is not None else math.prod(dist)
    if ring <= 1:
        raise fatal(f"{op} op will only work for num_devices > 1, but has {ring}, shape: {MeshShape(list(dist))!r}")
    return ring


def replicated_label(t: Topology, axis: int | None, mesh: tuple[int, ...], op: str) -> Topology:
    """The label once the ring along `axis` (None: every device) holds the same data (probe)."""
    if t.collapsed and len(mesh) > 1 and _line_axis(mesh) is not None:
        return Topology(t.dist, (None,), t.coords)  # a 1-D label along a line mesh stays 1-D
    expanded = _expand(t, mesh)
    if expanded is None:
        raise not_emulated(f"ttnn.{op}", "an input labelled over fewer devices than the mesh")
    dist = tuple(mesh) if t.collapsed else t.dist
    out: list[Axis] = [None] * len(expanded) if axis is None else expanded
    if axis is not None:
        out[axis] = None
    return Topology(dist, tuple(out), t.coords)


def _shards(t: Tensor) -> list[Array]:
    return list(t._shards or [t._values])


def _ring_direction(mesh: MeshDevice, axis: int) -> str:
    """The ethernet direction a ring along `axis` of a 2-D mesh doubles up on (probe: T3K 2x4 axis 1
    EAST; Galaxy 4x8 axis 0 EAST, axis 1 SOUTH; Galaxy 8x4 axis 0 SOUTH, axis 1 EAST): the
    system mesh's columns run SOUTH, its rows EAST."""
    physical = 1 - axis if transposed(mesh) else axis
    return "SOUTH" if physical == 0 else "EAST"


def _check_ring_topology(mesh: MeshDevice, axis: int | None, ring: int, op: str) -> None:
    """all_broadcast's Ring routes each ring as a closed loop: on an open line the wrap-around hop
    doubles up on one ethernet direction (probe)."""
    if ring <= 2:
        return  # two devices run as a line
    if is_line(mesh):
        closes = line_is_ring(mesh)
        if closes:
            return
        if closes is None or mesh.system is None:
            raise not_emulated(f"ttnn.{op}", f"Ring over a 1x{ring} line of this machine (not probed)")
        direction = mesh.system.open_line_direction  # probe: T3K 1x4 EAST, Galaxy 1x8 SOUTH
    elif axis is None:
        raise not_emulated(f"ttnn.{op}", "Ring over a whole 2-D mesh (which direction ttnn names)")
    else:
        direction = _ring_direction(mesh, axis)
    raise fatal(
        f"Multiple ethernet cores in the same direction (eth_chan_directions::{direction}) are not currently "
        "supported. This restriction will be removed in a future update when proper multi-core routing is "
        "implemented."
    )


@operation("ttnn.all_broadcast", per_device=False)
def all_broadcast(
    input_tensor: Tensor,
    *,
    cluster_axis: int | None = None,
    subdevice_id: Any = None,
    memory_config: MemoryConfig | None = None,
    num_links: int | None = 1,
    topology: CclTopology | None = CclTopology.Linear,
    use_l1_small_for_semaphores: bool = False,
) -> list[Tensor]:
    _axis_arg(cluster_axis, "all_broadcast")
    t, mesh = _input(input_tensor, "all_broadcast")
    fabric = mesh.fabric or FabricConfig.DISABLED
    if fabric is FabricConfig.DISABLED:
        raise fatal(_FABRIC_CONTEXT)
    if cluster_axis is not None and cluster_axis >= len(mesh.mesh_shape):
        if fabric is FabricConfig.FABRIC_1D_RING:  # probe: the ring fabric reads the mesh shape first
            rank = len(t.shape)
            raise fatal(f"ShapeBase[] index out of range. {cluster_axis} not in [-{rank}, {len(mesh.mesh_shape)})")
        _check_axis(mesh, cluster_axis)
    ring = _ring(mesh, t, cluster_axis, "all_broadcast")
    links = 1 if num_links is None else num_links
    _check_num_links(mesh, links)
    if topology is CclTopology.Ring:
        _check_ring_topology(mesh, cluster_axis, ring, "all_broadcast")
    check_links(mesh, "ttnn.all_broadcast", links, cluster_axis)
    label = replicated_label(topology_of(t), cluster_axis, tuple(mesh.mesh_shape), "all_broadcast")
    shards = _shards(t)
    groups = _groups(t, cluster_axis)
    outputs = []
    for position in range(ring):
        values: list[Array] = list(shards)
        for members in groups:
            for k in members:
                values[k] = shards[members[position]]
        outputs.append(_result(t, mesh, values, label, memory_config))
    return outputs


@operation("ttnn.broadcast", per_device=False)
def broadcast(
    input_tensor: Tensor,
    sender_coord: MeshCoordinate,
    *,
    num_links: int | None = None,
    memory_config: MemoryConfig | None = None,
    topology: CclTopology = CclTopology.Linear,
    cluster_axis: int | None = None,
    subdevice_id: Any = None,
) -> Tensor:
    if not isinstance(sender_coord, MeshCoordinate):
        raise TypeError("ttnn.broadcast(): incompatible function arguments.")
    _axis_arg(cluster_axis, "broadcast")
    t, mesh = _input(input_tensor, "broadcast")
    topo = topology_of(t)
    if cluster_axis is None and sum(d > 1 for d in topo.dist) > 1:
        raise fatal("broadcast op is only supported for a linear tensor topology shape")
    _check_axis(mesh, cluster_axis)
    _ring(mesh, t, cluster_axis, "broadcast")
    links = 1 if num_links is None else num_links
    _check_num_links(mesh, links)
    fabric = mesh.fabric or FabricConfig.DISABLED
    if fabric is FabricConfig.DISABLED:
        raise fatal(_FABRIC_CONTEXT)
    if cluster_axis is None and sum(d > 1 for d in mesh.mesh_shape) > 1:
        # a line over the whole 2-D mesh (probe): T3K routes it on a 2-D fabric and on a 1-D one
        # finds no hop from the end of a row to the next; the Galaxy names other directions
        if mesh.system is None or mesh.system.torus:
            raise not_emulated("ttnn.broadcast", "cluster_axis=None on this 2-D mesh (its routing was not probed)")
        if fabric not in _LINE_FABRICS and fabric is not FabricConfig.FABRIC_2D:
            raise not_emulated("ttnn.broadcast", f"cluster_axis=None on a 2-D mesh with {fabric}")
        if fabric in _LINE_FABRICS:
            cols = mesh.mesh_shape[-1]
            raise fatal(f"Could not find any forwarding direction from src (M0, D{cols - 1}) to dst (M0, D{cols})")
    check_links(mesh, "ttnn.broadcast", links, cluster_axis)
    coords = topo.coords
    sender = tuple(sender_coord._coords)
    if len(sender) != len(mesh.mesh_shape) or sender not in coords:
        raise not_emulated("ttnn.broadcast", f"a sender_coord {sender_coord!r} outside the {mesh!r}")
    source = coords.index(sender)
    shards = _shards(t)
    values: list[Array] = list(shards)
    for members in _groups(t, cluster_axis):
        if source in members:
            for k in members:
                values[k] = shards[source]
    if cluster_axis is None:
        label = Topology(topo.dist, (None,) * len(topo.axes), topo.coords)
    else:
        label = replicated_label(topo, cluster_axis, tuple(mesh.mesh_shape), "broadcast")
    return _result(t, mesh, values, label, memory_config)
