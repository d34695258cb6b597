"""Torch references of ttnn ops (ttnn 0.81.1's golden functions, shared/reference §4), named by
sweeps_src/goldens.json. Each takes the call's bound arguments by the op's real parameter names,
tensors as torch tensors (the seeded host values), and returns the expected output.

A leaf: the emulator computes its outputs with these and the runtime checks real outputs against
them, and neither imports the other. torch is imported here only, and only when a golden is
computed: the rest of the runtime stays lean, and the real-ttnn venv (which has no torch) never
needs it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Args = dict[str, Any]
GOLDENS: dict[str, Callable[[Args], Any]] = {}


def golden(name: str) -> Callable[[Callable[[Args], Any]], Callable[[Args], Any]]:
    def register(fn: Callable[[Args], Any]) -> Callable[[Args], Any]:
        GOLDENS[name] = fn
        return fn

    return register


def _torch() -> Any:
    import torch

    return torch


def as_torch(value: Any) -> Any:
    """numpy host values (what Inputs recorded) as torch tensors; anything else as it is."""
    import numpy as np

    if isinstance(value, np.ndarray):
        kind = np.float32 if value.dtype.kind == "f" else np.int64
        return _torch().from_numpy(value.astype(kind))
    if isinstance(value, list) and any(isinstance(v, np.ndarray) for v in value):
        return [as_torch(v) for v in value]
    return value


def reference(name: str, args: Args) -> Any:
    """Golden `name` on `args` (numpy host values as torch tensors), as a numpy array."""
    import numpy as np

    values = GOLDENS[name]({k: as_torch(v) for k, v in args.items()})
    return np.asarray(values.detach().numpy() if hasattr(values, "detach") else values)


def _dim(args: Args, name: str, default: Any) -> Any:
    value = args.get(name, default)
    return tuple(value) if isinstance(value, list) else value


@golden("add")
def add(a: Args) -> Any:
    return a["input_tensor_a"] + a["input_tensor_b"]


@golden("subtract")
def subtract(a: Args) -> Any:
    return a["input_tensor_a"] - a["input_tensor_b"]


@golden("multiply")
def multiply(a: Args) -> Any:
    return a["input_tensor_a"] * a["input_tensor_b"]


@golden("relu")
def relu(a: Args) -> Any:
    return _torch().relu(a["input_tensor"])


@golden("gelu")
def gelu(a: Args) -> Any:
    approximate = "tanh" if a.get("fast_and_approximate_mode") is True else "none"
    return _torch().nn.functional.gelu(a["input_tensor"], approximate=approximate)


@golden("sigmoid")
def sigmoid(a: Args) -> Any:
    return _torch().sigmoid(a["input_tensor"])


@golden("silu")
def silu(a: Args) -> Any:
    return _torch().nn.functional.silu(a["input_tensor"])


@golden("exp")
def exp(a: Args) -> Any:
    return _torch().exp(a["input_tensor"])


@golden("sqrt")
def sqrt(a: Args) -> Any:
    return _torch().sqrt(a["input_tensor"])


@golden("rsqrt")
def rsqrt(a: Args) -> Any:
    return _torch().rsqrt(a["input_tensor"])


@golden("log")
def log(a: Args) -> Any:
    return _torch().log(a["input_tensor"])


@golden("reciprocal")
def reciprocal(a: Args) -> Any:
    return _torch().reciprocal(a["input_tensor"])


@golden("softmax")
def softmax(a: Args) -> Any:
    return _torch().softmax(a["input_tensor"], dim=_dim(a, "dim", -1))


def _norm_input(a: Args) -> Any:
    x = a["input_tensor"]
    residual = a.get("residual_input_tensor")
    return x + residual if residual is not None else x


@golden("layer_norm")
def layer_norm(a: Args) -> Any:
    x = _norm_input(a)
    torch = _torch()
    width = x.shape[-1]
    weight, bias = a.get("weight"), a.get("bias")
    if weight is not None:
        weight = weight.reshape(-1)[-width:]
    if bias is not None:
        bias = bias.reshape(-1)[-width:]
    return torch.nn.functional.layer_norm(x, (width,), weight, bias, eps=a.get("epsilon", 1e-12))


@golden("rms_norm")
def rms_norm(a: Args) -> Any:
    x = _norm_input(a)
    torch = _torch()
    out = x * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + a.get("epsilon", 1e-12))
    weight, bias = a.get("weight"), a.get("bias")
    if weight is not None:
        out = out * weight.reshape(-1)[-x.shape[-1] :]
    if bias is not None:
        out = out + bias.reshape(-1)[-x.shape[-1] :]
    return out


def _operands(a: Args) -> tuple[Any, Any]:
    x, y = a["input_tensor_a"], a["input_tensor_b"]
    if a.get("transpose_a"):
        x = x.transpose(-1, -2)
    if a.get("transpose_b"):
        y = y.transpose(-1, -2)
    return x, y.to(x.dtype)


@golden("matmul")
def matmul(a: Args) -> Any:
    x, y = _operands(a)
    return x @ y


@golden("linear")
def linear(a: Args) -> Any:
    x, y = _operands(a)
    out = x @ y
    bias = a.get("bias")
    return out + bias if bias is not None else out


@golden("conv2d")
def conv2d(a: Args) -> Any:
    """ttnn's conv2d takes NHWC flattened input and returns (1, 1, N*H*W, C)."""
    torch = _torch()
    n, h, w, c = a["batch_size"], a["input_height"], a["input_width"], a["in_channels"]
    x = a["input_tensor"].reshape(n, h, w, c).permute(0, 3, 1, 2)
    bias = a.get("bias_tensor")
    out = torch.nn.functional.conv2d(
        x,
        a["weight_tensor"],
        bias.reshape(-1) if bias is not None else None,
        stride=tuple(a.get("stride", (1, 1))),
        padding=tuple(a.get("padding", (0, 0))),
        dilation=tuple(a.get("dilation", (1, 1))),
        groups=a.get("groups", 1),
    )
    return out.permute(0, 2, 3, 1).reshape(1, 1, -1, out.shape[1])


@golden("transpose")
def transpose(a: Args) -> Any:
    return a["input_tensor"].transpose(a["dim1"], a["dim2"])


@golden("permute")
def permute(a: Args) -> Any:
    return a["input_tensor"].permute(*a["dims"])


@golden("reshape")
def reshape(a: Args) -> Any:
    return a["input_tensor"].reshape(tuple(a["shape"])).contiguous().clone()


@golden("concat")
def concat(a: Args) -> Any:
    return _torch().concat(list(a["tensors"]), dim=a.get("dim", 0))


@golden("embedding")
def embedding(a: Args) -> Any:
    torch = _torch()
    return torch.nn.functional.embedding(a["input_tensor"].to(torch.int64), a["weight"])


@golden("typecast")
def typecast(a: Args) -> Any:
    return a["input_tensor"]  # the value; quantization to the output dtype is the backend's


@golden("identity")
def identity(a: Args) -> Any:
    for name in ("input_tensor", "tensor"):
        if name in a:
            return a[name]
    raise KeyError("identity golden needs input_tensor")


def _reduce(a: Args, fn: str) -> Any:
    torch = _torch()
    x, dim, keepdim = a["input_tensor"], _dim(a, "dim", None), bool(a.get("keepdim", False))
    if dim is None:
        out = getattr(torch, fn)(x)
    elif fn == "max":
        out = torch.amax(x, dim=dim, keepdim=keepdim)
    else:
        out = getattr(torch, fn)(x, dim=dim, keepdim=keepdim)
    scalar = a.get("scalar", 1.0)
    return out * scalar if scalar != 1.0 else out


@golden("sum")
def sum_(a: Args) -> Any:
    return _reduce(a, "sum")


@golden("mean")
def mean(a: Args) -> Any:
    return _reduce(a, "mean")


@golden("max")
def max_(a: Args) -> Any:
    return _reduce(a, "max")


@golden("pad")
def pad(a: Args) -> Any:
    """Either form of ttnn.pad: per-dim (before, after) pairs, or an output shape and a start."""
    x = a["input_tensor"]
    if "padding" in a:
        pairs = [tuple(p) for p in a["padding"]]
    else:
        start = tuple(a.get("input_tensor_start") or (0,) * x.dim())
        pairs = [(s, o - s - d) for s, o, d in zip(start, a["output_padded_shape"], x.shape, strict=True)]
    flat: list[int] = []
    for before, after in reversed(pairs):
        flat += [int(before), int(after)]
    return _torch().nn.functional.pad(x, flat, value=float(a.get("value") or 0))


@golden("zeros")
def zeros(a: Args) -> Any:
    return _torch().zeros(tuple(a["shape"]))
