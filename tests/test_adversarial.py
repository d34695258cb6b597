"""Regression tests for inputs an adversarial review found; each once escaped the contract
(only TraceFormatError may escape; everything else is a located rejection; nothing silent)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SEED_MASTER
from ttgen.ingest import IngestResult, TraceFormatError, ingest_document, ingest_path
from ttgen.ingest.calls import read_call
from ttgen.ingest.graph import read_graph_report
from ttgen.ingest.reprs import parse_cpp_value, parse_field_value
from ttgen.model import ObjectValue
from ttgen.model.serialize import dumps_master
from ttgen.terminal import clean


def one(args: dict[str, Any], op: str = "ttnn.relu") -> IngestResult:
    return ingest_document({"operations": {op: {"configurations": [{"arguments": args}]}}}, "m.json")


def rejected_reason(result: IngestResult) -> str:
    assert result.reconciles() and len(result.rejections) == 1, result.rejections
    return result.rejections[0].reason


def v1(args: list[Any]) -> IngestResult:
    return ingest_document({"operations": {"ttnn::pad": {"configurations": [args]}}}, "m.json")


@pytest.mark.parametrize("text", ["'a'b'", "'a\x00'", "'\\N{foo}'"])
def test_bad_string_literals_are_rejections(text: str) -> None:
    assert "unreadable" in rejected_reason(one({"pc": {"type": "Foo", "x": text}}))


def test_huge_integer_literal_is_a_format_error(tmp_path: Path) -> None:
    p = tmp_path / "m.json"
    p.write_text('{"operations": {"ttnn.relu": {"configurations": [{"arguments": {"arg0": ' + "1" * 5000 + "}}]}}}")
    with pytest.raises(TraceFormatError, match="not readable JSON"):
        ingest_path(p)


@pytest.mark.parametrize("depth", [100, 600])
def test_deep_nesting_is_a_rejection(depth: int) -> None:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    assert "nested" in rejected_reason(one({"arg0": value}))
    assert "nested" in rejected_reason(v1([{"arg0": "[" * 3000 + "]" * 3000}]))
    with pytest.raises(ValueError, match="nested"):
        parse_field_value("[" * 3000 + "]" * 3000)


def test_grid_repair_is_linear() -> None:
    start = time.perf_counter()
    element = {"element_info": '{"arg0": {"grid": {[' + "],[" * 5000 + "]"}
    result = v1([{"UnparsedElement": element}])
    assert time.perf_counter() - start < 1.0 and result.reconciles() and result.rejections


def test_repaired_element_with_duplicate_keys_is_rejected_not_last_wins() -> None:
    info = '{"arg0": {"memory_layout": "TensorMemoryLayout::HEIGHT_SHARDED", "memory_layout": "x"}}'
    assert "repeats key 'memory_layout'" in rejected_reason(v1([{"UnparsedElement": {"element_info": info}}]))


@pytest.mark.parametrize("text", ["", "   ", "[1, ]", "[1, 2}"])
def test_malformed_v1_lists_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_cpp_value(text)


def test_dotted_text_is_not_an_enum_or_a_call() -> None:
    for text in ("os.system", "subprocess.Popen(args='rm')", "__import__('os').system('x')"):
        assert "unrecognized" in rejected_reason(v1([{"arg0": text}]))
    for type_name in ("class", "open", "os.system"):
        assert rejected_reason(one({"x": {"type": type_name, "fields": {"a": 1}}}))


def test_object_keeps_its_module_path() -> None:
    (located,) = one({"pc": {"type": "ttnn.foo.BarConfig", "fields": {"a": 1}}}).configs
    value = located.config.argument("pc")
    assert isinstance(value, ObjectValue) and value.type_name == "ttnn.foo.BarConfig"


def test_keyword_spelled_like_positional_is_rejected() -> None:
    call = {"operation_name": "ttnn.relu", "args": [], "kwargs": {"arg1": 1}}
    result = ingest_document(call, "c.json")
    assert "spelled like a positional" in rejected_reason(result)
    assert "positional argN" in rejected_reason(v1([{"UnparsedElement": {"element_info": '{"UnparsedElement": 1}'}}]))


def _graph(tensor_params: dict[str, Any], python_io: Any = None) -> IngestResult:
    doc = {
        "version": 1,
        "graph": [
            {"node_type": "capture_start", "stacking_level": 0, "params": None},
            {"node_type": "function_start", "stacking_level": 1, "params": {"name": "ttnn.relu"}},
            {"node_type": "function_start", "stacking_level": 2, "params": {"name": "Op"}, "input_tensors": [3]},
            {"node_type": "tensor", "stacking_level": 2, "params": tensor_params},
            {"node_type": "function_end", "stacking_level": 2, "params": {"name": "Op"}},
            {"node_type": "function_end", "stacking_level": 1, "params": {"name": "ttnn.relu"}},
        ],
    }
    return read_graph_report(doc, "g.json", python_io)


def test_graph_device_tensor_without_memory_config_is_rejected_not_dram() -> None:
    params = {"shape": "Shape([1, 32])", "dtype": "DataType::BFLOAT16", "layout": "Layout::TILE", "tensor_id": 7}
    assert "without a printed memory_config" in rejected_reason(_graph({**params, "storage_type": "DEVICE"}))
    assert _graph({**params, "storage_type": "HOST"}).configs  # host tensors have no memory config


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"name": "ttnn.relu", "arguments": {"²": "1"}}, ""),
        ({"name": "ttnn.relu", "arguments": {"0": "1", "arg0": "2"}}, "spelled like a positional"),
        ({"name": "ttnn.relu", "arguments": {"0": "1"}, "output_tensor_ids": [[1]]}, ""),
    ],
)
def test_python_io_oddities_never_crash(record: dict[str, Any], reason: str) -> None:
    params = {
        "shape": "Shape([1, 32])",
        "dtype": "DataType::BFLOAT16",
        "layout": "Layout::TILE",
        "storage_type": "HOST",
    }
    result = _graph(params, [record])
    assert result.reconciles()
    if reason:
        assert reason in rejected_reason(result)


def test_identical_calls_with_different_return_values_are_not_merged_silently(tmp_path: Path) -> None:
    base = json.loads(SEED_MASTER.read_text())["operations"]["ttnn.relu"]["configurations"][0]["arguments"]
    for i, dtype in enumerate(("DataType.BFLOAT16", "DataType.FLOAT32")):
        out = {**base["arg0"], "original_dtype": dtype}
        call = {"operation_id": i, "operation_name": "ttnn.relu", "args": [{"position": 0, "value": base["arg0"]}]}
        (tmp_path / f"{i}_ttnn_relu_x.json").write_text(json.dumps({**call, "kwargs": {}, "return_value": out}))
    result = ingest_path(tmp_path)
    assert "different return value" in rejected_reason(result)


def test_unreadable_call_file_is_one_rejection(tmp_path: Path) -> None:
    (tmp_path / "1_ttnn_relu_x.json").write_text("{broken")
    (tmp_path / "dir.json").mkdir()
    result = ingest_path(tmp_path)
    assert sum(result.present.values()) == 1 and "not valid JSON" in rejected_reason(result)


def test_failed_status_governs_nested_directories(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "_status.json").write_text('{"test_nodeid": "t", "status": "failed"}')
    (tmp_path / "t" / "sub").mkdir()
    call = {"operation_name": "ttnn.relu", "args": [], "kwargs": {}}
    (tmp_path / "t" / "sub" / "1_ttnn_relu_x.json").write_text(json.dumps(call))
    assert "status=failed" in rejected_reason(ingest_path(tmp_path))


def test_empty_mesh_shape_and_bad_kernel_config_round_trip_or_reject() -> None:
    assert rejected_reason(one({"device": {"type": "MeshDevice", "shape": []}}))
    for fields in ({"math_fidelity": 5}, {"math_fidelity": {"type": "Topology", "repr": "Topology.Ring"}}):
        result = one({"cc": {"type": "WormholeComputeKernelConfig", "fields": fields}})
        again = ingest_document(json.loads(dumps_master(result.master())), "x")
        assert again.rejections == [] and again.master() == result.master()


def test_nd_shard_spec_is_never_dropped_unchecked() -> None:
    mc = {
        "memory_layout": "TensorMemoryLayout.HEIGHT_SHARDED",
        "buffer_type": "BufferType.L1",
        "shard_spec": None,
        "nd_shard_spec": 12345,
        "created_with_nd_shard_spec": 0,
    }
    assert "nd_shard_spec" in rejected_reason(one({"memory_config": mc}))


def test_invalid_placeholders_and_inconsistent_placements_are_rejected() -> None:
    tensor = json.loads(SEED_MASTER.read_text())["operations"]["ttnn.relu"]["configurations"][0]["arguments"]["arg0"]
    assert "INVALID" in rejected_reason(one({"arg0": {**tensor, "original_dtype": "DataType.INVALID"}}))
    placement = {"placement": "['PlacementShard(2)']", "distribution_shape": "[4, 8]", "mesh_device_shape": "[4, 8]"}
    assert "placement" in rejected_reason(one({"arg0": {**tensor, "tensor_placement": placement}}))


def test_terminal_control_characters_are_escaped() -> None:
    assert clean("a\x1b[2J\nb\u202ec") == "a\\x1b[2J\\x0ab\\u202ec"
    assert clean("é漢字 ok") == "é漢字 ok"


def test_read_call_directly_rejects_non_objects() -> None:
    with pytest.raises(Exception) as info:
        read_call([], "", "s", None)
    assert type(info.value).__name__ == "Reject"
