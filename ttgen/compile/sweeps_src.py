"""The hand-maintained data under sweeps_src/: goldens, PCC thresholds, timeouts, input value
ranges, expectations.
Formats are documented in README ("sweeps_src data"); each file is validated when read."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ttgen.facts.expectations import Kind

SWEEPS_SRC = Path(__file__).resolve().parent.parent.parent / "sweeps_src"


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


@cache
def load_sweeps_data(root: Path = SWEEPS_SRC) -> SweepsData:
    def read(name: str) -> Any:
        return json.loads((root / name).read_text(encoding="utf-8"))

    return SweepsData(
        goldens=Goldens.model_validate(read("goldens.json")),
        pcc=PccTable.model_validate(read("pcc.json")),
        timeouts=Timeouts.model_validate(read("timeouts.json")),
        ranges=Ranges.model_validate(read("ranges.json")),
        expectations=Expectations.model_validate(read("expectations.json")),
        device=DeviceParams.model_validate(read("device_params.json")),
    )
