"""The store `--results` names, opened: a SQLite file, or a PostgreSQL database by URL (psycopg
is imported only then, so the SQLite store never needs it)."""

from __future__ import annotations

from pathlib import Path

from ttgen.runner.location import is_url, mask
from ttgen.runner.store import Store, StoreError


def open_store(location: str | Path, *, readonly: bool = False) -> Store:
    """The store `--results` names, read-write (created or migrated as needed) or read-only."""
    if is_url(location):
        try:
            from ttgen.runner.postgres_store import PostgresStore
        except ImportError as e:
            raise StoreError(
                f"{mask(location)}: a PostgreSQL results store needs psycopg 3 ({e});"
                " install it with `pip install 'ttgen[postgres]'`"
            ) from e
        return PostgresStore(str(location), readonly=readonly)
    from ttgen.runner.sqlite_store import SqliteStore

    return SqliteStore(Path(location), readonly=readonly)
