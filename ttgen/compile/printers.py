"""Typed printers: IR values → Python source for generated code, and their static types.

This is the only road from trace data to code. Strings reach source through `repr` (a literal
for any str, surrogates included), identifiers were validated as ASCII non-keywords when the
IR was built and are checked again here, floats print exactly (`float("nan")` for specials),
and comment text has every non-printable character escaped, so no trace string can end a
comment or a literal early.
"""

from __future__ import annotations

import keyword
import re

import ttgen.emu as emu
from ttgen.analyze.describe import clean
from ttgen.model import (
    ArgValue,
    BoolValue,
    CoreCoordValue,
    CoreGridValue,
    CoreRangeSet,
    CoreRangeSetValue,
    DataType,
    EnumValue,
    FloatValue,
    IntValue,
    Layout,
    ListValue,
    MemoryConfig,
    MemoryConfigValue,
    MeshCoordinateValue,
    MeshDeviceValue,
    NoneValue,
    ObjectValue,
    OpaqueValue,
    Replicate,
    SetValue,
    ShapeValue,
    StorageType,
    StrValue,
    TensorSpec,
    TensorValue,
)
from ttgen.model.memory import DRAM_MEMORY_CONFIG, L1_MEMORY_CONFIG

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class Unprintable(Exception):
    """This value cannot become code (the reason says why); its configuration is rejected."""


def ident(name: str) -> str:
    if not _IDENT.match(name) or keyword.iskeyword(name):
        raise Unprintable(f"{name!r} is not a safe identifier")
    return name


def ttnn_attr(name: str) -> str:
    """`ttnn.<name>`, only for names ttgen's ttnn API defines (its explicit exports, not the
    catch-all for unemulated ops), so generated code type-checks and imports everywhere."""
    ident(name)
    if name not in emu.__all__:
        raise Unprintable(f"ttnn.{name} is not in ttgen's ttnn API")
    return f"ttnn.{name}"


def comment_text(text: str) -> str:
    """One comment line's worth of trace text: non-printables escaped, never a line break."""
    return clean(text)


# ----------------------------------------------------------------------------- values


def grid_source(grid: CoreRangeSet) -> str:
    ranges = ", ".join(
        f"ttnn.CoreRange(ttnn.CoreCoord({r.start.x}, {r.start.y}), ttnn.CoreCoord({r.end.x}, {r.end.y}))"
        for r in grid.ranges
    )
    return f"ttnn.CoreRangeSet({{{ranges}}})"


def memory_config_source(mc: MemoryConfig) -> str:
    if mc == DRAM_MEMORY_CONFIG:
        return "ttnn.DRAM_MEMORY_CONFIG"
    if mc == L1_MEMORY_CONFIG:
        return "ttnn.L1_MEMORY_CONFIG"
    if mc.nd_shard_spec is not None:
        raise Unprintable("ND-sharded memory configs are not compiled yet")
    layout = f"ttnn.TensorMemoryLayout.{mc.memory_layout.name}"
    buffer = f"ttnn.BufferType.{mc.buffer_type.name}"
    if mc.shard_spec is None:
        return f"ttnn.MemoryConfig({layout}, {buffer})"
    s = mc.shard_spec
    spec = (
        f"ttnn.ShardSpec({grid_source(s.grid)}, [{s.shape[0]}, {s.shape[1]}], "
        f"ttnn.ShardOrientation.{s.orientation.name})"
    )
    return f"ttnn.MemoryConfig({layout}, {buffer}, {spec})"


def dtype_source(dtype: DataType) -> str:
    if dtype is DataType.INVALID:
        raise Unprintable("DataType.INVALID")
    return f"ttnn.{dtype.name.lower()}"


def layout_source(layout: Layout | None) -> str:
    if layout is None:
        raise Unprintable("the trace does not record this tensor's layout")
    if layout is Layout.INVALID:
        raise Unprintable("Layout.INVALID")
    return f"ttnn.{layout.name}_LAYOUT"


def tensor_source(spec: TensorSpec) -> str:
    parts = [
        f"shape={int_tuple(spec.shape)}",
        f"dtype={dtype_source(spec.dtype)}",
        f"layout={layout_source(spec.layout)}",
        f"memory_config={memory_config_source(spec.memory_config)}",
    ]
    if spec.storage is StorageType.HOST:
        parts.append("on_device=False")
    if spec.placement is not None:
        p = spec.placement
        names = tuple("Replicate" if isinstance(x, Replicate) else f"Shard({x.dim})" for x in p.placements)
        parts.append(
            f"placement=MeshPlacement(mesh_shape={int_tuple(p.mesh_device_shape)}, "
            f"placements={str_tuple(names)}, distribution_shape={int_tuple(p.distribution_shape)})"
        )
    return f"TensorSpec({', '.join(parts)})"


def int_tuple(values: tuple[int, ...]) -> str:
    if len(values) == 1:
        return f"({values[0]},)"
    return "(" + ", ".join(str(int(v)) for v in values) + ")"


def str_tuple(values: tuple[str, ...]) -> str:
    inner = ", ".join(repr(v) for v in values)
    return f"({inner},)" if len(values) == 1 else f"({inner})"


def float_source(v: FloatValue) -> str:
    return f'float("{v.text}")' if v.is_special else v.text


def enum_source(v: EnumValue) -> str:
    if v.enum == "DataType":
        return dtype_source(DataType[v.member])
    if v.enum == "Layout":
        return layout_source(Layout[v.member])
    cls = vars(emu).get(v.enum) if v.enum in emu.__all__ else None
    if cls is None or not hasattr(cls, ident(v.member)):
        raise Unprintable(f"ttnn.{v.enum}.{v.member} is not in ttgen's ttnn API")
    return f"{ttnn_attr(v.enum)}.{v.member}"


def value_source(v: ArgValue) -> str:
    if isinstance(v, TensorValue):
        return tensor_source(v.spec)
    if isinstance(v, NoneValue):
        return "None"
    if isinstance(v, BoolValue):
        return "True" if v.value else "False"
    if isinstance(v, IntValue):
        return str(int(v.value))
    if isinstance(v, FloatValue):
        return float_source(v)
    if isinstance(v, StrValue):
        return repr(v.value)
    if isinstance(v, EnumValue):
        return enum_source(v)
    if isinstance(v, MemoryConfigValue):
        return memory_config_source(v.config)
    if isinstance(v, CoreGridValue):
        return f"ttnn.CoreGrid(x={v.x}, y={v.y})"
    if isinstance(v, CoreCoordValue):
        return f"ttnn.CoreCoord({v.x}, {v.y})"
    if isinstance(v, CoreRangeSetValue):
        return grid_source(v.ranges)
    if isinstance(v, ShapeValue):
        return int_tuple(v.dims)
    if isinstance(v, MeshDeviceValue):
        return "DEVICE"
    if isinstance(v, MeshCoordinateValue):
        return f"ttnn.MeshCoordinate([{', '.join(str(c) for c in v.coords)}])"
    if isinstance(v, ListValue):
        items = [value_source(x) for x in v.items]
        return f"({items[0]},)" if len(items) == 1 else "(" + ", ".join(items) + ")"
    if isinstance(v, SetValue):
        return "frozenset({" + ", ".join(value_source(x) for x in v.items) + "})" if v.items else "frozenset()"
    if isinstance(v, ObjectValue):
        cls = ttnn_attr(v.type_name.rsplit(".", 1)[-1])
        return f"{cls}(" + ", ".join(f"{ident(f.name)}={value_source(f.value)}" for f in v.fields) + ")"
    if isinstance(v, OpaqueValue):
        raise Unprintable(f"{v.type_name} was traced only as printed text ({v.text[:60]!r})")
    raise Unprintable(f"unhandled value kind {v.kind}")  # pragma: no cover


# ----------------------------------------------------------------------------- types


def value_type(v: ArgValue) -> set[str]:
    """The static types (as source) a field must admit to hold this value."""
    if isinstance(v, TensorValue):
        return {"TensorSpec"}
    if isinstance(v, NoneValue):
        return {"None"}
    if isinstance(v, BoolValue):
        return {"bool"}
    if isinstance(v, IntValue):
        return {"int"}
    if isinstance(v, FloatValue):
        return {"float"}
    if isinstance(v, StrValue):
        return {"str"}
    if isinstance(v, EnumValue):
        return {ttnn_attr(v.enum)}
    if isinstance(v, MemoryConfigValue):
        return {"ttnn.MemoryConfig"}
    if isinstance(v, CoreGridValue):
        return {"ttnn.CoreGrid"}
    if isinstance(v, CoreCoordValue):
        return {"ttnn.CoreCoord"}
    if isinstance(v, CoreRangeSetValue):
        return {"ttnn.CoreRangeSet"}
    if isinstance(v, ShapeValue):
        return {"tuple[int, ...]"}
    if isinstance(v, MeshDeviceValue):
        return {"DeviceRef"}
    if isinstance(v, MeshCoordinateValue):
        return {"ttnn.MeshCoordinate"}
    if isinstance(v, ListValue | SetValue):
        inner: set[str] = set()
        for x in v.items:
            inner |= value_type(x)
        element = union_source(inner) if inner else "object"
        return {f"tuple[{element}, ...]"} if isinstance(v, ListValue) else {f"frozenset[{element}]"}
    if isinstance(v, ObjectValue):
        return {ttnn_attr(v.type_name.rsplit(".", 1)[-1])}
    raise Unprintable(f"no static type for {v.kind}")


def union_source(types: set[str]) -> str:
    """Deterministic union: sorted, with None and Absent last."""
    tail: list[str] = [t for t in ("None", "Absent") if t in types]
    head: list[str] = sorted(types - {"None", "Absent"})
    return " | ".join(head + tail)


def needs_inputs(types: set[str]) -> bool:
    """Whether a field's values must go through Inputs.value (tensors to create, the device)."""
    return any("TensorSpec" in t or "DeviceRef" in t for t in types)
