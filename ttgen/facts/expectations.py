"""What sweeps_src/expectations says of a case, and what generated tests and the runner act on:
a known failure (xfail, strict: a pass is XPASS) or a case not to run here (skip)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["xfail", "skip"]
KINDS: tuple[Kind, ...] = ("xfail", "skip")


@dataclass(frozen=True, slots=True)
class Expectation:
    kind: Kind
    reason: str
