"""The op signature catalog: every registered ttnn op, its overloads, and their parameters,
as introspected from a real ttnn (`ttgen signatures dump`) and committed under
`sweeps_src/signatures/ttnn-<version>.json`."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, PrivateAttr

ParamKind = Literal["positional_only", "positional_or_keyword", "keyword_only", "var_positional", "var_keyword"]

CATALOG_DIR = Path(__file__).resolve().parent.parent / "sweeps_src" / "signatures"
DEFAULT_VERSION = "0.81.1"


class Param(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    kind: ParamKind
    annotation: str | None = None
    default: str | None = None  # repr of the default; None means required

    @property
    def required(self) -> bool:
        return self.default is None and self.kind not in ("var_positional", "var_keyword")

    @property
    def positional(self) -> bool:
        return self.kind in ("positional_only", "positional_or_keyword")


class Overload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    raw: str | None = None
    params: tuple[Param, ...]
    returns: str | None = None


class OpSignature(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    is_cpp_operation: bool
    is_experimental: bool
    has_golden_function: bool
    overloads: tuple[Overload, ...]


class Catalog(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    ttnn_version: str
    operations: tuple[OpSignature, ...]
    _index: dict[str, OpSignature] = PrivateAttr(default_factory=dict)

    def model_post_init(self, __context: object) -> None:
        self._index = {o.name: o for o in self.operations}

    def get(self, name: str) -> OpSignature | None:
        return self._index.get(name)

    def dumps(self) -> str:
        return json.dumps(self.model_dump(exclude_defaults=True), indent=1, sort_keys=True) + "\n"


def catalog_path(version: str = DEFAULT_VERSION) -> Path:
    return CATALOG_DIR / f"ttnn-{version}.json"


@cache
def load_catalog(path: Path | None = None) -> Catalog:
    return Catalog.model_validate_json((path or catalog_path()).read_text(encoding="utf-8"))
