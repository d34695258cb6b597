"""A real PostgreSQL server for tests: `initdb` into a fresh temporary folder, started on a free
localhost port (password login) and a unix socket in that folder, stopped and removed at the end.

PostgreSQL refuses to run as root, so as root the server runs as `nobody` (its folder is given
to that user; the folder sits where every user can reach it). Binaries are looked for on PATH and
in /usr/lib/postgresql/*/bin (Debian's `postgresql` package; `.ci/run` installs it when missing).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import stat
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Any

USER = "ttgen"
PASSWORD = "s3cret-pw"  # what the tests check never shows in a message
RUN_AS = "nobody"


def find_bindir() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres (PATH first, then the newest Debian version)."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb") and shutil.which("postgres"):
        return Path(found).resolve().parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True):
        if all(os.access(Path(folder) / name, os.X_OK) for name in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _reachable_by_all(folder: Path) -> bool:
    return all(p.stat().st_mode & stat.S_IXOTH for p in [folder, *folder.parents])


class Server:
    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        base = Path(tempfile.gettempdir())
        if os.geteuid() == 0 and not _reachable_by_all(base):
            base = Path("/tmp")
        self.dir = Path(tempfile.mkdtemp(prefix="ttgen-pg-", dir=base))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.port = 0
        self.as_user: dict[str, Any] = {}
        if os.geteuid() == 0:
            who = pwd.getpwnam(RUN_AS)
            os.chown(self.dir, who.pw_uid, who.pw_gid)
            self.as_user = {"user": who.pw_uid, "group": who.pw_gid, "extra_groups": []}

    def _pg(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "TZ": "UTC"}
        return subprocess.run(
            [str(a) for a in args], cwd=self.dir, env=env, capture_output=True, text=True, timeout=timeout,
            check=False, **self.as_user,
        )  # fmt: skip

    def start(self) -> None:
        pwfile = self.dir / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if self.as_user:
            os.chown(pwfile, self.as_user["user"], self.as_user["group"])
        done = self._pg(
            self.bindir / "initdb", "-D", str(self.data), "-U", USER, "--pwfile", str(pwfile),
            "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        pwfile.unlink()
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {done.stdout[-2000:]}{done.stderr[-2000:]}")
        self.port = free_port()
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        done = self._pg(self.bindir / "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                        "-o", options, "start")  # fmt: skip
        if done.returncode != 0:
            tail = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {done.stdout}{done.stderr}{tail}")

    def url(self, database: str = "postgres", password: str = PASSWORD) -> str:
        return f"postgresql://{USER}:{password}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new, empty database; its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._pg(self.bindir / "pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)
