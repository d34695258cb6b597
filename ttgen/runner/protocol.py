"""Parent ⇄ worker messages: one JSON object per line (version-neutral, so a worker may run
under another interpreter, e.g. a Python 3.12 venv with the real ttnn).

parent → worker (stdin):  {"seq", "root", "module", "case"} or {"quit": true}
worker → parent (result fd): {"ready": {...}} once, then {"seq", "status", "message",
"exception", "e2e_ms", "pcc", "output_spec", "recycle"} per case, or {"fatal": text}.
"""

from __future__ import annotations

import json
from typing import Any


def encode(message: dict[str, Any]) -> bytes:
    return (json.dumps(message, ensure_ascii=True, allow_nan=False, default=str) + "\n").encode()


def decode(line: bytes) -> dict[str, Any]:
    doc = json.loads(line)
    if not isinstance(doc, dict):
        raise ValueError(f"worker message is not an object: {line[:200]!r}")
    return doc


MAX_LINE = 64 * 1024 * 1024  # a reply is far smaller; a longer "line" is something else writing


class LineBuffer:
    """Splits a byte stream into complete lines. A line longer than MAX_LINE is cut: its first
    bytes come out as a line of their own (which is then no valid message) and the rest up to
    the next newline is dropped, so a stray writer cannot grow the runner's memory."""

    def __init__(self, max_line: int = MAX_LINE) -> None:
        self.pending = bytearray()
        self.max_line = max_line
        self.dropping = False

    def feed(self, chunk: bytes) -> list[bytes]:
        if self.dropping:
            newline = chunk.find(b"\n")
            if newline < 0:
                return []
            chunk, self.dropping = chunk[newline + 1 :], False
        lines: list[bytes] = []
        if b"\n" in chunk:
            head, *middle, rest = chunk.split(b"\n")
            lines = [bytes(self.pending) + head, *middle]
            self.pending = bytearray(rest)
        else:
            self.pending += chunk
        if len(self.pending) > self.max_line:
            lines.append(bytes(self.pending[:4096]) + b"... (a line longer than %d bytes)" % self.max_line)
            self.pending, self.dropping = bytearray(), True
        return lines
