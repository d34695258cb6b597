"""The shard spec a matmul derives for a sharded output named without one, against real ttnn
0.81.1 on a mock N150 (the expected grids and shard shapes below are what the wheel printed)."""

from __future__ import annotations

import numpy as np
import pytest

import ttgen.emu as ttnn

W, H, B = (
    ttnn.TensorMemoryLayout.WIDTH_SHARDED,
    ttnn.TensorMemoryLayout.HEIGHT_SHARDED,
    ttnn.TensorMemoryLayout.BLOCK_SHARDED,
)


@pytest.fixture(scope="module")
def device() -> ttnn.MeshDevice:
    return ttnn.open_device(device_id=0)


def on(device: ttnn.MeshDevice, shape: tuple[int, ...], mc: ttnn.MemoryConfig = ttnn.DRAM_MEMORY_CONFIG) -> ttnn.Tensor:
    host = ttnn.Tensor(np.zeros(shape, np.float32), ttnn.bfloat8_b, None, ttnn.TILE_LAYOUT)
    return ttnn.to_device(host, device, mc)


def width_on(gx: int, gy: int, m: int, k: int) -> ttnn.MemoryConfig:
    grid = ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(gx - 1, gy - 1))})
    spec = ttnn.ShardSpec(grid, [m, k // (gx * gy)], ttnn.ShardOrientation.ROW_MAJOR)
    return ttnn.MemoryConfig(W, ttnn.BufferType.L1, spec)


def shards(t: ttnn.Tensor) -> tuple[str, list[int]]:
    spec = t.memory_config().shard_spec
    assert spec is not None
    return repr(spec.grid), spec.shape


@pytest.mark.parametrize(
    ("m", "n", "grid", "shape"),
    [
        (1, 640, "{[0-0 - 7-1], [0-2 - 3-2]}", [32, 32]),  # 20 tiles: one each on 20 cores
        (32, 3072, "{[0-0 - 7-5]}", [32, 64]),  # 96 tiles: 2 each on 48 cores
        (32, 2048, "{[0-0 - 7-7]}", [32, 32]),
        (1, 1024, "{[0-0 - 7-3]}", [32, 32]),
        (32, 96, "{[0-0 - 2-0]}", [32, 32]),
        (1, 4096, "{[0-0 - 7-7]}", [32, 64]),
        (32, 8192, "{[0-0 - 7-7]}", [32, 128]),
    ],
)
def test_decode_matmul_width_output_over_the_compute_grid(
    device: ttnn.MeshDevice, m: int, n: int, grid: str, shape: list[int]
) -> None:
    out = ttnn.matmul(
        on(device, (1, 1, m, 2880)), on(device, (2880, n)), memory_config=ttnn.MemoryConfig(W, ttnn.BufferType.L1)
    )
    assert out.memory_config().memory_layout is W and shards(out) == (grid, shape)


@pytest.mark.parametrize(
    ("gx", "gy", "k", "n", "grid", "shape"),
    [
        (8, 1, 512, 3072, "{[0-0 - 7-0]}", [32, 384]),
        (4, 1, 512, 3072, "{[0-0 - 3-0]}", [32, 768]),
        (8, 2, 512, 3072, "{[0-0 - 7-1]}", [32, 192]),
        (2, 2, 512, 1024, "{[0-0 - 1-1]}", [32, 256]),
        (8, 1, 2048, 640, "{[0-0 - 6-0]}", [32, 96]),  # 20 tiles, 3 a core: 7 of the 8 cores
        (8, 2, 2048, 640, "{[0-0 - 7-0], [0-1 - 1-1]}", [32, 64]),
    ],
)
def test_width_sharded_input_a_carries_its_grid_to_the_output(
    device: ttnn.MeshDevice, gx: int, gy: int, k: int, n: int, grid: str, shape: list[int]
) -> None:
    a = on(device, (1, 1, 32, k), width_on(gx, gy, 32, k))
    out = ttnn.linear(a, on(device, (k, n)), memory_config=ttnn.MemoryConfig(W, ttnn.BufferType.L1))
    assert shards(out) == (grid, shape)


def test_a_sharded_input_a_and_another_output_layout_is_refused(device: ttnn.MeshDevice) -> None:
    a = on(device, (1, 1, 32, 512), width_on(8, 1, 32, 512))
    message = (
        "Input A and output memory layouts must match, got input: TensorMemoryLayout::WIDTH_SHARDED vs "
        "output: TensorMemoryLayout::HEIGHT_SHARDED"
    )
    with pytest.raises(RuntimeError, match=message):
        ttnn.matmul(a, on(device, (512, 1024)), memory_config=ttnn.MemoryConfig(H, ttnn.BufferType.L1))


@pytest.mark.parametrize(("m", "layout"), [(1024, W), (32, H), (32, B), (256, W)])
def test_the_heuristic_cases_are_not_emulated(device: ttnn.MeshDevice, m: int, layout: ttnn.TensorMemoryLayout) -> None:
    """ttnn's 2-D / height choices (probed to depend on M, N and L1 clashes) are not guessed."""
    with pytest.raises(ttnn.NotEmulatedError, match="without a shard spec"):
        ttnn.matmul(
            on(device, (1, 1, m, 512)),
            on(device, (512, 640)),
            memory_config=ttnn.MemoryConfig(layout, ttnn.BufferType.L1),
        )
