from __future__ import annotations

from examples.activations import (
    inverse_magnitude,
    inverse_magnitude_reference,
    soft_normalize,
    soft_normalize_reference,
    softplus,
    softplus_reference,
)
from examples.common import check, put, rand
from ttgen.runtime import ttnn


def test_softplus_gate(device: ttnn.MeshDevice) -> None:
    x = rand(41, 1, 1, 32, 256, scale=4.0)
    check(lambda: softplus_reference(x), softplus(put(x, device)))


def test_soft_normalize_and_inverse_magnitude(device: ttnn.MeshDevice) -> None:
    x = rand(42, 1, 1, 64, 64, scale=2.0)
    check(lambda: soft_normalize_reference(x, 1e-3), soft_normalize(put(x, device), 1e-3))
    check(lambda: inverse_magnitude_reference(x), inverse_magnitude(put(x, device)))
