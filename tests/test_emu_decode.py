"""The emulator's decode / KV-cache ops (ttgen/emu/decode.py) and sdpa's sink and sliding window:
output specs, shard grids and refusals as read off the real ttnn 0.81.1 wheel on a mock N150
(probe scripts 2026-12, /work/ttnn-venv), values against the ops' numpy definitions (mock devices
read back zeros), and the in-place cache update over a mesh."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

import ttgen.emu as ttnn
from ttgen.emu import topology as topology_module

F32, BF16, BF8, I32 = ttnn.float32, ttnn.bfloat16, ttnn.bfloat8_b, ttnn.int32
TILE, RM = ttnn.TILE_LAYOUT, ttnn.ROW_MAJOR_LAYOUT
DRAM, L1 = ttnn.DRAM_MEMORY_CONFIG, ttnn.L1_MEMORY_CONFIG
HS, WS = ttnn.TensorMemoryLayout.HEIGHT_SHARDED, ttnn.TensorMemoryLayout.WIDTH_SHARDED
HS_L1 = ttnn.MemoryConfig(HS, ttnn.BufferType.L1)


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


def crs(*ranges: tuple[int, int, int, int]) -> ttnn.CoreRangeSet:
    return ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(a, b), ttnn.CoreCoord(c, d)) for a, b, c, d in ranges])


def row_cores(n: int) -> tuple[tuple[int, int, int, int], ...]:
    full, rest = divmod(n, 8)
    return tuple(r for r in ((0, 0, 7, full - 1) if full else None, (0, full, rest - 1, full) if rest else None) if r)


def sharded(
    shard: tuple[int, int], *ranges: tuple[int, int, int, int], layout=HS, orientation=ttnn.ShardOrientation.ROW_MAJOR
) -> ttnn.MemoryConfig:
    spec = ttnn.ShardSpec(crs(*ranges), list(shard), orientation)
    return ttnn.MemoryConfig(layout, ttnn.BufferType.L1, spec)


def put(device: ttnn.MeshDevice, a: np.ndarray, dtype=F32, layout=TILE, mc=DRAM) -> ttnn.Tensor:
    return ttnn.to_device(ttnn.Tensor(a, dtype, None, layout), device, mc)


def ints(device: ttnn.MeshDevice, values: list[int] | list[list[int]], mc=DRAM) -> ttnn.Tensor:
    return put(device, np.array(values, dtype=np.int64), I32, RM, mc)


def host(t: ttnn.Tensor) -> np.ndarray:
    return ttnn.from_device(t).to_numpy().astype(np.float32)


def spec(t: ttnn.Tensor) -> tuple[list[int], list[int], ttnn.DataType, ttnn.TensorMemoryLayout, ttnn.BufferType]:
    mc = t.memory_config()
    return list(t.shape), list(t.padded_shape), t.dtype, mc.memory_layout, mc.buffer_type


def shard(t: ttnn.Tensor) -> tuple[list[int], ttnn.CoreRangeSet]:
    s = t.memory_config().shard_spec
    assert s is not None
    return s.shape, s.grid


def refused(message: str) -> pytest.RaisesContext[RuntimeError]:
    return pytest.raises(RuntimeError, match=message)


# ----------------------------------------------------------------------------- heads


def qkv_input(device: ttnn.MeshDevice, users: int, width: int = 640, shard_w: int = 32, seed: int = 0):
    x = rand((1, 1, users, width), seed)
    return x, put(device, x, mc=sharded((32, shard_w), *row_cores(width // shard_w), layout=WS))


def test_create_qkv_heads_decode_specs_and_values(device: ttnn.MeshDevice) -> None:
    x, t = qkv_input(device, 10)
    q, k, v = ttnn.experimental.nlp_create_qkv_heads_decode(t, num_heads=8, num_kv_heads=1, memory_config=HS_L1)
    # probe: one user per core, walked row-wise over the compute grid; shard [32 padded heads, hd]
    assert spec(q) == ([1, 10, 8, 64], [1, 10, 32, 64], F32, HS, ttnn.BufferType.L1)
    assert spec(k) == ([1, 10, 1, 64], [1, 10, 32, 64], F32, HS, ttnn.BufferType.L1)
    users = crs((0, 0, 7, 0), (0, 1, 1, 1))
    assert shard(q) == ([32, 64], users) and shard(k) == ([32, 64], users) and shard(v) == ([32, 64], users)
    heads = x[0, 0].reshape(10, 10, 64)
    assert np.array_equal(host(q)[0], heads[:, :8])
    assert np.array_equal(host(k)[0], heads[:, 8:9]) and np.array_equal(host(v)[0], heads[:, 9:])
    # probe: memory_config's layout and buffer do not matter, its grid does; none -> the compute grid
    for mc in (None, L1, ttnn.MemoryConfig(WS, ttnn.BufferType.L1)):
        assert (
            shard(ttnn.experimental.nlp_create_qkv_heads_decode(t, num_heads=8, num_kv_heads=1, memory_config=mc)[0])[1]
            == users
        )
    _, t4 = qkv_input(device, 4)
    sub = ttnn.experimental.nlp_create_qkv_heads_decode(
        t4, num_heads=8, num_kv_heads=1, memory_config=sharded((32, 64), (1, 1, 3, 2))
    )
    assert shard(sub[0])[1] == crs((1, 1, 3, 1), (1, 2, 1, 2))


def test_create_qkv_heads_decode_grids_and_refusals(device: ttnn.MeshDevice) -> None:
    _, t = qkv_input(device, 10, shard_w=64)
    q, k, v = ttnn.experimental.nlp_create_qkv_heads_decode(
        t, num_heads=8, num_kv_heads=1, memory_config=HS_L1, overlap_qk_coregrid=False
    )
    # probe: k starts on the core after q's users + 1 cores; v shares q's
    assert shard(k)[1] == crs((2, 1, 7, 1), (0, 2, 3, 2)) and shard(v)[1] == shard(q)[1]
    _, t32 = qkv_input(device, 32, shard_w=64)
    k32 = ttnn.experimental.nlp_create_qkv_heads_decode(t32, num_heads=8, num_kv_heads=1, overlap_qk_coregrid=False)[1]
    assert shard(k32)[1] == crs((0, 4, 7, 7))
    wide = put(device, rand((1, 1, 1, 36 * 32)))
    q34, k34, _ = ttnn.experimental.nlp_create_qkv_heads_decode(wide, num_heads=34, num_kv_heads=1)
    assert shard(q34)[0] == [64, 32] and shard(k34)[0] == [32, 32]  # probe: heads pad to whole tiles
    _, t4 = qkv_input(device, 4)
    create = ttnn.experimental.nlp_create_qkv_heads_decode
    with refused("Target number of cores 4 is greater than total available cores 2"):
        create(t4, num_heads=8, num_kv_heads=1, memory_config=sharded((32, 64), (0, 0, 1, 0)))
    _, t4w = qkv_input(device, 4, shard_w=64)
    with refused("Failed to assign all 4 requested cores"):
        create(
            t4w, num_heads=8, num_kv_heads=1, overlap_qk_coregrid=False, memory_config=sharded((32, 64), (1, 1, 3, 2))
        )
    with refused("Input shape 640 must be divisible by num_heads \\+ 2\\*num_kv_heads = 9"):
        create(t4, num_heads=7, num_kv_heads=1)
    with refused("num_q_heads=2 must be greater than or equal to num_kv_heads=4"):
        create(t4, num_heads=2, num_kv_heads=4)
    with refused("Unsupported data format"):
        create(put(device, rand((1, 1, 1, 640)), BF8), num_heads=8, num_kv_heads=1)
    with refused("Only tile layout is supported for input tensor"):
        create(put(device, rand((1, 1, 1, 640)), BF16, RM), num_heads=8, num_kv_heads=1)
    with refused(r"Unsupported input shape = Shape\(\[1, 1, 33, 640\]\)"):
        create(put(device, rand((1, 1, 33, 640))), num_heads=8, num_kv_heads=1)
    with refused(r"Physical shard shape \(32, 48\) must be tile \{32, 32\} sized!"):
        create(put(device, rand((1, 1, 1, 480))), num_heads=8, num_kv_heads=1)
    with refused("Number of shards along height 2 must not exceed number of cores 1"):  # probe: output spec first
        create(put(device, rand((2, 1, 1, 640))), num_heads=8, num_kv_heads=1)
    col = sharded((32, 32), *row_cores(20), layout=WS, orientation=ttnn.ShardOrientation.COL_MAJOR)
    with refused("Shard orientation must be ROW_MAJOR"):
        create(put(device, rand((1, 1, 1, 640)), mc=col), num_heads=8, num_kv_heads=1)
    with refused("Current input memory layout is TensorMemoryLayout::HEIGHT_SHARDED. It must be width sharded"):
        create(put(device, rand((1, 1, 32, 640)), mc=sharded((32, 640), (0, 0, 0, 0))), num_heads=8, num_kv_heads=1)
    with pytest.raises(ttnn.NotEmulatedError, match="batch_offset"):
        create(t4, num_heads=8, num_kv_heads=1, slice_size=2, batch_offset=ints(device, [0]))


def test_concat_heads_decode(device: ttnn.MeshDevice) -> None:
    x = rand((1, 4, 8, 64))
    t = put(device, x, mc=sharded((32, 64), (0, 0, 3, 0)))
    out = ttnn.experimental.nlp_concat_heads_decode(t, num_heads=8)
    # probe: users pad to 32 rows, width sharded one head per core over the compute grid
    assert spec(out) == ([1, 1, 32, 512], [1, 1, 32, 512], F32, WS, ttnn.BufferType.L1)
    assert shard(out) == ([32, 64], crs((0, 0, 7, 0)))
    got = host(out)
    assert np.array_equal(got[0, 0, :4], x[0].reshape(4, 512)) and not got[0, 0, 4:].any()
    assert shard(ttnn.experimental.nlp_concat_heads_decode(t, num_heads=16))[1] == crs((0, 0, 7, 1))
    four = ttnn.experimental.nlp_concat_heads_decode(t, num_heads=4, memory_config=L1)  # probe: ignored
    assert list(four.shape) == [1, 1, 32, 256] and np.array_equal(host(four)[0, 0, :4], x[0, :, :4].reshape(4, 256))
    off = put(device, rand((1, 2, 8, 64)), mc=sharded((32, 64), (1, 1, 2, 1)))
    mid = ttnn.experimental.nlp_concat_heads_decode(off, num_heads=8, sub_core_grids=crs((0, 0, 3, 3)))
    assert shard(mid)[1] == crs((1, 1, 3, 1), (0, 2, 3, 2), (0, 3, 0, 3))
    with refused("bad optional access"):  # probe: an input grid off (0, 0) needs sub_core_grids
        ttnn.experimental.nlp_concat_heads_decode(off, num_heads=8)
    with refused("Target number of cores 8 is greater than total available cores 4"):
        ttnn.experimental.nlp_concat_heads_decode(off, num_heads=8, sub_core_grids=crs((1, 1, 4, 1)))
    with refused("Start core must be inside sub_core_grids"):
        ttnn.experimental.nlp_concat_heads_decode(off, num_heads=8, sub_core_grids=crs((4, 4, 7, 7)))
    with refused("Input tensor must be sharded"):
        ttnn.experimental.nlp_concat_heads_decode(put(device, x), num_heads=8)
    with refused("head_dim must be multiple of TILE_WIDTH"):
        ttnn.experimental.nlp_concat_heads_decode(t, num_heads=33)
    with refused("Unsupported data format"):
        ttnn.experimental.nlp_concat_heads_decode(
            put(device, x[:, :1], BF8, mc=sharded((32, 64), (0, 0, 0, 0))), num_heads=8
        )
    with refused("Shard height 32 must match physical height 64 for width sharded"):
        ttnn.experimental.nlp_concat_heads_decode(
            put(device, rand((2, 1, 8, 64)), mc=sharded((32, 64), (0, 0, 1, 0))), num_heads=8
        )
    with refused("Target number of cores 65 is greater than total number of available cores 64"):
        ttnn.experimental.nlp_concat_heads_decode(
            put(device, rand((1, 1, 65, 32)), mc=sharded((96, 32), (0, 0, 0, 0))), num_heads=65
        )


# ----------------------------------------------------------------------------- rotary embedding


def llama_trans_mat() -> np.ndarray:
    """The rotate-half-of-pairs matrix the llama models pass: x @ T swaps each (even, odd) pair to
    (-odd, even)."""
    t = np.zeros((32, 32), dtype=np.float32)
    t[np.arange(1, 32, 2), np.arange(0, 32, 2)] = -1
    t[np.arange(0, 32, 2), np.arange(1, 32, 2)] = 1
    return t


def rotated(x: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    out[..., 0::2], out[..., 1::2] = -x[..., 1::2], x[..., 0::2]
    return out


def bf16(a: np.ndarray) -> np.ndarray:
    return ttnn.Tensor(a, BF16, None, TILE).to_numpy().astype(np.float32)


def test_rotary_embedding_llama_prefill(device: ttnn.MeshDevice) -> None:
    x, cos, sin = bf16(rand((1, 8, 128, 64))), bf16(rand((1, 1, 256, 64), 1)), bf16(rand((1, 1, 256, 64), 2))
    tm = put(device, llama_trans_mat()[None, None], BF16)
    out = ttnn.experimental.rotary_embedding_llama(
        put(device, x, BF16), put(device, cos, BF16), put(device, sin, BF16), tm
    )
    assert spec(out) == (
        [1, 8, 128, 64],
        [1, 8, 128, 64],
        BF16,
        ttnn.TensorMemoryLayout.INTERLEAVED,
        ttnn.BufferType.DRAM,
    )
    expect = x * cos[:, :, :128] + rotated(x) * sin[:, :, :128]
    assert np.allclose(host(out), expect, rtol=1e-2, atol=2e-2)
    run = ttnn.experimental.rotary_embedding_llama
    xt, ct = put(device, x, BF16), put(device, cos, BF16)
    # probe: a head dim of 48 is accepted in prefill; its tiles are zero-padded to 64
    x48, c48 = x[..., :48], cos[:, :, :128, :48]
    out48 = run(put(device, x48, BF16), put(device, c48, BF16), put(device, c48, BF16), tm)
    assert list(out48.shape) == [1, 8, 128, 48] and list(out48.padded_shape) == [1, 8, 128, 64]
    assert np.allclose(host(out48), x48 * c48 + rotated(x48) * c48, rtol=1e-2, atol=2e-2)
    assert spec(run(xt, ct, ct, tm, memory_config=L1))[4] is ttnn.BufferType.L1
    with refused("All input tensors must have dtype = bfloat16"):
        run(put(device, x, F32), ct, ct, tm)
    with refused("Input tensor and output tensor must have same memory layout"):
        run(xt, ct, ct, tm, memory_config=sharded((128, 64), *row_cores(8)))
    with refused("Cos and Sin dims must match"):
        run(xt, ct, put(device, cos[:, :, :64], BF16), tm)
    with refused(r"Num heads in cos/sin must match input tensor num heads or be 1. Expected 8, got 2"):
        c2 = put(device, rand((1, 2, 128, 64)), BF16)
        run(xt, c2, c2, tm)
    with refused(r"Cos dims must match input dims: cos.shape = Shape\(\[1, 1, 128, 128\]\), head_dim = 64"):
        c3 = put(device, rand((1, 1, 128, 128)), BF16)
        run(xt, c3, c3, tm)
    with refused("Transformation matrix must have 4th dim equal to TILE_WIDTH"):
        run(xt, ct, ct, put(device, rand((1, 1, 64, 64)), BF16))
    with refused("Transformation matrix must have 1st & 2nd dim equal to 1"):
        run(xt, ct, ct, put(device, rand((2, 1, 32, 32)), BF16))
    with refused("Input tensor must be interleaved in prefill mode"):
        run(put(device, x, BF16, mc=sharded((128, 64), *row_cores(8))), ct, ct, tm)
    with refused("Head dim must be less than 256"):
        c4 = put(device, rand((1, 1, 128, 288)), BF16)
        run(put(device, rand((1, 8, 128, 288)), BF16), c4, c4, tm)
    with refused("sin tensor to rotary embedding must be tilized"):
        run(xt, ct, put(device, cos, BF16, RM), tm)


def test_rotary_embedding_llama_decode(device: ttnn.MeshDevice) -> None:
    users = 4
    x, cos, sin = bf16(rand((1, users, 8, 64))), bf16(rand((1, users, 1, 64), 1)), bf16(rand((1, users, 1, 64), 2))
    mc = sharded((32, 64), (0, 0, users - 1, 0))
    tm = put(device, llama_trans_mat()[None, None], BF16, mc=sharded((32, 32), (0, 0, 0, 0)))
    xt, ct, st = (put(device, a, BF16, mc=mc) for a in (x, cos, sin))
    out = ttnn.experimental.rotary_embedding_llama(xt, ct, st, tm, is_decode_mode=True)
    assert spec(out) == ([1, 4, 8, 64], [1, 4, 32, 64], BF16, HS, ttnn.BufferType.L1)
    assert shard(out) == ([32, 64], crs((0, 0, 3, 0)))  # probe: the input's memory config
    # each user's one cos / sin row applies to all its heads (the kernel's row broadcast)
    assert np.allclose(host(out), x * cos + rotated(x) * sin, rtol=1e-2, atol=2e-2)
    run = ttnn.experimental.rotary_embedding_llama
    assert shard(run(xt, ct, st, tm, is_decode_mode=True, memory_config=sharded((32, 64), (1, 1, 4, 1))))[1] == crs(
        (1, 1, 4, 1)
    )
    with refused("bad optional access"):
        run(xt, ct, st, tm, is_decode_mode=True, memory_config=HS_L1)
    with refused("Input tensor and output tensor must have same memory layout"):
        run(xt, ct, st, tm, is_decode_mode=True, memory_config=L1)
    with refused("Sharded inputs for RoPE must be HEIGHT_SHARDED."):
        run(put(device, x, BF16), ct, st, tm, is_decode_mode=True)
    with refused("cos tensor for RoPE must be HEIGHT_SHARDED."):
        run(xt, put(device, cos, BF16), put(device, sin, BF16), tm, is_decode_mode=True)
    with refused("transformation matrix for RoPE must be HEIGHT_SHARDED."):
        run(xt, ct, st, put(device, llama_trans_mat()[None, None], BF16), is_decode_mode=True)
    with refused("Cos and Sin must have the same batch size as the input"):
        c1 = put(device, cos[:, :1], BF16, mc=sharded((32, 64), (0, 0, 0, 0)))
        run(xt, c1, c1, tm, is_decode_mode=True)
    with refused("seq_len \\(in dim 0\\) must be 1"):
        run(put(device, rand((2, 1, 8, 64)), BF16, mc=sharded((32, 64), (0, 0, 1, 0))), ct, st, tm, is_decode_mode=True)
    with refused("In decode mode, RoPE only supports n_heads \\(shard_shape\\[0\\]\\) less than equal to TILE_HEIGHT"):
        c33 = put(device, rand((1, 1, 33, 64)), BF16, mc=sharded((64, 64), (0, 0, 0, 0)))
        run(put(device, x[:, :1], BF16, mc=sharded((32, 64), (0, 0, 0, 0))), c33, c33, tm, is_decode_mode=True)


# ----------------------------------------------------------------------------- paged caches


def test_paged_fill_cache(device: ttnn.MeshDevice) -> None:
    cache = rand((8, 2, 64, 64))
    x = rand((1, 2, 128, 64), 1)
    ct = put(device, cache)
    out = ttnn.experimental.paged_fill_cache(ct, put(device, x), ints(device, [[0, 1], [5, 2]]), batch_idx=1)
    assert out is ct  # probe: the cache tensor itself (its spec, in place)
    assert spec(out) == ([8, 2, 64, 64], [8, 2, 64, 64], F32, ttnn.TensorMemoryLayout.INTERLEAVED, ttnn.BufferType.DRAM)
    expect = cache.copy()
    expect[5], expect[2] = x[0, :, :64], x[0, :, 64:]
    assert np.array_equal(host(out), expect)
    fill = ttnn.experimental.paged_fill_cache
    with refused(
        r"Input tensor dtype \(DataType::BFLOAT16\) must match cache tensor dtype \(DataType::BFLOAT8_B\) for "
        "paged_fill_cache"
    ):
        fill(put(device, cache, BF8), put(device, x, BF16), ints(device, [[0, 1]]))
    with refused(r"Input seq_len \(192\) must fit in max_num_blocks_per_seq \(2\) \* block_size \(64\)"):
        fill(ct, put(device, rand((1, 2, 192, 64))), ints(device, [[0, 1]]))
    with refused(
        r"paged_fill_cache geometry mismatch: cache has 8192 elems/block \(kv_heads=2, block_size=64, head_dim=64\) "
        r"but input view is 4096 \(kv_heads=1, block_size=64, head_dim=64\)."
    ):
        fill(ct, put(device, rand((1, 1, 128, 64))), ints(device, [[0, 1]]))
    with refused("Batch idx must be within the page_table batch size"):
        fill(ct, put(device, x), ints(device, [[0, 1]]), batch_idx=1)
    with refused("When no batch_idx_tensor is provided, input_batch must be 1 \\(got 2\\)"):
        fill(ct, put(device, rand((2, 2, 128, 64))), ints(device, [[0, 1], [2, 3]]))
    with refused("Expect page_table_tensor to have datatype INT32"):
        fill(ct, put(device, x), put(device, np.array([[0, 1]]), ttnn.uint32, RM))
    with refused("Expect input_tensor to have memory layout INTERLEAVED"):
        fill(ct, put(device, x, mc=sharded((256, 64), (0, 0, 0, 0))), ints(device, [[0, 1]]))
    with refused("page table page size in bytes must be a multiple of 32 due to address alignment"):
        fill(ct, put(device, x), ints(device, [[0, 1]], mc=L1))


def test_paged_update_cache(device: ttnn.MeshDevice) -> None:
    cache = rand((8, 1, 64, 64))
    x = rand((1, 2, 1, 64), 1)
    ct = put(device, cache)
    xt = put(device, x, mc=sharded((32, 64), (0, 0, 1, 0)))
    pages = ints(device, [[3, 4], [6, 7]])
    out = ttnn.experimental.paged_update_cache(ct, xt, update_idxs_tensor=ints(device, [5, 70]), page_table=pages)
    assert out is ct and list(out.shape) == [8, 1, 64, 64]
    expect = cache.copy()
    expect[3, :, 5], expect[7, :, 6] = x[0, 0], x[0, 1]  # user 1, position 70: block 1 of its table, row 6
    assert np.array_equal(host(out), expect)
    flat = put(device, rand((2, 1, 128, 64), 2))
    before = host(flat)
    ttnn.experimental.paged_update_cache(flat, xt, update_idxs=[0, 100])
    before[0, :, 0], before[1, :, 100] = x[0, 0], x[0, 1]
    assert np.array_equal(host(flat), before)
    update = ttnn.experimental.paged_update_cache
    idx = ints(device, [5, 70])
    with refused("Paged cache requires update_idxs tensor"):
        update(ct, xt, update_idxs=[5, 70], page_table=pages)
    with refused("Only an update tensor or an update vector can be provided. Not both or neither."):
        update(flat, xt)
    with refused(r"Number of update_idxs \(1\) should match batch size \(2\)"):
        update(ct, xt, update_idxs_tensor=ints(device, [5]), page_table=pages)
    with refused("Batch size between page_table and input_tensor must match"):
        update(ct, xt, update_idxs_tensor=idx, page_table=ints(device, [[3, 4]]))
    with refused("Expect input_tensor to be sharded"):
        update(ct, put(device, x), update_idxs_tensor=idx, page_table=pages)
    with refused("Data type of input tensor for paged_update_cache must be FLOAT32 or BFLOAT16"):
        update(ct, put(device, x, BF8, mc=sharded((32, 64), (0, 0, 1, 0))), update_idxs_tensor=idx, page_table=pages)
    with refused("Expected update_idxs to have datatype INT32"):
        update(ct, xt, update_idxs_tensor=put(device, np.array([5, 70]), ttnn.uint32, RM), page_table=pages)
    with refused("Expect update_idxs to have buffer type DRAM"):
        update(ct, xt, update_idxs_tensor=ints(device, [5, 70], mc=L1), page_table=pages)
    with refused("Expect page table to have memory layout in ROW MAJOR"):
        update(ct, xt, update_idxs_tensor=idx, page_table=put(device, np.array([[3, 4], [6, 7]]), I32, TILE))
    with refused("Expect batch in input tensor match the batch in cache tensor"):
        update(put(device, cache[:1]), xt, update_idxs=[0, 1])
    with refused("batch_offset must be 0"):
        update(ct, xt, update_idxs_tensor=idx, page_table=pages, batch_offset=1)
    with refused("Input tensor shard grid must have num_cores \\(1\\) equal to the number of users / batch \\(2\\)"):
        update(ct, put(device, x, mc=sharded((64, 64), (0, 0, 0, 0))), update_idxs_tensor=idx, page_table=pages)
    with refused(r"paged_update_cache geometry mismatch: cache has 4096 elems/block"):
        wide = put(device, rand((1, 2, 1, 128)), mc=sharded((32, 128), (0, 0, 1, 0)))
        update(ct, wide, update_idxs_tensor=idx, page_table=pages)


def test_cache_updates_every_device_of_a_mesh() -> None:
    ttnn.set_fabric_config(ttnn.FabricConfig.FABRIC_1D)
    mesh = ttnn.open_mesh_device(ttnn.MeshShape(1, 2))
    mapper = ttnn.ShardTensorToMesh(mesh, dim=-1)
    cache_np, x = rand((4, 1, 32, 128)), rand((1, 1, 1, 128), 1)
    cache = ttnn.to_device(ttnn.Tensor(cache_np, F32, None, TILE, mesh_mapper=mapper), mesh, DRAM)
    mc = sharded((32, 64), (0, 0, 0, 0))
    xt = ttnn.to_device(ttnn.Tensor(x, F32, None, TILE, mesh_mapper=mapper), mesh, mc)
    pages = ttnn.to_device(ttnn.Tensor(np.array([[2]], dtype=np.int64), I32, None, RM), mesh, DRAM)
    pos = ttnn.to_device(ttnn.Tensor(np.array([7], dtype=np.int64), I32, None, RM), mesh, DRAM)
    out = ttnn.experimental.paged_update_cache(cache, xt, update_idxs_tensor=pos, page_table=pages)
    assert out is cache
    expect = cache_np.copy()
    expect[2, 0, 7] = x[0, 0, 0]
    shards = [t.to_numpy() for t in ttnn.get_device_tensors(out)]
    assert np.array_equal(np.concatenate(shards, axis=-1), expect)


# ----------------------------------------------------------------------------- decode attention


def attend(q: np.ndarray, k: np.ndarray, v: np.ndarray, scale: float, keep: np.ndarray, sink=None) -> np.ndarray:
    """softmax over kept keys (and a sink logit x scale per head) of q [h, d] against k, v [h, s, d]."""
    s = np.einsum("hd,hsd->hs", q, k) * scale
    s = np.where(keep, s, -np.inf)
    if sink is not None:
        s = np.concatenate([s, sink[:, None] * scale], axis=-1)
    p = np.exp(s - s.max(-1, keepdims=True))
    p = p / p.sum(-1, keepdims=True)
    return np.einsum("hs,hsd->hd", p[:, : k.shape[1]], v)


def test_paged_sdpa_decode(device: ttnn.MeshDevice) -> None:
    q, k, v = bf16(rand((1, 2, 8, 64))), bf16(rand((6, 2, 32, 64), 1)), bf16(rand((6, 2, 32, 64), 2))
    sink = bf16(rand((8, 32), 3))
    table = [[4, 1, 0], [2, 5, 3]]
    qt = put(device, q, BF16, mc=sharded((32, 64), (0, 0, 1, 0)))
    kt, vt, pt = put(device, k, BF16), put(device, v, BF16), ints(device, table)
    attention = ttnn.transformer.paged_scaled_dot_product_attention_decode
    out = attention(
        qt,
        kt,
        vt,
        pt,
        cur_pos_tensor=ints(device, [40, 70]),
        attention_sink=put(device, sink, BF16),
        scale=0.125,
        sliding_window_size=48,
    )
    # probe: q's shape and dtype, TILE, DRAM interleaved whatever q's memory config
    assert spec(out) == ([1, 2, 8, 64], [1, 2, 32, 64], BF16, ttnn.TensorMemoryLayout.INTERLEAVED, ttnn.BufferType.DRAM)
    got = host(out)
    for u, pos in enumerate((40, 70)):
        ku = np.concatenate([k[b] for b in table[u]], axis=1).repeat(4, axis=0)  # [8, 96, 64]
        vu = np.concatenate([v[b] for b in table[u]], axis=1).repeat(4, axis=0)
        keys = np.arange(96)
        keep = (keys <= pos) & (keys > pos - 48)
        assert np.allclose(got[0, u], attend(q[0, u], ku, vu, 0.125, keep, sink[:, 0]), atol=2e-2)
    assert (
        spec(attention(qt, kt, vt, pt, cur_pos_tensor=ints(device, [1, 2]), memory_config=L1))[4] is ttnn.BufferType.L1
    )
    whole = attention(qt, kt, vt, pt, is_causal=False, scale=0.125)  # probe: no cur_pos needed when not causal
    for u in range(2):
        ku = np.concatenate([k[b] for b in table[u]], axis=1).repeat(4, axis=0)
        vu = np.concatenate([v[b] for b in table[u]], axis=1).repeat(4, axis=0)
        assert np.allclose(host(whole)[0, u], attend(q[0, u], ku, vu, 0.125, np.ones(96, dtype=bool)), atol=2e-2)
    pos2 = ints(device, [1, 2])
    with refused("Must have cur_pos tensor for paged attention in causal mode"):
        attention(qt, kt, vt, pt)
    with refused("cur_pos must have batch size equal to Q, got 1 and 2"):
        attention(qt, kt, vt, pt, cur_pos_tensor=ints(device, [1]))
    with refused("GQA expects Q to have a multiple of K heads, but got 8 and 3"):
        k3 = put(device, rand((6, 3, 32, 64)), BF16)
        attention(qt, k3, k3, pt, cur_pos_tensor=pos2)
    with refused("Unsupported data type DataType::FLOAT32."):
        attention(put(device, q), kt, vt, pt, cur_pos_tensor=pos2)
    with refused("Q, K, V must have same hidden size"):
        attention(qt, kt, put(device, rand((6, 2, 32, 128)), BF16), pt, cur_pos_tensor=pos2)
    with refused("Expect cur_pos to be INT32, got DataType::UINT32"):
        attention(qt, kt, vt, pt, cur_pos_tensor=put(device, np.array([1, 2]), ttnn.uint32, RM))
    with refused("Error: SDPA currently only supports INT32 datatype"):
        attention(qt, kt, vt, put(device, np.array(table), ttnn.uint32, RM), cur_pos_tensor=pos2)
    with refused("attn_mask must not be provided when is_causal=True"):
        attention(qt, kt, vt, pt, cur_pos_tensor=pos2, attn_mask=put(device, rand((2, 1, 8, 96)), BF16))
    with refused("Attention sink must have 2 dimensions"):
        attention(qt, kt, vt, pt, cur_pos_tensor=pos2, attention_sink=put(device, rand((1, 8, 1, 1)), BF16))
    with refused("Attention sink must be a single tile wide, but got 64"):
        attention(qt, kt, vt, pt, cur_pos_tensor=pos2, attention_sink=put(device, rand((8, 64)), BF16))
    with refused("Attention sink must by a BF16 tensor, but got DataType::BFLOAT8_B"):
        attention(qt, kt, vt, pt, cur_pos_tensor=pos2, attention_sink=put(device, sink, BF8))
    with refused("Attention sink must have the same padded num heads as Q but got 8"):
        attention(qt, kt, vt, pt, cur_pos_tensor=pos2, attention_sink=put(device, sink, BF16, RM))
    chunk96 = ttnn.SDPAProgramConfig(
        compute_with_storage_grid_size=ttnn.CoreCoord(8, 8), k_chunk_size=96, q_chunk_size=0
    )
    with refused("User provided k_chunk_size must be power of 2, got: 96"):
        attention(qt, kt, vt, pt, cur_pos_tensor=pos2, program_config=chunk96)
    big = ttnn.SDPAProgramConfig(compute_with_storage_grid_size=ttnn.CoreCoord(9, 9), k_chunk_size=128, q_chunk_size=0)
    with refused("Cores available \\(81\\) exceeds grid size \\(64\\)"):
        attention(qt, kt, vt, pt, cur_pos_tensor=pos2, program_config=big)


def test_sdpa_sink_and_sliding_window(device: ttnn.MeshDevice) -> None:
    q, k, v = rand((1, 4, 64, 32)), rand((1, 1, 64, 32), 1), rand((1, 1, 64, 32), 2)
    sink = bf16(rand((1, 4, 1, 1), 3))
    qt, kt, vt = put(device, q), put(device, k), put(device, v)
    out = ttnn.transformer.scaled_dot_product_attention(
        qt, kt, vt, is_causal=True, scale=0.25, sliding_window_size=16, attention_sink=put(device, sink, BF16)
    )
    assert list(out.shape) == [1, 4, 64, 32] and out.memory_config() == DRAM
    idx = np.arange(64)
    keep = (idx[None, :] <= idx[:, None]) & (idx[None, :] > idx[:, None] - 16)
    s = np.where(keep, q[0] @ k[0, 0].T * 0.25, -np.inf)
    s = np.concatenate([s, np.broadcast_to(sink[0] * 0.25, (4, 64, 1))], axis=-1)
    p = np.exp(s - s.max(-1, keepdims=True))
    p = p / p.sum(-1, keepdims=True)
    assert np.allclose(host(out)[0], p[..., :64] @ v[0, 0], atol=1e-5)
    sdpa = ttnn.transformer.scaled_dot_product_attention
    with refused("Attention sink batch dimension must be 1. Got 8"):
        sdpa(qt, kt, vt, attention_sink=put(device, rand((8, 32)), BF16))
    with refused("Attention sink num_heads must match Q num_heads. Got sink: 2, Q: 4"):
        sdpa(qt, kt, vt, attention_sink=put(device, rand((1, 2, 1, 1)), BF16))
    with refused("Attention sink sequence dimension must be 1. Got 32"):
        sdpa(qt, kt, vt, attention_sink=put(device, rand((1, 4, 32, 32)), BF16))
    with refused("Attention sink hidden dimension must be 1. Got 32"):
        sdpa(qt, kt, vt, attention_sink=put(device, rand((1, 4, 1, 32)), BF16))
    with refused("Attention sink must be in BF16, BFP8, or BFP4 dataformat"):
        sdpa(qt, kt, vt, attention_sink=put(device, sink, F32))
    with refused("Attention sink must be tilized"):
        sdpa(qt, kt, vt, attention_sink=put(device, sink, BF16, RM))


# ----------------------------------------------------------------------------- reductions


def test_fast_reduce_nc(device: ttnn.MeshDevice) -> None:
    x = rand((2, 4, 30, 50))
    out = ttnn.experimental.fast_reduce_nc(put(device, x), dims=[1])
    # probe: the input's padded shape with the reduced dims kept as 1 (padding becomes logical)
    assert spec(out) == ([2, 1, 32, 64], [2, 1, 32, 64], F32, ttnn.TensorMemoryLayout.INTERLEAVED, ttnn.BufferType.DRAM)
    padded = np.zeros((2, 4, 32, 64), dtype=np.float32)
    padded[:, :, :30, :50] = x
    assert np.allclose(host(out), padded.sum(axis=1, keepdims=True), atol=1e-5)
    both = ttnn.experimental.fast_reduce_nc(put(device, x), dims=[1, 0], memory_config=L1)
    assert list(both.shape) == [1, 1, 32, 64] and both.memory_config() == L1
    five = ttnn.experimental.fast_reduce_nc(put(device, rand((2, 4, 2, 32, 64)), BF16), dims=[1])
    assert list(five.shape) == [2, 1, 2, 32, 64] and five.dtype is BF16
    reduce = ttnn.experimental.fast_reduce_nc
    t = put(device, x)
    with refused("fast_reduce_nc dims should not be empty"):
        reduce(t, dims=[])
    with refused("FastReduceNC reduces only outer dims: dim must be between 0 and 1, but has 2"):
        reduce(t, dims=[2])
    with refused("FastReduceNC reduces only outer dims: dim must be between 0 and 1, but has -3"):
        reduce(t, dims=[-3])
    with refused(r"ShapeBase\[\] index out of range. 4 not in \[-4, 4\)"):
        reduce(t, dims=[4])
    with refused("FastReduceNC input rank must be greater than 2, but has 2"):
        reduce(put(device, rand((32, 64))), dims=[0])
    with refused("FastReduceNC input only supports TILE layout."):
        reduce(put(device, x, BF16, RM), dims=[1])
    with refused(r"FastReduceNC input only supports specific data types. \[BFLOAT16, BFLOAT8_B, FLOAT32\]"):
        reduce(put(device, x.astype(np.int64), I32), dims=[1])
