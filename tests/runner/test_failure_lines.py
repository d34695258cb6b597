"""`ttgen run` and `ttgen report` list each failing case with its message and the command that
reproduces it, and the skips grouped by reason."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

TTGEN = Path(sys.executable).parent / "ttgen"


def test_failures_carry_their_repro_command_and_skips_their_reason(tmp_path: Path) -> None:
    generated = tmp_path / "generated"
    shutil.copytree(ROOT / "generated", generated, ignore=shutil.ignore_patterns("__pycache__"))
    add = generated / "sweeps" / "ttnn" / "add.py"
    add.write_text(add.read_text().replace('GOLDEN: Final = "add"', 'GOLDEN: Final = "subtract"'))  # wrong golden
    store = tmp_path / "r.sqlite"
    env_args = ["--backend", "emu", "--results", str(store)]
    run = subprocess.run(
        [TTGEN, "run", generated, "--op", "add", "--op", "all_gather", *env_args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "failing (" in run.stdout
    line = next(x for x in run.stdout.splitlines() if x.strip().startswith("repro: ttgen repro ttnn.add:"))
    case = line.split("ttgen repro ", 1)[1].split()[0]
    assert "skipped (1), by reason:" in run.stdout and "1 × no golden for ttnn.all_gather" in run.stdout
    report = subprocess.run(
        [TTGEN, "report", "--results", str(store), "--history", "0"], cwd=tmp_path, capture_output=True, text=True
    )
    assert report.returncode == 0 and f"repro: ttgen repro {case}" in report.stdout
    page = tmp_path / "report.html"
    html = subprocess.run(
        [TTGEN, "report", "--results", str(store), "--history", "0", "--html", page], cwd=tmp_path, capture_output=True
    )
    assert html.returncode == 0 and "<h2>Skipped (1), by reason</h2>" in page.read_text()
    assert "no golden for ttnn.all_gather" in page.read_text()
    # the command it prints works
    repro = subprocess.run(
        [TTGEN, "repro", case, "--in", generated, "-o", tmp_path / "r.py"], cwd=tmp_path, capture_output=True, text=True
    )
    assert repro.returncode == 0, repro.stderr


def test_a_long_op_name_wraps_in_a_narrow_terminal_and_the_html_breaks_long_words() -> None:
    from rich.console import Console

    from ttgen.runner.html import CSS
    from ttgen.runner.progress import summary_table
    from ttgen.runner.store import Result

    op = "ttnn.experimental.reduce_scatter_minimal_async_create_intermediate_buffer"
    result = Result(op, "m", "s", "c", "PASS", "", None, 1.0, None, None, 1, 0, 0.0, 0.0)
    console = Console(width=60, record=True)
    console.print(summary_table([result], "run"))
    cells = "".join(line.split("│")[1].strip() for line in console.export_text().splitlines() if line.startswith("│"))
    assert op in cells  # every character kept, over two lines
    assert "overflow-wrap:anywhere" in CSS


def test_a_worker_that_cannot_start_is_one_line_and_the_run_resumes_from_anywhere(tmp_path: Path) -> None:
    broken = tmp_path / "python-without-site"  # no site-packages: numpy cannot be imported
    broken.write_text(f'#!/bin/sh\nexec {sys.executable} -S "$@"\n')
    broken.chmod(0o755)
    store = tmp_path / "r.sqlite"
    first = subprocess.run(
        [TTGEN, "run", ROOT / "generated", "--op", "add", "--python", broken, "--results", store],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert first.returncode == 3, first.stdout + first.stderr
    last = first.stderr.strip().splitlines()[-1]
    assert "worker 0 could not start: ModuleNotFoundError: No module named 'numpy'" in last and "\\x0a" not in last
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    again = subprocess.run(
        [TTGEN, "run", "--resume", "--results", store], cwd=elsewhere, capture_output=True, text=True, timeout=600
    )
    assert again.returncode == 0, again.stdout + again.stderr  # the stored paths, this command's interpreter
    summary = again.stdout.strip().splitlines()[-1]
    assert " PASS); " in summary and "FAIL" not in summary, summary


def test_a_mistyped_op_suggests_the_op(tmp_path: Path) -> None:
    proc = subprocess.run(
        [TTGEN, "run", ROOT / "generated", "--op", "addd", "--results", tmp_path / "r.sqlite"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "did you mean ttnn.add?" in proc.stderr
