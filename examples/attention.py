"""Multi-head self-attention: projections, heads split with reshape + permute, scaled scores
(matmul against the transposed keys, multiply), softmax, weighted values, heads merged back."""

from __future__ import annotations

from examples.common import Array
from ttgen.runtime import ttnn


def attention(
    x: ttnn.Tensor, wq: ttnn.Tensor, wk: ttnn.Tensor, wv: ttnn.Tensor, wo: ttnn.Tensor, heads: int
) -> ttnn.Tensor:
    batch, _, seq, width = x.shape
    head = width // heads

    def split(t: ttnn.Tensor) -> ttnn.Tensor:  # [b, 1, s, h*d] -> [b, h, s, d]
        return ttnn.permute(ttnn.reshape(t, (batch, seq, heads, head)), (0, 2, 1, 3))

    q, k, v = split(ttnn.linear(x, wq)), split(ttnn.linear(x, wk)), split(ttnn.linear(x, wv))
    scores = ttnn.multiply(ttnn.matmul(q, ttnn.transpose(k, -2, -1)), head**-0.5)
    context = ttnn.matmul(ttnn.softmax(scores, dim=-1), v)  # [b, h, s, d]
    merged = ttnn.reshape(ttnn.permute(context, (0, 2, 1, 3)), (batch, 1, seq, width))
    return ttnn.linear(merged, wo)


def attention_reference(x: Array, wq: Array, wk: Array, wv: Array, wo: Array, heads: int) -> Array:
    import torch

    tx, tq, tk, tv, to = (torch.from_numpy(a) for a in (x, wq, wk, wv, wo))
    batch, _, seq, width = tx.shape
    head = width // heads

    def split(t: torch.Tensor) -> torch.Tensor:
        return t.reshape(batch, seq, heads, head).permute(0, 2, 1, 3)

    q, k, v = split(tx @ tq), split(tx @ tk), split(tx @ tv)
    weights = torch.softmax((q @ k.transpose(-2, -1)) * head**-0.5, dim=-1)
    merged = (weights @ v).permute(0, 2, 1, 3).reshape(batch, 1, seq, width)
    return (merged @ to).numpy()
