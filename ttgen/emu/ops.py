"""Emulated ttnn operations: ttnn's signatures (sweeps_src/signatures), validation of where the
inputs live, the output spec ttnn computes, and numerics = the op's golden on the exact
(dequantized) inputs, quantized to the output dtype."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ttgen.emu.calls import operation
from ttgen.emu.device import MeshDevice
from ttgen.emu.matmul_outputs import derived_output
from ttgen.emu.mesh import MeshToTensor, TensorToMesh, aggregate_tensor
from ttgen.emu.tensor import Tensor, fatal, store
from ttgen.emu.types import DRAM_MEMORY_CONFIG, MemoryConfig
from ttgen.facts.enums import DataType, Layout, StorageType
from ttgen.facts.validity import bias_error, broadcast_error, matmul_error
from ttgen.goldens import reference


def _host(t: Any) -> Any:
    """A tensor argument as its host values for the golden; other values as they are."""
    if isinstance(t, Tensor):
        values = t.to_numpy()
        return values.astype(np.float32) if t.dtype in _FLOATS else values.astype(np.int64)
    if isinstance(t, list | tuple) and any(isinstance(x, Tensor) for x in t):
        return [_host(x) for x in t]
    return t


_FLOATS = {DataType.FLOAT32, DataType.BFLOAT16, DataType.BFLOAT8_B, DataType.BFLOAT4_B}


def _on_device(t: Any, which: str) -> MeshDevice:
    if not isinstance(t, Tensor):
        raise TypeError(f"{which} must be a ttnn.Tensor")
    device = t.device()
    if device is None or t.storage_type() is not StorageType.DEVICE:
        raise fatal(f"{which} must be on device, got storage type: StorageType::{t.storage_type().name}")
    return device


def _result(
    golden: str,
    args: dict[str, Any],
    device: MeshDevice,
    dtype: DataType,
    layout: Layout,
    memory_config: MemoryConfig,
    output_tensor: Tensor | None = None,
) -> Tensor:
    host = reference(golden, {k: _host(v) for k, v in args.items()})
    out = Tensor._from_values(store(host, dtype, layout), dtype, layout)
    if output_tensor is not None:
        output_tensor._values = out._values
        return output_tensor
    return out.on_device(device, memory_config)


def _default_mc(t: Tensor, memory_config: MemoryConfig | None) -> MemoryConfig:
    return memory_config if memory_config is not None else t.memory_config()


def _binary(golden: str) -> Callable[..., Tensor]:
    def op(
        input_tensor_a: Tensor,
        input_tensor_b: Tensor | float | int,
        *,
        fast_and_approximate_mode: bool = False,
        dtype: DataType | None = None,
        memory_config: MemoryConfig | None = None,
        output_tensor: Tensor | None = None,
        **_: Any,
    ) -> Tensor:
        device = _on_device(input_tensor_a, "Input tensor A")
        if isinstance(input_tensor_b, Tensor):
            _on_device(input_tensor_b, "Input tensor B")
            error = broadcast_error(tuple(input_tensor_a.shape), tuple(input_tensor_b.shape))
            if error:
                raise fatal(error)
        args = {"input_tensor_a": input_tensor_a, "input_tensor_b": input_tensor_b}
        out_dtype = dtype or input_tensor_a.dtype
        mc = _default_mc(input_tensor_a, memory_config)
        return _result(golden, args, device, out_dtype, input_tensor_a.layout, mc, output_tensor)

    op.__name__ = golden
    return op


def _unary(golden: str) -> Callable[..., Tensor]:
    def op(
        input_tensor: Tensor,
        fast_and_approximate_mode: bool = False,
        *,
        memory_config: MemoryConfig | None = None,
        output_tensor: Tensor | None = None,
        **_: Any,
    ) -> Tensor:
        device = _on_device(input_tensor, "Input tensor")
        args = {"input_tensor": input_tensor, "fast_and_approximate_mode": fast_and_approximate_mode}
        mc = _default_mc(input_tensor, memory_config)
        return _result(golden, args, device, input_tensor.dtype, input_tensor.layout, mc, output_tensor)

    op.__name__ = golden
    return op


add = operation("ttnn.add")(_binary("add"))
subtract = operation("ttnn.subtract")(_binary("subtract"))
multiply = operation("ttnn.multiply")(_binary("multiply"))
relu = operation("ttnn.relu")(_unary("relu"))
gelu = operation("ttnn.gelu")(_unary("gelu"))
sigmoid = operation("ttnn.sigmoid")(_unary("sigmoid"))
sigmoid_accurate = operation("ttnn.sigmoid_accurate")(_unary("sigmoid"))
silu = operation("ttnn.silu")(_unary("silu"))
exp = operation("ttnn.exp")(_unary("exp"))
sqrt = operation("ttnn.sqrt")(_unary("sqrt"))
rsqrt = operation("ttnn.rsqrt")(_unary("rsqrt"))
log = operation("ttnn.log")(_unary("log"))
reciprocal = operation("ttnn.reciprocal")(_unary("reciprocal"))


@operation("ttnn.softmax")
def softmax(
    input_tensor: Tensor,
    dim: int = -1,
    *,
    memory_config: MemoryConfig | None = None,
    compute_kernel_config: Any = None,
    numeric_stable: bool = True,
) -> Tensor:
    device = _on_device(input_tensor, "Input tensor")
    mc = _default_mc(input_tensor, memory_config)
    # softmax returns TILE even for a ROW_MAJOR input (observed on the real wheel)
    return _result("softmax", {"input_tensor": input_tensor, "dim": dim}, device, input_tensor.dtype, Layout.TILE, mc)


def _norm(golden: str) -> Callable[..., Tensor]:
    def op(
        input_tensor: Tensor,
        *,
        epsilon: float = 1e-12,
        weight: Tensor | None = None,
        bias: Tensor | None = None,
        residual_input_tensor: Tensor | None = None,
        memory_config: MemoryConfig | None = None,
        **_: Any,
    ) -> Tensor:
        device = _on_device(input_tensor, "Input tensor")
        args = {
            "input_tensor": input_tensor,
            "epsilon": epsilon,
            "weight": weight,
            "bias": bias,
            "residual_input_tensor": residual_input_tensor,
        }
        mc = _default_mc(input_tensor, memory_config)
        return _result(golden, args, device, input_tensor.dtype, input_tensor.layout, mc)

    op.__name__ = golden
    return op


layer_norm = operation("ttnn.layer_norm")(_norm("layer_norm"))
rms_norm = operation("ttnn.rms_norm")(_norm("rms_norm"))


def _matmul(golden: str) -> Callable[..., Tensor]:
    def op(
        input_tensor_a: Tensor,
        input_tensor_b: Tensor,
        *,
        bias: Tensor | None = None,
        transpose_a: bool = False,
        transpose_b: bool = False,
        memory_config: MemoryConfig | None = None,
        dtype: DataType | None = None,
        **_: Any,
    ) -> Tensor:
        device = _on_device(input_tensor_a, "Input tensor A")
        _on_device(input_tensor_b, "Input tensor B")
        if input_tensor_a.layout is not Layout.TILE or input_tensor_b.layout is not Layout.TILE:
            raise fatal("Inputs to matmul must be tilized")
        error = matmul_error(tuple(input_tensor_a.shape), tuple(input_tensor_b.shape), transpose_a, transpose_b)
        if error is None and bias is not None:
            error = bias_error(tuple(input_tensor_b.shape), tuple(bias.shape), transpose_b)
        if error:
            raise fatal(error)
        args = {
            "input_tensor_a": input_tensor_a,
            "input_tensor_b": input_tensor_b,
            "bias": bias,
            "transpose_a": transpose_a,
            "transpose_b": transpose_b,
        }
        out_dtype = dtype or input_tensor_a.dtype
        mc = memory_config if memory_config is not None else DRAM_MEMORY_CONFIG
        if mc.is_sharded() and mc.shard_spec is None:
            n = input_tensor_b.shape[-2 if transpose_b else -1]
            grid = device.compute_with_storage_grid_size()
            a = tuple(input_tensor_a.shape)
            mc = derived_output(f"ttnn.{golden}", mc, a, input_tensor_a.memory_config(), n, grid)
        return _result(golden, args, device, out_dtype, Layout.TILE, mc)

    op.__name__ = golden
    return op


matmul = operation("ttnn.matmul")(_matmul("matmul"))
linear = operation("ttnn.linear")(_matmul("linear"))


@operation("ttnn.permute")
def permute(
    input_tensor: Tensor, dims: Sequence[int], *, memory_config: MemoryConfig | None = None, pad_value: float = 0.0
) -> Tensor:
    device = _on_device(input_tensor, "Input tensor")
    mc = _default_mc(input_tensor, memory_config)
    args = {"input_tensor": input_tensor, "dims": tuple(dims)}
    return _result("permute", args, device, input_tensor.dtype, input_tensor.layout, mc)


@operation("ttnn.transpose")
def transpose(
    input_tensor: Tensor, dim1: int, dim2: int, *, memory_config: MemoryConfig | None = None, pad_value: float = 0.0
) -> Tensor:
    device = _on_device(input_tensor, "Input tensor")
    mc = _default_mc(input_tensor, memory_config)
    args = {"input_tensor": input_tensor, "dim1": dim1, "dim2": dim2}
    return _result("transpose", args, device, input_tensor.dtype, input_tensor.layout, mc)


@operation("ttnn.typecast")
def typecast(
    input_tensor: Tensor,
    dtype: DataType,
    output_dtype: DataType | None = None,
    *,
    memory_config: MemoryConfig | None = None,
    output_tensor: Tensor | None = None,
    **_: Any,
) -> Tensor:
    """ttnn's two overloads: (tensor, dtype) and (tensor, input_dtype, output_dtype)."""
    if output_dtype is not None:
        dtype = output_dtype
    device = _on_device(input_tensor, "Input tensor")
    mc = _default_mc(input_tensor, memory_config)
    return _result("typecast", {"input_tensor": input_tensor}, device, dtype, input_tensor.layout, mc, output_tensor)


# ----------------------------------------------------------------------------- data movement


@operation("ttnn.to_device", per_device=False)
def to_device(
    tensor: Tensor, device: MeshDevice, memory_config: MemoryConfig | None = None, *, queue_id: Any = None
) -> Tensor:
    return tensor.on_device(device, memory_config or DRAM_MEMORY_CONFIG)


@operation("ttnn.from_device", per_device=False)
def from_device(tensor: Tensor, blocking: bool = True, *, queue_id: Any = None) -> Tensor:
    """A mesh tensor comes back as a host mesh tensor with the same topology."""
    out = Tensor._from_values(np.array(tensor._values, copy=True), tensor.dtype, tensor.layout)
    if tensor._shards is not None:
        out._shards = [np.array(s, copy=True) for s in tensor._shards]
        out._values, out._topology = out._shards[0], tensor._topology
    return out


@operation("ttnn.to_memory_config")
def to_memory_config(tensor: Tensor, memory_config: MemoryConfig, dtype: DataType | None = None) -> Tensor:
    device = _on_device(tensor, "Input tensor")
    values = store(tensor.to_numpy(), dtype, tensor.layout) if dtype else tensor.to_numpy()
    return Tensor._from_values(values, dtype or tensor.dtype, tensor.layout).on_device(device, memory_config)


@operation("ttnn.to_layout")
def to_layout(
    tensor: Tensor, layout: Layout, dtype: DataType | None = None, memory_config: MemoryConfig | None = None
) -> Tensor:
    out_dtype = dtype or tensor.dtype
    if out_dtype in (DataType.BFLOAT8_B, DataType.BFLOAT4_B) and layout is not Layout.TILE:
        raise fatal("Layout must be Layout::TILE for bfloat8_b or bfloat4_b!")
    t = Tensor._from_values(store(tensor.to_numpy(), out_dtype, layout), out_dtype, layout)
    device = tensor.device()
    return t.on_device(device, memory_config or tensor.memory_config()) if device is not None else t


@operation("ttnn.deallocate", per_device=False)
def deallocate(tensor: Tensor, force: bool = True) -> None:
    tensor.deallocate(force)


@operation("ttnn.from_torch", per_device=False)
def from_torch(
    tensor: Any,
    dtype: DataType | None = None,
    *,
    layout: Layout | None = None,
    device: MeshDevice | None = None,
    memory_config: MemoryConfig | None = None,
    mesh_mapper: TensorToMesh | None = None,
    **_: Any,
) -> Tensor:
    values = tensor.detach().cpu().float().numpy() if tensor.is_floating_point() else tensor.cpu().numpy()
    if layout is None:
        layout = Layout.TILE if dtype in (DataType.BFLOAT8_B, DataType.BFLOAT4_B) else Layout.ROW_MAJOR
    return Tensor(values, dtype, device, layout, memory_config, mesh_mapper=mesh_mapper)


@operation("ttnn.to_torch", per_device=False)
def to_torch(tensor: Tensor, dtype: Any = None, *, mesh_composer: MeshToTensor | None = None, **_: Any) -> Any:
    if mesh_composer is not None:
        tensor = aggregate_tensor(tensor, mesh_composer)
    out = tensor.to_torch()
    return out.to(dtype) if dtype is not None else out


# ----------------------------------------------------------------------------- creation and padding


@operation("ttnn.zeros")
def zeros(
    shape: Sequence[int],
    dtype: DataType | None = None,
    layout: Layout | None = None,
    device: MeshDevice | None = None,
    memory_config: MemoryConfig | None = None,
) -> Tensor:
    out_dtype, out_layout = dtype or DataType.BFLOAT16, layout or Layout.ROW_MAJOR
    t = Tensor(np.broadcast_to(np.float32(0), tuple(shape)), out_dtype, None, out_layout)
    return t.on_device(device, memory_config or DRAM_MEMORY_CONFIG) if device is not None else t


@operation("ttnn.pad")
def pad(
    input_tensor: Tensor,
    padding_or_shape: Sequence[Any] | None = None,
    input_tensor_start_or_value: Any = None,
    value: float | None = None,
    *,
    padding: Sequence[Any] | None = None,
    output_padded_shape: Sequence[int] | None = None,
    input_tensor_start: Sequence[int] | None = None,
    memory_config: MemoryConfig | None = None,
    **_: Any,
) -> Tensor:
    """Both overloads, positionally or by ttnn's keywords: `pad(t, [[before, after], ...], value)`
    and `pad(t, output_padded_shape, input_tensor_start, value)`."""
    given: Sequence[Any] | None = padding_or_shape
    if given is None:
        given = padding if padding is not None else output_padded_shape
        if input_tensor_start is not None:
            input_tensor_start_or_value = input_tensor_start
    if given is None:
        raise TypeError("pad() needs padding or output_padded_shape")
    padding_or_shape = list(given)
    device = _on_device(input_tensor, "Input tensor")
    dims = tuple(input_tensor.shape)
    if all(isinstance(p, list | tuple) for p in padding_or_shape):
        pairs = [tuple(int(x) for x in p) for p in padding_or_shape]
        fill = input_tensor_start_or_value if value is None else value
    else:
        start = tuple(input_tensor_start_or_value or (0,) * len(dims))
        pairs = [(s, o - s - d) for s, o, d in zip(start, padding_or_shape, dims, strict=True)]
        fill = value
    if any(before < 0 or after < 0 for before, after in pairs):
        raise fatal("Output shape must be at least as large as the input shape in every dimension")
    args = {"input_tensor": input_tensor, "padding": pairs, "value": float(fill or 0)}
    mc = _default_mc(input_tensor, memory_config)
    return _result("pad", args, device, input_tensor.dtype, input_tensor.layout, mc)
