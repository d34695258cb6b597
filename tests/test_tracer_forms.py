"""Forms the real tracers write (issue 13): runtime handles, config objects without a class name,
ttnn's C++ reprs of configs (`8-1`, bools as 0/1), the 0.81.1 tracer's JSON (CoreCoord `{x, y}`,
fused activations by enum value), and what the compiler prints for them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ttgen.compile.printers import value_fragment
from ttgen.facts import classes
from ttgen.ingest.errors import Reject
from ttgen.ingest.values import decode_value
from ttgen.model import BoolValue, CoreCoordValue, ObjectValue, ResourceValue
from ttgen.model.serialize import compute_config_hash, value_to_json

SEMAPHORE = {"type": "global_semaphore", "value": "<ttnn._ttnn.global_semaphore.global_semaphore object at 0x7f3a2c>"}
WIDE = Path(__file__).resolve().parent / "fixtures" / "wide"


def decode(v: Any) -> Any:
    return decode_value(v, "/arguments/x", cpp_strings=False)


def printed(v: Any) -> str:
    from ttgen.compile.layout import flat

    return flat(value_fragment(decode(v)).node)


def test_a_global_semaphore_is_a_resource_without_its_address() -> None:
    v = decode(SEMAPHORE)
    assert isinstance(v, ResourceValue) and v.resource == "global_semaphore"
    assert v.class_name == "global_semaphore"
    assert value_to_json(v) == {
        "type": "global_semaphore",
        "value": "<ttnn._ttnn.global_semaphore.global_semaphore object>",
    }
    assert decode(value_to_json(v)) == v  # canonical JSON reads back
    assert printed(SEMAPHORE) == 'Resource("global_semaphore")'


def test_runtime_handles_stay_out_of_config_hash() -> None:
    tensor = {
        "type": "ttnn.Tensor",
        "original_shape": [1, 32],
        "original_dtype": "DataType.BFLOAT16",
        "memory_config": {"memory_layout": "TensorMemoryLayout.INTERLEAVED", "buffer_type": "BufferType.DRAM"},
    }
    other = dict(SEMAPHORE, value=SEMAPHORE["value"].replace("7f3a2c", "55aa10"))
    with_a = {"arg0": tensor, "multi_device_global_semaphore": [SEMAPHORE, SEMAPHORE]}
    with_b = {"arg0": tensor, "multi_device_global_semaphore": [other, other]}
    without = {"arg0": tensor}
    hashes = {compute_config_hash("ttnn.all_gather_async", args, ()) for args in (with_a, with_b, without)}
    assert len(hashes) == 1
    assert compute_config_hash("ttnn.all_gather_async", {"arg0": tensor, "dim": 3}, ()) not in hashes


def test_an_untyped_program_config_resolves_to_the_class_its_fields_name() -> None:
    v = decode(
        {"in0_block_w": 2, "per_core_M": 1, "per_core_N": 4, "fused_activation": None, "num_workers_per_dram_bank": 1}
    )
    assert isinstance(v, ObjectValue) and v.type_name == "MatmulMultiCoreReuseMultiCastDRAMShardedProgramConfig"
    # the exact field set wins over a class that merely admits it
    exact = decode({"in0_block_w": 2, "per_core_M": 1, "per_core_N": 4, "fused_activation": None})
    assert isinstance(exact, ObjectValue)
    assert exact.type_name == "MatmulMultiCoreReuseMultiCastBatchedDRAMShardedProgramConfig"


def test_an_untyped_dict_matching_no_class_or_several_is_rejected_naming_them() -> None:
    with pytest.raises(Reject, match="is not a known ttnn value"):
        decode({"in0_block_w": 2, "nonsense": 1})
    with pytest.raises(Reject, match=r"ambiguous: it could be any of .*DRAMSharded"):
        decode({"in0_block_w": 2, "per_core_M": 1, "per_core_N": 4})
    assert len(classes.candidates(frozenset({"in0_block_w", "per_core_M", "per_core_N"}))) > 1


def test_printed_configs_decode_by_declared_field_types() -> None:
    text = (
        "LayerNormShardedMultiCoreProgramConfig(compute_with_storage_grid_size=8-1,subblock_w=1,block_h=1,"
        "block_w=4,inplace=0,legacy_reduction=1,use_welford=0)"
    )
    v = decode({"type": "LayerNormShardedMultiCoreProgramConfig", "value": text})
    assert isinstance(v, ObjectValue)
    assert v.get("compute_with_storage_grid_size") == CoreCoordValue(x=8, y=1)
    assert v.get("inplace") == BoolValue(value=False) and v.get("legacy_reduction") == BoolValue(value=True)
    out = printed({"type": "LayerNormShardedMultiCoreProgramConfig", "value": text})
    assert "inplace=False" in out and "legacy_reduction=True" in out and "ttnn.CoreCoord(8, 1)" in out
    assert "block_w=4" in out  # ints stay ints


def test_the_0_81_1_tracer_json_of_a_matmul_config() -> None:
    doc = {
        "allowed_worker_cores": None,
        "compute_with_storage_grid_size": {"x": 8, "y": 4},
        "fuse_batch": True,
        "fused_activation": {"op_type": 58, "param": []},
        "gather_in0": False,
        "hop_cores": [],
        "in0_block_w": 2,
        "mcast_in0": True,
        "num_global_cb_receivers": 1,
        "out_block_h": 1,
        "out_block_w": 1,
        "out_subblock_h": 1,
        "out_subblock_w": 1,
        "per_core_M": 1,
        "per_core_N": 1,
        "stream_in1": False,
        "untilize_out": False,
        "type": "MatmulMultiCoreReuseMultiCast1DProgramConfig",
    }
    out = printed(doc)
    assert "compute_with_storage_grid_size=ttnn.CoreCoord(8, 4)" in out
    assert "fused_activation=ttnn.UnaryWithParam(ttnn.UnaryOpType.SILU)" in out
    assert "hop_cores=ttnn.CoreRangeSet(set())" in out
    gelu = dict(doc, fused_activation={"op_type": 2, "param": [1.0]})
    assert "ttnn.UnaryWithParam(ttnn.UnaryOpType.GELU, 1.0)" in printed(gelu)
    with pytest.raises(Reject, match="is not a UnaryOpType value"):
        decode(dict(doc, fused_activation={"op_type": 100000, "param": []}))


def test_core_coord_forms() -> None:
    assert decode({"type": "CoreCoord", "value": "8-4"}) == CoreCoordValue(x=8, y=4)
    assert decode({"x": 8, "y": 4}) == CoreCoordValue(x=8, y=4)
    assert decode({"type": "CoreCoord", "x": 8, "y": 4}) == CoreCoordValue(x=8, y=4)


def test_activation_reprs() -> None:
    text = "UnaryWithParam(op_type=UnaryOpType::LEAKY_RELU, params=[0.1])"
    assert printed({"type": "UnaryWithParam", "value": text}) == "ttnn.UnaryWithParam(ttnn.UnaryOpType.LEAKY_RELU, 0.1)"


@pytest.mark.parametrize("arch", ["n150", "p150"])
def test_the_wide_real_trace_parses_and_binds_whole(arch: str) -> None:
    """Every call of tools/trace_wide.py's real-ttnn trace is read and every one binds."""
    from ttgen.analyze.stats import compile_stats
    from ttgen.ingest import ingest_path

    folder = WIDE / arch / "operation_parameters"
    result = ingest_path(folder)
    calls = len(list(folder.glob("*.json")))
    assert not result.rejections, result.rejections[:3]
    stats = compile_stats(result)
    assert stats["rejected"] == 0, stats["rejections"][:3]
    assert calls >= 600
    distinct = {json.loads(p.read_text())["operation_name"] for p in folder.glob("*.json")}
    assert len(distinct) >= 110


def test_the_wide_trace_compiles_to_typed_lint_clean_code(tmp_path: Path) -> None:
    """Every op of the wide real trace (250 of them) compiles to code that mypy --strict and
    ruff accept: long op names, keyword-named parameters, call forms, multi-output specs."""
    import subprocess
    import sys

    out = tmp_path / "gen"
    ttgen = [sys.executable, "-m", "ttgen.cli"]
    master = str(WIDE / "n150" / "operation_parameters")
    subprocess.run([*ttgen, "compile", "--all", "--master", master, "--out", str(out)], check=True, capture_output=True)
    sweeps = out / "sweeps" / "ttnn"
    assert 'DEVICE_PARAMS: Final[dict[str, int]] = {"l1_small_size": 32768}' in (sweeps / "conv2d.py").read_text()
    topk = (sweeps / "topk.py").read_text()
    assert "expected: TensorSpec | tuple[TensorSpec, ...] | None = None" in topk  # values and indices
    assert "call_form: int = 0" in topk and "if case.call_form == 1:" in topk  # topk(x, 32, -1) and k=, dim=
    assert not (sweeps / "to_device.py").exists()  # infrastructure: not compiled
    assert '"input_tensor": ("weight", -2)' in (sweeps / "embedding.py").read_text()
    root = Path(__file__).resolve().parent.parent
    for tool in (["mypy", "--strict"], ["ruff", "check"], ["ruff", "format", "--check"]):
        proc = subprocess.run([sys.executable, "-m", *tool, str(out)], cwd=root, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout[-3000:]


def test_a_resource_is_made_fresh_on_the_device_or_the_case_skips_naming_it() -> None:
    from ttgen.runtime import ttnn
    from ttgen.runtime.case import Inputs
    from ttgen.runtime.outcome import SkipCase
    from ttgen.runtime.spec import Resource

    device = ttnn.open_device(device_id=0)
    try:
        inputs = Inputs("ttnn.all_gather_async", device, golden=None, pcc={"default": 0.99})
        first, second = inputs.value("multi_device_global_semaphore", (Resource("global_semaphore"),) * 2)
        assert first is not second and type(first).__name__ == "global_semaphore"  # ttnn's class name
        assert first.initial_value == 0 and first.device is device
        with pytest.raises(SkipCase, match="a sub_device_id argument: traced only by address"):
            inputs.value("subdevice_id", Resource("sub_device_id"))
    finally:
        ttnn.close_device(device)
