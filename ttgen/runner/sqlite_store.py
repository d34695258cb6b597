"""The results store in one SQLite file (WAL mode), what one runner process writes.

WAL with synchronous=NORMAL survives the process being killed (only a power loss can take back
the last commits). A locked store is waited for BUSY_TIMEOUT_S; a file deleted or replaced
during the run stops it with its results saved beside it (StoreLost). A run is claimed by a lock
on byte `<run id>` of `<store>.lock`. An in-memory store (`SqliteStore.in_memory()`) holds what
`ttgen report` combines from several stores.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import struct
import sys
import tempfile
import urllib.parse
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from ttgen.runner.schema import COLUMNS, SCHEMA_VERSION, create, migrations
from ttgen.runner.store import BUSY_TIMEOUT_S, Store, StoreError, StoreLost, guarded, one_line

MEMORY = Path(":memory:")


class SqliteStore(Store):
    errors = (sqlite3.Error, OSError)

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        self.where = str(path)
        self.readonly = readonly
        self.lost: str | None = None
        self._claims: IO[bytes] | None = None
        self.memory = path == MEMORY
        try:
            if self.memory:
                self.db = sqlite3.connect(":memory:", isolation_level=None)
            elif readonly:
                self.db = self._connect_readonly()
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except (sqlite3.Error, OSError) as e:
            raise StoreError(self.explain(e)) from e
        try:
            self.db.row_factory = sqlite3.Row
            self.version = self._open_schema()
            self.identity = None if self.memory else self._identity()
        except BaseException as e:
            self.db.close()
            if isinstance(e, sqlite3.Error | OSError):
                raise StoreError(self.explain(e)) from e
            raise

    @classmethod
    def in_memory(cls) -> SqliteStore:
        """A private, empty store that lives as long as the object (nothing on disk)."""
        return cls(MEMORY)

    def explain(self, e: Exception) -> str:
        text = one_line(str(e))
        where = self.where
        if isinstance(e, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
            return f"{where}: the results store is locked by another process (gave up after {BUSY_TIMEOUT_S:g} s)"
        if isinstance(e, sqlite3.DatabaseError) and ("not a database" in text or "malformed" in text):
            return f"{where}: not a readable SQLite results store ({text})"
        if "readonly" in text or "unable to open" in text:
            return f"{where}: cannot write the results store here ({text})"
        if isinstance(e, OSError):
            return f"{where}: {e.strerror or text}"
        return f"{where}: {text}"

    # -- the primitives ------------------------------------------------------------------
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.db.execute(sql, params)

    def _execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.db.executemany(sql, rows)

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return [dict(row) for row in self.db.execute(sql, params).fetchall()]

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    # -- opening -------------------------------------------------------------------------
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

    def _user_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _open_schema(self) -> int:
        version = self._user_version()
        tables = {str(name) for (name,) in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.where}: written by a newer ttgen (results schema {version}; this ttgen reads up to"
                f" {SCHEMA_VERSION}): upgrade ttgen or use another --results"
            )
        if version == 0:
            if tables:
                raise StoreError(
                    f"{self.where}: not a ttgen results store (it holds tables {', '.join(sorted(tables))});"
                    " use another --results"
                )
            if self.readonly:
                raise StoreError(f"{self.where}: an empty database, not a ttgen results store")
            return self._create()
        if version not in COLUMNS:
            raise StoreError(f"{self.where}: results schema {version} is not one ttgen ever wrote")
        for table, want in COLUMNS[version].items():
            have = [str(row[1]) for row in self.db.execute(f"PRAGMA table_info({table})")]
            if have != want:
                missing = sorted(set(want) - set(have))
                extra = sorted(set(have) - set(want))
                what = "no such table" if not have else f"missing {missing}, unexpected {extra}"
                raise StoreError(f"{self.where}: not a ttgen results store of schema {version} (table {table}: {what})")
        if self.readonly:
            return version
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        if version < SCHEMA_VERSION:
            with self._transaction():
                if self._user_version() == version:  # nobody migrated it meanwhile
                    for statement in migrations(version, "sqlite"):
                        self.db.execute(statement)
                    self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return SCHEMA_VERSION

    def _create(self) -> int:
        if not self.memory:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
        with self._transaction():
            if self._user_version() == 0:  # nobody created it meanwhile
                for statement in create("sqlite"):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return SCHEMA_VERSION

    def close(self) -> None:
        self.db.close()
        if self._claims is not None:
            self._claims.close()  # after the connection: releases this process's run claims
            self._claims = None

    # -- the file under the connection ---------------------------------------------------
    def _identity(self) -> tuple[int, int]:
        st = os.stat(self.path)
        return st.st_dev, st.st_ino

    def _written(self) -> None:
        """SQLite goes on writing to a file deleted (or renamed over) under it, and everything
        would be lost at exit: stop the run instead, with the results saved elsewhere."""
        if self.memory:
            return
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
            saved = f"its {count} results could not be saved elsewhere ({one_line(str(e))})"
        self.lost = f"{self.where}: the results store was deleted or replaced during the run; {saved}"
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

    # -- claims --------------------------------------------------------------------------
    @guarded
    def claim(self, run_id: int) -> None:
        """A lock on byte `run_id` of `<store>.lock` (beside the store, never removed), which the
        kernel releases when the process ends however it ends."""
        if self.memory:
            return  # nobody else can see this store
        if self._claims is None:
            self._claims = open(self.path.with_name(self.path.name + ".lock"), "ab")  # noqa: SIM115 (held)
        try:
            fcntl.lockf(self._claims.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB, 1, run_id)
        except OSError as e:
            holder = _lock_holder(self._claims.fileno(), run_id)
            who = f"(pid {holder}) " if holder else ""
            raise StoreError(
                f"{self.where}: run {run_id} is being run by another `ttgen run` {who}right now;"
                " wait for it, or stop it and resume"
            ) from e


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
