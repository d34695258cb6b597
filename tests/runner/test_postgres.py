"""The results store in a real PostgreSQL server (started for the session by
tests/runner/conftest.py; each test gets a fresh database): `ttgen run`, resume, report, shard
and merge on a `postgresql://` URL; many runner processes writing one database at once with
every row present exactly once; schema creation and migration racing; errors in one line with
the password masked."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg

from tests.runner.pgserver import PASSWORD, Server, free_port
from tests.runner.sweeps import write_sweep
from ttgen.runner.location import mask
from ttgen.runner.postgres_store import SCHEMA_LOCK
from ttgen.runner.schema import COLUMNS, SCHEMA_VERSION
from ttgen.runner.store import Result
from ttgen.runner.stores import open_store

ROOT = Path(__file__).resolve().parent.parent.parent
TTGEN = [sys.executable, "-m", "ttgen.cli"]
ENV = {**os.environ, "TTGEN_PREWARM": "0"}


def ttgen(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TTGEN, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=ENV)


def start(*args: str, out: Path) -> subprocess.Popen[bytes]:
    with open(out, "wb") as sink:
        return subprocess.Popen([*TTGEN, *args], cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT, env=ENV)


def query(url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, autocommit=True) as con:
        cur = con.execute(sql, params)  # type: ignore[arg-type]
        return cur.fetchall() if cur.description is not None else []


def count(url: str, table: str = "results") -> int:
    try:
        return int(query(url, f"SELECT COUNT(*) FROM {table}")[0][0])
    except psycopg.errors.UndefinedTable:
        return 0


def wait_for(what: str, check: Any, timeout: float = 120.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def one_line_error(done: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    assert done.stderr.startswith("ttgen: error: ") and done.stderr.count("\n") == 1, done.stderr
    assert PASSWORD not in done.stderr + done.stdout
    return done.stderr


def test_run_resume_report_and_shard_on_postgres(pg_url: str, tmp_path: Path) -> None:
    sweeps = tmp_path / "sweeps"
    write_sweep(sweeps, "slow", [0.05] * 60)
    runner = start("run", str(sweeps), "--results", pg_url, "--backend", "emu", out=tmp_path / "first")
    try:
        wait_for("the runner's first results", lambda: count(pg_url) >= 15)
    finally:
        runner.send_signal(signal.SIGKILL)
        runner.wait(30)
    before = count(pg_url)
    assert 15 <= before < 60 and query(pg_url, "SELECT ended FROM runs") == [(None,)]  # killed: unfinished
    resumed = ttgen("run", str(sweeps), "--resume", "--results", pg_url)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert f"({before} already done)" in resumed.stdout and f"results in {mask(pg_url)}" in resumed.stdout
    ids = [r[0] for r in query(pg_url, "SELECT case_id FROM results WHERE run_id = 1 ORDER BY case_id")]
    assert ids == [f"case{i:05d}" for i in range(60)]  # each exactly once
    assert query(pg_url, "SELECT id, status, origin_run FROM runs") == [(1, "complete", 1)]

    doc = json.loads(ttgen("report", "--results", pg_url, "--json").stdout)
    assert doc["totals"] == {"PASS": 60} and doc["run"]["status"] == "complete"
    assert PASSWORD not in doc["run"]["command"] and mask(pg_url) in doc["run"]["command"]
    table = ttgen("report", "--results", pg_url)
    assert table.returncode == 0 and "fixture.slow" in table.stdout
    shard = ttgen("shard", str(sweeps), "--results", pg_url, "--groups", "3")
    assert shard.returncode == 0 and "60 cases (60 with recorded durations) in 3 groups" in shard.stdout
    again = one_line_error(ttgen("run", str(sweeps), "--resume", "--results", pg_url))
    assert f"{mask(pg_url)}: no unfinished run to resume" in again


def test_a_run_is_run_by_one_process_at_a_time_on_postgres(pg_url: str, tmp_path: Path) -> None:
    sweeps = tmp_path / "sweeps"
    write_sweep(sweeps, "slow", [0.3] * 40)
    first = start("run", str(sweeps), "--results", pg_url, "--backend", "emu", out=tmp_path / "first")
    try:
        wait_for("the first run's results", lambda: count(pg_url) >= 2)
        error = one_line_error(ttgen("run", str(sweeps), "--resume", "--results", pg_url))
        assert f"{mask(pg_url)}: run 1 is being run by another `ttgen run` (pid {first.pid} on " in error
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(30)
    # the server released the claim with the killed runner's session
    done = ttgen("run", str(sweeps), "--resume", "--results", pg_url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert count(pg_url) == 40 and query(pg_url, "SELECT status FROM runs") == [("complete",)]


def test_runner_processes_at_once_write_every_row_exactly_once(pg_url: str, tmp_path: Path) -> None:
    """Four `ttgen run`s start together on an empty database (they race to create the schema)
    and each runs the whole 150-case suite: 600 rows, each once."""
    sweeps = tmp_path / "sweeps"
    for name, n in (("alpha", 60), ("beta", 50), ("gamma", 40)):
        write_sweep(sweeps, name, [0.0] * n)
    cases = {
        (f"fixture.{name}", f"case{i:05d}")
        for name, n in (("alpha", 60), ("beta", 50), ("gamma", 40))
        for i in range(n)
    }
    runners = [
        start("run", str(sweeps), "--results", pg_url, "--backend", "emu", out=tmp_path / f"runner{i}")
        for i in range(4)
    ]
    for i, runner in enumerate(runners):
        assert runner.wait(600) == 0, (tmp_path / f"runner{i}").read_text()
    runs = query(pg_url, "SELECT id, status, planned FROM runs ORDER BY id")
    assert runs == [(i, "complete", 150) for i in (1, 2, 3, 4)]  # ids from the database, none lost
    rows = query(pg_url, "SELECT run_id, op, case_id FROM results")
    assert len(rows) == 4 * 150
    per_run = Counter(run_id for run_id, _, _ in rows)
    assert per_run == {1: 150, 2: 150, 3: 150, 4: 150}
    for run_id in per_run:
        assert {(op, case) for r, op, case in rows if r == run_id} == cases  # every case, each once
    assert query(pg_url, "SELECT version FROM ttgen_schema") == [(SCHEMA_VERSION,)]


WRITER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from ttgen.runner.store import Result
    from ttgen.runner.stores import open_store

    url, go, n = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    while not go.exists():
        time.sleep(0.005)
    with open_store(url) as store:  # every writer opens the empty database at the same moment
        run_id = store.begin_run(host=f"writer-{os.getpid()}", command="w", ttgen_version="t", python="p",
                                 planned=n, selection={})
        for i in range(n):
            t = time.time()
            store.record(run_id, Result("api.op", "api", "model_traced", f"c{i:04d}", "PASS", "ok", None,
                                        0.1, 1.0, None, 1, 0, t, t))
        store.end_run(run_id, "complete")
    print(run_id)
    """
)


def test_processes_writing_through_the_store_api_at_once_lose_nothing(pg_url: str, tmp_path: Path) -> None:
    go, writers, n = tmp_path / "go", 6, 400
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, pg_url, str(go), str(n)], cwd=ROOT, env=ENV,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(writers)
    ]  # fmt: skip
    time.sleep(1.0)  # every writer is waiting
    go.touch()
    ids = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        ids.append(int(out))
    assert sorted(ids) == list(range(1, writers + 1))
    assert count(pg_url) == writers * n
    dupes = query(pg_url, "SELECT run_id, case_id FROM results GROUP BY run_id, case_id HAVING COUNT(*) > 1")
    assert dupes == []
    assert query(pg_url, "SELECT run_id, COUNT(*) FROM results GROUP BY run_id ORDER BY run_id") == [
        (i, n) for i in range(1, writers + 1)
    ]
    assert query(pg_url, "SELECT COUNT(*) FROM ttgen_schema") == [(1,)]


def downgrade_to_2(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as con:
        con.execute("DROP INDEX runs_origin")
        for column in ("origin_host", "origin_run", "origin_started", "merged_from"):
            con.execute(f"ALTER TABLE runs DROP COLUMN {column}")  # type: ignore[arg-type]
        con.execute("UPDATE ttgen_schema SET version = 2")


def test_an_older_schema_is_migrated_once_by_processes_racing(pg_url: str, tmp_path: Path) -> None:
    with open_store(pg_url) as store:
        run_id = store.begin_run(host="old", command="c", ttgen_version="v", python="p", planned=1, selection={})
        store.record(run_id, Result("m.op", "m", "s", "c0", "PASS", "", None, None, None, None, 1, None, 1.0, 2.0))
        store.end_run(run_id, "complete")
    downgrade_to_2(pg_url)
    with open_store(pg_url, readonly=True) as old:  # read as it is
        assert old.version == 2 and old.runs()[0]["origin_run"] == 1
    go = tmp_path / "go"
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, pg_url, str(go), "20"], cwd=ROOT, env=ENV,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]  # fmt: skip
    time.sleep(1.0)
    go.touch()
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    assert query(pg_url, "SELECT version FROM ttgen_schema") == [(SCHEMA_VERSION,)]
    assert query(pg_url, "SELECT origin_host, origin_run FROM runs WHERE id = 1") == [("old", 1)]
    assert count(pg_url) == 1 + 4 * 20 and count(pg_url, "runs") == 5


def test_the_schema_is_sqlites_column_for_column(pg_url: str, tmp_path: Path) -> None:
    open_store(pg_url).close()
    open_store(tmp_path / "r.sqlite").close()
    for table, columns in COLUMNS[SCHEMA_VERSION].items():
        have = query(
            pg_url,
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
            table,
        )
        assert [c for (c,) in have] == columns


def sqlite_store_with_runs(path: Path, runs: int, results: int) -> None:
    with open_store(path) as store:
        for r in range(runs):
            run_id = store.begin_run(
                host="ci", command="c", ttgen_version="v", python="p", planned=results, selection={}
            )
            for i in range(results):
                store.record(
                    run_id, Result("m.op", "m", "s", f"c{i}", "PASS", "", None, None, None, None, 1, r, 1.0, 2.0)
                )
            store.end_run(run_id, "complete")


def test_merges_at_once_copy_each_run_once(pg_url: str, tmp_path: Path) -> None:
    source = tmp_path / "shard.sqlite"
    sqlite_store_with_runs(source, 3, 50)
    procs = [
        subprocess.Popen([*TTGEN, "merge", pg_url, str(source), "--json"], cwd=ROOT, env=ENV,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]  # fmt: skip
    docs = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        docs.append(json.loads(out))
    assert sum(d["copied"]["runs"] for d in docs) == 3 and sum(d["copied"]["results"] for d in docs) == 150
    for d in docs:
        [s] = d["sources"]
        assert s["runs"] == 3 and s["results"] == 150  # copied here or already there: every one accounted for
    assert count(pg_url, "runs") == 3 and count(pg_url) == 150


def test_merging_two_real_runs_into_postgres_and_back(pg_url: str, tmp_path: Path) -> None:
    sweeps = tmp_path / "sweeps"
    write_sweep(sweeps, "alpha", [0.0] * 30)
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    for db, shard in ((a, "1/2"), (b, "2/2")):
        assert ttgen("run", str(sweeps), "--shard", shard, "--backend", "emu", "--results", str(db)).returncode == 0
    merged = ttgen("merge", pg_url, str(a), str(b))
    assert merged.returncode == 0, merged.stderr
    assert f"{mask(pg_url)}: runs 0 -> 2, results 0 -> 30, first_attempts 0 -> 0 (copied 2 runs" in merged.stdout
    assert PASSWORD not in merged.stdout
    doc = json.loads(ttgen("report", "--results", pg_url, "--run", "1", "--run", "2", "--json").stdout)
    assert doc["totals"] == {"PASS": 30} and [r["merged_from"] for r in doc["runs"]] == [str(a), str(b)]
    again = json.loads(ttgen("merge", pg_url, str(a), str(b), "--json").stdout)
    assert again["copied"] == {"runs": 0, "results": 0, "first_attempts": 0}
    back = tmp_path / "back.sqlite"
    out = json.loads(ttgen("merge", str(back), pg_url, "--json").stdout)  # PostgreSQL as the source
    assert out["copied"] == {"runs": 2, "results": 30, "first_attempts": 0}
    assert out["sources"][0]["store"] == mask(pg_url)
    assert json.loads(ttgen("merge", str(back), str(a), "--json").stdout)["copied"]["runs"] == 0  # same origin


def test_errors_name_the_url_with_its_password_masked(pg_server: Server, pg_url: str, tmp_path: Path) -> None:
    sweeps = tmp_path / "sweeps"
    write_sweep(sweeps, "quick", [0.0] * 2)
    nowhere = f"postgresql://ttgen:{PASSWORD}@127.0.0.1:{free_port()}/x"
    cases = {
        nowhere: "cannot reach the PostgreSQL server (connection failed:",
        pg_server.url("postgres", password="not-" + PASSWORD): "the PostgreSQL server refused the login (",
        pg_server.url("no_such_db"): "no such database (",
    }
    foreign = pg_server.create_database()
    query(foreign, "CREATE TABLE runs (id integer, owner text)")
    cases[foreign] = "not a ttgen results store (it holds tables runs but no ttgen_schema)"
    other_columns = pg_url
    open_store(other_columns).close()
    query(other_columns, "ALTER TABLE results RENAME COLUMN pcc TO accuracy")
    cases[other_columns] = (
        "not a ttgen results store of schema 3 (table results: missing ['pcc'], unexpected ['accuracy'])"
    )
    newer = pg_server.create_database()
    open_store(newer).close()
    query(newer, "UPDATE ttgen_schema SET version = 99")
    cases[newer] = "written by a newer ttgen (results schema 99; this ttgen reads up to 3)"
    source = tmp_path / "source.sqlite"
    sqlite_store_with_runs(source, 1, 1)
    for url, words in cases.items():
        for command in (
            ["run", str(sweeps), "--results", url],
            ["report", "--results", url],
            ["shard", str(sweeps), "--results", url],
            ["merge", url, str(source)],  # into it
            ["merge", str(tmp_path / "out.sqlite"), url],  # from it
        ):
            error = one_line_error(ttgen(*command))
            assert error.startswith(f"ttgen: error: {mask(url)}: {words}"), (command, error)
    assert query(foreign, "SELECT to_regclass('ttgen_schema') IS NULL") == [(True,)]  # left alone
    empty = pg_server.create_database()
    error = one_line_error(ttgen("report", "--results", empty))
    assert f"{mask(empty)}: no ttgen results in this database (no table ttgen_schema)" in error
    assert count(empty, "runs") == 0  # report created nothing


def test_a_locked_store_is_given_up_on_after_a_stated_wait_on_postgres(pg_url: str, tmp_path: Path) -> None:
    sweeps = tmp_path / "sweeps"
    write_sweep(sweeps, "quick", [0.0] * 2)
    with psycopg.connect(pg_url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s, %s)", SCHEMA_LOCK)  # as if a migration were under way
        began = time.monotonic()
        error = one_line_error(ttgen("run", str(sweeps), "--results", pg_url))
        assert f"{mask(pg_url)}: the results store is locked by another process (gave up after 10 s)" in error
        assert 9 < time.monotonic() - began < 60
    assert ttgen("run", str(sweeps), "--results", pg_url, "--backend", "emu").returncode == 0


def test_the_masked_forms_of_a_url() -> None:
    assert mask("postgresql://u:p%40ss@db.example:5433/results") == "postgresql://u:***@db.example:5433/results"
    assert (
        mask("postgres://u@h/d?sslmode=require&password=x&a=b") == "postgres://u@h/d?sslmode=require&password=***&a=b"
    )
    assert mask("postgresql://u:pw@h1:5432,h2:5433/d") == "postgresql://u:***@h1:5432,h2:5433/d"
    assert mask("postgresql://h/d") == "postgresql://h/d" and mask("results/r.sqlite") == "results/r.sqlite"


def test_sqlite_never_needs_psycopg(tmp_path: Path) -> None:
    script = (
        "import sys; sys.modules['psycopg'] = None\n"
        "from pathlib import Path\n"
        "from ttgen.runner.stores import open_store\n"
        "from ttgen.runner.store import StoreError\n"
        f"open_store(Path({str(tmp_path / 'r.sqlite')!r})).close()\n"
        "try:\n"
        "    open_store('postgresql://u:pw@localhost/d')\n"
        "except StoreError as e:\n"
        "    print(e)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, env=ENV, check=True)
    assert done.stdout.startswith("postgresql://u:***@localhost/d: a PostgreSQL results store needs psycopg 3")
    assert "pip install 'ttgen[postgres]'" in done.stdout
