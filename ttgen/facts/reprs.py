"""The grammar of the text forms ttnn prints and traces record: default-repr addresses, and
splitting argument lists at the top level (the C++ and Python reprs, type annotations)."""

from __future__ import annotations

import re

# `<... object at 0x7f...>`: the same object prints another address each run
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


# a default repr and nothing else: an object the tracer could not describe (a runtime handle)
RESOURCE_TEXT = re.compile(r"<((?:[A-Za-z_][A-Za-z0-9_]*\.)*[A-Za-z_][A-Za-z0-9_]*) object(?: at 0x[0-9a-fA-F]+)?>\Z")


def strip_addresses(text: str) -> str:
    return ADDRESS.sub("", text)


def split_top(text: str, sep: str = ",", *, allow_empty: bool = False) -> list[str]:
    """Split on `sep` outside brackets and quotes; the pieces are stripped. Unbalanced brackets
    or quotes are a ValueError, and so is an empty piece unless `allow_empty` (then "" is [""])."""
    parts: list[str] = []
    depth = 0
    quote = ""
    start = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                raise ValueError(f"unbalanced brackets in {text!r}")
        elif ch == sep and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
        i += 1
    if depth != 0 or quote:
        raise ValueError(f"unbalanced brackets or quotes in {text!r}")
    tail = text[start:].strip()
    if allow_empty:
        return [*parts, tail]
    if tail or parts:
        parts.append(tail)
    if any(not p for p in parts):
        raise ValueError(f"empty element in {text[:80]!r}")
    return parts
