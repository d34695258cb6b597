"""The emulator's embedding, slice, concat, repeat, sum, argmax, topk, nlp heads, sdpa and
distributed-norm ops (ttgen/emu/data_ops.py): output specs as read off the real ttnn 0.81.1 wheel
on a mock N150 (probe scripts 2026-12, /work/ttnn-venv), values against their numpy definitions
(mock devices read back zeros), and the per-device mapping over a mesh."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

import ttgen.emu as ttnn
from ttgen.emu import topology as topology_module

F32, BF16, TILE, RM = ttnn.float32, ttnn.bfloat16, ttnn.TILE_LAYOUT, ttnn.ROW_MAJOR_LAYOUT
DRAM, L1 = ttnn.DRAM_MEMORY_CONFIG, ttnn.L1_MEMORY_CONFIG


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


def put(device: ttnn.MeshDevice, a: np.ndarray, dtype=F32, layout=TILE, mc=DRAM) -> ttnn.Tensor:
    return ttnn.to_device(ttnn.Tensor(a, dtype, None, layout), device, mc)


def spec(t: ttnn.Tensor) -> tuple[list[int], list[int], ttnn.DataType, ttnn.Layout, ttnn.BufferType]:
    return list(t.shape), list(t.padded_shape), t.dtype, t.layout, t.memory_config().buffer_type


def host(t: ttnn.Tensor) -> np.ndarray:
    return ttnn.from_device(t).to_numpy()


def test_embedding_defaults_and_values(device: ttnn.MeshDevice) -> None:
    ids_np = np.random.default_rng(1).integers(0, 128, size=(2, 32)).astype(np.int64)
    ids = put(device, ids_np, ttnn.uint32, RM, L1)
    w = rand((128, 64))
    out = ttnn.embedding(ids, put(device, w, F32, RM))
    # probe: layout and dtype default to the weight's, the memory config to the ids'
    assert spec(out) == ([2, 32, 64], [2, 32, 64], F32, RM, ttnn.BufferType.L1)
    assert np.array_equal(host(out), w[ids_np])
    tiled = ttnn.embedding(ids, put(device, w, F32, TILE))
    assert spec(tiled)[3] is TILE
    ids4 = put(device, ids_np[:1].reshape(1, 1, 1, 32), ttnn.uint32, RM)
    assert list(ttnn.embedding(ids4, put(device, w, BF16, RM), layout=TILE).shape) == [1, 32, 64]
    with pytest.raises(RuntimeError, match="Can only typecast output embeddings"):
        ttnn.embedding(ids, put(device, w, BF16, RM), dtype=ttnn.bfloat8_b)
    assert ttnn.embedding(ids, put(device, w, BF16, RM), dtype=ttnn.bfloat8_b, layout=TILE).dtype is ttnn.bfloat8_b


def test_slice_concat_repeat(device: ttnn.MeshDevice) -> None:
    x = rand((1, 1, 32, 256))
    t = put(device, x, mc=L1)
    s = ttnn.slice(t, (0, 0, 0, 0), (1, 1, 20, 100), (1, 1, 1, 1))
    assert spec(s) == ([1, 1, 20, 100], [1, 1, 32, 128], F32, TILE, ttnn.BufferType.L1)
    assert np.array_equal(host(s), x[:, :, :20, :100])
    r = ttnn.slice(put(device, x, layout=RM), (0, 0, 0, 0), (1, 1, 32, 256), (1, 1, 2, 2))
    assert spec(r)[:2] == ([1, 1, 16, 128], [1, 1, 16, 128]) and np.array_equal(host(r), x[:, :, ::2, ::2])
    c = ttnn.concat([t, put(device, x)], 3)  # probe: the default is DRAM even with an L1 input
    with pytest.raises(NotImplementedError):  # ... only probed mixed, so an all-L1 default is not modelled
        ttnn.concat([t, t], 3)
    c = ttnn.concat([put(device, x), put(device, 2 * x)], -2)
    assert spec(c) == ([1, 1, 64, 256], [1, 1, 64, 256], F32, TILE, ttnn.BufferType.DRAM)
    assert np.array_equal(host(c), np.concatenate([x, 2 * x], axis=2))
    y = rand((1, 8, 1, 256))
    rep = ttnn.repeat(put(device, y, layout=RM, mc=L1), ttnn.Shape([2, 1, 3, 1]))
    assert spec(rep) == ([2, 8, 3, 256], [2, 8, 3, 256], F32, RM, ttnn.BufferType.L1)
    assert np.array_equal(host(rep), np.tile(y, (2, 1, 3, 1)))


def test_reductions(device: ttnn.MeshDevice) -> None:
    x = rand((1, 1, 32, 256))
    t = put(device, x)
    s = ttnn.sum(t, -1, True)
    assert spec(s) == ([1, 1, 32, 1], [1, 1, 32, 32], F32, TILE, ttnn.BufferType.DRAM)
    assert np.allclose(host(s), x.sum(-1, keepdims=True), atol=1e-4)
    assert spec(ttnn.sum(t, -1))[:2] == ([1, 1, 32], [1, 32, 32])
    with pytest.raises(NotImplementedError):
        ttnn.sum(t)
    a = ttnn.argmax(t, 3, True)  # probe: UINT32 ROW_MAJOR even from a TILE input
    assert spec(a) == ([1, 1, 32, 1], [1, 1, 32, 1], ttnn.uint32, RM, ttnn.BufferType.DRAM)
    assert np.array_equal(host(a), np.argmax(x, axis=3)[..., None])
    values, indices = ttnn.topk(put(device, x, BF16, mc=L1), 8, -1, True, True)
    assert spec(values) == ([1, 1, 32, 8], [1, 1, 32, 32], BF16, TILE, ttnn.BufferType.L1)
    assert spec(indices) == ([1, 1, 32, 8], [1, 1, 32, 32], ttnn.uint16, TILE, ttnn.BufferType.L1)
    v32, i32 = ttnn.topk(t, 3)
    assert np.array_equal(host(i32), np.argsort(-x, axis=-1)[..., :3])
    assert np.array_equal(host(v32), -np.sort(-x, axis=-1)[..., :3])


def test_nlp_heads_and_sdpa(device: ttnn.MeshDevice) -> None:
    x = rand((1, 1, 128, 384))
    q, k, v = ttnn.experimental.nlp_create_qkv_heads(
        put(device, x, mc=L1), num_heads=4, num_kv_heads=1, transpose_k_heads=False
    )
    assert [spec(o) for o in (q, k, v)] == [
        ([1, 4, 128, 64], [1, 4, 128, 64], F32, TILE, ttnn.BufferType.L1),
        ([1, 1, 128, 64], [1, 1, 128, 64], F32, TILE, ttnn.BufferType.L1),
        ([1, 1, 128, 64], [1, 1, 128, 64], F32, TILE, ttnn.BufferType.L1),
    ]
    assert np.array_equal(host(q), x[0, 0, :, :256].reshape(128, 4, 64).transpose(1, 0, 2)[None])
    assert np.array_equal(host(k), x[:, :, :, 256:320]) and np.array_equal(host(v), x[:, :, :, 320:])
    kt = ttnn.experimental.nlp_create_qkv_heads(put(device, x), num_heads=4, num_kv_heads=1)[1]
    assert list(kt.shape) == [1, 1, 64, 128]  # probe: transpose_k_heads defaults to True
    joined = ttnn.experimental.nlp_concat_heads(q)
    assert list(joined.shape) == [1, 1, 128, 256] and np.array_equal(host(joined), x[:, :, :, :256])
    out = ttnn.transformer.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.125)
    assert spec(out) == ([1, 4, 128, 64], [1, 4, 128, 64], F32, TILE, ttnn.BufferType.DRAM)  # probe: DRAM default
    qn, kn, vn = host(q), host(k), host(v)
    scores = qn @ np.swapaxes(kn, -1, -2) * 0.125 + np.triu(np.full((128, 128), -np.inf), 1)
    p = np.exp(scores - scores.max(-1, keepdims=True))
    assert np.allclose(host(out), (p / p.sum(-1, keepdims=True)) @ vn, atol=1e-4)


def test_distributed_norms(device: ttnn.MeshDevice) -> None:
    x, res = rand((1, 1, 32, 256)), rand((1, 1, 32, 256), 1)
    t = put(device, x, mc=L1)
    stats = ttnn.rms_norm_pre_all_gather(t, dtype=F32, residual_input_tensor=put(device, res))
    assert spec(stats) == ([1, 1, 32, 32], [1, 1, 32, 32], F32, TILE, ttnn.BufferType.L1)
    assert np.allclose(host(stats)[..., 0], ((x + res) ** 2).sum(-1), rtol=1e-5)
    assert spec(ttnn.rms_norm_pre_all_gather(t))[2] is BF16  # probe: the dtype defaults to BFLOAT16
    ln = ttnn.layer_norm_pre_all_gather(t, dtype=F32)
    assert list(ln.shape) == [1, 1, 32, 64] and np.allclose(host(ln)[..., 32], (x**2).sum(-1), rtol=1e-5)
    # stats of 4 devices holding the same shard: the global mean is the local one
    w = rand((1, 1, 8, 32), 2)
    wt = put(device, w, F32, RM)
    gathered = put(device, np.concatenate([host(stats)] * 4, axis=-1))
    rms = ttnn.rms_norm_post_all_gather(put(device, x + res), gathered, epsilon=1e-5, weight=wt)
    xr = x + res
    expect = xr / np.sqrt((xr**2).mean(-1, keepdims=True) + 1e-5) * w.reshape(-1)
    assert spec(rms) == ([1, 1, 32, 256], [1, 1, 32, 256], F32, TILE, ttnn.BufferType.DRAM)
    assert np.allclose(host(rms), expect, atol=1e-4)
    lst = put(device, np.concatenate([host(ln)] * 4, axis=-1))
    out = ttnn.layer_norm_post_all_gather(t, lst, epsilon=1e-5, weight=wt)
    mean = x.mean(-1, keepdims=True)
    assert np.allclose(host(out), (x - mean) / np.sqrt(x.var(-1, keepdims=True) + 1e-5) * w.reshape(-1), atol=1e-3)


def test_embedding_maps_over_a_mesh() -> None:
    ttnn.set_fabric_config(ttnn.FabricConfig.FABRIC_1D)
    mesh = ttnn.open_mesh_device(ttnn.MeshShape(2, 4))
    ids_np = np.random.default_rng(3).integers(0, 64, size=(1, 32)).astype(np.int64)
    ids = ttnn.to_device(ttnn.Tensor(ids_np, ttnn.uint32, None, RM), mesh, DRAM)
    w = rand((64, 128))
    mapper = ttnn.create_mesh_mapper(mesh, ttnn.MeshMapperConfig([ttnn.PlacementReplicate(), ttnn.PlacementShard(-1)]))
    wt = ttnn.to_device(ttnn.Tensor(w, F32, None, RM, mesh_mapper=mapper), mesh, DRAM)
    out = ttnn.embedding(ids, wt, layout=TILE)
    topo = out.tensor_topology()
    assert repr(topo.placements()) == "[PlacementReplicate(), PlacementShard(-1)]"  # the weight's label
    assert list(topo.distribution_shape()) == [2, 4] and list(out.shape) == [1, 32, 32]
    shards = [t.to_numpy() for t in ttnn.get_device_tensors(out)]
    for k, s in enumerate(shards):
        col = k % 4
        assert np.array_equal(s, w[ids_np][:, :, col * 32 : (col + 1) * 32])
