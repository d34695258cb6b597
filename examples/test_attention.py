from __future__ import annotations

from examples.attention import attention, attention_reference
from examples.common import check, put, rand
from ttgen.runtime import ttnn


def test_attention_block(device: ttnn.MeshDevice) -> None:
    x = rand(11, 1, 1, 64, 128)
    wq, wk, wv, wo = (rand(12 + i, 128, 128, scale=0.1) for i in range(4))
    q, k, v, o = (put(a, device) for a in (wq, wk, wv, wo))
    out = attention(put(x, device), q, k, v, o, heads=4)
    check(lambda: attention_reference(x, wq, wk, wv, wo, heads=4), out)
