"""The printed-form parsers: each accepts its documented form exactly and refuses the rest."""

from __future__ import annotations

import pytest

from ttgen.facts.reprs import split_top
from ttgen.ingest.reprs import (
    parse_core_range_set_text,
    parse_cpp_value,
    parse_memory_config_text,
    parse_object_repr,
    parse_placements,
    parse_shard_spec_text,
    parse_tensor_repr,
)
from ttgen.model import (
    BufferType,
    CoreCoordValue,
    DataType,
    EnumValue,
    IntValue,
    ListValue,
    NoneValue,
    ObjectValue,
    Replicate,
    Shard,
    ShardOrientation,
    TensorMemoryLayout,
)

MC_DRAM = (
    "MemoryConfig(memory_layout=TensorMemoryLayout::INTERLEAVED,buffer_type=BufferType::DRAM,"
    "shard_spec=std::nullopt,nd_shard_spec=std::nullopt,created_with_nd_shard_spec=0,"
    "per_core_allocation=0,range_lockstep_allocation=0)"
)
TWO_RANGE_SPEC = (
    'ShardSpec{grid=[{"start":{"x":0,"y":0},"end":{"x":3,"y":0}, {"start":{"x":0,"y":1},"end":{"x":1,"y":1}], '
    "shape=[32, 64], orientation=ShardOrientation::COL_MAJOR}"
)


def test_shard_spec_with_the_cpp_grid_quirk() -> None:
    spec = parse_shard_spec_text(TWO_RANGE_SPEC)
    assert [(r.start.x, r.start.y, r.end.x, r.end.y) for r in spec.grid.ranges] == [(0, 0, 3, 0), (0, 1, 1, 1)]
    assert spec.shape == (32, 64) and spec.orientation is ShardOrientation.COL_MAJOR


@pytest.mark.parametrize(
    "bad",
    [
        TWO_RANGE_SPEC.replace("shape=[32, 64]", "shape=[32]"),
        TWO_RANGE_SPEC.replace('"x":3', '"x":-3'),
        TWO_RANGE_SPEC.replace("COL_MAJOR", "DIAGONAL"),
        TWO_RANGE_SPEC.replace(', {"start"', ' {"start"'),
        "ShardSpec{}",
    ],
)
def test_malformed_shard_spec_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_shard_spec_text(bad)


def test_memory_config_repr() -> None:
    mc = parse_memory_config_text(MC_DRAM)
    assert (mc.memory_layout, mc.buffer_type, mc.shard_spec) == (
        TensorMemoryLayout.INTERLEAVED,
        BufferType.DRAM,
        None,
    )
    sharded = parse_memory_config_text(
        MC_DRAM.replace("INTERLEAVED", "HEIGHT_SHARDED")
        .replace("BufferType::DRAM", "BufferType::L1")
        .replace(",shard_spec=std::nullopt", ",shard_spec=" + TWO_RANGE_SPEC)
    )
    assert sharded.shard_spec is not None and sharded.shard_spec.grid.num_cores == 6


def test_memory_config_repr_refuses_unsupported_allocation_flags() -> None:
    with pytest.raises(ValueError, match="per_core_allocation=1"):
        parse_memory_config_text(MC_DRAM.replace("per_core_allocation=0", "per_core_allocation=1"))


def test_core_range_set_repr_and_overlap() -> None:
    assert parse_core_range_set_text("{[0-0 - 7-7]}").num_cores == 64
    with pytest.raises(ValueError, match="overlap"):
        parse_core_range_set_text("{[0-0 - 3-3], [2-2 - 4-4]}")


def test_placements() -> None:
    assert parse_placements("['PlacementShard(2)', 'PlacementReplicate']") == (Shard(dim=2), Replicate())
    assert parse_placements(["PlacementShard(dim=-1)", "PlacementReplicate()"]) == (Shard(dim=-1), Replicate())
    with pytest.raises(ValueError):
        parse_placements("['PlacementShard()']")


def test_v1_cpp_scalars() -> None:
    assert parse_cpp_value("nullopt") == NoneValue()
    assert parse_cpp_value("0") == IntValue(value=0)
    assert parse_cpp_value("[32, 16, 3, 3]") == ListValue(items=tuple(IntValue(value=v) for v in (32, 16, 3, 3)))
    assert parse_cpp_value("DataType::BFLOAT8_B") == EnumValue(enum="DataType", member="BFLOAT8_B")
    for lost in ("[ unsupported type , std::reference_wrapper<std::array<unsigned int, 4ul> >]", "<optional>"):
        with pytest.raises(ValueError, match="did not capture"):
            parse_cpp_value(lost)
    with pytest.raises(ValueError, match="unrecognized"):
        parse_cpp_value("__import__('os').system('true')")


def test_program_config_repr_is_structured() -> None:
    pc = parse_object_repr(
        "SDPAProgramConfig",
        "SDPAProgramConfig(compute_with_storage_grid_size=(x=8,y=8), sub_core_grids=std::nullopt, "
        "q_chunk_size=32, exp_approx_mode=false)",
    )
    assert isinstance(pc, ObjectValue)
    assert pc.get("compute_with_storage_grid_size") == CoreCoordValue(x=8, y=8)
    assert pc.get("sub_core_grids") == NoneValue()
    assert [f.name for f in pc.fields] == sorted(f.name for f in pc.fields)


def test_unknown_repr_is_refused_not_guessed() -> None:
    with pytest.raises(ValueError):
        parse_object_repr("MatmulProgramConfig", "SDPAProgramConfig(a=1)")


def test_python_tensor_repr() -> None:
    t = parse_tensor_repr(
        f"ttnn.Tensor(shape=Shape([4, 1, 32, 32]), dtype=DataType.BFLOAT8_B, layout=Layout.TILE, "
        f"memory_config={MC_DRAM}, storage_type=StorageType.DEVICE, tensor_id=47, mesh_shape=MeshShape([1, 1]), "
        f"distribution_shape=MeshShape([1]), placements=['PlacementReplicate()'])"
    )
    assert t.spec.shape == (4, 1, 32, 32) and t.spec.dtype is DataType.BFLOAT8_B and t.spec.placement is None


def test_split_top_respects_nesting_and_quotes() -> None:
    assert split_top("a=(1, 2), b=[3, 4], c='x, y'") == ["a=(1, 2)", "b=[3, 4]", "c='x, y'"]
    with pytest.raises(ValueError):
        split_top("a=(1, 2")
