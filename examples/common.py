"""Helpers the example models share: host arrays in, host arrays out (numpy; no torch needed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ttgen.runtime import ttnn
from ttgen.runtime.case import mock_device, values_of
from ttgen.runtime.pcc import comp_pcc

Array = np.ndarray[Any, np.dtype[Any]]


def rand(seed: int, *shape: int, scale: float = 1.0) -> Array:
    return (np.random.default_rng(seed).uniform(-1.0, 1.0, size=shape) * scale).astype(np.float32)


def put(
    values: Array,
    device: ttnn.MeshDevice,
    *,
    dtype: ttnn.DataType = ttnn.bfloat16,
    memory_config: ttnn.MemoryConfig | None = None,
) -> ttnn.Tensor:
    """A host array as a TILE tensor on the device (DRAM interleaved unless told otherwise)."""
    host = ttnn.Tensor(values, dtype, None, ttnn.TILE_LAYOUT)
    return ttnn.to_device(host, device, memory_config or ttnn.DRAM_MEMORY_CONFIG)


def get(tensor: ttnn.Tensor) -> Array:
    return values_of(tensor).astype(np.float32)


def check(reference: Callable[[], Array], tensor: ttnn.Tensor, threshold: float = 0.99) -> float | None:
    """PCC of a device result against the torch reference. On a mock device there are no device
    numerics: nothing is compared (and torch, absent from the real-ttnn venv, is never needed)."""
    if mock_device():
        return None
    want = reference()
    assert tuple(tensor.shape) == want.shape, (tuple(tensor.shape), want.shape)
    ok, pcc = comp_pcc(want, get(tensor), threshold)
    assert ok, f"pcc {pcc} < {threshold}"
    return pcc


def grid(x0: int, y0: int, x1: int, y1: int) -> ttnn.CoreRangeSet:
    return ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(x0, y0), ttnn.CoreCoord(x1, y1))})


def sharded(layout: ttnn.TensorMemoryLayout, cores: ttnn.CoreRangeSet, shard: tuple[int, int]) -> ttnn.MemoryConfig:
    spec = ttnn.ShardSpec(cores, shard, ttnn.ShardOrientation.ROW_MAJOR)
    return ttnn.MemoryConfig(layout, ttnn.BufferType.L1, spec)
