from __future__ import annotations

from examples.common import check, put, rand
from examples.mlp import gated_mlp, gated_mlp_reference, mlp, mlp_reference
from ttgen.runtime import ttnn


def test_mlp_block(device: ttnn.MeshDevice) -> None:
    x, w1, b1 = rand(1, 1, 1, 64, 128), rand(2, 128, 256, scale=0.1), rand(3, 1, 256, scale=0.1)
    w2, b2 = rand(4, 256, 128, scale=0.1), rand(5, 1, 128, scale=0.1)
    out = mlp(*(put(a, device) for a in (x, w1, b1, w2, b2)))
    check(lambda: mlp_reference(x, w1, b1, w2, b2), out)


def test_gated_mlp(device: ttnn.MeshDevice) -> None:
    x, wg, wu, wd = (
        rand(6, 1, 1, 32, 128),
        rand(7, 128, 256, scale=0.1),
        rand(8, 128, 256, scale=0.1),
        rand(9, 256, 128),
    )
    out = gated_mlp(*(put(a, device) for a in (x, wg, wu, wd)))
    check(lambda: gated_mlp_reference(x, wg, wu, wd), out)
