"""The emulator's shape, layout and small elementwise ops (ttgen/emu/shape_ops.py: reshape,
unsqueeze, unsqueeze_to_4D, tilize / untilize and their padding variants, *_like, clamp, plus_one,
interleaved_to_sharded, scatter) and topk's indices_tensor: output specs and error messages as read
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


# ----------------------------------------------------------------------------- reshape


def test_reshape_infers_one_dim(device: ttnn.MeshDevice) -> None:
    x = rand((1, 1, 128, 96))
    t = put(device, x, BF16)
    out = ttnn.reshape(t, (-1, 96))  # probe (the gpt-oss DIFF): -1 is inferred
    assert spec(out) == ([128, 96], [128, 96], BF16, TILE, ttnn.BufferType.DRAM)
    assert np.array_equal(host(out), host(t).reshape(128, 96))
    one = ttnn.reshape(put(device, rand((1, 1, 1, 2880)), BF8, mc=L1), (-1, 2880))
    assert spec(one) == ([1, 2880], [32, 2880], BF8, TILE, ttnn.BufferType.L1)
    assert list(ttnn.reshape(t, (-1,)).padded_shape) == [32, 128 * 96]
    with pytest.raises(RuntimeError, match=r"more than 1 elements that is set to -1! Shape used: \(-1,-1,\)"):
        ttnn.reshape(t, (-1, -1))
    for bad in ((-1, 7), (-2, 96), (0, 96), (1, 128, 97)):
        with pytest.raises(RuntimeError, match="Invalid arguments to reshape"):
            ttnn.reshape(t, bad)
    with pytest.raises(RuntimeError, match="cannot reshape tensor of 0 elements into shape"):
        ttnn.reshape(t, (0, -1))


def test_reshape_views_and_padded_overload(device: ttnn.MeshDevice) -> None:
    x = rand((1, 1, 32, 64))
    t = put(device, x, BF16, mc=L1)
    # probe (gpt-oss ff5776145883): a logical [..., 1, w] view of the padded buffer: its first row
    out = ttnn.reshape(t, (1, 1, 1, 64), (1, 1, 32, 64))
    assert spec(out) == ([1, 1, 1, 64], [1, 1, 32, 64], BF16, TILE, ttnn.BufferType.L1)
    assert np.array_equal(host(out), host(t)[:, :, :1, :])
    same = ttnn.reshape(t, logical_shape=(1, 1, 16, 64), padded_shape=(1, 1, 32, 64))
    assert list(same.shape) == [1, 1, 16, 64] and np.array_equal(host(same), host(t)[:, :, :16])
    # back up from one row: the rows past the first are the zero padding
    row = put(device, rand((1, 1, 1, 64)), BF16)
    grown = ttnn.reshape(row, (1, 1, 2, 64), (1, 1, 32, 64))
    assert np.array_equal(host(grown), np.concatenate([host(row), np.zeros((1, 1, 1, 64), np.float32)], 2))
    with pytest.raises(RuntimeError, match="MeshBuffer must be large enough to hold the tensor"):
        ttnn.reshape(t, (1, 1, 1, 64), (1, 1, 64, 64))
    with pytest.raises(RuntimeError, match="reshape between two shapes with different volumes"):
        ttnn.reshape(t, (1, 1, 1, 64), (1, 1, 1, 64))
    with pytest.raises(RuntimeError, match="reshape between two shapes with different volumes"):
        ttnn.reshape(t, ttnn.Shape([1, 1, 1, 64]))  # a Shape is not inferred: the volume check is the view's
    with pytest.raises(NotImplementedError):  # probe: ttnn keeps the requested [.., 32, 64] padding
        ttnn.reshape(t, (1, 1, 1, 30), (1, 1, 32, 64))
    booked = list(device.allocator.l1_used)
    ttnn.reshape(t, (32, 64))  # a view shares the input's buffer: nothing more is booked
    assert device.allocator.l1_used == booked
    # probe: a view keeps the input's memory config even when another is asked for
    assert ttnn.reshape(put(device, x, BF16), (1, 1, 1, 64), (1, 1, 32, 64), memory_config=L1).memory_config() == DRAM


def test_reshape_copies_and_their_rules(device: ttnn.MeshDevice) -> None:
    x = rand((1, 1, 32, 64))
    t = put(device, x, BF16)
    # probe: the same shape into another buffer is a real reshape into it
    assert ttnn.reshape(t, (1, 1, 32, 64), memory_config=L1).memory_config() == L1
    small = ttnn.reshape(put(device, rand((3, 50))), (50, 3))
    assert spec(small)[:2] == ([50, 3], [64, 32])
    assert np.array_equal(host(small), rand((3, 50)).reshape(50, 3))
    assert list(ttnn.reshape(put(device, rand((4, 8))), (8, 4), (64, 64)).padded_shape) == [32, 32]  # TILE ignores it
    with pytest.raises(RuntimeError, match="Can only work with bfloat16/float32 or int32/uint32 tensors"):
        ttnn.reshape(put(device, ints((4, 8), 0, 9), U16, RM), (8, 4))
    with pytest.raises(RuntimeError, match="Can only work with bfloat16/float32 or int32/uint32 tensors"):
        ttnn.reshape(put(device, ints((4, 8), 0, 9), U8, TILE), (8, 4))
    assert ttnn.reshape(put(device, rand((64, 64)), ttnn.bfloat4_b), (32, 128)).dtype is ttnn.bfloat4_b
    with pytest.raises(NotImplementedError):  # probe: ROW_MAJOR keeps a requested padded shape [8, 8]
        ttnn.reshape(put(device, rand((4, 8)), BF16, RM), (8, 4), (8, 8))
    h = ttnn.reshape(ttnn.Tensor(rand((4, 6)), BF16, None, RM), (-1, 3))
    assert h.storage_type() is ttnn.StorageType.HOST and list(h.shape) == [8, 3]
    hs = ttnn.reshape(put(device, rand((1, 64, 64)), BF16, mc=sharded(HS, 1, 0, [32, 64])), (2, 32, 64))
    assert hs.memory_config().shard_spec.shape == [32, 64]  # probe: a view keeps the shard spec


# ----------------------------------------------------------------------------- unsqueeze


def test_unsqueeze_and_unsqueeze_to_4d(device: ttnn.MeshDevice) -> None:
    x = rand((1, 1, 2880))
    t = put(device, x, BF8)
    assert spec(ttnn.unsqueeze(t, 0)) == ([1, 1, 1, 2880], [1, 1, 32, 2880], BF8, TILE, ttnn.BufferType.DRAM)
    assert spec(ttnn.unsqueeze(t, -1))[:2] == ([1, 1, 2880, 1], [1, 1, 2880, 32])
    r = put(device, rand((3, 50)), BF16, RM)
    assert spec(ttnn.unsqueeze(r, 1))[:2] == ([3, 1, 50], [3, 1, 50])
    assert np.array_equal(host(ttnn.unsqueeze(r, 1)), host(r)[:, None])
    for bad in (-5, 4):
        with pytest.raises(RuntimeError, match=rf"expected to be in range of \[-4,3\], but got {bad}"):
            ttnn.unsqueeze(t, bad)
    assert ttnn.unsqueeze(ttnn.Tensor(rand((3, 50)), BF16, None, TILE), 0).storage_type() is ttnn.StorageType.HOST
    hs = ttnn.unsqueeze(put(device, rand((64, 64)), BF16, mc=sharded(HS, 1, 0, [32, 64])), 0)
    assert hs.memory_config().shard_spec.shape == [32, 64]
    with pytest.raises(NotImplementedError):  # probe: ttnn recomputes the shard to [1024, 64]
        ttnn.unsqueeze(put(device, rand((64, 64)), BF16, mc=sharded(HS, 1, 0, [32, 64])), -2)
    for shape, want in (((32,), [1, 1, 1, 32]), ((1, 2880), [1, 1, 1, 2880]), ((1, 32, 64), [1, 1, 32, 64])):
        assert list(ttnn.unsqueeze_to_4D(put(device, rand(shape), BF16)).shape) == want
    assert spec(ttnn.unsqueeze_to_4D(put(device, rand(()), BF16)))[:2] == ([1, 1, 1, 1], [1, 1, 32, 32])
    u = ttnn.unsqueeze_to_4D(ttnn.Tensor(ints((32,), 0, 9), U32, None, RM))
    assert u.storage_type() is ttnn.StorageType.HOST and list(u.padded_shape) == [1, 1, 1, 32]
    with pytest.raises(RuntimeError, match="Tensor rank is greater than 4"):
        ttnn.unsqueeze_to_4D(put(device, rand((1, 2, 3, 4, 5)), BF16))


# ----------------------------------------------------------------------------- tilize / untilize


def test_untilize_family(device: ttnn.MeshDevice) -> None:
    x = rand((3, 50))
    t = put(device, x, BF8)
    out = ttnn.untilize(t, use_multicore=True)
    assert spec(out) == ([3, 50], [3, 50], BF16, RM, ttnn.BufferType.DRAM)  # probe: bfloat8_b comes out bfloat16
    assert np.array_equal(host(out), host(t))
    assert spec(ttnn.untilize(put(device, ints((1, 1, 32, 256), 0, 9), U32), memory_config=L1))[2:] == (
        U32,
        RM,
        ttnn.BufferType.L1,
    )
    with pytest.raises(RuntimeError, match="Can only untilize tile major data"):
        ttnn.untilize(put(device, x, BF16, RM))
    with pytest.raises(RuntimeError, match="Only TILE layout is supported for BFLOAT8_B dtype!"):
        ttnn.untilize(put(device, rand((32, 64)), ttnn.bfloat4_b))
    u = ttnn.untilize_with_unpadding(put(device, x, BF16), [20, 60])  # probe: into the padding
    assert spec(u)[:2] == ([21, 61], [21, 61])
    want = np.zeros((21, 61), np.float32)
    want[:3, :50] = host(put(device, x, BF16))
    assert np.array_equal(host(u), want)
    assert list(ttnn.untilize_with_unpadding(put(device, rand((2, 32, 64))), [0, 31, 63]).shape) == [1, 32, 64]
    with pytest.raises(NotImplementedError):  # probe: ttnn reads past the tensor
        ttnn.untilize_with_unpadding(put(device, x), [40, 60])


def test_tilize_family(device: ttnn.MeshDevice) -> None:
    x = rand((1, 128))
    out = ttnn.tilize_with_zero_padding(put(device, x, BF16, RM, L1), use_multicore=True)
    assert spec(out) == ([1, 128], [32, 128], BF16, TILE, ttnn.BufferType.L1)  # gpt-oss 4c237ea35694
    assert np.array_equal(host(out), host(put(device, x, BF16, RM)))
    assert ttnn.tilize_with_zero_padding(put(device, x, U32, RM), output_dtype=BF8).dtype is BF8
    assert list(ttnn.tilize_with_zero_padding(put(device, rand(()), BF16, RM)).padded_shape) == [32, 32]
    with pytest.raises(RuntimeError, match="Can only tilize bfloat16/float32 or int32/uint32/uint16 or fp8_e4m3"):
        ttnn.tilize_with_zero_padding(put(device, ints((1, 128), 0, 9), U8, RM))
    tiled = put(device, rand((32, 64)), BF16)
    assert ttnn.tilize_with_zero_padding(tiled) is tiled  # probe: a TILE input comes back as it is
    assert spec(ttnn.tilize(put(device, rand((2, 3, 32, 64)), BF16, RM)))[:2] == ([2, 3, 32, 64], [2, 3, 32, 64])
    with pytest.raises(RuntimeError, match=r"Input tensor width \(50\) must be divisible by tile width \(32\)"):
        ttnn.tilize(put(device, rand((3, 50)), BF16, RM))
    with pytest.raises(RuntimeError, match=r"Input tensor height \(5\) must be divisible by tile height \(32\)"):
        ttnn.tilize(put(device, rand((2, 3, 5, 64)), BF16, RM))
    with pytest.raises(RuntimeError, match="Can only tilize row major data"):
        ttnn.tilize(tiled)
    v = ttnn.tilize_with_val_padding(put(device, rand((3, 50)), BF16, RM), [32, 64], 1.0)
    assert spec(v)[:4] == ([3, 50], [32, 64], BF16, TILE)
    with pytest.raises(RuntimeError, match=r"is smaller in dimension 0"):
        ttnn.tilize_with_val_padding(put(device, rand((3, 50)), BF16, RM), [2, 64], 1.0)
    with pytest.raises(RuntimeError, match=r"Shape\(\[40, 64\]\) must be divisible by tile size \(32, 32\)"):
        ttnn.tilize_with_val_padding(put(device, rand((3, 50)), BF16, RM), [40, 64], 1.0)
    with pytest.raises(NotImplementedError):  # probe: ttnn pads to [64, 96]
        ttnn.tilize_with_val_padding(put(device, rand((3, 50)), BF16, RM), [64, 96], 1.0)


# ----------------------------------------------------------------------------- *_like


def test_like_creation(device: ttnn.MeshDevice) -> None:
    t = put(device, rand((3, 50)), BF16, TILE, L1)
    z = ttnn.zeros_like(t)
    assert spec(z) == ([3, 50], [32, 64], BF16, TILE, ttnn.BufferType.L1) and not host(z).any()
    assert spec(ttnn.zeros_like(t, dtype=F32, layout=RM))[2:4] == (F32, RM)
    assert ttnn.zeros_like(t, memory_config=DRAM).memory_config() == DRAM
    with pytest.raises(RuntimeError, match="Only TILE layout is supported for BFLOAT8_B dtype!"):
        ttnn.zeros_like(put(device, rand((3, 50)), BF16, RM), dtype=BF8)
    h = ttnn.Tensor(rand((3, 50)), BF16, None, TILE)
    assert ttnn.zeros_like(h).storage_type() is ttnn.StorageType.HOST
    on = ttnn.zeros_like(h, device=device)  # probe: a host tensor's device copy defaults to DRAM
    assert on.storage_type() is ttnn.StorageType.DEVICE and on.memory_config() == DRAM
    opt = put(device, rand((5, 50)), F32)
    assert ttnn.zeros_like(t, optional_tensor=opt) is opt and not host(opt).any()  # filled whatever its shape
    assert np.array_equal(host(ttnn.ones_like(t)), np.ones((3, 50), np.float32))
    assert np.array_equal(host(ttnn.full_like(put(device, ints((3, 50), 0, 9), I32, RM), 3)), np.full((3, 50), 3))
    assert spec(ttnn.empty_like(t)) == spec(t)
    s = ttnn.zeros_like(put(device, rand((64, 64)), BF16, mc=sharded(HS, 1, 0, [32, 64])))
    assert s.memory_config().shard_spec.shape == [32, 64]


# ----------------------------------------------------------------------------- clamp


def test_clamp_scalars(device: ttnn.MeshDevice) -> None:
    x = rand((1, 128, 360)) * 10
    t = put(device, x, BF8, mc=L1)
    out = ttnn.clamp(t, min=-7.0, max=7.0)
    assert spec(out) == ([1, 128, 360], [1, 128, 384], BF8, TILE, ttnn.BufferType.L1)  # gpt-oss clamp cases
    stored = host(t)
    assert np.array_equal(host(out), host(put(device, np.clip(stored, -7, 7), BF8)))
    assert np.array_equal(host(ttnn.clamp(put(device, x), max=1.0)), np.minimum(x, 1.0))
    assert np.array_equal(host(ttnn.clamp(put(device, x), 3.0, 1.0)), np.full_like(x, 1.0))  # max wins
    with pytest.raises(RuntimeError, match="Only one of 'min' or 'max' can be None"):
        ttnn.clamp(t)
    with pytest.raises(RuntimeError, match="std::get: wrong index for variant"):
        ttnn.clamp(t, -3, 3.5)
    xi = ints((32, 64), -50, 50)
    ti = put(device, xi, I32)
    assert ttnn.clamp(ti, -3, 3).dtype is I32 and np.array_equal(host(ttnn.clamp(ti, -3, 3)), np.clip(xi, -3, 3))
    f = ttnn.clamp(ti, -3.5, 3.5)  # probe: an int32 input with float bounds is computed in float32
    assert f.dtype is F32 and np.array_equal(host(f), np.clip(xi, -3.5, 3.5).astype(np.float32))
    assert ttnn.clamp(ti, -3.0, 3.0, memory_config=L1).memory_config() == L1
    with pytest.raises(RuntimeError, match="CLAMP_TSS does not support integer input dtype DataType::UINT32"):
        ttnn.clamp(put(device, ints((32, 64), 0, 9), U32), min=1)
    hs = ttnn.clamp(put(device, rand((64, 64)), BF16, mc=sharded(HS, 1, 0, [32, 64])), -1.0, 1.0)
    assert hs.memory_config().shard_spec.shape == [32, 64]


def test_clamp_output_tensor_and_tensor_bounds(device: ttnn.MeshDevice) -> None:
    x = rand((32, 64))
    t = put(device, x, BF16)
    o = put(device, np.zeros((32, 64), np.float32), F32, mc=L1)
    out = ttnn.clamp(t, -0.5, 0.5, memory_config=DRAM, output_tensor=o)
    assert out is o and spec(o)[2:] == (F32, TILE, ttnn.BufferType.L1)  # probe: the output tensor's spec
    assert np.array_equal(host(o), np.clip(host(t), -0.5, 0.5))
    with pytest.raises(RuntimeError, match="Preallocated output dtype DataType::INT32 is not compatible"):
        ttnn.clamp(t, -1.0, 1.0, output_tensor=put(device, np.zeros((32, 32), np.int32), I32, RM))
    with pytest.raises(RuntimeError, match=r"Computed: Shape\(\[32, 64\]\), Preallocated: Shape\(\[32, 32\]\)"):
        ttnn.clamp(t, -1.0, 1.0, output_tensor=put(device, np.zeros((32, 32)), BF16, RM))
    with pytest.raises(RuntimeError, match=r"must match input when preallocated\. Output: 0, Input: 1"):
        ttnn.clamp(t, -1.0, 1.0, output_tensor=put(device, np.zeros((32, 64)), BF16, RM))
    lo, hi = rand((1, 64), 1) - 1, rand((32, 1), 2) + 1
    both = ttnn.clamp(t, put(device, lo, BF16), put(device, hi, BF16))
    a, mn, mx = host(t), host(put(device, lo, BF16)), host(put(device, hi, BF16))
    assert list(both.shape) == [32, 64]
    assert np.array_equal(host(both), np.where(mn > mx, mx, np.maximum(np.minimum(a, mx), mn)))
    one = ttnn.clamp(put(device, rand((1, 64)), BF16), min=put(device, rand((32, 64), 3), BF16))
    assert list(one.shape) == [32, 64]  # probe: broadcast to the bound's shape
    with pytest.raises(RuntimeError, match="Invalid subtile broadcast type"):
        ttnn.clamp(t, min=put(device, rand((32, 32)), BF16))
    with pytest.raises(
        RuntimeError, match="BinaryOpType::MINIMUM, dtype A: DataType::BFLOAT16, dtype B: DataType::FLOAT32"
    ):
        ttnn.clamp(t, put(device, lo, F32), put(device, hi, F32))
    with pytest.raises(TypeError):
        ttnn.clamp(t, put(device, lo, BF16), 1.0)


# ----------------------------------------------------------------------------- plus_one


def test_plus_one_in_place(device: ttnn.MeshDevice) -> None:
    x = np.array([[-2, -1, 0, 5, 2**31 - 1]], dtype=np.int64)
    t = put(device, x, I32, RM)
    assert ttnn.plus_one(t) is t
    assert np.array_equal(host(t), np.array([[-1, 0, 1, 6, -(2**31)]]))  # wraps
    s = put(device, x, I32, RM)
    ttnn.plus_one(s, skip_negative_entries=True)
    assert np.array_equal(host(s), np.array([[-2, -1, 1, 6, 2**31 - 1]]))  # negatives and INT32_MAX stay
    u = put(device, np.array([[0, 2**31, 2**32 - 1]]), U32, RM)
    ttnn.plus_one(u, skip_negative_entries=True)
    assert np.array_equal(host(u), np.array([[1, 2**31, 2**32 - 1]]))
    with pytest.raises(RuntimeError, match="Only INT32 and UINT32 is supported for inputs!"):
        ttnn.plus_one(put(device, x, U16, TILE))  # probe: the dtype is checked first
    with pytest.raises(RuntimeError, match="Only ROW_MAJOR layout is supported for inputs!"):
        ttnn.plus_one(put(device, x, I32, TILE))


# ----------------------------------------------------------------------------- interleaved_to_sharded


def test_interleaved_to_sharded_memory_config_form(device: ttnn.MeshDevice) -> None:
    x = rand((1, 1, 8, 64))
    out = ttnn.interleaved_to_sharded(put(device, x, BF16), sharded(HS, 0, 0, [32, 64]))  # gpt-oss e892b16d776a
    assert spec(out) == ([1, 1, 8, 64], [1, 1, 32, 64], BF16, TILE, ttnn.BufferType.L1)
    assert out.memory_config().memory_layout is HS and grid_of(out) == [(0, 0, 0, 0)]
    assert np.array_equal(host(out), host(put(device, x, BF16)))
    assert ttnn.interleaved_to_sharded(put(device, rand((1, 1, 64, 64))), sharded(HS, 1, 0, [32, 64]), BF8).dtype is BF8
    rm = ttnn.interleaved_to_sharded(put(device, x, BF16, RM), sharded(WS, 1, 0, [8, 32]))
    assert spec(rm)[:4] == ([1, 1, 8, 64], [1, 1, 8, 64], BF16, RM)
    with pytest.raises(RuntimeError, match="Shard width 32 must match physical width 64 for height sharded"):
        ttnn.interleaved_to_sharded(put(device, rand((1, 1, 64, 64))), sharded(HS, 1, 0, [32, 32]))
    with pytest.raises(RuntimeError, match="Number of shards along height 4 must not exceed number of cores 2"):
        ttnn.interleaved_to_sharded(put(device, rand((1, 1, 128, 64))), sharded(HS, 1, 0, [32, 64]))
    with pytest.raises(RuntimeError, match="Input tensor memory layout must be INTERLEAVED, but got"):
        ttnn.interleaved_to_sharded(put(device, rand((1, 1, 64, 64)), mc=sharded(HS, 1, 0, [32, 64])), L1)
    with pytest.raises(RuntimeError, match="Output memory config must be sharded"):
        ttnn.interleaved_to_sharded(put(device, rand((1, 1, 64, 64))), L1)
    with pytest.raises(RuntimeError, match="bad optional access"):
        ttnn.interleaved_to_sharded(put(device, rand((1, 1, 64, 64))), ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG)
    with pytest.raises(RuntimeError, match="Shard page size must currently have L1 aligned page size"):
        ttnn.interleaved_to_sharded(put(device, rand((1, 1, 8, 60)), BF16, RM), sharded(HS, 1, 0, [4, 60]))
    with pytest.raises(RuntimeError, match="Input tensor layout must be TILE when dtype conversion is needed"):
        ttnn.interleaved_to_sharded(put(device, x, BF16, RM), sharded(HS, 1, 0, [4, 64]), F32)
    with pytest.raises(RuntimeError, match="Only TILE layout is supported for BFLOAT8_B dtype!"):
        ttnn.interleaved_to_sharded(put(device, x, BF16, RM), sharded(HS, 1, 0, [4, 64]), BF8)
    target = sharded(HS, 1, 0, [32, 64])
    pre = put(device, np.zeros((1, 1, 64, 64), np.float32), BF16, mc=target)
    src = put(device, rand((1, 1, 64, 64)), BF16)
    assert ttnn.interleaved_to_sharded(src, target, preallocated_output=pre) is pre
    assert np.array_equal(host(pre), host(src))
    with pytest.raises(RuntimeError, match="Mismatched output dtype"):
        ttnn.interleaved_to_sharded(src, target, F32, preallocated_output=pre)


def test_interleaved_to_sharded_grid_form(device: ttnn.MeshDevice) -> None:
    C = ttnn.CoreCoord
    t = put(device, rand((1, 1, 384, 64)), BF16)
    # probe: a CoreCoord grid takes one core per shard, row- or column-wise
    assert grid_of(ttnn.interleaved_to_sharded(t, C(8, 8), [32, 64], HS, ROW)) == [(0, 0, 7, 0), (0, 1, 3, 1)]
    assert grid_of(ttnn.interleaved_to_sharded(t, C(8, 8), [32, 64], HS, COL)) == [(0, 0, 0, 7), (1, 0, 1, 3)]
    small = put(device, rand((1, 1, 64, 64)), BF16)
    assert grid_of(ttnn.interleaved_to_sharded(small, C(8, 8), [32, 64], HS, ROW)) == [(0, 0, 1, 0)]
    block = ttnn.interleaved_to_sharded(put(device, rand((1, 1, 64, 128))), C(2, 2), (32, 64), BS, COL)
    assert grid_of(block) == [(0, 0, 1, 1)] and block.memory_config().shard_spec.orientation is COL
    wide = ttnn.interleaved_to_sharded(put(device, rand((1, 1, 32, 320))), C(8, 8), [32, 32], WS, ROW)
    assert grid_of(wide) == [(0, 0, 7, 0), (0, 1, 1, 1)]
    assert grid_of(ttnn.interleaved_to_sharded(put(device, rand((1, 1, 40, 64))), C(8, 8), [32, 64], HS, ROW)) == [
        (0, 0, 1, 0)  # the padded height counts
    ]
    assert ttnn.interleaved_to_sharded(small, C(2, 1), [32, 64], HS, ROW, BF8).dtype is BF8
    with pytest.raises(
        RuntimeError, match="Target number of cores 162 is greater than total number of available cores 81"
    ):
        ttnn.interleaved_to_sharded(put(device, rand((1, 1, 64 * 81, 64))), C(9, 9), [32, 64], HS, ROW)
    with pytest.raises(RuntimeError, match="Number of shards along height 2 must not exceed number of rows 1"):
        ttnn.interleaved_to_sharded(put(device, rand((1, 1, 64, 128))), C(8, 8), [32, 64], BS, ROW)


# ----------------------------------------------------------------------------- scatter


def test_scatter_values_and_specs(device: ttnn.MeshDevice) -> None:
    x = rand((4, 128))
    idx = np.stack([np.random.default_rng(i).permutation(128)[:4] for i in range(4)]).astype(np.int64)
    src = rand((4, 4), 1)
    t = put(device, x, BF16, mc=L1)
    out = ttnn.scatter(t, dim=1, index=put(device, idx, U16, mc=L1), src=put(device, src, BF16, mc=L1))
    assert spec(out) == ([4, 128], [32, 128], BF16, TILE, ttnn.BufferType.L1)
    want = host(t).copy()
    np.put_along_axis(want, idx, host(put(device, src, BF16)), axis=1)
    assert np.array_equal(host(out), want)
    b8 = ttnn.scatter(put(device, x, BF8), 1, put(device, idx, U16), put(device, src, BF16))
    assert b8.dtype is BF16  # probe (gpt-oss 79235e85e295): a bfloat8_b input comes out bfloat16
    dup = np.zeros((1, 3), np.int64)
    added = ttnn.scatter(
        put(device, np.ones((1, 8)), BF16), 1, put(device, dup, U32), put(device, np.ones((1, 3)), BF16), reduce="add"
    )
    assert host(added)[0, 0] == 4 and host(added)[0, 1] == 1
    rows = ttnn.scatter(put(device, x, BF16, RM), 0, put(device, idx[:, :1] % 4, I32, RM), put(device, src, BF16, RM))
    assert spec(rows)[3] is RM
    with pytest.raises(RuntimeError, match="input_dtype differs from src_dtype"):
        ttnn.scatter(t, 1, put(device, idx, U16), put(device, src, I32))
    with pytest.raises(RuntimeError, match="Scatter doesn't work for fp32 tiled tensors yet"):
        ttnn.scatter(put(device, x, F32), 1, put(device, idx, U16), put(device, src, F32))
    with pytest.raises(RuntimeError, match=r"index_dtype is not integer, it is BFLOAT16\."):
        ttnn.scatter(t, 1, put(device, idx, BF16), put(device, src, BF16))
    with pytest.raises(RuntimeError, match=r"index_shape\[1\] <= source_shape\[1\] == false"):
        ttnn.scatter(t, 1, put(device, idx, U16), put(device, src[:, :2], BF16))
    with pytest.raises(RuntimeError, match="reduce must be either 'add' or 'multiply'"):
        ttnn.scatter(t, 1, put(device, idx, U16), put(device, src, BF16), reduce="amax")
    with pytest.raises(RuntimeError, match="scatter: dim 2 is out of range for tensor rank 2"):
        ttnn.scatter(t, 2, put(device, idx, U16), put(device, src, BF16))
    with pytest.raises(RuntimeError, match="scatter row longer than 256 elements - input tensor is of type: INT32"):
        ttnn.scatter(put(device, ints((1, 300), 0, 9), I32), 1, put(device, idx[:1], U16), put(device, src[:1], I32))
    with pytest.raises(RuntimeError, match=r"Sharded tensors are not supported - input_tensor is sharded\."):
        m = sharded(HS, 1, 0, [32, 64])
        ttnn.scatter(put(device, rand((64, 64)), BF16, mc=m), 1, put(device, idx, U16), put(device, src, BF16))


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


# ----------------------------------------------------------------------------- over a mesh


def test_shape_ops_map_over_a_mesh() -> None:
    ttnn.set_fabric_config(ttnn.FabricConfig.FABRIC_1D)
    mesh = ttnn.open_mesh_device(ttnn.MeshShape(2, 4))
    mapper = ttnn.create_mesh_mapper(mesh, ttnn.MeshMapperConfig([ttnn.PlacementReplicate(), ttnn.PlacementShard(-1)]))
    x = rand((1, 128))
    t = ttnn.to_device(ttnn.Tensor(x, BF16, None, RM, mesh_mapper=mapper), mesh, L1)
    tiled = ttnn.tilize_with_zero_padding(t)
    assert repr(tiled.tensor_topology().placements()) == "[PlacementReplicate(), PlacementShard(-1)]"
    assert spec(tiled)[:2] == ([1, 32], [32, 32])
    four = ttnn.unsqueeze_to_4D(tiled)
    assert [list(s.shape) for s in ttnn.get_device_tensors(four)] == [[1, 1, 1, 32]] * 8
    pos = ttnn.to_device(ttnn.Tensor(np.arange(4).reshape(1, 4), I32, None, RM), mesh, DRAM)
    assert ttnn.plus_one(pos) is pos  # in place on every device
    assert all(np.array_equal(s.to_numpy(), [[1, 2, 3, 4]]) for s in ttnn.get_device_tensors(pos))
