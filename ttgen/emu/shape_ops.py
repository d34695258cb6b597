"""Emulated ttnn shape, layout and small elementwise operations: reshape, unsqueeze,
unsqueeze_to_4D, tilize / untilize and their padding variants, zeros_like / ones_like /
full_like / empty_like, clamp, plus_one, interleaved_to_sharded and scatter.

Each models ttnn 0.81.1 as read off the real wheel on a mock N150 (probe scripts 2026-12, the
rules cited in each docstring): validation first, in ttnn's order and words, then the output
spec, then the values in numpy on the stored inputs (mock devices read back zeros, so values
follow the ops' definitions). Zero inputs stay one broadcast element (ttgen.emu.tensor.read). A
form whose answer was not probed raises NotEmulatedError naming it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ttgen.emu.calls import operation
from ttgen.emu.data_ops import _emit, _interleaved, _not_emulated
from ttgen.emu.device import MeshDevice
from ttgen.emu.ops import _on_device
from ttgen.emu.tensor import (
    ELEMENT_BYTES,
    FLOATS,
    Tensor,
    check_spec,
    fatal,
    is_broadcast_zero,
    padded_dims,
    read,
    store,
)
from ttgen.emu.types import CoreCoord, CoreRange, CoreRangeSet, MemoryConfig, Shape, ShardSpec
from ttgen.facts.enums import BufferType, DataType, Layout, ShardOrientation, StorageType, TensorMemoryLayout
from ttgen.facts.validity import broadcast_error

Array = np.ndarray[Any, np.dtype[Any]]
TILE = 32
INTS = {DataType.INT32, DataType.UINT32, DataType.UINT16, DataType.UINT8}
BLOCK_FLOATS = {DataType.BFLOAT8_B, DataType.BFLOAT4_B}
BFP8_ONLY_TILE = "Only TILE layout is supported for BFLOAT8_B dtype!"  # ttnn's words, for bfloat4_b too


def _volume(dims: Sequence[int]) -> int:
    return math.prod(dims)


def _shape(dims: Sequence[int]) -> str:
    return f"Shape({list(dims)})"


def _as_shape(values: Array, dims: tuple[int, ...]) -> Array:
    """values reshaped to dims; zeros stay one broadcast element."""
    if is_broadcast_zero(values):
        return np.broadcast_to(np.zeros((), dtype=values.dtype), dims)
    return values.reshape(dims)


def _zero_padded(t: Tensor) -> Array:
    """A tensor's values over its padded shape (ttnn pads with zeros when it tilizes)."""
    x = read(t)
    padded = tuple(t.padded_shape)
    if is_broadcast_zero(x):
        return np.broadcast_to(np.zeros((), dtype=x.dtype), padded)
    if x.ndim < len(padded):  # TILE pads a rank-0 or rank-1 tensor to rank 2
        x = x.reshape((1,) * (len(padded) - x.ndim) + x.shape)
    if x.shape == padded:
        return x
    return np.pad(x, [(0, p - n) for n, p in zip(x.shape, padded, strict=True)])


def _view(t: Tensor, values: Array) -> Tensor:
    """A view of t under another shape: a host tensor, or the same device buffer and memory
    config (ttnn's view shares the MeshBuffer: nothing new is allocated)."""
    out = Tensor._from_values(store(values, t.dtype, t.layout), t.dtype, t.layout)
    if t.storage_type() is StorageType.DEVICE:
        out._device, out._buffer, out._memory_config = t._device, t._buffer, t.memory_config()
    return out


# ----------------------------------------------------------------------------- reshape


def _infer(t: Tensor, dims: Sequence[int]) -> tuple[int, ...]:
    """ttnn's infer_dims_for_reshape: one -1 is inferred, the volume must match."""
    old = t.logical_volume()
    shape = [int(d) for d in dims]
    text = "(" + "".join(f"{d}," for d in shape) + ")"
    if shape.count(-1) > 1:
        raise fatal(f"Shape cannot have more than 1 elements that is set to -1! Shape used: {text}")
    known = _volume([d for d in shape if d != -1])
    if -1 in shape and 0 in shape:
        raise fatal(
            f"cannot reshape tensor of 0 elements into shape {text} because the unspecified dimension size -1 "
            "can be any value and is ambiguous"
        )
    if -1 not in shape:
        if known != old:
            raise fatal("Invalid arguments to reshape")
        return tuple(shape)
    if known == 0 or old % known:
        raise fatal("Invalid arguments to reshape")
    if known < 0:
        raise _not_emulated("ttnn.reshape", f"the shape {shape}")  # C++ wraps a negative volume
    return tuple(old // known if d == -1 else d for d in shape)


def _unsigned(op: str, dims: Any, name: str) -> tuple[int, ...]:
    """A ttnn.Shape argument: non-negative ints (a -1 is a TypeError in ttnn's binding)."""
    out = tuple(int(d) for d in dims)
    if any(d < 0 for d in out):
        raise TypeError(f"{op}(): incompatible function arguments: {name} must be non-negative")
    return out


def _view_padded(logical: tuple[int, ...], padded: tuple[int, ...], layout: Layout) -> tuple[int, ...]:
    """The padded shape ttnn's view gives: at least the logical shape, the last two dims
    rounded up to tiles for TILE (PerformView's tiling correction; a rank-1 shape is [32, w])."""
    if layout is Layout.TILE and len(logical) == 1:
        return padded_dims(logical, layout)
    dims = tuple(max(p, q) for p, q in zip(padded, logical, strict=True))
    return padded_dims(dims, layout)


@operation("ttnn.reshape")
def reshape(
    input_tensor: Tensor,
    shape: Sequence[int] | Shape | None = None,
    padded_shape: Sequence[int] | Shape | None = None,
    *,
    logical_shape: Sequence[int] | Shape | None = None,
    memory_config: MemoryConfig | None = None,
    pad_value: float | None = None,
    reshape_tile_mode: Any = None,
    sub_core_grids: Any = None,
    skip_padding_fill: bool = False,
) -> Tensor:
    """ttnn's overloads: (t, shape) with one -1 inferred, and (t, logical_shape, padded_shape).
    Probe (0.81.1, ttnn/.../reshape_view/reshape.cpp): a view when the last dim is kept, the
    memory config keeps its buffer and sharding, and (ROW_MAJOR, or the second-last dim kept, or
    both second-last dims whole tiles): the input's memory config, the data reinterpreted over
    the padded buffer ("MeshBuffer must be large enough" when it needs more); otherwise equal
    volumes reshape into the memory config (default the input's) with default padding, a TILE
    tensor of another volume views when the padded last dim is kept and the padded shape is
    whole tiles, and any other is refused. pad_value only fills padding, reshape_tile_mode and
    skip_padding_fill only choose how: neither changes the spec or the logical values."""
    op = "ttnn.reshape"
    if logical_shape is not None and shape is not None:
        raise TypeError("reshape() takes either shape or logical_shape")
    if logical_shape is not None or padded_shape is not None:
        wanted = logical_shape if logical_shape is not None else shape
        if wanted is None or padded_shape is None:
            raise TypeError("reshape() needs logical_shape and padded_shape together")
        logical = _unsigned(op, wanted, "logical_shape")
        padded = _unsigned(op, padded_shape, "padded_shape")
    elif shape is None:
        raise TypeError("reshape() needs a shape")
    elif isinstance(shape, Shape):
        logical = padded = _unsigned(op, shape, "shape")
    else:
        logical = padded = _infer(input_tensor, shape)
    if sub_core_grids is not None:
        raise _not_emulated(op, "sub_core_grids")
    if not isinstance(input_tensor, Tensor):
        raise TypeError("Input tensor must be a ttnn.Tensor")
    layout, dtype = input_tensor.layout, input_tensor.dtype
    old = tuple(input_tensor.shape)
    if input_tensor.logical_volume() == 0:
        raise _not_emulated(op, "an empty input")
    if _volume(logical) == 0:
        raise fatal("Tensor volume is not 0, but shape volume is 0")
    if len(padded) != len(logical):
        raise _not_emulated(op, "a padded shape of another rank than the logical shape")
    default = padded_dims(logical, layout)
    x = read(input_tensor)
    if input_tensor.device() is None or input_tensor.storage_type() is not StorageType.DEVICE:
        # a host tensor is viewed as it is (probe: the default padding, volumes equal)
        if _volume(logical) != input_tensor.logical_volume() or padded not in (logical, default):
            raise _not_emulated(op, "a host view of another volume or padding")
        return Tensor._from_values(store(_as_shape(x, logical), dtype, layout), dtype, layout)
    device = _on_device(input_tensor, "Input tensor")
    mc_in = input_tensor.memory_config()
    mc = memory_config if memory_config is not None else mc_in
    last, old_last = (logical[-1] if logical else 1), (old[-1] if old else 1)
    second, old_second = (logical[-2] if len(logical) > 1 else 1), (old[-2] if len(old) > 1 else 1)
    is_view = (
        last == old_last
        and mc.is_sharded() == mc_in.is_sharded()
        and (mc.buffer_type is BufferType.L1) == (mc_in.buffer_type is BufferType.L1)
        and (layout is Layout.ROW_MAJOR or second == old_second or (second % TILE == 0 and old_second % TILE == 0))
    )
    have = tuple(input_tensor.padded_shape)
    if not is_view and _volume(logical) != input_tensor.logical_volume():
        tile_view = (
            layout is Layout.TILE
            and len(padded) >= 2
            and padded[-2] % TILE == 0
            and padded[-1] % TILE == 0
            and have[-1] == padded[-1]
        )
        if not tile_view:
            raise fatal("Attempting to reshape between two shapes with different volumes")
        is_view = True
    if is_view:
        view = _view_padded(logical, padded, layout)
        if _volume(view) > _volume(have):
            raise fatal("MeshBuffer must be large enough to hold the tensor.")
        if view != default:
            raise _not_emulated(op, f"a view padded to {list(view)} (the emulator pads {list(default)})")
        width = view[-1] if view else 1
        if mc_in.is_sharded() and (width != have[-1] or _volume(view) != _volume(have)):
            raise _not_emulated(op, "a sharded view of another physical shape")
        if is_broadcast_zero(x):
            out = _as_shape(x, logical)
        else:
            rows = _zero_padded(input_tensor).reshape(-1, have[-1] if have else 1)
            if width != rows.shape[1]:
                raise _not_emulated(op, "a view of another padded width")
            lead = (0,) * (len(view) - len(logical))  # a rank-1 TILE view is [32, w]
            where: tuple[int | slice, ...] = (*lead, *(slice(0, d) for d in logical))
            out = rows[: _volume(view) // width].reshape(view)[where]
        return _view(input_tensor, np.asarray(out))
    allowed = {DataType.BFLOAT16, DataType.FLOAT32, DataType.INT32, DataType.UINT32}
    if dtype not in allowed and not (layout is Layout.TILE and dtype in BLOCK_FLOATS):
        raise fatal("Can only work with bfloat16/float32 or int32/uint32 tensors")
    _interleaved(op, mc_in, mc)
    if layout is Layout.ROW_MAJOR and padded != logical:
        raise _not_emulated(op, "a ROW_MAJOR reshape to a padded shape")  # reshape_rm keeps it: not representable
    return _emit(_as_shape(x, logical), dtype, layout, device, mc)


# ----------------------------------------------------------------------------- unsqueeze


@operation("ttnn.unsqueeze")
def unsqueeze(input_tensor: Tensor, dim: int) -> Tensor:
    """A 1 inserted at dim, in [-(rank+1), rank]. Probe: the input's dtype, layout and memory
    config, host tensors too; a sharded input keeps its shard spec while its last two dims stay
    (ttnn recomputes it otherwise: not modelled)."""
    op = "ttnn.unsqueeze"
    if not isinstance(input_tensor, Tensor):
        raise TypeError("Input tensor must be a ttnn.Tensor")
    old = tuple(input_tensor.shape)
    rank = len(old) + 1
    d = dim + rank if dim < 0 else dim
    if not 0 <= d < rank:
        raise fatal(f"Dimension out of range (expected to be in range of [{-rank},{rank - 1}], but got {dim})")
    new = (*old[:d], 1, *old[d:])
    return _with_shape(op, input_tensor, new)


def _with_shape(op: str, t: Tensor, new: tuple[int, ...]) -> Tensor:
    """t under a shape that differs by 1s: a view while its last two dims stay (ttnn's reshape
    rule), else a copy into the input's memory config (a sharded one is recomputed: not modelled)."""
    old = tuple(t.shape)
    values = _as_shape(read(t), new)
    if (1, 1, *old)[-2:] == (1, 1, *new)[-2:]:
        return _view(t, values)
    if t.is_sharded():
        raise _not_emulated(op, "a sharded input whose last two dims change")
    device = t.device()
    if device is None or t.storage_type() is not StorageType.DEVICE:
        return Tensor._from_values(store(values, t.dtype, t.layout), t.dtype, t.layout)
    return _emit(values, t.dtype, t.layout, device, t.memory_config())


@operation("ttnn.unsqueeze_to_4D")
def unsqueeze_to_4D(tensor: Tensor) -> Tensor:
    """Leading 1s up to rank 4; rank 4 is unchanged; more is refused. Probe: host tensors too."""
    if not isinstance(tensor, Tensor):
        raise TypeError("tensor must be a ttnn.Tensor")
    old = tuple(tensor.shape)
    if len(old) > 4:
        raise fatal("Tensor rank is greater than 4")
    return _with_shape("ttnn.unsqueeze_to_4D", tensor, (1,) * (4 - len(old)) + old)


# ----------------------------------------------------------------------------- tilize / untilize


def _untilized_dtype(t: Tensor) -> DataType:
    """ROW_MAJOR output: bfloat8_b comes out bfloat16, bfloat4_b is refused (probe)."""
    if t.dtype is DataType.BFLOAT4_B:
        raise fatal(BFP8_ONLY_TILE)
    return DataType.BFLOAT16 if t.dtype is DataType.BFLOAT8_B else t.dtype


@operation("ttnn.untilize")
def untilize(
    input_tensor: Tensor,
    *,
    memory_config: MemoryConfig | None = None,
    use_multicore: bool = True,
    sub_core_grids: CoreRangeSet | None = None,
) -> Tensor:
    """TILE -> ROW_MAJOR of the logical shape. Probe: the memory config defaults to the input's;
    use_multicore and sub_core_grids only place the work."""
    op = "ttnn.untilize"
    device = _on_device(input_tensor, "Input tensor")
    if input_tensor.layout is not Layout.TILE:
        raise fatal("Can only untilize tile major data")
    dtype = _untilized_dtype(input_tensor)
    _interleaved(op, input_tensor.memory_config(), memory_config)
    mc = memory_config if memory_config is not None else input_tensor.memory_config()
    return _emit(read(input_tensor), dtype, Layout.ROW_MAJOR, device, mc)


@operation("ttnn.untilize_with_unpadding")
def untilize_with_unpadding(
    input_tensor: Tensor,
    output_tensor_end: Sequence[int] | Shape,
    *,
    memory_config: MemoryConfig | None = None,
    use_multicore: bool = True,
    sub_core_grids: CoreRangeSet | None = None,
) -> Tensor:
    """TILE -> ROW_MAJOR of shape output_tensor_end + 1 (inclusive ends): a logical slice, or
    into the zero padding. Probe: ends past the padded shape are accepted by ttnn (they read
    beyond the tensor: not modelled), as are ends of another rank."""
    op = "ttnn.untilize_with_unpadding"
    device = _on_device(input_tensor, "Input tensor")
    end = _unsigned(op, output_tensor_end, "output_tensor_end")
    if input_tensor.layout is not Layout.TILE:
        raise fatal("Can only untilize tile major data")
    dtype = _untilized_dtype(input_tensor)
    _interleaved(op, input_tensor.memory_config(), memory_config)
    padded = tuple(input_tensor.padded_shape)
    if len(end) != len(input_tensor.shape) or len(padded) != len(end):
        raise _not_emulated(op, "ends of another rank than the input")
    if any(e >= p for e, p in zip(end, padded, strict=True)):
        raise _not_emulated(op, "ends past the padded shape")
    out = _zero_padded(input_tensor)[tuple(slice(0, e + 1) for e in end)]
    mc = memory_config if memory_config is not None else input_tensor.memory_config()
    return _emit(np.asarray(out), dtype, Layout.ROW_MAJOR, device, mc)


def _tilize_input(op: str, t: Tensor, *configs: MemoryConfig | None) -> MeshDevice:
    device = _on_device(t, "Input tensor")
    _interleaved(op, t.memory_config(), *configs)
    return device


TILIZABLE = {DataType.BFLOAT16, DataType.FLOAT32, DataType.INT32, DataType.UINT32, DataType.UINT16}


def _padding_tilize_dtype(t: Tensor) -> None:
    if t.dtype not in TILIZABLE:
        if t.dtype is DataType.UINT8:
            raise fatal("Can only tilize bfloat16/float32 or int32/uint32/uint16 or fp8_e4m3 tensors")
        raise _not_emulated("tilize with padding", f"a {t.dtype.name} input")


def _already_tiled(op: str, t: Tensor, dtype: DataType | None, memory_config: MemoryConfig | None) -> Tensor:
    """A TILE input is returned as it is (probe); a dtype or memory config change was not probed."""
    if (dtype is not None and dtype is not t.dtype) or (
        memory_config is not None and memory_config != t.memory_config()
    ):
        raise _not_emulated(op, "a TILE input with another dtype or memory config")
    return t


@operation("ttnn.tilize")
def tilize(
    input_tensor: Tensor,
    *,
    memory_config: MemoryConfig | None = None,
    dtype: DataType | None = None,
    use_multicore: bool = True,
    use_low_perf: bool = False,
    tile: Any = None,
    sub_core_grids: CoreRangeSet | None = None,
) -> Tensor:
    """ROW_MAJOR -> TILE of a tile-aligned input (width = last dim checked first, then height =
    the second-last; rank < 2 counts 1). Probe: the output dtype defaults to the input's, the
    memory config to the input's."""
    op = "ttnn.tilize"
    device = _tilize_input(op, input_tensor, memory_config)
    if tile is not None:
        raise _not_emulated(op, "a given tile")
    if input_tensor.layout is not Layout.ROW_MAJOR:
        raise fatal("Can only tilize row major data")
    shape = tuple(input_tensor.shape)
    width = shape[-1] if shape else 1
    height = shape[-2] if len(shape) > 1 else 1
    if width % TILE:
        raise fatal(f"Input tensor width ({width}) must be divisible by tile width ({TILE})")
    if height % TILE:
        raise fatal(f"Input tensor height ({height}) must be divisible by tile height ({TILE})")
    mc = memory_config if memory_config is not None else input_tensor.memory_config()
    return _emit(read(input_tensor), dtype or input_tensor.dtype, Layout.TILE, device, mc)


@operation("ttnn.tilize_with_zero_padding")
def tilize_with_zero_padding(
    input_tensor: Tensor,
    *,
    memory_config: MemoryConfig | None = None,
    output_dtype: DataType | None = None,
    use_multicore: bool = True,
    sub_core_grids: CoreRangeSet | None = None,
) -> Tensor:
    """ROW_MAJOR -> TILE padded with zeros to whole tiles. Probe: bfloat16, float32, int32,
    uint32, uint16 inputs (uint8 refused), any output dtype, the input's memory config; a TILE
    input comes back unchanged."""
    op = "ttnn.tilize_with_zero_padding"
    device = _tilize_input(op, input_tensor, memory_config)
    if input_tensor.layout is Layout.TILE:
        return _already_tiled(op, input_tensor, output_dtype, memory_config)
    _padding_tilize_dtype(input_tensor)
    mc = memory_config if memory_config is not None else input_tensor.memory_config()
    return _emit(read(input_tensor), output_dtype or input_tensor.dtype, Layout.TILE, device, mc)


@operation("ttnn.tilize_with_val_padding")
def tilize_with_val_padding(
    input_tensor: Tensor,
    output_tensor_shape: Sequence[int] | Shape,
    pad_value: float,
    *,
    memory_config: MemoryConfig | None = None,
    dtype: DataType | None = None,
    use_multicore: bool = True,
    sub_core_grids: CoreRangeSet | None = None,
) -> Tensor:
    """ROW_MAJOR -> TILE padded with pad_value up to output_tensor_shape (its padded shape).
    Probe: the shape must cover the input dim by dim, then be whole tiles; only the tile-rounded
    shape is modelled (the emulator pads no further). pad_value fills padding only."""
    op = "ttnn.tilize_with_val_padding"
    device = _tilize_input(op, input_tensor, memory_config)
    want = _unsigned(op, output_tensor_shape, "output_tensor_shape")
    if input_tensor.layout is Layout.TILE:
        return _already_tiled(op, input_tensor, dtype, memory_config)
    _padding_tilize_dtype(input_tensor)
    shape = tuple(input_tensor.shape)
    default = padded_dims(shape, Layout.TILE)
    if want != default:
        if len(want) != len(shape):
            raise _not_emulated(op, "an output shape of another rank")
        for i, (w, s) in enumerate(zip(want, shape, strict=True)):
            if w < s:
                raise fatal(
                    f"Output tensor shape {_shape(want)} must be greater than or equal to input shape "
                    f"{_shape(shape)} in each dimension, but is smaller in dimension {i}"
                )
        if len(want) < 2 or want[-1] % TILE or want[-2] % TILE:
            raise fatal(f"To be tilizable output tensor shape {_shape(want)} must be divisible by tile size (32, 32)")
        raise _not_emulated(op, f"padding to {list(want)} (the emulator pads to {list(default)})")
    mc = memory_config if memory_config is not None else input_tensor.memory_config()
    return _emit(read(input_tensor), dtype or input_tensor.dtype, Layout.TILE, device, mc)


# ----------------------------------------------------------------------------- *_like creation


def _like(
    op: str,
    tensor: Tensor,
    fill: float,
    dtype: DataType | None,
    layout: Layout | None,
    device: MeshDevice | None,
    memory_config: MemoryConfig | None,
    optional_tensor: Tensor | None = None,
) -> Tensor:
    """A tensor of tensor's shape filled with `fill`. Probe: dtype, layout and memory config
    default to tensor's; a host tensor gives a host tensor unless a device is given (then DRAM by
    default); optional_tensor is filled and returned whatever its spec."""
    if not isinstance(tensor, Tensor):
        raise TypeError("tensor must be a ttnn.Tensor")
    shape = tuple(tensor.shape)
    if not shape:
        raise _not_emulated(op, "a rank-0 tensor")  # ttnn pads its ROW_MAJOR shape to [1]
    if optional_tensor is not None:
        _on_device(optional_tensor, "Optional tensor")
        out_shape = tuple(optional_tensor.shape)
        values = np.broadcast_to(np.float32(fill), out_shape)
        optional_tensor._values = store(values, optional_tensor.dtype, optional_tensor.layout)
        return optional_tensor
    out_dtype = dtype or tensor.dtype
    out_layout = layout or tensor.layout
    if out_dtype in BLOCK_FLOATS and out_layout is not Layout.TILE:
        raise fatal(BFP8_ONLY_TILE)
    values = np.broadcast_to(np.float32(fill) if out_dtype in FLOATS else np.int64(fill), shape)
    own = tensor.device() if tensor.storage_type() is StorageType.DEVICE else None
    target = own
    if device is not None and own is None:
        if device.get_num_devices() > 1:
            raise _not_emulated(op, "a host tensor created on a mesh by device=")
        target = device
    elif device is not None and device is not own and getattr(own, "mesh", None) is not device:
        raise _not_emulated(op, "a device other than the tensor's")
    out = Tensor._from_values(store(values, out_dtype, out_layout), out_dtype, out_layout)
    if target is None:
        return out
    default = tensor.memory_config() if own is not None else MemoryConfig()
    return out.on_device(target, memory_config if memory_config is not None else default)


@operation("ttnn.zeros_like")
def zeros_like(
    tensor: Tensor,
    dtype: DataType | None = None,
    layout: Layout | None = None,
    device: MeshDevice | None = None,
    memory_config: MemoryConfig | None = None,
    optional_tensor: Tensor | None = None,
) -> Tensor:
    return _like("ttnn.zeros_like", tensor, 0.0, dtype, layout, device, memory_config, optional_tensor)


@operation("ttnn.ones_like")
def ones_like(
    tensor: Tensor,
    dtype: DataType | None = None,
    layout: Layout | None = None,
    device: MeshDevice | None = None,
    memory_config: MemoryConfig | None = None,
    optional_tensor: Tensor | None = None,
) -> Tensor:
    return _like("ttnn.ones_like", tensor, 1.0, dtype, layout, device, memory_config, optional_tensor)


@operation("ttnn.full_like")
def full_like(
    tensor: Tensor,
    fill_value: float,
    dtype: DataType | None = None,
    layout: Layout | None = None,
    device: MeshDevice | None = None,
    memory_config: MemoryConfig | None = None,
    optional_tensor: Tensor | None = None,
) -> Tensor:
    return _like("ttnn.full_like", tensor, fill_value, dtype, layout, device, memory_config, optional_tensor)


@operation("ttnn.empty_like")
def empty_like(
    tensor: Tensor,
    *,
    dtype: DataType | None = None,
    layout: Layout | None = None,
    device: MeshDevice | None = None,
    memory_config: MemoryConfig | None = None,
) -> Tensor:
    """Uninitialized memory on a device: zeros are one faithful content."""
    return _like("ttnn.empty_like", tensor, 0.0, dtype, layout, device, memory_config)


# ----------------------------------------------------------------------------- clamp

MIXED_FLOATS = {DataType.BFLOAT16, DataType.FLOAT32, DataType.BFLOAT8_B}
INT_CLAMP_DEFAULT = 16775716  # clamp_tss's stand-in bound for a missing int32 side (unary_composite_op.cpp)


def _check_preallocated(out: Tensor, shape: tuple[int, ...], dtype: DataType, layout: Layout) -> None:
    """Unary's checks of a preallocated output, in its order: dtype, shape, layout (probe)."""
    _on_device(out, "Output tensor")
    if out.dtype is not dtype and not (out.dtype in MIXED_FLOATS and dtype in MIXED_FLOATS):
        raise fatal(
            f"Preallocated output dtype DataType::{out.dtype.name} is not compatible with input dtype "
            f"DataType::{dtype.name}. Integer and float dtypes cannot be mixed; mixed floating-point output is "
            "limited to BFLOAT16, FLOAT32, and BFLOAT8_B."
        )
    if tuple(out.shape) != shape:
        raise fatal(
            f"Unary: Preallocated output shape must match computed shape. Computed: {_shape(shape)}, "
            f"Preallocated: {_shape(tuple(out.shape))}"
        )
    if out.layout is not layout:
        raise fatal(
            "Unary: Output format (tile/row-major) must match input when preallocated. "
            f"Output: {out.layout.value}, Input: {layout.value}"
        )


def _written(out: Tensor, values: Array) -> Tensor:
    out._values = store(values, out.dtype, out.layout)
    return out


@operation("ttnn.clamp")
def clamp(
    input_tensor: Tensor,
    min: Tensor | float | None = None,
    max: Tensor | float | None = None,
    *,
    memory_config: MemoryConfig | None = None,
    output_tensor: Tensor | None = None,
) -> Tensor:
    """min(max(x, min), max) (max wins where min > max, as torch.clamp). Scalar bounds
    (clamp_tss): both ints or both floats ("std::get: wrong index for variant" if mixed); an
    int32 input with float bounds computes and returns float32; unsigned inputs are refused; a
    missing int side is ±16775716, a missing float side float32's lowest/max. Tensor bounds:
    where(x >= min, x, min) / where(x <= max, x, max) / minimum then maximum, broadcast. Probe:
    the input's dtype, layout and memory config (sharded too); output_tensor's spec when given."""
    op = "ttnn.clamp"
    device = _on_device(input_tensor, "Input tensor")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return _clamp_tensors(op, input_tensor, min, max, memory_config, output_tensor, device)
    if min is None and max is None:
        raise fatal("Only one of 'min' or 'max' can be None. Please provide one value")
    low, high = min, max  # scalars from here on
    given = [v for v in (low, high) if v is not None]
    ints = [isinstance(v, int) and not isinstance(v, bool) for v in given]
    if any(ints) and not all(ints):
        raise RuntimeError("std::get: wrong index for variant")
    dtype = input_tensor.dtype
    if dtype is DataType.INT32 and not any(ints):
        dtype = DataType.FLOAT32  # clamp typecasts an int32 input for float bounds
    if dtype in INTS and dtype is not DataType.INT32:
        raise fatal(f"Unary: UnaryOpType::CLAMP_TSS does not support integer input dtype DataType::{dtype.name}")
    if dtype not in FLOATS and dtype is not DataType.INT32:
        raise _not_emulated(op, f"a {dtype.name} input")
    x = read(input_tensor)
    lo: Any
    hi: Any
    if any(ints):
        lo = int(low) if low is not None else -INT_CLAMP_DEFAULT
        hi = int(high) if high is not None else INT_CLAMP_DEFAULT
        if dtype in FLOATS:
            lo, hi = np.float32(lo), np.float32(hi)
    else:
        finfo = np.finfo(np.float32)
        lo = np.float32(low) if low is not None else finfo.min
        hi = np.float32(high) if high is not None else finfo.max
        x = x.astype(np.float32, copy=False)
    out = np.minimum(np.maximum(x, lo), hi)
    shape, layout = tuple(input_tensor.shape), input_tensor.layout
    if output_tensor is not None:
        _check_preallocated(output_tensor, shape, dtype, layout)
        return _written(output_tensor, out)
    mc = memory_config if memory_config is not None else input_tensor.memory_config()
    return _emit(out, dtype, layout, device, mc)


def _clamp_tensors(
    op: str,
    a: Tensor,
    lo: Tensor | float | None,
    hi: Tensor | float | None,
    memory_config: MemoryConfig | None,
    output_tensor: Tensor | None,
    device: MeshDevice,
) -> Tensor:
    if not all(v is None or isinstance(v, Tensor) for v in (lo, hi)):
        raise TypeError("ttnn.clamp(): incompatible function arguments: min and max are both tensors or scalars")
    bounds = [t for t in (lo, hi) if isinstance(t, Tensor)]
    for t in bounds:
        _on_device(t, "Input tensor")
    shapes = [tuple(a.shape), *(tuple(t.shape) for t in bounds)]
    if len(bounds) == 1:
        error = broadcast_error(shapes[0], shapes[1])  # where(ge(x, min), ...): the binary op's check
        if error:
            raise fatal(error)
    if any(broadcast_error(p, q) for i, p in enumerate(shapes) for q in shapes[i + 1 :]):
        raise _not_emulated(op, "bounds that do not broadcast")  # ttnn's message depends on which op fails
    if any(t.layout is not a.layout for t in bounds):
        raise _not_emulated(op, "bounds of another layout")
    if isinstance(lo, Tensor) and isinstance(hi, Tensor):
        if hi.dtype is not a.dtype:
            raise fatal(
                "Mixed dtype is not supported for binary operation BinaryOpType::MINIMUM, "
                f"dtype A: DataType::{a.dtype.name}, dtype B: DataType::{hi.dtype.name}"
            )
        if lo.dtype is not a.dtype:
            raise _not_emulated(op, "a min of another dtype")
    elif any(t.dtype is not a.dtype and not (t.dtype in FLOATS and a.dtype in FLOATS) for t in bounds):
        raise _not_emulated(op, "a bound of another dtype")
    shape = tuple(np.broadcast_shapes(*shapes))
    x = read(a)
    if isinstance(lo, Tensor) and isinstance(hi, Tensor):
        mn, mx = read(lo), read(hi)
        capped = np.minimum(x, mx)
        out = np.where(mn > mx, mx, np.where(mn == 0, np.maximum(capped, 0), np.maximum(capped, mn)))
    elif isinstance(lo, Tensor):
        mn = read(lo)
        out = np.where(x >= mn, x, mn)
    else:
        assert isinstance(hi, Tensor)
        mx = read(hi)
        out = np.where(x <= mx, x, mx)
    out = np.broadcast_to(out, shape)
    if output_tensor is not None:
        _on_device(output_tensor, "Output tensor")
        if tuple(output_tensor.shape) != shape:
            raise fatal(
                f"Shape of Output tensor {_shape(tuple(output_tensor.shape))} provided does not match the "
                f"broadcasted output shape {_shape(shape)}"
            )
        if output_tensor.layout is not a.layout or (output_tensor.dtype in FLOATS) != (a.dtype in FLOATS):
            raise _not_emulated(op, "an output tensor of another layout or dtype kind")
        return _written(output_tensor, out)
    mc = memory_config if memory_config is not None else a.memory_config()
    return _emit(out, a.dtype, a.layout, device, mc)


# ----------------------------------------------------------------------------- plus_one

INT32_MAX = (1 << 31) - 1


@operation("ttnn.plus_one")
def plus_one(
    input_tensor: Tensor, sub_core_grids: CoreRangeSet | None = None, skip_negative_entries: bool = False
) -> Tensor:
    """In place: every element + 1 (wrapping), or with skip_negative_entries only those that
    read as int32 in [0, INT32_MAX) (reader_plusone_interleaved.cpp). Probe: int32 / uint32
    ROW_MAJOR only (dtype checked first), the input tensor comes back."""
    _on_device(input_tensor, "Input tensor")
    if input_tensor.dtype not in (DataType.INT32, DataType.UINT32):
        raise fatal("Only INT32 and UINT32 is supported for inputs!")
    if input_tensor.layout is not Layout.ROW_MAJOR:
        raise fatal("Only ROW_MAJOR layout is supported for inputs!")
    x = read(input_tensor)
    if skip_negative_entries:
        signed = (x + (1 << 31)) % (1 << 32) - (1 << 31)  # the value as the kernel reads it: int32
        out = np.where((signed >= 0) & (signed < INT32_MAX), x + 1, x)
    else:
        out = x + 1
    input_tensor._values = store(np.asarray(out, dtype=np.int64), input_tensor.dtype, input_tensor.layout)
    return input_tensor


# ----------------------------------------------------------------------------- interleaved_to_sharded


def _cores_to_ranges(count: int, grid: CoreCoord, row_wise: bool) -> CoreRangeSet:
    """tt-metal's num_cores_to_corerangeset from core (0, 0) (work_split.cpp)."""
    nx, ny = grid.x, grid.y
    total = nx * ny
    if count > total:
        raise fatal(f"Target number of cores {count} is greater than total number of available cores {total}")
    ranges: list[CoreRange] = []
    left = count
    if row_wise:
        if left > nx:
            rows = left // nx
            ranges.append(CoreRange(CoreCoord(0, 0), CoreCoord(nx - 1, rows - 1)))
            left -= rows * nx
            start = CoreCoord(0, rows)
        else:
            start = CoreCoord(0, 0)
        if left > 0:
            ranges.append(CoreRange(start, CoreCoord(start.x + left - 1, start.y)))
    else:
        if left > ny:
            cols = left // ny
            ranges.append(CoreRange(CoreCoord(0, 0), CoreCoord(cols - 1, ny - 1)))
            left -= cols * ny
            start = CoreCoord(cols, 0)
        else:
            start = CoreCoord(0, 0)
        if left > 0:
            ranges.append(CoreRange(start, CoreCoord(start.x, start.y + left - 1)))
    return CoreRangeSet(ranges)


def _grid_config(
    t: Tensor,
    grid: CoreCoord | CoreRangeSet,
    shard_shape: Sequence[int],
    scheme: TensorMemoryLayout,
    orientation: ShardOrientation,
) -> MemoryConfig:
    """The grid overload's memory config (L1): a CoreCoord grid takes as many cores as there
    are shards of the padded tensor, filled row- (ROW_MAJOR) or column-wise (COL_MAJOR)."""
    sh, sw = (int(d) for d in shard_shape)
    if isinstance(grid, CoreCoord):
        padded = tuple(t.padded_shape) or (1,)
        width = padded[-1]
        height = _volume(padded) // width if width else 0
        if scheme is TensorMemoryLayout.HEIGHT_SHARDED:
            count = -(-height // sh)
        elif scheme is TensorMemoryLayout.WIDTH_SHARDED:
            count = -(-width // sw)
        elif scheme is TensorMemoryLayout.BLOCK_SHARDED:
            count = -(-height // sh) * -(-width // sw)
        else:
            raise _not_emulated("ttnn.interleaved_to_sharded", f"the shard scheme {scheme.name}")
        cores = _cores_to_ranges(count, grid, orientation is ShardOrientation.ROW_MAJOR)
    else:
        cores = grid
    return MemoryConfig(scheme, BufferType.L1, ShardSpec(cores, [sh, sw], orientation))


@operation("ttnn.interleaved_to_sharded")
def interleaved_to_sharded(
    input_tensor: Tensor,
    *args: Any,
    output_dtype: DataType | None = None,
    keep_l1_aligned: bool | None = None,
    preallocated_output: Tensor | None = None,
    sharded_memory_config: MemoryConfig | None = None,
    grid: CoreCoord | CoreRangeSet | None = None,
    shard_shape: Sequence[int] | None = None,
    shard_scheme: TensorMemoryLayout | None = None,
    shard_orientation: ShardOrientation | None = None,
) -> Tensor:
    """ttnn's overloads: (t, sharded_memory_config, output_dtype=None, *, keep_l1_aligned,
    preallocated_output) and (t, grid, shard_shape, shard_scheme, shard_orientation,
    output_dtype=None, *, keep_l1_aligned). Probe: the output spec (its TensorSpec, with the
    shard checks) comes first, then: the preallocated output's shape, memory config, dtype; an
    interleaved input; a sharded target; ROW_MAJOR shard pages L1-aligned; a dtype change only
    from TILE. DRAM-sharded targets are not modelled."""
    op = "ttnn.interleaved_to_sharded"
    form = list(args)
    if sharded_memory_config is None and form and isinstance(form[0], MemoryConfig):
        sharded_memory_config = form.pop(0)
    if sharded_memory_config is not None:
        if len(form) > 1 or grid is not None:
            raise TypeError("interleaved_to_sharded(): incompatible function arguments")
        if form:
            output_dtype = form[0]
        mc = sharded_memory_config
    else:
        names = ["grid", "shard_shape", "shard_scheme", "shard_orientation", "output_dtype"]
        given = dict(zip(names, form, strict=False))
        if len(form) > len(names) or preallocated_output is not None:
            raise TypeError("interleaved_to_sharded(): incompatible function arguments")
        grid = given.get("grid", grid)
        shard_shape = given.get("shard_shape", shard_shape)
        shard_scheme = given.get("shard_scheme", shard_scheme)
        shard_orientation = given.get("shard_orientation", shard_orientation)
        output_dtype = given.get("output_dtype", output_dtype)
        if grid is None or shard_shape is None or shard_scheme is None or shard_orientation is None:
            raise TypeError("interleaved_to_sharded() needs a sharded memory config or a grid and shard spec")
        mc = None
    if not isinstance(input_tensor, Tensor) or input_tensor.storage_type() is not StorageType.DEVICE:
        raise fatal("Device Operations expect device tensors as inputs")
    device = _on_device(input_tensor, "Input tensor")
    if mc is None:
        assert grid is not None and shard_shape is not None and shard_scheme is not None
        assert shard_orientation is not None
        mc = _grid_config(input_tensor, grid, shard_shape, shard_scheme, shard_orientation)
    dtype = output_dtype or input_tensor.dtype
    shape, layout = tuple(input_tensor.shape), input_tensor.layout
    if mc.nd_shard_spec is not None:
        raise _not_emulated(op, "an nd shard spec")
    if preallocated_output is None:
        if mc.is_sharded() and mc.shard_spec is None:
            raise RuntimeError("bad optional access")
        check_spec(shape, dtype, layout, mc, None)  # the output TensorSpec's own checks come first
    else:
        _on_device(preallocated_output, "Preallocated output")
        if tuple(preallocated_output.shape) != shape:
            raise fatal("Mismatched output shape")
        if preallocated_output.memory_config() != mc:
            raise fatal("Mismatched output memory config")
        if preallocated_output.dtype is not dtype:
            raise fatal("Mismatched output dtype")
        if preallocated_output.layout is not layout:
            raise fatal("Output tensor layout must match input tensor layout")
    mc_in = input_tensor.memory_config()
    if mc_in.is_sharded():
        raise fatal(
            f"Input tensor memory layout must be INTERLEAVED, but got TensorMemoryLayout::{mc_in.memory_layout.name}"
        )
    if not mc.is_sharded():
        raise fatal("Output memory config must be sharded")
    if mc.buffer_type is not BufferType.L1:
        raise _not_emulated(op, "a DRAM-sharded target")
    assert mc.shard_spec is not None
    if layout is Layout.ROW_MAJOR:
        if mc.shard_spec.shape[1] * ELEMENT_BYTES.get(input_tensor.dtype, 4) % device.model.l1_alignment:
            raise fatal("Shard page size must currently have L1 aligned page size")
        if keep_l1_aligned:
            raise _not_emulated(op, "keep_l1_aligned on a ROW_MAJOR input")
    if dtype is not input_tensor.dtype and layout is not Layout.TILE:
        raise fatal("Input tensor layout must be TILE when dtype conversion is needed")
    if preallocated_output is not None:
        return _written(preallocated_output, read(input_tensor))
    return _emit(read(input_tensor), dtype, layout, device, mc)


# ----------------------------------------------------------------------------- scatter

SCATTER_I32_ROW = 256  # check_support: int32 TILE rows longer than this are refused


def _scatter_device(t: Tensor) -> MeshDevice:
    device = t.device() if isinstance(t, Tensor) else None
    if device is None or t.storage_type() is not StorageType.DEVICE:
        storage = t.storage_type().name if isinstance(t, Tensor) else "HOST"
        raise fatal(f"Expected Tensor with DeviceStorage, got StorageType::{storage}")
    return device


@operation("ttnn.scatter")
def scatter(
    input: Tensor,
    dim: int,
    index: Tensor,
    src: Tensor,
    *,
    memory_config: MemoryConfig | None = None,
    reduce: str | None = None,
    sub_core_grids: CoreRangeSet | None = None,
) -> Tensor:
    """torch.scatter along dim: out = input; out[..., index[i], ...] = src[i] (or += / *= with
    reduce "add" / "multiply"); src is read over index's shape. Probe (and scatter.cpp's
    check_support / validate_inputs order): the dim; no fp32 TILE input or source, no 32-bit int
    TILE row longer than 256; ranks; reduce; index <= source and (off dim) <= input; no sharded
    tensors; bfloat8_b input and source come out bfloat16, the dtypes must then agree; an integer
    index. The input's layout and memory config. Index values outside the input (undefined on
    device) are not modelled."""
    op = "ttnn.scatter"
    device = _scatter_device(input)
    _scatter_device(index)
    _scatter_device(src)
    ishape, xshape, sshape = tuple(input.shape), tuple(index.shape), tuple(src.shape)
    rank = len(ishape)
    if not rank:
        raise _not_emulated(op, "a rank-0 input")
    d = dim + rank if dim < 0 else dim
    if not 0 <= d < rank:
        raise fatal(f"scatter: dim {dim} is out of range for tensor rank {rank}")
    for t, which in ((input, "input"), (src, "source")):
        if t.dtype is DataType.FLOAT32 and t.layout is Layout.TILE:
            raise fatal(
                "Scatter doesn't work for fp32 tiled tensors yet (see to_layout issue #) - "
                f"{which} tensor is DataType::FLOAT32 Layout::TILE."
            )
    for t, which, shape in ((input, "input", ishape), (index, "index", xshape), (src, "source", sshape)):
        long_row = len(shape) == rank and shape[d] > SCATTER_I32_ROW
        if t.dtype in (DataType.INT32, DataType.UINT32) and t.layout is Layout.TILE and long_row:
            raise fatal(
                f"Scatter doesn't work for int32 tensors that have scatter row longer than {SCATTER_I32_ROW} "
                f"elements - {which} tensor is of type: {t.dtype.name}, layout: TILE and "
                f"{which}_shape[scatter_axis] == {shape[d]}"
            )
    if len(xshape) != rank:
        raise fatal(f"input_rank must be equal to index_rank (input_rank == {rank}, index_rank == {len(xshape)})")
    if len(sshape) != rank:
        raise fatal(f"input_rank must be equal to source_rank (input_rank == {rank}, source_rank == {len(sshape)})")
    if reduce is not None and reduce not in ("add", "multiply"):
        raise fatal(f"reduce must be either 'add' or 'multiply' (case-sensitive), got {reduce}")
    for i in range(rank):
        if xshape[i] > sshape[i]:
            raise fatal(
                f"index_shape[{i}] <= source_shape[{i}] == false (index_shape: {_shape(xshape)}, "
                f"source_shape: {_shape(sshape)})"
            )
        if i != d and xshape[i] > ishape[i]:
            raise fatal(
                f"index_shape[{i}] <= input_shape[{i}] == false (index_shape: {_shape(xshape)}, "
                f"input_shape: {_shape(ishape)})"
            )
    for t, which in ((input, "input_tensor"), (index, "index_tensor")):
        if t.is_sharded():
            raise fatal(f"Sharded tensors are not supported - {which} is sharded.")
    _interleaved(op, src.memory_config(), memory_config)
    in_dtype = DataType.BFLOAT16 if input.dtype is DataType.BFLOAT8_B else input.dtype
    src_dtype = DataType.BFLOAT16 if src.dtype is DataType.BFLOAT8_B else src.dtype
    if in_dtype is not src_dtype:
        raise fatal(f"input_dtype differs from src_dtype (input_dtype: {in_dtype.name}, src_dtype: {src_dtype.name}).")
    if index.dtype not in INTS:
        raise fatal(f"index_dtype is not integer, it is {index.dtype.name}.")
    if in_dtype is DataType.BFLOAT4_B:
        raise fatal(BFP8_ONLY_TILE)
    mc = memory_config if memory_config is not None else input.memory_config()
    x, idx, s = read(input), read(index), read(src)
    if all(is_broadcast_zero(a) for a in (x, idx, s)):
        return _emit(x, in_dtype, input.layout, device, mc)  # zeros written over zeros
    if idx.size and (idx.min() < 0 or idx.max() >= ishape[d]):
        raise _not_emulated(op, "index values outside the input")
    out = np.array(x, copy=True)
    values = s[tuple(slice(0, n) for n in xshape)]
    where = list(np.indices(xshape, sparse=True))
    where[d] = idx
    target = tuple(where)
    if reduce == "add":
        np.add.at(out, target, values)
    elif reduce == "multiply":
        np.multiply.at(out, target, values)
    else:
        out[target] = values
    return _emit(out, in_dtype, input.layout, device, mc)
