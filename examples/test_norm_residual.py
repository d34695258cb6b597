from __future__ import annotations

from examples.common import check, put, rand
from examples.norm_residual import (
    layer_norm_residual,
    layer_norm_residual_reference,
    rms_norm_residual,
    rms_norm_residual_reference,
)
from ttgen.runtime import ttnn


def test_layer_norm_residual(device: ttnn.MeshDevice) -> None:
    x, r, gamma, beta = rand(21, 1, 1, 32, 256), rand(22, 1, 1, 32, 256), rand(23, 1, 256), rand(24, 1, 256)
    out = layer_norm_residual(*(put(a, device) for a in (x, r, gamma, beta)))
    check(lambda: layer_norm_residual_reference(x, r, gamma, beta), out)


def test_rms_norm_residual(device: ttnn.MeshDevice) -> None:
    x, r, gamma = rand(25, 1, 1, 64, 128), rand(26, 1, 1, 64, 128), rand(27, 1, 128)
    out = rms_norm_residual(*(put(a, device) for a in (x, r, gamma)))
    check(lambda: rms_norm_residual_reference(x, r, gamma), out)
