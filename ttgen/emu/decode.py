"""Emulated ttnn decode / KV-cache operations: nlp_create_qkv_heads_decode, nlp_concat_heads_decode,
rotary_embedding_llama, paged_fill_cache, paged_update_cache,
paged_scaled_dot_product_attention_decode and fast_reduce_nc. Each models ttnn 0.81.1's
validation (its checks and messages), its output spec (the decode ops' height / width sharded
outputs with the shard grids ttnn derives) and the op's values in numpy. Rules marked "probe"
were read off the real wheel on a mock N150 (tests/test_emu_decode.py holds ttnn's numbers). An
argument form whose answer was not probed raises NotEmulatedError naming it.

The cache ops update the cache tensor in place and return it, as ttnn does: they give the cache
tensor a new array (its old one may be a read-only broadcast) rather than writing into it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ttgen.emu.calls import operation
from ttgen.emu.data_ops import _emit, _not_emulated
from ttgen.emu.device import MeshDevice
from ttgen.emu.ops import _on_device
from ttgen.emu.tensor import Tensor, check_spec, fatal, is_broadcast_zero, padded_dims, read, store
from ttgen.emu.types import DRAM_MEMORY_CONFIG, CoreCoord, CoreRange, CoreRangeSet, MemoryConfig, ShardSpec
from ttgen.facts.enums import BufferType, DataType, Layout, ShardOrientation, TensorMemoryLayout

Array = np.ndarray[Any, np.dtype[Any]]
TILE = 32
HEIGHT = TensorMemoryLayout.HEIGHT_SHARDED
WIDTH = TensorMemoryLayout.WIDTH_SHARDED
_FLOATS = {DataType.FLOAT32, DataType.BFLOAT16, DataType.BFLOAT8_B, DataType.BFLOAT4_B}
ATTENTION_ELEMENTS = 1 << 26  # gathered keys x query heads per op: more is reported as not emulated


def _up(n: int) -> int:
    return -(-n // TILE) * TILE


def _shape(t: Tensor, rank: int = 4) -> tuple[int, ...]:
    """The logical shape, with ttnn's message when an op indexes a dim the tensor lacks."""
    shape = tuple(t.shape)
    if len(shape) < rank:
        raise fatal(f"ShapeBase[] index out of range. {rank - 1} not in [-4, {len(shape)})")
    return shape


def _absent(op: str, **given: Any) -> None:
    for name, value in given.items():
        if value is not None:
            raise _not_emulated(op, f"a given {name}")


def _zero(*arrays: Array) -> bool:
    return all(is_broadcast_zero(a) for a in arrays)


def _grid_of(device: MeshDevice) -> CoreRangeSet:
    g = device.compute_with_storage_grid_size()
    return CoreRangeSet([CoreRange(CoreCoord(0, 0), CoreCoord(g.x - 1, g.y - 1))])


def _rows(cores: list[tuple[int, int]]) -> CoreRangeSet:
    """Row-wise walked cores as ttnn groups them: a partial first row, the full rows between as
    one rectangle, a partial last row (per range of the grid they were taken from)."""
    ranges: list[CoreRange] = []
    by_row: dict[int, list[int]] = {}
    for x, y in cores:
        by_row.setdefault(y, []).append(x)
    rows = sorted(by_row.items())
    i = 0
    while i < len(rows):
        y, xs = rows[i]
        j = i
        while j + 1 < len(rows) and rows[j + 1][0] == rows[j][0] + 1 and rows[j + 1][1] == xs:
            j += 1
        ranges.append(CoreRange(CoreCoord(xs[0], y), CoreCoord(xs[-1], rows[j][0])))
        i = j + 1
    return CoreRangeSet(ranges)


def _walk(r: CoreRange, start: CoreCoord | None) -> list[tuple[int, int]]:
    cores = [(x, y) for y in range(r.start.y, r.end.y + 1) for x in range(r.start.x, r.end.x + 1)]
    return cores if start is None else cores[cores.index((start.x, start.y)) :]


def cores_in_subgrids(start: CoreCoord, n: int, grid: CoreRangeSet) -> CoreRangeSet:
    """tt-metal's num_cores_to_corerangeset_in_subcoregrids(start, n, grid, row_wise=True):
    n cores walked row-wise from `start` through the grid's ranges in their order (probe)."""
    total = grid.num_cores()
    if n > total:
        raise fatal(f"Target number of cores {n} is greater than total available cores {total}")
    ranges = grid.ranges()
    first = next((i for i, r in enumerate(ranges) if r.contains(start)), None)
    if first is None:
        raise fatal("Start core must be inside sub_core_grids")
    picked: list[list[tuple[int, int]]] = []
    left = n
    for i in range(first, len(ranges)):
        cores = _walk(ranges[i], start if i == first else None)[:left]
        picked.append(cores)
        left -= len(cores)
        if not left:
            break
    if left:
        raise fatal(f"Failed to assign all {n} requested cores")
    out: list[CoreRange] = []
    for cores in picked:
        out.extend(_rows(cores).ranges())
    return CoreRangeSet(out)


def cores_in_grid(n: int, device: MeshDevice) -> CoreRangeSet:
    """tt-metal's num_cores_to_corerangeset(n, compute grid, row_wise=True)."""
    total = _grid_of(device).num_cores()
    if n > total:
        raise fatal(f"Target number of cores {n} is greater than total number of available cores {total}")
    return _rows(_walk(_grid_of(device).ranges()[0], None)[:n])


def _sharded(layout: TensorMemoryLayout, grid: CoreRangeSet, shard: tuple[int, int]) -> MemoryConfig:
    return MemoryConfig(layout, BufferType.L1, ShardSpec(grid, list(shard), ShardOrientation.ROW_MAJOR))


def _check(shape: tuple[int, ...], dtype: DataType, mc: MemoryConfig, device: MeshDevice) -> None:
    """An output TensorSpec's checks, which these ops run before their own validation (probe)."""
    spec = mc.shard_spec
    if spec is not None and not all(spec.shape):
        raise fatal(f"Shard shape must be greater than 0 in each sharded dim, got [{spec.shape[0]}, {spec.shape[1]}]")
    check_spec(shape, dtype, Layout.TILE, mc, device)


def _int_tensor(t: Tensor, dtype: DataType, message: str) -> None:
    if t.dtype is not dtype:
        raise fatal(message)


# ----------------------------------------------------------------------------- heads


@operation("ttnn.experimental.nlp_create_qkv_heads_decode")
def nlp_create_qkv_heads_decode(
    input_tensor: Tensor,
    *,
    num_heads: int,
    num_kv_heads: int | None = None,
    output_tensors: Sequence[Tensor] | None = None,
    overlap_qk_coregrid: bool | None = True,
    batch_offset: Tensor | None = None,
    slice_size: int | None = None,
    memory_config: MemoryConfig | None = None,
) -> tuple[Tensor, Tensor, Tensor]:
    """A fused [1, 1, users, (nh + 2 nkv) hd] TILE input -> q [1, users, nh, hd], k and v
    [1, users, nkv, hd], each HEIGHT_SHARDED in L1, one user per core, shard [ceil32(heads), hd].
    Probe: whatever memory_config's layout and buffer, the outputs are L1 height sharded; its
    shard grid (else the whole compute grid) is where the user cores are walked row-wise from its
    first core; with overlap_qk_coregrid=False (sharded input) k takes the users cores that follow
    q's first users + 1; v shares q's."""
    op = "ttnn.experimental.nlp_create_qkv_heads_decode"
    device = _on_device(input_tensor, "Input tensor")
    _absent(op, output_tensors=output_tensors, batch_offset=batch_offset, slice_size=slice_size)
    nkv = num_heads if num_kv_heads is None else num_kv_heads
    shape = _shape(input_tensor)
    heads = num_heads + 2 * nkv
    if heads <= 0 or shape[3] % heads:
        raise fatal(f"Input shape {shape[3]} must be divisible by num_heads + 2*num_kv_heads = {heads}")
    hd = shape[3] // heads
    if len(shape) != 4:
        raise _not_emulated(op, f"a rank-{len(shape)} input")
    users = shape[2]
    mc = input_tensor.memory_config()
    spec = mc.shard_spec if input_tensor.is_sharded() else None
    overlap = spec is None or bool(overlap_qk_coregrid)  # probe: an interleaved input always overlaps
    given = memory_config.shard_spec if memory_config is not None else None
    grid = given.grid if given is not None else _grid_of(device)
    start = grid.ranges()[0].start
    if spec is None and start != CoreCoord(0, 0):
        # the wheel fails in its program factory there (a kernel on core (0, 0) it does not run on)
        raise _not_emulated(op, "an interleaved input with an output grid off core (0, 0)")
    # probe: ttnn derives (and checks) the output specs before it validates the input
    q_grid = cores_in_subgrids(start, users, grid)
    k_grid = q_grid
    if not overlap:
        after = cores_in_subgrids(start, users + 1, grid).ranges()[-1].end
        k_grid = cores_in_subgrids(after, users, grid)
    dtype = input_tensor.dtype
    outs = (
        ((shape[0], users, num_heads, hd), _sharded(HEIGHT, q_grid, (_up(num_heads), hd))),
        ((shape[0], users, nkv, hd), _sharded(HEIGHT, k_grid, (_up(nkv), hd))),
        ((shape[0], users, nkv, hd), _sharded(HEIGHT, q_grid, (_up(nkv), hd))),
    )
    for out_shape, out_mc in outs:
        _check(out_shape, dtype, out_mc, device)
    if dtype not in (DataType.FLOAT32, DataType.BFLOAT16):
        raise fatal("Unsupported data format")
    if input_tensor.layout is not Layout.TILE:
        raise fatal("Only tile layout is supported for input tensor")
    if shape[3] % TILE or users > 32 or shape[1] != 1 or shape[0] != 1:
        raise fatal(f"Unsupported input shape = Shape([{', '.join(str(d) for d in shape)}])")
    if spec is not None:
        if mc.memory_layout is not WIDTH:
            raise fatal(
                f"Current input memory layout is TensorMemoryLayout::{mc.memory_layout.name}. It must be width sharded"
            )
        if spec.shape[0] != _up(users):
            raise fatal("Shard shape must be correct")
        if spec.orientation is not ShardOrientation.ROW_MAJOR:
            raise fatal("Shard orientation must be ROW_MAJOR")
        if not overlap and hd % spec.shape[1]:
            raise fatal("We don't support partial heads in shards when q and k heads are not overlapping coregrid")
    if nkv > num_heads:
        raise fatal(f"num_q_heads={num_heads} must be greater than or equal to num_kv_heads={nkv}")
    x = read(input_tensor)[0, 0]  # [users, W]
    q = x[:, : num_heads * hd].reshape(1, users, num_heads, hd)
    k = x[:, num_heads * hd : (num_heads + nkv) * hd].reshape(1, users, nkv, hd)
    v = x[:, (num_heads + nkv) * hd :].reshape(1, users, nkv, hd)
    return (
        _emit(q, dtype, Layout.TILE, device, outs[0][1]),
        _emit(k, dtype, Layout.TILE, device, outs[1][1]),
        _emit(v, dtype, Layout.TILE, device, outs[2][1]),
    )


@operation("ttnn.experimental.nlp_concat_heads_decode")
def nlp_concat_heads_decode(
    input_tensor: Tensor,
    *,
    num_heads: int,
    memory_config: MemoryConfig | None = None,
    output_tensor: Tensor | None = None,
    sub_core_grids: CoreRangeSet | None = None,
) -> Tensor:
    """[1, users, heads, hd] height sharded one user per core -> [1, 1, max(users, 32), nh hd]
    WIDTH_SHARDED in L1, shard [max(users, 32), hd] on num_heads cores (row-wise over the compute
    grid; over sub_core_grids from the input's first core when given or when the input grid is not
    one range from (0, 0)). Probe: memory_config is ignored; users past the input's are zeros."""
    op = "ttnn.experimental.nlp_concat_heads_decode"
    device = _on_device(input_tensor, "Input tensor")
    _absent(op, output_tensor=output_tensor)
    del memory_config  # probe: the output is width sharded whatever it says
    _shape(input_tensor)
    padded = tuple(input_tensor.padded_shape)
    if len(padded) != 4:
        raise _not_emulated(op, f"a rank-{len(padded)} input")
    spec = input_tensor.memory_config().shard_spec if input_tensor.is_sharded() else None
    subgrids = spec is not None and (
        len(spec.grid.ranges()) > 1 or spec.grid.ranges()[0].start != CoreCoord(0, 0) or sub_core_grids is not None
    )
    batch, hd = max(padded[1], 32), padded[3]
    if subgrids:
        assert spec is not None
        if sub_core_grids is None:
            raise fatal("bad optional access")
        out_grid = cores_in_subgrids(spec.grid.ranges()[0].start, num_heads, sub_core_grids)
    else:
        out_grid = cores_in_grid(num_heads, device)
    out_shape = (padded[0], 1, batch, num_heads * hd)
    out_mc = _sharded(WIDTH, out_grid, (batch, hd))
    _check(out_shape, input_tensor.dtype, out_mc, device)
    if input_tensor.dtype not in (DataType.FLOAT32, DataType.BFLOAT16):
        raise fatal("Unsupported data format")
    if input_tensor.layout is not Layout.TILE:
        raise fatal(f"Input tensor layout must be TILE but got Layout::{input_tensor.layout.name}")
    if padded[0] != 1:
        raise fatal("seqlen=1 for decode")
    if padded[1] > 32:
        raise fatal("currently only support less than 32 users")
    if padded[2] < num_heads:
        raise fatal("head_dim must be multiple of TILE_WIDTH")
    if spec is None:
        raise fatal("Input tensor must be sharded")
    mc = input_tensor.memory_config()
    if mc.memory_layout is not HEIGHT:
        layout = mc.memory_layout.name
        raise fatal(f"Input tensor memory layout must be HEIGHT_SHARDED but got TensorMemoryLayout::{layout}")
    if spec.shape[1] != padded[3]:
        raise fatal(f"Shard spec shape[1] ({spec.shape[1]}) must match input tensor padded shape[-1] ({padded[3]})")
    if spec.shape[0] != padded[2]:
        raise fatal(f"Shard spec shape[0] ({spec.shape[0]}) must match input tensor padded shape[-2] ({padded[2]})")
    if spec.grid.num_cores() != padded[1]:
        raise fatal("Input core grid num_cores must be equal to num users")
    x = read(input_tensor)[0]  # [users, heads, hd]
    users, heads = x.shape[0], x.shape[1]
    if _zero(x):
        out: Array = np.broadcast_to(np.float32(0), out_shape)
    else:
        full = np.zeros((batch, max(heads, num_heads), hd), dtype=np.float32)
        full[:users, :heads] = x
        out = full[:, :num_heads].reshape(out_shape)
    return _emit(out, input_tensor.dtype, Layout.TILE, device, out_mc)


# ----------------------------------------------------------------------------- rotary embedding


def _rotate(x: Array, trans: Array) -> Array:
    """x @ trans_mat applied to each 32-wide tile of the last dim, as the kernel's matmul_tiles
    (a head dim that is not whole tiles is zero-padded, as its tiles are)."""
    width = x.shape[-1]
    if width % TILE:
        x = np.concatenate([x, np.zeros((*x.shape[:-1], _up(width) - width), dtype=x.dtype)], axis=-1)
    parts = [x[..., j : j + TILE] @ trans for j in range(0, x.shape[-1], TILE)]
    return np.concatenate(parts, axis=-1)[..., :width]


@operation("ttnn.experimental.rotary_embedding_llama")
def rotary_embedding_llama(
    input_tensor: Tensor,
    cos_cache: Tensor,
    sin_cache: Tensor,
    trans_mat: Tensor,
    *,
    is_decode_mode: bool = False,
    memory_config: MemoryConfig | None = None,
    compute_kernel_config: Any = None,
) -> Tensor:
    """x cos + (x @ trans_mat per tile) sin. Prefill: x [b, h, s, hd] DRAM/L1 interleaved, cos and
    sin [1, h or 1, >= s, hd]. Decode: x [1, batch, heads, hd] height sharded, cos and sin
    [1, batch, 1, hd] (row 0 broadcast over the heads, the kernel's row broadcast), trans_mat a
    height sharded 32x32 tile. Output: the input's shape, dtype, layout; memory config defaults to
    the input's (probe)."""
    op = "ttnn.experimental.rotary_embedding_llama"
    device = _on_device(input_tensor, "input tensor to rotary embedding")
    names = ("input tensor", "cos tensor", "sin tensor", "transformation matrix")
    tensors = (input_tensor, cos_cache, sin_cache, trans_mat)
    for t, name in zip(tensors, names, strict=True):
        _on_device(t, f"{name} to rotary embedding")
        if t.layout is not Layout.TILE:
            raise fatal(f"{name} to rotary embedding must be tilized")
    shape = _shape(input_tensor)
    hd = shape[-1]
    if hd > 128 and compute_kernel_config is not None and compute_kernel_config.fp32_dest_acc_en:
        raise fatal("If head_dim is > 128, fp32_dest_acc_en must be False")
    if hd > 256:
        raise fatal("Head dim must be less than 256")
    if hd % TILE and is_decode_mode:
        raise fatal("Head dim must be a multiple of TILE_WIDTH in decode mode")
    if any(t.dtype is not DataType.BFLOAT16 for t in tensors):
        raise fatal("All input tensors must have dtype = bfloat16")
    out_mc = memory_config if memory_config is not None else input_tensor.memory_config()
    in_mc = input_tensor.memory_config()
    if in_mc.memory_layout is not out_mc.memory_layout:
        raise fatal("Input tensor and output tensor must have same memory layout")
    cos_shape, sin_shape, tm_shape = _shape(cos_cache), _shape(sin_cache), _shape(trans_mat)
    if cos_shape != sin_shape:
        raise fatal("Cos and Sin dims must match")
    if len(shape) != 4 or len(cos_shape) != 4 or len(tm_shape) != 4:
        raise _not_emulated(op, "inputs other than rank 4")
    x, cos, sin = read(input_tensor), read(cos_cache), read(sin_cache)
    if is_decode_mode:
        if shape[0] != 1:
            raise fatal(
                "rotary_embedding_llama currently only supports sharded inputs in decode mode, and therefore, "
                "seq_len (in dim 0) must be 1."
            )
        whats = ("Sharded inputs", "cos tensor", "sin tensor", "transformation matrix")
        for t, what in zip(tensors, whats, strict=True):
            if t.memory_config().memory_layout is not HEIGHT:
                raise fatal(f"{what} for RoPE must be HEIGHT_SHARDED.")
        grid = device.compute_with_storage_grid_size()
        batch = shape[1]
        if batch > grid.x * grid.y:
            raise fatal(
                "In decode mode, RoPE is parallelized over batch dimension, and therefore, batch size must be less "
                "than or equal to the number of cores"
            )
        if batch != cos_shape[1]:
            raise fatal("Cos and Sin must have the same batch size as the input")
        cos_spec, tm_spec = cos_cache.memory_config().shard_spec, trans_mat.memory_config().shard_spec
        assert cos_spec is not None and tm_spec is not None
        if cos_spec.shape[0] != TILE:
            raise fatal("In decode mode, RoPE only supports n_heads (shard_shape[0]) less than equal to TILE_HEIGHT")
        if tm_shape[0] != 1 or tm_shape[1] != 1:
            raise fatal("Transformation matrix must have 1st & 2nd dim equal to 1")
        if tm_spec.shape[0] != TILE:
            raise fatal("Transformation matrix must have 3rd dim equal to TILE_HEIGHT")
        if tm_spec.shape[1] != TILE:
            raise fatal("Transformation matrix must have 4th dim equal to TILE_WIDTH")
        if out_mc.shard_spec is None:
            raise fatal("bad optional access")
        if cos_shape[2] != 1:
            raise _not_emulated(op, "decode cos/sin with more than one row per user")
        cos, sin = cos[:, :, :1, :], sin[:, :, :1, :]
    else:
        if in_mc.memory_layout is not TensorMemoryLayout.INTERLEAVED:
            raise fatal("Input tensor must be interleaved in prefill mode")
        if cos_shape[0] != 1 or cos_shape[-1] != hd:
            dims = ", ".join(str(d) for d in cos_shape)
            raise fatal(f"Cos dims must match input dims: cos.shape = Shape([{dims}]), head_dim = {hd}")
        if cos_shape[1] not in (shape[1], 1):
            raise fatal(
                "Num heads in cos/sin must match input tensor num heads or be 1. "
                f"Expected {shape[1]}, got {cos_shape[1]}"
            )
        if in_mc.memory_layout is not sin_cache.memory_config().memory_layout:
            raise fatal("Input tensor and sin tensor must have same memory layout")
        if in_mc.memory_layout is not cos_cache.memory_config().memory_layout:
            raise fatal("Input tensor and cos tensor must have same memory layout")
        if tm_shape[0] != 1 or tm_shape[1] != 1:
            raise fatal("Transformation matrix must have 1st & 2nd dim equal to 1")
        if tm_shape[3] != TILE:  # probe: checked before the 3rd dim
            raise fatal("Transformation matrix must have 4th dim equal to TILE_WIDTH")
        if tm_shape[2] != TILE:
            raise fatal("Transformation matrix must have 3rd dim equal to TILE_HEIGHT")
        if cos_shape[2] < shape[2]:
            raise _not_emulated(op, "cos/sin shorter than the input's sequence")
        cos, sin = cos[:, :, : shape[2], :], sin[:, :, : shape[2], :]
    if _zero(x) or _zero(cos, sin):
        out: Array = np.broadcast_to(np.float32(0), shape)
    else:
        out = x * cos + _rotate(x, read(trans_mat)[0, 0, :TILE, :TILE]) * sin
    return _emit(np.asarray(out, dtype=np.float32), input_tensor.dtype, input_tensor.layout, device, out_mc)


# ----------------------------------------------------------------------------- paged caches


def _replace(cache: Tensor, values: Array) -> Tensor:
    """The cache tensor, in place, holding `values` (quantized to its dtype)."""
    cache._values = store(values, cache.dtype, cache.layout)
    return cache


def _page_table(op: str, page_table: Tensor) -> Array:
    if len(tuple(page_table.shape)) != 2:
        raise _not_emulated(op, f"a rank-{len(tuple(page_table.shape))} page table")
    return read(page_table)


def _block(op: str, pages: Array, row: int, pos: int, block_size: int, num_blocks: int) -> int:
    logical = pos // block_size
    if not 0 <= logical < pages.shape[1]:
        raise _not_emulated(op, f"cache position {pos} outside the page table")
    block = int(pages[row, logical])
    if not 0 <= block < num_blocks:
        raise _not_emulated(op, f"page table entry {block} outside the cache's {num_blocks} blocks")
    return block


@operation("ttnn.experimental.paged_fill_cache")
def paged_fill_cache(
    cache_tensor: Tensor,
    input_tensor: Tensor,
    page_table: Tensor,
    *,
    batch_idx_tensor: Tensor | None = None,
    batch_idx: int = 0,
    compute_kernel_config: Any = None,
    mesh_coords: Any = None,
    block_size: int | None = None,
    cache_position_modulo: int | None = None,
    valid_seq_len_tensor: Tensor | None = None,
) -> Tensor:
    """Writes a prefill input [1, kv_heads, seq, hd] into cache [blocks, kv_heads, block, hd]:
    position s of the user goes to block page_table[batch_idx, s // block] row s % block. Returns
    the cache tensor itself (probe)."""
    op = "ttnn.experimental.paged_fill_cache"
    _on_device(cache_tensor, "Cache tensor")
    _on_device(input_tensor, "Input tensor")
    _on_device(page_table, "Page table tensor")
    if valid_seq_len_tensor is not None and cache_position_modulo is None:
        raise fatal("valid_seq_len tensor is only supported when cache_position_modulo is set (bounded fill)")
    _absent(
        op,
        batch_idx_tensor=batch_idx_tensor,
        mesh_coords=mesh_coords,
        cache_position_modulo=cache_position_modulo,
        valid_seq_len_tensor=valid_seq_len_tensor,
    )
    if input_tensor.dtype is not cache_tensor.dtype:
        raise fatal(
            f"Input tensor dtype (DataType::{input_tensor.dtype.name}) must match cache tensor dtype "
            f"(DataType::{cache_tensor.dtype.name}) for paged_fill_cache; cast prefill K/V to the cache dtype before "
            "filling the paged cache."
        )
    cshape, ishape = _shape(cache_tensor), _shape(input_tensor)
    blocks, kv_heads, bs, hd = cshape
    if block_size is not None and block_size != bs:
        raise _not_emulated(op, "a block_size other than the cache's")
    cache_elems, in_elems = kv_heads * bs * hd, ishape[1] * bs * ishape[3]
    if cache_elems != in_elems:
        raise fatal(
            f"paged_fill_cache geometry mismatch: cache has {cache_elems} elems/block (kv_heads={kv_heads}, "
            f"block_size={bs}, head_dim={hd}) but input view is {in_elems} (kv_heads={ishape[1]}, block_size={bs}, "
            f"head_dim={ishape[3]})."
        )
    if ishape[1] != kv_heads:
        raise _not_emulated(op, "an input whose heads differ from the cache's (a reinterpreted cache view)")
    if ishape[0] != 1:
        raise fatal(
            f"When no batch_idx_tensor is provided, input_batch must be 1 (got {ishape[0]}); pass a batch_idx_tensor "
            "of size input_batch to fill multiple batch rows in one call."
        )
    pshape = tuple(page_table.shape)
    if len(pshape) < 2:
        raise fatal(f"ShapeBase[] index out of range. 1 not in [-4, {len(pshape)})")
    if not 0 <= batch_idx < pshape[0]:
        raise fatal("Batch idx must be within the page_table batch size")
    if page_table.dtype is not DataType.INT32:
        raise fatal("Expect page_table_tensor to have datatype INT32")
    if input_tensor.memory_config().memory_layout is not TensorMemoryLayout.INTERLEAVED:
        raise fatal("Expect input_tensor to have memory layout INTERLEAVED")
    seq = ishape[2]
    if seq > pshape[1] * bs:
        raise fatal(f"Input seq_len ({seq}) must fit in max_num_blocks_per_seq ({pshape[1]}) * block_size ({bs})")
    pt_mc = page_table.memory_config()
    if pt_mc.buffer_type is BufferType.L1 and page_table.layout is Layout.ROW_MAJOR and (pshape[-1] * 4) % 32:
        raise fatal("page table page size in bytes must be a multiple of 32 due to address alignment")
    if cache_tensor.layout is Layout.TILE and (seq % TILE or bs % TILE):
        raise _not_emulated(op, "a fill that is not whole tiles (its padding rows reach the cache)")
    pages = _page_table(op, page_table)
    x, cache = read(input_tensor), read(cache_tensor)
    if _zero(x, cache):
        return cache_tensor
    new = np.array(cache, dtype=np.float32)
    for start in range(0, seq, bs):
        block = _block(op, pages, batch_idx, start, bs, blocks)
        n = min(bs, seq - start)
        new[block, :, :n, :] = x[0, :, start : start + n, :]
    return _replace(cache_tensor, new)


@operation("ttnn.experimental.paged_update_cache")
def paged_update_cache(
    cache_tensor: Tensor,
    input_tensor: Tensor,
    *,
    update_idxs: Sequence[int] = (),
    update_idxs_tensor: Tensor | None = None,
    share_cache: bool | None = None,
    page_table: Tensor | None = None,
    batch_offset: int = 0,
    compute_kernel_config: Any = None,
    mesh_coords: Any = None,
    block_size: int | None = None,
    num_kv_heads: int | None = None,
    cache_position_modulo: int | None = None,
) -> Tensor:
    """Writes each user's decode token [1, users, heads, hd] (height sharded, one user per core)
    at its position: paged, into block page_table[u, pos // block] row pos % block; else into
    cache row u (row 0 with share_cache) at pos. Returns the cache tensor itself (probe)."""
    op = "ttnn.experimental.paged_update_cache"
    _on_device(cache_tensor, "Cache tensor")
    _on_device(input_tensor, "Input tensor")
    _absent(op, mesh_coords=mesh_coords, block_size=block_size, cache_position_modulo=cache_position_modulo)
    idxs = list(update_idxs)
    paged = page_table is not None
    if paged and update_idxs_tensor is None:
        raise fatal("Paged cache requires update_idxs tensor")
    if (update_idxs_tensor is None) == (not idxs):
        raise fatal("Only an update tensor or an update vector can be provided. Not both or neither.")
    if cache_tensor.layout is not Layout.TILE:
        raise fatal("Cache tensor in update_cache must be tilized")
    if input_tensor.layout is not Layout.TILE:
        raise fatal("Input tensor in non-fused update_cache must be tilized")
    if input_tensor.dtype not in (DataType.FLOAT32, DataType.BFLOAT16):
        raise fatal(
            "Data type of input tensor for paged_update_cache must be FLOAT32 or BFLOAT16; decode update repacks into "
            "the cache dtype and should not receive low-precision packed input"
        )
    mc = input_tensor.memory_config()
    if not input_tensor.is_sharded():
        raise fatal("Expect input_tensor to be sharded")
    if mc.memory_layout is WIDTH:
        raise fatal("Expect input_tensor to NOT have memory layout WIDTH SHARDED")
    if mc.memory_layout is not HEIGHT:
        raise _not_emulated(op, f"a {mc.memory_layout.name} input")
    cshape, ishape = _shape(cache_tensor), _shape(input_tensor)
    if ishape[0] != 1:
        raise fatal("Dim 0 of input tensor must be 1")
    users = ishape[1]
    spec = mc.shard_spec
    assert spec is not None
    if spec.num_cores() != users:
        raise fatal(
            f"Input tensor shard grid must have num_cores ({spec.num_cores()}) equal to the number of users / batch "
            f"({users}). The kernel dispatches one user per core; use a {{num_users, 1}} grid (or any CoreRangeSet "
            "whose num_cores == num_users)."
        )
    if update_idxs_tensor is not None:
        _on_device(update_idxs_tensor, "Update idxs tensor")
        _int_tensor(update_idxs_tensor, DataType.INT32, "Expected update_idxs to have datatype INT32")
        if update_idxs_tensor.memory_config().buffer_type is not BufferType.DRAM:
            raise fatal("Expect update_idxs to have buffer type DRAM")
        positions = [int(p) for p in read(update_idxs_tensor).reshape(-1)]
    else:
        positions = [int(p) for p in idxs]
    if len(positions) != users:
        raise fatal(f"Number of update_idxs ({len(positions)}) should match batch size ({users})")
    if batch_offset != 0:
        raise fatal("batch_offset must be 0")
    blocks, kv_heads, rows, hd = cshape
    pages: Array | None = None
    if page_table is not None:
        _on_device(page_table, "Page table tensor")
        _int_tensor(page_table, DataType.INT32, "Expect page table to have datatype INT32")
        if page_table.layout is not Layout.ROW_MAJOR:
            raise fatal("Expect page table to have memory layout in ROW MAJOR")
        if page_table.shape[0] != users:
            raise fatal("Batch size between page_table and input_tensor must match")
        view_heads = num_kv_heads if num_kv_heads is not None else kv_heads
        cache_elems, view_elems = kv_heads * rows * hd, view_heads * rows * ishape[3]
        if cache_elems != view_elems:
            raise fatal(
                f"paged_update_cache geometry mismatch: cache has {cache_elems} elems/block (kv_heads={kv_heads}, "
                f"block_size={rows}, head_dim={hd}) but call view is {view_elems} (kv_heads={view_heads}, "
                f"block_size={rows}, head_dim={ishape[3]})."
            )
        pages = _page_table(op, page_table)
    elif not share_cache and cshape[0] != users:
        raise fatal("Expect batch in input tensor match the batch in cache tensor")
    if ishape[2] != kv_heads or ishape[3] != hd:
        raise _not_emulated(op, "an input whose heads or head dim differ from the cache's")
    x, cache = read(input_tensor), read(cache_tensor)
    if _zero(x, cache):
        return cache_tensor
    new = np.array(cache, dtype=np.float32)
    for u, pos in enumerate(positions):
        if pos < 0:
            raise _not_emulated(op, f"update position {pos}")
        if pages is not None:
            block, row = _block(op, pages, u, pos, rows, blocks), pos % rows
        else:
            if pos >= rows:
                raise _not_emulated(op, f"update position {pos} past the cache's {rows} rows")
            block, row = (0 if share_cache else u), pos
        new[block, :, row, :] = x[0, u]
    return _replace(cache_tensor, new)


# ----------------------------------------------------------------------------- decode attention


def _attend(q: Array, k: Array, v: Array, scale: float, allowed: Array, sink: Array | None) -> Array:
    """softmax(q k^T scale over the allowed keys [+ a per-head sink logit x scale]) v, grouped kv.
    q [nh, d], k / v [nkv, S, d], allowed [S]; -> [nh, dv] (ttnn's decode golden)."""
    group = q.shape[0] // k.shape[0]
    k, v = np.repeat(k, group, axis=0), np.repeat(v, group, axis=0)
    scores = np.einsum("hd,hsd->hs", q, k) * np.float32(scale)
    scores = np.where(allowed[None, :], scores, np.float32(-np.inf))
    if sink is not None:
        scores = np.concatenate([scores, sink.reshape(-1, 1) * np.float32(scale)], axis=-1)
    with np.errstate(invalid="ignore"):
        probs = np.exp(scores - scores.max(axis=-1, keepdims=True))
        probs = probs / probs.sum(axis=-1, keepdims=True)
    if sink is not None:
        probs = probs[:, :-1]
    return np.asarray(np.einsum("hs,hsd->hd", probs, v), dtype=np.float32)


def _program_config(program_config: Any, device: MeshDevice) -> None:
    if program_config is None:
        return
    chunk = int(getattr(program_config, "k_chunk_size", 0) or 0)
    if chunk and chunk & (chunk - 1):
        raise fatal(f"User provided k_chunk_size must be power of 2, got: {chunk}")
    grid = getattr(program_config, "compute_with_storage_grid_size", None)
    if grid is not None:
        g = device.compute_with_storage_grid_size()
        if grid.x * grid.y > g.x * g.y:
            raise fatal(f"Cores available ({grid.x * grid.y}) exceeds grid size ({g.x * g.y})")


@operation("ttnn.transformer.paged_scaled_dot_product_attention_decode")
def paged_scaled_dot_product_attention_decode(
    input_tensor_q: Tensor,
    input_tensor_k: Tensor,
    input_tensor_v: Tensor,
    page_table_tensor: Tensor,
    *,
    is_causal: bool = True,
    attn_mask: Tensor | None = None,
    cur_pos_tensor: Tensor | None = None,
    attention_sink: Tensor | None = None,
    scale: float | None = None,
    sliding_window_size: int | None = None,
    memory_config: MemoryConfig | None = None,
    program_config: Any = None,
    compute_kernel_config: Any = None,
    paged_cache_geometry: Any = None,
    cache_position_modulo: int | None = None,
    spec_multi_pos_tiles: int = 0,
) -> Tensor:
    """Decode attention of q [1, users, nh, d] over paged k / v caches [blocks, nkv, block, d]
    (user u's keys: the blocks page_table[u] in order): causal up to cur_pos[u] (a negative
    position gives zeros), an optional sliding window (keys past pos - window) and per-head sink
    logits [nh, 32] (column 0). Output: q's shape and dtype, TILE, DRAM interleaved unless
    memory_config (probe)."""
    op = "ttnn.transformer.paged_scaled_dot_product_attention_decode"
    device = _on_device(input_tensor_q, "Input tensor Q")
    for t, which in ((input_tensor_k, "K"), (input_tensor_v, "V"), (page_table_tensor, "page table")):
        _on_device(t, f"Input tensor {which}")
    _absent(op, paged_cache_geometry=paged_cache_geometry, cache_position_modulo=cache_position_modulo)
    if spec_multi_pos_tiles:
        raise _not_emulated(op, "spec_multi_pos_tiles")
    qs, ks, vs = _shape(input_tensor_q), _shape(input_tensor_k), _shape(input_tensor_v)
    if input_tensor_q.dtype not in _FLOATS - {DataType.FLOAT32}:
        raise fatal(f"Unsupported data type DataType::{input_tensor_q.dtype.name}.")
    if attn_mask is not None:
        if is_causal:
            raise fatal(
                "attn_mask must not be provided when is_causal=True. Pass is_causal=False to use an explicit mask."
            )
        raise _not_emulated(op, "an attn_mask")
    if not qs[3] == ks[3] == vs[3]:
        raise fatal("Q, K, V must have same hidden size")
    nh, nkv = qs[2], ks[1]
    if nkv < 1 or nh % nkv:
        raise fatal(f"GQA expects Q to have a multiple of K heads, but got {nh} and {nkv}")
    users = qs[1]
    pt_rows = page_table_tensor.padded_shape[0]
    if cur_pos_tensor is None:
        if is_causal:
            raise fatal("Must have cur_pos tensor for paged attention in causal mode")
    else:
        _on_device(cur_pos_tensor, "cur_pos tensor")
        if cur_pos_tensor.dtype is not DataType.INT32:
            raise fatal(f"Expect cur_pos to be INT32, got DataType::{cur_pos_tensor.dtype.name}")
        cur_rows = cur_pos_tensor.shape[0]
        if cur_rows != pt_rows:
            raise fatal(f"cur_pos must have batch size equal to Q, got {cur_rows} and {pt_rows}")
    if page_table_tensor.dtype is not DataType.INT32:
        raise fatal("Error: SDPA currently only supports INT32 datatype")
    if attention_sink is not None:
        _on_device(attention_sink, "Attention sink")
        sink_shape = tuple(attention_sink.shape)
        if len(sink_shape) != 2:
            raise fatal("Attention sink must have 2 dimensions")
        if attention_sink.dtype is not DataType.BFLOAT16:
            raise fatal(f"Attention sink must by a BF16 tensor, but got DataType::{attention_sink.dtype.name}")
        if sink_shape[1] != TILE:
            raise fatal(f"Attention sink must be a single tile wide, but got {sink_shape[1]}")
        sink_heads = attention_sink.padded_shape[0]
        if sink_heads != input_tensor_q.padded_shape[2]:
            raise fatal(f"Attention sink must have the same padded num heads as Q but got {sink_heads}")
        if sink_shape[0] < nh:
            raise _not_emulated(op, f"a sink of {sink_shape[0]} heads for {nh} query heads")
    _program_config(program_config, device)
    if len(qs) != 4 or len(ks) != 4 or len(vs) != 4 or ks[:3] != vs[:3]:
        raise _not_emulated(op, "these q/k/v shapes")
    if users != pt_rows:
        raise _not_emulated(op, f"{users} users over a page table of {pt_rows} rows")
    if sliding_window_size is not None and sliding_window_size <= 0:
        raise _not_emulated(op, f"sliding_window_size={sliding_window_size}")
    pages = _page_table(op, page_table_tensor)
    blocks, _, bs, d = ks
    length = pages.shape[1] * bs
    if users * nh * length > ATTENTION_ELEMENTS:
        raise _not_emulated(op, f"{users * nh * length} attention scores (host memory guard: {ATTENTION_ELEMENTS})")
    factor = scale if scale is not None else 1.0 / float(np.sqrt(d))
    mc = memory_config if memory_config is not None else DRAM_MEMORY_CONFIG
    q, k, v = read(input_tensor_q), read(input_tensor_k), read(input_tensor_v)
    # non-causal decode attends every cached key whatever cur_pos says (ttnn's golden)
    positions = (
        [int(p) for p in read(cur_pos_tensor).reshape(-1)]
        if is_causal and cur_pos_tensor is not None
        else [length - 1] * users
    )
    sink = read(attention_sink)[:nh, 0] if attention_sink is not None else None
    if _zero(q, k, v) and (sink is None or _zero(sink)) and all(p >= 0 for p in positions):
        return _emit(np.broadcast_to(np.float32(0), qs), input_tensor_q.dtype, Layout.TILE, device, mc)
    out = np.zeros(qs, dtype=np.float32)
    keys = np.arange(length)
    for u in range(users):
        pos = positions[u]
        if pos < 0:
            continue
        ids = [_block(op, pages, u, s, bs, blocks) for s in range(0, length, bs)]
        ku = np.concatenate([k[b] for b in ids], axis=1)  # [nkv, length, d]
        vu = np.concatenate([v[b] for b in ids], axis=1)
        allowed = keys <= pos
        if sliding_window_size is not None:  # ttnn's golden: causal keeps the last `window` keys, else +- window // 2
            w = sliding_window_size
            allowed &= keys > pos - w if is_causal else keys >= pos - w // 2
        out[0, u] = _attend(q[0, u], ku, vu, factor, allowed, sink)
    return _emit(out, input_tensor_q.dtype, Layout.TILE, device, mc)


# ----------------------------------------------------------------------------- reductions


@operation("ttnn.experimental.fast_reduce_nc")
def fast_reduce_nc(
    input: Tensor,
    *,
    dims: Sequence[int] = (),
    output: Tensor | None = None,
    memory_config: MemoryConfig = DRAM_MEMORY_CONFIG,
    compute_kernel_config: Any = None,
    sub_core_grids: CoreRangeSet | None = None,
) -> Tensor:
    """Sums a TILE tensor over outer dims (0 .. rank-3), keeping them as 1. Probe: the output's
    shape is the input's padded shape (a tile-padded input's padding becomes logical), the input's
    dtype, TILE, memory_config (default DRAM interleaved)."""
    op = "ttnn.experimental.fast_reduce_nc"
    device = _on_device(input, "Input tensor")
    _absent(op, output=output, sub_core_grids=sub_core_grids)
    wanted = [int(d) for d in dims]
    if not wanted:
        raise fatal("fast_reduce_nc dims should not be empty")
    rank = len(tuple(input.shape))
    if rank <= 2:
        raise fatal(f"FastReduceNC input rank must be greater than 2, but has {rank}")
    for d in wanted:
        if not -rank <= d < rank:
            raise fatal(f"ShapeBase[] index out of range. {d} not in [-{max(rank, 4)}, {rank})")
        if not 0 <= d <= rank - 3:
            raise fatal(f"FastReduceNC reduces only outer dims: dim must be between 0 and {rank - 3}, but has {d}")
    if input.layout is not Layout.TILE:
        raise fatal("FastReduceNC input only supports TILE layout.")
    if input.dtype not in (DataType.BFLOAT16, DataType.BFLOAT8_B, DataType.FLOAT32):
        raise fatal("FastReduceNC input only supports specific data types. [BFLOAT16, BFLOAT8_B, FLOAT32]")
    padded = padded_dims(tuple(input.shape), Layout.TILE)
    shape = tuple(1 if i in wanted else n for i, n in enumerate(padded))
    x = read(input)
    if _zero(x):
        out: Array = np.broadcast_to(np.float32(0), shape)
    else:
        full = np.zeros(padded, dtype=np.float32)
        full[tuple(slice(0, n) for n in x.shape)] = x
        out = full.sum(axis=tuple(sorted(set(wanted))), keepdims=True)
    return _emit(out, input.dtype, Layout.TILE, device, memory_config)
