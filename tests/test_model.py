"""IR invariants: what ttnn itself would refuse, the IR refuses too."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ttgen.model import (
    Argument,
    BufferType,
    CoreCoord,
    CoreRange,
    CoreRangeSet,
    DataType,
    FloatValue,
    IntValue,
    Layout,
    MemoryConfig,
    OpConfig,
    TensorMemoryLayout,
    TensorSpec,
    normalize_op_name,
    parse_member,
    resolve_op_query,
)


def test_enum_values_are_ttnns() -> None:
    assert DataType.BFLOAT8_B.value == 3 and DataType.INT32.value == 7
    assert TensorMemoryLayout.BLOCK_SHARDED.value == 4 and BufferType.L1_SMALL.value == 3
    assert parse_member(DataType, "DataType::BFLOAT16") is DataType.BFLOAT16
    assert parse_member(DataType, "ttnn.bfloat8_b") is DataType.BFLOAT8_B
    assert parse_member(Layout, "ttnn.TILE_LAYOUT") is Layout.TILE
    with pytest.raises(ValueError):
        parse_member(DataType, "Layout.TILE")


def test_core_range_must_be_ordered() -> None:
    with pytest.raises(ValidationError):
        CoreRange(start=CoreCoord(x=3, y=0), end=CoreCoord(x=1, y=0))


def test_core_range_set_must_not_overlap() -> None:
    r = CoreRange(start=CoreCoord(x=0, y=0), end=CoreCoord(x=1, y=1))
    with pytest.raises(ValidationError):
        CoreRangeSet(ranges=(r, r))


def test_sharded_tensor_needs_a_shard_spec_but_an_output_config_does_not() -> None:
    mc = MemoryConfig(memory_layout=TensorMemoryLayout.HEIGHT_SHARDED, buffer_type=BufferType.L1)
    with pytest.raises(ValidationError, match="no shard spec"):
        TensorSpec(shape=(1, 32), dtype=DataType.BFLOAT16, layout=Layout.TILE, memory_config=mc)


def test_argument_names_are_identifiers_and_never_keywords() -> None:
    for bad in ("lambda", "a-b", "__import__('os')", "x\ny", "é"):
        with pytest.raises(ValidationError):
            Argument(name=bad, value=IntValue(value=1))


def test_opconfig_requires_contiguous_positionals_in_canonical_order() -> None:
    one = IntValue(value=1)
    with pytest.raises(ValidationError, match="missing arg1"):
        OpConfig(
            operation="ttnn.add",
            arguments=(Argument(name="arg0", value=one), Argument(name="arg2", value=one)),
            config_hash="x",
        )
    with pytest.raises(ValidationError, match="canonical order"):
        OpConfig(
            operation="ttnn.add",
            arguments=(Argument(name="k", value=one), Argument(name="arg0", value=one)),
            config_hash="x",
        )


def test_float_nan_equals_itself() -> None:
    assert FloatValue.of(float("nan")) == FloatValue.of(float("nan"))
    assert FloatValue.of(float("-inf")).text == "-inf"


def test_op_names() -> None:
    assert normalize_op_name("ttnn::experimental::paged_fill_cache") == "ttnn.experimental.paged_fill_cache"
    for bad in ("add", "torch.add", "ttnn.add(1)", "ttnn..add", "ttnn.__import__('os')"):
        with pytest.raises(ValueError):
            normalize_op_name(bad)
    known = ("ttnn.add", "ttnn.experimental.paged_fill_cache", "ttnn.transformer.scaled_dot_product_attention")
    assert resolve_op_query("add", known) == "ttnn.add"
    assert resolve_op_query("ttnn::add", known) == "ttnn.add"
    assert resolve_op_query("paged_fill_cache", known) == "ttnn.experimental.paged_fill_cache"
    assert resolve_op_query("sub", known) is None
