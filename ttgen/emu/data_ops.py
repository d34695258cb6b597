"""Emulated ttnn data-movement, reduction, attention and distributed-norm operations: embedding,
slice, concat, repeat, sum, argmax, topk, the nlp heads ops, scaled_dot_product_attention and
the rms/layer norm pre/post all-gather halves. Each models ttnn 0.81.1's output spec (shape, the
layout's padding, dtype, layout, memory config; rules probed on the real wheel with a mock
cluster) and computes its values in numpy on the stored (dequantized) inputs, quantized to the
output dtype. A mesh tensor runs once per device (ttgen.emu.calls). An argument form whose
answer was not probed (sharded memory configs, tensor-valued slice bounds, ...) raises
NotEmulatedError rather than guessing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ttgen.emu.calls import operation
from ttgen.emu.device import MeshDevice
from ttgen.emu.ops import _on_device  # one check that an input is on a device
from ttgen.emu.tensor import Tensor, fatal, read, store
from ttgen.emu.types import DRAM_MEMORY_CONFIG, MemoryConfig
from ttgen.facts.enums import BufferType, DataType, Layout

Array = np.ndarray[Any, np.dtype[Any]]
TILE = 32
SCORES_ELEMENTS = 1 << 26  # sdpa's materialized q k^T: more is reported as not emulated
_FLOATS = {DataType.FLOAT32, DataType.BFLOAT16, DataType.BFLOAT8_B, DataType.BFLOAT4_B}


def _not_emulated(op: str, form: str) -> NotImplementedError:
    from ttgen.emu import NotEmulatedError

    return NotEmulatedError(f"{op} is not emulated for {form}")


def _emit(values: Array, dtype: DataType, layout: Layout, device: MeshDevice, mc: MemoryConfig) -> Tensor:
    return Tensor._from_values(store(values, dtype, layout), dtype, layout).on_device(device, mc)


def _interleaved(op: str, *configs: MemoryConfig | None) -> None:
    """Only interleaved inputs and outputs are modelled: a sharded one's output spec is ttnn's own
    derivation per op, not probed."""
    for mc in configs:
        if mc is not None and mc.is_sharded():
            raise _not_emulated(op, "sharded memory configs")


def _absent(op: str, **given: Any) -> None:
    for name, value in given.items():
        if value is not None and value is not False:
            raise _not_emulated(op, f"a given {name}")


def _dim(dim: int, rank: int) -> int:
    d = dim + rank if dim < 0 else dim
    if not 0 <= d < rank:
        raise fatal(f"Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], but got {dim})")
    return d


# ----------------------------------------------------------------------------- embedding


@operation("ttnn.embedding")
def embedding(
    input_tensor: Tensor,
    weight: Tensor,
    *,
    padding_idx: int | None = None,
    layout: Layout | None = None,
    embeddings_type: Any = None,
    dtype: DataType | None = None,
    memory_config: MemoryConfig | None = None,
    output_tensor: Tensor | None = None,
) -> Tensor:
    """[batch, seq] ids (batch = dim 0, seq = the last dim) -> [batch, seq, hidden]. Probe: the
    layout defaults to the weight's, the dtype to the weight's (a typecast needs TILE output),
    the memory config to the ids' (not the weight's)."""
    op = "ttnn.embedding"
    device = _on_device(input_tensor, "Input tensor")
    _on_device(weight, "Weight tensor")
    _absent(op, output_tensor=output_tensor)
    _interleaved(op, input_tensor.memory_config(), weight.memory_config(), memory_config)
    shape = tuple(input_tensor.shape)
    if not shape or input_tensor.dtype in _FLOATS:
        raise _not_emulated(op, "float or rank-0 ids")
    batch, seq = (shape[0], shape[-1]) if len(shape) > 1 else (1, shape[0])
    if batch * seq != input_tensor.logical_volume():
        raise _not_emulated(op, f"ids of shape {list(shape)}")
    out_layout = layout or weight.layout
    out_dtype = dtype or weight.dtype
    if out_layout is not Layout.TILE and out_dtype is not weight.dtype:
        raise fatal("Can only typecast output embeddings when producing TILE_LAYOUT output")
    table = read(weight)
    table = table.reshape(-1, table.shape[-1])
    ids = read(input_tensor).reshape(batch, seq)
    out = table[np.clip(ids, 0, table.shape[0] - 1)]  # indexing, not np.take: take copies a broadcast table whole
    mc = memory_config if memory_config is not None else input_tensor.memory_config()
    return _emit(out, out_dtype, out_layout, device, mc)


# ----------------------------------------------------------------------------- slice, concat, repeat


@operation("ttnn.slice")
def slice_(
    input_tensor: Tensor,
    starts: Any = None,
    ends: Any = None,
    steps: Sequence[int] | None = None,
    *,
    slice_start: Sequence[int] | None = None,
    slice_end: Sequence[int] | None = None,
    slice_step: Sequence[int] | None = None,
    memory_config: MemoryConfig | None = None,
    output_tensor: Tensor | None = None,
    pad_value: float | None = None,
    slice_dim: int | None = None,
    num_devices: int | None = None,
    sub_core_grids: Any = None,
) -> Tensor:
    """The sequence overloads: (t, starts, ends, steps) and (t, slice_start, slice_end,
    slice_step). The memory config defaults to the input's (probe)."""
    op = "ttnn.slice"
    device = _on_device(input_tensor, "Input tensor")
    starts = starts if starts is not None else slice_start
    ends = ends if ends is not None else slice_end
    steps = steps if steps is not None else slice_step
    if isinstance(starts, Tensor) or isinstance(ends, Tensor):
        raise _not_emulated(op, "tensor-valued bounds")
    _absent(op, output_tensor=output_tensor, slice_dim=slice_dim, num_devices=num_devices)
    _interleaved(op, input_tensor.memory_config(), memory_config)
    if starts is None or ends is None:
        raise TypeError("slice() needs starts and ends")
    shape = tuple(input_tensor.shape)
    begin, end = [int(s) for s in starts], [int(e) for e in ends]
    step = [int(s) for s in steps] if steps is not None else [1] * len(shape)
    if not len(begin) == len(end) == len(step) == len(shape):
        raise _not_emulated(op, "bounds of another rank than the input")
    if any(s <= 0 for s in step):
        raise _not_emulated(op, "non-positive steps")
    if input_tensor.layout is Layout.TILE and any(s != 1 for s in step):
        raise _not_emulated(op, "strided TILE slices")
    index = tuple(slice(b, e, s) for b, e, s in zip(begin, end, step, strict=True))
    out = read(input_tensor)[index]
    if any(d == 0 for d in out.shape):
        raise _not_emulated(op, "empty slices")
    mc = memory_config if memory_config is not None else input_tensor.memory_config()
    return _emit(out, input_tensor.dtype, input_tensor.layout, device, mc)


@operation("ttnn.concat")
def concat(
    tensors: Sequence[Tensor],
    dim: int = 0,
    *,
    memory_config: MemoryConfig | None = None,
    output_tensor: Tensor | None = None,
    groups: int = 1,
    sub_core_grids: Any = None,
) -> Tensor:
    """Concatenation of same-rank tensors of one dtype and layout. Probe: with no memory config
    given the output is DRAM interleaved, an L1 first input too; only inputs after the first all in
    DRAM are modelled so for that default (all-L1 inputs were not probed)."""
    op = "ttnn.concat"
    tensors = list(tensors)
    if not tensors:
        raise fatal("ttnn.concat: expected a non-empty list of Tensors!")
    device = _on_device(tensors[0], "Input tensor")
    for t in tensors[1:]:
        _on_device(t, "Input tensor")
    _absent(op, output_tensor=output_tensor)
    if groups != 1:
        raise _not_emulated(op, "groups != 1")
    _interleaved(op, memory_config, *(t.memory_config() for t in tensors))
    first = tensors[0]
    rank = len(first.shape)
    if any(len(t.shape) != rank or t.dtype is not first.dtype or t.layout is not first.layout for t in tensors):
        raise _not_emulated(op, "inputs of mixed rank, dtype or layout")
    d = _dim(dim, rank)
    if any(
        tuple(t.shape)[:d] + tuple(t.shape)[d + 1 :] != tuple(first.shape)[:d] + tuple(first.shape)[d + 1 :]
        for t in tensors
    ):
        raise _not_emulated(op, "inputs whose other dims differ")
    if memory_config is None and any(t.memory_config().buffer_type is not BufferType.DRAM for t in tensors[1:]):
        raise _not_emulated(op, "the default memory config of L1 inputs")
    out = np.concatenate([read(t) for t in tensors], axis=d)
    return _emit(out, first.dtype, first.layout, device, memory_config or DRAM_MEMORY_CONFIG)


@operation("ttnn.repeat")
def repeat(
    input_tensor: Tensor,
    repeat_dims: Sequence[int] | Any,
    *,
    memory_config: MemoryConfig | None = None,
    optional_output_tensor: Tensor | None = None,
) -> Tensor:
    """Tiles the input `repeat_dims[i]` times along dim i; the memory config defaults to the input's."""
    op = "ttnn.repeat"
    device = _on_device(input_tensor, "Input tensor")
    _absent(op, optional_output_tensor=optional_output_tensor)
    _interleaved(op, input_tensor.memory_config(), memory_config)
    reps = [int(r) for r in repeat_dims]
    if len(reps) != len(input_tensor.shape) or any(r < 1 for r in reps):
        raise _not_emulated(op, f"repeat_dims {reps} on a rank-{len(input_tensor.shape)} input")
    out = np.tile(read(input_tensor), reps)
    mc = memory_config if memory_config is not None else input_tensor.memory_config()
    return _emit(out, input_tensor.dtype, input_tensor.layout, device, mc)


# ----------------------------------------------------------------------------- reductions


def _reduce_dims(op: str, dim: int | Sequence[int] | None, rank: int) -> tuple[int, ...]:
    if dim is None:
        raise _not_emulated(op, "a reduction over all dims")  # ttnn's rank-0 result, not modelled
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    out = tuple(sorted({_dim(int(d), rank) for d in dims}))
    if not out:
        raise _not_emulated(op, "an empty dim list")
    return out


@operation("ttnn.sum")
def sum_(
    input_tensor: Tensor,
    dim: int | Sequence[int] | None = None,
    keepdim: bool = False,
    *,
    memory_config: MemoryConfig | None = None,
    compute_kernel_config: Any = None,
    scalar: float = 1.0,
    correction: bool | None = None,
    sub_core_grids: Any = None,
    fast_and_approximate_mode: bool = False,
    output_layout: Layout | None = None,
) -> Tensor:
    """Probe: the input's dtype, layout and memory config; keepdim=False drops the reduced dims."""
    op = "ttnn.sum"
    device = _on_device(input_tensor, "Input tensor")
    _interleaved(op, input_tensor.memory_config(), memory_config)
    if input_tensor.dtype not in _FLOATS:
        raise _not_emulated(op, "integer inputs")
    if output_layout is not None and output_layout is not input_tensor.layout:
        raise _not_emulated(op, "an output_layout other than the input's")
    dims = _reduce_dims(op, dim, len(input_tensor.shape))
    out = read(input_tensor).sum(axis=dims, keepdims=keepdim) * np.float32(scalar)
    mc = memory_config if memory_config is not None else input_tensor.memory_config()
    return _emit(np.asarray(out, dtype=np.float32), input_tensor.dtype, input_tensor.layout, device, mc)


@operation("ttnn.argmax")
def argmax(
    input_tensor: Tensor,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    sub_core_grids: Any = None,
    memory_config: MemoryConfig | None = None,
    output_tensor: Tensor | None = None,
    enable_secondary_dm: bool | None = None,
) -> Tensor:
    """Probe: UINT32 in ROW_MAJOR (a TILE input too), the input's memory config."""
    op = "ttnn.argmax"
    device = _on_device(input_tensor, "Input tensor")
    _absent(op, output_tensor=output_tensor, sub_core_grids=sub_core_grids)
    _interleaved(op, input_tensor.memory_config(), memory_config)
    if dim is None:
        raise _not_emulated(op, "dim=None")
    d = _dim(dim, len(input_tensor.shape))
    out = np.argmax(read(input_tensor), axis=d)
    if keepdim:
        out = np.expand_dims(out, d)
    mc = memory_config if memory_config is not None else input_tensor.memory_config()
    return _emit(out.astype(np.int64), DataType.UINT32, Layout.ROW_MAJOR, device, mc)


@operation("ttnn.topk")
def topk(
    input_tensor: Tensor,
    k: int = 32,
    dim: int = -1,
    largest: bool = True,
    sorted: bool = True,
    *,
    memory_config: MemoryConfig | None = None,
    sub_core_grids: Any = None,
    indices_tensor: Tensor | None = None,
    output_tensor: Any = None,
    stable: bool = False,
) -> list[Tensor]:
    """[values, indices] along the last dim of a TILE input. Probe: values keep the input's dtype,
    indices are UINT16 (UINT32 once the dim outgrows 16 bits), both TILE, the input's memory config.
    An indices_tensor (the input's shape, TILE, UINT16/UINT32/INT32 at least as wide, last dim only)
    gives the indices' values, gathered at the selected positions, and their dtype."""
    op = "ttnn.topk"
    device = _on_device(input_tensor, "Input tensor")
    _absent(op, output_tensor=output_tensor, sub_core_grids=sub_core_grids)
    _interleaved(op, input_tensor.memory_config(), memory_config)
    rank = len(input_tensor.shape)
    size = int(input_tensor.shape[-1]) if rank else 1
    index_dtype = DataType.UINT16 if size < 1 << 16 else DataType.UINT32
    if indices_tensor is not None:
        index_dtype = _topk_indices(input_tensor, indices_tensor, dim, index_dtype)
    if input_tensor.layout is not Layout.TILE or input_tensor.dtype not in _FLOATS:
        raise _not_emulated(op, "a non-TILE or integer input")
    if _dim(dim, rank) != rank - 1:
        raise _not_emulated(op, "a dim other than the last")
    if not 1 <= k <= size or size == 1 << 16:
        raise _not_emulated(op, f"k={k} over a dim of {size}")
    x = read(input_tensor)
    order = np.argsort(-x if largest else x, axis=-1, kind="stable")[..., :k]
    if not sorted:
        order = np.sort(order, axis=-1)
    values = np.take_along_axis(x, order, axis=-1)
    indices = order if indices_tensor is None else np.take_along_axis(read(indices_tensor), order, axis=-1)
    mc = memory_config if memory_config is not None else input_tensor.memory_config()
    return [
        _emit(values, input_tensor.dtype, Layout.TILE, device, mc),
        _emit(indices.astype(np.int64), index_dtype, Layout.TILE, device, mc),
    ]


def _topk_indices(input_tensor: Tensor, indices: Tensor, dim: int, default: DataType) -> DataType:
    """topk's checks of an indices_tensor (probe, in this order); the output indices' dtype."""
    if not isinstance(indices, Tensor) or indices.device() is None:
        raise fatal("Device Operations expect device tensors as inputs")
    rank = len(input_tensor.shape)
    if _dim(dim, rank) != rank - 1:
        raise fatal(
            f"Indices tensor is only supported for a reduction on the last dimension, got dim={dim} for rank {rank}"
        )
    if indices.dtype not in (DataType.UINT16, DataType.UINT32, DataType.INT32):
        raise fatal(f"Optional indices tensor must be UINT16, UINT32, or INT32, got: DataType::{indices.dtype.name}")
    if indices.layout is not Layout.TILE:
        raise fatal(f"Optional indices tensor must be in tiled format, got: Layout::{indices.layout.name}")
    if tuple(indices.shape) != tuple(input_tensor.shape):
        raise fatal(
            f"Indices tensor has incorrect shape! Got : Shape({list(indices.shape)}), "
            f"expected: Shape({list(input_tensor.shape)})"
        )
    if default is DataType.UINT32 and indices.dtype is DataType.UINT16:
        raise fatal(
            "Optional indices tensor must be the same width as the output indices dtype DataType::UINT32, "
            "got: DataType::UINT16"
        )
    return indices.dtype


# ----------------------------------------------------------------------------- attention heads


@operation("ttnn.experimental.nlp_create_qkv_heads")
def nlp_create_qkv_heads(
    input: Tensor,
    input_kv: Tensor | None = None,
    *,
    num_heads: int,
    num_kv_heads: int | None = None,
    transpose_k_heads: bool = True,
    kv_tied: bool = False,
    memory_config: MemoryConfig | None = None,
    output_tensors: Any = None,
) -> tuple[Tensor, Tensor, Tensor]:
    """A fused [B, 1, S, (nh + 2 nkv) hd] TILE input -> q [B, nh, S, hd], k [B, nkv, S, hd]
    (or [B, nkv, hd, S] transposed, ttnn's default), v [B, nkv, S, hd]; num_kv_heads defaults
    to num_heads; the input's memory config (probe)."""
    op = "ttnn.experimental.nlp_create_qkv_heads"
    device = _on_device(input, "Input tensor")
    _absent(op, input_kv=input_kv, kv_tied=kv_tied, output_tensors=output_tensors)
    _interleaved(op, input.memory_config(), memory_config)
    nkv = num_heads if num_kv_heads is None else num_kv_heads
    shape = tuple(input.shape)
    if len(shape) != 4 or shape[1] != 1 or input.layout is not Layout.TILE:
        raise _not_emulated(op, f"an input of shape {list(shape)} in {input.layout.name}")
    b, _, s, w = shape
    heads = num_heads + 2 * nkv
    if num_heads < 1 or nkv < 1 or w % heads or (w // heads) % TILE or s % TILE:
        raise _not_emulated(op, f"width {w} over {num_heads} q and {nkv} kv heads")
    hd = w // heads
    x = read(input)[:, 0]  # [B, S, W]
    q = x[..., : num_heads * hd].reshape(b, s, num_heads, hd).transpose(0, 2, 1, 3)
    k = x[..., num_heads * hd : (num_heads + nkv) * hd].reshape(b, s, nkv, hd).transpose(0, 2, 1, 3)
    v = x[..., (num_heads + nkv) * hd :].reshape(b, s, nkv, hd).transpose(0, 2, 1, 3)
    if transpose_k_heads:
        k = k.transpose(0, 1, 3, 2)
    mc = memory_config if memory_config is not None else input.memory_config()
    return (
        _emit(q, input.dtype, Layout.TILE, device, mc),
        _emit(k, input.dtype, Layout.TILE, device, mc),
        _emit(v, input.dtype, Layout.TILE, device, mc),
    )


@operation("ttnn.experimental.nlp_concat_heads")
def nlp_concat_heads(input_tensor: Tensor, *, memory_config: MemoryConfig | None = None) -> Tensor:
    """[B, nh, S, hd] TILE -> [B, 1, S, nh hd]; the input's memory config (probe)."""
    op = "ttnn.experimental.nlp_concat_heads"
    device = _on_device(input_tensor, "Input tensor")
    _interleaved(op, input_tensor.memory_config(), memory_config)
    shape = tuple(input_tensor.shape)
    if len(shape) != 4 or input_tensor.layout is not Layout.TILE or shape[2] % TILE or shape[3] % TILE:
        raise _not_emulated(op, f"an input of shape {list(shape)} in {input_tensor.layout.name}")
    b, nh, s, hd = shape
    out = read(input_tensor).transpose(0, 2, 1, 3).reshape(b, 1, s, nh * hd)
    mc = memory_config if memory_config is not None else input_tensor.memory_config()
    return _emit(out, input_tensor.dtype, Layout.TILE, device, mc)


@operation("ttnn.transformer.scaled_dot_product_attention")
def scaled_dot_product_attention(
    input_tensor_q: Tensor,
    input_tensor_k: Tensor,
    input_tensor_v: Tensor,
    *,
    attn_mask: Tensor | None = None,
    is_causal: bool = True,
    scale: float | None = None,
    sliding_window_size: int | None = None,
    memory_config: MemoryConfig | None = None,
    program_config: Any = None,
    compute_kernel_config: Any = None,
    attention_sink: Tensor | None = None,
    cu_window_seqlens: Tensor | None = None,
    windowed_q_token_offset: int = 0,
    windowed_q_token_offset_tensor: Tensor | None = None,
    output_concat_heads: bool = False,
    attn_mask_block_map: Tensor | None = None,
) -> Tensor:
    """softmax(q k^T scale [+ causal / sliding-window mask] [+ sink]) v over grouped kv heads:
    [B, nqh, Sq, dv] in q's dtype, TILE; the memory config defaults to DRAM interleaved whatever
    q's (probe). A sliding window keeps keys past q - window (causal) or within window // 2 of q;
    attention_sink [1, nqh, 1, 1] adds one logit per head (x scale) to the softmax, ttnn's golden."""
    op = "ttnn.transformer.scaled_dot_product_attention"
    device = _on_device(input_tensor_q, "Input tensor Q")
    for t, which in ((input_tensor_k, "K"), (input_tensor_v, "V")):
        _on_device(t, f"Input tensor {which}")
    _absent(
        op,
        attn_mask=attn_mask,
        cu_window_seqlens=cu_window_seqlens,
        windowed_q_token_offset=windowed_q_token_offset or None,
        windowed_q_token_offset_tensor=windowed_q_token_offset_tensor,
        output_concat_heads=output_concat_heads,
        attn_mask_block_map=attn_mask_block_map,
    )
    tensors = (input_tensor_q, input_tensor_k, input_tensor_v)
    _interleaved(op, memory_config, *(t.memory_config() for t in tensors))
    if any(len(t.shape) != 4 or t.layout is not Layout.TILE for t in tensors):
        raise _not_emulated(op, "inputs other than rank-4 TILE")
    b, nqh, sq, d = tuple(input_tensor_q.shape)
    kb, nkh, sk, kd = tuple(input_tensor_k.shape)
    vb, vh, vs, _ = tuple(input_tensor_v.shape)
    if (kb, vb) != (b, b) or vh != nkh or vs != sk or kd != d or nkh < 1 or nqh % nkh or (is_causal and sq != sk):
        raise _not_emulated(op, "these q/k/v shapes")
    if sq % TILE or sk % TILE:
        raise _not_emulated(op, "sequence lengths that are not tile multiples")
    if sliding_window_size is not None and sliding_window_size <= 0:
        raise _not_emulated(op, f"sliding_window_size={sliding_window_size}")
    sink = _sdpa_sink(attention_sink, nqh) if attention_sink is not None else None
    if b * nqh * sq * sk > SCORES_ELEMENTS:
        raise _not_emulated(op, f"{b * nqh * sq * sk} attention scores (host memory guard: {SCORES_ELEMENTS})")
    q = read(input_tensor_q)
    group = nqh // nkh
    k = np.repeat(read(input_tensor_k), group, axis=1)
    v = np.repeat(read(input_tensor_v), group, axis=1)
    factor = np.float32(scale if scale is not None else 1.0 / np.sqrt(d))
    scores = (q @ np.swapaxes(k, -1, -2)) * factor
    query = np.arange(sk - sq, sk)[:, None]  # ttnn's golden: queries are the last sq positions
    key = np.arange(sk)[None, :]
    allowed = key <= query if is_causal else np.ones((sq, sk), dtype=bool)
    if sliding_window_size is not None:
        w = int(sliding_window_size)
        allowed = allowed & (key > query - w) if is_causal else allowed & (abs(key - query) <= w // 2)
    if is_causal or sliding_window_size is not None:
        scores = np.where(allowed, scores, np.float32(-np.inf))
    if sink is not None:
        scores = np.concatenate([scores, np.broadcast_to(sink * factor, (*scores.shape[:-1], 1))], axis=-1)
    with np.errstate(invalid="ignore"):
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores = scores / scores.sum(axis=-1, keepdims=True)
    out = (scores[..., :sk] if sink is not None else scores) @ v
    mc = memory_config if memory_config is not None else DRAM_MEMORY_CONFIG
    return _emit(out.astype(np.float32), input_tensor_q.dtype, Layout.TILE, device, mc)


def _sdpa_sink(sink: Tensor, heads: int) -> Array:
    """A prefill attention sink's per-head logits [1, heads, 1, 1], after ttnn's checks (probe)."""
    _on_device(sink, "Attention sink")
    if sink.layout is not Layout.TILE:
        raise fatal("Attention sink must be tilized")
    if sink.dtype not in (DataType.BFLOAT16, DataType.BFLOAT8_B, DataType.BFLOAT4_B):
        raise fatal("Attention sink must be in BF16, BFP8, or BFP4 dataformat")
    shape = tuple(sink.shape)
    if shape and shape[0] != 1:
        raise fatal(f"Attention sink batch dimension must be 1. Got {shape[0]}")
    if len(shape) != 4:
        raise _not_emulated("ttnn.transformer.scaled_dot_product_attention", f"a rank-{len(shape)} attention sink")
    if shape[1] != heads:
        raise fatal(f"Attention sink num_heads must match Q num_heads. Got sink: {shape[1]}, Q: {heads}")
    if shape[2] != 1:
        raise fatal(f"Attention sink sequence dimension must be 1. Got {shape[2]}")
    if shape[3] != 1:
        raise fatal(f"Attention sink hidden dimension must be 1. Got {shape[3]}")
    return read(sink).reshape(1, heads, 1, 1)


# ----------------------------------------------------------------------------- distributed norms


def _norm_input(op: str, input_tensor: Tensor, program_config: Any, *configs: MemoryConfig | None) -> int:
    """The width of a TILE input whose width is whole tiles (the modelled form)."""
    _interleaved(op, input_tensor.memory_config(), *configs)
    if program_config is not None and type(program_config).__name__ != "LayerNormDefaultProgramConfig":
        raise _not_emulated(op, f"a {type(program_config).__name__}")
    shape = tuple(input_tensor.shape)
    if (
        input_tensor.layout is not Layout.TILE
        or len(shape) < 2
        or shape[-1] % TILE
        or input_tensor.dtype not in _FLOATS
    ):
        raise _not_emulated(op, f"an input of shape {list(shape)} in {input_tensor.layout.name}")
    return int(shape[-1])


def _pre_all_gather(op: str, rms: bool) -> Any:
    def pre(
        input_tensor: Tensor,
        *,
        dtype: DataType = DataType.BFLOAT16,
        residual_input_tensor: Tensor | None = None,
        compute_kernel_config: Any = None,
        program_config: Any = None,
        memory_config: MemoryConfig | None = None,
        use_2d_core_grid: bool | None = None,
        recip_tensor: Tensor | None = None,
        fast_and_approximate_mode: bool = False,
    ) -> Tensor:
        """Per-row partial statistics, one tile wide per statistic: Σx² in column 0 (rms), Σx in
        column 0 and Σx² in column 32 (layer norm), of input (+ residual). Probe: the stats
        shape, the dtype (default BFLOAT16), TILE, the input's memory config."""
        device = _on_device(input_tensor, "Input tensor")
        _absent(op, use_2d_core_grid=use_2d_core_grid, recip_tensor=recip_tensor)
        _norm_input(op, input_tensor, program_config, memory_config)
        x = read(input_tensor)
        if residual_input_tensor is not None:
            _on_device(residual_input_tensor, "Residual tensor")
            if tuple(residual_input_tensor.shape) != tuple(input_tensor.shape):
                raise _not_emulated(op, "a residual of another shape")
            x = x + read(residual_input_tensor)
        stats = np.zeros((*x.shape[:-1], TILE if rms else 2 * TILE), dtype=np.float32)
        if rms:
            stats[..., 0] = (x * x).sum(axis=-1)
        else:
            stats[..., 0] = x.sum(axis=-1)
            stats[..., TILE] = (x * x).sum(axis=-1)
        mc = memory_config if memory_config is not None else input_tensor.memory_config()
        return _emit(stats, dtype, Layout.TILE, device, mc)

    pre.__name__ = op.rsplit(".", 1)[-1]
    return pre


def _post_all_gather(op: str, rms: bool) -> Any:
    def post(
        input_tensor: Tensor,
        stats: Tensor,
        *,
        epsilon: float = 1e-12,
        weight: Tensor | None = None,
        bias: Tensor | None = None,
        memory_config: MemoryConfig | None = None,
        compute_kernel_config: Any = None,
        program_config: Any = None,
        dtype: DataType | None = None,
        use_2d_core_grid: bool | None = None,
    ) -> Tensor:
        """The norm of input from the gathered stats of every device (their statistic tiles side
        by side): E[x²] (and E[x]) = the summed partials / (width x devices). Probe: the input's
        shape, TILE, the dtype (default the input's), the input's memory config."""
        device = _on_device(input_tensor, "Input tensor")
        _on_device(stats, "Stats tensor")
        _absent(op, use_2d_core_grid=use_2d_core_grid)
        width = _norm_input(op, input_tensor, program_config, memory_config, stats.memory_config())
        per = TILE if rms else 2 * TILE
        s = read(stats)
        if s.shape[:-1] != read(input_tensor).shape[:-1] or s.shape[-1] % per:
            raise _not_emulated(op, f"stats of shape {list(s.shape)}")
        n = width * (s.shape[-1] // per)
        x = read(input_tensor)
        ex2 = s[..., per - TILE :: per].sum(axis=-1, keepdims=True) / np.float32(n)
        with np.errstate(invalid="ignore", divide="ignore"):  # stats of a negative variance: NaN, as on device
            if rms:
                out = x / np.sqrt(ex2 + np.float32(epsilon))
            else:
                mean = s[..., 0::per].sum(axis=-1, keepdims=True) / np.float32(n)
                out = (x - mean) / np.sqrt(ex2 - mean * mean + np.float32(epsilon))
        for t, which in ((weight, "weight"), (bias, "bias")):
            if t is None:
                continue
            _on_device(t, which)
            v = read(t).reshape(-1)
            if v.size != width:
                raise _not_emulated(op, f"a {which} of {v.size} elements over width {width}")
            out = out * v if which == "weight" else out + v
        mc = memory_config if memory_config is not None else input_tensor.memory_config()
        return _emit(out.astype(np.float32), dtype or input_tensor.dtype, Layout.TILE, device, mc)

    post.__name__ = op.rsplit(".", 1)[-1]
    return post


rms_norm_pre_all_gather = operation("ttnn.rms_norm_pre_all_gather")(
    _pre_all_gather("ttnn.rms_norm_pre_all_gather", True)
)
layer_norm_pre_all_gather = operation("ttnn.layer_norm_pre_all_gather")(
    _pre_all_gather("ttnn.layer_norm_pre_all_gather", False)
)
rms_norm_post_all_gather = operation("ttnn.rms_norm_post_all_gather")(
    _post_all_gather("ttnn.rms_norm_post_all_gather", True)
)
layer_norm_post_all_gather = operation("ttnn.layer_norm_post_all_gather")(
    _post_all_gather("ttnn.layer_norm_post_all_gather", False)
)
