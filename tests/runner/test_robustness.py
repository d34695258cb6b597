"""The runner against what goes wrong around it (issue 11): a store deleted, locked, corrupt or
foreign; cases that flood their output, leave processes behind, write on the reply pipe or
return what is not an Outcome; a runner killed with -9. Real processes, real signals, real
SQLite files, a real file system; every `ttgen` here is a subprocess with its own TMPDIR."""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.runner.sweeps import write_sweep

ROOT = Path(__file__).resolve().parent.parent.parent
TTGEN = [sys.executable, "-m", "ttgen.cli"]
ROBUST = ROOT / "tests" / "runner" / "fixtures" / "robust" / "sweeps" / "robust.py"


def key(case_id: str) -> str:
    return f"robust.op:model_traced:{case_id}"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment of every `ttgen` of a test: its own temp folder, state folder and mark."""
    (tmp_path / "tmp").mkdir()
    (tmp_path / "state").mkdir()
    return {
        **os.environ,
        "TMPDIR": str(tmp_path / "tmp"),
        "ROBUST_STATE": str(tmp_path / "state"),
        "ROBUST_MARK": f"ttgen-robust-{tmp_path.name}-{os.getpid()}",
        "TTGEN_PREWARM": "0",
    }


def ttgen(*args: str, env: dict[str, str], timeout: float = 300, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TTGEN, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env, check=False, **kw
    )  # type: ignore[call-overload, no-any-return]


def start(*args: str, env: dict[str, str], out: Path) -> subprocess.Popen[bytes]:
    with open(out, "wb") as sink:
        return subprocess.Popen([*TTGEN, *args], cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT, env=env)


def one_line_error(done: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    assert done.stderr.startswith("ttgen: error: ") and done.stderr.count("\n") == 1, done.stderr
    return done.stderr


def wait_for(what: str, check: object, timeout: float = 120.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@contextlib.contextmanager
def connect(db: Path) -> Iterator[sqlite3.Connection]:
    """A connection that is closed after use (an open one checkpoints whenever it is collected)."""
    con = sqlite3.connect(db, timeout=30)
    try:
        yield con
        con.commit()
    finally:
        con.close()


def count_results(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with connect(db) as con:
            return int(con.execute("SELECT COUNT(*) FROM results").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def marked(mark: str) -> list[int]:
    """Live processes whose command line carries `mark` (zombies excluded)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            state = Path(f"/proc/{entry}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if mark.encode() in cmdline.split(b"\0") and state != b"Z":
            found.append(int(entry))
    return found


@pytest.fixture
def no_leftovers(env: dict[str, str]) -> Iterator[str]:
    """The mark of this test's processes; any still alive at the end are killed (and fail it)."""
    mark = env["ROBUST_MARK"]
    yield mark
    for pid in marked(mark):
        os.kill(pid, signal.SIGKILL)


def results_of(db: Path) -> dict[str, tuple[str, int, str]]:
    with connect(db) as con:
        rows = con.execute("SELECT case_id, status, attempt, message FROM results").fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


# -- item 5: a store deleted during the run ---------------------------------------------------
def test_deleting_the_store_mid_run_fails_and_says_where_the_results_went(tmp_path: Path, env: dict[str, str]) -> None:
    sweeps = tmp_path / "sweeps"
    write_sweep(sweeps, "slow", [0.1] * 60)
    db = tmp_path / "results" / "ttgen.sqlite"
    runner = start("run", str(sweeps), "--results", str(db), "--backend", "emu", env=env, out=tmp_path / "out")
    try:
        wait_for("5 results", lambda: count_results(db) >= 5)
        for path in db.parent.glob("ttgen.sqlite*"):
            path.unlink()
        code = runner.wait(120)
    finally:
        if runner.poll() is None:
            runner.kill()
    output = (tmp_path / "out").read_text()
    assert code == 3, output
    assert "Traceback" not in output and output.count("ttgen: error: ") == 1
    error = next(line for line in output.splitlines() if line.startswith("ttgen: error: "))
    assert f"{db}: the results store was deleted or replaced during the run" in error
    rescued = Path(re.search(r"saved to (\S+);", error).group(1))  # type: ignore[union-attr]
    assert rescued.parent == db.parent and rescued.is_file()
    with connect(rescued) as con:
        kept = con.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        assert con.execute("SELECT ended, status FROM runs").fetchone() == (None, "aborted")
    assert 5 <= kept < 60
    assert f"the {kept} results recorded so far" in error  # every result until then, none lost
    shutil.move(rescued, db)  # as the message says: move it back and resume
    resumed = ttgen("run", str(sweeps), "--resume", "--results", str(db), env=env)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert f"({kept} already done)" in resumed.stdout
    with connect(db) as con:
        assert sorted(r[0] for r in con.execute("SELECT case_id FROM results")) == [f"case{i:05d}" for i in range(60)]


# -- item 6: a stored selection is data, checked as such --------------------------------------
@pytest.mark.parametrize(
    "selection",
    ['{"ops": "ttnn.add; rm -rf /"}', "not json", '["a list"]', '{"shard": 3}', '{"cases": [1, 2]}'],
)
def test_a_stored_selection_ttgen_did_not_write_is_refused_in_one_line(
    tmp_path: Path, env: dict[str, str], selection: str
) -> None:
    sweeps = tmp_path / "sweeps"
    write_sweep(sweeps, "quick", [0.0] * 2)
    db = tmp_path / "r.sqlite"
    assert ttgen("run", str(sweeps), "--results", str(db), "--backend", "emu", env=env).returncode == 0
    with connect(db) as con:
        con.execute("UPDATE runs SET ended = NULL, status = 'aborted', selection = ?", (selection,))
    error = one_line_error(ttgen("run", str(sweeps), "--resume", "--results", str(db), env=env))
    assert f"{db}: run 1: its selection" in error


# -- item 9: a case that floods its output ----------------------------------------------------
def test_a_case_that_prints_hundreds_of_megabytes_then_crashes(tmp_path: Path, env: dict[str, str]) -> None:
    db = tmp_path / "r.sqlite"
    keys = f"{key('print_then_crash')},{key('after')}"
    # the runner's peak memory, measured around it (RUSAGE_CHILDREN of a wrapper: the largest of
    # the runner and its workers; the workers print in 1 MiB pieces)
    wrapper = (
        "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]);"
        " print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(done.returncode)"
    )
    done = subprocess.run(
        [sys.executable, "-c", wrapper, *TTGEN, "run", str(ROBUST), "--case", keys, "--results", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**env, "ROBUST_PRINT_MB": "300"},
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr  # 1: a CRASH, recorded; the run went on
    peak_mib = int(done.stderr.strip().splitlines()[-1]) / 1024
    assert peak_mib < 250, f"the runner held {peak_mib:.0f} MiB for 300 MiB of a case's output"
    got = results_of(db)
    assert got["print_then_crash"][:2] == ("CRASH", 2) and "SIGSEGV" in got["print_then_crash"][2]
    assert got["after"][:2] == ("PASS", 1)
    with connect(db) as con:
        tail = con.execute("SELECT exception FROM results WHERE case_id = 'print_then_crash'").fetchone()[0]
    assert "the last line before the crash" in tail and len(tail) <= 6000  # the tail, not the whole log
    on_disk = [int(n) for n in (tmp_path / "state" / "log-bytes").read_text().split()]
    assert len(on_disk) == 2 and max(on_disk) <= 20 * 2**20, on_disk  # the log on disk is capped
    assert not list((tmp_path / "tmp").iterdir())  # and removed with the run


# -- item 10: nothing a case starts outlives the run ------------------------------------------
def test_processes_a_case_leaves_behind_end_with_the_run(
    tmp_path: Path, env: dict[str, str], no_leftovers: str
) -> None:
    db = tmp_path / "r.sqlite"
    done = ttgen("run", str(ROBUST), "--case", f"{key('orphans')},{key('after')}", "--results", str(db), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert results_of(db)["orphans"][:2] == ("PASS", 1)
    assert marked(no_leftovers) == [], "a process the case started (same group, setsid, daemon) outlived the run"


def test_a_setsid_child_holding_the_reply_pipe_does_not_turn_a_crash_into_a_hang(
    tmp_path: Path, env: dict[str, str], no_leftovers: str
) -> None:
    db = tmp_path / "r.sqlite"
    keys = f"{key('setsid_holds_pipe_then_crash')},{key('after')}"
    began = time.monotonic()
    done = ttgen("run", str(ROBUST), "--case", keys, "--results", str(db), "--timeout", "40", env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    got = results_of(db)
    assert got["setsid_holds_pipe_then_crash"][:2] == ("CRASH", 2), got
    assert "SIGSEGV" in got["setsid_holds_pipe_then_crash"][2]
    assert got["after"][:2] == ("PASS", 1)
    assert time.monotonic() - began < 80  # seen when the worker died, not at the deadline
    assert marked(no_leftovers) == []


def test_killing_the_runner_ends_what_its_cases_started(tmp_path: Path, env: dict[str, str], no_leftovers: str) -> None:
    db = tmp_path / "r.sqlite"
    args = ["run", str(ROBUST), "--case", key("orphans_then_sleep"), "--results", str(db)]
    runner = start(*args, env=env, out=tmp_path / "o")
    try:
        wait_for("the case's processes", lambda: (tmp_path / "state" / "orphans-started").exists())
        # the daemon's grandchild starts on its own schedule (seconds, on a loaded machine)
        wait_for("all three of them", lambda: len(marked(no_leftovers)) == 3)
    finally:
        runner.send_signal(signal.SIGKILL)
        runner.wait(30)
    wait_for("the case's processes to end", lambda: marked(no_leftovers) == [], timeout=60)


# -- item 11: what is not a reply is the case's FAIL_EXCEPTION --------------------------------
def test_a_stray_line_on_the_reply_pipe_is_the_cases_fail_exception(tmp_path: Path, env: dict[str, str]) -> None:
    db = tmp_path / "r.sqlite"
    keys = f"{key('stray_line')},{key('after')}"
    done = ttgen("run", str(ROBUST), "--case", keys, "--results", str(db), env=env)
    assert done.returncode == 1, done.stdout + done.stderr  # an unexpected result, not an aborted run
    got = results_of(db)
    status, attempt, message = got["stray_line"]
    assert (status, attempt) == ("FAIL_EXCEPTION", 1)
    assert "a line from a library that should not be here" in message and "reply pipe" in message
    assert got["after"][:2] == ("PASS", 1)


def test_run_returning_none_or_an_outcome_that_does_not_serialize_fails_the_case(
    tmp_path: Path, env: dict[str, str]
) -> None:
    db = tmp_path / "r.sqlite"
    keys = f"{key('returns_none')},{key('unserializable')},{key('after')}"
    done = ttgen("run", str(ROBUST), "--case", keys, "--results", str(db), env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    got = results_of(db)
    assert got["returns_none"] == ("FAIL_EXCEPTION", 1, "run() returned NoneType, not an Outcome")
    assert got["unserializable"][:2] == ("FAIL_EXCEPTION", 1)
    assert "output_spec is float" in got["unserializable"][2]
    assert got["after"][:2] == ("PASS", 1)
    assert "respawning" not in done.stdout  # no worker died for them


# -- item 12 (the modules' side): a TIMEOUT_S that would mean something else -------------------
@pytest.mark.parametrize("timeout", ["0", "-1", "1e999", "True"])
def test_a_module_timeout_that_is_not_positive_seconds_is_refused(
    tmp_path: Path, env: dict[str, str], timeout: str
) -> None:
    module = write_sweep(tmp_path / "sweeps", "bad", [0.0])
    module.write_text(module.read_text().replace("TIMEOUT_S: Final = 30", f"TIMEOUT_S: Final = {timeout}"))
    error = one_line_error(ttgen("run", str(module), "--results", str(tmp_path / "r.sqlite"), env=env))
    assert f"{module}:" in error and "TIMEOUT_S must be a number literal of seconds > 0" in error
    assert not (tmp_path / "r.sqlite").exists()


# -- item 13: stores that cannot be used are one-line errors ----------------------------------
def make_store(tmp_path: Path, env: dict[str, str]) -> Path:
    sweeps = tmp_path / "sweeps"
    write_sweep(sweeps, "quick", [0.0] * 3)
    db = tmp_path / "store" / "r.sqlite"
    done = ttgen("run", str(sweeps), "--results", str(db), "--backend", "emu", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return db


def spoil(db: Path, how: str) -> str:
    """Make `db` unusable in one way; the message's words."""
    if how == "text":
        db.write_text("a CSV, not a database\n")
        return "not a readable SQLite results store"
    if how == "truncated":
        with connect(db) as con:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            con.execute("PRAGMA journal_mode=DELETE")
        data = db.read_bytes()
        db.write_bytes(data[: len(data) // 2])
        return "not a readable SQLite results store"
    if how == "corrupt":
        with connect(db) as con:
            con.execute("PRAGMA journal_mode=DELETE")
        data = bytearray(db.read_bytes())
        data[100:] = b"\xa5" * (len(data) - 100)  # every page after the header
        db.write_bytes(bytes(data))
        return "not a readable SQLite results store"
    if how == "foreign":
        db.unlink()
        with connect(db) as con:
            con.execute("CREATE TABLE inventory (sku TEXT, count INTEGER)")
        return "not a ttgen results store (it holds tables inventory)"
    if how == "other_columns":
        with connect(db) as con:
            con.execute("ALTER TABLE results RENAME COLUMN pcc TO accuracy")
        return "not a ttgen results store of schema 3 (table results"
    if how == "newer":
        with connect(db) as con:
            con.execute("PRAGMA user_version = 99")
        return "written by a newer ttgen (results schema 99"
    raise AssertionError(how)


@pytest.mark.parametrize("how", ["text", "truncated", "corrupt", "foreign", "other_columns", "newer"])
def test_a_store_ttgen_cannot_use_is_refused_in_one_line_and_left_as_it_was(
    tmp_path: Path, env: dict[str, str], how: str
) -> None:
    db = make_store(tmp_path, env)
    words = spoil(db, how)
    before = {p.name: p.read_bytes() for p in db.parent.iterdir() if not p.name.endswith(".lock")}
    sweeps = str(tmp_path / "sweeps")
    for command in (["run", sweeps], ["report"], ["report", "--json"], ["shard", sweeps]):
        error = one_line_error(ttgen(*command, "--results", str(db), env=env))
        assert error.startswith(f"ttgen: error: {db}: {words}"), (command, error)
    assert db.read_bytes() == before[db.name], "a store ttgen cannot use was changed"
    wal = db.with_name(db.name + "-wal")  # what SQLite itself makes beside a WAL database it reads
    assert {p.name for p in db.parent.iterdir()} <= {*before, wal.name, db.name + "-shm", db.name + ".lock"}
    assert not wal.exists() or wal.read_bytes() == before.get(wal.name, b""), "something was written"


def test_a_locked_store_is_given_up_on_after_a_stated_wait(tmp_path: Path, env: dict[str, str]) -> None:
    db = make_store(tmp_path, env)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE runs SET host = host")  # holds the write lock: nobody else reads or writes
    try:
        for command in (["run", str(tmp_path / "sweeps")], ["report"]):
            began = time.monotonic()
            error = one_line_error(ttgen(*command, "--results", str(db), env=env))
            assert f"{db}: the results store is locked by another process (gave up after 10 s)" in error
            assert time.monotonic() - began < 60
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def drop_capabilities() -> None:
    """In the child: root without capabilities obeys file permissions like anyone else."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in range(64):
        libc.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP: gone after exec


def test_report_reads_a_store_in_a_read_only_location(tmp_path: Path, env: dict[str, str]) -> None:
    db = make_store(tmp_path, env)
    before = {p.name: p.read_bytes() for p in db.parent.iterdir()}
    (db.parent / "r.sqlite.lock").unlink(missing_ok=True)
    db.chmod(0o444)
    db.parent.chmod(0o555)
    try:
        kw = {"preexec_fn": drop_capabilities} if os.geteuid() == 0 else {}
        probe = subprocess.run(["touch", str(db.parent / "probe")], capture_output=True, check=False, **kw)  # type: ignore[call-overload]
        assert probe.returncode != 0, "the folder is writable after all: this test would prove nothing"
        table = ttgen("report", "--results", str(db), env=env, **kw)
        assert table.returncode == 0, table.stderr
        assert "fixture.quick" in table.stdout
        doc = json.loads(ttgen("report", "--results", str(db), "--json", env=env, **kw).stdout)
        assert doc["totals"] == {"PASS": 3}
        shard = ttgen("shard", str(tmp_path / "sweeps"), "--results", str(db), "--json", env=env, **kw)
        assert shard.returncode == 0, shard.stderr
        error = one_line_error(ttgen("run", str(tmp_path / "sweeps"), "--results", str(db), env=env, **kw))
        assert str(db) in error
    finally:
        db.parent.chmod(0o755)
    before.pop("r.sqlite.lock", None)
    assert {p.name: p.read_bytes() for p in db.parent.iterdir()} == before


@pytest.mark.parametrize("option", ["--html", "--export"])
def test_report_to_an_unwritable_path_is_a_one_line_error(tmp_path: Path, env: dict[str, str], option: str) -> None:
    db = make_store(tmp_path, env)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    target = blocker / "out.html"  # a folder that is a file: unwritable even for root
    args = [option, str(target)] if option == "--html" else [option, "optest", str(target)]
    error = one_line_error(ttgen("report", "--results", str(db), *args, env=env))
    assert f"{target}: cannot write" in error


def test_a_run_is_run_by_one_process_at_a_time(tmp_path: Path, env: dict[str, str]) -> None:
    sweeps = tmp_path / "sweeps"
    write_sweep(sweeps, "slow", [0.3] * 60)  # long enough to be caught running on a loaded machine
    db = tmp_path / "r.sqlite"
    first = start("run", str(sweeps), "--results", str(db), "--backend", "emu", env=env, out=tmp_path / "first")
    try:
        wait_for("the first run's results", lambda: count_results(db) >= 3)
        # the run is running: a resume of it is refused, and changes nothing
        error = one_line_error(ttgen("run", str(sweeps), "--resume", "--results", str(db), env=env))
        assert f"{db}: run 1 is being run by another `ttgen run` (pid {first.pid})" in error
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(30)
    killed_at = count_results(db)
    second = start("run", str(sweeps), "--resume", "--results", str(db), env=env, out=tmp_path / "second")
    try:
        wait_for("the resume's results", lambda: count_results(db) >= killed_at + 3)
        error = one_line_error(ttgen("run", str(sweeps), "--resume", "--results", str(db), env=env))
        assert f"run 1 is being run by another `ttgen run` (pid {second.pid})" in error
        assert second.wait(300) == 0, (tmp_path / "second").read_text()
    finally:
        if second.poll() is None:
            second.kill()
    with connect(db) as con:
        ids = sorted(r[0] for r in con.execute("SELECT case_id FROM results"))
        assert con.execute("SELECT status FROM runs").fetchall() == [("complete",)]
    assert ids == [f"case{i:05d}" for i in range(60)]  # each exactly once


def downgrade(db: Path, version: int) -> None:
    """The store as an older ttgen wrote it: 2 before runs' origins, 1 before first_attempts."""
    with connect(db) as con:
        con.execute("DROP INDEX runs_origin")
        for column in ("origin_host", "origin_run", "origin_started", "merged_from"):
            con.execute(f"ALTER TABLE runs DROP COLUMN {column}")
        if version == 1:
            con.execute("DROP TABLE first_attempts")
        con.execute(f"PRAGMA user_version = {version}")


@pytest.mark.parametrize("version", [1, 2])
def test_an_older_store_is_migrated_by_run_and_read_as_it_is_by_report(
    tmp_path: Path, env: dict[str, str], version: int
) -> None:
    db = make_store(tmp_path, env)
    downgrade(db, version)
    report = ttgen("report", "--results", str(db), "--json", env=env)
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout)["run"]["origin_run"] == 1  # a run without an origin was made there
    with connect(db) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == version  # report does not write
    done = ttgen("run", str(tmp_path / "sweeps"), "--results", str(db), env=env)
    assert done.returncode == 0, done.stderr
    with connect(db) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 3
        assert con.execute("SELECT COUNT(*) FROM first_attempts").fetchone()[0] == 0
        assert con.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 6
        origins = con.execute("SELECT id, origin_run, origin_host = host, origin_started = started FROM runs")
        assert origins.fetchall() == [(1, 1, 1, 1), (2, 2, 1, 1)]  # the old run's, filled in; the new run's


# -- item 16: nothing from a sweep module drives the terminal ---------------------------------
EVIL = '''"""Names and messages that would drive a terminal."""
from typing import Final
import os
from ttgen.runtime import Outcome, Status

OP: Final = "evil\\x1b[2J.op"
TIMEOUT_S: Final = 30
CASES: Final[dict[str, int]] = {"clear\\x1b]0;pwned\\x07": 0, "\\u202eright-to-left": 1, "crash\\rback": 2}


def run(case: int, device: object) -> Outcome:
    if case == 2:
        os._exit(3)
    return Outcome(Status.FAIL_ASSERT, "red \\x1b[31m text\\u2066 and\\rback", pcc=0.5)
'''


def test_control_characters_and_bidi_overrides_never_reach_the_terminal(tmp_path: Path, env: dict[str, str]) -> None:
    module = tmp_path / "sweeps" / "evil.py"
    module.parent.mkdir()
    module.write_text(EVIL)
    db = tmp_path / "r.sqlite"
    done = ttgen("run", str(module), "--results", str(db), "--backend", "emu", "--reset-cmd", "true #\x1b[5m", env=env)
    report = ttgen("report", "--results", str(db), env=env)
    for shown in (done, report):
        text = shown.stdout + shown.stderr
        assert "evil" in text, text
        for bad in ("\x1b", "\x07", "\r", "\u202e", "\u2066"):
            assert bad not in text, (bad, text)
    assert "\\x1b[2J" in done.stdout and "\\u202eright-to-left" in done.stdout and "crash\\x0dback" in done.stdout
    assert done.returncode == 1


# -- item 18: log folders and the first attempt's note ----------------------------------------
def test_a_killed_runs_log_folder_is_removed_by_the_next_run_and_nothing_else_is(
    tmp_path: Path, env: dict[str, str]
) -> None:
    temp = Path(env["TMPDIR"])
    sweeps = tmp_path / "sweeps"
    write_sweep(sweeps, "slow", [0.1] * 50)
    db = tmp_path / "r.sqlite"
    runner = start("run", str(sweeps), "--results", str(db), "--backend", "emu", env=env, out=tmp_path / "o")
    try:
        wait_for("results", lambda: count_results(db) >= 3)
    finally:
        runner.send_signal(signal.SIGKILL)
        runner.wait(30)
    left = list(temp.glob("ttgen-run-*"))
    assert len(left) == 1  # a run killed with -9 cannot remove its own
    decoys = [temp / "ttgen-run-unmarked", temp / "ttgen-run-symlinked", temp / "ttgen-run-alive"]
    for decoy in decoys:
        decoy.mkdir()
        (decoy / "keep").write_text("")
    elsewhere = tmp_path / "unlocked"
    elsewhere.write_text("")
    (decoys[1] / ".ttgen-run.lock").symlink_to(elsewhere)  # not a lock file ttgen made
    with open(decoys[2] / ".ttgen-run.lock", "w") as alive:  # a live run's folder: its lock is held
        fcntl.flock(alive.fileno(), fcntl.LOCK_EX)
        quick = tmp_path / "quick"
        write_sweep(quick, "quick", [0.0])
        done = ttgen("run", str(quick), "--results", str(tmp_path / "q.sqlite"), "--backend", "emu", env=env)
        assert done.returncode == 0, done.stdout + done.stderr
    assert not left[0].exists()
    assert sorted(temp.iterdir()) == sorted(decoys)
    assert all((d / "keep").exists() for d in decoys)


def test_a_run_with_nothing_to_do_makes_no_log_folder(tmp_path: Path, env: dict[str, str]) -> None:
    sweeps = tmp_path / "sweeps"
    write_sweep(sweeps, "quick", [0.0] * 2)
    db = tmp_path / "r.sqlite"
    assert ttgen("run", str(sweeps), "--results", str(db), "--backend", "emu", env=env).returncode == 0
    assert list(Path(env["TMPDIR"]).iterdir()) == []
    with connect(db) as con:
        con.execute("UPDATE runs SET ended = NULL, status = 'aborted'")  # killed after its last case
    done = ttgen("run", str(sweeps), "--resume", "--results", str(db), env=env)
    assert done.returncode == 0 and "(2 already done)" in done.stdout, done.stdout + done.stderr
    assert list(Path(env["TMPDIR"]).iterdir()) == []


def test_a_retried_cases_first_attempt_is_kept_across_a_resume(tmp_path: Path, env: dict[str, str]) -> None:
    state = tmp_path / "state"
    db = tmp_path / "r.sqlite"
    args = ["run", str(ROBUST), "--case", key("crash_then_wait"), "--results", str(db), "--timeout", "600"]
    runner = start(*args, env=env, out=tmp_path / "o")
    try:
        wait_for("the second attempt", lambda: (state / "second-attempt-started").exists())
    finally:
        runner.send_signal(signal.SIGKILL)  # killed during the second attempt
        runner.wait(30)
    (state / "pass-now").touch()
    done = ttgen("run", str(ROBUST), "--resume", "--results", str(db), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    status, attempt, message = results_of(db)["crash_then_wait"]
    assert (status, attempt) == ("PASS", 2)
    assert message.endswith("(attempt 2; attempt 1: CRASH: the worker was killed by SIGSEGV (signal 11))"), message
