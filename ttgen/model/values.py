"""Argument values of a traced call: a closed, discriminated union.

Every value keeps its kind, so None (traced `null`) and an absent argument stay distinct (absent
means the key is not in OpConfig.arguments at all), a DataType stays an enum rather than a string,
and structured objects (compute kernel configs, program configs) stay structured.
"""

from __future__ import annotations

import enum
import keyword
import math
import re
from typing import Annotated, Literal

from pydantic import Field, field_validator

from ttgen.facts.enums import ALL_ENUMS
from ttgen.model.base import Coord, Dim, Frozen, PositiveDim
from ttgen.model.memory import CoreRangeSet, MemoryConfig
from ttgen.model.tensor import TensorSpec

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
# A class name as traces give it: `SDPAProgramConfig` or `ttnn.foo.SDPAProgramConfig`.
CLASS_NAME = re.compile(r"([A-Za-z_][A-Za-z0-9_]*\.)*[A-Z][A-Za-z0-9_]*\Z")

# Enums whose members ttgen knows exactly; other enum types (Topology, MathFidelity, ...) are kept
# by name and validated as identifiers.
KNOWN_ENUMS: dict[str, type[enum.Enum]] = {cls.__name__: cls for cls in ALL_ENUMS}

INT_MIN = -(2**63)
INT_MAX = 2**64 - 1


def check_class_name(name: str) -> str:
    if not CLASS_NAME.match(name) or any(keyword.iskeyword(p) for p in name.split(".")):
        raise ValueError(f"type {name!r} is not a class name")
    return name


def check_identifier(name: str, what: str) -> str:
    """ASCII identifiers only, never Python keywords: these names are printed into code."""
    if not IDENT.match(name) or keyword.iskeyword(name):
        raise ValueError(f"{what} {name!r} is not a valid identifier")
    return name


class TensorValue(Frozen):
    kind: Literal["tensor"] = "tensor"
    spec: TensorSpec


class NoneValue(Frozen):
    kind: Literal["none"] = "none"


class BoolValue(Frozen):
    kind: Literal["bool"] = "bool"
    value: bool


class IntValue(Frozen):
    kind: Literal["int"] = "int"
    value: Annotated[int, Field(ge=INT_MIN, le=INT_MAX)]


class FloatValue(Frozen):
    """Held as its canonical repr ("0.5", "inf", "-inf", "nan") so NaN compares equal to itself
    and the value round-trips bit-for-bit through JSON."""

    kind: Literal["float"] = "float"
    text: str

    @field_validator("text")
    @classmethod
    def _canonical(cls, v: str) -> str:
        try:
            f = float(v)
        except ValueError:
            raise ValueError(f"{v!r} is not a float") from None
        canon = repr(f)
        if v != canon:
            raise ValueError(f"float text {v!r} is not canonical (expected {canon!r})")
        return v

    @classmethod
    def of(cls, value: float) -> FloatValue:
        return cls(text=repr(float(value)))

    @property
    def value(self) -> float:
        return float(self.text)

    @property
    def is_special(self) -> bool:
        return not math.isfinite(self.value)


class StrValue(Frozen):
    kind: Literal["str"] = "str"
    value: str


class EnumValue(Frozen):
    """`enum` is the ttnn class name (DataType, MathFidelity, Topology, ...)."""

    kind: Literal["enum"] = "enum"
    enum: str
    member: str

    @field_validator("enum")
    @classmethod
    def _class(cls, v: str) -> str:
        return check_class_name(v)

    @field_validator("member")
    @classmethod
    def _ident(cls, v: str) -> str:
        return check_identifier(v, "enum member")

    @field_validator("member")
    @classmethod
    def _known(cls, v: str, info: object) -> str:
        data = getattr(info, "data", {})
        known = KNOWN_ENUMS.get(data.get("enum", ""))
        if known is not None and v not in known.__members__:
            raise ValueError(f"{v!r} is not a member of {known.__name__}")
        return v


class MemoryConfigValue(Frozen):
    kind: Literal["memory_config"] = "memory_config"
    config: MemoryConfig


class CoreGridValue(Frozen):
    kind: Literal["core_grid"] = "core_grid"
    x: PositiveDim
    y: PositiveDim


class CoreCoordValue(Frozen):
    kind: Literal["core_coord"] = "core_coord"
    x: Coord
    y: Coord


class CoreRangeSetValue(Frozen):
    kind: Literal["core_range_set"] = "core_range_set"
    ranges: CoreRangeSet


class ShapeValue(Frozen):
    kind: Literal["shape"] = "shape"
    dims: tuple[Dim, ...]


class MeshDeviceValue(Frozen):
    """The device argument of creation ops; generated code passes the test's own device."""

    kind: Literal["mesh_device"] = "mesh_device"
    shape: Annotated[tuple[PositiveDim, ...], Field(min_length=1, max_length=8)]
    device_ids: tuple[Dim, ...] | None = None


class MeshCoordinateValue(Frozen):
    kind: Literal["mesh_coordinate"] = "mesh_coordinate"
    coords: Annotated[tuple[Dim, ...], Field(min_length=1, max_length=8)]


class ListValue(Frozen):
    kind: Literal["list"] = "list"
    items: tuple[ArgValue, ...]


class SetValue(Frozen):
    """A Python set argument (e.g. `mesh_coords={MeshCoordinate([2, 2])}`), in traced order."""

    kind: Literal["set"] = "set"
    items: tuple[ArgValue, ...]


class FieldValue(Frozen):
    name: str
    value: ArgValue

    @field_validator("name")
    @classmethod
    def _ident(cls, v: str) -> str:
        return check_identifier(v, "field name")


class ObjectValue(Frozen):
    """A structured ttnn object: `type_name(field=value, ...)`, e.g. SDPAProgramConfig or a
    compute kernel config. Fields are sorted by name: they are passed by keyword."""

    kind: Literal["object"] = "object"
    type_name: str
    fields: tuple[FieldValue, ...]

    @field_validator("type_name")
    @classmethod
    def _class(cls, v: str) -> str:
        return check_class_name(v)

    @field_validator("fields")
    @classmethod
    def _unique_sorted(cls, v: tuple[FieldValue, ...]) -> tuple[FieldValue, ...]:
        names = [f.name for f in v]
        if len(set(names)) != len(names):
            raise ValueError("object fields repeat a name")
        if names != sorted(names):
            raise ValueError("object fields are not sorted by name")
        return v

    def get(self, name: str) -> ArgValue | None:
        for f in self.fields:
            if f.name == name:
                return f.value
        return None


class OpaqueValue(Frozen):
    """An object whose printed form ttgen cannot structure; kept verbatim (never executed) so
    nothing is lost, and refused by the compiler where a real value is needed."""

    kind: Literal["opaque"] = "opaque"
    type_name: str
    text: str

    @field_validator("type_name")
    @classmethod
    def _class(cls, v: str) -> str:
        return check_class_name(v)


class ResourceValue(Frozen):
    """A runtime object the tracer could print only by its default repr (`<ttnn._ttnn.global_semaphore.
    global_semaphore object at 0x...>`): a global semaphore, a sub-device id. It holds no
    configuration (a new run makes a new one), so it stays out of config_hash; generated code
    makes a fresh one with ttnn's factory, or the case skips naming it."""

    kind: Literal["resource"] = "resource"
    resource: str  # the traced type: "global_semaphore"
    python_type: str  # the object's class: "ttnn._ttnn.global_semaphore.global_semaphore"

    @field_validator("resource", "python_type")
    @classmethod
    def _dotted(cls, v: str) -> str:
        if not DOTTED.match(v) or any(keyword.iskeyword(p) for p in v.split(".")):
            raise ValueError(f"{v!r} is not a dotted name")
        return v

    @property
    def class_name(self) -> str:
        return self.python_type.rsplit(".", 1)[-1]


ArgValue = Annotated[
    TensorValue
    | NoneValue
    | BoolValue
    | IntValue
    | FloatValue
    | StrValue
    | EnumValue
    | MemoryConfigValue
    | CoreGridValue
    | CoreCoordValue
    | CoreRangeSetValue
    | ShapeValue
    | MeshDeviceValue
    | MeshCoordinateValue
    | ListValue
    | SetValue
    | ObjectValue
    | OpaqueValue
    | ResourceValue,
    Field(discriminator="kind"),
]

ListValue.model_rebuild()
SetValue.model_rebuild()
FieldValue.model_rebuild()
ObjectValue.model_rebuild()
