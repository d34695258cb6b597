"""Readable one-line descriptions of IR values, for `ttgen show` (like upstream's analyzer:
`Tensor(shape=[1, 1, 12544, 32], dtype=BFLOAT8_B, memory=L1_HEIGHT_SHARDED,
shard(shape=[224, 32], grid=[(0,0)→(7,6)], orientation=ROW_MAJOR))`)."""

from __future__ import annotations

from typing_extensions import assert_never

from ttgen.model import (
    ArgValue,
    BoolValue,
    CoreCoordValue,
    CoreGridValue,
    CoreRangeSet,
    CoreRangeSetValue,
    EnumValue,
    Execution,
    FloatValue,
    IntValue,
    ListValue,
    MemoryConfig,
    MemoryConfigValue,
    MeshCoordinateValue,
    MeshDeviceValue,
    NoneValue,
    ObjectValue,
    OpaqueValue,
    Replicate,
    ResourceValue,
    SetValue,
    ShapeValue,
    StorageType,
    StrValue,
    TensorPlacement,
    TensorSpec,
    TensorValue,
)
from ttgen.terminal import clean


def describe_grid(grid: CoreRangeSet) -> str:
    return "[" + ", ".join(f"({r.start.x},{r.start.y})→({r.end.x},{r.end.y})" for r in grid.ranges) + "]"


def describe_memory(mc: MemoryConfig) -> str:
    text = f"memory={mc.buffer_type.name}_{mc.memory_layout.name}"
    if mc.shard_spec is not None:
        s = mc.shard_spec
        text += f", shard(shape={list(s.shape)}, grid={describe_grid(s.grid)}, orientation={s.orientation.name})"
    elif mc.nd_shard_spec is not None:
        nd = mc.nd_shard_spec
        text += (
            f", nd_shard(shape={list(nd.shard_shape)}, grid={describe_grid(nd.grid)}, "
            f"orientation={nd.orientation.name}, distribution={nd.distribution.name})"
        )
    elif mc.is_sharded:
        text += ", shard=None"
    return text


def describe_placement(p: TensorPlacement) -> str:
    names = ["Replicate" if isinstance(x, Replicate) else f"Shard({x.dim})" for x in p.placements]
    mesh = "x".join(str(d) for d in p.mesh_device_shape)
    return f"mesh={mesh}, placement=[{', '.join(names)}]"


def describe_tensor(spec: TensorSpec) -> str:
    parts = [f"shape={list(spec.shape)}", f"dtype={spec.dtype.name}"]
    parts.append(f"layout={spec.layout.name}" if spec.layout is not None else "layout=?")
    parts.append(describe_memory(spec.memory_config))
    if spec.storage is StorageType.HOST:
        parts.append("storage=HOST")
    if spec.placement is not None:
        parts.append(describe_placement(spec.placement))
    return f"Tensor({', '.join(parts)})"


def describe_value(v: ArgValue) -> str:
    match v:
        case TensorValue():
            return describe_tensor(v.spec)
        case NoneValue():
            return "None"
        case BoolValue() | IntValue():
            return repr(v.value)
        case FloatValue():
            return v.text
        case StrValue():
            return repr(v.value)
        case EnumValue():
            return f"{v.enum}.{v.member}"
        case MemoryConfigValue():
            return f"MemoryConfig({describe_memory(v.config).removeprefix('memory=')})"
        case CoreGridValue():
            return f"CoreGrid(x={v.x}, y={v.y})"
        case CoreCoordValue():
            return f"CoreCoord({v.x}, {v.y})"
        case CoreRangeSetValue():
            return f"CoreRangeSet({describe_grid(v.ranges)})"
        case ShapeValue():
            return f"Shape({list(v.dims)})"
        case MeshDeviceValue():
            return f"MeshDevice({'x'.join(str(d) for d in v.shape)})"
        case MeshCoordinateValue():
            return f"MeshCoordinate({list(v.coords)})"
        case ListValue():
            return "[" + ", ".join(describe_value(x) for x in v.items) + "]"
        case SetValue():
            return "{" + ", ".join(describe_value(x) for x in v.items) + "}"
        case ObjectValue():
            return f"{v.type_name}(" + ", ".join(f"{f.name}={describe_value(f.value)}" for f in v.fields) + ")"
        case OpaqueValue():
            return f"{v.type_name}<unparsed: {v.text!r}>"
        case ResourceValue():
            return f"<{v.resource}>"
        case _:
            assert_never(v)


def describe_execution(e: Execution) -> str:
    text = f"{clean(e.source)} ×{e.count}"
    mi = e.machine_info
    if mi is not None:
        bits = [clean(b) for b in (mi.board_type, mi.device_series) if b]
        if mi.card_count is not None:
            bits.append(f"{mi.card_count} card{'s' if mi.card_count != 1 else ''}")
        if mi.mesh_device_shape is not None:
            bits.append("mesh " + "x".join(str(d) for d in mi.mesh_device_shape))
        if bits:
            text += f" ({', '.join(bits)})"
    if e.trace_uid:
        text += f" [trace {clean(e.trace_uid)}]"
    return text
