"""The results store: one interface (`Store`) over two databases, a SQLite file
(`sqlite_store`) or a PostgreSQL database that many runners on many machines write at once
(`postgres_store`); `location.open_store` picks one by `--results`. A row per run and a row per
case per run (schema: `schema`, README).

Each result is committed before the next case starts, so a killed runner loses at most the case
in flight, and `--resume` finds exactly what is left. Whatever goes wrong with the store (not a
ttgen store, corrupt, another program's schema, a newer ttgen's, locked past BUSY_TIMEOUT_S,
unwritable, unreachable, refused login, deleted during the run) is a StoreError: one line that
names the store (a URL with its password masked).

The queries are written once, here, with `?` parameters; an implementation supplies the
connection primitives, its schema handling and how one process claims a run.
"""

from __future__ import annotations

import abc
import contextlib
import functools
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass, fields
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, TypeVar

from ttgen.runner.schema import RESULT_COLUMNS, RUN_COLUMNS, SCHEMA_VERSION

BUSY_TIMEOUT_S = 10.0  # how long a locked store is waited for before the command gives up

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound="Store")


class StoreError(RuntimeError):
    """The results store cannot be used; the message is one line naming the store."""


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


@dataclass(frozen=True, slots=True)
class Note:
    """A first attempt that killed the worker (a `first_attempts` row)."""

    op: str
    suite: str
    case_id: str
    note: str
    at: float


@dataclass(frozen=True, slots=True)
class Imported:
    """What `Store.import_run` did with one run of another store."""

    run_id: int  # the run's id in this store
    new: bool  # False: this store already had the run (same origin)
    updated: bool  # an unfinished copy that the source has since finished
    copied: int  # results added
    present: int  # results this store already had
    notes_copied: int
    notes_present: int


RESULT_FIELDS = [f.name for f in fields(Result)]
assert [c for c in RESULT_COLUMNS if c not in ("id", "run_id")] == RESULT_FIELDS
# what a run's copy takes from its source (a later finish of an unfinished run included)
PROGRESS_FIELDS = ("status", "ended", "backend", "arch", "device")


def one_line(text: str) -> str:
    return " ".join(text.split())


def guarded(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """The driver's errors (and OS errors) leave the store as StoreError (one line naming it)."""

    @functools.wraps(method)
    def wrapper(store: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(store, *args, **kwargs)
        except StoreError:
            raise
        except store.errors as e:
            raise StoreError(store.explain(e)) from e

    return wrapper


def origin_of(run: dict[str, Any]) -> tuple[str, int, float]:
    """Where a run was first recorded: its host, its id there and its start time."""
    return (run["origin_host"], int(run["origin_run"]), float(run["origin_started"]))


class Store(abc.ABC):
    """The store, read-write for `ttgen run` and `ttgen merge` (created or migrated as needed) or
    read-only for `ttgen report` and `ttgen shard`."""

    where: str  # how messages name the store: the path, or the URL with its password masked
    readonly: bool
    version: int  # the schema version of the store as opened (older stores are read as they are)
    errors: tuple[type[Exception], ...]  # the driver's errors, which become StoreError

    # -- what an implementation provides -------------------------------------------------
    @abc.abstractmethod
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    @abc.abstractmethod
    def _execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    @abc.abstractmethod
    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]: ...

    @abc.abstractmethod
    def _transaction(self) -> contextlib.AbstractContextManager[None]:
        """One transaction that holds the store's write lock (others wait for it)."""

    @abc.abstractmethod
    def explain(self, e: Exception) -> str:
        """A driver's error as one line naming the store."""

    @abc.abstractmethod
    def claim(self, run_id: int) -> None:
        """Only one process runs a run: claim it for this process (released when it ends, however
        it ends), or StoreError naming who has it."""

    @abc.abstractmethod
    def close(self) -> None: ...

    def _written(self) -> None:
        """After each write: a store that cannot keep what was written stops the run (StoreLost)."""
        return  # a database server keeps what it committed

    def _serialize_import(self, origin: tuple[str, int, float]) -> None:
        """Inside an import's transaction: imports of the same run wait for each other."""
        return  # where the transaction holds the store's only write lock, they already do

    def __enter__(self: S) -> S:
        return self

    def __exit__(self, kind: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _insert(self, table: str, values: dict[str, Any]) -> int:
        names = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        rows = self._query(f"INSERT INTO {table} ({names}) VALUES ({marks}) RETURNING id", list(values.values()))
        return int(rows[0]["id"])

    def _run_row(self, row: dict[str, Any]) -> dict[str, Any]:
        """A runs row with every current column (a store of an older schema is read as it is;
        a run without an origin was made there)."""
        run = {name: row.get(name) for name in RUN_COLUMNS}
        if run["origin_host"] is None or run["origin_run"] is None or run["origin_started"] is None:
            run["origin_host"], run["origin_run"], run["origin_started"] = run["host"], run["id"], run["started"]
        return run

    # -- runs ----------------------------------------------------------------------------
    @guarded
    def begin_run(self, /, **values: Any) -> int:
        """A new run (its id from the database), claimed by this process before any other can see it."""
        values = {"started": time.time(), "status": "running", **values}
        values["selection"] = json.dumps(values["selection"], sort_keys=True)
        values["origin_host"], values["origin_started"] = values["host"], values["started"]
        with self._transaction():
            run_id = self._insert("runs", values)
            self._execute("UPDATE runs SET origin_run = id WHERE id = ?", (run_id,))
            self.claim(run_id)
        self._written()
        return run_id

    @guarded
    def update_run(self, run_id: int, /, **values: Any) -> None:
        sets = ", ".join(f"{k} = ?" for k in values)
        self._execute(f"UPDATE runs SET {sets} WHERE id = ?", [*values.values(), run_id])
        self._written()

    def end_run(self, run_id: int, status: str) -> None:
        self.update_run(run_id, ended=time.time(), status=status)

    @guarded
    def record(self, run_id: int, r: Result) -> None:
        """One committed row: in the store before the next case starts."""
        self._execute(self._insert_result, (run_id, *astuple(r)))
        self._written()

    _insert_result = "INSERT INTO results ({}) VALUES ({})".format(
        ", ".join(RESULT_COLUMNS[1:]), ", ".join("?" for _ in RESULT_COLUMNS[1:])
    )

    @guarded
    def note_first_attempt(self, run_id: int, op: str, suite: str, case_id: str, note: str) -> None:
        """A first attempt killed the worker: kept, so a resumed run makes the second attempt."""
        key = (run_id, op, suite, case_id)
        with self._transaction():
            self._execute("DELETE FROM first_attempts WHERE run_id = ? AND op = ? AND suite = ? AND case_id = ?", key)
            self._execute(
                "INSERT INTO first_attempts (run_id, op, suite, case_id, note, at) VALUES (?, ?, ?, ?, ?, ?)",
                (*key, note, time.time()),
            )
        self._written()

    @guarded
    def first_attempts(self, run_id: int) -> dict[str, str]:
        """Case key -> what its first attempt did, for cases of the run with no result yet."""
        if self.version < 2:
            return {}  # a schema-1 store opened read-only
        rows = self._query(
            "SELECT op, suite, case_id, note FROM first_attempts f WHERE run_id = ? AND NOT EXISTS"
            " (SELECT 1 FROM results r WHERE r.run_id = f.run_id AND r.op = f.op AND r.suite = f.suite"
            " AND r.case_id = f.case_id)",
            (run_id,),
        )
        return {f"{r['op']}:{r['suite']}:{r['case_id']}": str(r["note"]) for r in rows}

    @guarded
    def notes(self, run_id: int) -> list[Note]:
        """Every first-attempt note of a run (what `ttgen merge` copies)."""
        if self.version < 2:
            return []
        rows = self._query(
            "SELECT op, suite, case_id, note, at FROM first_attempts WHERE run_id = ? ORDER BY op, suite, case_id",
            (run_id,),
        )
        return [Note(**row) for row in rows]

    @guarded
    def run(self, run_id: int | None = None) -> dict[str, Any] | None:
        """A run by id, or the latest (None when there is none)."""
        if run_id is None:
            rows = self._query("SELECT * FROM runs ORDER BY id DESC LIMIT 1")
        else:
            rows = self._query("SELECT * FROM runs WHERE id = ?", (run_id,))
        return self._run_row(rows[0]) if rows else None

    @guarded
    def runs(self) -> list[dict[str, Any]]:
        """Every run, by id."""
        return [self._run_row(row) for row in self._query("SELECT * FROM runs ORDER BY id")]

    @guarded
    def unfinished_run(self) -> dict[str, Any] | None:
        """The latest run made here that has not ended (a merged copy is a record, never resumed)."""
        native = " AND merged_from IS NULL" if self.version >= 3 else ""
        rows = self._query(f"SELECT * FROM runs WHERE ended IS NULL{native} ORDER BY id DESC LIMIT 1")
        return self._run_row(rows[0]) if rows else None

    @guarded
    def done_keys(self, run_id: int) -> set[str]:
        rows = self._query("SELECT op, suite, case_id FROM results WHERE run_id = ?", (run_id,))
        return {f"{r['op']}:{r['suite']}:{r['case_id']}" for r in rows}

    @guarded
    def results(self, run_id: int) -> list[Result]:
        rows = self._query(f"SELECT {', '.join(RESULT_FIELDS)} FROM results WHERE run_id = ? ORDER BY id", (run_id,))
        return [Result(**row) for row in rows]

    @guarded
    def durations(self) -> dict[str, float]:
        """Each case's most recent wall time (seconds), over all runs: what `ttgen shard` packs."""
        rows = self._query(
            "SELECT op, suite, case_id, d FROM (SELECT op, suite, case_id, ended - started AS d, ROW_NUMBER()"
            " OVER (PARTITION BY op, suite, case_id ORDER BY ended DESC, id DESC) AS n FROM results) latest"
            " WHERE n = 1"
        )
        return {f"{r['op']}:{r['suite']}:{r['case_id']}": float(r["d"]) for r in rows}

    @guarded
    def counts(self) -> dict[str, int]:
        """Rows per table."""
        tables = ("runs", "results", "first_attempts") if self.version >= 2 else ("runs", "results")
        return {t: int(self._query(f"SELECT COUNT(*) AS n FROM {t}")[0]["n"]) for t in tables}

    # -- merging -------------------------------------------------------------------------
    @guarded
    def import_run(self, run: dict[str, Any], results: list[Result], notes: list[Note], source: str) -> Imported:
        """Copy a run of another store (`source` names it) with its results and notes, in one
        transaction: a new run here (a new id, the same origin), or the one this store already
        has of that origin, to which only the results it lacks are added. Merging twice copies
        nothing the second time; every source result is here afterwards, or nothing changed."""
        origin = origin_of(run)
        with self._transaction():
            self._serialize_import(origin)
            found = self._query(
                "SELECT id, ended, merged_from FROM runs"
                " WHERE origin_host = ? AND origin_run = ? AND origin_started = ?",
                origin,
            )
            updated = False
            if found:
                run_id = int(found[0]["id"])
                if found[0]["merged_from"] is not None and found[0]["ended"] is None and run["ended"] is not None:
                    sets = ", ".join(f"{k} = ?" for k in PROGRESS_FIELDS)
                    self._execute(f"UPDATE runs SET {sets} WHERE id = ?", [*(run[k] for k in PROGRESS_FIELDS), run_id])
                    updated = True
            else:
                values = {k: run[k] for k in RUN_COLUMNS if k != "id"}
                values["merged_from"] = source
                run_id = self._insert("runs", values)
            copied, present = self._copy_results(run_id, results)
            notes_copied, notes_present = self._copy_notes(run_id, notes)
        self._written()
        return Imported(run_id, not found, updated, copied, present, notes_copied, notes_present)

    def _case_keys(self, table: str, run_id: int) -> set[tuple[str, str, str]]:
        rows = self._query(f"SELECT op, suite, case_id FROM {table} WHERE run_id = ?", (run_id,))
        return {(r["op"], r["suite"], r["case_id"]) for r in rows}

    def _copy_results(self, run_id: int, results: list[Result]) -> tuple[int, int]:
        have = self._case_keys("results", run_id)
        missing = [r for r in results if (r.op, r.suite, r.case_id) not in have]
        self._execute_many(self._insert_result, [(run_id, *astuple(r)) for r in missing])
        after = self._case_keys("results", run_id)
        wanted = {(r.op, r.suite, r.case_id) for r in results}
        if not wanted <= after or len(after) != len(have) + len(missing):
            raise StoreError(f"{self.where}: run {run_id}: the copied results do not reconcile; nothing was merged")
        return len(missing), len(results) - len(missing)

    def _copy_notes(self, run_id: int, notes: list[Note]) -> tuple[int, int]:
        have = self._case_keys("first_attempts", run_id)
        missing = [n for n in notes if (n.op, n.suite, n.case_id) not in have]
        self._execute_many(
            "INSERT INTO first_attempts (run_id, op, suite, case_id, note, at) VALUES (?, ?, ?, ?, ?, ?)",
            [(run_id, *astuple(n)) for n in missing],
        )
        return len(missing), len(notes) - len(missing)


__all__ = ["BUSY_TIMEOUT_S", "SCHEMA_VERSION", "Imported", "Note", "Result", "Store", "StoreError", "StoreLost"]
