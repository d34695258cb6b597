"""What reaches a terminal: trace text (op names, paths, reasons, test ids) must never act on the
screen. One cleaner for every printed line, standard library only, so the runner's workers and
progress use the same one as the CLI."""

from __future__ import annotations


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else (f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")


def clean(text: str, *, keep_newlines: bool = False) -> str:
    """`text` made safe for a terminal: control and format characters (escape sequences, carriage
    returns, bidi overrides, zero-width marks) are shown as escapes instead of acting on the
    screen. Newlines are escaped too unless `keep_newlines` (for text ttgen itself laid out in
    lines)."""
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() or ch == " " or (keep_newlines and ch == "\n") else _escape(ch) for ch in text
    )


def count(n: int, noun: str) -> str:
    """`1 case`, `2 cases`."""
    return f"{n} {noun}{'s' * (n != 1)}"
