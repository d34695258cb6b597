"""`ttgen run` options and --resume (issue 11, items 6 and 12): a results store is data, never a
source of commands; options that would silently mean something else are refused in one line."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.runner.sweeps import write_sweep

ROOT = Path(__file__).resolve().parents[2]
TTGEN = [sys.executable, "-m", "ttgen.cli"]


def ttgen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TTGEN, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_resume_never_runs_the_interpreter_or_reset_command_a_store_names(tmp_path: Path) -> None:
    sweeps = tmp_path / "sweeps"
    write_sweep(sweeps, "quick", [0.0] * 6)
    db = tmp_path / "results.sqlite"
    first = ttgen("run", str(sweeps), "--results", str(db), "--backend", "emu")
    assert first.returncode == 0, first.stdout + first.stderr

    # the store as an attacker would hand it over: an unfinished run naming a "python" that
    # leaves a mark, a reset command that leaves another, and paths elsewhere
    mark = tmp_path / "ran-the-store's-interpreter"
    evil = tmp_path / "evil-python"
    evil.write_text(f'#!/bin/sh\ntouch "{mark}"\nexec "{sys.executable}" "$@"\n')
    evil.chmod(0o755)
    with sqlite3.connect(db) as con:
        sel = json.loads(con.execute("SELECT selection FROM runs").fetchone()[0])
        sel.update(python=str(evil), reset_cmd=f"touch {tmp_path / 'reset-ran'}", paths=["/nonexistent"], timeout=1e-9)
        con.execute("UPDATE runs SET ended = NULL, status = 'running', selection = ?", (json.dumps(sel),))
        con.execute("DELETE FROM results WHERE case_id IN ('case00004', 'case00005')")

    resumed = ttgen("run", str(sweeps), "--resume", "--results", str(db), "--backend", "emu")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "(4 already done)" in resumed.stdout
    assert not mark.exists(), "resume ran the interpreter the store named"
    assert not (tmp_path / "reset-ran").exists()
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT case_id, status FROM results ORDER BY case_id").fetchall()
    assert rows == [(f"case{i:05d}", "PASS") for i in range(6)]  # the stored 1e-9 s deadline was not taken


def test_resume_under_paths_that_do_not_hold_the_run_is_refused(tmp_path: Path) -> None:
    sweeps = tmp_path / "sweeps"
    write_sweep(sweeps, "quick", [0.0] * 3)
    db = tmp_path / "results.sqlite"
    assert ttgen("run", str(sweeps), "--results", str(db), "--backend", "emu").returncode == 0
    with sqlite3.connect(db) as con:
        con.execute("UPDATE runs SET ended = NULL, status = 'running'")
    other = tmp_path / "other"
    write_sweep(other, "quick2", [0.0])
    done = ttgen("run", str(other), "--resume", "--results", str(db))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "planned 3 cases, 1 match" in done.stderr, done.stderr


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--timeout", "0"], "--timeout 0.0: expected a finite number of seconds > 0"),
        (["--timeout", "-1"], "--timeout -1.0: expected a finite number"),
        (["--timeout", "nan"], "--timeout nan: expected a finite number"),
        (["--timeout", "inf"], "--timeout inf: expected a finite number"),
        (["--workers", "0"], "--workers 0: expected at least 1"),
        (["--workers", "-5"], "--workers -5: expected at least 1"),
        (["--python", "/nonexistent/python"], "--python /nonexistent/python: no such executable"),
        (["--backend", "gpu"], "--backend 'gpu': expected emu or ttnn"),
    ],
)
def test_options_that_would_mean_something_else_are_refused_in_one_line(
    tmp_path: Path, option: list[str], message: str
) -> None:
    sweeps = tmp_path / "sweeps"
    write_sweep(sweeps, "quick", [0.0])
    db = tmp_path / "results.sqlite"
    done = ttgen("run", str(sweeps), "--results", str(db), *option)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert not db.exists(), "nothing is recorded for a refused command"
    assert "Traceback" not in done.stderr
    assert os.listdir(tmp_path) == ["sweeps"]
