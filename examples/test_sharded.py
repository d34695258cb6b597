from __future__ import annotations

from examples.common import check, put, rand
from examples.sharded import sharded_block, sharded_block_reference
from ttgen.runtime import ttnn


def test_sharded_block_with_bfloat8_b_weights(device: ttnn.MeshDevice) -> None:
    x, bias, weight = rand(31, 1, 1, 128, 256), rand(32, 1, 1, 128, 256), rand(33, 256, 128, scale=0.1)
    out = sharded_block(put(x, device), put(bias, device), put(weight, device, dtype=ttnn.bfloat8_b))
    check(lambda: sharded_block_reference(x, bias, weight), out, threshold=0.98)
