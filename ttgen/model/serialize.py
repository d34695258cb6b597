"""IR → ttgen's canonical master JSON (the upstream V2 shape), and the config_hash algorithm.

The canonical form is what `ttgen trace`/`ttgen import` write and what the V2 reader reads back:
IR → JSON → IR is the identity (tests/test_roundtrip.py). It follows upstream's V2 encodings
(shared/reference/upstream-trace-formats.md §1.4) with three documented additions that upstream
has no spelling for: `{"type": "str", "value": s}` for a string that reads like a special float,
`{"type": T, "fields": {...}}` for a structured object, and a per-config `return_value`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from typing_extensions import assert_never

from ttgen.facts import kernel_config
from ttgen.facts.json_floats import SPECIAL_FLOAT_SPELLINGS
from ttgen.facts.reprs import RESOURCE_TEXT, strip_addresses
from ttgen.model.config import Execution, MachineInfo, Master, OpConfig
from ttgen.model.enums import member_repr
from ttgen.model.memory import CoreRangeSet, MemoryConfig
from ttgen.model.tensor import Replicate, TensorPlacement, TensorSpec
from ttgen.model.values import (
    ArgValue,
    BoolValue,
    CoreCoordValue,
    CoreGridValue,
    CoreRangeSetValue,
    EnumValue,
    FloatValue,
    IntValue,
    ListValue,
    MemoryConfigValue,
    MeshCoordinateValue,
    MeshDeviceValue,
    NoneValue,
    ObjectValue,
    OpaqueValue,
    ResourceValue,
    SetValue,
    ShapeValue,
    StrValue,
    TensorValue,
)

Json = Any  # a JSON value: None | bool | int | float | str | list[Json] | dict[str, Json]


def grid_to_json(grid: CoreRangeSet) -> list[Json]:
    return [{"start": {"x": r.start.x, "y": r.start.y}, "end": {"x": r.end.x, "y": r.end.y}} for r in grid.ranges]


def memory_config_to_json(mc: MemoryConfig) -> dict[str, Json]:
    out: dict[str, Json] = {
        "memory_layout": member_repr(mc.memory_layout),
        "buffer_type": member_repr(mc.buffer_type),
        "shard_spec": None,
        "is_sharded": mc.is_sharded,
        "interleaved": not mc.is_sharded,
    }
    if mc.shard_spec is not None:
        out["shard_spec"] = {
            "grid": grid_to_json(mc.shard_spec.grid),
            "shape": list(mc.shard_spec.shape),
            "orientation": mc.shard_spec.orientation.name,
        }
    if mc.nd_shard_spec is not None:
        out["created_with_nd_shard_spec"] = True
        nd = mc.nd_shard_spec
        out["nd_shard_spec"] = {
            "shard_shape": list(nd.shard_shape),
            "grid": grid_to_json(nd.grid),
            "orientation": nd.orientation.name,
            "shard_distribution_strategy": nd.distribution.name,
        }
    return out


def _int_list_text(values: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(v) for v in values) + "]"


def placement_to_json(p: TensorPlacement) -> dict[str, Json]:
    names = ["PlacementReplicate" if isinstance(x, Replicate) else f"PlacementShard({x.dim})" for x in p.placements]
    return {
        "placement": "[" + ", ".join(repr(n) for n in names) + "]",
        "distribution_shape": _int_list_text(p.distribution_shape),
        "mesh_device_shape": _int_list_text(p.mesh_device_shape),
    }


def tensor_to_json(spec: TensorSpec) -> dict[str, Json]:
    out: dict[str, Json] = {
        "type": "ttnn.Tensor",
        "original_shape": list(spec.shape),
        "original_dtype": member_repr(spec.dtype),
    }
    if spec.layout is not None:
        out["layout"] = member_repr(spec.layout)
    out["storage_type"] = member_repr(spec.storage)
    out["memory_config"] = memory_config_to_json(spec.memory_config)
    if spec.placement is not None:
        out["tensor_placement"] = placement_to_json(spec.placement)
    return out


def core_range_set_text(grid: CoreRangeSet) -> str:
    """ttnn's repr: `{[0-0 - 7-7], [0-1 - 1-1]}`."""
    inner = ", ".join(f"[{r.start.x}-{r.start.y} - {r.end.x}-{r.end.y}]" for r in grid.ranges)
    return "{" + inner + "}"


def value_to_json(v: ArgValue) -> Json:
    match v:
        case TensorValue():
            return tensor_to_json(v.spec)
        case NoneValue():
            return None
        case BoolValue() | IntValue():
            return v.value
        case FloatValue():
            return v.text if v.is_special else v.value
        case StrValue():
            if v.value in SPECIAL_FLOAT_SPELLINGS:
                return {"type": "str", "value": v.value}
            return v.value
        case EnumValue():
            return {"type": v.enum, "repr": f"{v.enum}.{v.member}"}
        case MemoryConfigValue():
            return memory_config_to_json(v.config)
        case CoreGridValue():
            return {"type": "CoreGrid", "value": f"ttnn.CoreGrid(x={v.x}, y={v.y})"}
        case CoreCoordValue():
            return {"type": "CoreCoord", "x": v.x, "y": v.y}
        case CoreRangeSetValue():
            return {"type": "CoreRangeSet", "value": core_range_set_text(v.ranges)}
        case ShapeValue():
            return {"type": "Shape", "value": f"Shape({_int_list_text(v.dims)})"}
        case MeshDeviceValue():
            n = 1
            for d in v.shape:
                n *= d
            grid = "x".join(str(d) for d in v.shape)
            out: dict[str, Json] = {
                "type": "MeshDevice",
                "repr": f"MeshDevice({grid} grid, {n} devices)",
                "shape": list(v.shape),
            }
            if v.device_ids is not None:
                out["device_ids"] = list(v.device_ids)
            return out
        case MeshCoordinateValue():
            return {"type": "MeshCoordinate", "value": f"MeshCoordinate({_int_list_text(v.coords)})"}
        case ListValue():
            return [value_to_json(x) for x in v.items]
        case SetValue():
            if all(isinstance(x, MeshCoordinateValue) for x in v.items):
                texts = [f"MeshCoordinate({_int_list_text(x.coords)})" for x in v.items]  # type: ignore[union-attr]
                return {"type": "set", "value": "{" + ", ".join(texts) + "}"}
            return {"type": "set", "items": [value_to_json(x) for x in v.items]}
        case ObjectValue():
            if is_compute_kernel_config(v):
                return compute_kernel_config_to_json(v)
            return {"type": v.type_name, "fields": {f.name: value_to_json(f.value) for f in v.fields}}
        case OpaqueValue():
            return {"type": v.type_name, "repr": v.text}
        case ResourceValue():
            return resource_to_json(v)
        case _:
            assert_never(v)


def resource_to_json(v: ResourceValue) -> dict[str, Json]:
    """As the tracer writes it, less the address (another in every run)."""
    return {"type": v.resource, "value": f"<{v.python_type} object>"}


def is_compute_kernel_config(v: ObjectValue) -> bool:
    """Only a config that upstream's spelling can express exactly is written in it."""
    names = {f.name for f in v.fields}
    if v.type_name != kernel_config.CLASS or not names >= kernel_config.REQUIRED:
        return False
    if not names <= kernel_config.FIELDS:
        return False
    for f in v.fields:
        enum_name = kernel_config.ENUM_FIELDS.get(f.name)
        if enum_name is not None:
            if not (isinstance(f.value, EnumValue) and f.value.enum == enum_name):
                return False
        elif not isinstance(f.value, BoolValue):
            return False
    return True


def compute_kernel_config_to_json(v: ObjectValue) -> dict[str, Json]:
    """upstream's spelling (ttgen.facts.kernel_config)."""
    out: dict[str, Json] = {}
    for f in v.fields:
        val = f.value
        if isinstance(val, EnumValue):
            out[f.name] = f"{val.enum}.{val.member}"
        elif f.name in kernel_config.STRINGIFIED_BOOLS and isinstance(val, BoolValue):
            out[f.name] = str(val.value)
        else:
            out[f.name] = value_to_json(val)
    return out


def arguments_to_json(config: OpConfig) -> dict[str, Json]:
    return {a.name: value_to_json(a.value) for a in config.arguments}


def machine_info_to_json(mi: MachineInfo) -> dict[str, Json]:
    out: dict[str, Json] = {}
    for key, val in mi.model_dump().items():
        if val is not None:
            out[key] = list(val) if isinstance(val, tuple) else val
    return out


def execution_to_json(e: Execution) -> dict[str, Json]:
    out: dict[str, Json] = {"source": e.source}
    if e.machine_info is not None:
        out["machine_info"] = machine_info_to_json(e.machine_info)
    out["count"] = e.count
    if e.trace_uid is not None:
        out["trace_uid"] = e.trace_uid
    if e.pytest_args is not None:
        out["pytest_args"] = e.pytest_args
    if e.trace_run_ids:
        out["trace_run_ids"] = list(e.trace_run_ids)
    return out


def config_to_json(config: OpConfig) -> dict[str, Json]:
    out: dict[str, Json] = {}
    if config.config_id is not None:
        out["config_id"] = config.config_id
    out["config_hash"] = config.config_hash
    out["arguments"] = arguments_to_json(config)
    out["executions"] = [execution_to_json(e) for e in config.executions]
    if config.sweep_source_hash is not None:
        out["sweep_source_hash"] = config.sweep_source_hash
    if config.output is not None:
        out["return_value"] = value_to_json(config.output)
    return out


def master_to_json(master: Master) -> dict[str, Json]:
    md = master.metadata
    meta: dict[str, Json] = {"models": list(md.models)}
    if md.unique_operations is not None:
        meta["unique_operations"] = md.unique_operations
    if md.total_configurations is not None:
        meta["total_configurations"] = md.total_configurations
    meta["operations_summary"] = dict(md.operations_summary)
    if md.last_updated is not None:
        meta["last_updated"] = md.last_updated
    if md.trace_uid is not None:
        meta["trace_uid"] = md.trace_uid
    return {
        "operations": {
            op: {"configurations": [config_to_json(c) for c in configs]} for op, configs in master.operations
        },
        "metadata": meta,
    }


def dumps_master(master: Master) -> str:
    """Deterministic text: sorted keys, two-space indent, trailing newline, ASCII only."""
    return json.dumps(master_to_json(master), indent=2, sort_keys=True, ensure_ascii=True) + "\n"


# ---------------------------------------------------------------------------------------------
# config_hash
#
# Upstream's tracer (model_tracer/generic_ops_tracer.py) identifies a configuration by
#   sha256(json.dumps({"operation": op, "arguments": args, "hardware": hw, "mesh": mesh},
#                     sort_keys=True)).hexdigest()
# with json.dumps' default separators (", " and ": ") and ensure_ascii, where
#   op       = the dotted op name ("ttnn.topk"),
#   args     = the V2 `arguments` dict,
#   hw       = [board_type, device_series, card_count or 1] from executions[0].machine_info,
#              or null when there is no machine_info / board_type,
#   mesh     = null for V2 traces (upstream fills it only from a V1-era machine_info key).
# Its newest version first normalizes args: integer "hash" keys are removed (C++ hashes are not
# stable across builds), a null shard_spec becomes the string "None", and " at 0x…" addresses are
# stripped from strings. Older masters (all fixtures) were hashed without that normalization,
# which `upstream_config_hash(..., normalize=False)` reproduces exactly. As upstream drops its
# semaphore arguments by name, ttgen drops every argument that holds only runtime handles
# (ResourceValue: semaphores, sub-device ids; a list of them), whatever its name.
#
# ttgen keeps a traced config_hash verbatim. When a trace has none (per-call dumps, graph
# captures, V1 lists) ttgen computes the normalized form over its canonical arguments JSON, which
# is upstream's own normalized hash of the same call.
# ---------------------------------------------------------------------------------------------


def _normalize_for_hash(value: Json) -> Json:
    if isinstance(value, dict):
        out: dict[str, Json] = {}
        for k, v in value.items():
            if k == "hash" and isinstance(v, int) and not isinstance(v, bool):
                continue
            if k == "shard_spec" and v is None:
                out[k] = "None"
                continue
            out[k] = _normalize_for_hash(v)
        return out
    if isinstance(value, list):
        return [_normalize_for_hash(v) for v in value]
    if isinstance(value, str):
        return strip_addresses(value)
    return value


def is_resource_json(value: Json) -> bool:
    """A runtime handle as resource_to_json writes it, or a non-empty list of them."""
    if isinstance(value, list):
        return bool(value) and all(is_resource_json(v) for v in value)
    return (
        isinstance(value, dict)
        and set(value) == {"type", "value"}
        and isinstance(value["value"], str)
        and RESOURCE_TEXT.match(value["value"]) is not None
    )


def normalized_arguments(arguments: dict[str, Json]) -> dict[str, Json]:
    """The arguments as the normalized config_hash sees them: runtime handles out, no C++
    hashes, addresses stripped."""
    normalized: dict[str, Json] = _normalize_for_hash({k: v for k, v in arguments.items() if not is_resource_json(v)})
    return normalized


def upstream_config_hash(
    operation: str,
    arguments: dict[str, Json],
    machine_info: dict[str, Json] | None,
    *,
    normalize: bool,
) -> str:
    hardware: Json = None
    if isinstance(machine_info, dict) and machine_info.get("board_type") is not None:
        series = machine_info.get("device_series")
        if isinstance(series, list):
            series = series[0] if series else None
        cards = machine_info.get("card_count")
        hardware = [machine_info["board_type"], series, cards if cards is not None else 1]
    args = normalized_arguments(arguments) if normalize else arguments
    payload = {"operation": operation, "arguments": args, "hardware": hardware, "mesh": None}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def compute_config_hash(operation: str, arguments_json: dict[str, Json], executions: tuple[Execution, ...]) -> str:
    first = executions[0].machine_info if executions else None
    mi = machine_info_to_json(first) if first is not None else None
    return upstream_config_hash(operation, arguments_json, mi, normalize=True)
