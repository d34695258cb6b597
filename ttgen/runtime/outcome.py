"""The result of running one case."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Status(enum.Enum):
    PASS = "PASS"
    FAIL_ASSERT = "FAIL_ASSERT"
    FAIL_EXCEPTION = "FAIL_EXCEPTION"
    FAIL_L1_OUT_OF_MEM = "FAIL_L1_OUT_OF_MEM"
    INVALID = "INVALID"
    CRASH = "CRASH"
    HANG = "HANG"
    SKIP = "SKIP"
    XFAIL = "XFAIL"
    XPASS = "XPASS"


class SkipCase(Exception):
    """Raised by generated code when the case cannot run here (e.g. it needs a larger mesh)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True, slots=True)
class Outcome:
    status: Status
    message: str = ""
    pcc: float | None = None
    e2e_ms: float | None = None
    output_spec: str | None = None

    @property
    def ok(self) -> bool:
        return self.status in (Status.PASS, Status.SKIP, Status.XFAIL)
