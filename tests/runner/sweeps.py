"""Writes small sweep modules (the generated-code contract) for runner tests and benchmarks."""

from __future__ import annotations

from pathlib import Path

CHAOS = Path(__file__).resolve().parent / "fixtures" / "chaos" / "sweeps"

TEMPLATE = '''"""A runner fixture: {count} cases that {what}."""

from __future__ import annotations

import time
from typing import Final

from ttgen.runtime import Outcome, Status, ttnn

OP: Final = "{op}"
TIMEOUT_S: Final = 30

CASES: Final[dict[str, float]] = {{
{cases}
}}


def run(case: float, device: ttnn.MeshDevice) -> Outcome:
    if case:
        time.sleep(case)
    return Outcome(Status.PASS, "ok", pcc=1.0)
'''


def write_sweep(folder: Path, name: str, seconds: list[float], op: str | None = None) -> Path:
    """A module whose i-th case sleeps seconds[i] and passes (0: returns at once)."""
    folder.mkdir(parents=True, exist_ok=True)
    cases = "\n".join(f'    "case{i:05d}": {s!r},' for i, s in enumerate(seconds))
    what = "return at once" if not any(seconds) else "sleep, then pass"
    path = folder / f"{name}.py"
    path.write_text(TEMPLATE.format(count=len(seconds), what=what, op=op or f"fixture.{name}", cases=cases))
    return path
