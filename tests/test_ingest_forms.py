"""Input forms the fixtures do not cover, built here from scratch (no upstream data copied)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TTNN_TRACES, needs_shared
from ttgen.ingest import TraceFormatError, ingest_document, ingest_path
from ttgen.model import Layout, MachineInfo, TensorMemoryLayout, TensorValue

V1_TENSOR = {
    "Tensor": {
        "storage": {},
        "tensor_spec": {
            "logical_shape": [1, 1, 64, 64],
            "tensor_layout": {
                "dtype": "DataType::BFLOAT16",
                "memory_config": {
                    "memory_layout": "TensorMemoryLayout::INTERLEAVED",
                    "buffer_type": "BufferType::DRAM",
                    "shard_spec": "std::nullopt",
                },
                "alignment": [32, 32],
            },
        },
    }
}
MACHINE = {"board_type": "Wormhole", "device_series": "n300", "card_count": 1}


def master(*configs: Any, op: str = "ttnn::relu") -> dict[str, Any]:
    return {"operations": {op: {"configurations": list(configs)}}}


def test_v1_wrapped_form_keeps_source_machine_and_count() -> None:
    doc = master(
        {"arguments": [{"arg0": V1_TENSOR}], "source": "models/a.py", "machine_info": [MACHINE], "execution_count": 3}
    )
    (located,) = ingest_document(doc, "m.json").configs
    (e,) = located.config.executions
    assert (e.source, e.count, e.machine_info) == ("models/a.py", 3, MachineInfo(**MACHINE))
    arg0 = located.config.argument("arg0")
    assert isinstance(arg0, TensorValue) and arg0.spec.layout is Layout.TILE


def test_v1_contexts_form_gives_one_execution_per_source() -> None:
    doc = master(
        {"arguments": [{"arg0": V1_TENSOR}], "contexts": [{"source": ["a.py", "b.py"], "machine_info": MACHINE}]}
    )
    (located,) = ingest_document(doc, "m.json").configs
    assert [e.source for e in located.config.executions] == ["a.py", "b.py"]


def test_v1_merged_sources_and_machines_that_cannot_be_paired_are_rejected() -> None:
    doc = master({"arguments": [{"arg0": V1_TENSOR}], "source": ["a.py", "b.py"], "machine_info": [MACHINE, MACHINE]})
    result = ingest_document(doc, "m.json")
    assert result.configs == [] and "cannot be paired" in result.rejections[0].reason


def test_v1_layout_unknown_without_alignment_is_kept_unknown() -> None:
    tensor = json.loads(json.dumps(V1_TENSOR))
    del tensor["Tensor"]["tensor_spec"]["tensor_layout"]["alignment"]
    (located,) = ingest_document(master([{"arg0": tensor}]), "m.json").configs
    arg0 = located.config.argument("arg0")
    assert isinstance(arg0, TensorValue) and arg0.spec.layout is None


def test_unreadable_shard_spec_is_a_rejection_never_interleaved() -> None:
    tensor = json.loads(json.dumps(V1_TENSOR))
    mc = tensor["Tensor"]["tensor_spec"]["tensor_layout"]["memory_config"]
    mc.update(
        memory_layout="TensorMemoryLayout::HEIGHT_SHARDED",
        buffer_type="BufferType::L1",
        shard_spec="ShardSpec{garbage}",
    )
    result = ingest_document(master([{"arg0": tensor}]), "m.json")
    (r,) = result.rejections
    assert r.pointer.endswith("/memory_config/shard_spec") and "unreadable shard spec" in r.reason


def test_unknown_configuration_field_is_a_rejection() -> None:
    result = ingest_document(master({"arguments": {}, "executions": [], "absent_keys": ["x"]}), "m.json")
    assert result.rejections[0].reason == "unknown configuration field 'absent_keys'"


def test_invalid_op_names_reject_each_configuration() -> None:
    result = ingest_document(master({"arguments": {}}, {"arguments": {}}, op="ttnn.add; import os"), "m.json")
    assert len(result.rejections) == 2 and result.present["ttnn.add; import os"] == 2 and result.reconciles()


def test_serialized_graph_content_form() -> None:
    doc = {"content": [{"operation": "ttnn::relu", "arguments": [{"arg0": V1_TENSOR}]}] * 3}
    result = ingest_document(doc, "g.json")
    assert result.format == "v1-serialized-graph"
    assert len(result.configs) == 1 and sum(result.parsed.values()) == 3


def _call(op: str, shape: list[int]) -> dict[str, Any]:
    tensor = {
        "type": "ttnn.Tensor",
        "original_shape": shape,
        "original_dtype": "DataType.BFLOAT16",
        "layout": "Layout.TILE",
        "storage_type": "StorageType.DEVICE",
        "memory_config": {
            "memory_layout": "TensorMemoryLayout.INTERLEAVED",
            "buffer_type": "BufferType.DRAM",
            "shard_spec": "None",
        },
    }
    return {"operation_id": 1, "operation_name": op, "args": [{"position": 0, "value": tensor}], "kwargs": {}}


def test_per_test_directories_keep_only_passed_tests(tmp_path: Path) -> None:
    for test, status in (("aaa", "passed"), ("bbb", "failed")):
        d = tmp_path / test
        d.mkdir()
        (d / "_status.json").write_text(json.dumps({"test_nodeid": f"tests/t.py::test_{test}", "status": status}))
        (d / "_trace_metadata.json").write_text(json.dumps({"test_source": "tests/t.py", "machine_info": MACHINE}))
        (d / "1_ttnn_relu_x.json").write_text(json.dumps(_call("ttnn.relu", [1, 1, 32, 32])))
    result = ingest_path(tmp_path)
    assert result.reconciles() and sum(result.present.values()) == 2
    (r,) = result.rejections
    assert r.pointer == "bbb/1_ttnn_relu_x.json#" and "status=failed" in r.reason
    (located,) = result.configs
    (e,) = located.config.executions
    assert e.source == "tests/t.py::test_aaa" and e.machine_info == MachineInfo(**MACHINE)


def test_empty_directory_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(TraceFormatError, match="no per-call trace files"):
        ingest_path(tmp_path)


@needs_shared
def test_graph_report_without_sidecar_takes_tensor_inputs(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    shutil.copy(TTNN_TRACES / "graph_report.json", report)  # a temporary copy, so no sidecar sits beside it
    result = ingest_path(report)
    assert result.reconciles()
    add = result.master().configs("ttnn.add")[0]
    shapes = [a.value.spec.shape for a in add.arguments if isinstance(a.value, TensorValue)]
    assert shapes == [(1, 1, 32, 32), (4, 1, 32, 32)]
    assert any("tensor inputs only" in n for n in result.notes)


@needs_shared
def test_sidecar_alone_is_refused() -> None:
    with pytest.raises(TraceFormatError, match="sidecar"):
        ingest_path(TTNN_TRACES / "graph_report.python_io.json")


def test_sharded_output_memory_config_without_shard_spec_is_legal() -> None:
    mc = {"memory_layout": "TensorMemoryLayout.WIDTH_SHARDED", "buffer_type": "BufferType.L1", "shard_spec": None}
    (located,) = ingest_document(master({"arguments": {"memory_config": mc}}), "m.json").configs
    value = located.config.argument("memory_config")
    assert value is not None and value.kind == "memory_config"
    assert value.config.memory_layout is TensorMemoryLayout.WIDTH_SHARDED  # type: ignore[union-attr]
