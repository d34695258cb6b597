"""Positive-domain elementwise blocks: softplus (log(1 + eˣ), as Mamba-style models gate their
step size with it), an elementwise soft normalization x / sqrt(x² + ε), and 1 / (|x| + 1)."""

from __future__ import annotations

from examples.common import Array
from ttgen.runtime import ttnn


def softplus(x: ttnn.Tensor) -> ttnn.Tensor:
    return ttnn.log(ttnn.add(ttnn.exp(x), 1.0))


def soft_normalize(x: ttnn.Tensor, eps: float) -> ttnn.Tensor:
    return ttnn.multiply(x, ttnn.rsqrt(ttnn.add(ttnn.multiply(x, x), eps)))


def inverse_magnitude(x: ttnn.Tensor) -> ttnn.Tensor:
    return ttnn.reciprocal(ttnn.add(ttnn.sqrt(ttnn.multiply(x, x)), 1.0))


def softplus_reference(x: Array) -> Array:
    import torch

    return torch.nn.functional.softplus(torch.from_numpy(x)).numpy()


def soft_normalize_reference(x: Array, eps: float) -> Array:
    import torch

    t = torch.from_numpy(x)
    return (t * torch.rsqrt(t * t + eps)).numpy()


def inverse_magnitude_reference(x: Array) -> Array:
    import torch

    return (1.0 / (torch.from_numpy(x).abs() + 1.0)).numpy()
