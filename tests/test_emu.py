"""The emulator's tensors, validation, allocation and ops, against ttnn's documented behaviour
(shared/reference/ttnn-0.81.1.md §1-§2)."""

from __future__ import annotations

import numpy as np
import pytest

import ttgen.emu as ttnn


@pytest.fixture
def device() -> ttnn.MeshDevice:
    return ttnn.open_device(device_id=0)


def host(
    shape: tuple[int, ...], dtype: ttnn.DataType = ttnn.bfloat16, layout: ttnn.Layout = ttnn.TILE_LAYOUT
) -> ttnn.Tensor:
    return ttnn.Tensor(np.random.default_rng(0).standard_normal(shape).astype(np.float32), dtype, None, layout)


def height_sharded(shard: tuple[int, int], cores: int) -> ttnn.MemoryConfig:
    grid = ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(cores - 1, 0))})
    spec = ttnn.ShardSpec(grid, list(shard), ttnn.ShardOrientation.ROW_MAJOR)
    return ttnn.MemoryConfig(ttnn.TensorMemoryLayout.HEIGHT_SHARDED, ttnn.BufferType.L1, spec)


def test_shapes_and_padding() -> None:
    t = host((3, 50))
    assert t.shape == [3, 50] and t.padded_shape == [32, 64]
    assert host((50,)).padded_shape == [32, 64]  # rank 1 pads to rank 2
    assert host((3, 50), layout=ttnn.ROW_MAJOR_LAYOUT).padded_shape == [3, 50]
    assert t.storage_type() is ttnn.StorageType.HOST and t.memory_config() == ttnn.DRAM_MEMORY_CONFIG


def test_block_floats_need_tile() -> None:
    with pytest.raises(RuntimeError, match="Layout must be Layout::TILE for bfloat8_b or bfloat4_b!"):
        host((32, 32), ttnn.bfloat8_b, ttnn.ROW_MAJOR_LAYOUT)


def test_to_device_validates_shards_with_ttnns_words(device: ttnn.MeshDevice) -> None:
    ok = ttnn.to_device(host((1, 1, 256, 64)), device, height_sharded((32, 64), 8))
    assert ok.is_sharded() and ok.memory_config().shard_spec is not None
    with pytest.raises(RuntimeError, match="Number of shards along height 16 must not exceed number of cores 8"):
        ttnn.to_device(host((1, 1, 512, 64)), device, height_sharded((32, 64), 8))
    with pytest.raises(RuntimeError, match=r"Physical shard shape \(16, 64\) must be tile \{32, 32\} sized!"):
        ttnn.to_device(host((1, 1, 256, 64)), device, height_sharded((16, 64), 8))
    with pytest.raises(RuntimeError, match=r"shard core \(8, 0\) has no L1 bank"):
        ttnn.to_device(host((1, 1, 288, 64)), device, height_sharded((32, 64), 9))


def test_l1_out_of_memory_and_deallocation(device: ttnn.MeshDevice) -> None:
    big = host((1, 1, 4096, 4096))  # 16384 tiles of 2048 B over 64 banks: 524288 B per bank
    kept = [ttnn.to_device(big, device, ttnn.L1_MEMORY_CONFIG), ttnn.to_device(big, device, ttnn.L1_MEMORY_CONFIG)]
    with pytest.raises(
        RuntimeError,
        match=r"Out of Memory: Not enough space to allocate 33554432 B L1 buffer across 64 banks, where each bank needs to store 524288 B, but bank size is 1393312 B \(allocated: 1048576 B",
    ):
        ttnn.to_device(big, device, ttnn.L1_MEMORY_CONFIG)
    ttnn.deallocate(kept[0])
    ttnn.to_device(big, device, ttnn.L1_MEMORY_CONFIG)  # room again


def test_ops_follow_ttnns_output_specs(device: ttnn.MeshDevice) -> None:
    a = ttnn.to_device(host((1, 1, 256, 64)), device, height_sharded((32, 64), 8))
    out = ttnn.add(a, a)
    assert out.memory_config() == a.memory_config()  # sharded eltwise keeps the input's config
    mixed = ttnn.add(
        ttnn.to_device(host((1, 1, 32, 64), ttnn.bfloat8_b), device), ttnn.to_device(host((1, 1, 32, 64)), device)
    )
    assert mixed.dtype is ttnn.bfloat8_b  # input a's dtype
    m = ttnn.matmul(a, ttnn.to_device(host((1, 1, 64, 96)), device))
    assert m.shape == [1, 1, 256, 96] and m.memory_config() == ttnn.DRAM_MEMORY_CONFIG
    rm = ttnn.to_device(host((1, 1, 32, 64), layout=ttnn.ROW_MAJOR_LAYOUT), device)
    assert ttnn.relu(rm).layout is ttnn.ROW_MAJOR_LAYOUT and ttnn.softmax(rm).layout is ttnn.TILE_LAYOUT
    with pytest.raises(RuntimeError, match="width=64 height=32"):
        ttnn.matmul(a, ttnn.to_device(host((1, 1, 32, 64)), device))
    with pytest.raises(RuntimeError, match="must be on device"):
        ttnn.relu(host((32, 32)))


def test_op_values_are_the_golden_quantized(device: ttnn.MeshDevice) -> None:
    x = host((1, 1, 32, 64))
    y = ttnn.relu(ttnn.to_device(x, device))
    assert np.array_equal(y.to_numpy(), np.maximum(x.to_numpy(), 0))


def test_unemulated_ops_say_so() -> None:
    with pytest.raises(ttnn.NotEmulatedError, match=r"ttnn\.experimental\.paged_fused_update_cache is not emulated"):
        ttnn.experimental.paged_fused_update_cache()
