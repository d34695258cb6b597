"""How a case ended: one status set for the runtime (an Outcome), the runner (the store, the
worker protocol, progress, reports) and the CLI. The runner stores and sends a status by its
value, the upstream name."""

from __future__ import annotations

import enum


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


# every status by value, in the order reports list them
STATUSES = tuple(s.value for s in Status)
# the statuses that fail a run (exit 1): a case that should have passed and did not, or passed
# when it was expected to fail
UNEXPECTED = frozenset(
    s.value
    for s in (
        Status.FAIL_ASSERT,
        Status.FAIL_EXCEPTION,
        Status.FAIL_L1_OUT_OF_MEM,
        Status.CRASH,
        Status.HANG,
        Status.XPASS,
    )
)
