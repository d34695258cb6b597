"""The emulator's topk indices_tensor: output specs and error messages as read
off the real ttnn 0.81.1 wheel on a mock N150 (probe scripts 2026-12, /work/ttnn-venv), values
against the ops' numpy definitions (mock devices read back zeros), and the mapping over a mesh."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

import ttgen.emu as ttnn
from ttgen.emu import topology as topology_module

F32, BF16, BF8 = ttnn.float32, ttnn.bfloat16, ttnn.bfloat8_b
I32, U32, U16, U8 = ttnn.int32, ttnn.uint32, ttnn.uint16, ttnn.uint8
TILE, RM = ttnn.TILE_LAYOUT, ttnn.ROW_MAJOR_LAYOUT
DRAM, L1 = ttnn.DRAM_MEMORY_CONFIG, ttnn.L1_MEMORY_CONFIG
HS, WS, BS = (
    ttnn.TensorMemoryLayout.HEIGHT_SHARDED,
    ttnn.TensorMemoryLayout.WIDTH_SHARDED,
    ttnn.TensorMemoryLayout.BLOCK_SHARDED,
)
ROW, COL = ttnn.ShardOrientation.ROW_MAJOR, ttnn.ShardOrientation.COL_MAJOR


@pytest.fixture(autouse=True)
def _system(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TTGEN_EMU_SYSTEM", "any")
    previous = topology_module.fabric_config()
    yield
    ttnn.set_fabric_config(previous)


@pytest.fixture
def device() -> ttnn.MeshDevice:
    return ttnn.open_device(device_id=0)


def rand(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def ints(shape: tuple[int, ...], low: int, high: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(low, high, size=shape).astype(np.int64)


def put(device: ttnn.MeshDevice, a: np.ndarray, dtype=F32, layout=TILE, mc=DRAM) -> ttnn.Tensor:
    return ttnn.to_device(ttnn.Tensor(a, dtype, None, layout), device, mc)


def spec(t: ttnn.Tensor) -> tuple[list[int], list[int], ttnn.DataType, ttnn.Layout, ttnn.BufferType]:
    return list(t.shape), list(t.padded_shape), t.dtype, t.layout, t.memory_config().buffer_type


def host(t: ttnn.Tensor) -> np.ndarray:
    return ttnn.from_device(t).to_numpy()


def sharded(layout: ttnn.TensorMemoryLayout, x1: int, y1: int, shape: list[int], orient=ROW) -> ttnn.MemoryConfig:
    grid = ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(x1, y1))})
    return ttnn.MemoryConfig(layout, ttnn.BufferType.L1, ttnn.ShardSpec(grid, shape, orient))


def grid_of(t: ttnn.Tensor) -> list[tuple[int, int, int, int]]:
    shard = t.memory_config().shard_spec
    assert shard is not None
    return [(r.start.x, r.start.y, r.end.x, r.end.y) for r in shard.grid.ranges()]


# ----------------------------------------------------------------------------- topk indices_tensor


def test_topk_indices_tensor(device: ttnn.MeshDevice) -> None:
    x = rand((1, 1, 32, 1024))
    ids = ints((1, 1, 32, 1024), 0, 60000)
    t = put(device, x, BF16)
    values, indices = ttnn.topk(t, k=4, dim=-1, indices_tensor=put(device, ids, U32))
    assert indices.dtype is U32 and list(indices.shape) == [1, 1, 32, 4]  # probe: the indices' dtype
    order = np.argsort(-host(t), axis=-1, kind="stable")[..., :4]
    assert np.array_equal(host(indices), np.take_along_axis(ids, order, -1))
    assert np.array_equal(host(values), np.take_along_axis(host(t), order, -1))
    with pytest.raises(RuntimeError, match="Optional indices tensor must be UINT16, UINT32, or INT32"):
        ttnn.topk(t, k=4, indices_tensor=put(device, ids, BF16))
    with pytest.raises(RuntimeError, match="Optional indices tensor must be in tiled format"):
        ttnn.topk(t, k=4, indices_tensor=put(device, ids, U16, RM))
    with pytest.raises(RuntimeError, match="Indices tensor has incorrect shape!"):
        ttnn.topk(t, k=4, indices_tensor=put(device, ids[..., :64], U16))
    with pytest.raises(
        RuntimeError, match="only supported for a reduction on the last dimension, got dim=-2 for rank 4"
    ):
        ttnn.topk(
            put(device, rand((1, 1, 64, 64))), k=4, dim=-2, indices_tensor=put(device, ints((1, 1, 64, 64), 0, 9), U16)
        )
    wide = put(device, np.zeros((1, 1, 32, 70016), np.float32), BF16)
    with pytest.raises(RuntimeError, match="must be the same width as the output indices dtype DataType::UINT32"):
        ttnn.topk(wide, k=32, indices_tensor=put(device, np.zeros((1, 1, 32, 70016), np.int32), U16))
