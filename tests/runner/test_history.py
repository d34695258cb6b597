"""`ttgen report`'s history from real runs whose cases change verdicts between runs: the pass rate
per op across runs, and the cases that newly fail or newly pass since earlier runs of the same
backend and arch, in the table, the JSON and the HTML page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
TTGEN = [sys.executable, "-m", "ttgen.cli"]

FLIP = '''"""Cases whose verdicts the environment sets: FLIP_FAIL and FLIP_SKIP list case numbers."""

from __future__ import annotations

import os
from typing import Final

from ttgen.runtime import Outcome, Status, ttnn

OP: Final = "flip.op"
TIMEOUT_S: Final = 30
CASES: Final[dict[str, int]] = {"c0": 0, "c1": 1, "c2": 2, "c3": 3}


def run(case: int, device: ttnn.MeshDevice) -> Outcome:
    if str(case) in os.environ.get("FLIP_SKIP", "").split(","):
        return Outcome(Status.SKIP, "not today")
    if str(case) in os.environ.get("FLIP_FAIL", "").split(","):
        return Outcome(Status.FAIL_ASSERT, "pcc too low", pcc=0.5)
    return Outcome(Status.PASS, "ok", pcc=1.0)
'''


def ttgen(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TTGEN, *args], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "TTGEN_PREWARM": "0", **(env or {})},
    )  # fmt: skip


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four runs: c1 fails; then c2 fails and c3 skips; then c3 fails; then one on another arch."""
    tmp = tmp_path_factory.mktemp("history")
    (tmp / "sweeps").mkdir()
    (tmp / "sweeps" / "flip.py").write_text(FLIP)
    db = tmp / "r.sqlite"
    for env in (
        {"FLIP_FAIL": "1"},
        {"FLIP_FAIL": "2", "FLIP_SKIP": "3"},
        {"FLIP_FAIL": "3"},
        {"FLIP_FAIL": "0,1,2,3", "TTGEN_ARCH": "blackhole"},
    ):
        done = ttgen("run", str(tmp / "sweeps"), "--backend", "emu", "--results", str(db), env=env)
        assert done.returncode == 1, done.stdout + done.stderr  # each run has a failure
    return db


def history_of(db: Path, *args: str) -> dict[str, object]:
    done = ttgen("report", "--results", str(db), "--json", *args)
    assert done.returncode == 0, done.stderr
    [h] = json.loads(done.stdout)["history"]
    assert isinstance(h, dict)
    return h


def test_pass_rates_across_runs_and_what_newly_fails_or_passes(runs: Path) -> None:
    h = history_of(runs, "--run", "3")
    assert (h["backend"], h["arch"], h["current"]) == ("emu", "wormhole_b0", [3])
    assert [r["id"] for r in h["runs"]] == [1, 2]  # type: ignore[attr-defined]
    assert h["ops"] == [{"op": "flip.op", "pass_rates": [0.75, 2 / 3, 0.75]}]  # run 2: c3 skipped, not counted
    # c3 was skipped in run 2: its previous verdict is run 1's PASS
    assert h["newly_failing"] == [
        {
            "case": "flip.op:model_traced:c3",
            "run": 3,
            "status": "FAIL_ASSERT",
            "previous_status": "PASS",
            "previous_run": 1,
        }
    ]
    assert h["newly_passing"] == [
        {
            "case": "flip.op:model_traced:c2",
            "run": 3,
            "status": "PASS",
            "previous_status": "FAIL_ASSERT",
            "previous_run": 2,
        }
    ]
    assert h["compared"] == 4

    h2 = history_of(runs, "--run", "2")
    assert [r["id"] for r in h2["runs"]] == [1] and h2["compared"] == 3  # type: ignore[attr-defined]
    assert [c["case"] for c in h2["newly_failing"]] == ["flip.op:model_traced:c2"]  # type: ignore[attr-defined]
    assert [c["case"] for c in h2["newly_passing"]] == ["flip.op:model_traced:c1"]  # type: ignore[attr-defined]
    assert [r["id"] for r in history_of(runs, "--run", "3", "--history", "1")["runs"]] == [2]  # type: ignore[attr-defined]

    # another arch is another lineage: nothing to compare with
    other = history_of(runs)
    assert (other["arch"], other["runs"], other["newly_failing"], other["compared"]) == ("blackhole", [], [], 0)
    assert other["ops"] == [{"op": "flip.op", "pass_rates": [0.0]}]


def test_history_in_the_table_and_the_html_page(runs: Path, tmp_path: Path) -> None:
    table = ttgen("report", "--results", str(runs), "--run", "3")
    assert table.returncode == 0, table.stderr
    text = table.stdout
    assert "history (emu, wormhole_b0): pass rate per op, 2 earlier runs and now; 4 cases compared" in text
    assert "newly failing (1):" in text and "newly passing (1):" in text
    assert "flip.op:model_traced:c3: PASS (run 1) -> FAIL_ASSERT (run 3)" in text
    assert "flip.op:model_traced:c2: FAIL_ASSERT (run 2) -> PASS (run 3)" in text
    line = next(row for row in text.splitlines() if "flip.op" in row and "%" in row)
    assert [cell.strip() for cell in line.strip("│ ").split("│")][1:] == ["75%", "67%", "75%"]
    latest = ttgen("report", "--results", str(runs))
    assert "history (emu, blackhole): no earlier run of this backend and arch" in latest.stdout

    page = tmp_path / "report.html"
    assert ttgen("report", "--results", str(runs), "--run", "3", "--html", str(page)).returncode == 0
    html = page.read_text()
    assert "<h2>History</h2>" in html and "<th>run 1</th><th>run 2</th><th>now</th>" in html
    assert "<td>75%</td><td class='down'>67%</td><td class='up'>75%</td>" in html
    assert "Newly failing (1)" in html and "flip.op:model_traced:c3" in html and "Newly passing (1)" in html
