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
