"""Host dtype conversions, bit-exact with ttnn 0.81.1 (shared/reference/ttnn-0.81.1.md §3;
checked against answers recorded from the real wheel: tests/conformance/).

Values are held as float32 (floating dtypes) or as the integer numpy dtype ttnn returns.
"""

from __future__ import annotations

from typing import Any

import numpy as np

Array = np.ndarray[Any, np.dtype[Any]]

_MANTISSA_BITS = {"BFLOAT8_B": 7, "BFLOAT4_B": 3}  # magnitude bits, the leading one included
BLOCK = 16  # a shared exponent covers 16 consecutive elements of one face row


def to_bfloat16(x: Array) -> Array:
    """float32 → bfloat16 with round-to-nearest-even (NaN, inf and -0 kept), as float32."""
    a = np.ascontiguousarray(x, dtype=np.float32)
    bits = a.view(np.uint32)
    # uint32 arithmetic cannot overflow here except for NaN patterns, which are replaced
    with np.errstate(over="ignore"):
        rounded = (bits + np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1))) >> np.uint32(16)
    rounded = np.where(np.isnan(a), (bits >> np.uint32(16)) | np.uint32(0x40), rounded)
    out: Array = (rounded.astype(np.uint32) << np.uint32(16)).view(np.float32)
    return out


def block_float(x: Array, dtype: str) -> Array:
    """float32 → bfloat8_b / bfloat4_b → float32, exactly as ttnn's host packer and unpacker.

    Blocks are 16 consecutive elements along the last dimension (a face row of a tile), the last
    dimension padded with zeros to a multiple of 32. Per block: the shared exponent is the
    largest raw exponent field; each mantissa (with its implicit one) is shifted right to it
    (truncating), rounded to nearest-even to the format's bits, saturated (the exponent never
    grows); zero and subnormal inputs encode as 0, and a zero magnitude loses its sign.
    """
    bits_m = _MANTISSA_BITS[dtype]
    a = np.asarray(x, dtype=np.float32)
    shape = a.shape
    flat = a.reshape(-1, shape[-1]) if a.ndim else a.reshape(1, 1)
    width = flat.shape[-1]
    padded_w = -(-width // 32) * 32
    padded = np.zeros((flat.shape[0], padded_w), dtype=np.float32)
    padded[:, :width] = flat
    u = padded.view(np.uint32).reshape(flat.shape[0], padded_w // BLOCK, BLOCK).astype(np.int64)
    sign = u >> 31
    exp = (u >> 23) & 0xFF
    mant = (u & 0x7FFFFF) | (1 << 23)
    shared = exp.max(axis=-1, keepdims=True)
    shift = shared - exp
    aligned = np.where(shift >= 32, 0, mant >> np.minimum(shift, 31))
    drop = 24 - bits_m
    q = aligned >> drop
    rem = aligned & ((1 << drop) - 1)
    half = 1 << (drop - 1)
    q = q + ((rem > half) | ((rem == half) & ((q & 1) == 1)))
    q = np.minimum(q, (1 << bits_m) - 1)
    q = np.where(exp == 0, 0, q)
    out = _decode(sign, np.broadcast_to(shared, q.shape), q, bits_m)
    return out.reshape(flat.shape[0], padded_w)[:, :width].reshape(shape)


def _decode(sign: Array, shared: Array, q: Array, bits_m: int) -> Array:
    """sign · q · 2^(shared − 127 − (bits−1)), assembled bit-wise (so shared=255 gives inf/NaN)."""
    out_bits = np.zeros(q.shape, dtype=np.int64)
    nonzero = q > 0
    # position of the leading one of q (0 .. bits-1)
    lead = np.zeros(q.shape, dtype=np.int64)
    for p in range(bits_m):
        lead = np.where(q >> p > 0, p, lead)
    exponent = shared - (bits_m - 1 - lead)
    mantissa = ((q & ~(1 << lead)) << (23 - lead)) & 0x7FFFFF
    normal = nonzero & (exponent > 0)
    out_bits = np.where(normal, (sign << 31) | (exponent << 23) | mantissa, out_bits)
    # below the normal range: the value as a subnormal float32 (exact: q has few bits)
    tiny = nonzero & (exponent <= 0)
    if tiny.any():
        value = q.astype(np.float64) * np.exp2(shared.astype(np.float64) - 127 - (bits_m - 1))
        value = np.where(sign == 1, -value, value).astype(np.float32)
        out_bits = np.where(tiny, value.view(np.uint32).astype(np.int64), out_bits)
    return out_bits.astype(np.uint32).view(np.float32)


def quantize(x: Array, dtype: str, tile: bool = True) -> Array:
    """The values a float32 host array holds after conversion to `dtype` (ttnn.DataType name)."""
    a: Array = np.asarray(x, dtype=np.float32)
    if dtype == "FLOAT32":
        return np.array(a, copy=True)
    if dtype == "BFLOAT16":
        return to_bfloat16(a)
    if dtype in _MANTISSA_BITS:
        return block_float(a, dtype)
    return cast_int(a, dtype, tile)


def _truncate(a: Array, bits: int) -> Array:
    """x86 truncating conversion to a signed integer: NaN, inf and out-of-range give INT_MIN."""
    limit = float(1 << (bits - 1))
    ok = np.isfinite(a) & (a >= -limit) & (a < limit)
    return np.where(ok, np.trunc(np.where(ok, a, 0)).astype(np.int64), -(1 << (bits - 1)))


def cast_int(x: Array, dtype: str, tile: bool) -> Array:
    """float32 → integer dtypes as `ttnn.Tensor(ndarray, dtype, ...)` stores them.

    ttnn's conversion loop is vectorized: over the flattened array, whole chunks of 8 elements
    (then, for UINT16, one chunk of 4) take the vector path, the rest a scalar path, and the two
    disagree out of range. Vector: truncate to int32 (out-of-range → INT_MIN), then saturate
    (UINT8/UINT16) or reinterpret (UINT32). Scalar: truncate to int32 and wrap (UINT8/UINT16);
    UINT32 truncates to int64 and wraps. A TILE tensor converts its padded tiles (whole chunks),
    so every element takes the vector path. INT32 truncates to int32 either way."""
    a = np.asarray(x, dtype=np.float32)
    flat = a.reshape(-1)
    n = flat.size
    vector_end = n if tile else n - n % 8
    if dtype == "UINT16" and n - vector_end >= 4:
        vector_end += 4
    vector = np.arange(n) < vector_end
    i32 = _truncate(flat, 32)
    if dtype == "INT32":
        out = i32.astype(np.int32)
    elif dtype == "UINT32":
        out = np.where(vector, i32 % (1 << 32), _truncate(flat, 64) % (1 << 32)).astype(np.uint32)
    elif dtype == "UINT16":
        out = np.where(vector, np.clip(i32, 0, 0xFFFF), i32 % (1 << 16)).astype(np.uint16)
    elif dtype == "UINT8":
        out = np.where(vector, np.clip(i32, 0, 0xFF), i32 % (1 << 8)).astype(np.uint8)
    else:
        raise ValueError(f"no host conversion to {dtype}")
    return out.reshape(a.shape)
