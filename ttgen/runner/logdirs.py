"""The folder a run's workers work in (their cwd, for ttnn's scratch files) and log to:
`<temp>/ttgen-run-XXXXXXXX/`, made only when a worker starts, removed when the run ends.

A run killed with -9 cannot remove its folder, so the next run does. A folder is known to be
ttgen's, and its run to be over, by `.ttgen-run.lock` inside it: the run holds an exclusive
flock on it from before the file has its name until the run ends, and the kernel releases it
however the run ends. Folders without that file (not ttgen's, or from a ttgen before it), of
another user, symlinks, or whose lock is held are never touched.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from pathlib import Path

PREFIX = "ttgen-run-"
MARK = ".ttgen-run.lock"


class LogDir:
    def __init__(self) -> None:
        clean_stale()
        self.path = Path(tempfile.mkdtemp(prefix=PREFIX))
        fd = os.open(self.path / f"{MARK}.new", os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, f"{os.getpid()}\n".encode())
        os.replace(self.path / f"{MARK}.new", self.path / MARK)  # visible only once locked
        self.fd = fd

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def clean_stale(folder: Path | None = None) -> list[Path]:
    """Remove the folders of runs that ended without removing theirs; the removed."""
    if not shutil.rmtree.avoids_symlink_attacks:
        return []  # a symlink swapped in mid-removal could take the removal elsewhere
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder or tempfile.gettempdir()))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(PREFIX):
            continue
        try:
            if not entry.is_dir(follow_symlinks=False) or entry.stat(follow_symlinks=False).st_uid != os.geteuid():
                continue
            fd = os.open(os.path.join(entry.path, MARK), os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)  # its run is alive
            continue
        try:
            shutil.rmtree(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                os.close(fd)
    return removed
