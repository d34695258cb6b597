"""Every real fixture is read; counts reconcile; every rejection is a genuine, justified defect."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SEED_MASTER, TTNN_TRACES, UPSTREAM, fixture_id, fixture_inputs, needs_shared
from ttgen.ingest import ingest_path
from ttgen.model import DataType, Layout, TensorMemoryLayout, TensorValue

pytestmark = needs_shared

# (format, present, parsed, rejected, unique configurations) per fixture.
EXPECTED = {
    "sweep_trace_gpt_oss.json": ("v2", 132, 132, 0, 132),
    "ttnn_master_v2_verbatim_excerpts.json": ("v2", 11, 11, 0, 11),
    "ttnn_operations_master_mini.json": ("v2", 2, 1, 1, 1),
    "ttnn_operations_master_v1_graphcapture_excerpt.json": ("v1", 3, 3, 0, 3),
    "operation_parameters": ("operation-parameters", 24, 24, 0, 21),
    "graph_report.json": ("graph-capture", 6, 4, 2, 4),
}

# Every rejection the fixtures produce, with why it is a defect of the input and not of ttgen.
JUSTIFIED = {
    (
        "ttnn_operations_master_mini.json",
        "ttnn.transpose",
        "/operations/ttnn::transpose/configurations/0/arguments/arg0/Tensor",
    ): "upstream's hand-written test fixture gives a HEIGHT_SHARDED L1 input tensor no shard_spec at all; "
    "ttnn cannot create such a tensor, and falling back to interleaved would test a different config",
    ("graph_report.json", "ttnn.convert_python_tensor_to_tt_tensor", "/graph/1/arguments/2"): (
        "graph capture printed '<optional>' instead of the value of an optional argument: the value is lost"
    ),
    ("graph_report.json", "ttnn.convert_python_tensor_to_tt_tensor", "/graph/12/arguments/2"): (
        "same as above, for the second host-tensor conversion"
    ),
}


@pytest.mark.parametrize("path", fixture_inputs(), ids=fixture_id)
def test_counts_reconcile(path: Path) -> None:
    result = ingest_path(path)
    assert result.reconciles()
    fmt, present, parsed, rejected, unique = EXPECTED[path.name]
    assert result.format == fmt
    assert sum(result.present.values()) == present
    assert sum(result.parsed.values()) == parsed
    assert len(result.rejections) == rejected
    assert len(result.configs) == unique
    # executions of merged identical calls add up to the parsed calls
    if result.merge_identical:
        assert sum(c.config.execution_count for c in result.configs) == parsed


@pytest.mark.parametrize("path", fixture_inputs(), ids=fixture_id)
def test_every_rejection_is_justified(path: Path) -> None:
    for r in ingest_path(path).rejections:
        assert (path.name, r.operation, r.pointer) in JUSTIFIED, f"unexpected rejection: {r}"


def test_v2_files_have_zero_rejections_except_the_justified_fixture_defect() -> None:
    for name in ("sweep_trace_gpt_oss.json", "ttnn_master_v2_verbatim_excerpts.json"):
        assert ingest_path(UPSTREAM / name).rejections == []


def test_upstream_metadata_counts_reconcile_with_the_file() -> None:
    """The metadata block is upstream's own count: where the file is complete, ours agrees."""
    for name in ("sweep_trace_gpt_oss.json", "ttnn_master_v2_verbatim_excerpts.json"):
        result = ingest_path(UPSTREAM / name)
        md = result.metadata
        assert md.total_configurations == sum(result.present.values())
        assert md.unique_operations == len(result.present)
        assert dict(md.operations_summary) == dict(result.present)


def test_multi_range_width_shard_grid_is_exact() -> None:
    add = ingest_path(UPSTREAM / "ttnn_master_v2_verbatim_excerpts.json").master().configs("ttnn.add")
    arg1 = next(c for c in add if c.config_id == 2).argument("arg1")
    assert isinstance(arg1, TensorValue)
    spec = arg1.spec.memory_config.shard_spec
    assert arg1.spec.memory_config.memory_layout is TensorMemoryLayout.WIDTH_SHARDED
    assert spec is not None and spec.shape == (32, 32)
    ranges = [(r.start.x, r.start.y, r.end.x, r.end.y) for r in spec.grid.ranges]
    assert ranges == [(0, 0, 7, 2), (0, 3, 3, 3)]
    assert spec.grid.num_cores == 28


def test_v1_unparsed_element_is_repaired_into_a_height_sharded_tensor() -> None:
    pad = ingest_path(UPSTREAM / "ttnn_operations_master_v1_graphcapture_excerpt.json").master().configs("ttnn.pad")
    arg0 = pad[0].argument("arg0")
    assert isinstance(arg0, TensorValue)
    mc = arg0.spec.memory_config
    assert mc.memory_layout is TensorMemoryLayout.HEIGHT_SHARDED
    assert mc.shard_spec is not None and mc.shard_spec.shape == (224, 224)
    assert [(r.start.x, r.start.y, r.end.x, r.end.y) for r in mc.shard_spec.grid.ranges] == [(0, 0, 7, 7)]
    # V1 records no layout; alignment [1] is ttnn's row-major default
    assert arg0.spec.layout is Layout.ROW_MAJOR
    assert [a.name for a in pad[0].arguments] == ["arg0", "arg1", "arg2", "arg3", "arg4"]


def test_per_call_traces_keep_return_values_and_merge_identical_calls() -> None:
    result = ingest_path(TTNN_TRACES / "operation_parameters")
    matmul = result.master().configs("ttnn.matmul")[0]
    weight = matmul.argument("arg1")
    assert isinstance(weight, TensorValue) and weight.spec.dtype is DataType.BFLOAT8_B
    assert isinstance(matmul.output, TensorValue)
    to_device = result.master().configs("ttnn.to_device")
    assert sum(c.execution_count for c in to_device) == 12


def test_graph_report_uses_python_io_for_arguments_and_outputs() -> None:
    result = ingest_path(TTNN_TRACES / "graph_report.json")
    add = result.master().configs("ttnn.add")[0]
    shapes = [a.value.spec.shape for a in add.arguments if isinstance(a.value, TensorValue)]
    assert shapes == [(1, 1, 32, 32), (4, 1, 32, 32)]
    assert isinstance(add.output, TensorValue) and add.output.spec.shape == (4, 1, 32, 32)
    machine = add.executions[0].machine_info
    assert machine is not None and (machine.board_type, machine.device_series) == ("Wormhole", "n150")
    assert any("Tensor::deallocate ×2" in n for n in result.notes)


def test_embedded_master_is_clean() -> None:
    result = ingest_path(SEED_MASTER)
    assert result.rejections == [] and result.reconciles()
    assert len(result.configs) == 15
