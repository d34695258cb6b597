"""L1 sharding and block-float weights: the activation moves through height-, width- and
block-sharded L1 memory configs (elementwise ops on each), then back to DRAM for a linear layer
whose weights are bfloat8_b. Shapes: x [1, 1, 128, 256] on a 4-core row and a 2x2 block."""

from __future__ import annotations

from examples.common import Array, grid, sharded
from ttgen.runtime import ttnn

HEIGHT_SHARDED = sharded(ttnn.TensorMemoryLayout.HEIGHT_SHARDED, grid(0, 0, 3, 0), (32, 256))
WIDTH_SHARDED = sharded(ttnn.TensorMemoryLayout.WIDTH_SHARDED, grid(0, 0, 3, 0), (128, 64))
BLOCK_SHARDED = sharded(ttnn.TensorMemoryLayout.BLOCK_SHARDED, grid(0, 0, 1, 1), (64, 128))


def sharded_block(x: ttnn.Tensor, bias: ttnn.Tensor, weight_bf8: ttnn.Tensor) -> ttnn.Tensor:
    h = ttnn.gelu(ttnn.to_memory_config(x, HEIGHT_SHARDED), memory_config=HEIGHT_SHARDED)
    w = ttnn.to_memory_config(h, WIDTH_SHARDED)
    w = ttnn.multiply(w, w, memory_config=WIDTH_SHARDED)
    b = ttnn.to_memory_config(w, BLOCK_SHARDED)
    b = ttnn.add(b, ttnn.to_memory_config(bias, BLOCK_SHARDED), memory_config=BLOCK_SHARDED)
    d = ttnn.to_memory_config(b, ttnn.DRAM_MEMORY_CONFIG)
    return ttnn.linear(d, weight_bf8)


def sharded_block_reference(x: Array, bias: Array, weight: Array) -> Array:
    import torch

    h = torch.nn.functional.gelu(torch.from_numpy(x))
    return ((h * h + torch.from_numpy(bias)) @ torch.from_numpy(weight)).numpy()
