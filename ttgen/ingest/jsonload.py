"""Strict JSON reading: duplicate keys are an error (json.loads would keep the last silently)."""

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


def load_json_file(path: Path) -> Any:
    shown = path.as_posix()
    try:
        kind = special_kind(os.stat(path).st_mode)
    except FileNotFoundError:
        raise TraceFormatError(shown, "no such file") from None
    except OSError as e:
        raise TraceFormatError(shown, f"cannot read: {e.strerror}") from None
    if kind is not None:
        # /dev/zero reads forever and a FIFO blocks: refuse before opening
        raise TraceFormatError(shown, f"is {kind}, not a regular file")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise TraceFormatError(shown, "no such file") from None
    except IsADirectoryError:
        raise TraceFormatError(shown, "is a directory") from None
    except OSError as e:
        raise TraceFormatError(shown, f"cannot read: {e.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise TraceFormatError(shown, f"not UTF-8 (byte {e.start})") from None
    return parse_json_text(text, shown)
