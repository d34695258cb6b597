"""Which traced values a parameter annotation accepts.

Annotations come from nanobind (`ttnn._ttnn.tensor.MemoryConfig | None`,
`collections.abc.Sequence[int]`, `int | int | float`) and from Python ops (`Optional[...]`,
`Union[...]`). An annotation parses into a union of atoms; a value fits when one atom accepts it.
Class atoms match by class name (the last dotted segment), which is how a traced enum
(`{"type": "DataType"}`) or object (`SDPAProgramConfig(...)`) names its type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ttgen.facts.ccl import SEMAPHORE_ARG, SEMAPHORE_CLASS
from ttgen.facts.reprs import split_top
from ttgen.model import (
    ArgValue,
    BoolValue,
    EnumValue,
    FloatValue,
    IntValue,
    ListValue,
    NoneValue,
    ObjectValue,
    ResourceValue,
    SetValue,
    ShapeValue,
    StrValue,
)

# IR kinds that stand for one ttnn class.
_KIND_CLASS = {
    "tensor": "Tensor",
    "memory_config": "MemoryConfig",
    "core_grid": "CoreGrid",
    "core_coord": "CoreCoord",
    "core_range_set": "CoreRangeSet",
    "shape": "Shape",
    "mesh_device": "MeshDevice",
    "mesh_coordinate": "MeshCoordinate",
}
_SEQUENCES = ("collections.abc.Sequence", "Sequence", "list", "List", "typing.List", "typing.Sequence")
_SETS = ("collections.abc.Set", "set", "Set", "typing.Set")
_ANY = ("typing.Any", "Any", "object")


@dataclass(frozen=True, slots=True)
class Atom:
    name: str  # "None", "int", "float", "bool", "str", "any", "seq", "set", "tuple", or a class name
    items: TypeExpr | None = None  # element type of seq / set / tuple

    def accepts(self, v: ArgValue) -> bool:
        n = self.name
        if n == "any":
            return True
        if n == "None":
            return isinstance(v, NoneValue)
        if n == "bool":
            return isinstance(v, BoolValue)
        if n == "int":
            return isinstance(v, IntValue)
        if n == "float":
            return isinstance(v, FloatValue | IntValue)
        if n == "str":
            return isinstance(v, StrValue)
        if n in ("seq", "tuple"):
            if isinstance(v, ShapeValue):
                return self.items is None or self.items.accepts(IntValue(value=0))
            return isinstance(v, ListValue) and all(self.items is None or self.items.accepts(x) for x in v.items)
        if n == "set":
            return isinstance(v, SetValue) and all(self.items is None or self.items.accepts(x) for x in v.items)
        if n == "Shape" and isinstance(v, ListValue):  # ttnn.Shape converts from a list of ints
            return all(isinstance(x, IntValue) for x in v.items)
        if n == SEMAPHORE_ARG:  # one global semaphore or a list of them
            items = v.items if isinstance(v, ListValue) else (v,)
            return bool(items) and all(value_class(x) == SEMAPHORE_CLASS for x in items)
        # eltwise ops declare EltwiseUnaryWithParam and convert a UnaryWithParam to it (0.81.1)
        return value_class(v) == n or (n == "EltwiseUnaryWithParam" and value_class(v) == "UnaryWithParam")


@dataclass(frozen=True, slots=True)
class TypeExpr:
    atoms: tuple[Atom, ...]
    text: str

    def accepts(self, v: ArgValue) -> bool:
        return any(a.accepts(v) for a in self.atoms)

    @property
    def optional(self) -> bool:
        return any(a.name == "None" for a in self.atoms)


def value_class(v: ArgValue) -> str:
    """The ttnn class name a traced value stands for ('' for plain Python values)."""
    if v.kind in _KIND_CLASS:
        return _KIND_CLASS[v.kind]
    if isinstance(v, EnumValue):
        return v.enum
    if isinstance(v, ObjectValue):
        return v.type_name.rsplit(".", 1)[-1]
    if isinstance(v, ResourceValue):
        return v.class_name
    return ""


def describe_kind(v: ArgValue) -> str:
    cls = value_class(v)
    if isinstance(v, EnumValue):
        return f"{v.enum}.{v.member}"
    return cls or v.kind


def split_top_level(text: str, sep: str) -> list[str]:
    """Split on `sep` outside any brackets (annotations nest: `Sequence[int | float]`)."""
    return split_top(text, sep, allow_empty=True)


def _split_union(text: str) -> list[str]:
    return split_top_level(text, "|")


def _split_args(text: str) -> list[str]:
    return [p for p in split_top_level(text, ",") if p]


_GENERIC = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\[(.*)\]\Z", re.S)


def _atoms(text: str) -> list[Atom]:
    out: list[Atom] = []
    for part in _split_union(text):
        part = part.strip().strip('"').strip("'")
        m = _GENERIC.match(part)
        if m:
            head, inner = m.group(1), m.group(2)
            if head in ("Optional", "typing.Optional"):
                out += [*_atoms(inner), Atom("None")]
            elif head in ("Union", "typing.Union"):
                for arg in _split_args(inner):
                    out += _atoms(arg)
            elif head in _SEQUENCES:
                out.append(Atom("seq", parse_annotation(inner)))
            elif head in _SETS:
                out.append(Atom("set", parse_annotation(inner)))
            elif head in ("tuple", "Tuple", "typing.Tuple"):
                args = [a for a in _split_args(inner) if a != "..."]
                out.append(Atom("tuple", parse_annotation(" | ".join(args)) if args else None))
            else:
                out.append(Atom(head.rsplit(".", 1)[-1]))
        elif part in ("None", "NoneType"):
            out.append(Atom("None"))
        elif part in ("int", "float", "bool", "str"):
            out.append(Atom(part))
        elif part in _ANY:
            out.append(Atom("any"))
        else:
            # a class: `ttnn._ttnn.tensor.MemoryConfig`, `ttnn::operations::matmul::X`
            out.append(Atom(re.split(r"\.|::", part)[-1]))
    return out


@cache
def parse_annotation(text: str | None) -> TypeExpr:
    if text is None:
        return TypeExpr((Atom("any"),), "Any")
    return TypeExpr(tuple(_atoms(text)), text)
