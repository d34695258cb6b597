"""Writing a file so readers see the old text or the new one, never half of one: a temporary file
in the same folder as the real target, renamed over it.

- A symlink is written through: its target is replaced, the link stays a link.
- An existing file keeps its permission bits (and, where the writer may, its owner); a new one
  follows the umask, as for any new file (mkstemp alone would leave it private).
- The temporary file's name carries the writer's pid and an id of its host and pid namespace, so
  the next write can clean the leftovers of a writer that was killed (kill -9 mid-write) without
  touching a live writer's file: a leftover is stale when its writer, on this host and in this
  pid namespace, is dead; one of another host or namespace (a container sharing the folder),
  whose pid says nothing here, or whose pid may have been reused, only once it is a day old."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import socket
import stat
import tempfile
import time
from functools import cache
from pathlib import Path

# no write keeps its temporary file this long: past it, a leftover is stale whoever wrote it
ABANDONED_AFTER_S = 24 * 3600


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@cache
def _writer_space() -> str:
    """Where this process's pid means something: its host and pid namespace, 8 hex digits."""
    try:
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        namespace = 0
    return hashlib.sha256(f"{socket.gethostname()}/{namespace}".encode()).hexdigest()[:8]


def _temp_prefix(name: str) -> str:
    return f".{name}.ttgen-"


def _stale(pid: int, space: str | None, age: float) -> bool:
    if age > ABANDONED_AFTER_S:
        return True
    if (space is not None and space != _writer_space()) or pid == os.getpid():
        return False  # a pid of elsewhere, or this process's own (another thread may be writing)
    return not _pid_alive(pid)


def clean_stale_temps(target: Path) -> list[Path]:
    """Remove temporary files of `target` left by writers that are no longer alive; the removed.
    Only names of ttgen's own pattern for this target are considered."""
    pattern = re.compile(re.escape(_temp_prefix(target.name)) + r"(\d+)-(?:([0-9a-f]{8})-)?[A-Za-z0-9_]+\.tmp\Z")
    removed: list[Path] = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        m = pattern.match(entry.name)
        if m is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            continue  # renamed by its writer meanwhile
        if not stat.S_ISREG(info.st_mode) or not _stale(int(m.group(1)), m.group(2), now - info.st_mtime):
            continue
        with contextlib.suppress(FileNotFoundError):
            os.unlink(entry.path)
            removed.append(Path(entry.path))
    return removed


def resolve_target(path: Path) -> Path:
    """The file a write to `path` must replace: symlinks followed (also dangling ones)."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def write_atomic(path: Path, text: str, *, durable: bool = False) -> None:
    """Replace `path` (or the file its symlink points to) with `text` (UTF-8, "\\n" newlines);
    `durable` also fsyncs the file and its folder."""
    target = resolve_target(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temps(target)
    try:
        existing: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        existing = None
    mode = stat.S_IMODE(existing.st_mode) if existing is not None else 0o666 & ~_umask()
    prefix = f"{_temp_prefix(target.name)}{os.getpid()}-{_writer_space()}-"
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=target.parent)
    try:
        if existing is not None and (existing.st_uid, existing.st_gid) != (os.geteuid(), os.getegid()):
            with contextlib.suppress(PermissionError):  # only root may give a file away
                os.fchown(fd, existing.st_uid, existing.st_gid)
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, target)
        if durable:
            dfd = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
