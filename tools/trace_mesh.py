"""Record a real multi-device TT-NN operation trace: ttnn 0.81.1 on a mock multi-chip mesh, its per-call tracer on.

Calls ops the way tensor-parallel LLMs (llama / deepseek / gpt-oss on T3K and Galaxy) do: inputs distributed with
replicate / ShardTensorToMesh / ShardTensor2dMesh / create_mesh_mapper mappers (DRAM, L1, sharded L1, bf16, bf8_b),
eltwise, softmax, rms_norm (plain, sharded, distributed pre/post all-gather), embedding, column- and row-parallel
linear/matmul, the synchronous CCLs (all_gather, reduce_scatter, all_reduce, mesh_partition, broadcasts, MoE
all-to-all) and the async ones on global semaphores (all_gather_async, reduce_scatter_minimal_async, all_reduce_async,
all_gather_matmul_async), plus tensor-parallel attention and data movement. Phases, each a fresh open: on a 2D mesh,
1xCOLS submeshes (FABRIC_1D; one runs, all close before the parent runs anything); the mesh with FABRIC_1D
(everything, with cluster_axis on a 2D mesh); on a 2D mesh, the mesh again with FABRIC_2D (the overloads without
cluster_axis); and the same chips opened 1xN with FABRIC_1D_RING (Ring-only paths, the fused all_gather_matmul_async).
The trace does not record the fabric; calls.tsv descriptions start with the phase.

ttnn writes one JSON file per successful call into OUT_DIR/operation_parameters/; OUT_DIR/calls.tsv lists every
attempted call (op, description, ok or the error's first line). Numpy seed and call order are fixed. Without torch
(the usual mock venv), the tracer's `import torch` gets an empty stand-in module.

Run it with the real-ttnn interpreter from a scratch working directory (ttnn writes ./generated/ there):

    TT_METAL_MOCK_CLUSTER_DESC_PATH=.../mock_cluster/wormhole_t3k_grid8x8.yaml TT_LOGGER_LEVEL=error \
        python tools/trace_mesh.py 2x4 OUT_DIR

MESH is ROWSxCOLS and must open on the descriptor (T3K: 2x4, 1x8; 6U Galaxy: 4x8, 8x4, 1x32; N300: 1x2).
`bash tools/record_mesh.sh PYTHON [t3k|galaxy|all]` re-records tests/fixtures/mesh/<system>/ this way.
"""

from __future__ import annotations

import os
import sys
import traceback
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

# The operation tracer only runs in ttnn's slow runtime mode, which is read when ttnn is imported.
os.environ.setdefault("TTNN_CONFIG_OVERRIDES", '{"enable_fast_runtime_mode": false}')
os.environ.setdefault("LOGURU_LEVEL", "WARNING")

import numpy as np
import ttnn
import ttnn.operation_tracer

try:
    import ttnn.tracer  # the slow runtime path reads ttnn.tracer.ENABLE_TRACER
except ImportError:  # it imports torch; without torch only that flag is needed
    ttnn.tracer = types.SimpleNamespace(ENABLE_TRACER=False)
try:
    import torch  # noqa: F401
except ImportError:  # the tracer imports torch per call, only for an isinstance check: an empty stand-in
    stand_in = types.ModuleType("torch")
    stand_in.Tensor = type("Tensor", (), {})  # type: ignore[attr-defined]
    sys.modules["torch"] = stand_in

BF16, BF8, F32, U32, U16 = ttnn.bfloat16, ttnn.bfloat8_b, ttnn.float32, ttnn.uint32, ttnn.uint16
TILE, RM = ttnn.TILE_LAYOUT, ttnn.ROW_MAJOR_LAYOUT
DRAM, L1 = ttnn.DRAM_MEMORY_CONFIG, ttnn.L1_MEMORY_CONFIG
HEIGHT, WIDTH = ttnn.TensorMemoryLayout.HEIGHT_SHARDED, ttnn.TensorMemoryLayout.WIDTH_SHARDED
LINEAR, RING = ttnn.Topology.Linear, ttnn.Topology.Ring
SUM = ttnn.ReduceType.Sum

RNG = np.random.default_rng(0)
CALLS: list[tuple[str, str, str]] = []
MESH: Any = None  # the open MeshDevice (the mesh or, in the submesh phase, one submesh)
ROWS, COLS = 1, 1  # its shape
PHASE = ""  # prefix of calls.tsv descriptions


# ----------------------------------------------------------------------------------------------- helpers


def op_name(op: Any) -> str:
    return getattr(op, "python_fully_qualified_name", None) or f"ttnn.{op.__name__}"


def error_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if lines else ""
    if "info:" in lines and lines.index("info:") + 1 < len(lines):  # TT_FATAL: the message follows "info:"
        text += " | " + lines[lines.index("info:") + 1]
    return f"{type(exc).__name__}: {text}".replace("\t", " ")[:400]


def call(op: Any, desc: str, *args: Any, **kwargs: Any) -> Any:
    """One attempted op call: recorded in calls.tsv, its failure never stops the program."""
    desc = f"{PHASE}: {desc}"
    try:
        out = op(*args, **kwargs)
    except Exception as exc:
        CALLS.append((op_name(op), desc, "error: " + error_line(exc)))
        return None
    CALLS.append((op_name(op), desc, "ok"))
    return out


def ndev() -> int:
    return ROWS * COLS


def axes() -> list[int]:
    """Mesh axes with more than one device, the long (column) axis first."""
    return [axis for axis, size in ((1, COLS), (0, ROWS)) if size > 1]


def values(shape: list[int], low: float = -1.0, high: float = 1.0, ints: bool = False) -> np.ndarray:
    if ints:
        return RNG.integers(int(low), int(high), size=shape).astype(np.int32)
    return RNG.uniform(low, high, size=shape).astype(np.float32)


# A distribution: (mesh mapper or None for a plain host tensor, {dim: factor} from per-device to global shape, label)
Dist = tuple[Any, dict[int, int], str]


def _placement(dim: int | None) -> Any:
    return ttnn.PlacementReplicate() if dim is None else ttnn.PlacementShard(dim)


def _label(dim: int | None) -> str:
    return "Replicate" if dim is None else f"Shard({dim})"


def plain() -> Dist:
    return None, {}, "plain host tensor"


def replicate() -> Dist:
    return ttnn.replicate_tensor_to_mesh_mapper(MESH), {}, "replicate_tensor_to_mesh_mapper"


def shard(dim: int) -> Dist:
    """ShardTensorToMesh: one dim split over all devices in row-major mesh order."""
    return ttnn.ShardTensorToMesh(MESH, dim=dim), {dim: ndev()}, f"ShardTensorToMesh(dim={dim})"


def shard2d(row_dim: int | None, col_dim: int | None) -> Dist:
    mapper = ttnn.ShardTensor2dMesh(MESH, mesh_shape=(ROWS, COLS), dims=(row_dim, col_dim))
    factors = {d: n for d, n in ((row_dim, ROWS), (col_dim, COLS)) if d is not None}
    return mapper, factors, f"ShardTensor2dMesh(dims=({row_dim}, {col_dim}))"


def placed(row_dim: int | None, col_dim: int | None) -> Dist:
    config = ttnn.MeshMapperConfig([_placement(row_dim), _placement(col_dim)])
    factors = {d: n for d, n in ((row_dim, ROWS), (col_dim, COLS)) if d is not None}
    return ttnn.create_mesh_mapper(MESH, config), factors, f"create_mesh_mapper([{_label(row_dim)}, {_label(col_dim)}])"


def put(
    per_device: list[int],
    dist: Dist,
    dtype: Any = BF16,
    layout: Any = TILE,
    mc: Any = DRAM,
    desc: str = "",
    **kw: Any,
) -> Any:
    """A host tensor of the global shape that `dist` splits into `per_device` shards, sent to the mesh."""
    mapper, factors, label = dist
    shape = list(per_device)
    for dim, factor in factors.items():
        shape[dim % len(shape)] *= factor
    data = values(shape, **kw)
    if mapper is None:
        host = ttnn.Tensor(data, dtype, None, layout)
    else:
        host = ttnn.Tensor(data, dtype, None, layout, mesh_mapper=mapper)
    text = f"{label} {shape} -> {per_device} {dtype.name} {layout.name}" + (f", {desc}" if desc else "")
    return call(ttnn.to_device, text, host, MESH, memory_config=mc)


def cores(*ranges: tuple[int, int, int, int]) -> Any:
    """CoreRangeSet of inclusive (x0, y0, x1, y1) rectangles."""
    return ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(a, b), ttnn.CoreCoord(c, d)) for a, b, c, d in ranges])


def sharded(layout: Any, grid: Any, shard_shape: list[int]) -> Any:
    return ttnn.MemoryConfig(
        layout, ttnn.BufferType.L1, ttnn.ShardSpec(grid, shard_shape, ttnn.ShardOrientation.ROW_MAJOR)
    )


def worker_cores() -> Any:
    grid = MESH.compute_with_storage_grid_size()
    return cores((0, 0, grid.x - 1, grid.y - 1))


def sems(count: int) -> list[Any]:
    """Global semaphores on every worker core, as the models' TT_CCL helpers create them."""
    return [ttnn.create_global_semaphore(MESH, worker_cores(), 0) for _ in range(count)]


def hifi2() -> Any:
    return ttnn.WormholeComputeKernelConfig(
        math_fidelity=ttnn.MathFidelity.HiFi2, math_approx_mode=False, fp32_dest_acc_en=True, packer_l1_acc=True
    )


def mcast_1d(k_tiles: int, n_tiles: int, cores_used: int, activation: Any = None) -> Any:
    """Decode 1D mcast program config: 32 rows, N split over `cores_used` cores of an 8-wide grid."""
    per_core_n = n_tiles // cores_used
    return ttnn.MatmulMultiCoreReuseMultiCast1DProgramConfig(
        compute_with_storage_grid_size=ttnn.CoreCoord(8, max(1, cores_used // 8)),
        in0_block_w=max(1, min(4, k_tiles // cores_used)),
        out_subblock_h=1,
        out_subblock_w=min(per_core_n, 4),
        per_core_M=1,
        per_core_N=per_core_n,
        fuse_batch=True,
        fused_activation=activation,
        mcast_in0=True,
    )


# ---------------------------------------------------------------------------------------------- sections


def distribution() -> None:
    """Mesh mappers and placements; DRAM / L1 / sharded L1; bf16 / bf8_b / uint32; host round trips."""
    put([1, 1, 32, 1024], plain(), desc="to_device replicates")
    put([1, 1, 32, 1024], replicate())
    put([1, 1, 32, 1024], replicate(), BF8, mc=L1, desc="L1")
    put([1, 1, 32, 256], shard(-1))
    put([1, 1, 32, 256], shard(-1), BF8)
    put([2, 1, 32, 256], shard(0), layout=RM, desc="batch over devices")
    put([1, 4, 32, 128], shard(1), mc=L1, desc="heads over devices, L1")
    put([1, 1, 32, 256], shard2d(None, -1))
    put([1, 1, 256, 256], shard2d(-1, -2), BF8, desc="galaxy MLP weight layout")
    put([1, 1, 64, 256], shard2d(-2, -1), mc=L1, desc="2D, L1")
    put([1, 1, 32, 256], shard2d(0, None), layout=RM)
    put([1, 1, 32, 256], placed(None, -1))
    put([1, 1, 64, 256], placed(-2, -1), BF8)
    put([1, 1, 32, 256], placed(-1, None))
    put([1, 1, 32, 256], placed(None, None), desc="all Replicate")
    mapper = ttnn.create_mesh_mapper(MESH, ttnn.MeshMapperConfig(row_dim=2, col_dim=3))
    put([1, 1, 32, 256], (mapper, {2: ROWS, 3: COLS}, "create_mesh_mapper(MeshMapperConfig(row_dim=2, col_dim=3))"))
    width = sharded(WIDTH, cores((0, 0, 7, 0)), [32, 32])
    put([1, 1, 32, 256], shard2d(None, -1), mc=width, desc="width-sharded L1 over 8 cores")
    height = sharded(HEIGHT, cores((0, 0, 7, 0)), [32, 256])
    put([1, 1, 256, 256], shard2d(-2, -1), mc=height, desc="height-sharded L1 over 8 cores")
    put([1, 32], replicate(), U32, RM, low=0, high=4096, ints=True, desc="token ids")

    x = put([1, 1, 64, 256], shard2d(-2, -1))
    back = call(ttnn.from_device, "Shard 2D mesh tensor to host", x)
    if back is not None:
        call(ttnn.to_device, "host mesh tensor back to L1", back, MESH, memory_config=L1)
    call(ttnn.to_memory_config, "DRAM -> width-sharded L1", put([1, 1, 32, 256], shard2d(None, -1)), width)
    call(ttnn.to_layout, "TILE -> ROW_MAJOR", x, RM)
    call(ttnn.typecast, "bf16 -> bf8_b", x, BF8)
    call(ttnn.typecast, "bf16 -> float32, L1", x, F32, memory_config=L1)
    call(ttnn.typecast, "bf8_b -> bf16", put([1, 1, 32, 256], shard(-1), BF8), BF16)


def eltwise() -> None:
    a = put([1, 1, 32, 1024], shard2d(None, -1))
    b = put([1, 1, 32, 1024], shard2d(None, -1))
    bias = put([1, 1, 1, 1024], shard2d(None, -1), layout=TILE, desc="row bias")
    call(ttnn.add, "residual add, Shard(-1)", a, b)
    call(ttnn.add, "broadcast row bias", a, bias)
    call(ttnn.add, "to L1", a, b, memory_config=L1)
    call(ttnn.add, "bf16 + bf8_b -> bf16", a, put([1, 1, 32, 1024], shard2d(None, -1), BF8), dtype=BF16)
    gate = call(ttnn.silu, "SwiGLU gate", a)
    call(ttnn.multiply, "SwiGLU gate * up", gate, b)
    call(
        ttnn.multiply,
        "fused silu on a (input_tensor_a_activations)",
        a,
        b,
        input_tensor_a_activations=[ttnn.UnaryWithParam(ttnn.UnaryOpType.SILU)],
        dtype=BF8,
    )
    call(ttnn.multiply, "by scalar", a, 0.125)
    grid = cores((0, 0, 7, 3))
    ws = sharded(WIDTH, grid, [32, 32])
    xs = put([1, 1, 32, 1024], shard2d(None, -1), mc=ws, desc="width-sharded L1 over 32 cores")
    ys = put([1, 1, 32, 1024], shard2d(None, -1), mc=ws, desc="width-sharded L1 over 32 cores")
    call(ttnn.add, "width-sharded L1 in/out", xs, ys, memory_config=ws)
    call(ttnn.multiply, "width-sharded L1", xs, ys)
    call(ttnn.silu, "width-sharded L1", xs)
    call(ttnn.typecast, "width-sharded bf16 -> bf8_b", xs, BF8)
    two = put([1, 1, 64, 256], shard2d(-2, -1))
    call(ttnn.add, "[Shard(-2), Shard(-1)]", two, put([1, 1, 64, 256], shard2d(-2, -1)))
    call(ttnn.silu, "[Shard(-2), Shard(-1)] bf8_b", put([1, 1, 64, 256], placed(-2, -1), BF8))
    call(ttnn.typecast, "[Shard(-2), Shard(-1)] bf16 -> float32", two, F32)


def norms() -> None:
    scores = put([1, 8, 32, 256], shard2d(None, 1), desc="attention scores, heads over columns")
    call(ttnn.softmax, "heads over columns", scores, dim=-1)
    call(
        ttnn.softmax,
        "numeric_stable, L1, HiFi2",
        scores,
        dim=-1,
        numeric_stable=True,
        memory_config=L1,
        compute_kernel_config=hifi2(),
    )
    call(ttnn.softmax, "[Shard(-2), Shard(-1)] rows", put([1, 1, 64, 256], shard2d(-2, -1)), dim=-2)

    full = put([1, 1, 32, 2048], replicate(), desc="replicated residual")
    gamma = put([1, 1, 2048 // 32, 32], replicate(), layout=RM, desc="rms_norm weight")
    call(ttnn.rms_norm, "replicated, weight", full, weight=gamma, epsilon=1e-5)
    call(
        ttnn.rms_norm,
        "replicated, HiFi2 to L1",
        full,
        weight=gamma,
        epsilon=1e-6,
        memory_config=L1,
        compute_kernel_config=hifi2(),
    )
    ws = sharded(WIDTH, cores((0, 0, 7, 1)), [32, 128])
    xs = put([1, 1, 32, 2048], replicate(), mc=ws, desc="width-sharded over 16 cores")
    prog = ttnn.LayerNormShardedMultiCoreProgramConfig(
        compute_with_storage_grid_size=ttnn.CoreCoord(8, 2), subblock_w=4, block_h=1, block_w=4, inplace=False
    )
    call(
        ttnn.rms_norm,
        "width-sharded, sharded program config",
        xs,
        weight=gamma,
        epsilon=1e-5,
        program_config=prog,
        memory_config=ws,
    )
    res = put([1, 1, 32, 2048], replicate(), mc=ws, desc="width-sharded residual")
    call(
        ttnn.rms_norm,
        "sharded with residual_input_tensor",
        xs,
        residual_input_tensor=res,
        weight=gamma,
        epsilon=1e-5,
        program_config=prog,
        memory_config=ws,
    )

    # distributed norm on a fractured residual (tt-transformers / llama galaxy): local stats, gather, normalize
    axis = axes()[0]
    cols = (None, -1) if axis == 1 else (-1, None)
    frac = put([1, 1, 32, 256], shard2d(*cols), desc="residual fractured on hidden")
    frac_gamma = put([1, 1, 256 // 32, 32], shard2d(*(None, 2) if axis == 1 else (2, None)), layout=RM)
    stats = call(ttnn.rms_norm_pre_all_gather, "fractured residual", frac, dtype=BF16, compute_kernel_config=hifi2())
    call(
        ttnn.rms_norm_pre_all_gather,
        "with residual_input_tensor",
        frac,
        residual_input_tensor=put([1, 1, 32, 256], shard2d(*cols)),
        dtype=BF16,
    )
    gathered = None
    if stats is not None:
        gathered = call(
            ttnn.all_gather,
            f"rms stats on cluster_axis {axis}",
            stats,
            3,
            cluster_axis=axis,
            num_links=1,
            topology=LINEAR,
            memory_config=DRAM,
        )
    if gathered is not None:
        call(
            ttnn.rms_norm_post_all_gather,
            "gathered stats, fractured weight",
            frac,
            gathered,
            epsilon=1e-5,
            weight=frac_gamma,
            compute_kernel_config=hifi2(),
            dtype=BF16,
        )
    lstats = call(ttnn.layer_norm_pre_all_gather, "fractured residual", frac, dtype=BF16)
    if lstats is not None:
        lgathered = call(ttnn.all_gather, f"layer_norm stats on cluster_axis {axis}", lstats, 3, cluster_axis=axis)
        if lgathered is not None:
            call(ttnn.layer_norm_post_all_gather, "gathered stats", frac, lgathered, epsilon=1e-5, weight=frac_gamma)


def embedding() -> None:
    ids = put([1, 32], replicate(), U32, RM, low=0, high=4096, ints=True, desc="token ids")
    table = put([4096, 256], shard2d(None, -1), layout=RM, desc="embedding table, hidden over columns")
    call(ttnn.embedding, "table Shard(-1) over columns", ids, table)
    call(ttnn.embedding, "TILE out, L1", ids, table, layout=TILE, memory_config=L1)
    call(
        ttnn.embedding,
        "replicated bf16 TILE table, bf8_b out",
        ids,
        put([4096, 512], replicate(), desc="replicated table"),
        layout=TILE,
        dtype=BF8,
    )
    ids4 = put([1, 1, 1, 32], shard2d(0, None), U32, RM, low=0, high=4096, ints=True, desc="batch over rows")
    call(ttnn.embedding, "ids [Shard(0), Replicate], table Shard(-1) over columns", ids4, table, layout=TILE)


def matmuls() -> None:
    x = put([1, 1, 32, 1024], replicate(), desc="decode activations")
    w_col = put([1, 1, 1024, 256], shard(-1), BF8, desc="column-parallel weight")
    call(ttnn.linear, "column-parallel, Shard(-1) weight", x, w_col)
    call(
        ttnn.linear,
        "column-parallel, 1D mcast program config, HiFi2",
        x,
        w_col,
        program_config=mcast_1d(32, 8, 8),
        compute_kernel_config=hifi2(),
        memory_config=L1,
        dtype=BF16,
    )
    bias = put([1, 1, 32, 256], shard(-1), desc="column bias")
    call(ttnn.linear, "column-parallel with bias, silu", x, w_col, bias=bias, activation="silu")
    x_frac = put([1, 1, 32, 128], shard(-1), desc="fractured activations")
    w_row = put([1, 1, 128, 1024], shard(-2), BF8, desc="row-parallel weight")
    partial = call(ttnn.matmul, "row-parallel, partial sums", x_frac, w_row)
    call(ttnn.matmul, "row-parallel, HiFi2, bf8_b out", x_frac, w_row, compute_kernel_config=hifi2(), dtype=BF8)
    prefill = put([1, 1, 128, 128], shard(-1), desc="prefill activations")
    mc2d = ttnn.MatmulMultiCoreReuseMultiCastProgramConfig(
        compute_with_storage_grid_size=ttnn.CoreCoord(8, 4),
        in0_block_w=2,
        out_subblock_h=1,
        out_subblock_w=4,
        per_core_M=1,
        per_core_N=4,
        transpose_mcast=False,
        fused_activation=None,
        fuse_batch=False,
    )
    call(
        ttnn.matmul,
        "row-parallel prefill, 2D mcast program config",
        prefill,
        w_row,
        program_config=mc2d,
        compute_kernel_config=hifi2(),
    )
    if partial is not None:
        call(
            ttnn.all_reduce,
            "row-parallel partials over the whole mesh" if ROWS == 1 else "partials, cluster_axis 1",
            partial,
            cluster_axis=1 if ROWS > 1 else None,
            num_links=1,
            topology=LINEAR,
        )

    # 2D tensor parallelism (llama galaxy MLP): K over columns, N over rows; reduce over columns
    x2 = put([1, 1, 32, 256], shard2d(None, -1), desc="activations fractured over columns")
    w1 = put([1, 1, 256, 256], shard2d(-1, -2), BF8, desc="w1: N over rows, K over columns")
    h = call(ttnn.linear, "2D weight [Shard(-1), Shard(-2)]", x2, w1, compute_kernel_config=hifi2(), dtype=BF16)
    if h is not None and COLS > 1:
        call(ttnn.reduce_scatter, "2D partials over columns", h, 3, cluster_axis=1, num_links=1, topology=LINEAR)
        call(ttnn.all_reduce, "2D partials over columns", h, cluster_axis=1, num_links=1, topology=LINEAR)
    w2 = put([1, 1, 256, 256], shard2d(-2, -1), BF8, desc="w2: K over rows, N over columns")
    x_rows = put([1, 1, 32, 256], shard2d(-1, None), desc="activations fractured over rows")
    out = call(ttnn.matmul, "2D weight [Shard(-2), Shard(-1)]", x_rows, w2)
    if out is not None and ROWS > 1:
        call(ttnn.all_reduce, "partials over rows", out, cluster_axis=0, num_links=1, topology=LINEAR)
    call(ttnn.matmul, "replicated x replicated", x, put([1, 1, 1024, 256], replicate(), BF8))
    call(
        ttnn.matmul,
        "batched heads Shard(1) x Shard(1)",
        put([1, 8, 32, 64], shard2d(None, 1)),
        put([1, 8, 64, 128], shard2d(None, 1)),
        transpose_b=False,
    )


def attention() -> None:
    """Prefill attention with heads split over the devices (Shard(-1) fused QKV), then the usual reshapes."""
    heads, kv_heads, head_dim, seq = 4, 1, 64, 128
    width = (heads + 2 * kv_heads) * head_dim
    xqkv = put([1, 1, seq, width], shard(-1), desc="fused QKV, heads over devices")
    qkv = call(
        ttnn.experimental.nlp_create_qkv_heads,
        "heads over devices",
        xqkv,
        num_heads=heads,
        num_kv_heads=kv_heads,
        transpose_k_heads=False,
        memory_config=DRAM,
    )
    if qkv is not None:
        q, k, v = qkv
        out = call(
            ttnn.transformer.scaled_dot_product_attention,
            "causal, heads over devices",
            q,
            k,
            v,
            is_causal=True,
            scale=head_dim**-0.5,
            compute_kernel_config=hifi2(),
        )
        if out is not None:
            call(ttnn.experimental.nlp_concat_heads, "heads over devices", out, memory_config=DRAM)
    x = put([1, 1, 32, 256], shard2d(-2, -1))
    call(ttnn.reshape, "[Shard(-2), Shard(-1)] per-device reshape", x, [1, 32, 8, 32])
    call(ttnn.permute, "per-device permute", x, [0, 2, 1, 3])
    call(ttnn.concat, "two mesh tensors on dim 3", [x, put([1, 1, 32, 256], shard2d(-2, -1))], 3)
    call(ttnn.slice, "per-device slice", x, [0, 0, 0, 0], [1, 1, 32, 128], [1, 1, 1, 1])
    call(ttnn.sum, "per-device sum dim -1 keepdim", x, -1, keepdim=True)
    logits = put([1, 1, 32, 512], shard2d(None, -1), desc="vocab-parallel logits over columns")
    call(ttnn.topk, "per-device top-8 (MoE gate / sampling)", logits, 8, -1, True, True)
    gathered = call(ttnn.all_gather, "vocab-parallel logits over columns", logits, 3, cluster_axis=1)
    if gathered is not None:
        call(
            ttnn.argmax,
            "greedy sampling on gathered logits",
            call(ttnn.to_layout, "logits to ROW_MAJOR", gathered, RM),
            dim=3,
            keepdim=True,
        )


def sync_ccls() -> None:
    x = put([1, 1, 32, 256], shard2d(-2, -1), desc="[Shard(-2), Shard(-1)]")
    xb = put([1, 1, 32, 256], shard2d(-2, -1), BF8)
    rm = put([1, 1, 32, 256], shard2d(-2, -1), layout=RM)
    wide = put([1, 1, 32, 1024], shard2d(None, None), desc="partials to reduce")
    ws = sharded(WIDTH, cores((0, 0, 7, 0)), [32, 32])
    xs = put([1, 1, 32, 256], shard2d(-2, -1), mc=ws, desc="width-sharded L1")
    for axis in axes():
        dim = 3 if axis == 1 else 2
        call(ttnn.all_gather, f"dim {dim} cluster_axis {axis}", x, dim, cluster_axis=axis)
        call(
            ttnn.all_gather,
            f"dim {dim} cluster_axis {axis} Linear 1 link L1",
            x,
            dim,
            cluster_axis=axis,
            num_links=1,
            topology=LINEAR,
            memory_config=L1,
        )
        call(ttnn.all_gather, f"dim {dim} cluster_axis {axis} Ring", x, dim, cluster_axis=axis, topology=RING)
        call(ttnn.all_gather, f"bf8_b dim {dim} cluster_axis {axis}", xb, dim, cluster_axis=axis, num_links=1)
        call(ttnn.all_gather, f"ROW_MAJOR dim {dim} cluster_axis {axis}", rm, dim, cluster_axis=axis)
        call(ttnn.all_gather, f"dim 1 cluster_axis {axis}", x, 1, cluster_axis=axis, topology=LINEAR)
        call(ttnn.reduce_scatter, f"dim 3 cluster_axis {axis}", wide, 3, cluster_axis=axis)
        call(
            ttnn.reduce_scatter,
            f"dim 3 cluster_axis {axis} Linear 1 link L1",
            wide,
            3,
            cluster_axis=axis,
            num_links=1,
            topology=LINEAR,
            memory_config=L1,
        )
        call(
            ttnn.reduce_scatter,
            f"dim 3 cluster_axis {axis} Ring HiFi2",
            wide,
            3,
            cluster_axis=axis,
            topology=RING,
            compute_kernel_config=hifi2(),
        )
        call(ttnn.all_reduce, f"cluster_axis {axis}", wide, cluster_axis=axis)
        call(
            ttnn.all_reduce,
            f"cluster_axis {axis} Linear 1 link L1",
            wide,
            cluster_axis=axis,
            num_links=1,
            topology=LINEAR,
            memory_config=L1,
        )
        call(ttnn.all_reduce, f"cluster_axis {axis} Ring", wide, cluster_axis=axis, topology=RING)
        call(ttnn.mesh_partition, f"dim 3 cluster_axis {axis}", wide, 3, cluster_axis=axis)
        call(
            ttnn.mesh_partition,
            f"dim 2 cluster_axis {axis}, L1",
            put([1, 1, 32 * (COLS if axis == 1 else ROWS), 256], replicate()),
            2,
            axis,
            memory_config=L1,
        )
        call(ttnn.all_broadcast, f"cluster_axis {axis}", x, cluster_axis=axis, num_links=1, topology=LINEAR)
        call(
            ttnn.broadcast,
            f"from (0, 0) over cluster_axis {axis}",
            x,
            ttnn.MeshCoordinate(0, 0),
            cluster_axis=axis,
            topology=LINEAR,
            num_links=1,
        )
    axis = axes()[0]
    call(
        ttnn.all_gather,
        f"width-sharded L1 in/out, cluster_axis {axis}",
        xs,
        3 if axis == 1 else 2,
        cluster_axis=axis,
        memory_config=sharded(WIDTH, cores((0, 0, 7, 0)), [32, 32 * (COLS if axis == 1 else 1)]),
    )
    call(
        ttnn.all_gather,
        "width-sharded L1 in, DRAM out",
        xs,
        3 if axis == 1 else 2,
        cluster_axis=axis,
        memory_config=DRAM,
    )
    if ROWS == 1:
        call(ttnn.all_gather, "one-row mesh, no cluster_axis", x, 3, num_links=1, topology=LINEAR)
        call(ttnn.reduce_scatter, "one-row mesh, no cluster_axis", wide, 3)
        call(ttnn.all_reduce, "one-row mesh, no cluster_axis", wide)
        call(ttnn.mesh_partition, "one-row mesh, no cluster_axis", wide, 3)
    out = put([1, 1, 32, 256 * COLS], shard2d(-2, None), desc="preallocated all_gather output")
    call(ttnn.all_gather, "into output_tensor", x, 3, cluster_axis=1 if COLS > 1 else 0, output_tensor=out)


def moe_all_to_all() -> None:
    """gpt-oss / deepseek expert parallelism: tokens dispatched to expert devices along one axis, then combined."""
    axis = axes()[0]
    span = COLS if axis == 1 else ROWS
    devices, experts, k, hidden, batch, seq = ndev(), 2 * ndev(), 2, 256, 2, 1
    tok_dims = (None, 0) if axis == 1 else (0, None)
    tokens = put([batch, 1, seq, hidden], shard2d(*tok_dims), layout=RM, desc="tokens, batch over the EP axis")
    idx_np = RNG.integers(0, experts, size=(batch * span, 1, seq, k)).astype(np.int32)
    idx_dist = shard2d(*tok_dims)
    indices = call(
        ttnn.to_device,
        "expert indices uint16 ROW_MAJOR",
        ttnn.Tensor(idx_np, U16, None, RM, mesh_mapper=idx_dist[0]),
        MESH,
        memory_config=DRAM,
    )
    mapping_np = np.zeros((1, 1, experts, devices), dtype=np.int32)
    mapping_np[0, 0, np.arange(experts), np.arange(experts) % devices] = 1
    mapping = call(
        ttnn.to_device,
        "expert -> device one-hot mapping, replicated",
        ttnn.Tensor(mapping_np, U16, None, RM, mesh_mapper=shard2d(None, None)[0]),
        MESH,
        memory_config=DRAM,
    )
    result = call(
        ttnn.all_to_all_dispatch,
        f"cluster_axis {axis}",
        tokens,
        indices,
        mapping,
        cluster_axis=axis,
        num_links=1,
        topology=LINEAR,
        memory_config=DRAM,
    )
    if result is None:
        return
    dispatched, metadata = result
    per_device = experts // devices
    contrib = call(ttnn.repeat, "expert contributions", dispatched, ttnn.Shape([per_device, 1, 1, 1]))
    if contrib is not None:
        call(
            ttnn.all_to_all_combine,
            f"cluster_axis {axis}",
            contrib,
            metadata,
            mapping,
            cluster_axis=axis,
            num_links=1,
            topology=LINEAR,
            memory_config=DRAM,
        )
        call(
            ttnn.all_to_all_combine,
            f"local_reduce=False cluster_axis {axis}, output_shard_dim 1",
            contrib,
            metadata,
            mapping,
            local_reduce=False,
            output_shard_dim=1,
            cluster_axis=axis,
        )


def async_ccls() -> None:
    x = put([1, 1, 32, 256], shard2d(-2, -1), desc="[Shard(-2), Shard(-1)]")
    wide = put([1, 1, 32, 1024], shard2d(None, None), desc="partials to reduce")
    ag = ttnn.experimental.all_gather_async
    for axis in axes():
        dim = 3 if axis == 1 else 2
        span = COLS if axis == 1 else ROWS
        call(
            ag,
            f"persistent_output_buffer=None cluster_axis {axis}",
            x,
            None,
            dim,
            sems(2),
            cluster_axis=axis,
            num_links=1,
            topology=LINEAR,
        )
        call(
            ag,
            f"keywords, barrier_semaphore, L1 cluster_axis {axis}",
            x,
            persistent_output_buffer=None,
            dim=dim,
            multi_device_global_semaphore=sems(2),
            cluster_axis=axis,
            num_links=1,
            topology=LINEAR,
            memory_config=L1,
            barrier_semaphore=sems(1)[0],
            chunks_per_sync=10,
            num_workers_per_link=2,
            num_buffers_per_channel=2,
        )
        gathered = [1, 1, 32, 256 * span] if axis == 1 else [1, 1, 32 * span, 256]
        buf = put(gathered, shard2d(-2, None) if axis == 1 else shard2d(None, -1), desc="persistent gather output")
        call(
            ag,
            f"persistent output buffer cluster_axis {axis}",
            x,
            buf,
            dim,
            sems(2),
            cluster_axis=axis,
            num_links=1,
            topology=LINEAR,
        )
        call(
            ag,
            f"cluster_axis + mesh_device, barrier cluster_axis {axis}",
            x,
            dim,
            axis,
            MESH,
            LINEAR,
            sems(2),
            num_links=1,
            barrier_semaphore=sems(1)[0],
            memory_config=DRAM,
        )
        call(
            ag,
            f"cluster_axis + mesh_device, persistent_output_tensor {axis}",
            x,
            dim,
            axis,
            MESH,
            LINEAR,
            sems(2),
            persistent_output_tensor=buf,
            num_links=1,
        )
        call(ag, f"cluster_axis + mesh_device, Ring {axis}", x, dim, axis, MESH, RING, sems(2), num_links=1)

        rs = ttnn.experimental.reduce_scatter_minimal_async
        call(rs, f"dim 3 cluster_axis {axis}", wide, None, 3, sems(3), cluster_axis=axis, num_links=1, topology=LINEAR)
        call(
            rs,
            f"barrier_semaphore, L1 out, DRAM intermediate {axis}",
            wide,
            persistent_output_buffers=None,
            dim=3,
            multi_device_global_semaphore=sems(3),
            barrier_semaphore=sems(1)[0],
            cluster_axis=axis,
            num_links=1,
            memory_config=L1,
            intermediate_memory_config=DRAM,
            topology=LINEAR,
            chunks_per_sync=10,
            num_workers_per_link=2,
            num_buffers_per_channel=2,
        )
        call(
            rs,
            f"Ring, HiFi2 {axis}",
            wide,
            None,
            3,
            sems(3),
            cluster_axis=axis,
            topology=RING,
            compute_kernel_config=hifi2(),
        )
        # Linear: the intermediate has the input's shape (create_intermediate_buffer is for the Ring fast path)
        inter = put([1, 1, 32, 1024], shard2d(None, None), desc="reduce_scatter intermediate")
        rs_out = put([1, 1, 32, 1024 // span], shard2d(None, None), desc="reduce_scatter output")
        call(
            rs,
            f"persistent intermediate + output buffers {axis}",
            wide,
            [inter, rs_out],
            3,
            sems(3),
            cluster_axis=axis,
            num_links=1,
            topology=LINEAR,
        )

        ar = ttnn.experimental.all_reduce_async
        call(
            ar,
            f"cluster_axis + mesh_device {axis}",
            wide,
            axis,
            MESH,
            sems(2),
            sems(3),
            sems(2),
            SUM,
            num_links=1,
            topology=LINEAR,
            memory_config=DRAM,
        )
        call(
            ar,
            f"keywords, L1 {axis}",
            wide,
            cluster_axis=axis,
            mesh_device=MESH,
            barrier_semaphores=sems(2),
            rs_global_semaphores=sems(3),
            ag_global_semaphores=sems(2),
            math_op=SUM,
            memory_config=L1,
            topology=LINEAR,
            num_links=1,
        )
        call(ar, f"cluster_axis + mesh_device, no semaphores {axis}", wide, axis, MESH, math_op=SUM)
        # llama galaxy decode: width-sharded partials and a persistent sharded buffer, one semaphore
        ws_in = sharded(WIDTH, cores((0, 0, 7, 0)), [32, 32])
        partials = put([1, 1, 32, 256], shard2d(0, 1), mc=ws_in, desc="width-sharded partials")
        ws_buf = sharded(WIDTH, cores((0, 0, 7, 0)), [32, 32 * span])
        buffer = put([1, 1, 32, 256 * span], shard2d(0, 1), mc=ws_buf, desc="all_reduce persistent buffer")
        call(
            ar,
            f"persistent buffer + one semaphore, width-sharded {axis}",
            partials,
            buffer,
            axis,
            MESH,
            sems(1)[0],
            dtype=BF16,
            memory_config=ws_in,
            topology=LINEAR,
            num_links=1,
        )
    if ROWS == 1:
        one_row_async(x, wide)


def one_row_async(x: Any, wide: Any) -> None:
    """The overloads without cluster_axis: a one-row mesh, a submesh, or a 2D fabric."""
    ag = ttnn.experimental.all_gather_async
    call(ag, "no cluster_axis, Linear", x, 3, sems(2), num_links=1, topology=LINEAR)
    call(
        ag,
        "no cluster_axis, barrier_semaphore, L1",
        x,
        3,
        sems(2),
        num_links=1,
        topology=LINEAR,
        barrier_semaphore=sems(1)[0],
        memory_config=L1,
    )
    call(
        ttnn.experimental.all_reduce_async,
        "num_devices overload",
        wide,
        ndev(),
        sems(2),
        sems(3),
        sems(2),
        SUM,
        num_links=1,
        topology=LINEAR,
        memory_config=DRAM,
    )
    call(
        ttnn.experimental.reduce_scatter_minimal_async,
        "no cluster_axis",
        wide,
        None,
        3,
        sems(3),
        num_links=1,
        topology=LINEAR,
    )


def fused_ccls() -> None:
    """all_gather + matmul fused: the gather runs over every device, Ring only, with a program config."""
    n = ndev()
    x = put([1, 1, 32, 128], shard(-1), desc="attention output fractured over all devices")
    w = put([1, 1, 128 * n, 128], replicate(), BF8, desc="wo, replicated K")
    pc = ttnn.MatmulMultiCoreReuseMultiCastProgramConfig(
        compute_with_storage_grid_size=ttnn.CoreCoord(4, 4),
        in0_block_w=4,
        out_subblock_h=1,
        out_subblock_w=1,
        per_core_M=1,
        per_core_N=1,
        transpose_mcast=False,
        fused_activation=None,
        fuse_batch=False,
    )
    agmm = ttnn.experimental.all_gather_matmul_async
    call(
        agmm,
        "Ring, 2D program config",
        x,
        w,
        None,
        3,
        sems(2),
        ttnn.CoreCoord(0, 4),
        num_links=1,
        topology=RING,
        program_config=pc,
        memory_config_ag=DRAM,
        memory_config_mm=DRAM,
    )
    call(
        agmm,
        "Ring, barrier, HiFi2, bf8_b out",
        x,
        w,
        persistent_output_buffer=None,
        dim=3,
        multi_device_global_semaphore=sems(2),
        all_gather_core_grid_offset=ttnn.CoreCoord(0, 4),
        barrier_semaphore=sems(1)[0],
        num_links=1,
        topology=RING,
        program_config=pc,
        compute_kernel_config=hifi2(),
        dtype=BF8,
        chunks_per_sync=10,
        num_workers_per_link=2,
        num_buffers_per_channel=2,
    )


def ring_ccls() -> None:
    """Ring-only paths on a one-row ring mesh."""
    x = put([1, 1, 32, 256], shard(-1), desc="Shard(-1) over the ring")
    wide = put([1, 1, 32, 64 * ndev()], replicate(), desc="partials to reduce")
    call(ttnn.all_gather, "Ring, no cluster_axis", x, 3, topology=RING, num_links=1)
    call(ttnn.all_gather, "Ring, cluster_axis 1, L1", x, 3, cluster_axis=1, topology=RING, memory_config=L1)
    call(ttnn.reduce_scatter, "Ring", wide, 3, topology=RING, num_links=1)
    call(ttnn.all_reduce, "Ring", wide, topology=RING, num_links=1)
    ag = ttnn.experimental.all_gather_async
    call(ag, "no cluster_axis, Ring", x, 3, sems(2), num_links=1, topology=RING)
    call(
        ag,
        "no cluster_axis, Ring, barrier_semaphore, L1",
        x,
        3,
        sems(2),
        num_links=1,
        topology=RING,
        barrier_semaphore=sems(1)[0],
        memory_config=L1,
    )
    call(ag, "cluster_axis + mesh_device, Ring", x, 3, 1, MESH, RING, sems(2), num_links=1)
    rs = ttnn.experimental.reduce_scatter_minimal_async
    call(rs, "Ring, no cluster_axis", wide, None, 3, sems(3), num_links=1, topology=RING)
    bufs = call(
        ttnn.experimental.reduce_scatter_minimal_async_create_intermediate_buffer,
        "Ring fast path",
        wide,
        3,
        topology=RING,
    )
    if bufs is not None:
        out = put([1, 1, 32, 64], replicate(), desc="reduce_scatter output")
        call(
            rs,
            "Ring, persistent [intermediate, output, penult intermediate]",
            wide,
            [bufs[0], out, bufs[1]],
            3,
            sems(3),
            num_links=1,
            topology=RING,
            barrier_semaphore=sems(1)[0],
        )
    call(
        ttnn.experimental.all_reduce_async,
        "num_devices overload, Ring",
        wide,
        ndev(),
        sems(2),
        sems(3),
        sems(2),
        SUM,
        num_links=1,
        topology=RING,
    )


def no_axis_ccls() -> None:
    """Collectives without cluster_axis over the whole mesh: need a 2D fabric on a 2D mesh."""
    x = put([1, 1, 32, 256], shard(-1), desc="Shard(-1) over all devices")
    wide = put([1, 1, 32, 256 * ndev()], replicate(), desc="partials to reduce")
    call(ttnn.all_gather, "no cluster_axis", x, 3)
    call(ttnn.all_gather, "no cluster_axis, Ring", x, 3, topology=RING, num_links=1)
    call(ttnn.reduce_scatter, "no cluster_axis", wide, 3)
    call(ttnn.all_reduce, "no cluster_axis", wide)
    ag = ttnn.experimental.all_gather_async
    call(ag, "no cluster_axis, Linear", x, 3, sems(2), num_links=1, topology=LINEAR)
    call(
        ag,
        "no cluster_axis, Ring, barrier_semaphore",
        x,
        3,
        sems(2),
        num_links=1,
        topology=RING,
        barrier_semaphore=sems(1)[0],
    )
    call(
        ttnn.experimental.all_reduce_async,
        "num_devices overload",
        wide,
        ndev(),
        sems(2),
        sems(3),
        sems(2),
        SUM,
        num_links=1,
        topology=LINEAR,
    )
    call(ttnn.experimental.reduce_scatter_minimal_async, "no cluster_axis, Ring", wide, None, 3, sems(3), topology=RING)
    y = put([1, 1, 32, 256], shard2d(-2, -1))
    call(ag, "cluster_axis 1", y, None, 3, sems(2), cluster_axis=1, topology=LINEAR)


def submesh_ops() -> None:
    """Data-parallel replicas: the same tensor-parallel calls on one 1xCOLS submesh."""
    x = put([1, 1, 32, 1024], replicate(), desc="decode activations")
    w = put([1, 1, 1024, 256], shard(-1), BF8, desc="column-parallel weight")
    h = call(ttnn.linear, "column-parallel", x, w)
    if h is not None:
        call(ttnn.all_gather, "column-parallel output", h, 3, num_links=1, topology=LINEAR)
    one_row_async(put([1, 1, 32, 256], shard(-1)), put([1, 1, 32, 1024], replicate()))


Section = Callable[[], None]
SECTIONS: list[Section] = [distribution, eltwise, norms, embedding, matmuls, attention, sync_ccls, moe_all_to_all]
SECTIONS += [async_ccls]
SECOND: list[Section] = [no_axis_ccls, fused_ccls, moe_all_to_all]  # 2D mesh, FABRIC_2D
RING_SECTIONS: list[Section] = [ring_ccls, fused_ccls]  # 1xN, FABRIC_1D_RING


def run_sections(sections: list[Callable[[], None]]) -> None:
    for section in sections:
        try:
            section()
        except Exception as exc:  # a setup step outside call(): note it, go on with the next section
            frames = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.name == section.__name__]
            where = f"setup at line {frames[-1]}" if frames else "setup"
            CALLS.append((f"<section {section.__name__}>", f"{PHASE}: {where}", "error: " + error_line(exc)))


def phase(label: str, fabric: Any, rows: int, cols: int, sections: list[Callable[[], None]], sub: bool) -> None:
    global MESH, ROWS, COLS, PHASE
    ttnn.set_fabric_config(fabric)
    parent = ttnn.open_mesh_device(ttnn.MeshShape(rows, cols))
    try:
        if sub:  # a submesh must run and close before its parent runs anything
            submeshes = parent.create_submeshes(ttnn.MeshShape(1, cols))
            MESH, (ROWS, COLS), PHASE = submeshes[0], (1, cols), f"{label} submesh 1x{cols}"
            try:
                ttnn.operation_tracer.enable_tracing(True)
                run_sections(sections)
            finally:
                ttnn.operation_tracer.enable_tracing(False)
                for submesh in submeshes:
                    ttnn.close_mesh_device(submesh)
        else:
            MESH, (ROWS, COLS), PHASE = parent, (rows, cols), label
            try:
                ttnn.operation_tracer.enable_tracing(True)
                run_sections(sections)
            finally:
                ttnn.operation_tracer.enable_tracing(False)
    finally:
        ttnn.close_mesh_device(parent)
        ttnn.set_fabric_config(ttnn.FabricConfig.DISABLED)


def main() -> int:
    if len(sys.argv) != 3 or "x" not in sys.argv[1]:
        print(__doc__)
        return 2
    rows, cols = (int(v) for v in sys.argv[1].split("x"))
    out = Path(sys.argv[2]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    os.environ["TTNN_OPERATION_TRACE_DIR"] = str(out / "operation_parameters")
    ttnn.CONFIG.root_report_path = str(out / "reports")
    one_d = ttnn.FabricConfig.FABRIC_1D
    if rows > 1:
        phase("FABRIC_1D", one_d, rows, cols, [submesh_ops], sub=True)
    phase("FABRIC_1D", one_d, rows, cols, SECTIONS, sub=False)
    if rows > 1:
        phase("FABRIC_2D", ttnn.FabricConfig.FABRIC_2D, rows, cols, SECOND, sub=False)
    # the same chips as one 1xN ring (T3K opened 1x8, as tt-transformers does): Ring-only and fused CCLs
    phase(f"FABRIC_1D_RING 1x{rows * cols}", ttnn.FabricConfig.FABRIC_1D_RING, 1, rows * cols, RING_SECTIONS, sub=False)
    with open(out / "calls.tsv", "w", encoding="utf-8") as f:
        f.write("op\tdescription\tstatus\n")
        f.writelines(f"{op}\t{desc}\t{status}\n" for op, desc, status in CALLS)
    ok = [op for op, _, status in CALLS if status == "ok"]
    print(f"attempted {len(CALLS)} calls, {len(ok)} succeeded, {len(set(ok))} distinct ops succeeded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
