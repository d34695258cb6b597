"""The neighbourhood of each traced collective: the case with one argument changed at a time,
so that real ttnn and the emulator are compared on configurations ttnn refuses (validation
verdicts and messages) as well as on nearby ones it accepts (their output specs and topologies).

The changes are generic over the case's fields, not per op: the gather / scatter dim (another
one, one past the rank), the cluster axis (the other one, one past the mesh, none), the
topology (Linear <-> Ring), and the first mesh input (in L1, in another dtype, its per-device
last dim grown by a tile so that shards no longer divide evenly). Not a host input: ttnn 0.81.1's
all_gather dereferences the missing device and crashes the process (probed), no verdict to compare."""

from __future__ import annotations

import dataclasses
from typing import Any

COLLECTIVES = frozenset(
    {
        "ttnn.all_gather",
        "ttnn.reduce_scatter",
        "ttnn.all_reduce",
        "ttnn.mesh_partition",
        "ttnn.all_broadcast",
        "ttnn.broadcast",
        "ttnn.experimental.all_gather_async",
        "ttnn.experimental.reduce_scatter_minimal_async",
        "ttnn.experimental.all_reduce_async",
    }
)


def global_shape(shape: tuple[int, ...], placements: tuple[str, ...], dist: tuple[int, ...]) -> tuple[int, ...]:
    """The host shape whose distribution gives each device `shape`."""
    out = list(shape)
    for placement, n in zip(placements, dist, strict=False):
        if placement.startswith("Shard("):
            out[int(placement[6:-1])] *= n
    return tuple(out)


def _mesh_input(case: Any) -> tuple[str, Any] | None:
    from ttgen.runtime.spec import TensorSpec

    for f in dataclasses.fields(case):
        value = getattr(case, f.name)
        if isinstance(value, TensorSpec) and value.placement is not None and value.placement.num_devices > 1:
            return f.name, value
    return None


def variants(op: str, case: Any, ttnn: Any) -> list[tuple[str, Any]]:
    """(tag, changed case) pairs, in a fixed order; the traced expectation is dropped."""
    if op not in COLLECTIVES:
        return []
    fields = {f.name for f in dataclasses.fields(case)}
    out: list[tuple[str, Any]] = []

    def put(tag: str, **changes: Any) -> None:
        out.append((tag, dataclasses.replace(case, expected=None, **changes)))

    found = _mesh_input(case)
    rank = len(found[1].shape) if found else 4
    dim = getattr(case, "dim", None)
    if "dim" in fields and isinstance(dim, int) and not isinstance(dim, bool):
        put(f"dim={rank}", dim=rank)
        put(f"dim={(dim - 1) % rank}", dim=(dim - 1) % rank)
    axis = getattr(case, "cluster_axis", None)
    if "cluster_axis" in fields and isinstance(axis, int) and not isinstance(axis, bool):
        put("cluster_axis=2", cluster_axis=2)
        put(f"cluster_axis={1 - axis}", cluster_axis=1 - axis)
        put("cluster_axis=None", cluster_axis=None)
    topology = getattr(case, "topology", None)
    if "topology" in fields and isinstance(topology, ttnn.Topology):
        other = ttnn.Topology.Ring if topology == ttnn.Topology.Linear else ttnn.Topology.Linear
        put(f"topology={other.name}", topology=other)
    if found is None:
        return out
    name, spec = found
    placement = spec.placement

    def tensor(tag: str, **changes: Any) -> None:
        put(f"{name}:{tag}", **{name: dataclasses.replace(spec, **changes)})

    tensor("L1", memory_config=ttnn.L1_MEMORY_CONFIG)
    if spec.dtype == ttnn.bfloat16 and spec.layout == ttnn.TILE_LAYOUT:
        tensor("bfloat8_b", dtype=ttnn.bfloat8_b)
    tensor("float32", dtype=ttnn.float32)
    grown = (*spec.shape[:-1], spec.shape[-1] + 32)
    wider = dataclasses.replace(
        placement, global_shape=global_shape(grown, placement.placements, placement.distribution_shape)
    )
    tensor("last+32", shape=grown, placement=wider)
    return out
