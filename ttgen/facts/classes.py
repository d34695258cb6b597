"""The config classes of ttnn 0.81.1 (program, compute-kernel and conv configs): each one's
constructor fields with their declared types and defaults, as `ttgen signatures dump` read them
off the real library into `ttnn_classes.json` beside this module.

Traces write these objects in three lossy ways: a dict with no class name (upstream's
serializer), the C++ repr (`compute_with_storage_grid_size=8-1`, bools as 0/1) and the 0.81.1
tracer's JSON (CoreCoord as `{"x": 8, "y": 1}`). The declared field types are what decode them:
the class a field set names, and what each field's text means."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "ttnn_classes.json"


@dataclass(frozen=True, slots=True)
class ClassField:
    name: str
    annotation: str  # nanobind's spelling: "bool", "int | None", "ttnn._ttnn.tensor.CoreCoord"
    required: bool

    @property
    def atoms(self) -> frozenset[str]:
        """The annotation's alternatives, by last dotted segment: {"int", "None"}, {"CoreCoord"}."""
        parts = re.split(r"\s*\|\s*", self.annotation)
        return frozenset(p.rsplit(".", 1)[-1].strip() for p in parts if "[" not in p) | frozenset(
            p.strip() for p in parts if "[" in p
        )


@dataclass(frozen=True, slots=True)
class ConfigClass:
    name: str  # as generated code spells it: ttnn.<name>
    cls: str  # the class's own name (aliases share it: Conv1dConfig is Conv2dConfig)
    fields: tuple[ClassField, ...]

    def field(self, name: str) -> ClassField | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    @property
    def required(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields if f.required)

    def admits(self, names: frozenset[str]) -> bool:
        """Whether a field set can be this class: every name a field, every required one there."""
        return names <= {f.name for f in self.fields} and self.required <= names


@cache
def table() -> dict[str, ConfigClass]:
    doc = json.loads(TABLE.read_text(encoding="utf-8"))
    return {
        name: ConfigClass(
            name=name,
            cls=entry["class"],
            fields=tuple(ClassField(f["name"], f["annotation"], f["required"]) for f in entry["fields"]),
        )
        for name, entry in doc["classes"].items()
    }


def get(name: str) -> ConfigClass | None:
    """By the name a trace gives: `SDPAProgramConfig` or `ttnn.foo.SDPAProgramConfig`."""
    return table().get(name.rsplit(".", 1)[-1])


def candidates(names: frozenset[str]) -> list[str]:
    """The distinct classes an untyped field set can be (aliases collapse to one spelling): the
    one whose fields are exactly these when there is one, else every class that admits them."""
    exact = [c for c in table().values() if c.fields and {f.name for f in c.fields} == names]
    by_cls: dict[str, str] = {}
    for c in exact or table().values():
        # aliases collapse: the class's own name when ttnn spells it so, else the first alias
        if c.fields and c.admits(names) and (c.cls not in by_cls or c.name == c.cls):
            by_cls[c.cls] = c.name
    return sorted(by_cls.values())
