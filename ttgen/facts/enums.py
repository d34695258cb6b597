"""The ttnn enums that appear in traces, with ttnn 0.81.1's member names and values.

ttnn's enums are plain `enum.Enum`s (not IntEnum) whose `str()` is `Class.MEMBER`; traces spell
members three ways: `DataType.BFLOAT16` (Python repr), `DataType::BFLOAT16` (C++ operator<<) and a
bare `BFLOAT16` (shard orientation in V2 dicts). `parse_member` accepts exactly those spellings.
"""

from __future__ import annotations

import enum
from typing import TypeVar


class TtnnEnum(enum.Enum):
    """str() and repr() are `Class.MEMBER`, as ttnn's nanobind enums print."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self.name}"

    __str__ = __repr__


class DataType(TtnnEnum):
    BFLOAT16 = 0
    FLOAT32 = 1
    UINT32 = 2
    BFLOAT8_B = 3
    BFLOAT4_B = 4
    UINT8 = 5
    UINT16 = 6
    INT32 = 7
    FP8_E4M3 = 8
    INT8 = 9
    INVALID = 10


class Layout(TtnnEnum):
    ROW_MAJOR = 0
    TILE = 1
    INVALID = 2


class TensorMemoryLayout(TtnnEnum):
    INTERLEAVED = 0
    HEIGHT_SHARDED = 2
    WIDTH_SHARDED = 3
    BLOCK_SHARDED = 4
    ND_SHARDED = 5

    @property
    def is_sharded(self) -> bool:
        return self is not TensorMemoryLayout.INTERLEAVED


class BufferType(TtnnEnum):
    DRAM = 0
    L1 = 1
    L1_SMALL = 3
    TRACE = 4


class ShardOrientation(TtnnEnum):
    ROW_MAJOR = 0
    COL_MAJOR = 1


class ShardDistributionStrategy(TtnnEnum):
    ROUND_ROBIN_1D = 0
    GRID_2D = 1
    CONTIGUOUS_1D = 2


class StorageType(TtnnEnum):
    HOST = 0
    DEVICE = 1


# Enums of op arguments, values read from the 0.81.1 wheel.
class MathFidelity(TtnnEnum):
    LoFi = 0
    HiFi2 = 2
    HiFi3 = 3
    HiFi4 = 4
    Invalid = 255


class ThrottleLevel(TtnnEnum):
    NO_THROTTLE = 0
    LEVEL_1 = 1
    LEVEL_2 = 2
    LEVEL_3 = 3
    LEVEL_4 = 4
    LEVEL_5 = 5


class Topology(TtnnEnum):
    Linear = 1
    Ring = 2
    Mesh = 3
    Torus = 4


class GeluVariant(TtnnEnum):
    Accurate = 0
    FastLut = 1
    Tanh = 2


class SigmoidMode(TtnnEnum):
    FastApproximate = 0
    AccurateWithFastExp = 1
    Accurate = 2


class TileReshapeMapMode(TtnnEnum):
    CACHE = 0
    RECREATE = 1


class EmbeddingsType(TtnnEnum):
    GENERIC = 0
    PADDED = 1
    BINARY = 2


class UnaryOpType(TtnnEnum):
    """The activation of a program config or Conv2dConfig (`ttnn.UnaryWithParam`)."""

    EXP = 0
    RECIP = 1
    GELU = 2
    GELU_TANH = 3
    RELU = 4
    SQRT = 5
    SIGMOID = 6
    LOG = 7
    LOG1P = 8
    TANH = 9
    LOG2 = 10
    LOG10 = 11
    SIN = 12
    COS = 13
    COSH = 14
    SINH = 15
    ABS = 16
    ABS_INT32 = 17
    SIGN = 18
    SQUARE = 19
    EQZ = 20
    NEZ = 21
    GTZ = 22
    LTZ = 23
    GEZ = 24
    LEZ = 25
    RELU_MAX = 26
    RELU_MIN = 27
    POWER = 28
    POWER_ITERATIVE = 29
    LEAKY_RELU = 30
    ELU = 31
    EXP2 = 32
    HEAVISIDE = 33
    EXPM1 = 34
    SIGNBIT = 35
    ASIN = 36
    ACOS = 37
    ACOSH = 38
    RSQRT = 39
    RELU6 = 40
    ATAN = 41
    ASINH = 42
    ATANH = 43
    ERF = 44
    ERFC = 45
    ISINF = 46
    ISPOSINF = 47
    ISNEGINF = 48
    ISNAN = 49
    LOGICAL_NOT_UNARY = 50
    ISFINITE = 51
    ERFINV = 52
    I0 = 53
    I1 = 54
    TAN = 55
    RSUB = 56
    RDIV = 57
    SILU = 58
    SOFTPLUS = 59
    IDENTITY = 60
    NEG = 61
    ADD_UNARY_SFPU = 62
    SUB_UNARY_SFPU = 63
    MUL_UNARY_SFPU = 64
    DIV_UNARY_SFPU = 65
    UNARY_NE = 66
    UNARY_EQ = 67
    UNARY_GT = 68
    UNARY_LT = 69
    UNARY_GE = 70
    UNARY_LE = 71
    TILED_PROD = 72
    TYPECAST = 73
    BITCAST = 74
    BITWISE_XOR = 75
    BITWISE_NOT = 76
    BITWISE_AND = 77
    BITWISE_OR = 78
    RIGHT_SHIFT = 79
    FLOOR = 80
    CEIL = 81
    TRUNC = 82
    FRAC = 83
    ROUND = 84
    LEFT_SHIFT = 85
    REMAINDER = 86
    FMOD = 87
    DROPOUT = 88
    FILL = 89
    PRELU_SFPU = 90
    ZERO_POINT = 91
    ALT_COMPLEX_ROTATE90 = 92
    MISH = 93
    HARDMISH = 94
    MAXIMUM = 95
    MINIMUM = 96
    TANHSHRINK = 97
    THRESHOLD = 98
    SOFTSHRINK = 99
    HARDSHRINK = 100
    HARDTANH = 101
    HARDSIGMOID = 102
    HARDSWISH = 103
    WHERE_TSS = 104
    MAC_TSS = 105
    SOFTSIGN = 106
    CELU = 107
    CLAMP_TSS = 108
    SELU = 109
    RPOW = 110
    CBRT = 111
    LOGSIGMOID = 112
    LOGIT = 113
    XIELU = 114
    LGAMMA = 115
    DIGAMMA = 116
    POLYGAMMA = 117
    SOFTCAP = 118


class PaddingMode(TtnnEnum):
    """Conv2dConfig.padding_mode."""

    Zeros = 0
    Replicate = 1


class ReduceType(TtnnEnum):
    """The reduction of reduce-scatter CCLs."""

    Sum = 0
    Mean = 1
    Max = 2
    Min = 3
    Std = 4
    Var = 5
    Prod = 6


ALL_ENUMS: tuple[type[TtnnEnum], ...] = (
    DataType,
    Layout,
    TensorMemoryLayout,
    BufferType,
    ShardOrientation,
    ShardDistributionStrategy,
    StorageType,
    MathFidelity,
    ThrottleLevel,
    Topology,
    GeluVariant,
    SigmoidMode,
    TileReshapeMapMode,
    EmbeddingsType,
    UnaryOpType,
    PaddingMode,
    ReduceType,
)

E = TypeVar("E", bound=enum.Enum)

# ttnn's module-level aliases (`ttnn.bfloat16`, `ttnn.TILE_LAYOUT`) as they appear in Python reprs.
_ALIASES: dict[type[enum.Enum], dict[str, str]] = {
    DataType: {m.name.lower(): m.name for m in DataType if m is not DataType.INVALID},
    Layout: {"ROW_MAJOR_LAYOUT": "ROW_MAJOR", "TILE_LAYOUT": "TILE"},
}


def parse_member(cls: type[E], text: str) -> E:
    """`Cls.MEMBER`, `Cls::MEMBER`, `ttnn.Cls.MEMBER`, bare `MEMBER` or a ttnn alias → member.

    Raises ValueError naming the accepted members; never guesses across classes
    (`Layout.TILE` is not a DataType).
    """
    name = text.strip()
    for prefix in ("ttnn.", "ttnn::"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    for sep in (".", "::"):
        head, found, tail = name.rpartition(sep)
        if found:
            if head.split(".")[-1].split("::")[-1] != cls.__name__:
                raise ValueError(f"{text!r} is not a {cls.__name__}")
            name = tail
            break
    name = _ALIASES.get(cls, {}).get(name, name)
    try:
        return cls[name]
    except KeyError:
        members = ", ".join(m.name for m in cls)
        raise ValueError(f"{text!r} is not a {cls.__name__} (members: {members})") from None


def member_repr(member: enum.Enum) -> str:
    """The Python repr ttnn prints and V2 traces store: `DataType.BFLOAT16`."""
    return f"{type(member).__name__}.{member.name}"
