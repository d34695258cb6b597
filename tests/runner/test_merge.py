"""`ttgen merge` and `ttgen report` over several stores: the SQLite files of two real runs (a CI
matrix's artifacts) copied into one store with new run ids, nothing lost, nothing copied twice,
counts that reconcile; a run copied while unfinished catches up when merged again."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.runner.sweeps import write_sweep
from ttgen.runner.store import Result
from ttgen.runner.stores import open_store

ROOT = Path(__file__).resolve().parent.parent.parent
TTGEN = [sys.executable, "-m", "ttgen.cli"]
ENV = {**os.environ, "TTGEN_PREWARM": "0"}


def ttgen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TTGEN, *args], cwd=ROOT, capture_output=True, text=True, timeout=300, env=ENV, check=False)


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def two_shards(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Two real runs, each a shard of the same suite, into two SQLite files (b holds two runs)."""
    sweeps = tmp_path / "sweeps"
    write_sweep(sweeps, "alpha", [0.0] * 30)
    write_sweep(sweeps, "beta", [0.0] * 20)
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    for db, shard in ((a, "1/2"), (b, "2/2"), (b, "2/2")):
        done = ttgen("run", str(sweeps), "--shard", shard, "--backend", "emu", "--results", str(db))
        assert done.returncode == 0, done.stdout + done.stderr
    return sweeps, a, b


def test_merging_the_sqlite_files_of_two_real_runs(tmp_path: Path) -> None:
    _, a, b = two_shards(tmp_path)
    in_a = rows(a, "SELECT COUNT(*) FROM results")[0][0]
    in_b = rows(b, "SELECT COUNT(*) FROM results")[0][0]
    assert in_a + in_b // 2 == 50 and in_a > 0  # the shards are disjoint and cover the suite
    out = tmp_path / "merged" / "all.sqlite"

    done = ttgen("merge", str(out), str(a), str(b), "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["before"] == {"runs": 0, "results": 0, "first_attempts": 0}
    assert doc["after"] == {"runs": 3, "results": in_a + in_b, "first_attempts": 0}
    assert doc["copied"] == {"runs": 3, "results": in_a + in_b, "first_attempts": 0}
    assert doc["by_other_writers"] == {"runs": 0, "results": 0, "first_attempts": 0}
    [sa, sb] = doc["sources"]
    assert (sa["store"], sa["runs"], sa["runs_new"], sa["results"], sa["results_copied"]) == (str(a), 1, 1, in_a, in_a)
    assert (sb["runs"], sb["runs_new"], sb["results"], sb["results_copied"]) == (2, 2, in_b, in_b)
    assert sorted([*sa["run_ids"].values(), *sb["run_ids"].values()]) == [1, 2, 3]  # new ids, from the target

    # each copy keeps where it came from; its results are the source's, row for row
    origins = rows(out, "SELECT id, origin_run, merged_from FROM runs ORDER BY id")
    assert origins == [(1, 1, str(a)), (2, 1, str(b)), (3, 2, str(b))]
    columns = "op, module, suite, case_id, status, message, exception, e2e_ms, pcc, output_spec, attempt, worker"
    for source, source_run, target_run in ((a, 1, 1), (b, 1, 2), (b, 2, 3)):
        mine = rows(out, f"SELECT {columns}, started, ended FROM results WHERE run_id = {target_run} ORDER BY id")
        theirs = rows(source, f"SELECT {columns}, started, ended FROM results WHERE run_id = {source_run} ORDER BY id")
        assert mine == theirs
    header = rows(out, "SELECT host, started, ended, status, command, selection FROM runs WHERE id = 1")
    assert header == rows(a, "SELECT host, started, ended, status, command, selection FROM runs WHERE id = 1")

    # merging again copies nothing, and says so; so does merging a store merged from them
    again = ttgen("merge", str(out), str(b), str(a))
    assert again.returncode == 0, again.stderr
    assert f"{b}: 2 runs (0 new, 2 already there), {in_b} results (0 copied, {in_b} already there)" in again.stdout
    assert f"{out}: runs 3 -> 3, results {in_a + in_b} -> {in_a + in_b}, first_attempts 0 -> 0" in again.stdout
    relay = tmp_path / "relay.sqlite"
    assert ttgen("merge", str(relay), str(out)).returncode == 0
    back = json.loads(ttgen("merge", str(relay), str(a), "--json").stdout)
    assert back["copied"] == {"runs": 0, "results": 0, "first_attempts": 0}
    assert rows(relay, "SELECT COUNT(*) FROM runs")[0][0] == 3


def test_report_reads_several_stores_as_one(tmp_path: Path) -> None:
    _, a, b = two_shards(tmp_path)
    doc = json.loads(ttgen("report", "--results", str(a), "--results", str(b), "--json").stdout)
    assert doc["run"] is None and [r["origin_run"] for r in doc["runs"]] == [1, 2]  # each store's latest run
    assert doc["totals"] == {"PASS": 50}  # two disjoint shards: the whole suite
    assert {op["op"]: op["total"] for op in doc["ops"]} == {"fixture.alpha": 30, "fixture.beta": 20}
    assert [s["runs"] for s in doc["sources"]] == [1, 2]
    [h] = doc["history"]  # b's first run is the earlier run of the same backend and arch
    assert [r["id"] for r in h["runs"]] == [2] and h["current"] == [1, 3]
    assert h["compared"] == 50 - rows(a, "SELECT COUNT(*) FROM results")[0][0]  # b's cases had a verdict
    table = ttgen("report", "--results", str(a), "--results", str(b))
    assert table.returncode == 0, table.stderr
    assert "runs 1, 3 (complete, emu, wormhole_b0)" in table.stdout
    assert f"combined {a}: 1 run (1 new, 0 already there)" in table.stderr
    twice = json.loads(ttgen("report", "--results", str(a), "--results", str(a), "--json").stdout)
    assert len(twice["runs"]) == 1 and twice["totals"] == {"PASS": rows(a, "SELECT COUNT(*) FROM results")[0][0]}
    refused = ttgen("report", "--results", str(a), "--results", str(b), "--run", "1")
    assert refused.returncode == 2 and "--run names runs of one store" in refused.stderr
    shard = ttgen("shard", str(tmp_path / "sweeps"), "--results", str(a), "--results", str(b), "--json")
    assert shard.returncode == 0, shard.stderr
    assert sum(g["cases"] for g in json.loads(shard.stdout)["include"]) == 50


def result(case_id: str, status: str = "PASS") -> Result:
    return Result("m.op", "m", "model_traced", case_id, status, "ok", None, 1.0, 1.0, None, 1, 0, 10.0, 11.0)


def test_an_unfinished_run_merged_catches_up_when_merged_again(tmp_path: Path) -> None:
    source, out = tmp_path / "shard.sqlite", tmp_path / "out.sqlite"
    with open_store(source) as store:
        run_id = store.begin_run(host="ci-7", command="c", ttgen_version="v", python="p", planned=4, selection={})
        store.record(run_id, result("c0"))
        store.record(run_id, result("c1"))
        store.note_first_attempt(run_id, "m.op", "model_traced", "c2", "CRASH: killed")
    first = json.loads(ttgen("merge", str(out), str(source), "--json").stdout)
    assert first["copied"] == {"runs": 1, "results": 2, "first_attempts": 1}
    with open_store(out, readonly=True) as merged:
        copy = merged.run()
        assert copy is not None and copy["ended"] is None and copy["origin_host"] == "ci-7"
        assert merged.unfinished_run() is None  # a merged copy is a record: never resumed
    with open_store(source) as store:
        store.record(run_id, result("c2", "CRASH"))
        store.record(run_id, result("c3"))
        store.end_run(run_id, "complete")
    second = json.loads(ttgen("merge", str(out), str(source), "--json").stdout)
    assert second["copied"] == {"runs": 0, "results": 2, "first_attempts": 0}
    assert second["sources"][0]["runs_updated"] == 1
    assert rows(out, "SELECT status, ended IS NOT NULL FROM runs") == [("complete", 1)]
    assert rows(out, "SELECT case_id, status FROM results ORDER BY case_id") == [
        ("c0", "PASS"), ("c1", "PASS"), ("c2", "CRASH"), ("c3", "PASS"),
    ]  # fmt: skip


def test_merge_refuses_what_it_cannot_read_in_one_line(tmp_path: Path) -> None:
    missing = ttgen("merge", str(tmp_path / "out.sqlite"), str(tmp_path / "nope.sqlite"))
    assert missing.returncode == 2 and missing.stderr == f"ttgen: error: {tmp_path / 'nope.sqlite'}: no results store\n"
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database")
    bad = ttgen("merge", str(tmp_path / "out.sqlite"), str(junk))
    assert bad.returncode == 2 and bad.stderr.startswith(f"ttgen: error: {junk}: not a readable SQLite results store")
    assert bad.stderr.count("\n") == 1
