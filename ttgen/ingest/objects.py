"""Config objects read by their class's declared field types (ttgen.facts.classes).

Traces lose types: the C++ repr prints bools as 0/1 and a CoreCoord as `8-1`; the 0.81.1
tracer's JSON writes a fused activation as `{"op_type": 58, "param": []}` and enums by value;
upstream's serializer drops the class name. What a field's text means is fixed by the class, so
each field is decoded to the kind its annotation declares, and a value that cannot be one is a
ValueError (the caller's Reject), never a silent guess.
"""

from __future__ import annotations

from ttgen.facts import classes
from ttgen.facts.enums import ALL_ENUMS
from ttgen.ingest.reprs import build, enum_value
from ttgen.model import (
    ArgValue,
    BoolValue,
    CoreCoordValue,
    CoreRangeSetValue,
    EnumValue,
    FieldValue,
    FloatValue,
    IntValue,
    ListValue,
    NoneValue,
    ObjectValue,
)
from ttgen.model.memory import CoreRangeSet

_ENUMS_BY_NAME = {cls.__name__: cls for cls in ALL_ENUMS}
ACTIVATION = "UnaryWithParam"


def resolve_class(names: frozenset[str]) -> str:
    """The one config class an untyped field set names, or ValueError naming the candidates."""
    found = classes.candidates(names)
    if len(found) == 1:
        return found[0]
    keys = ", ".join(sorted(names)[:8])
    if not found:
        raise ValueError(f"untyped object with keys [{keys}] is not a known ttnn value")
    raise ValueError(f"untyped object with keys [{keys}] is ambiguous: it could be any of {', '.join(found)}")


def _enum_by_value(enum_name: str, value: int) -> EnumValue:
    cls = _ENUMS_BY_NAME.get(enum_name)
    if cls is None:
        raise ValueError(f"{enum_name} written by value ({value}), and ttgen knows no values for it")
    for member in cls:
        if member.value == value:
            return EnumValue(enum=enum_name, member=member.name)
    raise ValueError(f"{value} is not a {enum_name} value")


def activation(v: ArgValue) -> ObjectValue:
    """`UnaryWithParam`: from its repr (`op_type=UnaryOpType::SILU, params=[0.1]`, read as an
    object) or the tracer's JSON (`{"op_type": 58, "param": [..]}`), into op_type + params."""
    if not isinstance(v, ObjectValue):
        raise ValueError(f"a fused activation must be a UnaryWithParam, got {v.kind}")
    unknown = {f.name for f in v.fields} - {"op_type", "param", "params"}
    if unknown:
        raise ValueError(f"UnaryWithParam has no field {sorted(unknown)[0]!r}")
    op = v.get("op_type")
    if isinstance(op, IntValue):
        op = _enum_by_value("UnaryOpType", op.value)
    if not (isinstance(op, EnumValue) and op.enum == "UnaryOpType"):
        raise ValueError("UnaryWithParam.op_type must be a UnaryOpType")
    raw = v.get("params") or v.get("param") or ListValue(items=())
    if not isinstance(raw, ListValue) or not all(isinstance(p, FloatValue | IntValue) for p in raw.items):
        raise ValueError("UnaryWithParam params must be a list of numbers")
    params = tuple(p if isinstance(p, FloatValue) else FloatValue.of(float(p.value)) for p in raw.items)  # type: ignore[union-attr]
    return build(
        ObjectValue,
        type_name=ACTIVATION,
        fields=(FieldValue(name="op_type", value=op), FieldValue(name="params", value=ListValue(items=params))),
    )


def as_declared(v: ArgValue, atoms: frozenset[str]) -> ArgValue:
    """One field's value as the kind its annotation's atoms declare."""
    if isinstance(v, NoneValue) and "None" in atoms:
        return v
    if "bool" in atoms and "int" not in atoms and isinstance(v, IntValue) and v.value in (0, 1):
        return BoolValue(value=bool(v.value))
    if "CoreCoord" in atoms and isinstance(v, ListValue) and len(v.items) == 2:
        x, y = v.items
        if isinstance(x, IntValue) and isinstance(y, IntValue):
            return build(CoreCoordValue, x=x.value, y=y.value)
    if "CoreRangeSet" in atoms and isinstance(v, ListValue) and not v.items:
        return CoreRangeSetValue(ranges=CoreRangeSet(ranges=()))
    if ACTIVATION in atoms and isinstance(v, ObjectValue):
        return activation(v)
    if "float" in atoms and "int" not in atoms and isinstance(v, IntValue):
        return FloatValue.of(float(v.value))
    for name in atoms:
        if name in _ENUMS_BY_NAME:
            if isinstance(v, IntValue):
                return _enum_by_value(name, v.value)
            if isinstance(v, EnumValue) and v.enum == name:
                return enum_value(name, v.member)
    return v


def typed(v: ArgValue) -> ArgValue:
    """Every config object inside `v`, its fields decoded by declared type (others unchanged)."""
    if isinstance(v, ListValue):
        return ListValue(items=tuple(typed(x) for x in v.items))
    if not isinstance(v, ObjectValue):
        return v
    if v.type_name.rsplit(".", 1)[-1] == ACTIVATION:
        return activation(v)
    cls = classes.get(v.type_name)
    fields = []
    for f in v.fields:
        value = typed(f.value)
        declared = cls.field(f.name) if cls is not None else None
        if declared is not None:
            value = as_declared(value, declared.atoms)
        fields.append(FieldValue(name=f.name, value=value))
    return build(ObjectValue, type_name=v.type_name, fields=tuple(fields))
