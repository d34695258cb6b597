"""Strict JSON reading: duplicate keys are an error (json.loads would keep the last silently),
and only a regular file is read, no further than the size it had when opened."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from ttgen.ingest.errors import TraceFormatError


class DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise DuplicateKey(k)
        out[k] = v
    return out


def _constant(name: str) -> float:
    # NaN / Infinity tokens are not JSON, but upstream files written by Python can contain them.
    return float(name.replace("Infinity", "inf"))


def decoder() -> json.JSONDecoder:
    """The one strict decoder: whole files (parse_json_text) and streamed configurations alike."""
    return json.JSONDecoder(object_pairs_hook=no_duplicates, parse_constant=_constant)


def parse_json_text(text: str, path: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=no_duplicates, parse_constant=_constant)
    except DuplicateKey as e:
        raise TraceFormatError(path, f"duplicate key {e.key!r} in a JSON object") from None
    except json.JSONDecodeError as e:
        raise TraceFormatError(path, f"not valid JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    except RecursionError:
        raise TraceFormatError(path, "JSON nested too deeply") from None
    except ValueError as e:  # e.g. an integer literal beyond Python's digit limit
        raise TraceFormatError(path, f"not readable JSON: {e}") from None


def special_kind(mode: int) -> str | None:
    """What a non-regular, non-directory file is (reading one can block or never end)."""
    for test, kind in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return kind
    return None


def _available_memory() -> int | None:
    """Bytes this machine can still give (MemAvailable + SwapFree), or None where unknown."""
    try:
        lines = Path("/proc/meminfo").read_text().splitlines()
    except OSError:
        return None
    fields = {k: v.split() for k, _, v in (line.partition(":") for line in lines)}
    try:
        return sum(int(fields[k][0]) * 1024 for k in ("MemAvailable", "SwapFree"))
    except (KeyError, IndexError, ValueError):
        return None


def read_text(path: Path) -> str:
    """The whole file as UTF-8 text. Only a regular file is read, and never past the size it had
    when opened: a FIFO would block, /dev/zero or a file that keeps growing would read forever."""
    shown = path.as_posix()
    try:
        kind = special_kind(os.stat(path).st_mode)
    except FileNotFoundError:
        raise TraceFormatError(shown, "no such file") from None
    except OSError as e:
        raise TraceFormatError(shown, f"cannot read: {e.strerror}") from None
    if kind is not None:
        # refused before opening: opening a FIFO blocks, and a device may act on being opened
        raise TraceFormatError(shown, f"is {kind}, not a regular file")
    try:
        # O_NONBLOCK: should the path have become a FIFO since the stat, opening it does not block
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise TraceFormatError(shown, "no such file") from None
    except IsADirectoryError:
        raise TraceFormatError(shown, "is a directory") from None
    except OSError as e:
        raise TraceFormatError(shown, f"cannot read: {e.strerror}") from None
    with open(fd, "rb") as f:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise TraceFormatError(shown, "is a directory")
        if not stat.S_ISREG(st.st_mode):  # replaced by a special file since the stat
            raise TraceFormatError(shown, f"is {special_kind(st.st_mode) or 'not a plain file'}, not a regular file")
        size = st.st_size
        available = _available_memory()
        if available is not None and size > available:
            raise TraceFormatError(shown, f"is {size} bytes, more than the {available} bytes of memory available")
        try:
            raw = f.read(size + 1)
        except MemoryError:
            raise TraceFormatError(shown, f"is {size} bytes, too large to read into memory") from None
        except OSError as e:
            raise TraceFormatError(shown, f"cannot read: {e.strerror}") from None
    if len(raw) > size:
        raise TraceFormatError(
            shown, f"holds more than the {size} bytes its size said when opened (still growing, or not a plain file)"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise TraceFormatError(shown, f"not UTF-8 (byte {e.start})") from None
    except MemoryError:
        raise TraceFormatError(shown, f"is {size} bytes, too large to read into memory") from None


def load_json_file(path: Path) -> Any:
    return parse_json_text(read_text(path), path.as_posix())
