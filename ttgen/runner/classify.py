"""How a case's exception becomes a status: one declarative table, first match wins.

Imported by the worker, so it stays standard-library only. Messages are matched on the text
that ttnn (and the emulator, which copies it) raises; see shared/reference/ttnn-0.81.1.md §2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from ttgen.facts.status import Status


@dataclass(frozen=True, slots=True)
class Rule:
    """`types`: exception class names (any, if empty); `pattern`: searched in str(exception)."""

    status: str
    types: tuple[str, ...] = ()
    pattern: str | None = None
    recycle: bool = False  # the worker's process state is suspect afterwards: replace it
    why: str = ""


RULES: Final[tuple[Rule, ...]] = (
    Rule(Status.SKIP.value, ("SkipCase",), why="the case cannot run on this backend (e.g. it needs a mesh)"),
    Rule(Status.SKIP.value, ("NotEmulatedError",), why="the emulator does not model this op"),
    Rule(
        Status.FAIL_L1_OUT_OF_MEM.value,
        (),
        r"Out of Memory: Not enough space to allocate",
        why="ttnn's allocator (bank_manager.cpp) could not place a buffer",
    ),
    Rule(
        Status.HANG.value,
        (),
        r"device timeout in fetch queue wait|potential hang detected|completion reader queue is not empty"
        r"|device hang or timeout occurred",
        recycle=True,
        why="the device reported a hang; reset before the next case",
    ),
    Rule(Status.INVALID.value, (), r"^TT_FATAL @ ", why="ttnn's validation rejected the configuration"),
    Rule(Status.FAIL_ASSERT.value, ("AssertionError",), why="an assertion in the case failed"),
    Rule(
        Status.FAIL_EXCEPTION.value,
        ("MemoryError",),
        recycle=True,
        why="host memory exhausted: the worker's heap is suspect",
    ),
    Rule(Status.FAIL_EXCEPTION.value, (), why="any other exception"),
)


def classify(exc: BaseException) -> Rule:
    names = {cls.__name__ for cls in type(exc).__mro__}
    text = str(exc)
    for rule in RULES:
        if rule.types and not names.intersection(rule.types):
            continue
        if rule.pattern is not None and not re.search(rule.pattern, text, re.MULTILINE):
            continue
        return rule
    raise AssertionError("RULES ends with a catch-all")


def core_message(exc: BaseException) -> str:
    """The line a person needs: ttnn's `info:` line when there is one, else the first line."""
    text = str(exc)
    if "\ninfo:\n" in text:
        text = text.split("\ninfo:\n", 1)[1]
    first = text.strip().splitlines()[0] if text.strip() else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__
