"""Pre-norm residual blocks: layer_norm with weight and bias, rms_norm with a weight, each
followed by the residual add."""

from __future__ import annotations

from examples.common import Array
from ttgen.runtime import ttnn


def layer_norm_residual(x: ttnn.Tensor, residual: ttnn.Tensor, gamma: ttnn.Tensor, beta: ttnn.Tensor) -> ttnn.Tensor:
    h = ttnn.add(x, residual)
    return ttnn.add(ttnn.layer_norm(h, epsilon=1e-5, weight=gamma, bias=beta), h)


def rms_norm_residual(x: ttnn.Tensor, residual: ttnn.Tensor, gamma: ttnn.Tensor) -> ttnn.Tensor:
    h = ttnn.add(x, residual)
    return ttnn.add(ttnn.rms_norm(h, epsilon=1e-6, weight=gamma), h)


def layer_norm_residual_reference(x: Array, residual: Array, gamma: Array, beta: Array) -> Array:
    import torch

    h = torch.from_numpy(x + residual)
    normed = torch.nn.functional.layer_norm(
        h, h.shape[-1:], torch.from_numpy(gamma.reshape(-1)), torch.from_numpy(beta.reshape(-1)), 1e-5
    )
    return (normed + h).numpy()


def rms_norm_residual_reference(x: Array, residual: Array, gamma: Array) -> Array:
    import torch

    h = torch.from_numpy(x + residual)
    normed = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + 1e-6) * torch.from_numpy(gamma.reshape(-1))
    return (normed + h).numpy()
