"""A tensor-parallel MLP on a 2x4 mesh (a T3K), as LLMs shard theirs: the activations replicated,
the first weight split by columns over the mesh's 4 columns (column-parallel linear), the second
by rows (row-parallel linear: each device holds a partial sum), then reduce_scatter + all_gather
over that axis; the async variant does the same with global semaphores."""

from __future__ import annotations

from typing import Any

import numpy as np

from examples.common import Array
from ttgen.runtime import ttnn

MESH = (2, 4)
AXIS = 1  # the mesh axis the weights are split over (its 4 columns)


def distribute(values: Array, mesh: ttnn.MeshDevice, shard_dim: int | None) -> ttnn.Tensor:
    """Replicated over the rows; over the columns split along `shard_dim` (or replicated)."""
    over_columns = ttnn.PlacementReplicate() if shard_dim is None else ttnn.PlacementShard(shard_dim)
    mapper = ttnn.create_mesh_mapper(mesh, ttnn.MeshMapperConfig([ttnn.PlacementReplicate(), over_columns]))
    host = ttnn.Tensor(values, ttnn.bfloat16, None, ttnn.TILE_LAYOUT, mesh_mapper=mapper)
    return ttnn.to_device(host, mesh, ttnn.DRAM_MEMORY_CONFIG)


def tp_mlp(x: ttnn.Tensor, w1: ttnn.Tensor, w2: ttnn.Tensor) -> ttnn.Tensor:
    h = ttnn.gelu(ttnn.linear(x, w1))  # each device: its columns of the hidden layer
    partial = ttnn.linear(h, w2)  # each device: its rows' share of the output
    reduced = ttnn.reduce_scatter(partial, 3, cluster_axis=AXIS, topology=ttnn.Topology.Linear)
    return ttnn.all_gather(reduced, 3, cluster_axis=AXIS, topology=ttnn.Topology.Linear)


def semaphores(mesh: ttnn.MeshDevice, count: int) -> list[Any]:
    grid = mesh.compute_with_storage_grid_size()
    cores = ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(grid.x - 1, grid.y - 1))})
    return [ttnn.create_global_semaphore(mesh, cores, 0) for _ in range(count)]


def tp_mlp_async(mesh: ttnn.MeshDevice, x: ttnn.Tensor, w1: ttnn.Tensor, w2: ttnn.Tensor) -> ttnn.Tensor:
    partial = ttnn.linear(ttnn.silu(ttnn.linear(x, w1)), w2)
    reduced = ttnn.experimental.reduce_scatter_minimal_async(
        partial, dim=3, multi_device_global_semaphore=semaphores(mesh, 3), num_links=1,
        topology=ttnn.Topology.Linear, cluster_axis=AXIS,
    )  # fmt: skip
    return ttnn.experimental.all_gather_async(
        reduced, dim=3, multi_device_global_semaphore=semaphores(mesh, 2), num_links=1,
        topology=ttnn.Topology.Linear, cluster_axis=AXIS,
    )  # fmt: skip


def first_device(t: ttnn.Tensor) -> ttnn.Tensor:
    """After the all_gather every device holds the whole result: device 0's, on the host."""
    return ttnn.get_device_tensors(ttnn.from_device(t))[0]


def tp_mlp_reference(x: Array, w1: Array, w2: Array, activation: str = "gelu") -> Array:
    import torch

    tx, t1, t2 = (torch.from_numpy(a) for a in (x, w1, w2))
    act = torch.nn.functional.gelu if activation == "gelu" else torch.nn.functional.silu
    return np.asarray((act(tx @ t1) @ t2).numpy())
