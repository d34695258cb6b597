"""Decode one traced argument value (JSON) into the IR, or Reject with its JSON pointer.

One decoder serves every era, because real files mix them (upstream's own mini fixture puts V1
`{"Tensor": ...}` values in V2 dict arguments). What differs is how a bare string is read:
`cpp_strings=True` for V1 argument lists, whose non-tensor values are C++ `operator<<` text
("0", "[32, 16, 3, 3]", "nullopt"); in V2 a string is a string (special floats aside).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from ttgen.facts import kernel_config
from ttgen.facts.json_floats import SPECIAL_FLOAT_SPELLINGS
from ttgen.facts.reprs import RESOURCE_TEXT
from ttgen.ingest.errors import Reject, join_pointer
from ttgen.ingest.objects import ACTIVATION, resolve_class, typed
from ttgen.ingest.reprs import (
    build,
    checked_int,
    enum_value,
    grid_from_json,
    make_placement,
    parse_cpp_value,
    parse_field_value,
    parse_mesh_device_text,
    parse_nd_shard_spec_json,
    parse_object_repr,
    parse_placements,
    parse_shard_spec_text,
    shape_field,
)
from ttgen.model import (
    ArgValue,
    BoolValue,
    BufferType,
    CoreCoordValue,
    DataType,
    FieldValue,
    FloatValue,
    IntValue,
    Layout,
    ListValue,
    MemoryConfig,
    MemoryConfigValue,
    MeshDeviceValue,
    NoneValue,
    ObjectValue,
    OpaqueValue,
    ResourceValue,
    SetValue,
    ShardOrientation,
    ShardSpec,
    StorageType,
    StrValue,
    TensorMemoryLayout,
    TensorPlacement,
    TensorSpec,
    TensorValue,
    parse_member,
)
from ttgen.model.values import DOTTED

Json = Any


T = TypeVar("T")
EnumT = TypeVar("EnumT", bound=enum.Enum)


def guarded(ptr: str, fn: Callable[[], T]) -> T:
    """Run a parser; its ValueError becomes a Reject at `ptr`."""
    try:
        return fn()
    except Reject:
        raise
    except ValueError as e:
        raise Reject(ptr, str(e)) from None


def _expect_dict(v: Json, ptr: str, what: str) -> dict[str, Json]:
    if not isinstance(v, dict):
        raise Reject(ptr, f"{what} must be an object, got {type(v).__name__}")
    return v


def _check_keys(d: dict[str, Json], ptr: str, allowed: set[str], required: set[str], what: str) -> None:
    unknown = sorted(set(d) - allowed)
    if unknown:
        raise Reject(join_pointer(ptr, unknown[0]), f"unknown {what} field {unknown[0]!r}")
    missing = sorted(required - set(d))
    if missing:
        raise Reject(ptr, f"{what} has no {missing[0]!r}")


def _enum_field(cls: type[EnumT], v: Json, ptr: str) -> EnumT:
    if not isinstance(v, str):
        raise Reject(ptr, f"expected a {cls.__name__} name, got {type(v).__name__}")
    return guarded(ptr, lambda: parse_member(cls, v))


def _int_list(v: Json, ptr: str, what: str) -> tuple[int, ...]:
    return guarded(ptr, lambda: shape_field(v, what))


# ----------------------------------------------------------------------------- memory configs

_MC_KEYS = {
    "memory_layout",
    "buffer_type",
    "shard_spec",
    "nd_shard_spec",
    "is_sharded",
    "interleaved",
    "hash",
    "created_with_nd_shard_spec",
}


def decode_shard_spec(v: Json, ptr: str) -> ShardSpec | None:
    """null, "None", "std::nullopt", absent → None; a dict (V2, or V1 with `shard_shape` or a
    `"{224, 32}"` shape) or C++ `ShardSpec{...}` text → ShardSpec. Anything else rejects:
    an unreadable shard spec is never quietly treated as interleaved."""
    if v is None or v in ("None", "std::nullopt", "nullopt"):
        return None
    if isinstance(v, str):
        return guarded(ptr, lambda: parse_shard_spec_text(v))
    d = _expect_dict(v, ptr, "shard_spec")
    shape_key = "shard_shape" if "shard_shape" in d and "shape" not in d else "shape"
    _check_keys(d, ptr, {"grid", "orientation", shape_key}, {"grid", shape_key}, "shard_spec")
    shape_ptr = join_pointer(ptr, shape_key)
    shape = _int_list(d[shape_key], shape_ptr, "shard shape")
    if len(shape) != 2:
        raise Reject(shape_ptr, f"shard shape must be [height, width], got {list(shape)}")
    grid = guarded(join_pointer(ptr, "grid"), lambda: grid_from_json(d["grid"]))
    orientation = _enum_field(ShardOrientation, d.get("orientation", "ROW_MAJOR"), join_pointer(ptr, "orientation"))
    return guarded(ptr, lambda: build(ShardSpec, grid=grid, shape=shape, orientation=orientation))


def decode_memory_config(v: Json, ptr: str) -> MemoryConfig:
    d = _expect_dict(v, ptr, "memory_config")
    _check_keys(d, ptr, _MC_KEYS, {"memory_layout", "buffer_type"}, "memory_config")
    layout = _enum_field(TensorMemoryLayout, d["memory_layout"], join_pointer(ptr, "memory_layout"))
    buffer = _enum_field(BufferType, d["buffer_type"], join_pointer(ptr, "buffer_type"))
    for flag, expected in (("is_sharded", layout.is_sharded), ("interleaved", not layout.is_sharded)):
        if flag in d and d[flag] is not expected:
            raise Reject(join_pointer(ptr, flag), f"{flag}={d[flag]!r} contradicts memory_layout {layout.name}")
    if "hash" in d and (not isinstance(d["hash"], int) or isinstance(d["hash"], bool)):
        raise Reject(join_pointer(ptr, "hash"), "hash must be an integer")
    created_nd = d.get("created_with_nd_shard_spec", 0)
    if created_nd not in (0, 1, False, True):
        raise Reject(join_pointer(ptr, "created_with_nd_shard_spec"), "must be 0 or 1")
    shard = decode_shard_spec(d.get("shard_spec"), join_pointer(ptr, "shard_spec"))
    nd = None
    nd_raw = d.get("nd_shard_spec")
    if nd_raw not in (None, "None", "std::nullopt", "nullopt"):
        nd_ptr = join_pointer(ptr, "nd_shard_spec")
        nd = guarded(nd_ptr, lambda: parse_nd_shard_spec_json(nd_raw))
        if not created_nd and layout is not TensorMemoryLayout.ND_SHARDED:
            # created_with_nd_shard_spec=0: ttnn derived this nd spec from shard_spec (V1 prints
            # both). It carries nothing of its own, provided it agrees.
            if shard is None:
                raise Reject(nd_ptr, "nd_shard_spec without a shard_spec, yet not created with one")
            if tuple(nd.shard_shape[-2:]) != shard.shape or nd.grid != shard.grid:
                raise Reject(nd_ptr, "nd_shard_spec disagrees with the shard_spec it mirrors")
            nd = None
    return guarded(
        ptr,
        lambda: build(MemoryConfig, memory_layout=layout, buffer_type=buffer, shard_spec=shard, nd_shard_spec=nd),
    )


# ----------------------------------------------------------------------------- tensors

_V2_TENSOR_KEYS = {
    "type",
    "original_shape",
    "original_dtype",
    "logical_shape",
    "shape",
    "dtype",
    "layout",
    "storage_type",
    "memory_config",
    "tensor_placement",
    "mesh_device",
}


def _placement_from_v2(v: Json, ptr: str) -> TensorPlacement | None:
    d = _expect_dict(v, ptr, "tensor_placement")
    _check_keys(
        d,
        ptr,
        {"placement", "distribution_shape", "mesh_device_shape"},
        {"placement", "mesh_device_shape"},
        "tensor_placement",
    )
    placements = guarded(join_pointer(ptr, "placement"), lambda: parse_placements(d["placement"]))
    mesh = _int_list(d["mesh_device_shape"], join_pointer(ptr, "mesh_device_shape"), "mesh_device_shape")
    dist = _int_list(
        d.get("distribution_shape", list(mesh)), join_pointer(ptr, "distribution_shape"), "distribution_shape"
    )
    return guarded(ptr, lambda: make_placement(placements, dist, mesh))


def _placement_from_mesh_device(v: Json, ptr: str) -> TensorPlacement | None:
    """Per-call traces: `mesh_device: {placements: [..], distribution_shape: [..], shape: [r, c], device_ids}`."""
    d = _expect_dict(v, ptr, "mesh_device")
    _check_keys(d, ptr, {"placements", "distribution_shape", "shape", "device_ids"}, {"placements"}, "mesh_device")
    if "shape" not in d and "distribution_shape" not in d:
        raise Reject(ptr, "mesh_device has neither shape nor distribution_shape")
    placements = guarded(join_pointer(ptr, "placements"), lambda: parse_placements(d["placements"]))
    # Host tensors record only their distribution (no mesh yet): it is then the mesh.
    dist_raw = d.get("distribution_shape", d.get("shape"))
    dist = _int_list(dist_raw, join_pointer(ptr, "distribution_shape"), "distribution_shape")
    mesh = _int_list(d["shape"], join_pointer(ptr, "shape"), "mesh shape") if "shape" in d else dist
    if "device_ids" in d:
        _int_list(d["device_ids"], join_pointer(ptr, "device_ids"), "device_ids")
    return guarded(ptr, lambda: make_placement(placements, dist, mesh))


def decode_v2_tensor(d: dict[str, Json], ptr: str) -> TensorValue:
    _check_keys(d, ptr, _V2_TENSOR_KEYS, {"original_shape", "original_dtype", "memory_config"}, "tensor")
    if "tensor_placement" in d and "mesh_device" in d:
        raise Reject(ptr, "tensor has both tensor_placement and mesh_device")
    shape = _int_list(d["original_shape"], join_pointer(ptr, "original_shape"), "original_shape")
    for alias in ("shape", "logical_shape"):
        if alias in d and _int_list(d[alias], join_pointer(ptr, alias), alias) != shape:
            raise Reject(
                join_pointer(ptr, alias), f"{alias} differs from original_shape {list(shape)}: ambiguous tensor shape"
            )
    dtype = _enum_field(DataType, d["original_dtype"], join_pointer(ptr, "original_dtype"))
    if "dtype" in d and _enum_field(DataType, d["dtype"], join_pointer(ptr, "dtype")) is not dtype:
        raise Reject(join_pointer(ptr, "dtype"), "dtype differs from original_dtype: ambiguous tensor dtype")
    layout = _enum_field(Layout, d["layout"], join_pointer(ptr, "layout")) if "layout" in d else None
    storage = (
        _enum_field(StorageType, d["storage_type"], join_pointer(ptr, "storage_type"))
        if "storage_type" in d
        else StorageType.DEVICE
    )
    mc = decode_memory_config(d["memory_config"], join_pointer(ptr, "memory_config"))
    placement = None
    if "tensor_placement" in d:
        placement = _placement_from_v2(d["tensor_placement"], join_pointer(ptr, "tensor_placement"))
    elif "mesh_device" in d:
        placement = _placement_from_mesh_device(d["mesh_device"], join_pointer(ptr, "mesh_device"))
    spec = guarded(
        ptr,
        lambda: build(
            TensorSpec, shape=shape, dtype=dtype, layout=layout, memory_config=mc, storage=storage, placement=placement
        ),
    )
    return TensorValue(spec=spec)


def _v1_layout(tensor: dict[str, Json], tensor_layout: dict[str, Json], ptr: str) -> Layout | None:
    """V1 graph capture recorded no layout in most files. Use an explicit `layout` when present;
    otherwise ttnn's default alignment tells it: [1] for ROW_MAJOR, the tile shape for TILE.
    Anything else stays unknown (None) rather than being guessed."""
    if "layout" in tensor:
        return _enum_field(Layout, tensor["layout"], join_pointer(ptr, "layout"))
    alignment = tensor_layout.get("alignment")
    if alignment == [1]:
        return Layout.ROW_MAJOR
    if isinstance(alignment, list) and len(alignment) == 2 and alignment == [32, 32]:
        return Layout.TILE
    return None


def decode_v1_tensor(v: Json, ptr: str) -> TensorValue:
    """`{"Tensor": {"storage": {}, "tensor_spec": {"logical_shape", "tensor_layout": {...}}}}`."""
    t = _expect_dict(v, ptr, "Tensor")
    _check_keys(t, ptr, {"storage", "tensor_spec", "layout"}, {"tensor_spec"}, "Tensor")
    spec_ptr = join_pointer(ptr, "tensor_spec")
    spec = _expect_dict(t["tensor_spec"], spec_ptr, "tensor_spec")
    _check_keys(spec, spec_ptr, {"logical_shape", "tensor_layout"}, {"logical_shape", "tensor_layout"}, "tensor_spec")
    shape = _int_list(spec["logical_shape"], join_pointer(spec_ptr, "logical_shape"), "logical_shape")
    tl_ptr = join_pointer(spec_ptr, "tensor_layout")
    tl = _expect_dict(spec["tensor_layout"], tl_ptr, "tensor_layout")
    _check_keys(
        tl, tl_ptr, {"dtype", "page_config", "memory_config", "alignment"}, {"dtype", "memory_config"}, "tensor_layout"
    )
    dtype = _enum_field(DataType, tl["dtype"], join_pointer(tl_ptr, "dtype"))
    mc = decode_memory_config(tl["memory_config"], join_pointer(tl_ptr, "memory_config"))
    layout = _v1_layout(t, tl, ptr)
    # Graph capture traces device operations; V1 records no storage, so the tensor is on device.
    built = guarded(ptr, lambda: build(TensorSpec, shape=shape, dtype=dtype, layout=layout, memory_config=mc))
    return TensorValue(spec=built)


# ----------------------------------------------------------------------------- typed objects


def _loose_field(v: Json, ptr: str) -> ArgValue:
    """Values of upstream's structured dicts: `"False"`, `"MathFidelity.HiFi2"`, numbers."""
    if isinstance(v, str):
        return guarded(ptr, lambda: parse_field_value(v))
    return decode_value(v, ptr, cpp_strings=False)


def _object(type_name: str, fields: dict[str, Json], ptr: str, loose: bool) -> ArgValue:
    decoded = []
    for name in sorted(fields):
        fptr = join_pointer(ptr, name)
        value = _loose_field(fields[name], fptr) if loose else decode_value(fields[name], fptr, cpp_strings=False)
        decoded.append(guarded(fptr, partial(build, FieldValue, name=name, value=value)))
    return guarded(ptr, lambda: typed(build(ObjectValue, type_name=type_name, fields=tuple(decoded))))


def decode_compute_kernel_config(d: dict[str, Json], ptr: str) -> ObjectValue:
    """upstream's class-less compute kernel config (ttgen.facts.kernel_config), e.g.
    `{"math_fidelity": "MathFidelity.HiFi2", "math_approx_mode": "False", "fp32_dest_acc_en": false, ...}`.
    Each field is read in exactly that spelling."""
    fields = []
    for name in sorted(d):
        fptr = join_pointer(ptr, name)
        raw = d[name]
        value: ArgValue
        if name in kernel_config.ENUM_FIELDS:
            enum_name = kernel_config.ENUM_FIELDS[name]
            if not isinstance(raw, str) or not raw.startswith(enum_name + "."):
                raise Reject(fptr, f"{name} must be a {enum_name} member like '{enum_name}.X'")
            value = guarded(fptr, partial(enum_value, enum_name, raw[len(enum_name) + 1 :]))
        elif isinstance(raw, bool):
            value = BoolValue(value=raw)
        elif name in kernel_config.STRINGIFIED_BOOLS and raw in ("True", "False"):
            value = BoolValue(value=raw == "True")
        else:
            raise Reject(fptr, f"{name} must be a boolean")
        fields.append(FieldValue(name=name, value=value))
    return guarded(ptr, partial(build, ObjectValue, type_name=kernel_config.CLASS, fields=tuple(fields)))


def _typed_dict(d: dict[str, Json], ptr: str) -> ArgValue:
    type_name = d["type"]
    if not isinstance(type_name, str) or not DOTTED.match(type_name):
        raise Reject(join_pointer(ptr, "type"), f"object type {str(type_name)[:60]!r} is not a dotted name")
    short = type_name.rsplit(".", 1)[-1]
    rest = {k: v for k, v in d.items() if k != "type"}
    if type_name == "ttnn.Tensor":
        return decode_v2_tensor(d, ptr)
    if type_name == "torch.Tensor":
        raise Reject(ptr, "a torch.Tensor argument (host data) cannot be recreated from a trace")
    if type_name == "str" and set(rest) == {"value"} and isinstance(rest["value"], str):
        return StrValue(value=rest["value"])
    if short == "MeshDevice":
        _check_keys(d, ptr, {"type", "repr", "shape", "device_ids"}, {"type"}, "MeshDevice")
        if "shape" in d:
            shape = _int_list(d["shape"], join_pointer(ptr, "shape"), "mesh shape")
        elif isinstance(d.get("repr"), str):
            shape = guarded(join_pointer(ptr, "repr"), lambda: parse_mesh_device_text(d["repr"]))
        else:
            raise Reject(ptr, "MeshDevice has neither shape nor repr")
        if (
            isinstance(d.get("repr"), str)
            and guarded(join_pointer(ptr, "repr"), lambda: parse_mesh_device_text(d["repr"])) != shape
        ):
            raise Reject(join_pointer(ptr, "repr"), "MeshDevice repr disagrees with its shape")
        ids = _int_list(d["device_ids"], join_pointer(ptr, "device_ids"), "device_ids") if "device_ids" in d else None
        return guarded(ptr, lambda: build(MeshDeviceValue, shape=shape, device_ids=ids))
    if short == "CoreCoord" and set(rest) == {"x", "y"}:
        return guarded(ptr, lambda: build(CoreCoordValue, x=rest["x"], y=rest["y"]))
    if short == "set" and set(rest) == {"items"} and isinstance(rest["items"], list):
        return SetValue(
            items=tuple(
                decode_value(x, join_pointer(ptr, "items", i), cpp_strings=False) for i, x in enumerate(rest["items"])
            )
        )
    if set(rest) == {"fields"} and isinstance(rest["fields"], dict):
        return _object(type_name, rest["fields"], join_pointer(ptr, "fields"), loose=False)
    text_keys = set(rest) & {"repr", "value"}
    if text_keys and set(rest) == text_keys:
        key = sorted(text_keys)[0]
        text = rest[key]
        if not isinstance(text, str):
            raise Reject(join_pointer(ptr, key), f"{short} {key} must be a string")
        resource = RESOURCE_TEXT.match(text.strip())
        if resource is not None:
            # a runtime handle: its type, never its address (ttgen.model.values.ResourceValue)
            return guarded(ptr, partial(build, ResourceValue, resource=type_name, python_type=resource.group(1)))
        try:
            parsed = parse_object_repr(type_name, text)
        except ValueError:
            parsed = None
        if parsed is not None:
            return guarded(ptr, partial(typed, parsed))
        # Kept verbatim: nothing lost, and the compiler refuses it where a value is needed.
        return guarded(ptr, partial(build, OpaqueValue, type_name=type_name, text=text))
    # upstream's structured program-config dicts: {"type": T, field: value, ...}
    return _object(type_name, rest, ptr, loose=True)


# Every nested decode extends the pointer, so its length bounds recursion on any path.
MAX_POINTER_TOKENS = 64


def decode_value(v: Json, ptr: str, *, cpp_strings: bool) -> ArgValue:
    if ptr.count("/") > MAX_POINTER_TOKENS:
        raise Reject(ptr[:200] + "…", f"value nested more than {MAX_POINTER_TOKENS} levels deep")
    if v is None:
        return NoneValue()
    if isinstance(v, bool):
        return BoolValue(value=v)
    if isinstance(v, int):
        return IntValue(value=guarded(ptr, lambda: checked_int(v)))
    if isinstance(v, float):
        return FloatValue.of(v)
    if isinstance(v, str):
        if cpp_strings:
            return guarded(ptr, lambda: parse_cpp_value(v))
        if v in SPECIAL_FLOAT_SPELLINGS:
            return FloatValue(text=SPECIAL_FLOAT_SPELLINGS[v])
        return StrValue(value=v)
    if isinstance(v, list):
        return ListValue(
            items=tuple(decode_value(x, join_pointer(ptr, i), cpp_strings=cpp_strings) for i, x in enumerate(v))
        )
    if not isinstance(v, dict):
        raise Reject(ptr, f"unsupported JSON value of type {type(v).__name__}")  # pragma: no cover
    if set(v) == {"Tensor"}:
        return decode_v1_tensor(v["Tensor"], join_pointer(ptr, "Tensor"))
    if set(v) == {"MemoryConfig"}:
        return MemoryConfigValue(config=decode_memory_config(v["MemoryConfig"], join_pointer(ptr, "MemoryConfig")))
    if "UnparsedElement" in v:
        raise Reject(ptr, "UnparsedElement nested inside a value")
    if "type" in v:
        return _typed_dict(v, ptr)
    if "memory_layout" in v or "buffer_type" in v:
        return MemoryConfigValue(config=decode_memory_config(v, ptr))
    if kernel_config.REQUIRED <= set(v) <= kernel_config.FIELDS:
        return decode_compute_kernel_config(v, ptr)
    return _untyped(v, ptr)


def _untyped(v: dict[str, Json], ptr: str) -> ArgValue:
    """A dict without a class name: a CoreCoord (`{"x", "y"}`, the 0.81.1 tracer's JSON), a
    fused activation (`{"op_type", "param"}`), or the one config class its field set names."""
    if set(v) == {"x", "y"}:
        return guarded(ptr, lambda: build(CoreCoordValue, x=v["x"], y=v["y"]))
    if "op_type" in v and set(v) <= {"op_type", "param", "params"}:
        return _object(ACTIVATION, v, ptr, loose=False)
    name = guarded(ptr, lambda: resolve_class(frozenset(v)))
    return _object(name, v, ptr, loose=True)
