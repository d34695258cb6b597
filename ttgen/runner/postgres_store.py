"""The results store in a PostgreSQL database (psycopg 3), which runners on many machines write
at once: run ids come from the database (an identity column), results are unique per (run_id,
op, suite, case_id) as in SQLite, and every write is committed before the call returns.

- The schema (`schema`, the same tables and columns as SQLite's, plus `ttgen_schema` holding the
  version SQLite keeps in `PRAGMA user_version`) is created or migrated inside one transaction
  holding an advisory lock, so any number of processes opening a new database at once create
  it exactly once. Other tables of the database are left alone; a database that holds a `runs`,
  `results` or `first_attempts` table ttgen did not make is refused.
- A run is claimed by a session-level advisory lock (CLAIM_LOCK, run id), which the server
  releases when the connection ends, however the process ends.
- Lock waits give up after BUSY_TIMEOUT_S (`lock_timeout`); a server that cannot be reached,
  a refused login, a missing database, a foreign schema are each one line naming the URL with its
  password masked.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
import psycopg.errors
from psycopg.rows import dict_row

from ttgen.runner.location import mask, password_of
from ttgen.runner.schema import COLUMNS, OUR_TABLES, SCHEMA_VERSION, create, migrations
from ttgen.runner.store import BUSY_TIMEOUT_S, Store, StoreError, guarded, one_line

# advisory lock keys (classid, objid): ttgen's namespace ("tg") and what is locked
SCHEMA_LOCK = (0x7467, 0)  # creating or migrating the schema
CLAIM_LOCK = 0x7468  # (CLAIM_LOCK, run id): the process running that run
IMPORT_LOCK = 0x7469  # (IMPORT_LOCK, hash of a run's origin): merges of that run
CONNECT_TIMEOUT_S = 10
LOGIN_WORDS = ("password authentication failed", "no password supplied", "authentication failed", "role ")


class PostgresStore(Store):
    errors = (psycopg.Error, OSError)

    def __init__(self, url: str, *, readonly: bool = False) -> None:
        self.url = url
        self.where = mask(url)
        self.readonly = readonly
        self._secret = password_of(url)
        self._connected = False
        try:
            self.db = psycopg.connect(
                url,
                autocommit=True,
                row_factory=dict_row,
                connect_timeout=CONNECT_TIMEOUT_S,
                application_name=f"ttgen pid {os.getpid()} on {socket.gethostname()}"[:63],
            )
        except psycopg.Error as e:
            raise StoreError(self.explain(e)) from e
        self._connected = True
        try:
            self.db.execute(f"SET lock_timeout = '{int(BUSY_TIMEOUT_S * 1000)}ms'")
            if readonly:
                self.db.execute("SET default_transaction_read_only = on")
            self.version = self._open_schema()
        except BaseException as e:
            self.db.close()
            if isinstance(e, psycopg.Error):
                raise StoreError(self.explain(e)) from e
            raise

    def explain(self, e: Exception) -> str:
        text = one_line(str(e))
        if self._secret:
            text = text.replace(self._secret, "***")
        where = self.where
        if isinstance(e, psycopg.errors.LockNotAvailable):
            return f"{where}: the results store is locked by another process (gave up after {BUSY_TIMEOUT_S:g} s)"
        if isinstance(e, psycopg.errors.ReadOnlySqlTransaction):
            return f"{where}: cannot write the results store here ({text})"
        if isinstance(e, psycopg.errors.InsufficientPrivilege):
            return f"{where}: permission denied ({text})"
        if isinstance(e, psycopg.ProgrammingError) and not self._connected:
            return f"{where}: not a PostgreSQL URL libpq accepts ({text})"
        if isinstance(e, psycopg.OperationalError) and not self._connected:
            if any(w in text for w in LOGIN_WORDS):
                return f"{where}: the PostgreSQL server refused the login ({text})"
            if "database" in text and "does not exist" in text:
                return f"{where}: no such database ({text})"
            return f"{where}: cannot reach the PostgreSQL server ({text})"
        if isinstance(e, psycopg.OperationalError) and self._connected and self.db.closed:
            return f"{where}: the connection to the PostgreSQL server was lost ({text})"
        return f"{where}: {text}"

    # -- the primitives ------------------------------------------------------------------
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.db.execute(sql.replace("?", "%s"), params)

    def _execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            with self.db.cursor() as cur:
                cur.executemany(sql.replace("?", "%s"), rows)

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return self.db.execute(sql.replace("?", "%s"), params).fetchall()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        with self.db.transaction():
            yield

    def close(self) -> None:
        self.db.close()  # ends the session: its claims are released

    # -- the schema ----------------------------------------------------------------------
    def _table_columns(self, table: str) -> list[str]:
        rows = self._query(
            "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(?) AND attnum > 0"
            " AND NOT attisdropped ORDER BY attnum",
            (table,),
        )
        return [str(r["attname"]) for r in rows]

    def _stored_version(self) -> int | None:
        if self._query("SELECT to_regclass('ttgen_schema') IS NOT NULL AS present")[0]["present"] is False:
            return None
        rows = self._query("SELECT version FROM ttgen_schema")
        if len(rows) != 1:
            raise StoreError(f"{self.where}: ttgen_schema holds {len(rows)} rows, not one: not a ttgen results store")
        return int(rows[0]["version"])

    def _check(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.where}: written by a newer ttgen (results schema {version}; this ttgen reads up to"
                f" {SCHEMA_VERSION}): upgrade ttgen or use another --results"
            )
        if version not in COLUMNS:
            raise StoreError(f"{self.where}: results schema {version} is not one ttgen ever wrote")
        for table, want in COLUMNS[version].items():
            have = self._table_columns(table)
            if have != want:
                missing = sorted(set(want) - set(have))
                extra = sorted(set(have) - set(want))
                what = "no such table" if not have else f"missing {missing}, unexpected {extra}"
                raise StoreError(f"{self.where}: not a ttgen results store of schema {version} (table {table}: {what})")

    def _refuse_foreign(self) -> None:
        foreign = [t for t in OUR_TABLES if self._table_columns(t)]
        if foreign:
            raise StoreError(
                f"{self.where}: not a ttgen results store (it holds tables {', '.join(foreign)} but no"
                " ttgen_schema); use another database, or another schema by search_path"
            )

    def _open_schema(self) -> int:
        if self.readonly:
            version = self._stored_version()
            if version is None:
                self._refuse_foreign()
                raise StoreError(
                    f"{self.where}: no ttgen results in this database (no table ttgen_schema);"
                    " `ttgen run --results URL` creates them"
                )
            self._check(version)
            return version
        with self._transaction():
            self._execute("SELECT pg_advisory_xact_lock(?::integer, ?::integer)", SCHEMA_LOCK)
            version = self._stored_version()
            if version is None:
                self._refuse_foreign()
                for statement in create("postgresql"):
                    self._execute(statement)
                self._execute("CREATE TABLE ttgen_schema (version INTEGER NOT NULL)")
                self._execute("INSERT INTO ttgen_schema (version) VALUES (?)", (SCHEMA_VERSION,))
                return SCHEMA_VERSION
            self._check(version)
            if version < SCHEMA_VERSION:
                for statement in migrations(version, "postgresql"):
                    self._execute(statement)
                self._execute("UPDATE ttgen_schema SET version = ?", (SCHEMA_VERSION,))
        return SCHEMA_VERSION

    # -- claims and merges ---------------------------------------------------------------
    @guarded
    def claim(self, run_id: int) -> None:
        got = self._query("SELECT pg_try_advisory_lock(?::integer, ?::integer) AS got", (CLAIM_LOCK, run_id))
        if got[0]["got"]:
            return
        holders = self._query(
            "SELECT a.application_name AS app FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = ? AND l.objid::bigint = ?"
            " AND l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            (CLAIM_LOCK, run_id),
        )
        app = str(holders[0]["app"] or "") if holders else ""
        who = f"({app.removeprefix('ttgen ')}) " if app.startswith("ttgen pid ") else ""
        raise StoreError(
            f"{self.where}: run {run_id} is being run by another `ttgen run` {who}right now;"
            " wait for it, or stop it and resume"
        )

    def _serialize_import(self, origin: tuple[str, int, float]) -> None:
        digest = hashlib.sha256(f"{origin[0]}/{origin[1]}/{origin[2]!r}".encode()).digest()
        key = int.from_bytes(digest[:4], "big", signed=True)
        self._execute("SELECT pg_advisory_xact_lock(?::integer, ?::integer)", (IMPORT_LOCK, key))
