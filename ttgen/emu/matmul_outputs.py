"""The shard spec ttnn 0.81.1 derives for a matmul / linear whose output memory config is sharded
but names no shard spec (and no program config is given): ttnn picks a program config and the
output's shards follow it. Probed on a mock N150 (8x8 grid) over M, K, N and input shardings:

- input A width-sharded: the output is width-sharded over the first cores of A's grid,
  per_core_N = ceil(N_tiles / A's cores) tiles each (a height or block output is refused);
- input A interleaved with one tile row (decode: M <= 32): the 1-D multicast config over the
  compute grid, per_core_N = ceil(N_tiles / grid cores), on ceil(N_tiles / per_core_N) cores.

Every other case comes from ttnn's 2-D / height heuristics (probed to depend on M, N and L1
clashes): not modelled, so reported as not emulated rather than guessed."""

from __future__ import annotations

from ttgen.emu.tensor import fatal, padded_dims
from ttgen.emu.types import CoreCoord, CoreRange, CoreRangeSet, MemoryConfig, ShardSpec
from ttgen.facts.enums import Layout, ShardOrientation, TensorMemoryLayout
from ttgen.facts.validity import TILE


def _underived(op: str, form: str) -> NotImplementedError:
    from ttgen.emu import NotEmulatedError

    return NotEmulatedError(f"{op} is not emulated for {form}")


def _cores(grid: CoreRangeSet) -> list[CoreCoord]:
    """A grid's cores in ttnn's row-major order (ranges in order, each row by row)."""
    return [
        CoreCoord(x, y)
        for r in grid.ranges()
        for y in range(r.start.y, r.end.y + 1)
        for x in range(r.start.x, r.end.x + 1)
    ]


def first_cores(grid: CoreRangeSet, n: int) -> CoreRangeSet:
    """The first n cores of `grid` as ttnn writes them: row segments, stacked rows of one extent
    merged into a rectangle."""
    rows: dict[int, list[int]] = {}
    for core in _cores(grid)[:n]:
        rows.setdefault(core.y, []).append(core.x)
    segments = [(min(xs), max(xs), y) for y, xs in sorted(rows.items())]
    ranges: list[CoreRange] = []
    for x0, x1, y in segments:
        last = ranges[-1] if ranges else None
        if last is not None and (last.start.x, last.end.x, last.end.y + 1) == (x0, x1, y):
            ranges[-1] = CoreRange(last.start, CoreCoord(x1, y))
        else:
            ranges.append(CoreRange(CoreCoord(x0, y), CoreCoord(x1, y)))
    return CoreRangeSet(ranges)


def derived_output(
    op: str,
    out: MemoryConfig,
    a_shape: tuple[int, ...],
    a_config: MemoryConfig,
    n: int,
    grid: CoreCoord,
) -> MemoryConfig:
    """`out` with the shard spec ttnn gives it (see the module docstring)."""
    padded = padded_dims(a_shape, Layout.TILE)
    height = 1
    for d in padded[:-1]:
        height *= d
    n_tiles = -(-n // TILE)
    if a_config.is_sharded():
        if a_config.memory_layout is not out.memory_layout:
            raise fatal(
                f"Input A and output memory layouts must match, got input: TensorMemoryLayout::"
                f"{a_config.memory_layout.name} vs output: TensorMemoryLayout::{out.memory_layout.name}"
            )
        if a_config.memory_layout is not TensorMemoryLayout.WIDTH_SHARDED or a_config.shard_spec is None:
            raise _underived(op, f"a {a_config.memory_layout.name} input A with a shard-spec-less output")
        source = a_config.shard_spec.grid
        orientation = a_config.shard_spec.orientation
    elif out.memory_layout is TensorMemoryLayout.WIDTH_SHARDED and height == TILE:
        source = CoreRangeSet([CoreRange(CoreCoord(0, 0), CoreCoord(grid.x - 1, grid.y - 1))])
        orientation = ShardOrientation.ROW_MAJOR
    else:
        raise _underived(
            op,
            f"a {out.memory_layout.name} output without a shard spec for an interleaved input A of "
            f"{height // TILE} tile rows (ttnn's program-config heuristics)",
        )
    per_core = -(-n_tiles // source.num_cores())
    used = -(-n_tiles // per_core)
    spec = ShardSpec(first_cores(source, used), [height, per_core * TILE], orientation)
    return MemoryConfig(out.memory_layout, out.buffer_type, spec)
