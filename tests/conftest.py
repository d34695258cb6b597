"""Shared test helpers. Real upstream data is read from ../shared/fixtures (never copied here)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FIXTURES = SHARED / "fixtures"
UPSTREAM = FIXTURES / "upstream"
TTNN_TRACES = FIXTURES / "ttnn-0.81.1" / "traces"
EMBEDDED_MASTER = ROOT / "traced_operations" / "ttnn_operations_master.json"  # traced from examples/
SEED_MASTER = ROOT / "tests" / "fixtures" / "seed_master.json"  # hand-chosen (tools/write_seed_master.py)

needs_shared = pytest.mark.skipif(
    not FIXTURES.is_dir(), reason="../shared/fixtures is absent (the real upstream and ttnn trace fixtures)"
)


def fixture_inputs() -> list[Path]:
    """Every trace input in ../shared/fixtures: masters, the per-call directory, the graph report."""
    if not FIXTURES.is_dir():
        return []
    return [
        *sorted(UPSTREAM.glob("*.json")),
        TTNN_TRACES / "operation_parameters",
        TTNN_TRACES / "graph_report.json",
    ]


def generated_cases() -> dict[str, int]:
    """Cases per op in the committed generated/, read statically as the runner reads them."""
    from ttgen.runner.discover import find_modules

    return {m.op: len(m.suites["model_traced"]) for m in find_modules([ROOT / "generated"])}


def fixture_id(p: Path) -> str:
    return p.name


collect_ignore_glob = ["runner/fixtures/*"]  # sweep fixtures for the runner, not tests
