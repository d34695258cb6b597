"""ttnn 0.81.1's static checks on a tensor's layout in memory (shared/reference/ttnn-0.81.1.md §2),
with its messages. One encoding, over plain values, for the compiler (pruning --all-cases) and
the emulator (raising what ttnn raises)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

TILE = 32
BLOCK_FLOATS = ("BFLOAT8_B", "BFLOAT4_B")


@dataclass(frozen=True, slots=True)
class ShardLayout:
    memory_layout: str  # HEIGHT_SHARDED | WIDTH_SHARDED | BLOCK_SHARDED
    shard_shape: tuple[int, int]
    ranges: tuple[tuple[int, int, int, int], ...]  # (start x, start y, end x, end y)
    orientation: str  # ROW_MAJOR | COL_MAJOR

    @property
    def num_cores(self) -> int:
        return sum((ex - sx + 1) * (ey - sy + 1) for sx, sy, ex, ey in self.ranges)


def _round_up(n: int, to: int) -> int:
    return -(-n // to) * to


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def physical_shape(shape: Sequence[int], tile: bool, shard_width: int | None = None) -> tuple[int, int]:
    """(height, width): width is the last dim, height the product of the others; for TILE the
    last two dims are first padded to multiples of 32 (a rank-1 tensor is [1, w] padded). A
    sharded ROW_MAJOR tensor's width is aligned up to the shard width (observed on the wheel)."""
    dims = list(shape) or [1]
    if len(dims) == 1:
        dims = [1, *dims]
    if tile:
        dims[-1] = _round_up(dims[-1], TILE)
        dims[-2] = _round_up(dims[-2], TILE)
    elif shard_width:
        dims[-1] = _round_up(dims[-1], shard_width)
    height = 1
    for d in dims[:-1]:
        height *= d
    return height, dims[-1]


def layout_error(dtype: str, tile: bool) -> str | None:
    if dtype in BLOCK_FLOATS and not tile:
        return f"Only TILE layout is supported for {dtype} dtype!"
    return None


def shard_error(shape: Sequence[int], tile: bool, shard: ShardLayout) -> str | None:
    """ttnn's TensorLayout/TensorSpec checks of a sharded tensor, in ttnn's order and words."""
    sh, sw = shard.shard_shape
    if tile and (sh % TILE or sw % TILE):
        return f"Physical shard shape ({sh}, {sw}) must be tile {{{TILE}, {TILE}}} sized!"
    ph, pw = physical_shape(shape, tile, None if tile else sw)
    cores = shard.num_cores
    if shard.memory_layout == "HEIGHT_SHARDED":
        if sw != pw:
            return f"Shard width {sw} must match physical width {pw} for height sharded"
        n = _ceil_div(ph, sh)
        if n > cores:
            return f"Number of shards along height {n} must not exceed number of cores {cores}"
    elif shard.memory_layout == "WIDTH_SHARDED":
        if sh != ph:
            return f"Shard height {sh} must match physical height {ph} for width sharded"
        n = _ceil_div(pw, sw)
        if n > cores:
            return f"Number of shards along width {n} must not exceed number of cores {cores}"
    elif shard.memory_layout == "BLOCK_SHARDED":
        if len(shard.ranges) != 1:
            return "Shard grid must be one full rectangular grid for block sharded!"
        sx, sy, ex, ey = shard.ranges[0]
        gx, gy = ex - sx + 1, ey - sy + 1
        nh, nw = _ceil_div(ph, sh), _ceil_div(pw, sw)
        if shard.orientation == "ROW_MAJOR":
            if nh > gy:
                return (
                    f"Number of shards along height {nh} must not exceed number of rows {gy} for row major orientation!"
                )
            if nw > gx:
                return (
                    f"Number of shards along width {nw} must not exceed number of columns {gx} "
                    "for row major orientation!"
                )
        else:
            if nh > gx:
                return (
                    f"Number of shards along height {nh} must not exceed number of columns {gx} "
                    "for column major orientation!"
                )
            if nw > gy:
                return (
                    f"Number of shards along width {nw} must not exceed number of rows {gy} "
                    "for column major orientation!"
                )
    return None


def shard_cores(shape: Sequence[int], tile: bool, shard: ShardLayout) -> list[tuple[int, int]]:
    """The cores a sharded buffer takes, in order: height/width sharding takes every core of the
    grid, row by row (column by column for COL_MAJOR); block sharding takes only the cores its
    shards land on: shard (i, j) at column j, row i of the grid (transposed for COL_MAJOR)."""
    sh, sw = shard.shard_shape
    ph, pw = physical_shape(shape, tile, None if tile else sw)
    if shard.memory_layout == "BLOCK_SHARDED":
        sx, sy, _, _ = shard.ranges[0]
        nh, nw = _ceil_div(ph, sh), _ceil_div(pw, sw)
        if shard.orientation == "ROW_MAJOR":
            return [(sx + j, sy + i) for i in range(nh) for j in range(nw)]
        return [(sx + i, sy + j) for i in range(nh) for j in range(nw)]
    cores: list[tuple[int, int]] = []
    for sx, sy, ex, ey in shard.ranges:
        if shard.orientation == "ROW_MAJOR":
            cores += [(x, y) for y in range(sy, ey + 1) for x in range(sx, ex + 1)]
        else:
            cores += [(x, y) for x in range(sx, ex + 1) for y in range(sy, ey + 1)]
    return cores  # height/width sharding takes every core of its grid (observed on the wheel)


def grid_error(shape: Sequence[int], tile: bool, shard: ShardLayout, grid_x: int, grid_y: int) -> str | None:
    """A core that receives a shard but lies outside the device's compute grid (checked when the
    buffer is allocated; cores of the grid that get no shard are not checked)."""
    for x, y in shard_cores(shape, tile, shard):
        if x >= grid_x or y >= grid_y:
            return (
                f"Invalid shard grid: shard core ({x}, {y}) has no L1 bank on this device, which has "
                f"{grid_x * grid_y} of them. Derive the shard grid from the device (dram_grid_size() for DRAM, "
                "compute_with_storage_grid_size() for L1) rather than assuming a fixed size -- a harvested "
                "device exposes fewer banks than an unharvested one of the same type. An L1 shard core outside "
                "the compute grid is legal only while it is claimed via ServiceCoreManager."
            )
    return None


# ----------------------------------------------------------------------------- call rules
# What ttnn checks of a call's tensors together (learned from the live tier: --all-cases
# combinations of the embedded master that real ttnn 0.81.1 refused on a mock device).

BINARY = frozenset(
    "ttnn." + name
    for base in (
        "add", "subtract", "multiply", "divide", "div", "rsub", "maximum", "minimum", "pow", "eq", "ne", "gt",
        "lt", "ge", "le", "logical_and", "logical_or", "logical_xor", "squared_difference", "bitwise_and",
        "bitwise_or", "bitwise_xor", "atan2", "hypot", "xlogy", "ldexp", "logaddexp", "logaddexp2", "bias_gelu",
        "remainder", "fmod", "subalpha", "addalpha",
    )
    for name in (base, base + "_")
)  # fmt: skip
MATMULS = frozenset({"ttnn.matmul", "ttnn.linear"})


def broadcast_error(a: Sequence[int], b: Sequence[int]) -> str | None:
    """Eltwise binary ops broadcast like numpy: aligned from the right, each dim equal or 1."""
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y and x != 1 and y != 1:
            return "Invalid subtile broadcast type"
    return None


def matmul_error(
    a: Sequence[int], b: Sequence[int], transpose_a: bool = False, transpose_b: bool = False
) -> str | None:
    if len(a) < 2 or len(b) < 2:
        return None
    width, height = a[-2 if transpose_a else -1], b[-1 if transpose_b else -2]
    if width != height:
        return (
            "The width of the first tensor must be equal to the height of the second tensor. "
            f"Mismatch: width={width} height={height}"
        )
    return None


def bias_error(b: Sequence[int], bias: Sequence[int], transpose_b: bool = False) -> str | None:
    """linear's bias: its padded last dim is the output's (the second input's columns)."""
    if len(b) < 2 or not bias:
        return None
    want, got = _round_up(b[-2 if transpose_b else -1], TILE), _round_up(bias[-1], TILE)
    if want != got:
        return (
            f"Unsupported bias shape: padded last dimension of bias, {got}, not equal to second input's "
            f"padded last dimension, {want}."
        )
    return None


def call_error(op: str, shapes: dict[str, tuple[int, ...]], flags: dict[str, bool]) -> str | None:
    """ttnn's verdict on a call from its tensors' shapes (by parameter name) and bool flags."""
    a, b = shapes.get("input_tensor_a"), shapes.get("input_tensor_b")
    if op in BINARY and a is not None and b is not None:
        return broadcast_error(a, b)
    if op in MATMULS and a is not None and b is not None:
        ta, tb = flags.get("transpose_a", False), flags.get("transpose_b", False)
        bias = shapes.get("bias")
        return matmul_error(a, b, ta, tb) or (bias_error(b, bias, tb) if bias is not None else None)
    return None
