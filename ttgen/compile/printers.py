"""Typed printers: IR values → Python source for generated code, and their static types.

This is the only road from data to code: trace values, the master's path, op names,
sweeps_src data and reasons alike. Every printer returns `Source`, and the templates accept
nothing else (ttgen.compile.render), so a value that skipped its printer cannot reach a file.
Strings reach source through `repr` (a literal for any str, surrogates included), identifiers
were validated as ASCII non-keywords when the IR was built and are checked again here, floats
print exactly (`float("nan")` for specials), and comment text has every non-printable character
escaped and no `coding:` declaration (PEP 263 reads one on a file's first two lines), so no
string can end a comment or a literal early or change how the file is decoded.
"""

from __future__ import annotations

import keyword
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from black.numerics import normalize_numeric_literal
from black.strings import normalize_string_quotes
from blib2to3.pgen2 import token
from blib2to3.pytree import Leaf
from typing_extensions import assert_never

from ttgen.compile.layout import Atom, Call, Coll, Node
from ttgen.facts import api
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
    ResourceValue,
    SetValue,
    ShapeValue,
    StorageType,
    StrValue,
    TensorSpec,
    TensorValue,
)
from ttgen.model.memory import DRAM_MEMORY_CONFIG, L1_MEMORY_CONFIG
from ttgen.terminal import clean

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_HEX = re.compile(r"[0-9a-f]+\Z")
# PEP 263's declaration is `coding[:=]` in a comment; its separator is escaped wherever comment
# text could hold one (case-insensitively, stricter than CPython's own search).
_CODING = re.compile(r"(coding)([:=])", re.IGNORECASE)


class Source(str):
    """Text made by a printer: Python source, or text that stays inside its comment or
    docstring. Only printers construct it (and `joined`, from printed parts)."""

    __slots__ = ()


class Unprintable(Exception):
    """This value cannot become code (the reason says why); its configuration is rejected."""


def ident(name: str) -> Source:
    if not _IDENT.match(name) or keyword.iskeyword(name):
        raise Unprintable(f"{name!r} is not a safe identifier")
    return Source(name)


def dotted(name: str) -> Source:
    """A dotted name such as an op (`ttnn.experimental.x`): every segment a safe identifier."""
    for segment in name.split("."):
        ident(segment)
    return Source(name)


def hex_text(text: str) -> Source:
    """A digest (or its prefix) as it appears in headers: lowercase hex only."""
    if not _HEX.match(text):
        raise Unprintable(f"{text!r} is not a hex digest")
    return Source(text)


def joined(parts: list[Source], sep: str) -> Source:
    """Printed parts joined by a fixed separator (which must itself be plain punctuation)."""
    if any(not isinstance(p, Source) for p in parts) or not set(sep) <= set(", "):
        raise TypeError("joined() takes printed parts and a separator of commas and spaces")
    return Source(sep.join(parts))


def ttnn_attr(name: str) -> str:
    """`ttnn.<name>`, only for names ttgen's ttnn API defines (its explicit exports, not the
    catch-all for unemulated ops), so generated code type-checks and imports everywhere."""
    ident(name)
    if name not in api.NAMES:
        raise Unprintable(f"ttnn.{name} is not in ttgen's ttnn API")
    return f"ttnn.{name}"


def comment_text(text: str) -> Source:
    """One comment line's worth of text: non-printables escaped, so never a line break, and no
    PEP 263 encoding declaration."""
    return Source(_CODING.sub(lambda m: m.group(1) + f"\\x{ord(m.group(2)):02x}", clean(text)))


# ----------------------------------------------------------------------------- values


def str_literal(text: str) -> Source:
    """A string literal as black writes it: repr, then black's own quote normalization."""
    return Source(normalize_string_quotes(repr(text)))


def number_literal(text: str) -> Source:
    """A numeric literal as black writes it (e.g. `1.5e+20` → `1.5e20`)."""
    if text.startswith("-"):
        return Source("-" + number_literal(text[1:]))
    leaf = Leaf(token.NUMBER, text)
    normalize_numeric_literal(leaf)
    return Source(leaf.value)


def float_literal(x: float) -> Source:
    """Exact: repr round-trips; specials (which have no literal) as `float("...")`."""
    if math.isfinite(x):
        return number_literal(repr(float(x)))
    return Source(f'float("{x!r}")')


Data = str | int | float | bool | None | tuple["Data", ...] | Mapping[str, "Data"]


def data_literal(value: Data) -> Source:
    """Plain data from sweeps_src (names, thresholds, bounds) as a literal: str, int, float,
    bool, None, tuples and str-keyed dicts (in their order)."""
    if value is None or isinstance(value, bool):
        return Source(repr(value))
    if isinstance(value, int):
        return number_literal(str(int(value)))
    if isinstance(value, float):
        return float_literal(value)
    if isinstance(value, str):
        return str_literal(value)
    if isinstance(value, tuple):
        items = [data_literal(v) for v in value]
        return Source("(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")")
    if isinstance(value, Mapping):
        return Source("{" + ", ".join(f"{str_literal(k)}: {data_literal(v)}" for k, v in value.items()) + "}")
    raise Unprintable(f"no literal for {type(value).__name__}")


def _ints(values: tuple[int, ...] | list[int], kind: str = "tuple") -> Coll:
    return Coll(kind, tuple(Atom(number_literal(str(int(v)))) for v in values))


def ints_node(values: tuple[int, ...]) -> Coll:
    """A tuple of ints, as shapes and mesh shapes print."""
    return _ints(values)


def grid_node(grid: CoreRangeSet) -> Call:
    ranges = tuple(
        Call(
            "ttnn.CoreRange",
            (
                (None, Call("ttnn.CoreCoord", ((None, Atom(str(r.start.x))), (None, Atom(str(r.start.y)))))),
                (None, Call("ttnn.CoreCoord", ((None, Atom(str(r.end.x))), (None, Atom(str(r.end.y)))))),
            ),
        )
        for r in grid.ranges
    )
    if not ranges:
        return Call("ttnn.CoreRangeSet", ((None, Call("set", ())),))
    return Call("ttnn.CoreRangeSet", ((None, Coll("set", ranges)),))


def memory_config_node(mc: MemoryConfig) -> Node:
    if mc == DRAM_MEMORY_CONFIG:
        return Atom("ttnn.DRAM_MEMORY_CONFIG")
    if mc == L1_MEMORY_CONFIG:
        return Atom("ttnn.L1_MEMORY_CONFIG")
    if mc.nd_shard_spec is not None:
        raise Unprintable("ND-sharded memory configs are not compiled yet")
    args: list[tuple[str | None, Node]] = [
        (None, Atom(f"ttnn.TensorMemoryLayout.{mc.memory_layout.name}")),
        (None, Atom(f"ttnn.BufferType.{mc.buffer_type.name}")),
    ]
    if mc.shard_spec is not None:
        s = mc.shard_spec
        spec = Call(
            "ttnn.ShardSpec",
            (
                (None, grid_node(s.grid)),
                (None, _ints(s.shape, "list")),
                (None, Atom(f"ttnn.ShardOrientation.{s.orientation.name}")),
            ),
        )
        args.append((None, spec))
    return Call("ttnn.MemoryConfig", tuple(args))


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


@dataclass(frozen=True, slots=True)
class Fragment:
    """A printed value: its source (a layout node), the static types a field must admit to hold
    it, the ttgen.runtime names the two use, and whether it holds tensors or the device (then
    Inputs.value builds it at run time). A module's imports are the union of its fragments',
    never searched for in printed text."""

    node: Node
    types: frozenset[str]
    imports: frozenset[str] = frozenset()
    materialized: bool = False


def _atom(text: str, *types: str) -> Fragment:
    return Fragment(Atom(text), frozenset(types))


def _call(func: str, args: tuple[tuple[str | None, Node], ...], *types: str) -> Fragment:
    return Fragment(Call(func, args), frozenset(types))


def tensor_fragment(spec: TensorSpec) -> Fragment:
    args: list[tuple[str | None, Node]] = [
        ("shape", _ints(spec.shape)),
        ("dtype", Atom(dtype_source(spec.dtype))),
        ("layout", Atom(layout_source(spec.layout))),
        ("memory_config", memory_config_node(spec.memory_config)),
    ]
    imports = {"TensorSpec"}
    if spec.storage is StorageType.HOST:
        args.append(("on_device", Atom("False")))
    if spec.placement is not None:
        p = spec.placement
        names = tuple("Replicate" if isinstance(x, Replicate) else f"Shard({x.dim})" for x in p.placements)
        placement = Call(
            "MeshPlacement",
            (
                ("mesh_shape", _ints(p.mesh_device_shape)),
                ("placements", Coll("tuple", tuple(Atom(str_literal(n)) for n in names))),
                ("distribution_shape", _ints(p.distribution_shape)),
                ("global_shape", _ints(p.global_shape(spec.shape))),
            ),
        )
        args.append(("placement", placement))
        imports.add("MeshPlacement")
    return Fragment(Call("TensorSpec", tuple(args)), frozenset({"TensorSpec"}), frozenset(imports), True)


def enum_source(v: EnumValue) -> str:
    if v.enum == "DataType":
        return dtype_source(DataType[v.member])
    if v.enum == "Layout":
        return layout_source(Layout[v.member])
    if not api.has_member(v.enum, ident(v.member)):
        raise Unprintable(f"ttnn.{v.enum}.{v.member} is not in ttgen's ttnn API")
    return f"{ttnn_attr(v.enum)}.{v.member}"


def _items(items: tuple[ArgValue, ...], kind: str) -> Fragment:
    """A list (a tuple in source) or a set (a frozenset) of printed elements."""
    parts = [value_fragment(x) for x in items]
    inner: set[str] = set().union(*(f.types for f in parts))
    element = union_source(inner) if inner else "object"
    if kind == "list":
        node: Node = Coll("tuple", tuple(f.node for f in parts))
        types = frozenset({f"tuple[{element}, ...]"})
    else:
        node = Call("frozenset", ((None, Coll("set", tuple(f.node for f in parts))),)) if parts else Atom("frozenset()")
        types = frozenset({f"frozenset[{element}]"})
    imports = frozenset().union(*(f.imports for f in parts))
    return Fragment(node, types, imports, any(f.materialized for f in parts))


def value_fragment(v: ArgValue) -> Fragment:
    """The one printer of IR values: every kind is a case here, and mypy fails on a new kind."""
    match v:
        case TensorValue():
            return tensor_fragment(v.spec)
        case NoneValue():
            return _atom("None", "None")
        case BoolValue():
            return _atom("True" if v.value else "False", "bool")
        case IntValue():
            return _atom(number_literal(str(int(v.value))), "int")
        case FloatValue():
            if v.is_special:
                return _call("float", ((None, Atom(str_literal(v.text))),), "float")
            return _atom(number_literal(v.text), "float")
        case StrValue():
            return _atom(str_literal(v.value), "str")
        case EnumValue():
            return _atom(enum_source(v), ttnn_attr(v.enum))
        case MemoryConfigValue():
            return Fragment(memory_config_node(v.config), frozenset({"ttnn.MemoryConfig"}))
        case CoreGridValue():
            return _call("ttnn.CoreGrid", (("x", Atom(str(v.x))), ("y", Atom(str(v.y)))), "ttnn.CoreGrid")
        case CoreCoordValue():
            return _call("ttnn.CoreCoord", ((None, Atom(str(v.x))), (None, Atom(str(v.y)))), "ttnn.CoreCoord")
        case CoreRangeSetValue():
            return Fragment(grid_node(v.ranges), frozenset({"ttnn.CoreRangeSet"}))
        case ShapeValue():
            # a ttnn.Shape, as traced: a tuple would be recorded as a list, another argument
            return _call("ttnn.Shape", ((None, _ints(v.dims, "list")),), "ttnn.Shape")
        case MeshDeviceValue():
            if math.prod(v.shape) > 1:  # a mesh: only a device of that shape can stand in for it
                node = Call("MeshRef", ((None, _ints(v.shape)),))
                return Fragment(node, frozenset({"MeshRef"}), frozenset({"MeshRef"}), True)
            return Fragment(Atom("DEVICE"), frozenset({"DeviceRef"}), frozenset({"DEVICE", "DeviceRef"}), True)
        case MeshCoordinateValue():
            coords = ((None, _ints(v.coords, "list")),)
            return _call("ttnn.MeshCoordinate", coords, "ttnn.MeshCoordinate")
        case ListValue():
            return _items(v.items, "list")
        case SetValue():
            return _items(v.items, "set")
        case ObjectValue() if v.type_name.rsplit(".", 1)[-1] == "UnaryWithParam":
            # positional-only in ttnn: UnaryWithParam(op_type[, param, ...])
            op, params = v.get("op_type"), v.get("params")
            if op is None or not isinstance(params, ListValue):
                raise Unprintable("a UnaryWithParam without op_type and params")
            args = [value_fragment(op), *(value_fragment(p) for p in params.items)]
            cls = ttnn_attr("UnaryWithParam")
            return Fragment(Call(cls, tuple((None, f.node) for f in args)), frozenset({cls}))
        case ObjectValue():
            cls = ttnn_attr(v.type_name.rsplit(".", 1)[-1])
            parts = [(ident(f.name), value_fragment(f.value)) for f in v.fields]
            node = Call(cls, tuple((name, f.node) for name, f in parts))
            imports = frozenset().union(*(f.imports for _, f in parts))
            return Fragment(node, frozenset({cls}), imports, any(f.materialized for _, f in parts))
        case OpaqueValue():
            raise Unprintable(f"{v.type_name} was traced only as printed text ({v.text[:60]!r})")
        case ResourceValue():
            # made afresh at run time on the case's device (ttgen.runtime.spec.Resource)
            node = Call("Resource", ((None, Atom(str_literal(v.resource))),))
            return Fragment(node, frozenset({"Resource"}), frozenset({"Resource"}), True)
        case _:
            assert_never(v)


def union_source(types: set[str]) -> Source:
    """Deterministic union: sorted, then Absent, then None (last, as ruff's RUF036 wants)."""
    tail: list[str] = [t for t in ("Absent", "None") if t in types]
    head: list[str] = sorted(types - {"None", "Absent"})
    return Source(" | ".join(head + tail))
