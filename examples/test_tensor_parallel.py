from __future__ import annotations

from examples.common import check, rand
from examples.tensor_parallel import distribute, first_device, tp_mlp, tp_mlp_async, tp_mlp_reference
from ttgen.runtime import ttnn


def test_tensor_parallel_mlp(mesh: ttnn.MeshDevice) -> None:
    x, w1, w2 = rand(41, 1, 1, 32, 128), rand(42, 128, 512, scale=0.1), rand(43, 512, 128, scale=0.1)
    out = tp_mlp(distribute(x, mesh, None), distribute(w1, mesh, -1), distribute(w2, mesh, -2))
    assert tuple(out.shape) == (1, 1, 32, 128)  # each device: the whole output, gathered
    check(lambda: tp_mlp_reference(x, w1, w2), first_device(out), threshold=0.98)


def test_tensor_parallel_mlp_async(mesh: ttnn.MeshDevice) -> None:
    x, w1, w2 = rand(44, 1, 1, 32, 128), rand(45, 128, 512, scale=0.1), rand(46, 512, 128, scale=0.1)
    out = tp_mlp_async(mesh, distribute(x, mesh, None), distribute(w1, mesh, -1), distribute(w2, mesh, -2))
    assert tuple(out.shape) == (1, 1, 32, 128)
    check(lambda: tp_mlp_reference(x, w1, w2, "silu"), first_device(out), threshold=0.98)
