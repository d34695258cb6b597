"""ttnn's value types, emulated: same constructors, equality, hashing and printed forms as the
0.81.1 wheel (shared/reference/ttnn-0.81.1.md §1). Standard library only."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ttgen.facts.enums import (
    BufferType,
    MathFidelity,
    ShardDistributionStrategy,
    ShardOrientation,
    TensorMemoryLayout,
    ThrottleLevel,
)


class CoreCoord:
    """`CoreCoord(x, y)` or `CoreCoord((x, y))`; prints as `x-y`."""

    __slots__ = ("x", "y")

    def __init__(self, x: int | tuple[int, int], y: int | None = None) -> None:
        if isinstance(x, tuple):
            if y is not None:
                raise TypeError("CoreCoord takes (x, y) or ((x, y))")
            x, y = x
        if y is None:
            raise TypeError("CoreCoord takes (x, y) or ((x, y))")
        self.x = int(x)
        self.y = int(y)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CoreCoord) and (self.x, self.y) == (other.x, other.y)

    def __hash__(self) -> int:
        return hash((self.x, self.y))

    def __repr__(self) -> str:
        return f"{self.x}-{self.y}"


class CoreRange:
    __slots__ = ("end", "start")

    def __init__(self, start: CoreCoord, end: CoreCoord) -> None:
        if end.x < start.x or end.y < start.y:
            raise RuntimeError(f"Invalid core range for start: {start}, end: {end}")
        self.start = start
        self.end = end

    def grid_size(self) -> CoreCoord:
        return CoreCoord(self.end.x - self.start.x + 1, self.end.y - self.start.y + 1)

    def num_cores(self) -> int:
        size = self.grid_size()
        return size.x * size.y

    def contains(self, core: CoreCoord) -> bool:
        return self.start.x <= core.x <= self.end.x and self.start.y <= core.y <= self.end.y

    def intersects(self, other: CoreRange) -> bool:
        return not (
            other.start.x > self.end.x
            or other.end.x < self.start.x
            or other.start.y > self.end.y
            or other.end.y < self.start.y
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CoreRange) and (self.start, self.end) == (other.start, other.end)

    def __hash__(self) -> int:
        return hash((self.start, self.end))

    def __repr__(self) -> str:
        return f"[{self.start} - {self.end}]"


class CoreRangeSet:
    """Ranges must not overlap (ttnn refuses). Printed sorted, as ttnn prints a set."""

    __slots__ = ("_ranges",)

    def __init__(self, core_ranges: Iterable[CoreRange]) -> None:
        ranges = sorted(set(core_ranges), key=lambda r: (r.start.y, r.start.x, r.end.y, r.end.x))
        for i, a in enumerate(ranges):
            for b in ranges[i + 1 :]:
                if a.intersects(b):
                    raise RuntimeError(f"Cannot create CoreRangeSet: core ranges {a} and {b} overlap")
        self._ranges = tuple(ranges)

    def ranges(self) -> list[CoreRange]:
        return list(self._ranges)

    def num_cores(self) -> int:
        return sum(r.num_cores() for r in self._ranges)

    def empty(self) -> bool:
        return not self._ranges

    def size(self) -> int:
        return len(self._ranges)

    def bounding_box(self) -> CoreRange:
        return CoreRange(
            CoreCoord(min(r.start.x for r in self._ranges), min(r.start.y for r in self._ranges)),
            CoreCoord(max(r.end.x for r in self._ranges), max(r.end.y for r in self._ranges)),
        )

    def contains(self, core: CoreCoord) -> bool:
        return any(r.contains(core) for r in self._ranges)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CoreRangeSet) and self._ranges == other._ranges

    def __hash__(self) -> int:
        return hash(self._ranges)

    def __repr__(self) -> str:
        return "{" + ", ".join(repr(r) for r in self._ranges) + "}"


class CoreGrid:
    """Keyword-only, as in ttnn: `CoreGrid(x=8, y=7)`."""

    __slots__ = ("x", "y")

    def __init__(self, *, x: int, y: int) -> None:
        self.x = x
        self.y = y

    @property
    def num_cores(self) -> int:
        return self.x * self.y

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CoreGrid) and (self.x, self.y) == (other.x, other.y)

    def __hash__(self) -> int:
        return hash((self.x, self.y))

    def __repr__(self) -> str:
        return f"ttnn.CoreGrid(x={self.x}, y={self.y})"


def _grid_text(grid: CoreRangeSet) -> str:
    # ttnn's C++ printer leaves each range's closing brace off; reproduced on purpose.
    return ", ".join(
        f'{{"start":{{"x":{r.start.x},"y":{r.start.y}}},"end":{{"x":{r.end.x},"y":{r.end.y}}}' for r in grid.ranges()
    )


class ShardSpec:
    __slots__ = ("grid", "orientation", "shape")

    def __init__(self, grid: CoreRangeSet, shard_shape: Sequence[int], shard_orientation: ShardOrientation) -> None:
        self.grid = grid
        self.shape = list(shard_shape)
        self.orientation = shard_orientation

    def num_cores(self) -> int:
        return self.grid.num_cores()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ShardSpec) and (self.grid, self.shape, self.orientation) == (
            other.grid,
            other.shape,
            other.orientation,
        )

    def __hash__(self) -> int:
        return hash((self.grid, tuple(self.shape), self.orientation))

    def __repr__(self) -> str:
        return (
            f"ShardSpec{{grid=[{_grid_text(self.grid)}], shape=[{self.shape[0]}, {self.shape[1]}], "
            f"orientation=ShardOrientation::{self.orientation.name}}}"
        )


class NdShardSpec:
    __slots__ = ("grid", "orientation", "shard_distribution_strategy", "shard_shape")

    def __init__(
        self,
        shard_shape: Sequence[int],
        grid: CoreRangeSet,
        orientation: ShardOrientation = ShardOrientation.ROW_MAJOR,
        shard_distribution_strategy: ShardDistributionStrategy = ShardDistributionStrategy.ROUND_ROBIN_1D,
    ) -> None:
        self.shard_shape = list(shard_shape)
        self.grid = grid
        self.orientation = orientation
        self.shard_distribution_strategy = shard_distribution_strategy

    def _key(self) -> tuple[Any, ...]:
        return (tuple(self.shard_shape), self.grid, self.orientation, self.shard_distribution_strategy)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NdShardSpec) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


class MemoryConfig:
    """`MemoryConfig(memory_layout=INTERLEAVED, buffer_type=DRAM, shard_spec=None)`."""

    __slots__ = ("_nd_mirror", "buffer_type", "memory_layout", "nd_shard_spec", "shard_spec")

    def __init__(
        self,
        memory_layout: TensorMemoryLayout = TensorMemoryLayout.INTERLEAVED,
        buffer_type: BufferType = BufferType.DRAM,
        shard_spec: ShardSpec | None = None,
    ) -> None:
        self.memory_layout = memory_layout
        self.buffer_type = buffer_type
        self.shard_spec = shard_spec
        self.nd_shard_spec: NdShardSpec | None = None
        self._nd_mirror = False  # nd_shard_spec derived from shard_spec by a placed tensor

    @property
    def interleaved(self) -> bool:
        return self.memory_layout is TensorMemoryLayout.INTERLEAVED

    def is_sharded(self) -> bool:
        return not self.interleaved

    def with_nd_mirror(self) -> MemoryConfig:
        """The config as a placed sharded tensor reports it: with ttnn's derived nd_shard_spec."""
        assert self.shard_spec is not None
        out = MemoryConfig(self.memory_layout, self.buffer_type, self.shard_spec)
        strategy = (
            ShardDistributionStrategy.GRID_2D
            if self.memory_layout is TensorMemoryLayout.BLOCK_SHARDED
            else ShardDistributionStrategy.ROUND_ROBIN_1D
        )
        out.nd_shard_spec = NdShardSpec(
            self.shard_spec.shape, self.shard_spec.grid, self.shard_spec.orientation, strategy
        )
        out._nd_mirror = True
        return out

    def _key(self) -> tuple[Any, ...]:
        # ttnn's equality ignores an nd_shard_spec derived from the shard spec
        return (self.memory_layout, self.buffer_type, self.shard_spec, None if self._nd_mirror else self.nd_shard_spec)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MemoryConfig) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        shard = repr(self.shard_spec) if self.shard_spec is not None else "std::nullopt"
        nd = "std::nullopt"
        if self.nd_shard_spec is not None:
            s = self.nd_shard_spec
            grid = ", ".join(
                f'{{"start":{{"x":{r.start.x},"y":{r.start.y}}},"end":{{"x":{r.end.x},"y":{r.end.y}}}}}'
                for r in s.grid.ranges()
            )
            nd = (
                f'{{"shard_shape":[{", ".join(str(d) for d in s.shard_shape)}],"grid":[{grid}],'
                f'"orientation":"ShardOrientation::{s.orientation.name}",'
                f'"shard_distribution_strategy":"ShardDistributionStrategy::{s.shard_distribution_strategy.name}"}}'
            )
        created = 0 if self._nd_mirror or self.nd_shard_spec is None else 1
        return (
            f"MemoryConfig(memory_layout=TensorMemoryLayout::{self.memory_layout.name},"
            f"buffer_type=BufferType::{self.buffer_type.name},shard_spec={shard},nd_shard_spec={nd},"
            f"created_with_nd_shard_spec={created},per_core_allocation=0,range_lockstep_allocation=0)"
        )


class Shape:
    """`Shape([1, 1, 32, 64])`: indexable, iterable, equal to lists and tuples of its dims."""

    __slots__ = ("_dims",)

    def __init__(self, dims: Sequence[int]) -> None:
        self._dims = tuple(int(d) for d in dims)

    @property
    def rank(self) -> int:
        return len(self._dims)

    def __len__(self) -> int:
        return len(self._dims)

    def __getitem__(self, i: int) -> int:
        return self._dims[i]

    def __iter__(self) -> Iterator[int]:
        return iter(self._dims)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Shape):
            return self._dims == other._dims
        if isinstance(other, list | tuple):
            return self._dims == tuple(other)
        return False

    def __hash__(self) -> int:
        return hash(self._dims)

    def __repr__(self) -> str:
        return f"Shape([{', '.join(str(d) for d in self._dims)}])"


class MeshCoordinate:
    __slots__ = ("_coords",)

    def __init__(self, coords: Sequence[int]) -> None:
        self._coords = tuple(int(c) for c in coords)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MeshCoordinate) and self._coords == other._coords

    def __hash__(self) -> int:
        return hash(self._coords)

    def __repr__(self) -> str:
        return f"MeshCoordinate([{', '.join(str(c) for c in self._coords)}])"


class WormholeComputeKernelConfig:
    """ttnn's compute kernel config (its Python class on Wormhole and Blackhole)."""

    def __init__(
        self,
        *,
        math_fidelity: MathFidelity = MathFidelity.LoFi,
        math_approx_mode: bool = True,
        fp32_dest_acc_en: bool = False,
        packer_l1_acc: bool = False,
        dst_full_sync_en: bool = False,
        throttle_level: ThrottleLevel = ThrottleLevel.NO_THROTTLE,
    ) -> None:
        self.math_fidelity = math_fidelity
        self.math_approx_mode = math_approx_mode
        self.fp32_dest_acc_en = fp32_dest_acc_en
        self.packer_l1_acc = packer_l1_acc
        self.dst_full_sync_en = dst_full_sync_en
        self.throttle_level = throttle_level


DRAM_MEMORY_CONFIG = MemoryConfig()
L1_MEMORY_CONFIG = MemoryConfig(TensorMemoryLayout.INTERLEAVED, BufferType.L1)
L1_HEIGHT_SHARDED_MEMORY_CONFIG = MemoryConfig(TensorMemoryLayout.HEIGHT_SHARDED, BufferType.L1)
L1_WIDTH_SHARDED_MEMORY_CONFIG = MemoryConfig(TensorMemoryLayout.WIDTH_SHARDED, BufferType.L1)
L1_BLOCK_SHARDED_MEMORY_CONFIG = MemoryConfig(TensorMemoryLayout.BLOCK_SHARDED, BufferType.L1)
