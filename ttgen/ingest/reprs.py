"""Parsers for the printed forms traces contain: C++ `operator<<` strings and Python reprs.

Each parser accepts one documented form exactly and raises ValueError otherwise; nothing here
evaluates text (`ast.literal_eval` is used only for quoted Python string literals, which it
parses without executing anything).
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ttgen.facts.reprs import split_top
from ttgen.ingest.errors import describe_validation_error
from ttgen.model import (
    ArgValue,
    BoolValue,
    BufferType,
    CoreCoord,
    CoreCoordValue,
    CoreGridValue,
    CoreRange,
    CoreRangeSet,
    CoreRangeSetValue,
    DataType,
    EnumValue,
    FieldValue,
    FloatValue,
    IntValue,
    Layout,
    ListValue,
    MemoryConfig,
    MemoryConfigValue,
    MeshCoordinateValue,
    NdShardSpec,
    NoneValue,
    ObjectValue,
    Placement,
    Replicate,
    SetValue,
    ShapeValue,
    Shard,
    ShardDistributionStrategy,
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
from ttgen.model.values import INT_MAX, INT_MIN, KNOWN_ENUMS

_INT = re.compile(r"[+-]?[0-9]+\Z")
_FLOAT = re.compile(r"[+-]?([0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)([eE][+-]?[0-9]+)?f?\Z")
_SPECIAL_FLOAT = {"inf": "inf", "+inf": "inf", "-inf": "-inf", "nan": "nan", "-nan": "nan"}
# Enum and class names are ttnn's CamelCase type names: `os.system` is not an enum.
_ENUM = re.compile(r"(?:ttnn\.)?([A-Z][A-Za-z0-9_]*)(?:::|\.)([A-Za-z_][A-Za-z0-9_]*)\Z")
MAX_NESTING = 32
_NULLS = {"nullopt", "std::nullopt", "None"}
# Placeholders tracers print when they could not render a value.
_UNCAPTURED = ("unsupported type", "<optional>", "UnparsedElement")


M = TypeVar("M", bound=BaseModel)


def build(cls: type[M], **kwargs: Any) -> M:
    """Construct an IR model, turning pydantic's error into a one-line ValueError."""
    try:
        return cls(**kwargs)
    except ValidationError as e:
        raise ValueError(describe_validation_error(e)) from None


def check_nesting(text: str) -> None:
    """Printed values nest a few levels; deeper text is refused before any recursion."""
    depth = deepest = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth -= 1
    if deepest > MAX_NESTING:
        raise ValueError(f"value nested more than {MAX_NESTING} levels deep")


def bracketed(text: str, pairs: tuple[str, ...] = ("[]", "{}")) -> bool:
    return len(text) >= 2 and text[0] + text[-1] in pairs


def checked_int(value: int) -> int:
    if not INT_MIN <= value <= INT_MAX:
        raise ValueError(f"integer {value} is out of range")
    return value


def parse_int_list(text: str) -> tuple[int, ...]:
    """`[4, 8]`, `{224, 32}`, `(1, 2)` → ints."""
    t = text.strip()
    if not bracketed(t, ("[]", "{}", "()")):
        raise ValueError(f"{text!r} is not a bracketed list of integers")
    inner = t[1:-1].strip()
    if not inner:
        return ()
    items = split_top(inner)
    if not all(_INT.match(x) for x in items):
        raise ValueError(f"{text!r} is not a list of integers")
    return tuple(checked_int(int(x)) for x in items)


# ----------------------------------------------------------------------------- grids and shards

_COORD_JSON = r'\{\s*"x"\s*:\s*([0-9]+)\s*,\s*"y"\s*:\s*([0-9]+)\s*\}'
# C++ prints each CoreRange of a ShardSpec grid as {"start":{..},"end":{..} and omits the range's
# own closing brace; accept it with or without that brace.
_RANGE_TEXT = re.compile(r'\{\s*"start"\s*:\s*' + _COORD_JSON + r'\s*,\s*"end"\s*:\s*' + _COORD_JSON + r"\s*\}?")


def core_range(sx: int, sy: int, ex: int, ey: int) -> CoreRange:
    return build(
        CoreRange,
        start=build(CoreCoord, x=sx, y=sy),
        end=build(CoreCoord, x=ex, y=ey),
    )


def core_range_set(ranges: list[CoreRange]) -> CoreRangeSet:
    return build(CoreRangeSet, ranges=tuple(ranges))


def parse_grid_text(text: str) -> CoreRangeSet:
    """The body of `grid=[...]` as C++ prints it (with the missing-brace quirk)."""
    ranges: list[CoreRange] = []
    pos = 0
    body = text.strip()
    while pos < len(body):
        m = _RANGE_TEXT.match(body, pos)
        if not m:
            raise ValueError(f"unreadable shard grid {text!r}")
        sx, sy, ex, ey = (checked_int(int(g)) for g in m.groups())
        ranges.append(core_range(sx, sy, ex, ey))
        pos = m.end()
        sep = re.compile(r"\s*,\s*").match(body, pos)
        if sep and sep.end() < len(body):
            pos = sep.end()
        elif pos != len(body):
            raise ValueError(f"unreadable shard grid {text!r}")
    return core_range_set(ranges)


_SHARD_SPEC_TEXT = re.compile(
    r"ShardSpec\{grid=\[(?P<grid>.*)\],\s*shape=(?P<shape>\[[^\]]*\]),\s*"
    r"orientation=(?P<orient>[A-Za-z_:.]+)\}\Z",
    re.S,
)


def parse_shard_spec_text(text: str) -> ShardSpec:
    """`ShardSpec{grid=[{"start":{"x":0,"y":0},"end":{"x":7,"y":0}], shape=[32, 64],
    orientation=ShardOrientation::ROW_MAJOR}`"""
    m = _SHARD_SPEC_TEXT.match(text.strip())
    if not m:
        raise ValueError(f"unreadable shard spec {text[:120]!r}")
    shape = parse_int_list(m.group("shape"))
    return build(
        ShardSpec,
        grid=parse_grid_text(m.group("grid")),
        shape=shape,
        orientation=parse_member(ShardOrientation, m.group("orient")),
    )


def parse_nd_shard_spec_json(obj: object) -> NdShardSpec:
    """The JSON object C++ prints for an nd_shard_spec."""
    if not isinstance(obj, dict) or set(obj) - {"shard_shape", "grid", "orientation", "shard_distribution_strategy"}:
        raise ValueError("unreadable nd_shard_spec")
    return build(
        NdShardSpec,
        shard_shape=tuple(_ints(obj.get("shard_shape"), "nd_shard_spec.shard_shape")),
        grid=grid_from_json(obj.get("grid")),
        orientation=parse_member(ShardOrientation, _str(obj.get("orientation", "ROW_MAJOR"))),
        distribution=parse_member(
            ShardDistributionStrategy, _str(obj.get("shard_distribution_strategy", "ROUND_ROBIN_1D"))
        ),
    )


def _str(v: object) -> str:
    if not isinstance(v, str):
        raise ValueError(f"expected a string, got {type(v).__name__}")
    return v


def _ints(v: object, what: str) -> list[int]:
    if not isinstance(v, list) or not all(isinstance(x, int) and not isinstance(x, bool) for x in v):
        raise ValueError(f"{what} must be a list of integers")
    return [checked_int(x) for x in v]


def _coord_json(v: object) -> tuple[int, int]:
    if not isinstance(v, dict) or set(v) != {"x", "y"}:
        raise ValueError("a core coordinate must be {x, y}")
    x, y = v["x"], v["y"]
    if not all(isinstance(c, int) and not isinstance(c, bool) for c in (x, y)):
        raise ValueError("core coordinates must be integers")
    return checked_int(x), checked_int(y)


def grid_from_json(v: object) -> CoreRangeSet:
    """A shard grid in any of the three JSON forms traces use:
    V2 `[{"start": {x,y}, "end": {x,y}}, ...]`; V1 (repaired) flat pair `[{x,y}, {x,y}]`;
    V1 list of pairs `[[{x,y}, {x,y}], ...]`."""
    if not isinstance(v, list) or not v:
        raise ValueError("a shard grid must be a non-empty list")
    if all(isinstance(r, dict) and set(r) == {"start", "end"} for r in v):
        ranges = [core_range(*_coord_json(r["start"]), *_coord_json(r["end"])) for r in v]
    elif len(v) == 2 and all(isinstance(c, dict) and set(c) == {"x", "y"} for c in v):
        ranges = [core_range(*_coord_json(v[0]), *_coord_json(v[1]))]
    elif all(isinstance(p, list) and len(p) == 2 for p in v):
        ranges = [core_range(*_coord_json(p[0]), *_coord_json(p[1])) for p in v]
    else:
        raise ValueError("unreadable shard grid")
    return core_range_set(ranges)


_MEMORY_CONFIG_TEXT = re.compile(
    r"MemoryConfig\(memory_layout=(?P<layout>[A-Za-z_:.]+),\s*buffer_type=(?P<buffer>[A-Za-z0-9_:.]+),\s*"
    r"shard_spec=(?P<shard>std::nullopt|ShardSpec\{.*?orientation=[A-Za-z_:.]+\}),\s*"
    r"nd_shard_spec=(?P<nd>std::nullopt|\{.*\}),\s*created_with_nd_shard_spec=(?P<created>[01])"
    r"(?P<rest>(,\s*[a-z_]+=[0-9]+)*)\)\Z",
    re.S,
)


def parse_memory_config_text(text: str) -> MemoryConfig:
    """ttnn's `str(MemoryConfig)`: `MemoryConfig(memory_layout=TensorMemoryLayout::INTERLEAVED,...)`."""
    m = _MEMORY_CONFIG_TEXT.match(text.strip())
    if not m:
        raise ValueError(f"unreadable MemoryConfig {text[:120]!r}")
    for item in split_top(m.group("rest").lstrip(",")) if m.group("rest") else []:
        key, _, val = item.partition("=")
        if val != "0":
            raise ValueError(f"MemoryConfig {key}={val} is not supported")
    layout = parse_member(TensorMemoryLayout, m.group("layout"))
    shard = None if m.group("shard") == "std::nullopt" else parse_shard_spec_text(m.group("shard"))
    nd = None
    if m.group("nd") != "std::nullopt" and m.group("created") == "1":
        try:
            nd_obj = json.loads(m.group("nd"))
        except json.JSONDecodeError:
            raise ValueError("unreadable nd_shard_spec") from None
        nd = parse_nd_shard_spec_json(nd_obj)
    return build(
        MemoryConfig,
        memory_layout=layout,
        buffer_type=parse_member(BufferType, m.group("buffer")),
        shard_spec=shard,
        nd_shard_spec=nd,
    )


_CRS_RANGE = re.compile(r"\[\s*([0-9]+)-([0-9]+)\s+-\s+([0-9]+)-([0-9]+)\s*\]\Z")


def parse_core_range_set_text(text: str) -> CoreRangeSet:
    """ttnn's CoreRangeSet repr: `{[0-0 - 7-7], [0-1 - 1-1]}`."""
    t = text.strip()
    if not (t.startswith("{") and t.endswith("}")):
        raise ValueError(f"unreadable CoreRangeSet {text!r}")
    ranges = []
    for part in split_top(t[1:-1]):
        m = _CRS_RANGE.match(part)
        if not m:
            raise ValueError(f"unreadable CoreRange {part!r}")
        sx, sy, ex, ey = (checked_int(int(g)) for g in m.groups())
        ranges.append(core_range(sx, sy, ex, ey))
    return core_range_set(ranges)


_CORE_GRID = re.compile(r"(?:ttnn\.)?CoreGrid\(x=([0-9]+),\s*y=([0-9]+)\)\Z")
_SHAPE = re.compile(r"(?:ttnn\.)?Shape\((\[[^\]]*\])\)\Z")
_MESH_COORD = re.compile(r"(?:ttnn\.)?MeshCoordinate\((\[[^\]]*\])\)\Z")
_CORE_COORD = re.compile(r"\(\s*x\s*=\s*([0-9]+)\s*,\s*y\s*=\s*([0-9]+)\s*\)\Z")
_DASH_COORD = re.compile(r"([0-9]+)-([0-9]+)\Z")  # ttnn's CoreCoord repr inside C++ config reprs: `8-1`
_MESH_DEVICE = re.compile(r"MeshDevice\(([0-9]+(?:x[0-9]+)*) grid, ([0-9]+) devices\)\Z")


def parse_core_grid_text(text: str) -> CoreGridValue:
    m = _CORE_GRID.match(text.strip())
    if not m:
        raise ValueError(f"unreadable CoreGrid {text!r}")
    return build(CoreGridValue, x=checked_int(int(m.group(1))), y=checked_int(int(m.group(2))))


def parse_shape_text(text: str) -> ShapeValue:
    m = _SHAPE.match(text.strip())
    if not m:
        raise ValueError(f"unreadable Shape {text!r}")
    return build(ShapeValue, dims=parse_int_list(m.group(1)))


def parse_mesh_device_text(text: str) -> tuple[int, ...]:
    """`MeshDevice(4x8 grid, 32 devices)` → (4, 8); the device count must agree."""
    m = _MESH_DEVICE.match(text.strip())
    if not m:
        raise ValueError(f"unreadable MeshDevice {text!r}")
    shape = tuple(checked_int(int(d)) for d in m.group(1).split("x"))
    n = 1
    for d in shape:
        n *= d
    if n != int(m.group(2)):
        raise ValueError(f"MeshDevice {text!r}: grid and device count disagree")
    return shape


# ----------------------------------------------------------------------------- placements

_PLACEMENT = re.compile(r"Placement(Replicate|Shard)(?:\((?:dim=)?(-?[0-9]+)?\))?\Z")


def parse_placement(name: str) -> Placement:
    m = _PLACEMENT.match(name.strip())
    if not m:
        raise ValueError(f"unreadable placement {name!r}")
    if m.group(1) == "Replicate":
        if m.group(2) is not None:
            raise ValueError(f"PlacementReplicate takes no dim: {name!r}")
        return Replicate()
    if m.group(2) is None:
        raise ValueError(f"PlacementShard needs a dim: {name!r}")
    return build(Shard, dim=int(m.group(2)))


def parse_placements(v: object) -> tuple[Placement, ...]:
    """`"['PlacementShard(2)', 'PlacementReplicate']"` (V2 string) or a list of names."""
    if isinstance(v, str):
        t = v.strip()
        if not (t.startswith("[") and t.endswith("]")):
            raise ValueError(f"unreadable placement list {v!r}")
        names = []
        for part in split_top(t[1:-1]):
            if len(part) < 2 or part[0] != part[-1] or part[0] not in "'\"":
                raise ValueError(f"unreadable placement list {v!r}")
            names.append(part[1:-1])
    elif isinstance(v, list) and all(isinstance(x, str) for x in v):
        names = list(v)
    else:
        raise ValueError("placements must be a list of placement names")
    return tuple(parse_placement(n) for n in names)


def shape_field(v: object, what: str) -> tuple[int, ...]:
    """A shape given as a JSON list or as its printed text `"[4, 8]"`."""
    if isinstance(v, str):
        return parse_int_list(v)
    return tuple(_ints(v, what))


def make_placement(
    placements: tuple[Placement, ...], distribution: tuple[int, ...], mesh: tuple[int, ...]
) -> TensorPlacement | None:
    """A 1-device mesh that replicates is a single device: no placement (as upstream writes)."""
    n = 1
    for d in mesh:
        n *= d
    if n == 1 and all(isinstance(p, Replicate) for p in placements):
        return None
    return build(
        TensorPlacement,
        placements=placements,
        distribution_shape=distribution,
        mesh_device_shape=mesh,
    )


# ----------------------------------------------------------------------------- scalar values


def is_uncaptured(text: str) -> bool:
    return any(marker in text for marker in _UNCAPTURED)


def parse_number(text: str) -> ArgValue | None:
    t = text.strip()
    if _INT.match(t):
        return build(IntValue, value=int(t))
    if t.lower() in _SPECIAL_FLOAT:
        return FloatValue(text=_SPECIAL_FLOAT[t.lower()])
    if _FLOAT.match(t):
        return FloatValue.of(float(t.rstrip("f")))
    return None


def enum_value(type_name: str, member: str) -> EnumValue:
    known = KNOWN_ENUMS.get(type_name)
    if known is not None:
        member = parse_member(known, member).name
    return build(EnumValue, enum=type_name, member=member)


def parse_enum_text(text: str) -> EnumValue | None:
    m = _ENUM.match(text.strip())
    if not m:
        return None
    return enum_value(m.group(1), m.group(2))


def parse_cpp_value(text: str) -> ArgValue:
    """A non-tensor argument as V1 graph capture printed it (C++ operator<<)."""
    t = text.strip()
    check_nesting(t)
    if is_uncaptured(t):
        raise ValueError(f"the tracer did not capture this value ({t[:80]!r})")
    if t in _NULLS:
        return NoneValue()
    if t in ("true", "false"):
        return BoolValue(value=t == "true")
    number = parse_number(t)
    if number is not None:
        return number
    if t.startswith("MemoryConfig("):
        return MemoryConfigValue(config=parse_memory_config_text(t))
    if _SHAPE.match(t):
        return parse_shape_text(t)
    if bracketed(t):
        return ListValue(items=tuple(parse_cpp_value(x) for x in split_top(t[1:-1])))
    enum = parse_enum_text(t)
    if enum is not None:
        return enum
    raise ValueError(f"unrecognized C++ value {t[:80]!r}")


# ----------------------------------------------------------------------------- object reprs

_CALL = re.compile(r"((?:[a-z_][a-z0-9_]*\.)*[A-Z][A-Za-z0-9_]*)\((.*)\)\Z", re.S)
_KW = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)\Z", re.S)


def parse_field_value(text: str) -> ArgValue:
    """A value inside an object repr: numbers, bools, nulls, enums, (x=..,y=..), lists, calls."""
    t = text.strip()
    check_nesting(t)
    if t in _NULLS:
        return NoneValue()
    if t in ("true", "True", "false", "False"):
        return BoolValue(value=t in ("true", "True"))
    number = parse_number(t)
    if number is not None:
        return number
    m = _CORE_COORD.match(t) or _DASH_COORD.match(t)
    if m:
        return build(CoreCoordValue, x=checked_int(int(m.group(1))), y=checked_int(int(m.group(2))))
    if t == "{}" or t.startswith("{["):
        return CoreRangeSetValue(ranges=parse_core_range_set_text(t))
    if _CORE_GRID.match(t):
        return parse_core_grid_text(t)
    if _SHAPE.match(t):
        return parse_shape_text(t)
    m = _MESH_COORD.match(t)
    if m:
        return build(MeshCoordinateValue, coords=parse_int_list(m.group(1)))
    if t.startswith("MemoryConfig("):
        return MemoryConfigValue(config=parse_memory_config_text(t))
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"":
        try:
            literal = ast.literal_eval(t)
        except (SyntaxError, ValueError, MemoryError):
            literal = None
        if not isinstance(literal, str):
            raise ValueError(f"unreadable string {t[:80]!r}")
        return StrValue(value=literal)
    if bracketed(t, ("[]",)):
        return ListValue(items=tuple(parse_field_value(x) for x in split_top(t[1:-1])))
    enum = parse_enum_text(t)
    if enum is not None:
        return enum
    m = _CALL.match(t)
    if m:
        return parse_object_repr(m.group(1).removeprefix("ttnn."), t)
    raise ValueError(f"unreadable value {t[:80]!r}")


def parse_object_repr(type_name: str, text: str) -> ArgValue:
    """`{"type": T, "value"|"repr": text}` of upstream's serializer → a structured value.

    Recognizes enums (`Topology.Ring`), CoreGrid, CoreRangeSet, Shape, MeshCoordinate, sets of
    them, and `Name(field=value, ...)` objects. Raises ValueError for anything else; the caller
    then keeps the text verbatim as an OpaqueValue.
    """
    t = text.strip()
    short = type_name.rsplit(".", 1)[-1]
    m = _ENUM.match(t)
    if m and m.group(1) == short:
        return enum_value(short, m.group(2))
    if short == "CoreGrid":
        return parse_core_grid_text(t)
    if short == "CoreCoord":
        cc = _DASH_COORD.match(t) or _CORE_COORD.match(t)
        if not cc:
            raise ValueError(f"unreadable CoreCoord {t!r}")
        return build(CoreCoordValue, x=checked_int(int(cc.group(1))), y=checked_int(int(cc.group(2))))
    if short == "CoreRangeSet":
        return CoreRangeSetValue(ranges=parse_core_range_set_text(t))
    if short == "Shape":
        return parse_shape_text(t)
    if short == "MeshCoordinate":
        mc = _MESH_COORD.match(t)
        if not mc:
            raise ValueError(f"unreadable MeshCoordinate {t!r}")
        return build(MeshCoordinateValue, coords=parse_int_list(mc.group(1)))
    if short == "set":
        if not (t.startswith("{") and t.endswith("}")):
            raise ValueError(f"unreadable set {t!r}")
        return SetValue(items=tuple(parse_field_value(x) for x in split_top(t[1:-1])))
    check_nesting(t)
    call = _CALL.match(t)
    if not call or call.group(1).removeprefix("ttnn.").rsplit(".", 1)[-1] != short:
        raise ValueError(f"{t[:80]!r} is not a {short} repr")
    fields: dict[str, ArgValue] = {}
    for part in split_top(call.group(2)):
        kw = _KW.match(part)
        if not kw:
            raise ValueError(f"unreadable field {part!r} in {short}")
        if kw.group(1) in fields:
            raise ValueError(f"field {kw.group(1)!r} repeats in {short}")
        fields[kw.group(1)] = parse_field_value(kw.group(2))
    return build(
        ObjectValue,
        type_name=type_name,
        fields=tuple(FieldValue(name=k, value=fields[k]) for k in sorted(fields)),
    )


# ----------------------------------------------------------------------------- tensor reprs

_TENSOR_REPR_FIELDS = re.compile(
    r"ttnn\.Tensor\(shape=Shape\((?P<shape>\[[^\]]*\])\),\s*dtype=(?P<dtype>[A-Za-z0-9_:.]+),\s*"
    r"layout=(?P<layout>[A-Za-z_:.]+),\s*memory_config=(?P<mc>MemoryConfig\(.*?\)),\s*"
    r"storage_type=(?P<storage>[A-Za-z_:.]+)(?P<rest>.*)\)\Z",
    re.S,
)
_MESH_SHAPE = re.compile(r"mesh_shape=MeshShape\((\[[^\]]*\])\)")
_DIST_SHAPE = re.compile(r"distribution_shape=MeshShape\((\[[^\]]*\])\)")
_PLACEMENTS = re.compile(r"placements=(\[[^\]]*\])")


def parse_tensor_repr(text: str) -> TensorValue:
    """The Python-side tensor description of graph-capture `python_io` records:
    `ttnn.Tensor(shape=Shape([..]), dtype=DataType.X, layout=Layout.X, memory_config=MemoryConfig(..),
    storage_type=StorageType.X, ..., mesh_shape=MeshShape([r, c]), distribution_shape=..., placements=[..])`."""
    m = _TENSOR_REPR_FIELDS.match(text.strip())
    if not m:
        raise ValueError(f"unreadable tensor description {text[:120]!r}")
    rest = m.group("rest")
    placement = None
    mesh, dist, places = _MESH_SHAPE.search(rest), _DIST_SHAPE.search(rest), _PLACEMENTS.search(rest)
    if mesh or dist or places:
        if not dist or not places:
            raise ValueError("tensor on a mesh without distribution shape or placements")
        distribution = parse_int_list(dist.group(1))
        # a host tensor has a distribution but no mesh yet: the distribution is its mesh
        mesh_shape = parse_int_list(mesh.group(1)) if mesh else distribution
        placement = make_placement(parse_placements(places.group(1)), distribution, mesh_shape)
    spec = build(
        TensorSpec,
        shape=parse_int_list(m.group("shape")),
        dtype=parse_member(DataType, m.group("dtype")),
        layout=parse_member(Layout, m.group("layout")),
        memory_config=parse_memory_config_text(m.group("mc")),
        storage=parse_member(StorageType, m.group("storage")),
        placement=placement,
    )
    return TensorValue(spec=spec)
