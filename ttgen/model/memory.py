"""Core grids, shard specs and memory configs, shaped like ttnn's own classes."""

from __future__ import annotations

from pydantic import field_validator, model_validator

from ttgen.model.base import Coord, Frozen, PositiveDim
from ttgen.model.enums import (
    BufferType,
    ShardDistributionStrategy,
    ShardOrientation,
    TensorMemoryLayout,
)


class CoreCoord(Frozen):
    x: Coord
    y: Coord


class CoreRange(Frozen):
    start: CoreCoord
    end: CoreCoord

    @model_validator(mode="after")
    def _ordered(self) -> CoreRange:
        if self.start.x > self.end.x or self.start.y > self.end.y:
            raise ValueError(
                f"core range start ({self.start.x},{self.start.y}) is past its end ({self.end.x},{self.end.y})"
            )
        return self

    @property
    def num_cores(self) -> int:
        return (self.end.x - self.start.x + 1) * (self.end.y - self.start.y + 1)


class CoreRangeSet(Frozen):
    """Ranges in traced order; ttnn rejects overlapping ranges, and so do we. Empty is legal (a
    matmul config's default `hop_cores={}`); a shard grid is not (ShardSpec, NdShardSpec)."""

    ranges: tuple[CoreRange, ...]

    @model_validator(mode="after")
    def _disjoint(self) -> CoreRangeSet:
        for i, a in enumerate(self.ranges):
            for b in self.ranges[i + 1 :]:
                if a.start.x <= b.end.x and b.start.x <= a.end.x and a.start.y <= b.end.y and b.start.y <= a.end.y:
                    raise ValueError("core ranges in a core range set overlap")
        return self

    @property
    def num_cores(self) -> int:
        return sum(r.num_cores for r in self.ranges)


def _nonempty(grid: CoreRangeSet) -> CoreRangeSet:
    if not grid.ranges:
        raise ValueError("core range set is empty")
    return grid


class ShardSpec(Frozen):
    grid: CoreRangeSet
    shape: tuple[PositiveDim, PositiveDim]
    orientation: ShardOrientation

    _grid = field_validator("grid")(_nonempty)


class NdShardSpec(Frozen):
    shard_shape: tuple[PositiveDim, ...]
    grid: CoreRangeSet
    orientation: ShardOrientation = ShardOrientation.ROW_MAJOR
    distribution: ShardDistributionStrategy = ShardDistributionStrategy.ROUND_ROBIN_1D

    _grid = field_validator("grid")(_nonempty)


class MemoryConfig(Frozen):
    """A ttnn.MemoryConfig. A sharded layout with no shard spec is legal here (ttnn has
    `L1_HEIGHT_SHARDED_MEMORY_CONFIG`, and ops accept it as an output config); a *tensor* needs
    one, which TensorSpec enforces."""

    memory_layout: TensorMemoryLayout = TensorMemoryLayout.INTERLEAVED
    buffer_type: BufferType = BufferType.DRAM
    shard_spec: ShardSpec | None = None
    nd_shard_spec: NdShardSpec | None = None

    @model_validator(mode="after")
    def _consistent(self) -> MemoryConfig:
        if not self.memory_layout.is_sharded and self.shard_spec is not None:
            raise ValueError("an INTERLEAVED memory config cannot carry a shard spec")
        if self.nd_shard_spec is not None and not self.memory_layout.is_sharded:
            raise ValueError("an INTERLEAVED memory config cannot carry an nd_shard_spec")
        if self.memory_layout is TensorMemoryLayout.ND_SHARDED and self.shard_spec is not None:
            raise ValueError("an ND_SHARDED memory config takes an nd_shard_spec, not a shard_spec")
        return self

    @property
    def is_sharded(self) -> bool:
        return self.memory_layout.is_sharded

    @property
    def has_shard_spec(self) -> bool:
        return self.shard_spec is not None or self.nd_shard_spec is not None


DRAM_MEMORY_CONFIG = MemoryConfig()
L1_MEMORY_CONFIG = MemoryConfig(buffer_type=BufferType.L1)
