"""The result of running one case."""

from __future__ import annotations

from dataclasses import dataclass

from ttgen.facts.status import Status

__all__ = ["Outcome", "SkipCase", "Status"]


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
