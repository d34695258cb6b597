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


class LineBuffer:
    """Splits a byte stream into complete lines."""

    def __init__(self) -> None:
        self.pending = b""

    def feed(self, chunk: bytes) -> list[bytes]:
        self.pending += chunk
        *lines, self.pending = self.pending.split(b"\n")
        return lines
