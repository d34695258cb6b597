"""What a failing case says: an output spec that differs names the fields that differ."""

from __future__ import annotations

import numpy as np

import ttgen.emu as ttnn
from ttgen.runtime.case import spec_differs
from ttgen.runtime.spec import TensorSpec


def test_a_differing_spec_names_each_field_that_differs() -> None:
    device = ttnn.open_device(device_id=0)
    t = ttnn.to_device(ttnn.Tensor(np.zeros((1, 1, 32, 64), np.float32), ttnn.bfloat16, None, ttnn.TILE_LAYOUT), device)
    same = TensorSpec((1, 1, 32, 64), ttnn.bfloat16, ttnn.TILE_LAYOUT, ttnn.DRAM_MEMORY_CONFIG)
    assert spec_differs(t, same) is None
    other = TensorSpec((1, 1, 32, 64), ttnn.bfloat8_b, ttnn.TILE_LAYOUT, ttnn.L1_MEMORY_CONFIG)
    message = spec_differs(t, other)
    assert message is not None and "shape" not in message and "layout" not in message
    assert "dtype DataType.BFLOAT16 (traced DataType.BFLOAT8_B)" in message
    assert "memory_config.buffer_type BufferType.DRAM (traced BufferType.L1)" in message
