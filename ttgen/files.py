"""Writing a file so readers see the old text or the new one, never half of one: a temporary file
in the same folder as the real target, renamed over it.

- A symlink is written through: its target is replaced, the link stays a link.
- An existing file keeps its permission bits; a new one follows the umask, as for any new file
  (mkstemp alone would leave it private).
- The temporary file's name carries the writer's pid, so the next write can clean the leftovers
  of a writer that was killed (kill -9 mid-write) without touching a live writer's file."""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from pathlib import Path


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


def _temp_prefix(name: str) -> str:
    return f".{name}.ttgen-"


def clean_stale_temps(target: Path) -> list[Path]:
    """Remove temporary files of `target` left by writers that are no longer alive; the removed."""
    pattern = re.compile(re.escape(_temp_prefix(target.name)) + r"(\d+)-[A-Za-z0-9_]+\.tmp\Z")
    removed: list[Path] = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    for entry in entries:
        m = pattern.match(entry.name)
        if m is None or not entry.is_file(follow_symlinks=False):
            continue
        pid = int(m.group(1))
        if pid != os.getpid() and _pid_alive(pid):
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
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f"{_temp_prefix(target.name)}{os.getpid()}-", suffix=".tmp", dir=target.parent)
    try:
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
