"""Binding traced configurations onto the real signatures of ttnn 0.81.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SEED_MASTER, UPSTREAM, fixture_id, fixture_inputs, needs_shared
from ttgen.ingest import ingest_document, ingest_path
from ttgen.model import FloatValue, IntValue, ListValue, NoneValue, OpConfig, ShapeValue, TensorValue
from ttgen.signatures.bind import BindError, bind
from ttgen.signatures.catalog import load_catalog
from ttgen.signatures.typematch import parse_annotation

CATALOG = load_catalog()

# Every configuration of the fixtures that does not bind, and why that is right.
UNBINDABLE = {
    ("sweep_trace_gpt_oss.json", "ttnn.experimental.all_gather_async"): "traced against another ttnn's CCL API",
    ("ttnn_operations_master_mini.json", "ttnn.slice"): "the hand-written fixture omits the required starts",
    ("ttnn_operations_master_v1_graphcapture_excerpt.json", "ttnn.pad"): "V1 captured C++-level arguments",
}


@pytest.mark.parametrize("path", [*fixture_inputs(), SEED_MASTER], ids=fixture_id)
def test_fixture_configurations_bind_or_fail_for_a_known_reason(path: Path) -> None:
    for located in ingest_path(path).configs:
        try:
            bind(located.config, CATALOG)
        except BindError as e:
            assert (path.name, located.config.operation) in UNBINDABLE, e.reason


@needs_shared
def test_overloads_are_resolved_by_value_kind() -> None:
    add = ingest_path(UPSTREAM / "ttnn_master_v2_verbatim_excerpts.json").master().configs("ttnn.add")
    by_id = {c.config_id: bind(c, CATALOG) for c in add}
    assert by_id[1].overload_index == 0  # tensor + scalar
    assert by_id[2].overload_index == 1  # tensor + tensor
    scalar = by_id[1].get("input_tensor_b")
    assert scalar is not None and isinstance(scalar.value, FloatValue)
    out = by_id[12].get("output_tensor")
    assert out is not None and out.traced_as == "output_tensor" and isinstance(out.value, TensorValue)


def one(op: str, args: dict[str, object]) -> OpConfig:
    doc = {"operations": {op: {"configurations": [{"arguments": args}]}}}
    (located,) = ingest_document(doc, "m.json").configs
    return located.config


def test_unknown_op_and_unknown_keyword_are_reasons_not_crashes() -> None:
    with pytest.raises(BindError, match=r"not an operation of ttnn 0\.81\.1"):
        bind(one("ttnn.not_an_op", {}), CATALOG)
    with pytest.raises(BindError, match="required parameter input_tensor is not traced"):
        bind(one("ttnn.relu", {"memory_config": None}), CATALOG)


def test_annotations() -> None:
    assert parse_annotation("int | int | float").accepts(FloatValue.of(0.5))
    assert parse_annotation("ttnn._ttnn.tensor.MemoryConfig | None").accepts(NoneValue())
    seq = parse_annotation("collections.abc.Sequence[int]")
    assert seq.accepts(ListValue(items=(IntValue(value=1),))) and seq.accepts(ShapeValue(dims=(1, 2)))
    assert not seq.accepts(ListValue(items=(FloatValue.of(1.5),)))
    assert parse_annotation("Optional[ttnn._ttnn.tensor.DataType]").optional
