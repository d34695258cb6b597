"""Mixture-of-experts all-to-all on mesh tensors: ttnn.all_to_all_dispatch sends each token to the
devices holding its selected experts, ttnn.all_to_all_combine sends the experts' outputs back to
the tokens' devices. ttnn 0.81.1's validation in its order, output specs and labels were probed on
mock T3K (2x4, FABRIC_1D / 2D / no fabric) and 6U Galaxy meshes; the values follow the kernels'
definitions (tt-metal's reader/writer kernels and ttnn's golden functions):

dispatch, on a ring of R devices along cluster_axis (every device with none), tokens [B, 1, S, H]
per device with indices [B, 1, S, K]: device d's output [1, B*R, S, H] holds at row p*B + b the
token (b, s) of ring member p when one of its K experts e has mapping[e][d] == 1 (d the device's
row-major mesh index; the sender reads its own mapping copy), elsewhere a placeholder (zeros
here; ttnn leaves garbage). The metadata [1, B*R, S, K] is the indices all-gathered over the ring.
output_concat_dim=2 concatenates along S instead ([1, B, S*R, ...]).

combine, input [E/D, B*R, S, H] (each local expert's output per dispatched token), metadata
[., B*R, S, K] and mapping: device x's local experts are the first E/D experts with
mapping[e][x] == 1 in index order; for each dispatched token t and local expert j = e found at
top-k slot k of the token's metadata row, its row (j, t) goes to slot k of token t's own device,
output [K, B, S, H] (zeros where nothing arrives: ttnn fills the output first). local_reduce
takes row t once, from the first local expert found.

An expert index outside the mapping selects no device (the kernel would read past the mapping:
undefined); mapping entries other than 1 place nothing (the kernels compare to 1). Labels are
ttnn's default union of the inputs' (probe)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ttgen.emu.calls import operation
from ttgen.emu.ccl import _groups, _mesh_input
from ttgen.emu.device import MeshDevice
from ttgen.emu.mesh import Array, topology_of, union_topology
from ttgen.emu.routing import not_emulated
from ttgen.emu.tensor import Tensor, fatal, store
from ttgen.emu.topology import FabricConfig, Topology
from ttgen.emu.types import MemoryConfig
from ttgen.facts.enums import DataType, Layout, StorageType
from ttgen.facts.enums import Topology as CclTopology

DISPATCH, COMBINE = "ttnn.all_to_all_dispatch", "ttnn.all_to_all_combine"


def _tensor(t: Any, op: str) -> Tensor:
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}(): incompatible function arguments.")
    return t


def _on_device(t: Tensor) -> bool:
    return t.device() is not None and t.storage_type() is StorageType.DEVICE


def _check_axis(mesh: MeshDevice, axis: Any, op: str) -> None:
    if axis is not None and (not isinstance(axis, int) or isinstance(axis, bool) or axis < 0):
        raise TypeError(f"{op}(): incompatible function arguments.")
    if axis is not None and axis >= len(mesh.mesh_shape):
        raise fatal(f"Invalid cluster axis {axis}. Must be 0 or 1")


def _check_fabric(mesh: MeshDevice) -> None:
    if (mesh.fabric or FabricConfig.DISABLED) is FabricConfig.DISABLED:
        raise fatal("Trying to get un-initialized fabric context")


def _links(mesh: MeshDevice, num_links: int | None, op: str) -> None:
    """More links than the fabric has between neighbours: whether the op fails depends on its route
    (probe: combine along T3K's rows fails, along its columns and dispatch on both axes do not)."""
    channels = mesh.system.eth_links if mesh.system is not None else 1
    if num_links is not None and num_links > channels:
        raise not_emulated(op, f"num_links={num_links} (more than the {channels} links between neighbours)")


def _mesh_index(coord: tuple[int, ...], shape: tuple[int, ...]) -> int:
    return int(np.ravel_multi_index(coord, shape))


def _mapping_rows(m: Array, devices: int, op: str) -> Array:
    """The mapping's pages as the kernels read them: one row of device flags per expert."""
    rows = np.asarray(m).reshape(-1, m.shape[-1]) if m.ndim else np.zeros((0, 0))
    if rows.shape[1] < devices:
        raise not_emulated(op, f"an expert_mapping_tensor narrower ({rows.shape[1]}) than the mesh ({devices})")
    return rows.astype(np.int64)


def _emit(
    values: list[Array], dtype: DataType, layout: Layout, mesh: MeshDevice, label: Topology, mc: MemoryConfig
) -> Tensor:
    stored = [store(v, dtype, layout) for v in values]
    out = Tensor._from_values(stored[0], dtype, layout)
    out._shards, out._topology = stored, label
    out._place(mesh, mc)
    return out


def _ring_of(t: Tensor, axis: int | None) -> dict[int, tuple[list[int], int]]:
    """Each device's ring (shard indices in ring order) and its position in it."""
    out: dict[int, tuple[list[int], int]] = {}
    for members in _groups(t, axis):
        for position, k in enumerate(members):
            out[k] = (members, position)
    return out


@operation(DISPATCH, per_device=False)
def all_to_all_dispatch(
    input_tensor: Tensor,
    expert_indices_tensor: Tensor,
    expert_mapping_tensor: Tensor,
    *,
    cluster_axis: int | None = None,
    output_tensors: Any = None,
    num_links: int | None = None,
    topology: CclTopology | None = None,
    memory_config: MemoryConfig | None = None,
    subdevice_id: Any = None,
    output_concat_dim: int | None = 1,
) -> list[Tensor]:
    tokens = _tensor(input_tensor, DISPATCH)
    indices = _tensor(expert_indices_tensor, DISPATCH)
    mapping = _tensor(expert_mapping_tensor, DISPATCH)
    if not _on_device(tokens):
        raise not_emulated(DISPATCH, "a host input_tensor (ttnn 0.81.1 crashes)")
    _, mesh = _mesh_input(tokens)
    _check_axis(mesh, cluster_axis, DISPATCH)
    _check_fabric(mesh)
    for t in (indices, mapping):
        if not _on_device(t):
            raise fatal(f"Expected Tensor with DeviceStorage, got StorageType::{t.storage_type().name}")
    if num_links == 0:
        raise not_emulated(DISPATCH, "num_links=0 (ttnn 0.81.1 divides by zero)")
    concat = 1 if output_concat_dim is None else output_concat_dim
    mc = memory_config if memory_config is not None else tokens.memory_config()
    if tokens.layout is not Layout.ROW_MAJOR:
        raise fatal("Input tensor must be in row major layout")
    if indices.layout is not Layout.ROW_MAJOR:
        raise fatal("Indices tensor must be in row major layout")
    if tokens.dtype is not DataType.BFLOAT16:
        raise fatal("Input tensor must be bfloat16")
    if indices.dtype is not DataType.UINT16:
        raise fatal("Indices tensor must be uint16")
    if mc.is_sharded():
        raise fatal("Output memory config must not be sharded")
    shape, idx_shape = tuple(tokens.shape), tuple(indices.shape)
    if len(shape) != 4 or len(idx_shape) != len(shape):
        raise fatal("Input and indices tensor must have the same number of dimensions")
    for i in range(len(shape) - 1):
        if shape[i] != idx_shape[i]:
            raise fatal(
                "Input and indices tensor must have the same shape for all dimensions except the last. Mismatch at "
                f"dimension {i} with shape {shape[i]} and {idx_shape[i]}"
            )
    if concat not in (1, 2):
        raise fatal(
            f"Output concat dimension must be 1 or 2, got {concat}. Output concat dimension is used to determine "
            "the dimension to concat the output tokens along."
        )
    _links(mesh, num_links, DISPATCH)
    if output_tensors is not None:
        raise not_emulated(DISPATCH, "given output_tensors")
    if shape[1] != 1:
        raise not_emulated(DISPATCH, f"an input_tensor of shape {list(shape)} (dim 1 > 1: the kernel's token count)")
    _mesh_input(indices)
    _mesh_input(mapping)
    if mapping.dtype is not DataType.UINT16 or mapping.layout is not Layout.ROW_MAJOR:
        raise not_emulated(DISPATCH, f"an expert_mapping_tensor in {mapping.dtype.name} {mapping.layout.name}")
    batch, _, seq, hidden = shape
    k_sel = idx_shape[-1]
    devices = mesh.get_num_devices()
    mesh_shape = tuple(mesh.mesh_shape)
    coords = topology_of(tokens).coords
    tok_shards = list(tokens._shards or [tokens._values])
    idx_shards = list(indices._shards or [indices._values])
    map_shards = list(mapping._shards or [mapping._values])
    rings = _ring_of(tokens, cluster_axis)
    out_tokens: list[Array] = []
    out_meta: list[Array] = []
    for k in range(len(tok_shards)):
        members, _ = rings[k]
        ring = len(members)
        here = _mesh_index(coords[k], mesh_shape)
        tok = np.zeros((ring, batch, seq, hidden), dtype=np.float32)
        meta = np.zeros((ring, batch, seq, k_sel), dtype=np.int64)
        for p, src in enumerate(members):
            chosen = np.asarray(idx_shards[src], dtype=np.int64).reshape(batch, seq, k_sel)
            flags = _mapping_rows(map_shards[src], devices, DISPATCH)
            hit = np.zeros((batch, seq), dtype=bool)
            if flags.shape[0]:
                valid = (chosen >= 0) & (chosen < flags.shape[0])
                picked = flags[np.clip(chosen, 0, flags.shape[0] - 1), here] == 1
                hit = (valid & picked).any(-1)
            values = np.asarray(tok_shards[src], dtype=np.float32).reshape(batch, seq, hidden)
            tok[p][hit] = values[hit]
            meta[p] = chosen
        if concat == 1:
            out_tokens.append(tok.reshape(1, ring * batch, seq, hidden))
            out_meta.append(meta.reshape(1, ring * batch, seq, k_sel))
        else:
            out_tokens.append(tok.transpose(1, 0, 2, 3).reshape(1, batch, ring * seq, hidden))
            out_meta.append(meta.transpose(1, 0, 2, 3).reshape(1, batch, ring * seq, k_sel))
    label = union_topology([tokens, indices, mapping])
    return [
        _emit(out_tokens, tokens.dtype, Layout.ROW_MAJOR, mesh, label, mc),
        _emit(out_meta, indices.dtype, Layout.ROW_MAJOR, mesh, label, mc),
    ]


def _full_shape_error(shape: tuple[int, ...]) -> RuntimeError | None:
    """combine fills its output (ttnn.full) before the op validates (probe)."""
    for i, d in enumerate(shape):
        if d <= 0:
            return fatal(
                f"Full operation error: Invalid shape at index {i}. Each dimension of the shape must be greater "
                f"than 0, butgot shape[{i}] = {d}"
            )
    return None


@operation(COMBINE, per_device=False)
def all_to_all_combine(
    input_tensor: Tensor,
    expert_metadata_tensor: Tensor,
    expert_mapping_tensor: Tensor,
    *,
    local_reduce: bool = False,
    output_shard_dim: int | None = 1,
    cluster_axis: int | None = None,
    subdevice_id: Any = None,
    memory_config: MemoryConfig | None = None,
    output_tensor: Tensor | None = None,
    num_links: int | None = None,
    topology: CclTopology | None = None,
) -> Tensor:
    data = _tensor(input_tensor, COMBINE)
    metadata = _tensor(expert_metadata_tensor, COMBINE)
    mapping = _tensor(expert_mapping_tensor, COMBINE)
    if not _on_device(data):
        raise not_emulated(COMBINE, "a host input_tensor (ttnn 0.81.1 crashes)")
    _, mesh = _mesh_input(data)
    _check_axis(mesh, cluster_axis, COMBINE)
    _check_fabric(mesh)
    for t in (metadata, mapping):
        if not _on_device(t):
            raise fatal("Device Operations expect device tensors as inputs")
    md_shape, shape, map_shape = tuple(metadata.shape), tuple(data.shape), tuple(mapping.shape)
    if len(md_shape) < 3 or len(map_shape) < 3 or not shape:
        raise not_emulated(COMBINE, "tensors of rank < 3")
    shard_dim = 1 if output_shard_dim is None else output_shard_dim
    devices = mesh.get_num_devices()
    rows_, cols_ = (mesh.mesh_shape[0], mesh.mesh_shape[-1])
    batch, seq, k_sel, hidden = md_shape[1], md_shape[2], md_shape[-1], shape[-1]
    replicas = mesh.mesh_shape[1 - cluster_axis] if cluster_axis is not None else 1
    out_batch, out_seq = batch, seq
    if shard_dim == 1:
        out_batch = batch * replicas // devices
    elif shard_dim == 2:
        out_seq = seq * replicas // devices
    out_shape = (k_sel, out_batch, out_seq, hidden)
    full = _full_shape_error(out_shape)
    if full is not None:
        raise full
    mc = memory_config if memory_config is not None else data.memory_config()
    checks = [
        (data.layout is Layout.ROW_MAJOR, "Input tensor must be in row major layout"),
        (metadata.layout is Layout.ROW_MAJOR, "Metadata tensor must be in row major layout"),
        (data.dtype is DataType.BFLOAT16, "Input tensor must be bfloat16"),
        (metadata.dtype is DataType.UINT16, "Metadata tensor must be uint16"),
        (mapping.dtype is DataType.UINT16, "Indices tensor must be uint32"),  # sic
        (mapping.layout is Layout.ROW_MAJOR, "Metadata tensor must be in row major layout"),  # sic
        (not mc.is_sharded(), "Output memory config must not be sharded"),
    ]
    for ok, message in checks:
        if not ok:
            raise fatal(message)
    if output_tensor is not None:
        raise not_emulated(COMBINE, "a given output_tensor")
    experts = map_shape[2]
    if (experts % rows_) * cols_ != 0:  # ttnn's `experts % mesh_rows * mesh_cols == 0`
        raise fatal(f"Experts {experts} must be evenly divisible by devices")
    if len(shape) != 4 or len(md_shape) != 4 or len(map_shape) != 4:
        raise fatal("Input, metadata, and mapping tensors must all be rank 4")
    if experts % devices:
        raise fatal(f"Number of experts {experts} should be evenly divisible by devices: {devices}")
    if local_reduce and shape[0] != 1:
        raise fatal(f"Expecting input dim 0 equal to num devices: {devices}, got: {shape[0]}")
    if not local_reduce and shape[0] != experts // devices:
        raise fatal(f"Expected input shape dim 0: {shape[0]} to be equal to expert mapping dim 2: {experts}")
    if cluster_axis is None:
        raise fatal("Axis must be specified at the moment")
    group = mesh.mesh_shape[cluster_axis]
    if shard_dim not in (1, 2):
        raise fatal(
            f"Output shard dimension must be 1 or 2, got {shard_dim}. Output shard dimension is used to determine the "
            "dimension to shard the output tokens along."
        )
    if shard_dim == 1 and batch % group:
        raise fatal(f"Batch {batch} must be divisible by axis group")
    if shard_dim == 2 and seq % group:
        raise fatal(f"Sequence length {seq} must be divisible by axis group")
    if num_links is not None and num_links <= 0:
        raise fatal(f"Number of links must be greater than 0, got {num_links}")
    _links(mesh, num_links, COMBINE)
    if shape[1:3] != md_shape[1:3]:
        raise not_emulated(COMBINE, f"an input_tensor {list(shape)} whose tokens differ from the metadata's")
    _mesh_input(metadata)
    _mesh_input(mapping)
    values = _combine_values(data, metadata, mapping, cluster_axis, shard_dim, out_shape, local_reduce)
    label = union_topology([data, metadata, mapping])
    return _emit(values, data.dtype, Layout.ROW_MAJOR, mesh, label, mc)


def _combine_values(
    data: Tensor,
    metadata: Tensor,
    mapping: Tensor,
    axis: int,
    shard_dim: int,
    out_shape: tuple[int, ...],
    local_reduce: bool,
) -> list[Array]:
    mesh = data.device()
    assert mesh is not None
    devices, mesh_shape = mesh.get_num_devices(), tuple(mesh.mesh_shape)
    coords = topology_of(data).coords
    data_shards = list(data._shards or [data._values])
    md_shards = list(metadata._shards or [metadata._values])
    map_shards = list(mapping._shards or [mapping._values])
    experts = int(mapping.shape[2])
    local = experts // devices
    out_seq = out_shape[2]
    md_shape = tuple(metadata.shape)
    batch, seq = md_shape[1], md_shape[2]
    rings = _ring_of(data, axis)
    out = [np.zeros(out_shape, dtype=np.float32) for _ in data_shards]
    for x in range(len(data_shards)):
        members, _ = rings[x]
        ring = len(members)
        here = _mesh_index(coords[x], mesh_shape)
        flags = _mapping_rows(map_shards[x], devices, COMBINE)[:experts]
        mine = [int(e) for e in np.flatnonzero(flags[:, here] == 1)][:local]
        rows = np.asarray(md_shards[x], dtype=np.int64)[0]  # [batch, seq, K]
        values = np.asarray(data_shards[x], dtype=np.float32)
        per_device = batch * seq // ring
        for b in range(batch):
            for s in range(seq):
                row = list(rows[b, s])
                for j, e in enumerate(mine):
                    if e not in row:
                        continue
                    slot = row.index(e)
                    piece = values[0 if local_reduce else j, b, s]
                    if shard_dim == 1:
                        t = b * seq + s
                        dest, rest = divmod(t, per_device)
                        out[members[dest]][slot, rest // out_seq, rest % out_seq] = piece
                    else:
                        dest, s_out = divmod(s, out_seq)
                        out[members[dest]][slot, b, s_out] = piece
                    if local_reduce:
                        break
    return out
