"""The hand-maintained data under sweeps_src/: goldens, PCC thresholds, timeouts, input value
ranges, expectations.
Formats are documented in README ("sweeps_src data"); each file is validated when read."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ttgen.facts.expectations import Kind

SWEEPS_SRC = Path(__file__).resolve().parent.parent / "sweeps_src"  # the built-in data (package data)


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Goldens(_Strict):
    about: str = ""
    goldens: dict[str, str]


class PccTable(_Strict):
    about: str = ""
    default: float = Field(gt=0, le=1)
    ops: dict[str, float] = {}
    dtypes: dict[str, float] = {}


class Timeouts(_Strict):
    about: str = ""
    default: int = Field(gt=0)
    ops: dict[str, int] = {}


Bounds = tuple[float, float]


class IndexDomain(_Strict):
    below: tuple[str, int | str]  # (the indexed parameter, its dim or the parameter naming it)
    why: str


class Ranges(_Strict):
    about: str = ""
    ops: dict[str, dict[str, Bounds]] = {}
    indices: dict[str, dict[str, IndexDomain]] = {}
    reasons: dict[str, str] = {}

    def model_post_init(self, _: Any) -> None:
        for op, params in self.ops.items():
            for name, (low, high) in params.items():
                if not low < high:
                    raise ValueError(f"ranges.json: {op} {name}: low {low} must be below high {high}")


DEVICE_PARAMETERS = frozenset({"l1_small_size", "trace_region_size", "worker_l1_size"})


class DeviceParams(_Strict):
    about: str = ""
    ops: dict[str, dict[str, int]] = {}
    reasons: dict[str, str] = {}

    def model_post_init(self, _: Any) -> None:
        for op, params in self.ops.items():
            for name, value in params.items():
                if name not in DEVICE_PARAMETERS:
                    raise ValueError(f"device_params.json: {op}: {name} is not an open_device parameter")
                if value < 0 or name not in self.reasons:
                    raise ValueError(f"device_params.json: {op}: {name} needs a non-negative value and a reason")


class Expectation(_Strict):
    op: str
    case: str
    kind: Kind
    reason: str = Field(min_length=1)


class Expectations(_Strict):
    about: str = ""
    expectations: list[Expectation]


class SweepsData(_Strict):
    goldens: Goldens
    pcc: PccTable
    timeouts: Timeouts
    ranges: Ranges
    expectations: Expectations
    device: DeviceParams = DeviceParams()
    # the files read, labelled for the compile fingerprint (built-in, then the overlay's)
    sources: tuple[tuple[str, Path], ...] = ()

    def golden(self, op: str) -> str | None:
        return self.goldens.goldens.get(op)

    def pcc_table(self, op: str) -> dict[str, float]:
        """Threshold by input dtype for this op: "default", plus lower ones for block floats."""
        base = self.pcc.ops.get(op, self.pcc.default)
        table = {"default": base}
        for dtype, threshold in sorted(self.pcc.dtypes.items()):
            table[dtype] = min(base, threshold)
        return table

    def timeout(self, op: str) -> int:
        return self.timeouts.ops.get(op, self.timeouts.default)

    def value_ranges(self, op: str) -> dict[str, Bounds]:
        """[low, high) of this op's tensor inputs by parameter name ("*": every one)."""
        return dict(sorted(self.ranges.ops.get(op, {}).items()))

    def device_params(self, op: str) -> dict[str, int]:
        """ttnn.open_device arguments this op's cases need (sweeps_src/device_params.json)."""
        return dict(sorted(self.device.ops.get(op, {}).items()))

    def index_domains(self, op: str) -> dict[str, tuple[str, int | str]]:
        """Index inputs of this op: values in [0, the size of `below[0]` along `below[1]`)."""
        return {name: d.below for name, d in sorted(self.ranges.indices.get(op, {}).items())}

    def expected(self, op: str) -> dict[str, Expectation]:
        return {e.case: e for e in self.expectations.expectations if e.op == op}

    def for_op(self, op: str) -> dict[str, Any]:
        """Everything about `op` that its sweep module depends on (part of its input digest);
        expectations shape the pytest file only, which has its own digest."""
        return {
            "golden": self.golden(op),
            "pcc": self.pcc_table(op),
            "timeout": self.timeout(op),
            "ranges": self.value_ranges(op),
            "device": self.device_params(op),
            "indices": self.index_domains(op),
        }


FILES = {
    "goldens": "goldens.json",
    "pcc": "pcc.json",
    "timeouts": "timeouts.json",
    "ranges": "ranges.json",
    "expectations": "expectations.json",
    "device": "device_params.json",
}


class SweepsDataError(ValueError):
    """One line naming the file: unreadable, not JSON, or not the documented form."""


def overlaid(base: Any, over: Any) -> Any:
    """A repository's entries over the built-in ones: tables merge key by key (the overlay wins),
    lists (expectations) are the built-in's then the overlay's, other values are replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        return {**base, **{k: overlaid(base[k], v) if k in base else v for k, v in over.items()}}
    if isinstance(base, list) and isinstance(over, list):
        return [*base, *over]
    return over


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SweepsDataError(f"{path}: not readable JSON: {e}") from None


@cache
def load_sweeps_data(root: Path = SWEEPS_SRC, overlay: Path | None = None) -> SweepsData:
    """The built-in data under `root`, with a repository's `overlay` folder (the same file names,
    each optional) merged over it."""
    if overlay is not None and not overlay.is_dir():
        raise SweepsDataError(f"{overlay}: the sweeps_src overlay is not a folder")
    docs: dict[str, Any] = {}
    sources: list[tuple[str, Path]] = []
    for field, name in FILES.items():
        docs[field] = _read(root / name)
        sources.append((f"sweeps_src/{name}", root / name))
        if overlay is not None and (overlay / name).is_file():
            docs[field] = overlaid(docs[field], _read(overlay / name))
            sources.append((f"overlay/{name}", overlay / name))
    try:
        return SweepsData.model_validate({**docs, "sources": tuple(sources)})
    except ValidationError as e:
        first = e.errors()[0]
        field, *rest = [str(p) for p in first["loc"]] or ["?"]
        where = overlay if overlay is not None and (overlay / FILES.get(field, "")).is_file() else root
        pointer = "/" + "/".join(rest)
        raise SweepsDataError(f"{where / FILES.get(field, field)}: {pointer}: {first['msg']}") from None
