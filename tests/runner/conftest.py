"""Runner fixtures: a real PostgreSQL server for the session (tests/runner/pgserver.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.runner.pgserver import Server, find_bindir


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    bindir = find_bindir()
    if bindir is None:
        pytest.skip(
            "no PostgreSQL server binaries (initdb, pg_ctl, postgres) on PATH or in /usr/lib/postgresql/*/bin;"
            " `apt-get install postgresql` (.ci/run does it as root)"
        )
    server = Server(bindir)
    try:
        server.start()
    except (RuntimeError, OSError, KeyError) as e:
        server.stop()
        pytest.skip(f"the PostgreSQL server in {bindir} could not be started: {e}")
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server: Server) -> str:
    """A fresh, empty database of the session's server."""
    return pg_server.create_database()
