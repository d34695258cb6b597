"""The results store: one SQLite file (WAL mode), a row per run and a row per case per run.

Each result is committed before the next case starts, so a killed runner loses at most the case
in flight, and `--resume` finds exactly what is left. WAL with synchronous=NORMAL survives the
process being killed (only a power loss can take back the last commits). Schema: README.

Whatever goes wrong with the file (not SQLite, corrupt, another program's schema, a newer ttgen's,
locked past BUSY_TIMEOUT_S, unwritable, deleted during the run) is a StoreError: one line that
names the file.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import sqlite3
import struct
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, ParamSpec, TypeVar

SCHEMA_VERSION = 2  # 2: first_attempts
BUSY_TIMEOUT_S = 10.0  # how long a locked store is waited for before the command gives up

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
    selection TEXT NOT NULL         -- JSON: the options the run started with (--resume reuses only its filters)
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

# v2: what a first attempt that killed the worker did, so a resumed run tries the second attempt
FIRST_ATTEMPTS = """
CREATE TABLE IF NOT EXISTS first_attempts (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    op TEXT NOT NULL,
    suite TEXT NOT NULL,
    case_id TEXT NOT NULL,
    note TEXT NOT NULL,             -- e.g. "CRASH: the worker was killed by SIGSEGV (signal 11)"
    at REAL NOT NULL,
    PRIMARY KEY (run_id, op, suite, case_id)
);
"""


def _columns() -> dict[str, list[str]]:
    """Each table's columns, as this schema makes them (what an existing store must have)."""
    scratch = sqlite3.connect(":memory:")
    try:
        scratch.executescript(SCHEMA + FIRST_ATTEMPTS)
        names = [n for (n,) in scratch.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: [str(row[1]) for row in scratch.execute(f"PRAGMA table_info({n})")] for n in names}
    finally:
        scratch.close()


COLUMNS = _columns()
TABLES_OF = {1: ("runs", "results"), 2: ("runs", "results", "first_attempts")}

P = ParamSpec("P")
R = TypeVar("R")


class StoreError(RuntimeError):
    """The results store cannot be used; the message is one line naming the file."""


class StoreLost(StoreError):
    """The store's file was deleted or replaced while a run wrote to it."""


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


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _explain(path: Path, e: BaseException) -> str:
    text = _one_line(str(e))
    if isinstance(e, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
        return f"{path}: the results store is locked by another process (gave up after {BUSY_TIMEOUT_S:g} s)"
    if isinstance(e, sqlite3.DatabaseError) and ("not a database" in text or "malformed" in text):
        return f"{path}: not a readable SQLite results store ({text})"
    if "readonly" in text or "unable to open" in text:
        return f"{path}: cannot write the results store here ({text})"
    if isinstance(e, OSError):
        return f"{path}: {e.strerror or text}"
    return f"{path}: {text}"


def _guarded(method: Callable[P, R]) -> Callable[P, R]:
    """SQLite and OS errors leave the store as StoreError (the store's path, one line)."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except StoreError:
            raise
        except (sqlite3.Error, OSError) as e:
            store = args[0]
            assert isinstance(store, Store)
            raise StoreError(_explain(store.path, e)) from e

    return wrapper


class Store:
    """The store, read-write for `ttgen run` (created or migrated as needed) or read-only for
    `ttgen report`/`ttgen shard` (which then also work on a read-only copy or location)."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        self.lost: str | None = None
        self._claims: IO[bytes] | None = None
        try:
            if readonly:
                self.db = self._connect_readonly()
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except (sqlite3.Error, OSError) as e:
            raise StoreError(_explain(path, e)) from e
        try:
            self.db.row_factory = sqlite3.Row
            self._open_schema()
            self.identity = self._identity()
        except BaseException as e:
            self.db.close()
            if isinstance(e, sqlite3.Error | OSError):
                raise StoreError(_explain(path, e)) from e
            raise

    def _connect_readonly(self) -> sqlite3.Connection:
        uri = "file:" + urllib.parse.quote(str(self.path.resolve()))
        db = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as e:
            # a WAL store in a location this process cannot write (no -shm can be made):
            # read it as an unchanging file
            if "readonly" not in str(e) and "unable to open" not in str(e):
                db.close()
                raise
            db.close()
            db = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, timeout=BUSY_TIMEOUT_S)
        return db

    def _open_schema(self) -> None:
        version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
        tables = {str(name) for (name,) in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: written by a newer ttgen (results schema {version}; this ttgen reads up to"
                f" {SCHEMA_VERSION}): upgrade ttgen or use another --results"
            )
        if version == 0:
            if tables:
                raise StoreError(
                    f"{self.path}: not a ttgen results store (it holds tables {', '.join(sorted(tables))});"
                    " use another --results"
                )
            if self.readonly:
                raise StoreError(f"{self.path}: an empty database, not a ttgen results store")
            self._create()
            return
        if version not in TABLES_OF:
            raise StoreError(f"{self.path}: results schema {version} is not one ttgen ever wrote")
        for table in TABLES_OF[version]:
            have = [str(row[1]) for row in self.db.execute(f"PRAGMA table_info({table})")]
            if have != COLUMNS[table]:
                missing = sorted(set(COLUMNS[table]) - set(have))
                extra = sorted(set(have) - set(COLUMNS[table]))
                what = "no such table" if not have else f"missing {missing}, unexpected {extra}"
                raise StoreError(f"{self.path}: not a ttgen results store of schema {version} (table {table}: {what})")
        if not self.readonly:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            if version < SCHEMA_VERSION:
                self._migrate(version)

    def _create(self) -> None:
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("BEGIN IMMEDIATE")
        try:
            if int(self.db.execute("PRAGMA user_version").fetchone()[0]) == 0:  # nobody created it meanwhile
                for statement in (SCHEMA + FIRST_ATTEMPTS).split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def _migrate(self, version: int) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            if int(self.db.execute("PRAGMA user_version").fetchone()[0]) == 1:
                self.db.execute(FIRST_ATTEMPTS)
                self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.db.close()
        if self._claims is not None:
            self._claims.close()  # after the connection: releases this process's run claims
            self._claims = None

    # -- the file under the connection ---------------------------------------------------
    def _identity(self) -> tuple[int, int]:
        st = os.stat(self.path)
        return st.st_dev, st.st_ino

    def _check_present(self) -> None:
        """SQLite goes on writing to a file deleted (or renamed over) under it, and everything
        would be lost at exit: stop the run instead, with the results saved elsewhere."""
        if self.lost is not None:
            raise StoreLost(self.lost)
        try:
            same = self._identity() == self.identity
        except FileNotFoundError:
            same = False
        if same:
            return
        count = self.db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        try:
            self.db.execute("UPDATE runs SET status = 'aborted' WHERE ended IS NULL AND status = 'running'")
            saved = f"the {count} results recorded so far were saved to {self._rescue()}; move it back and"
            saved += " `ttgen run --resume` continues the run"
        except (sqlite3.Error, OSError) as e:
            saved = f"its {count} results could not be saved elsewhere ({_one_line(str(e))})"
        self.lost = f"{self.path}: the results store was deleted or replaced during the run; {saved}"
        raise StoreLost(self.lost)

    def _rescue(self) -> Path:
        """A copy of the (unlinked) database, beside where it was, or in the temp folder."""
        folders = [self.path.parent, Path(tempfile.gettempdir())]
        for folder in folders:
            for n in range(100):
                name = f"{self.path.stem}.rescued-{os.getpid()}{f'-{n}' if n else ''}{self.path.suffix or '.sqlite'}"
                target = folder / name
                try:
                    fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
                except FileExistsError:
                    continue
                except OSError:
                    break  # this folder is gone or unwritable: the next one
                os.close(fd)
                copy = sqlite3.connect(target)
                try:
                    self.db.backup(copy)
                finally:
                    copy.close()
                return target
        raise OSError(f"no folder to save a copy in ({', '.join(map(str, folders))})")

    # -- runs ----------------------------------------------------------------------------
    @_guarded
    def begin_run(self, **fields: Any) -> int:
        """A new run, claimed by this process before any other can see it."""
        fields = {"started": time.time(), "status": "running", **fields}
        fields["selection"] = json.dumps(fields["selection"], sort_keys=True)
        names = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        self.db.execute("BEGIN IMMEDIATE")
        try:
            cur = self.db.execute(f"INSERT INTO runs ({names}) VALUES ({marks})", list(fields.values()))
            assert cur.lastrowid is not None
            self.claim(cur.lastrowid)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self._check_present()
        return cur.lastrowid

    @_guarded
    def claim(self, run_id: int) -> None:
        """Only one process runs a run: a lock on byte `run_id` of `<store>.lock` (beside the
        store, never removed), which the kernel releases when the process ends however it ends."""
        if self._claims is None:
            self._claims = open(self.path.with_name(self.path.name + ".lock"), "ab")  # noqa: SIM115 (held)
        try:
            fcntl.lockf(self._claims.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB, 1, run_id)
        except OSError as e:
            holder = _lock_holder(self._claims.fileno(), run_id)
            who = f"(pid {holder}) " if holder else ""
            raise StoreError(
                f"{self.path}: run {run_id} is being run by another `ttgen run` {who}right now;"
                " wait for it, or stop it and resume"
            ) from e

    @_guarded
    def update_run(self, run_id: int, **fields: Any) -> None:
        sets = ", ".join(f"{k} = ?" for k in fields)
        self.db.execute(f"UPDATE runs SET {sets} WHERE id = ?", [*fields.values(), run_id])
        self._check_present()

    def end_run(self, run_id: int, status: str) -> None:
        self.update_run(run_id, ended=time.time(), status=status)

    @_guarded
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
        self._check_present()

    @_guarded
    def note_first_attempt(self, run_id: int, op: str, suite: str, case_id: str, note: str) -> None:
        """A first attempt killed the worker: kept, so a resumed run makes the second attempt."""
        self.db.execute(
            "INSERT OR REPLACE INTO first_attempts (run_id, op, suite, case_id, note, at) VALUES (?, ?, ?, ?, ?, ?)",
            (run_id, op, suite, case_id, note, time.time()),
        )
        self._check_present()

    @_guarded
    def first_attempts(self, run_id: int) -> dict[str, str]:
        """Case key -> what its first attempt did, for cases of the run with no result yet."""
        if "first_attempts" not in {
            str(n) for (n,) in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }:
            return {}  # a schema-1 store opened read-only
        rows = self.db.execute(
            "SELECT op, suite, case_id, note FROM first_attempts f WHERE run_id = ? AND NOT EXISTS"
            " (SELECT 1 FROM results r WHERE r.run_id = f.run_id AND r.op = f.op AND r.suite = f.suite"
            " AND r.case_id = f.case_id)",
            (run_id,),
        )
        return {f"{op}:{suite}:{case_id}": str(note) for op, suite, case_id, note in rows}

    @_guarded
    def run(self, run_id: int | None = None) -> sqlite3.Row | None:
        if run_id is None:
            return self.db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone()  # type: ignore[no-any-return]
        return self.db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()  # type: ignore[no-any-return]

    @_guarded
    def unfinished_run(self) -> sqlite3.Row | None:
        row = self.db.execute("SELECT * FROM runs WHERE ended IS NULL ORDER BY id DESC LIMIT 1").fetchone()
        return row  # type: ignore[no-any-return]

    @_guarded
    def done_keys(self, run_id: int) -> set[str]:
        rows = self.db.execute("SELECT op, suite, case_id FROM results WHERE run_id = ?", (run_id,))
        return {f"{op}:{suite}:{case_id}" for op, suite, case_id in rows}

    @_guarded
    def results(self, run_id: int) -> list[Result]:
        rows = self.db.execute(
            "SELECT op, module, suite, case_id, status, message, exception, e2e_ms, pcc, output_spec, attempt,"
            " worker, started, ended FROM results WHERE run_id = ? ORDER BY id",
            (run_id,),
        )
        return [Result(*row) for row in rows]

    @_guarded
    def durations(self) -> dict[str, float]:
        """Each case's most recent wall time (seconds), over all runs: what `ttgen shard` packs."""
        rows = self.db.execute(
            "SELECT op, suite, case_id, ended - started FROM results r"
            " WHERE id = (SELECT MAX(id) FROM results q WHERE q.op = r.op AND q.suite = r.suite"
            " AND q.case_id = r.case_id)"
        )
        return {f"{op}:{suite}:{case_id}": float(d) for op, suite, case_id, d in rows}

    def rows(self, sql: str, *args: Any) -> Iterator[sqlite3.Row]:
        try:
            yield from self.db.execute(sql, args)
        except sqlite3.Error as e:
            raise StoreError(_explain(self.path, e)) from e


def _lock_holder(fd: int, run_id: int) -> int | None:
    """The pid holding byte `run_id` of the claims file (Linux's struct flock), if it can tell."""
    if not sys.platform.startswith("linux"):
        return None
    query = struct.pack("hhqqi", fcntl.F_WRLCK, os.SEEK_SET, run_id, 1, 0) + b"\0" * 8
    with contextlib.suppress(OSError):
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, query)
        kind, _, _, _, pid = struct.unpack_from("hhqqi", answer)
        if kind != fcntl.F_UNLCK and pid > 0:
            return int(pid)
    return None
