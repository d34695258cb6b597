"""--all-cases: Cartesian products of traced values, pruned by ttnn's static validity rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import UPSTREAM, needs_shared
from ttgen.compile.all_cases import spec_error
from ttgen.compile.compiler import compile_master
from ttgen.compile.outputs import check
from ttgen.facts.validity import ShardLayout, grid_error, layout_error, physical_shape, shard_error
from ttgen.model import TensorValue


def shard(
    kind: str, shape: tuple[int, int], *ranges: tuple[int, int, int, int], orient: str = "ROW_MAJOR"
) -> ShardLayout:
    return ShardLayout(kind, shape, ranges, orient)


# Rules and messages of shared/reference/ttnn-0.81.1.md §2 (observed on the real wheel).
@pytest.mark.parametrize(
    ("shape", "tile", "layout", "message"),
    [
        ((1, 1, 256, 64), True, shard("HEIGHT_SHARDED", (16, 64), (0, 0, 7, 0)), "Physical shard shape (16, 64) must be tile {32, 32} sized!"),
        ((1, 1, 256, 64), True, shard("HEIGHT_SHARDED", (32, 32), (0, 0, 7, 0)), "Shard width 32 must match physical width 64 for height sharded"),
        ((1, 1, 512, 64), True, shard("HEIGHT_SHARDED", (32, 64), (0, 0, 7, 0)), "Number of shards along height 16 must not exceed number of cores 8"),
        ((1, 1, 64, 512), True, shard("WIDTH_SHARDED", (32, 64), (0, 0, 7, 0)), "Shard height 32 must match physical height 64 for width sharded"),
        ((1, 1, 32, 512), True, shard("WIDTH_SHARDED", (32, 32), (0, 0, 7, 0)), "Number of shards along width 16 must not exceed number of cores 8"),
        ((1, 1, 64, 64), True, shard("BLOCK_SHARDED", (32, 32), (0, 0, 1, 0), (0, 1, 1, 1)), "Shard grid must be one full rectangular grid for block sharded!"),
        ((1, 1, 128, 64), True, shard("BLOCK_SHARDED", (32, 32), (0, 0, 1, 1)), "Number of shards along height 4 must not exceed number of rows 2 for row major orientation!"),
        ((1, 1, 64, 128), True, shard("BLOCK_SHARDED", (32, 32), (0, 0, 1, 1)), "Number of shards along width 4 must not exceed number of columns 2 for row major orientation!"),
        ((1, 1, 128, 64), True, shard("BLOCK_SHARDED", (32, 32), (0, 0, 1, 3), orient="COL_MAJOR"), "Number of shards along height 4 must not exceed number of columns 2 for column major orientation!"),
        ((1, 1, 256, 64), True, shard("HEIGHT_SHARDED", (32, 64), (0, 0, 7, 0)), None),
        ((1, 1, 12544, 32), True, shard("HEIGHT_SHARDED", (224, 32), (0, 0, 7, 6)), None),
        ((1, 1, 64, 128), True, shard("BLOCK_SHARDED", (64, 64), (0, 0, 3, 1)), None),
        ((1, 1, 30, 10), False, shard("HEIGHT_SHARDED", (15, 10), (0, 0, 1, 0)), None),  # ROW_MAJOR: no tile rule
    ],
)  # fmt: skip
def test_shard_rules_and_messages(shape: tuple[int, ...], tile: bool, layout: ShardLayout, message: str | None) -> None:
    assert shard_error(shape, tile, layout) == message


def test_physical_shape_pads_tiles() -> None:
    assert physical_shape((1, 2, 50, 64), tile=True) == (128, 64)  # reference §2's example
    assert physical_shape((1, 2, 50, 64), tile=False) == (100, 64)
    assert physical_shape((50,), tile=True) == (32, 64)


def test_block_floats_need_tile_and_grid_must_fit_the_device() -> None:
    assert layout_error("BFLOAT8_B", tile=False) == "Only TILE layout is supported for BFLOAT8_B dtype!"
    assert layout_error("BFLOAT8_B", tile=True) is None
    err = grid_error((1, 1, 288, 32), True, shard("HEIGHT_SHARDED", (32, 32), (0, 0, 8, 0)), 8, 8)
    assert err is not None and err.startswith("Invalid shard grid: shard core (8, 0) has no L1 bank")


@needs_shared
def test_all_cases_on_a_real_master_reconciles_and_emits_only_valid_combinations(tmp_path: Path) -> None:
    master = UPSTREAM / "sweep_trace_gpt_oss.json"
    comp = compile_master(master, tmp_path / "generated", all_cases=True)
    enumerated = new = pruned = 0
    for r in comp.reports:
        if r.expansion is None:
            continue
        enumerated += r.expansion.combinations - r.expansion.not_expanded
        new += r.combinations
        pruned += sum(r.expansion.pruned.values())
        for config in r.expansion.configs:
            for a in config.arguments:
                if isinstance(a.value, TensorValue):
                    s = a.value.spec
                    parts = {"shape": s.shape, "dtype": s.dtype, "layout": s.layout, "memory_config": s.memory_config}
                    assert spec_error(parts, (8, 8)) is None
    assert new > 0 and pruned > 0 and new + pruned <= enumerated
    reasons = {reason for r in comp.reports if r.expansion for reason in r.expansion.pruned}
    assert "Only TILE layout is supported for BFLOAT8_B dtype!" in reasons
    # the exact cases are all still there, and the module carries both suites
    exact = compile_master(master, tmp_path / "exact")
    assert sum(r.cases for r in comp.reports) == sum(r.cases for r in exact.reports)
    assert "all_cases" in comp.files["sweeps/ttnn/transpose.py"]
    from ttgen.compile.outputs import write

    write(comp)
    assert check(compile_master(master, tmp_path / "generated", all_cases=True)) == []
