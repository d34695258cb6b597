"""The runner end to end: real worker processes, real signals, a real SQLite file."""

from __future__ import annotations

import json
import os
import shlex
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import generated_cases
from tests.runner.sweeps import CHAOS, write_sweep
from ttgen.runner.classify import classify
from ttgen.runner.discover import find_modules, select
from ttgen.runner.run import Selection, execute
from ttgen.runner.scheduler import RunAborted

ROOT = Path(__file__).resolve().parent.parent.parent
TTGEN = [sys.executable, "-m", "ttgen.cli"]

EXPECTED = {
    "pass": ("PASS", 1),
    "numeric": ("FAIL_ASSERT", 1),
    "raise": ("FAIL_EXCEPTION", 1),
    "segfault": ("CRASH", 2),
    "exit3": ("CRASH", 2),
    "hang": ("HANG", 2),
    "memory": ("FAIL_EXCEPTION", 1),
    "l1_oom": ("FAIL_L1_OUT_OF_MEM", 1),
    "invalid": ("INVALID", 1),
    "skip": ("SKIP", 1),
    "xfail": ("XFAIL", 1),
    "xpass": ("XPASS", 1),
    "not_run": ("SKIP", 1),
    "flaky": ("PASS", 2),
    "after": ("PASS", 1),
}


@pytest.fixture
def chaos_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = tmp_path / "chaos-state"
    state.mkdir()
    monkeypatch.setenv("CHAOS_STATE", str(state))
    return state


def ttgen(*args: str, timeout: float = 300, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TTGEN, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}
    )


def test_every_status_is_right_and_every_other_case_ran(tmp_path: Path, chaos_state: Path) -> None:
    db = tmp_path / "results.sqlite"
    reset_log = tmp_path / "resets"
    summary = execute(
        Selection(paths=[str(CHAOS)], backend="emu", reset_cmd=f"echo reset >> {shlex.quote(str(reset_log))}"), db
    )
    got = {r.case_id: (r.status, r.attempt) for r in summary.results}
    assert got == EXPECTED
    by_id = {r.case_id: r for r in summary.results}
    assert "SIGSEGV" in by_id["segfault"].message and "twice in a row" in by_id["segfault"].message
    assert "Fatal Python error: Segmentation fault" in (by_id["segfault"].exception or "")
    assert "status 3" in by_id["exit3"].message
    assert "2 s deadline" in by_id["hang"].message
    assert "time.sleep" in (by_id["hang"].exception or "") or "chaos.py" in (by_id["hang"].exception or "")
    assert "MemoryError" in by_id["memory"].message
    assert "Out of Memory: Not enough space to allocate" in by_id["l1_oom"].message
    assert "tile" in by_id["invalid"].message
    assert "attempt 1: CRASH" in by_id["flaky"].message
    assert by_id["not_run"].e2e_ms is None  # an expected skip is never sent to a worker
    # 2 crashes x 2 attempts + hang x 2 + flaky x 1 + memory (recycled) x 1 => the reset hook ran 8 times
    assert reset_log.read_text().count("reset") == 8
    assert summary.status == "complete" and summary.unexpected == 8

    with sqlite3.connect(db) as con:  # the store itself: WAL, one row per case, the run closed
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        rows = con.execute("SELECT case_id, status FROM results WHERE run_id = ?", (summary.run_id,)).fetchall()
        assert dict(rows) == {k: v[0] for k, v in EXPECTED.items()}
        run = con.execute("SELECT status, ended, backend, arch, planned FROM runs").fetchone()
        assert run[0] == "complete" and run[1] is not None and run[2:] == ("emu", "wormhole_b0", 15)


def test_classification_table() -> None:
    oom = RuntimeError("TT_FATAL @ x.cpp:1: y\ninfo:\nOut of Memory: Not enough space to allocate 1 B L1 buffer")
    assert classify(oom).status == "FAIL_L1_OUT_OF_MEM"
    assert classify(RuntimeError("TT_FATAL @ tensor_layout.cpp:9: c\ninfo:\nbad shard")).status == "INVALID"
    assert classify(RuntimeError("TT_THROW @ a.cpp:1: tt::exception\ninfo:\nother")).status == "FAIL_EXCEPTION"
    assert classify(RuntimeError("device timeout in fetch queue wait")).recycle
    assert classify(AssertionError("x")).status == "FAIL_ASSERT"
    assert classify(MemoryError()).recycle


def test_kill_9_mid_run_then_resume_runs_every_case_exactly_once(tmp_path: Path) -> None:
    sweeps = tmp_path / "sweeps"
    write_sweep(sweeps, "slow", [0.05] * 60)
    db = tmp_path / "results.sqlite"
    runner = subprocess.Popen(
        [*TTGEN, "run", str(sweeps), "--results", str(db), "--backend", "emu"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        done = 0
        while done < 15 and time.monotonic() < deadline:
            time.sleep(0.05)
            if db.exists():
                with sqlite3.connect(db) as con:
                    try:
                        done = con.execute("SELECT COUNT(*) FROM results").fetchone()[0]
                    except sqlite3.OperationalError:
                        done = 0
        assert done >= 15, "the runner never got going"
    finally:
        runner.send_signal(signal.SIGKILL)
        runner.wait(30)
    with sqlite3.connect(db) as con:
        before = con.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        assert con.execute("SELECT ended FROM runs").fetchone()[0] is None  # killed: unfinished
    assert 15 <= before < 60
    resumed = ttgen("run", str(sweeps), "--resume", "--results", str(db))
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert f"({before} already done)" in resumed.stdout
    with sqlite3.connect(db) as con:
        ids = [r[0] for r in con.execute("SELECT case_id FROM results WHERE run_id = 1")]
        assert sorted(ids) == [f"case{i:05d}" for i in range(60)]  # each exactly once
        assert con.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1
        assert con.execute("SELECT status FROM runs").fetchone()[0] == "complete"
    again = ttgen("run", str(sweeps), "--resume", "--results", str(db))
    assert again.returncode == 2 and "no unfinished run" in again.stderr


def test_shards_are_disjoint_and_cover_every_case() -> None:
    modules = find_modules([ROOT / "generated", CHAOS])
    everything = [c.key for c in select(modules)]
    assert len(everything) == len(set(everything)) == 15 + sum(generated_cases().values())
    for n in (1, 2, 3, 5, 8):
        shards = [[c.key for c in select(modules, shard=(i, n))] for i in range(1, n + 1)]
        flat = [k for s in shards for k in s]
        assert sorted(flat) == sorted(everything), n  # covering and disjoint


def test_matrix_is_valid_and_balanced_by_recorded_durations(tmp_path: Path) -> None:
    import random

    rng = random.Random(7)
    seconds = [round(rng.uniform(0.1, 2.0), 3) for _ in range(80)]
    sweeps = tmp_path / "sweeps"
    write_sweep(sweeps, "timed", seconds)
    db = tmp_path / "results.sqlite"
    con = sqlite3.connect(db)  # durations as a previous run recorded them (the store's own schema)
    from ttgen.runner.stores import open_store

    open_store(db).close()
    con.execute(
        "INSERT INTO runs (id, started, ended, status, host, command, ttgen_version, python, planned, selection)"
        " VALUES (1, 0, 1, 'complete', 'h', 'c', 'v', 'p', 80, '{}')"
    )
    for i, s in enumerate(seconds):
        con.execute(
            "INSERT INTO results (run_id, op, module, suite, case_id, status, message, attempt, started, ended)"
            " VALUES (1, 'fixture.timed', 'timed', 'model_traced', ?, 'PASS', '', 1, 100, ?)",
            (f"case{i:05d}", 100 + s),
        )
    con.commit()
    con.close()
    done = ttgen("shard", str(sweeps), "--results", str(db), "--groups", "4", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert set(doc) == {"include"} and len(doc["include"]) == 4
    keys: list[str] = []
    loads = []
    for entry in doc["include"]:
        args = shlex.split(entry["args"])
        assert args[0] == str(sweeps) and args[1] == "--case"
        mine = args[2].split(",")
        keys += mine
        loads.append(sum(seconds[int(k.rsplit("case", 1)[1])] for k in mine))
        assert entry["cases"] == len(mine) and entry["estimated_s"] == pytest.approx(loads[-1], abs=1e-3)
    assert sorted(keys) == sorted(f"fixture.timed:model_traced:case{i:05d}" for i in range(80))
    assert max(loads) <= 1.10 * min(loads), loads
    # an entry's arguments are a valid `ttgen run` selection
    first = shlex.split(doc["include"][0]["args"])
    from ttgen.runner.run import cases_of

    picked = cases_of(Selection(paths=[first[0]], cases=[first[2]]))
    assert len(picked) == doc["include"][0]["cases"]


def test_fail_fast_stops_at_the_first_unexpected_result(tmp_path: Path, chaos_state: Path) -> None:
    summary = execute(Selection(paths=[str(CHAOS)], backend="emu", fail_fast=True), tmp_path / "r.sqlite")
    assert summary.status == "stopped"
    assert [r.case_id for r in summary.results] == ["not_run", "pass", "numeric"]


def test_a_worker_that_cannot_start_aborts_the_run_resumably(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    with pytest.raises(RunAborted, match="worker 0"):
        execute(Selection(paths=[str(ROOT / "generated")], python="/bin/false"), db, startup_timeout=30)
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT status, ended FROM runs").fetchone() == ("aborted", None)


def test_ttgen_run_generated_on_the_emulator(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    done = ttgen("run", "generated", "--backend", "emu", "--results", str(db), "--workers", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    n = sum(generated_cases().values())
    # the tensor-parallel example's 8 cases run on the emulated 2x4 mesh: spec and topology
    # checked, values SKIP (goldens compare single-device outputs)
    assert f"{n} cases ({n - 8} PASS, 8 SKIP)" in done.stdout
    report = ttgen("report", "--results", str(db), "--json")
    doc = json.loads(report.stdout)
    assert doc["totals"] == {"PASS": n - 8, "SKIP": 8} and len(doc["ops"]) == len(generated_cases())
    assert doc["unexpected"] == []
    assert all(op["worst_pcc"] > 0.99 for op in doc["ops"] if op["worst_pcc"] is not None)
    with sqlite3.connect(db) as con:
        assert {w for (w,) in con.execute("SELECT DISTINCT worker FROM results")} <= {0, 1}


def test_exit_status_is_non_zero_on_unexpected_results(tmp_path: Path, chaos_state: Path) -> None:
    env = {"CHAOS_STATE": str(chaos_state)}
    keys = "chaos.op:model_traced:pass,chaos.op:model_traced:xfail"
    ok = ttgen("run", str(CHAOS), "--case", keys, "--results", str(tmp_path / "a.sqlite"), env=env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = ttgen(
        "run", str(CHAOS), "--case", "chaos.op:model_traced:raise", "--results", str(tmp_path / "b.sqlite"), env=env
    )
    assert bad.returncode == 1 and "FAIL_EXCEPTION" in bad.stdout


def test_bad_selections_are_clear_errors(tmp_path: Path) -> None:
    done = ttgen("run", "generated", "--shard", "4/3", "--results", str(tmp_path / "r.sqlite"))
    assert done.returncode == 2 and "1 <= I <= N" in done.stderr
    done = ttgen("run", "generated", "--case", "ttnn.add:model_traced:nope", "--results", str(tmp_path / "r.sqlite"))
    assert done.returncode == 2 and "no such case" in done.stderr
    broken = tmp_path / "sweeps" / "broken.py"
    broken.parent.mkdir()
    broken.write_text('OP = "x"\nTIMEOUT_S = 1\nCASES = {1: 2}\ndef run(case, device):\n    pass\n')
    done = ttgen("run", str(broken), "--results", str(tmp_path / "r.sqlite"))
    assert done.returncode == 2 and f"{broken}:3: CASES keys must be string literals" in done.stderr


def test_filters_by_op_and_suite() -> None:
    modules = find_modules([ROOT / "generated", CHAOS])
    assert {c.module.op for c in select(modules, ops=["add"])} == {"ttnn.add"}
    assert len(select(modules, ops=["ttnn.linear", "chaos.op"])) == generated_cases()["ttnn.linear"] + 15
    assert select(modules, suites=["nightly"]) == []


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    import io

    from rich.console import Console

    from ttgen.runner.progress import RichReporter, reporter_for

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=120)
    reporter = reporter_for(console)
    assert isinstance(reporter, RichReporter)
    execute(
        Selection(paths=[str(ROOT / "generated")], ops=["permute"], backend="emu"),
        tmp_path / "r.sqlite",
        reporter=reporter,
    )
    text = buffer.getvalue()
    assert "2/2" in text and "cases/s" in text
