"""Record a wide, real TT-NN operation trace: ttnn 0.81.1 on one mock device, its own per-call tracer on.

Calls well over a hundred distinct ttnn ops the way LLM, vision and diffusion models call them (eltwise,
reductions, data movement, matmul program configs, norms, attention, conv/pool, creation) across DRAM/L1,
interleaved and height/width/block-sharded memory, ROW_MAJOR/TILE and several dtypes. ttnn writes one JSON
file per successful call into OUT_DIR/operation_parameters/; OUT_DIR/calls.tsv lists every attempted call
(op, description, ok or the error's first line). Numpy seed and call order are fixed. Without torch installed
(the usual mock venv), the tracer's `import torch` gets an empty stand-in module.

Run it with the real-ttnn interpreter from a scratch working directory (ttnn writes ./generated/ there):

    TT_METAL_MOCK_CLUSTER_DESC_PATH=.../mock_cluster/wormhole_N150.yaml TT_LOGGER_LEVEL=error \
        python tools/trace_wide.py OUT_DIR

`bash tools/record_wide.sh PYTHON [n150|p150|all]` re-records tests/fixtures/wide/<arch>/ this way.
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

BF16, BF8, F32 = ttnn.bfloat16, ttnn.bfloat8_b, ttnn.float32
U32, I32, U16 = ttnn.uint32, ttnn.int32, ttnn.uint16
TILE, RM = ttnn.TILE_LAYOUT, ttnn.ROW_MAJOR_LAYOUT
DRAM, L1 = ttnn.DRAM_MEMORY_CONFIG, ttnn.L1_MEMORY_CONFIG
HEIGHT = ttnn.TensorMemoryLayout.HEIGHT_SHARDED
WIDTH = ttnn.TensorMemoryLayout.WIDTH_SHARDED
BLOCK = ttnn.TensorMemoryLayout.BLOCK_SHARDED
ROW = ttnn.ShardOrientation.ROW_MAJOR
UOP = ttnn.UnaryOpType

RNG = np.random.default_rng(0)
CALLS: list[tuple[str, str, str]] = []
DEV: Any = None


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
    try:
        out = op(*args, **kwargs)
    except Exception as exc:
        CALLS.append((op_name(op), desc, "error: " + error_line(exc)))
        return None
    CALLS.append((op_name(op), desc, "ok"))
    return out


def values(shape: list[int], low: float = -1.0, high: float = 1.0, ints: bool = False) -> np.ndarray:
    if ints:
        return RNG.integers(int(low), int(high), size=shape).astype(np.int32)
    return RNG.uniform(low, high, size=shape).astype(np.float32)


def host(shape: list[int], dtype: Any = BF16, layout: Any = TILE, **kw: Any) -> Any:
    return ttnn.Tensor(values(shape, **kw), dtype, None, layout)


def dev(shape: list[int], dtype: Any = BF16, layout: Any = TILE, mc: Any = DRAM, **kw: Any) -> Any:
    return ttnn.to_device(host(shape, dtype, layout, **kw), DEV, mc)


def from_np(data: np.ndarray, dtype: Any, layout: Any = RM, mc: Any = DRAM) -> Any:
    return ttnn.to_device(ttnn.Tensor(data, dtype, None, layout), DEV, mc)


def cores(*ranges: tuple[int, int, int, int]) -> Any:
    """CoreRangeSet of inclusive (x0, y0, x1, y1) rectangles."""
    return ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(a, b), ttnn.CoreCoord(c, d)) for a, b, c, d in ranges])


def sharded(layout: Any, grid: Any, shard: list[int], orientation: Any = ROW, buffer: Any = ttnn.BufferType.L1) -> Any:
    return ttnn.MemoryConfig(layout, buffer, ttnn.ShardSpec(grid, shard, orientation))


def kernel_config(fidelity: Any = ttnn.MathFidelity.HiFi2, **kw: Any) -> Any:
    return ttnn.WormholeComputeKernelConfig(math_fidelity=fidelity, **kw)


def grid_size(x: int, y: int) -> Any:
    return ttnn.CoreCoord(x, y)


# ---------------------------------------------------------------------------------------------- sections


def eltwise_unary() -> None:
    x = dev([1, 1, 128, 4096])  # an LLM MLP activation
    xl1 = dev([1, 1, 256, 1024], mc=L1)
    pos = dev([1, 1, 128, 1024], low=0.1, high=4.0)
    unit = dev([1, 1, 64, 1024], low=0.05, high=0.95)
    f32 = dev([1, 1, 64, 1024], F32)
    bf8 = dev([1, 1, 128, 1024], BF8)
    rm = dev([1, 1, 32, 1024], layout=RM)
    hs_mc = sharded(HEIGHT, cores((0, 0, 7, 3)), [32, 128])
    hs = dev([1, 1, 1024, 128], mc=hs_mc)
    ws = dev([1, 1, 32, 2048], mc=sharded(WIDTH, cores((0, 0, 7, 1)), [32, 128]))
    bs = dev([1, 1, 256, 512], mc=sharded(BLOCK, cores((0, 0, 7, 7)), [32, 64]))
    cs = dev(
        [1, 1, 256, 512],
        mc=ttnn.create_sharded_memory_config([1, 1, 256, 512], ttnn.CoreGrid(x=8, y=1), ttnn.ShardStrategy.HEIGHT),
    )
    ints = dev([1, 1, 32, 1024], I32, low=-100, high=100, ints=True)

    call(ttnn.relu, "bf16 DRAM", x)
    call(ttnn.relu, "L1 interleaved to L1 out", xl1, memory_config=L1)
    call(ttnn.relu, "ROW_MAJOR", rm)
    call(ttnn.relu, "height-sharded", hs)
    call(ttnn.relu, "block-sharded", bs)
    call(ttnn.relu, "create_sharded_memory_config height", cs)
    call(ttnn.relu6, "bf16", x)
    call(ttnn.gelu, "default (accurate)", x)
    call(ttnn.gelu, "fast_and_approximate_mode", x, fast_and_approximate_mode=True)
    call(ttnn.gelu, "bfloat8_b", bf8)
    call(ttnn.gelu, "width-sharded", ws)
    call(ttnn.silu, "bf16", x)
    call(ttnn.silu, "width-sharded", ws)
    call(ttnn.silu, "float32", f32)
    call(ttnn.exp, "default", x)
    call(ttnn.exp, "fast_and_approximate_mode", xl1, fast_and_approximate_mode=True)
    call(ttnn.exp, "float32", f32)
    call(ttnn.log, "positive", pos)
    call(ttnn.log1p, "positive", pos)
    call(ttnn.log2, "positive", pos)
    call(ttnn.log10, "positive", pos)
    call(ttnn.sqrt, "positive", pos)
    call(ttnn.rsqrt, "positive", pos)
    call(ttnn.rsqrt, "float32", f32)
    call(ttnn.tanh, "bf16", x)
    call(ttnn.tanh, "height-sharded", hs)
    call(ttnn.sigmoid, "default", x)
    call(ttnn.sigmoid, "mode=FastApproximate", x, mode=ttnn.SigmoidMode.FastApproximate)
    call(ttnn.sigmoid_accurate, "bf16", xl1)
    call(ttnn.neg, "bf16", x)
    call(ttnn.abs, "bf16", x)
    call(ttnn.abs, "int32", ints)
    call(ttnn.reciprocal, "positive", pos)
    call(ttnn.square, "bf16", x)
    call(ttnn.softplus, "beta/threshold", x, beta=1.0, threshold=20.0)
    call(ttnn.clamp, "scalar min/max", x, min=-0.5, max=0.5)
    call(ttnn.clamp, "scalar positional", xl1, -6.0, 6.0, memory_config=L1)
    call(ttnn.clip, "scalar", x, -1.0, 1.0)
    call(ttnn.leaky_relu, "negative_slope", x, 0.01)
    call(ttnn.leaky_relu, "height-sharded", hs, negative_slope=0.2)
    call(ttnn.elu, "alpha", x, alpha=1.0)
    call(ttnn.celu, "alpha", x, alpha=0.5)
    call(ttnn.selu, "default", x)
    call(ttnn.erf, "bf16", x)
    call(ttnn.erfc, "bf16", x)
    call(ttnn.erfinv, "in (0,1)", unit)
    call(ttnn.cos, "bf16", x)
    call(ttnn.sin, "bf16", x)
    call(ttnn.tan, "bf16", unit)
    call(ttnn.atan, "bf16", x)
    call(ttnn.asin, "in (0,1)", unit)
    call(ttnn.acos, "in (0,1)", unit)
    call(ttnn.sinh, "bf16", x)
    call(ttnn.cosh, "bf16", x)
    call(ttnn.floor, "bf16", x)
    call(ttnn.ceil, "bf16", x)
    call(ttnn.floor, "float32", f32)
    call(ttnn.round, "decimals=2", x, decimals=2)
    call(ttnn.trunc, "bf16", x)
    call(ttnn.frac, "bf16", x)
    call(ttnn.sign, "bf16", x)
    call(ttnn.signbit, "bf16", x)
    call(ttnn.mish, "bf16", x)
    call(ttnn.hardswish, "bf16", x)
    call(ttnn.hardsigmoid, "bf16", x)
    call(ttnn.hardtanh, "min_val/max_val", x, min_val=-1.0, max_val=1.0)
    call(ttnn.softsign, "bf16", x)
    call(ttnn.tanhshrink, "bf16", x)
    call(ttnn.softshrink, "lambd", x, lambd=0.5)
    call(ttnn.hardshrink, "lambd", x, lambd=0.5)
    call(ttnn.threshold, "threshold/value", x, 0.5, 0.0)
    call(ttnn.logical_not, "bf16", x)
    call(ttnn.isfinite, "bf16", x)
    call(ttnn.isnan, "bf16", x)
    call(ttnn.isinf, "bf16", x)
    call(ttnn.exp2, "bf16", x)
    call(ttnn.expm1, "bf16", x)
    call(ttnn.relu_max, "upper_limit", x, 6.0)
    call(ttnn.relu_min, "lower_limit", x, 0.0)
    call(ttnn.identity, "bf16", x)
    call(ttnn.cbrt, "bf16", pos)
    call(ttnn.heaviside, "value", x, 0.5)
    call(ttnn.logit, "eps", unit, eps=1e-6)
    call(ttnn.rpow, "base 2", x, 2.0)
    call(ttnn.rdiv, "1/x", pos, 1.0)
    call(ttnn.polyval, "coeffs", x, [1.0, 2.0, 3.0])
    call(ttnn.prelu, "scalar weight", x, 0.25)
    call(ttnn.swish, "bf16", x)
    call(ttnn.log_sigmoid, "bf16", x)
    call(ttnn.deg2rad, "bf16", x)
    call(ttnn.rad2deg, "bf16", x)
    call(ttnn.gez, "bf16", x)
    call(ttnn.ltz, "bf16", x)
    call(ttnn.eqz, "bf16", x)
    if DEV.arch() == ttnn.device.Arch.BLACKHOLE:  # SOFTCAP is implemented for Blackhole only
        call(ttnn.softcap, "beta", x, 30.0)
    call(ttnn.bitwise_not, "int32", ints)
    call(ttnn.unary_chain, "relu then exp", x, [ttnn.UnaryWithParam(UOP.RELU), ttnn.UnaryWithParam(UOP.EXP)])


def eltwise_binary() -> None:
    a = dev([1, 1, 128, 4096])
    b = dev([1, 1, 128, 4096])
    row = dev([1, 1, 1, 4096])
    col = dev([1, 1, 128, 1])
    batched = dev([8, 1, 128, 128])
    one = dev([1, 1, 128, 128])
    a8 = dev([1, 1, 128, 4096], BF8)
    f32 = dev([1, 1, 64, 1024], F32)
    f32b = dev([1, 1, 64, 1024], F32)
    hs_mc = sharded(HEIGHT, cores((0, 0, 7, 0)), [32, 64])
    ha = dev([1, 1, 256, 64], mc=hs_mc)
    hb = dev([1, 1, 256, 64], mc=hs_mc)
    # a width-sharded tensor on a two-range grid, as real traces have
    ws_mc = sharded(WIDTH, cores((0, 0, 3, 0), (0, 1, 3, 1)), [32, 64])
    wa = dev([1, 1, 32, 512], mc=ws_mc)
    wb = dev([1, 1, 32, 512], mc=ws_mc)
    pos = dev([1, 1, 128, 4096], low=0.5, high=4.0)
    ia = dev([1, 1, 32, 1024], I32, low=1, high=1000, ints=True)
    ib = dev([1, 1, 32, 1024], I32, low=1, high=1000, ints=True)
    ua = dev([1, 1, 32, 1024], U32, low=0, high=1000, ints=True)
    ub = dev([1, 1, 32, 1024], U32, low=0, high=1000, ints=True)
    relu = ttnn.UnaryWithParam(UOP.RELU)

    call(ttnn.add, "tensor-tensor", a, b)
    call(ttnn.add, "broadcast row (bias)", a, row)
    call(ttnn.add, "broadcast batch", batched, one)
    call(ttnn.add, "tensor-scalar", a, 1.0)
    call(ttnn.add, "output L1", a, b, memory_config=L1)
    call(ttnn.add, "dtype=bfloat8_b", a, b, dtype=BF8)
    call(ttnn.add, "bfloat8_b + bf16", a8, b)
    call(ttnn.add, "fused relu", a, b, activations=[relu])
    call(ttnn.add, "height-sharded in/out", ha, hb, memory_config=hs_mc)
    call(ttnn.add, "width-sharded 2-range grid", wa, wb)
    call(ttnn.add, "float32", f32, f32b)
    call(ttnn.add, "int32", ia, ib)
    call(ttnn.add_, "in place", a, b)
    call(ttnn.subtract, "tensor-tensor", a, b)
    call(ttnn.subtract, "tensor-scalar", a, 0.5)
    call(ttnn.subtract, "broadcast col", a, col)
    call(ttnn.subtract_, "in place", a, b)
    call(ttnn.multiply, "tensor-tensor", a, b)
    call(ttnn.multiply, "broadcast col", a, col)
    call(ttnn.multiply, "tensor-scalar", a, 0.125)
    call(
        ttnn.multiply,
        "SwiGLU: silu(a) * b, bf8 out",
        a,
        b,
        input_tensor_a_activations=[ttnn.UnaryWithParam(UOP.SILU)],
        dtype=BF8,
    )
    call(ttnn.multiply, "height-sharded", ha, hb, memory_config=hs_mc)
    call(ttnn.multiply, "uint32", ua, ub)
    call(ttnn.multiply_, "in place scalar", a, 2.0)
    call(ttnn.divide, "tensor-tensor", a, pos)
    call(ttnn.divide, "tensor-scalar", a, 8.0)
    call(ttnn.div, "rounding_mode floor", a, pos, rounding_mode="floor")
    call(ttnn.div_no_nan, "tensor-tensor", a, b)
    call(ttnn.maximum, "tensor-tensor", a, b)
    call(ttnn.maximum, "tensor-scalar", a, 0.0)
    call(ttnn.minimum, "tensor-tensor", a, b)
    call(ttnn.minimum, "tensor-scalar", a, 1.0)
    call(ttnn.pow, "int exponent", a, 2)
    call(ttnn.pow, "float exponent", pos, 0.5)
    call(ttnn.pow, "tensor exponent", pos, b)
    call(ttnn.eq, "tensor-tensor", a, b)
    call(ttnn.eq, "tensor-scalar", a, 0.0)
    call(ttnn.ne, "tensor-tensor", a, b)
    call(ttnn.gt, "tensor-scalar", a, 0.0)
    call(ttnn.gt, "tensor-tensor dtype=bf16", a, b, dtype=BF16)
    call(ttnn.lt, "tensor-tensor", a, b)
    call(ttnn.ge, "tensor-tensor", a, b)
    call(ttnn.le, "tensor-scalar", a, 0.5)
    call(ttnn.logical_and, "tensor-tensor", a, b)
    call(ttnn.logical_or, "tensor-tensor", a, b)
    call(ttnn.logical_xor, "tensor-tensor", a, b)
    call(ttnn.bitwise_and, "int32 tensor-tensor", ia, ib)
    call(ttnn.bitwise_and, "int32 tensor-scalar", ia, 255)
    call(ttnn.bitwise_or, "int32 tensor-tensor", ia, ib)
    call(
        ttnn.bitwise_and,
        "uint16 tensor-tensor",
        dev([1, 1, 32, 1024], U16, low=0, high=1000, ints=True),
        dev([1, 1, 32, 1024], U16, low=0, high=1000, ints=True),
    )
    call(ttnn.bitwise_xor, "int32 tensor-scalar", ia, 7)
    call(ttnn.bitwise_left_shift, "int32 by 2", ia, 2)
    call(ttnn.bitwise_right_shift, "int32 by 1", ia, 1)
    call(ttnn.rsub, "1 - x", a, 1.0)
    call(ttnn.squared_difference, "tensor-tensor", a, b)
    call(ttnn.atan2, "tensor-tensor", a, b)
    call(ttnn.hypot, "tensor-tensor", a, b)
    call(ttnn.remainder, "tensor-scalar", a, 0.5)
    call(ttnn.fmod, "tensor-scalar", a, 0.5)
    call(ttnn.floor_div, "tensor-scalar", a, 0.25)
    call(ttnn.logaddexp, "tensor-tensor", a, b)
    call(ttnn.logaddexp2, "tensor-tensor", a, b)
    call(ttnn.xlogy, "tensor-tensor", pos, pos)
    call(ttnn.ldexp, "tensor-tensor", a, b)
    call(ttnn.addalpha, "alpha", a, b, 0.5)
    call(ttnn.subalpha, "alpha", a, b, 0.5)
    call(ttnn.bias_gelu, "broadcast bias", a, row)
    call(ttnn.isclose, "rtol/atol", a, b, rtol=1e-3, atol=1e-5)
    call(ttnn.gcd, "int32", ia, ib)
    call(ttnn.lcm, "int32", ia, ib)
    call(ttnn.nextafter, "tensor-tensor", f32, f32b)
    call(ttnn.prelu, "per-channel weight tensor NCHW", dev([1, 64, 32, 32]), dev([1, 64, 1, 1], low=0.0, high=0.5))


def eltwise_ternary() -> None:
    cond = dev([1, 1, 128, 1024], low=0, high=2, ints=True)
    a = dev([1, 1, 128, 1024])
    b = dev([1, 1, 128, 1024])
    c = dev([1, 1, 128, 1024], low=0.5, high=2.0)
    call(ttnn.where, "tensor/tensor", cond, a, b)
    call(ttnn.where, "scalar/scalar", cond, 1.0, 0.0)
    call(ttnn.where, "tensor/scalar (masking)", cond, a, -1e9)
    call(ttnn.addcmul, "value", a, b, c, value=0.5)
    call(ttnn.addcdiv, "value", a, b, c, value=0.5)
    call(ttnn.lerp, "tensor weight", a, b, c)
    call(ttnn.lerp, "scalar weight", a, b, 0.3)
    call(ttnn.mac, "a*b+c", a, b, c)
    call(ttnn.mac, "a*2+1", a, 2.0, 1.0)


def reductions() -> None:
    x = dev([1, 1, 128, 4096])
    scores = dev([1, 32, 128, 128])
    f32 = dev([1, 1, 64, 1024], F32)
    logits_rm = dev([1, 1, 32, 32000], layout=RM)
    vocab = dev([1, 1, 32, 8192])
    small = dev([1, 1, 32, 256])
    call(ttnn.sum, "dim=-1", x, dim=-1)
    call(ttnn.sum, "dim=-1 keepdim", x, dim=-1, keepdim=True)
    call(ttnn.sum, "all dims", x)
    call(ttnn.sum, "dims [2,3]", scores, dim=[2, 3], keepdim=True)
    call(
        ttnn.sum,
        "dim=1 with compute_kernel_config",
        scores,
        dim=1,
        compute_kernel_config=kernel_config(fp32_dest_acc_en=True),
    )
    call(ttnn.mean, "dim=-1 keepdim", x, dim=-1, keepdim=True)
    call(ttnn.mean, "dim=1", scores, dim=1)
    call(ttnn.mean, "float32 dim=-2", f32, dim=-2)
    call(ttnn.max, "dim=-1 keepdim", x, dim=-1, keepdim=True)
    call(ttnn.max, "all dims", x)
    call(ttnn.min, "dim=-2", x, dim=-2)
    call(ttnn.std, "dim=-1", x, dim=-1)
    call(ttnn.var, "dim=-1 keepdim", x, dim=-1, keepdim=True)
    call(ttnn.argmax, "greedy decode ROW_MAJOR dim=-1", logits_rm, dim=-1)
    call(ttnn.argmax, "keepdim", logits_rm, dim=3, keepdim=True)
    call(ttnn.prod, "dim=-1", small, dim=-1, keepdim=True)
    call(ttnn.prod, "all", small)
    call(ttnn.cumsum, "dim=-1", small, -1)
    call(ttnn.cumsum, "dim=1 to float32", scores, 1, dtype=F32)
    call(ttnn.cumprod, "dim=-1", small, -1)
    call(ttnn.topk, "k=32 dim=-1", vocab, 32, dim=-1, largest=True, sorted=True)
    call(ttnn.topk, "k=8 smallest", small, 8, -1, False, True)
    call(ttnn.sort, "descending", small, -1, True)
    call(ttnn.sort, "ascending dim=-1", vocab, dim=-1)
    call(ttnn.experimental.fast_reduce_nc, "dims [1]", scores, dims=[1], memory_config=DRAM)


def data_movement() -> None:
    x = dev([1, 1, 128, 4096])
    y = dev([1, 1, 128, 4096])
    heads = dev([1, 8, 128, 64])
    rm = dev([1, 1, 128, 1024], layout=RM)
    rm_odd = dev([1, 1, 50, 100], layout=RM)
    tile_pad = dev([1, 1, 64, 128])
    three = dev([1, 128, 4096])
    row = dev([1, 1, 1, 4096])
    lower = dev([1, 1, 256, 256])
    hs_mc = sharded(HEIGHT, cores((0, 0, 7, 3)), [128, 1024])
    hs2_mc = sharded(HEIGHT, cores((0, 0, 7, 7)), [64, 1024])
    ws_mc = sharded(WIDTH, cores((0, 0, 7, 3)), [128, 128])
    bs_mc = ttnn.create_sharded_memory_config([1, 1, 128, 4096], ttnn.CoreGrid(x=8, y=4), ttnn.ShardStrategy.BLOCK)
    src = dev([1, 1, 4096, 1024])

    call(ttnn.slice, "starts/ends lists", x, [0, 0, 0, 0], [1, 1, 64, 2048])
    call(ttnn.slice, "with steps ROW_MAJOR", rm, [0, 0, 0, 0], [1, 1, 128, 1024], [1, 1, 2, 1])
    call(ttnn.slice, "last token of a prefill", x, [0, 0, 127, 0], [1, 1, 128, 4096], memory_config=L1)
    call(ttnn.concat, "two tensors dim=-1", [x, y], dim=-1)
    call(ttnn.concat, "three head tensors dim=1", [heads, heads, heads], dim=1)
    call(ttnn.concat, "ROW_MAJOR dim=2 to L1", [rm, rm], 2, memory_config=L1)
    call(ttnn.pad, "ROW_MAJOR pad rows", rm, [(0, 0), (0, 0), (0, 32), (0, 0)], 0.0)
    call(ttnn.pad, "output_padded_shape", rm_odd, [1, 1, 64, 128], [0, 0, 0, 0], 0.0)
    call(ttnn.pad, "TILE pad channels", x, [(0, 0), (0, 0), (0, 0), (0, 64)], 0.0)
    call(ttnn.repeat, "repeat batch", heads, ttnn.Shape([2, 1, 1, 1]))
    call(ttnn.repeat, "list repeat_dims", row, [1, 1, 32, 1])
    call(ttnn.repeat_interleave, "GQA kv heads x4", heads, 4, 1)
    call(ttnn.reshape, "split hidden into heads", x, (1, 128, 32, 128))
    call(ttnn.reshape, "ttnn.Shape", x, ttnn.Shape([1, 1, 512, 1024]))
    call(ttnn.reshape, "ROW_MAJOR", rm, [1, 128, 8, 128])
    call(ttnn.view, "ROW_MAJOR", rm, [1, 2, 64, 1024])
    call(ttnn.view, "TILE last dim kept", x, [1, 2, 64, 4096])
    call(ttnn.permute, "(0,2,1,3)", heads, (0, 2, 1, 3))
    call(ttnn.permute, "NCHW->NHWC", dev([1, 64, 32, 32]), [0, 2, 3, 1])
    call(ttnn.permute, "ROW_MAJOR", rm, (0, 1, 3, 2))
    call(ttnn.transpose, "dims 1,2", heads, 1, 2)
    call(ttnn.transpose, "dims -2,-1", heads, -2, -1)
    call(ttnn.transpose, "to L1", heads, 2, 3, memory_config=L1)
    call(ttnn.squeeze, "dim 0", x, 0)
    call(ttnn.unsqueeze, "dim 0", three, 0)
    call(ttnn.unsqueeze_to_4D, "3d", three)
    call(ttnn.tilize, "bf16", rm)
    call(ttnn.tilize, "to bfloat8_b multicore", rm, dtype=BF8, use_multicore=True)
    call(ttnn.untilize, "bf16", x)
    call(ttnn.untilize, "multicore to L1", x, memory_config=L1, use_multicore=True)
    call(ttnn.tilize_with_val_padding, "pad to tiles", rm_odd, ttnn.Shape([1, 1, 64, 128]), 0.0)
    call(ttnn.tilize_with_zero_padding, "pad to tiles", rm_odd)
    call(ttnn.untilize_with_unpadding, "end is inclusive", tile_pad, ttnn.Shape([1, 1, 49, 99]))
    call(ttnn.to_layout, "TILE->ROW_MAJOR", x, RM)
    call(ttnn.to_layout, "ROW_MAJOR->TILE", rm, TILE)
    call(ttnn.to_layout, "ROW_MAJOR->TILE bfloat8_b L1", rm, TILE, dtype=BF8, memory_config=L1)
    hsx = call(ttnn.interleaved_to_sharded, "height memory config", x, sharded(HEIGHT, cores((0, 0, 3, 0)), [32, 4096]))
    call(ttnn.interleaved_to_sharded, "grid/shape/scheme overload", x, grid_size(8, 4), [128, 128], WIDTH, ROW)
    wsx = call(ttnn.interleaved_to_sharded, "width memory config", x, ws_mc)
    bsx = call(ttnn.interleaved_to_sharded, "block create_sharded_memory_config", x, bs_mc)
    call(ttnn.sharded_to_interleaved, "height to DRAM", hsx, DRAM)
    call(ttnn.sharded_to_interleaved, "width to L1", wsx, L1)
    call(ttnn.sharded_to_interleaved, "block to DRAM bfloat8_b", bsx, DRAM, BF8)
    tall = dev([1, 1, 1024, 1024], mc=hs_mc)
    call(ttnn.reshard, "height 32 cores -> 64 cores", tall, hs2_mc)
    call(ttnn.to_memory_config, "DRAM->height-sharded", x, sharded(HEIGHT, cores((0, 0, 3, 0)), [32, 4096]))
    call(ttnn.to_memory_config, "sharded->DRAM", tall, DRAM)
    call(ttnn.to_memory_config, "DRAM->L1 bfloat8_b", x, L1, BF8)
    call(ttnn.typecast, "bf16->float32", x, F32)
    call(ttnn.typecast, "bf16->uint32", x, U32)
    call(ttnn.typecast, "bf16->int32", x, I32)
    call(ttnn.typecast, "bf16->uint16", x, U16)
    call(ttnn.typecast, "bf16->bfloat8_b", x, BF8)
    f32 = call(ttnn.typecast, "bf16->float32 L1", x, F32, memory_config=L1)
    call(ttnn.typecast, "float32->bf16", f32, BF16)
    call(ttnn.typecast, "input/output dtype overload", x, BF16, F32)
    call(ttnn.typecast, "uint32->bf16", dev([1, 1, 32, 1024], U32, low=0, high=100, ints=True), BF16)
    call(ttnn.experimental.typecast, "bf16->bfloat8_b", x, BF8)
    call(ttnn.to_dtype, "host bf16->float32", host([1, 1, 32, 64], layout=RM), F32)
    call(ttnn.clone, "plain", x)
    call(ttnn.clone, "dtype+memory_config", x, dtype=F32, memory_config=L1)
    call(ttnn.copy, "a into b", x, y)
    call(ttnn.assign, "to L1", x, memory_config=L1)
    call(ttnn.fill, "zero", x, 0.0)
    call(ttnn.fill_implicit_tile_padding, "fill padding", dev([1, 1, 50, 100]), 0.0)
    call(ttnn.split, "equal chunks", x, 1024, -1)
    call(ttnn.split, "sizes", x, [1024, 3072], 3)
    call(ttnn.chunk, "gate/up halves", x, 2, -1)
    call(ttnn.narrow, "rows", x, 2, 0, 64)
    call(ttnn.expand, "row to rows", row, [1, 1, 128, 4096])
    call(ttnn.stack, "dim 0", [three, three], 0)
    call(ttnn.tril, "causal mask", lower)
    call(ttnn.triu, "diagonal=1", lower, diagonal=1)
    call(ttnn.roll, "shift 1 on dim 2", heads, 1, 2)
    call(ttnn.reallocate, "defragment (frees its input)", dev([1, 1, 128, 1024]))
    call(ttnn.move, "to L1 (frees its input)", dev([1, 1, 128, 1024]), memory_config=L1)
    idx = dev([1, 1, 32, 64], U32, layout=TILE, low=0, high=256, ints=True)
    base = dev([1, 1, 32, 256])
    call(ttnn.gather, "dim=-1 uint32 index", base, -1, idx)
    call(ttnn.scatter, "dim=-1", base, -1, idx, dev([1, 1, 32, 64]))
    call(ttnn.experimental.broadcast_to, "row to rows", row, ttnn.Shape([1, 1, 128, 4096]))
    call(ttnn.experimental.view, "tile-aligned", x, [1, 1, 256, 2048])
    call(
        ttnn.experimental.padded_slice,
        "to height-sharded",
        src,
        [0, 0, 0, 0],
        [1, 1, 2048, 1024],
        memory_config=sharded(HEIGHT, cores((0, 0, 7, 7)), [32, 1024]),
    )
    call(ttnn.experimental.rotate_half, "rope helper", heads)
    ids = from_np(RNG.integers(0, 8192, size=(1, 128)).astype(np.uint32), U32)
    ids32 = from_np(RNG.integers(0, 8192, size=(32, 1)).astype(np.uint32), U32)
    table = dev([8192, 1024], layout=RM)
    table_tile = dev([8192, 1024])
    call(ttnn.embedding, "token ids ROW_MAJOR", ids, table)
    call(ttnn.embedding, "TILE out", ids, table, layout=TILE)
    call(ttnn.embedding, "TILE weight bfloat8_b out", ids32, table_tile, layout=TILE, dtype=BF8)
    call(ttnn.embedding, "padding_idx", ids, table, padding_idx=0)


def matmuls() -> None:
    a = dev([1, 1, 128, 4096])
    w = dev([1, 1, 4096, 1024], BF8)
    w16 = dev([1, 1, 4096, 1024])
    bias = dev([1, 1, 1, 1024])
    q = dev([1, 32, 128, 128])
    k = dev([1, 32, 128, 128])
    hifi4 = kernel_config(ttnn.MathFidelity.HiFi4, math_approx_mode=False, fp32_dest_acc_en=True, packer_l1_acc=True)
    lofi = ttnn.init_device_compute_kernel_config(
        DEV.arch(),
        math_fidelity=ttnn.MathFidelity.LoFi,
        math_approx_mode=True,
        fp32_dest_acc_en=False,
        packer_l1_acc=True,
    )
    call(ttnn.matmul, "plain bf16 x bfloat8_b", a, w)
    call(ttnn.matmul, "bf16 x bf16 to L1", a, w16, memory_config=L1)
    call(
        ttnn.matmul,
        "bfloat8_b x bfloat4_b MLP weight",
        dev([1, 1, 128, 4096], BF8),
        dev([1, 1, 4096, 1024], ttnn.bfloat4_b),
        dtype=BF8,
    )
    call(ttnn.matmul, "batched scores QK^T (transpose_b)", q, k, transpose_b=True)
    call(ttnn.matmul, "transpose_a", dev([1, 1, 4096, 128]), w16, transpose_a=True)
    call(ttnn.matmul, "batched [8,..] x shared weight", dev([8, 1, 128, 1024]), dev([1, 1, 1024, 1024]))
    call(ttnn.matmul, "core_grid 8x8", a, w, core_grid=ttnn.CoreGrid(y=8, x=8))
    call(ttnn.matmul, "dtype=bfloat8_b", a, w, dtype=BF8)
    call(ttnn.matmul, "HiFi4 fp32 acc packer_l1_acc", a, w, compute_kernel_config=hifi4)
    call(ttnn.matmul, "init_device_compute_kernel_config LoFi", a, w, compute_kernel_config=lofi)
    call(ttnn.matmul, "activation str", a, w, activation="gelu")
    call(ttnn.linear, "with bias", a, w, bias=bias)
    call(ttnn.linear, "bias + relu activation", a, w, bias=bias, activation="relu")
    call(ttnn.linear, "transpose_b weight", a, dev([1, 1, 1024, 4096]), transpose_b=True)
    call(
        ttnn.linear,
        "UnaryWithParam activation, core_grid",
        a,
        w,
        activation=ttnn.UnaryWithParam(UOP.SILU),
        core_grid=ttnn.CoreGrid(y=4, x=8),
    )
    call(ttnn.addmm, "alpha/beta", dev([1, 1, 128, 1024]), a, w16, alpha=1.0, beta=0.5)

    # Reuse (no mcast): batched attention matmul, one (batch*head) block per core
    attn = dev([1, 8, 384, 64])
    attn_t = dev([1, 8, 64, 384])
    reuse = ttnn.MatmulMultiCoreReuseProgramConfig(
        compute_with_storage_grid_size=grid_size(8, 8),
        in0_block_w=2,
        out_subblock_h=1,
        out_subblock_w=6,
        per_core_M=12,
        per_core_N=12,
    )
    call(ttnn.matmul, "MatmulMultiCoreReuseProgramConfig", attn, attn_t, program_config=reuse)

    # 2D mcast: prefill MLP, interleaved in / out, then block-sharded in / out
    a2 = dev([1, 1, 512, 1024])
    w2 = dev([1, 1, 1024, 4096], BF8)
    mc2d = ttnn.MatmulMultiCoreReuseMultiCastProgramConfig(
        compute_with_storage_grid_size=grid_size(8, 8),
        in0_block_w=4,
        out_subblock_h=1,
        out_subblock_w=4,
        per_core_M=2,
        per_core_N=16,
        transpose_mcast=False,
        fused_activation=None,
    )
    call(
        ttnn.matmul,
        "MatmulMultiCoreReuseMultiCastProgramConfig interleaved",
        a2,
        w2,
        program_config=mc2d,
        compute_kernel_config=hifi4,
    )
    bs_in = sharded(BLOCK, cores((0, 0, 7, 7)), [64, 128])
    bs_out = sharded(BLOCK, cores((0, 0, 7, 7)), [64, 512])
    mc2d_gelu = ttnn.MatmulMultiCoreReuseMultiCastProgramConfig(
        compute_with_storage_grid_size=grid_size(8, 8),
        in0_block_w=4,
        out_subblock_h=1,
        out_subblock_w=8,
        per_core_M=2,
        per_core_N=16,
        transpose_mcast=False,
        fused_activation=ttnn.UnaryWithParam(UOP.GELU, 1.0),
    )
    a2s = dev([1, 1, 512, 1024], mc=bs_in)
    call(
        ttnn.linear,
        "2D mcast block-sharded in/out, fused gelu",
        a2s,
        w2,
        program_config=mc2d_gelu,
        memory_config=bs_out,
        dtype=BF8,
    )

    # 1D mcast_in0=True: decode, width-sharded activations over 32 cores, fused silu
    a1 = dev([1, 1, 32, 4096], mc=sharded(WIDTH, cores((0, 0, 7, 3)), [32, 128]))
    w1 = dev([1, 1, 4096, 1024], BF8)
    mc1d_in0 = ttnn.MatmulMultiCoreReuseMultiCast1DProgramConfig(
        compute_with_storage_grid_size=grid_size(8, 4),
        in0_block_w=4,
        out_subblock_h=1,
        out_subblock_w=1,
        per_core_M=1,
        per_core_N=1,
        fuse_batch=True,
        fused_activation=ttnn.UnaryWithParam(UOP.SILU),
        mcast_in0=True,
    )
    out_ws = sharded(WIDTH, cores((0, 0, 7, 3)), [32, 32])
    call(
        ttnn.matmul,
        "1D mcast_in0=True width-sharded, fused silu",
        a1,
        w1,
        program_config=mc1d_in0,
        memory_config=out_ws,
        compute_kernel_config=lofi,
    )
    mc1d_int = ttnn.MatmulMultiCoreReuseMultiCast1DProgramConfig(
        compute_with_storage_grid_size=grid_size(8, 4),
        in0_block_w=8,
        out_subblock_h=1,
        out_subblock_w=1,
        per_core_M=1,
        per_core_N=1,
        fuse_batch=True,
        fused_activation=None,
        mcast_in0=True,
    )
    call(
        ttnn.linear, "1D mcast_in0=True interleaved in0", dev([1, 1, 32, 4096]), w1, bias=bias, program_config=mc1d_int
    )

    # 1D mcast_in0=False: tall prefill activations, height-sharded over 32 cores, fused gelu
    ah = dev([1, 1, 1024, 512], mc=sharded(HEIGHT, cores((0, 0, 7, 3)), [32, 512]))
    wh = dev([1, 1, 512, 512], BF8)
    mc1d_in1 = ttnn.MatmulMultiCoreReuseMultiCast1DProgramConfig(
        compute_with_storage_grid_size=grid_size(8, 4),
        in0_block_w=4,
        out_subblock_h=1,
        out_subblock_w=8,
        per_core_M=1,
        per_core_N=16,
        fuse_batch=True,
        fused_activation=ttnn.UnaryWithParam(UOP.GELU, 1.0),
        mcast_in0=False,
    )
    out_hs = sharded(HEIGHT, cores((0, 0, 7, 3)), [32, 512])
    call(
        ttnn.matmul,
        "1D mcast_in0=False height-sharded, fused gelu",
        ah,
        wh,
        program_config=mc1d_in1,
        memory_config=out_hs,
    )

    # DRAM-sharded weights (decode): in1 width-sharded over the DRAM banks, in0/out width-sharded in L1
    banks = DEV.dram_grid_size().x
    k_dim, n_dim = 3072, 1536
    in0_grid = cores((0, 0, 7, 0), (0, 1, banks - 9, 1)) if banks > 8 else cores((0, 0, banks - 1, 0))
    in0 = dev([1, 1, 32, k_dim], mc=sharded(WIDTH, in0_grid, [32, k_dim // banks]))
    w_dram = dev(
        [1, 1, k_dim, n_dim],
        BF8,
        mc=sharded(WIDTH, cores((0, 0, banks - 1, 0)), [k_dim, n_dim // banks], buffer=ttnn.BufferType.DRAM),
    )
    dram_cfg = ttnn.MatmulMultiCoreReuseMultiCastDRAMShardedProgramConfig(
        in0_block_w=k_dim // banks // 32, per_core_M=1, per_core_N=n_dim // banks // 32, fused_activation=None
    )
    out_dram = sharded(WIDTH, in0_grid, [32, n_dim // banks])
    call(
        ttnn.linear,
        "DRAM-sharded weights",
        in0,
        w_dram,
        program_config=dram_cfg,
        memory_config=out_dram,
        compute_kernel_config=lofi,
    )

    # Falcon-style decode attention matmuls
    qd = dev([1, 32, 32, 64])  # [1, heads, users, head_dim]
    call(
        ttnn.experimental.attn_matmul,
        "decode q x k^T, one kv head",
        qd,
        dev([32, 1, 64, 128]),
        compute_with_storage_grid_size=grid_size(8, 4),
        memory_config=L1,
    )
    call(
        ttnn.experimental.group_attn_matmul,
        "grouped kv heads",
        qd,
        dev([32, 4, 64, 128]),
        compute_with_storage_grid_size=grid_size(8, 4),
    )


def normalization() -> None:
    x = dev([1, 1, 128, 4096])
    scores = dev([1, 8, 256, 256])
    gamma = dev([1, 1, 4096 // 32, 32], layout=RM)
    mask = dev([1, 1, 32, 256])
    causal = dev([1, 1, 256, 256])
    call(ttnn.softmax, "dim=-1", x, dim=-1)
    call(ttnn.softmax, "attention scores", scores, -1)
    call(ttnn.softmax, "dim=1", scores, dim=1)
    call(
        ttnn.softmax,
        "numeric_stable, HiFi4, L1",
        scores,
        dim=-1,
        numeric_stable=True,
        memory_config=L1,
        compute_kernel_config=kernel_config(ttnn.MathFidelity.HiFi4),
    )
    call(ttnn.softmax, "ROW_MAJOR", dev([1, 1, 32, 1024], layout=RM), dim=-1)
    call(ttnn.softmax_in_place, "interleaved", dev([1, 8, 256, 256]))
    hs_mc = sharded(HEIGHT, cores((0, 0, 7, 7)), [32, 256])
    sm_cfg = ttnn.SoftmaxShardedMultiCoreProgramConfig(
        compute_with_storage_grid_size=grid_size(8, 8), subblock_w=8, block_h=1, block_w=8
    )
    call(
        ttnn.softmax_in_place,
        "height-sharded SoftmaxShardedMultiCoreProgramConfig",
        dev([1, 8, 256, 256], mc=hs_mc),
        program_config=sm_cfg,
    )
    call(ttnn.scale_mask_softmax, "scale + padding mask", scores, 0.125, mask)
    call(ttnn.scale_mask_softmax_in_place, "interleaved", dev([1, 8, 256, 256]), 0.125, mask)
    call(
        ttnn.scale_mask_softmax_in_place,
        "sharded program config",
        dev([1, 8, 256, 256], mc=hs_mc),
        0.125,
        mask,
        program_config=sm_cfg,
    )
    call(
        ttnn.scale_mask_softmax_in_place,
        "sharded causal mask",
        dev([1, 8, 256, 256], mc=hs_mc),
        0.125,
        causal,
        program_config=sm_cfg,
        is_causal_mask=True,
    )
    call(
        ttnn.transformer.attention_softmax_,
        "head_size + mask",
        dev([1, 8, 256, 256]),
        head_size=64,
        attention_mask=mask,
    )
    call(ttnn.transformer.attention_softmax, "head_size", scores, head_size=64)

    hidden = dev([1, 1, 256, 1024])  # BERT-large width
    g1024 = dev([1, 1, 1024 // 32, 32], layout=RM)
    call(ttnn.layer_norm, "weight+bias", hidden, epsilon=1e-5, weight=g1024, bias=g1024)
    call(ttnn.layer_norm, "no affine", hidden)
    call(
        ttnn.layer_norm,
        "residual_input_tensor",
        hidden,
        residual_input_tensor=dev([1, 1, 256, 1024]),
        weight=g1024,
        bias=g1024,
        epsilon=1e-5,
    )
    call(
        ttnn.layer_norm,
        "HiFi4 fp32 acc, L1 out",
        hidden,
        weight=g1024,
        memory_config=L1,
        compute_kernel_config=kernel_config(ttnn.MathFidelity.HiFi4, fp32_dest_acc_en=True),
    )
    call(ttnn.rms_norm, "weight", x, epsilon=1e-6, weight=gamma)
    call(ttnn.rms_norm, "float32", dev([1, 1, 64, 1024], F32), epsilon=1e-6, weight=dev([1, 1, 32, 32], layout=RM))

    # block-sharded layer norm (BERT), width-sharded rms norm (LLM decode)
    bs_mc = sharded(BLOCK, cores((0, 0, 7, 7)), [32, 128])
    ln_cfg = ttnn.LayerNormShardedMultiCoreProgramConfig(
        compute_with_storage_grid_size=grid_size(8, 8), subblock_w=4, block_h=1, block_w=4, inplace=False
    )
    xb = dev([1, 1, 256, 1024], mc=bs_mc)
    call(
        ttnn.layer_norm,
        "block-sharded LayerNormShardedMultiCoreProgramConfig",
        xb,
        epsilon=1e-12,
        weight=g1024,
        bias=g1024,
        memory_config=bs_mc,
        program_config=ln_cfg,
    )
    call(
        ttnn.layer_norm,
        "block-sharded + residual",
        xb,
        residual_input_tensor=dev([1, 1, 256, 1024], mc=bs_mc),
        weight=g1024,
        bias=g1024,
        memory_config=bs_mc,
        program_config=ln_cfg,
    )
    ws_mc = sharded(WIDTH, cores((0, 0, 7, 3)), [32, 128])
    rms_cfg = ttnn.LayerNormShardedMultiCoreProgramConfig(
        compute_with_storage_grid_size=grid_size(8, 4), subblock_w=4, block_h=1, block_w=4, inplace=False
    )
    call(
        ttnn.rms_norm,
        "width-sharded decode",
        dev([1, 1, 32, 4096], mc=ws_mc),
        epsilon=1e-5,
        weight=gamma,
        memory_config=ws_mc,
        program_config=rms_cfg,
        compute_kernel_config=kernel_config(fp32_dest_acc_en=True),
    )
    stats = call(ttnn.rms_norm_pre_all_gather, "distributed rms stats", x, dtype=BF16)
    call(ttnn.rms_norm_post_all_gather, "distributed rms apply", x, stats, epsilon=1e-5, weight=gamma)

    # group norm (diffusion UNet / VAE), DRAM interleaved
    channels, groups, hw = 256, 32, 32 * 32
    gn_grid = ttnn.determine_expected_group_norm_dram_grid_size(
        device=DEV, num_channels=channels, num_groups=groups, input_nhw=hw
    )
    gn_mask = ttnn.to_device(ttnn.create_group_norm_input_mask(channels, groups, gn_grid.y), DEV, DRAM)
    per_core = channels // gn_grid.y
    padded = -(-per_core // 32) * 32
    affine = np.zeros((gn_grid.y, padded), np.float32)
    affine[:, :per_core] = values([gn_grid.y, per_core])
    gn_w = from_np(affine.reshape(1, 1, -1, 32), BF16)
    call(
        ttnn.group_norm,
        "DRAM interleaved, input mask",
        dev([1, 1, hw, channels]),
        num_groups=groups,
        input_mask=gn_mask,
        weight=gn_w,
        bias=gn_w,
        epsilon=1e-5,
        memory_config=DRAM,
        core_grid=gn_grid,
        inplace=False,
        output_layout=TILE,
    )
    # batch norm (inference, CNNs)
    stat = dev([1, 64, 1, 1])
    call(
        ttnn.batch_norm,
        "eval with running stats",
        dev([2, 64, 32, 32]),
        running_mean=stat,
        running_var=dev([1, 64, 1, 1], low=0.5, high=1.5),
        weight=stat,
        bias=stat,
        eps=1e-5,
        training=False,
    )


def attention() -> None:
    seq, nh, nkv, hd = 128, 32, 8, 128
    hifi2 = kernel_config(ttnn.MathFidelity.HiFi2, math_approx_mode=False, fp32_dest_acc_en=False, packer_l1_acc=False)
    # Llama prefill
    fused = dev([1, 1, seq, (nh + 2 * nkv) * hd])
    qkv = call(
        ttnn.experimental.nlp_create_qkv_heads,
        "GQA 32/8 heads",
        fused,
        num_heads=nh,
        num_kv_heads=nkv,
        transpose_k_heads=False,
        memory_config=DRAM,
    )
    q, k, v = qkv if qkv else (dev([1, nh, seq, hd]), dev([1, nkv, seq, hd]), dev([1, nkv, seq, hd]))
    call(
        ttnn.experimental.nlp_create_qkv_heads,
        "separate kv input",
        dev([1, 1, seq, nh * hd]),
        dev([1, 1, seq, 2 * nkv * hd]),
        num_heads=nh,
        num_kv_heads=nkv,
    )
    cos = dev([1, 1, seq, hd])
    sin = dev([1, 1, seq, hd])
    trans = dev([1, 1, 32, 32])
    call(
        ttnn.experimental.rotary_embedding_llama,
        "prefill",
        q,
        cos,
        sin,
        trans,
        is_decode_mode=False,
        compute_kernel_config=hifi2,
    )
    call(ttnn.experimental.rotary_embedding, "GPT-NeoX cache", q, dev([1, 1, 2048, hd]), dev([1, 1, 2048, hd]))
    call(
        ttnn.experimental.rotary_embedding,
        "decode token_index",
        dev([1, nh, 32, hd]),
        dev([1, 1, 2048, hd]),
        dev([1, 1, 2048, hd]),
        5,
    )
    sdpa_cfg = ttnn.SDPAProgramConfig(
        compute_with_storage_grid_size=grid_size(8, 8), q_chunk_size=64, k_chunk_size=64, exp_approx_mode=False
    )
    out = call(
        ttnn.transformer.scaled_dot_product_attention,
        "causal GQA",
        q,
        k,
        v,
        is_causal=True,
        program_config=sdpa_cfg,
        compute_kernel_config=hifi2,
    )
    call(
        ttnn.transformer.scaled_dot_product_attention,
        "attn_mask, scale",
        q,
        k,
        v,
        is_causal=False,
        attn_mask=dev([1, 1, seq, seq]),
        scale=hd**-0.5,
        program_config=sdpa_cfg,
    )
    call(ttnn.experimental.nlp_concat_heads, "to hidden", out if out is not None else q, memory_config=DRAM)
    cache = dev([4, nkv, 1024, hd])
    call(ttnn.fill_cache, "user 0", cache, k, 0)
    call(ttnn.kv_cache.fill_cache_for_user_, "user 1", cache, k, 1)
    paged = dev([64, nkv, 64, hd])
    table = from_np(np.arange(64, dtype=np.int32).reshape(4, 16), I32)
    call(ttnn.experimental.paged_fill_cache, "page table", paged, k, table, batch_idx=0)

    # BERT / GPT-2 style fused qkv
    bert = dev([2, 128, 3 * 768])
    call(ttnn.transformer.split_query_key_value_and_split_heads, "12 heads, k transposed", bert, num_heads=12)
    call(
        ttnn.transformer.split_query_key_value_and_split_heads,
        "no transpose, L1",
        bert,
        num_heads=12,
        transpose_key=False,
        memory_config=L1,
    )
    call(ttnn.transformer.concatenate_heads, "12 heads", dev([2, 12, 128, 64]))
    call(ttnn.experimental.nlp_create_qkv_heads_falcon7b, "falcon 71/1 heads", dev([1, 1, seq, 4672]))
    # BERT-style sharded head split: batch on grid rows, the fused width over 8 columns
    bert_grid = cores((0, 0, 7, 3))
    fused_bs = dev([4, 1, 384, 3 * 1024], mc=sharded(BLOCK, bert_grid, [384, 3 * 1024 // 8]))
    call(
        ttnn.experimental.create_qkv_heads,
        "block-sharded fused qkv",
        fused_bs,
        num_heads=16,
        num_kv_heads=16,
        transpose_k_heads=False,
        memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG,
    )
    sep_grid = cores((0, 0, 7, 1))
    q_bs = dev([2, 1, 256, 8 * 64], mc=sharded(BLOCK, sep_grid, [256, 8 * 64 // 8]))
    kv_bs = dev([2, 1, 96, 2 * 8 * 64], mc=sharded(BLOCK, sep_grid, [96, 2 * 8 * 64 // 8]))
    call(
        ttnn.experimental.create_qkv_heads_from_separate_tensors,
        "q and kv block-sharded",
        q_bs,
        kv_bs,
        num_heads=8,
        num_kv_heads=8,
        transpose_k_heads=True,
        memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG,
    )

    # Llama decode, 32 users
    batch, max_seq = 32, 512
    users = cores((0, 0, 7, 3))
    q_hs = sharded(HEIGHT, users, [32, hd])
    fused_d = dev([1, 1, batch, (nh + 2 * nkv) * hd])
    heads = call(
        ttnn.experimental.nlp_create_qkv_heads_decode,
        "32 users",
        fused_d,
        num_heads=nh,
        num_kv_heads=nkv,
        memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG,
    )
    qd, kd, vd = (
        heads
        if heads
        else (dev([1, batch, nh, hd], mc=q_hs), dev([1, batch, nkv, hd], mc=q_hs), dev([1, batch, nkv, hd], mc=q_hs))
    )
    cos_d = dev([1, batch, 32, hd], mc=q_hs)
    sin_d = dev([1, batch, 32, hd], mc=q_hs)
    trans_d = dev([1, 1, batch * 32, 32], mc=sharded(HEIGHT, users, [32, 32]))
    call(
        ttnn.experimental.rotary_embedding_llama,
        "decode height-sharded",
        qd,
        cos_d,
        sin_d,
        trans_d,
        is_decode_mode=True,
    )
    fused_ws = dev([1, 1, batch, (nh + 2 * nkv) * hd], mc=sharded(WIDTH, cores((0, 0, 7, 5)), [32, 128]))
    call(
        ttnn.experimental.nlp_create_qkv_heads_decode,
        "width-sharded input, q/k apart",
        fused_ws,
        num_heads=nh,
        num_kv_heads=nkv,
        overlap_qk_coregrid=False,
        memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG,
    )
    # fused q+k rope wants q and k on disjoint cores and cos/sin/trans over both
    q_top = dev([1, batch, nh, hd], mc=q_hs)
    k_bottom = dev([1, batch, nkv, hd], mc=sharded(HEIGHT, cores((0, 4, 7, 7)), [32, hd]))
    both = cores((0, 0, 7, 7))
    cos2 = dev([1, 2 * batch, 32, hd], mc=sharded(HEIGHT, both, [32, hd]))
    trans2 = dev([1, 1, 2 * batch * 32, 32], mc=sharded(HEIGHT, both, [32, 32]))
    call(ttnn.experimental.rotary_embedding_llama_fused_qk, "decode q+k", q_top, k_bottom, cos2, cos2, trans2)
    kc = dev([batch, nkv, max_seq, hd], BF8)
    vc = dev([batch, nkv, max_seq, hd], BF8)
    call(ttnn.experimental.paged_update_cache, "update_idxs list", kc, kd, update_idxs=[100] * batch)
    pos_t = from_np(np.full((batch,), 100, np.int32), I32)
    call(ttnn.experimental.paged_update_cache, "update_idxs_tensor", vc, vd, update_idxs_tensor=pos_t)
    call(ttnn.update_cache, "token 100", dev([batch, nkv, max_seq, hd]), dev([1, nkv, batch, hd]), 100)
    call(ttnn.kv_cache.update_cache_for_token_, "token 7", dev([batch, nkv, max_seq, hd]), dev([1, nkv, batch, hd]), 7)
    dec_cfg = ttnn.SDPAProgramConfig(
        compute_with_storage_grid_size=grid_size(8, 8), q_chunk_size=32, k_chunk_size=128, exp_approx_mode=False
    )
    q_int = dev([1, batch, nh, hd])
    dec = call(
        ttnn.transformer.scaled_dot_product_attention_decode,
        "cur_pos list",
        q_int,
        kc,
        vc,
        cur_pos=[100] * batch,
        program_config=dec_cfg,
        compute_kernel_config=hifi2,
        memory_config=DRAM,
    )
    call(
        ttnn.transformer.scaled_dot_product_attention_decode,
        "cur_pos_tensor, scale",
        q_int,
        kc,
        vc,
        cur_pos_tensor=pos_t,
        scale=hd**-0.5,
        program_config=dec_cfg,
    )
    blocks, block = batch * (max_seq // 64), 64
    pkc = dev([blocks, nkv, block, hd], BF8)
    pvc = dev([blocks, nkv, block, hd], BF8)
    ptable = from_np(RNG.permutation(blocks).astype(np.int32).reshape(batch, blocks // batch), I32)
    call(
        ttnn.transformer.paged_scaled_dot_product_attention_decode,
        "page table",
        q_int,
        pkc,
        pvc,
        ptable,
        cur_pos_tensor=pos_t,
        program_config=dec_cfg,
        compute_kernel_config=hifi2,
    )
    call(
        ttnn.experimental.paged_update_cache,
        "paged with page_table",
        pkc,
        kd,
        update_idxs_tensor=pos_t,
        page_table=ptable,
    )
    dec_hs = dec if dec is not None else q_int
    call(ttnn.to_memory_config, "sdpa out to height-sharded", dec_hs, q_hs)
    call(ttnn.experimental.nlp_concat_heads_decode, "32 heads", dev([1, batch, 32, hd], mc=q_hs), num_heads=nh)


def conv_pool() -> None:
    n, h, w, c = 1, 56, 56, 64
    act = dev([1, 1, n * h * w, c], layout=RM)
    weight = host([c, c, 3, 3], F32, RM)
    bias = host([1, 1, 1, c], F32, RM)
    relu = ttnn.UnaryWithParam(UOP.RELU)
    hs_cfg = ttnn.Conv2dConfig(weights_dtype=BF16, shard_layout=HEIGHT, activation=relu, deallocate_activation=False)
    compute = ttnn.init_device_compute_kernel_config(
        DEV.arch(), math_fidelity=ttnn.MathFidelity.LoFi, fp32_dest_acc_en=False, packer_l1_acc=True
    )
    common = {"device": DEV, "batch_size": n, "input_height": h, "input_width": w}
    call(
        ttnn.conv2d,
        "ResNet 3x3 height-sharded relu, returns dims+weights",
        input_tensor=act,
        weight_tensor=weight,
        bias_tensor=bias,
        in_channels=c,
        out_channels=c,
        kernel_size=[3, 3],
        stride=[1, 1],
        padding=[1, 1],
        conv_config=hs_cfg,
        compute_config=compute,
        return_output_dim=True,
        return_weights_and_bias=True,
        **common,
    )
    bs_cfg = ttnn.Conv2dConfig(weights_dtype=BF8, shard_layout=BLOCK, output_layout=TILE)
    call(
        ttnn.conv2d,
        "1x1 to 256 block-sharded bf8 weights",
        input_tensor=dev([1, 1, n * h * w, c], layout=RM),
        weight_tensor=host([256, c, 1, 1], F32, RM),
        in_channels=c,
        out_channels=256,
        kernel_size=[1, 1],
        conv_config=bs_cfg,
        dtype=BF16,
        **common,
    )
    call(
        ttnn.conv2d,
        "stride 2 with dilation default, NHWC input",
        input_tensor=dev([n, h, w, c], layout=RM),
        weight_tensor=host([128, c, 3, 3], F32, RM),
        in_channels=c,
        out_channels=128,
        kernel_size=[3, 3],
        stride=[2, 2],
        padding=[1, 1],
        **common,
    )
    call(
        ttnn.conv2d,
        "depthwise (groups=C)",
        input_tensor=dev([1, 1, n * h * w, c], layout=RM),
        weight_tensor=host([c, 1, 3, 3], F32, RM),
        in_channels=c,
        out_channels=c,
        kernel_size=[3, 3],
        padding=[1, 1],
        groups=c,
        conv_config=ttnn.Conv2dConfig(weights_dtype=BF16, shard_layout=HEIGHT),
        **common,
    )
    call(
        ttnn.conv1d,
        "Whisper-style conv1d",
        input_tensor=dev([1, 256, 128], layout=RM),
        weight_tensor=host([256, 128, 3], F32, RM),
        device=DEV,
        in_channels=128,
        out_channels=256,
        batch_size=1,
        input_length=256,
        kernel_size=3,
        padding=1,
        conv_config=ttnn.Conv2dConfig(weights_dtype=BF16, shard_layout=HEIGHT),
    )
    call(
        ttnn.conv_transpose2d,
        "UNet up 2x2 stride 2",
        input_tensor=dev([1, 16, 16, 64], layout=RM),
        weight_tensor=host([64, 32, 2, 2], F32, RM),
        device=DEV,
        in_channels=64,
        out_channels=32,
        batch_size=1,
        input_height=16,
        input_width=16,
        kernel_size=[2, 2],
        stride=[2, 2],
        padding=[0, 0],
    )
    stem = dev([1, 1, 112 * 112, 64], layout=RM)
    call(ttnn.max_pool2d, "ResNet stem 3x3/2", stem, 1, 112, 112, 64, [3, 3], [2, 2], [1, 1], [1, 1])
    call(
        ttnn.max_pool2d,
        "2x2/2 ceil_mode, L1 out",
        dev([1, 1, 32 * 32, 128], layout=RM),
        1,
        32,
        32,
        128,
        [2, 2],
        [2, 2],
        [0, 0],
        [1, 1],
        ceil_mode=True,
        memory_config=L1,
    )
    call(ttnn.avg_pool2d, "2x2/2", dev([1, 1, 56 * 56, 64], layout=RM), 1, 56, 56, 64, [2, 2], [2, 2], [0, 0])
    call(
        ttnn.avg_pool2d,
        "7x7 global via avg_pool2d",
        dev([1, 1, 49, 512], layout=RM),
        1,
        7,
        7,
        512,
        [7, 7],
        [1, 1],
        [0, 0],
    )
    call(ttnn.global_avg_pool2d, "NHWC 7x7x2048", dev([1, 7, 7, 2048], layout=RM))
    call(ttnn.adaptive_avg_pool2d, "to 1x1", dev([1, 1, 49, 512], layout=RM), 1, 7, 7, 512, [1, 1])
    call(ttnn.upsample, "nearest x2", dev([1, 32, 32, 320], layout=RM), 2)
    call(ttnn.upsample, "nearest (2,2) L1", dev([1, 16, 16, 640], layout=RM), [2, 2], mode="nearest", memory_config=L1)
    call(ttnn.fold, "ViT/ResNet stem fold", dev([1, 224, 224, 4], layout=RM), 2, 2)


def creation() -> None:
    like = dev([1, 1, 128, 1024])
    call(ttnn.zeros, "TILE DRAM", [1, 1, 128, 1024], BF16, TILE, DEV, DRAM)
    call(ttnn.zeros, "host", [1, 1, 32, 32])
    call(ttnn.ones, "ROW_MAJOR L1", [1, 1, 32, 1024], dtype=BF16, layout=RM, device=DEV, memory_config=L1)
    call(ttnn.full, "float fill", [1, 1, 128, 128], -1e9, dtype=BF16, layout=TILE, device=DEV)
    call(ttnn.full, "int fill uint32", [1, 1, 32, 32], 7, dtype=U32, layout=TILE, device=DEV)
    call(ttnn.arange, "0..128 ROW_MAJOR", 0, 128, 1, dtype=BF16, device=DEV, layout=RM)
    call(ttnn.arange, "end only int32", 1024, dtype=I32, device=DEV)
    call(ttnn.zeros_like, "bf16", like)
    call(ttnn.ones_like, "bf16 to L1", like, memory_config=L1)
    call(ttnn.full_like, "scalar", like, 2.0)
    call(ttnn.empty, "DRAM", [1, 1, 128, 1024], BF16, TILE, DEV, DRAM)
    call(ttnn.empty, "bfloat8_b L1", [1, 1, 32, 4096], BF8, TILE, DEV, L1)
    call(ttnn.empty_like, "bf16", like)
    call(ttnn.rand, "uniform [0,1)", ttnn.Shape([1, 1, 32, 1024]), DEV, dtype=BF16, layout=TILE, seed=1234)
    call(ttnn.uniform, "in place", dev([1, 1, 32, 1024], F32), 0.0, 1.0, 42)
    call(ttnn.bernoulli, "probabilities", dev([1, 1, 32, 1024], low=0.0, high=1.0), 7, dtype=BF16)
    call(ttnn.experimental.dropout, "p=0.1", dev([1, 1, 128, 1024]), 0.1, 1.0 / 0.9, 1234)
    call(ttnn.to_device, "host to L1", host([1, 1, 32, 1024]), DEV, L1)
    call(ttnn.from_device, "device to host", like)
    call(ttnn.deallocate, "free", dev([1, 1, 32, 32]))


def llm_misc() -> None:
    x = dev([1, 1, 128, 8192])
    call(ttnn.swiglu, "gate/up halves", x, -1)
    call(ttnn.geglu, "dim=-1", x, -1)
    call(ttnn.glu, "dim=-1", x, -1)
    call(ttnn.reglu, "dim=-1", x, -1)
    # top-k/top-p sampling on device (Llama demos): 32 users, top 32 candidates each
    vals = dev([1, 1, 32, 32 * 8])
    idx = from_np(RNG.integers(0, 128000, size=(1, 1, 32, 32 * 8)).astype(np.int32), I32)
    k = from_np(np.full((32,), 32, np.uint32), U32)
    p = dev([32], layout=RM, low=0.9, high=0.9)
    temp = dev([32], layout=RM, low=1.0, high=1.0)
    call(ttnn.sampling, "top-k/top-p", vals, idx, k, p, temp, seed=42)
    call(ttnn.moe, "expert top-k mask", dev([1, 1, 32, 64]), dev([1, 1, 1, 64]), dev([1, 1, 1, 32]), 32)


SECTIONS: list[Callable[[], None]] = [
    eltwise_unary,
    eltwise_binary,
    eltwise_ternary,
    reductions,
    data_movement,
    matmuls,
    normalization,
    attention,
    conv_pool,
    creation,
    llm_misc,
]


def main() -> int:
    global DEV
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    out = Path(sys.argv[1]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    os.environ["TTNN_OPERATION_TRACE_DIR"] = str(out / "operation_parameters")
    ttnn.CONFIG.root_report_path = str(out / "reports")
    DEV = ttnn.open_device(device_id=0, l1_small_size=32768)
    ttnn.operation_tracer.enable_tracing(True)
    try:
        for section in SECTIONS:
            try:
                section()
            except Exception as exc:  # a setup step outside call(): note it, go on with the next section
                line = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.name == section.__name__][-1]
                CALLS.append((f"<section {section.__name__}>", f"setup at line {line}", "error: " + error_line(exc)))
    finally:
        ttnn.operation_tracer.enable_tracing(False)
        ttnn.close_device(DEV)
    with open(out / "calls.tsv", "w", encoding="utf-8") as f:
        f.write("op\tdescription\tstatus\n")
        f.writelines(f"{op}\t{desc}\t{status}\n" for op, desc, status in CALLS)
    ok = [op for op, _, status in CALLS if status == "ok"]
    print(f"attempted {len(CALLS)} calls, {len(ok)} succeeded, {len(set(ok))} distinct ops succeeded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
