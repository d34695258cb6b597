"""A transformer MLP block: linear → gelu → linear, plus the residual; a SwiGLU-style variant
with silu and multiply."""

from __future__ import annotations

from examples.common import Array
from ttgen.runtime import ttnn


def mlp(x: ttnn.Tensor, w1: ttnn.Tensor, b1: ttnn.Tensor, w2: ttnn.Tensor, b2: ttnn.Tensor) -> ttnn.Tensor:
    h = ttnn.linear(x, w1, bias=b1)
    h = ttnn.gelu(h)
    y = ttnn.linear(h, w2, bias=b2)
    return ttnn.add(y, x)


def gated_mlp(x: ttnn.Tensor, w_gate: ttnn.Tensor, w_up: ttnn.Tensor, w_down: ttnn.Tensor) -> ttnn.Tensor:
    gate = ttnn.silu(ttnn.linear(x, w_gate))
    up = ttnn.linear(x, w_up)
    return ttnn.linear(ttnn.multiply(gate, up), w_down)


def mlp_reference(x: Array, w1: Array, b1: Array, w2: Array, b2: Array) -> Array:
    import torch

    t = [torch.from_numpy(a) for a in (x, w1, b1, w2, b2)]
    h = torch.nn.functional.gelu(t[0] @ t[1] + t[2])
    return (h @ t[3] + t[4] + t[0]).numpy()


def gated_mlp_reference(x: Array, w_gate: Array, w_up: Array, w_down: Array) -> Array:
    import torch

    tx, tg, tu, td = (torch.from_numpy(a) for a in (x, w_gate, w_up, w_down))
    return ((torch.nn.functional.silu(tx @ tg) * (tx @ tu)) @ td).numpy()
