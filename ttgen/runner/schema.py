"""The results schema, once, for both stores: the same tables and columns in SQLite and
PostgreSQL, rendered to each dialect's DDL, with the migrations from every older version.

Version 1: runs, results. 2: first_attempts. 3: where a run came from (`origin_*`: the host, run
id and start time it was first recorded with, the same for a run made here; `merged_from`: the
store `ttgen merge` copied it from, NULL for a run made here), unique per origin, so merging the
same run twice finds it instead of copying it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SCHEMA_VERSION = 3

Dialect = Literal["sqlite", "postgresql"]
Kind = Literal["id", "int", "real", "text"]

TYPES: dict[Dialect, dict[Kind, str]] = {
    "sqlite": {"id": "INTEGER PRIMARY KEY", "int": "INTEGER", "real": "REAL", "text": "TEXT"},
    # ids come from the database (an identity column), however many processes insert at once
    "postgresql": {
        "id": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        "int": "BIGINT",
        "real": "DOUBLE PRECISION",
        "text": "TEXT",
    },
}


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Kind
    required: bool = False  # NOT NULL
    refs: str | None = None  # REFERENCES table(id)

    def ddl(self, dialect: Dialect) -> str:
        text = f"{self.name} {TYPES[dialect][self.kind]}"
        if self.required:
            text += " NOT NULL"
        if self.refs:
            text += f" REFERENCES {self.refs}(id)"
        return text


RUNS_V1 = (
    Column("id", "id"),
    Column("started", "real", True),  # Unix seconds
    Column("ended", "real"),  # NULL while running, or when the runner was killed
    Column("status", "text", True),  # running | complete | stopped (--fail-fast) | aborted
    Column("host", "text", True),
    Column("backend", "text"),  # emu | ttnn, as the workers reported it
    Column("arch", "text"),  # wormhole_b0 | blackhole | ...
    Column("device", "text"),
    Column("git_sha", "text"),
    Column("command", "text", True),
    Column("ttgen_version", "text", True),
    Column("python", "text", True),  # the workers' interpreter
    Column("planned", "int", True),  # cases selected
    Column("selection", "text", True),  # JSON: the options the run started with
)
ORIGIN = (
    Column("origin_host", "text"),
    Column("origin_run", "int"),
    Column("origin_started", "real"),
    Column("merged_from", "text"),  # the store `ttgen merge` copied the run from (a URL's password masked)
)
RESULTS = (
    Column("id", "id"),
    Column("run_id", "int", True, "runs"),
    Column("op", "text", True),
    Column("module", "text", True),
    Column("suite", "text", True),
    Column("case_id", "text", True),
    Column("status", "text", True),
    Column("message", "text", True),
    Column("exception", "text"),  # traceback, or the worker's last output on CRASH/HANG
    Column("e2e_ms", "real"),
    Column("pcc", "real"),
    Column("output_spec", "text"),
    Column("attempt", "int", True),  # 2 when a first attempt killed the worker
    Column("worker", "int"),
    Column("started", "real", True),
    Column("ended", "real", True),
)
FIRST_ATTEMPTS = (  # what a first attempt that killed the worker did: a resumed run tries the second
    Column("run_id", "int", True, "runs"),
    Column("op", "text", True),
    Column("suite", "text", True),
    Column("case_id", "text", True),
    Column("note", "text", True),  # e.g. "CRASH: the worker was killed by SIGSEGV (signal 11)"
    Column("at", "real", True),
)
CASE_KEY = "run_id, op, suite, case_id"

# what each version's tables hold, column by column in order (what an existing store must have)
TABLES: dict[int, dict[str, tuple[Column, ...]]] = {
    1: {"runs": RUNS_V1, "results": RESULTS},
    2: {"runs": RUNS_V1, "results": RESULTS, "first_attempts": FIRST_ATTEMPTS},
    3: {"runs": RUNS_V1 + ORIGIN, "results": RESULTS, "first_attempts": FIRST_ATTEMPTS},
}
COLUMNS: dict[int, dict[str, list[str]]] = {
    v: {t: [c.name for c in cols] for t, cols in tables.items()} for v, tables in TABLES.items()
}
RUN_COLUMNS = COLUMNS[SCHEMA_VERSION]["runs"]
RESULT_COLUMNS = COLUMNS[SCHEMA_VERSION]["results"]
OUR_TABLES = tuple(TABLES[SCHEMA_VERSION])


def _first_attempts(dialect: Dialect) -> list[str]:
    cols = ", ".join(c.ddl(dialect) for c in FIRST_ATTEMPTS)
    return [f"CREATE TABLE IF NOT EXISTS first_attempts ({cols}, PRIMARY KEY ({CASE_KEY}))"]


def _origin(dialect: Dialect) -> list[str]:
    return [
        *(f"ALTER TABLE runs ADD COLUMN {c.ddl(dialect)}" for c in ORIGIN),
        "UPDATE runs SET origin_host = host, origin_run = id, origin_started = started",
        "CREATE UNIQUE INDEX IF NOT EXISTS runs_origin ON runs (origin_host, origin_run, origin_started)",
    ]


def create(dialect: Dialect) -> list[str]:
    """The statements that make an empty store of this version (creation goes through the
    migrations, so a new store and a migrated one are the same, column order included)."""
    runs = ", ".join(c.ddl(dialect) for c in RUNS_V1)
    results = ", ".join(c.ddl(dialect) for c in RESULTS)
    return [
        f"CREATE TABLE IF NOT EXISTS runs ({runs})",
        f"CREATE TABLE IF NOT EXISTS results ({results}, UNIQUE ({CASE_KEY}))",
        "CREATE INDEX IF NOT EXISTS results_case ON results (op, suite, case_id)",
        *migrations(1, dialect),
    ]


def migrations(version: int, dialect: Dialect) -> list[str]:
    """The statements that take a store from `version` to SCHEMA_VERSION (run under the store's
    write lock, so concurrent openers migrate it once)."""
    steps = {1: _first_attempts, 2: _origin}
    return [s for v in range(version, SCHEMA_VERSION) for s in steps[v](dialect)]
