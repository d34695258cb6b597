"""Hash-consing of the IR a reading builds: equal sub-values are one shared object.

A master repeats itself: the same machine info on every execution, a handful of memory configs,
tensor specs and enum values across thousands of configurations. Each pydantic instance costs a
few hundred bytes (its `__dict__` and fields set), so sharing equal ones is what keeps the IR of a
large master a fraction of the file's size. The IR is frozen, so sharing is invisible: equality
and hashing are by value. OpConfigs themselves are never shared (callers key them by identity).
"""

from __future__ import annotations

import enum
from typing import Any

from pydantic import BaseModel

from ttgen.model import OpConfig


class Interner:
    """Canonical instances, keyed by type and by the identity of their (already canonical)
    parts, so a lookup costs one tuple of the object's own fields, never a deep hash."""

    def __init__(self) -> None:
        self._table: dict[Any, Any] = {}

    def clear(self) -> None:
        self._table = {}

    def config(self, config: OpConfig) -> OpConfig:
        """The configuration with every part replaced by its canonical instance."""
        self._share_fields(config)
        return config

    def _share_fields(self, model: BaseModel) -> tuple[Any, ...]:
        # Replacing a field by an equal value leaves a frozen model unchanged; the object is
        # fresh from this reading (or equal already), so nobody sees a difference.
        fields = model.__dict__
        parts: list[Any] = [type(model)]
        for name, value in fields.items():
            canonical = self.value(value)
            if canonical is not value:
                fields[name] = canonical
            parts.append(_part(canonical))
        # pydantic gives every instance its own set of the field names it was given (hundreds
        # of bytes); equal sets are shared too. pydantic copies it before changing it
        # (model_copy), and nothing here reads it.
        names = model.__pydantic_fields_set__
        key = (set, frozenset(names))
        object.__setattr__(model, "__pydantic_fields_set__", self._table.setdefault(key, names))
        return tuple(parts)

    def value(self, v: Any) -> Any:
        if isinstance(v, BaseModel):
            key: Any = self._share_fields(v)
        elif isinstance(v, tuple):
            v = tuple(self.value(x) for x in v)
            key = (tuple, *(_part(x) for x in v))
        elif type(v) is str:
            key = v
        else:
            return v  # numbers, enum members, None: small, or shared already
        return self._table.setdefault(key, v)


def _part(v: Any) -> Any:
    """A canonical value's contribution to its container's key: models and tuples by identity
    (equal ones are the same object by now), plain values by value (but 1 is not True), and
    anything else (the IR has nothing else) only as that very object."""
    if isinstance(v, BaseModel | tuple):
        return id(v)
    if isinstance(v, bool | float):
        return (type(v), v)
    if v is None or isinstance(v, str | int | enum.Enum):
        return v
    return (id, id(v))
