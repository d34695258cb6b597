"""The results store: one SQLite file (WAL mode), a row per run and a row per case per run.

Each result is committed before the next case starts, so a killed runner loses at most the case
in flight, and `--resume` finds exactly what is left. WAL with synchronous=NORMAL survives the
process being killed (only a power loss can take back the last commits). Schema: README.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started REAL NOT NULL,          -- Unix seconds
    ended REAL,                     -- NULL while running, or when the runner was killed
    status TEXT NOT NULL,           -- running | complete | stopped (--fail-fast) | aborted
    host TEXT NOT NULL,
    backend TEXT,                   -- emu | ttnn, as the workers reported it
    arch TEXT,                      -- wormhole_b0 | blackhole | ...
    device TEXT,
    git_sha TEXT,
    command TEXT NOT NULL,
    ttgen_version TEXT NOT NULL,
    python TEXT NOT NULL,           -- the workers' interpreter
    planned INTEGER NOT NULL,       -- cases selected
    selection TEXT NOT NULL         -- JSON: what --resume selects again
);
CREATE TABLE IF NOT EXISTS results (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    op TEXT NOT NULL,
    module TEXT NOT NULL,
    suite TEXT NOT NULL,
    case_id TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT NOT NULL,
    exception TEXT,                 -- traceback, or the worker's last output on CRASH/HANG
    e2e_ms REAL,
    pcc REAL,
    output_spec TEXT,
    attempt INTEGER NOT NULL,       -- 2 when a first attempt killed the worker
    worker INTEGER,
    started REAL NOT NULL,
    ended REAL NOT NULL,
    UNIQUE (run_id, op, suite, case_id)
);
CREATE INDEX IF NOT EXISTS results_case ON results (op, suite, case_id);
"""


@dataclass(frozen=True, slots=True)
class Result:
    op: str
    module: str
    suite: str
    case_id: str
    status: str
    message: str
    exception: str | None
    e2e_ms: float | None
    pcc: float | None
    output_spec: str | None
    attempt: int
    worker: int | None
    started: float
    ended: float

    @property
    def key(self) -> str:
        return f"{self.op}:{self.suite}:{self.case_id}"


class Store:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA_VERSION):
            raise RuntimeError(f"{path}: results schema version {version}; this ttgen writes {SCHEMA_VERSION}")
        self.db.executescript(SCHEMA)
        self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self.db.close()

    def begin_run(self, **fields: Any) -> int:
        fields = {"started": time.time(), "status": "running", **fields}
        fields["selection"] = json.dumps(fields["selection"], sort_keys=True)
        names = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        cur = self.db.execute(f"INSERT INTO runs ({names}) VALUES ({marks})", list(fields.values()))
        assert cur.lastrowid is not None
        return cur.lastrowid

    def update_run(self, run_id: int, **fields: Any) -> None:
        sets = ", ".join(f"{k} = ?" for k in fields)
        self.db.execute(f"UPDATE runs SET {sets} WHERE id = ?", [*fields.values(), run_id])

    def end_run(self, run_id: int, status: str) -> None:
        self.update_run(run_id, ended=time.time(), status=status)

    def record(self, run_id: int, r: Result) -> None:
        """One committed row (autocommit): on disk before the next case starts."""
        self.db.execute(
            "INSERT INTO results (run_id, op, module, suite, case_id, status, message, exception, e2e_ms, pcc,"
            " output_spec, attempt, worker, started, ended) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run_id,
                r.op,
                r.module,
                r.suite,
                r.case_id,
                r.status,
                r.message,
                r.exception,
                r.e2e_ms,
                r.pcc,
                r.output_spec,
                r.attempt,
                r.worker,
                r.started,
                r.ended,
            ),
        )

    def run(self, run_id: int | None = None) -> sqlite3.Row | None:
        if run_id is None:
            return self.db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone()  # type: ignore[no-any-return]
        return self.db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()  # type: ignore[no-any-return]

    def unfinished_run(self) -> sqlite3.Row | None:
        row = self.db.execute("SELECT * FROM runs WHERE ended IS NULL ORDER BY id DESC LIMIT 1").fetchone()
        return row  # type: ignore[no-any-return]

    def done_keys(self, run_id: int) -> set[str]:
        rows = self.db.execute("SELECT op, suite, case_id FROM results WHERE run_id = ?", (run_id,))
        return {f"{op}:{suite}:{case_id}" for op, suite, case_id in rows}

    def results(self, run_id: int) -> list[Result]:
        rows = self.db.execute(
            "SELECT op, module, suite, case_id, status, message, exception, e2e_ms, pcc, output_spec, attempt,"
            " worker, started, ended FROM results WHERE run_id = ? ORDER BY id",
            (run_id,),
        )
        return [Result(*row) for row in rows]

    def durations(self) -> dict[str, float]:
        """Each case's most recent wall time (seconds), over all runs: what `ttgen shard` packs."""
        rows = self.db.execute(
            "SELECT op, suite, case_id, ended - started FROM results r"
            " WHERE id = (SELECT MAX(id) FROM results q WHERE q.op = r.op AND q.suite = r.suite"
            " AND q.case_id = r.case_id)"
        )
        return {f"{op}:{suite}:{case_id}": float(d) for op, suite, case_id, d in rows}

    def rows(self, sql: str, *args: Any) -> Iterator[sqlite3.Row]:
        yield from self.db.execute(sql, args)
