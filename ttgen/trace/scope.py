"""What a re-trace may forget: the tests under its paths that are really gone.

A test under the traced paths that pytest did not collect this time is not thereby gone: its
module may have skipped itself (`pytest.importorskip`, `skip(allow_module_level=True)`), been
ignored (`--ignore`, `collect_ignore`), failed to import (`--continue-on-collection-errors`), or
been deselected (`-k`, `-m`, `--deselect`, `--lf`). So "gone" is decided from the source on disk:
the file no longer exists, or it parses and binds no such test function or class. A parametrized
id is judged by its function, except that when pytest collected that very function this time
with other parameters, the ones it no longer generates are gone. Anything undecidable (a file
that does not parse, a star import, an inherited method, a non-Python test file) is kept.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

Fate = Literal["gone", "kept"]


@dataclass(frozen=True)
class Verdict:
    fate: Fate
    reason: str  # for "kept": why it was not collected; for "gone": what is missing
    group: str  # what a report counts it under: a file, or "deselected"


def _split(source: str) -> tuple[str, list[str], bool]:
    """`file::Class::test[param]` → (file, [Class, test], parametrized)."""
    file, _, rest = source.partition("::")
    parametrized = "[" in rest
    if parametrized:
        rest = rest[: rest.index("[")]  # an id may itself hold "::"
    return file, rest.split("::") if rest else [], parametrized


def _bindings(body: list[ast.stmt]) -> Iterator[tuple[str, ast.stmt | None]]:
    """Names a block binds at its own level (compound statements included, function bodies not);
    `None` for a binding whose content cannot be seen (a star import)."""
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node.name, node
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        yield name.id, node
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    yield "*", None
                else:
                    yield alias.asname or alias.name.split(".")[0], node
        else:
            for block in ("body", "orelse", "finalbody"):
                yield from _bindings(getattr(node, block, []) or [])
            for handler in getattr(node, "handlers", []) or []:
                yield from _bindings(handler.body)
            for case in getattr(node, "cases", []) or []:
                yield from _bindings(case.body)


def _find(body: list[ast.stmt], names: list[str]) -> str | None:
    """None when `names` is bound along that path; else what is missing; "" when undecidable."""
    name, rest = names[0], names[1:]
    found = [node for bound, node in _bindings(body) if bound in (name, "*")]
    if not found:
        return name
    if not rest:
        return None
    classes = [n for n in found if isinstance(n, ast.ClassDef)]
    if not classes and all(isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) for n in found):
        return name  # a function now: the class is gone
    if len(classes) != len(found):
        return ""  # bound some other way too: cannot tell what it holds
    missing = [_find(c.body, rest) for c in classes]
    if None in missing or "" in missing:
        return None if None in missing else ""
    if any(c.bases or c.keywords for c in classes):
        return ""  # may be inherited
    return f"{name}::{missing[0]}"


@dataclass
class _Disk:
    root: Path
    trees: dict[str, ast.Module | str] = field(default_factory=dict)

    def missing(self, file: str, names: list[str]) -> str | None:
        """What of `file::names` is gone from the disk; None when it is there or undecidable."""
        path = self.root / file
        if not path.exists():
            return f"{file} no longer exists"
        if not names or path.suffix != ".py":
            return None
        if file not in self.trees:
            try:
                self.trees[file] = ast.parse(path.read_bytes(), filename=file)
            except (SyntaxError, ValueError, OSError) as e:
                self.trees[file] = str(e)
        tree = self.trees[file]
        if isinstance(tree, str):
            return None  # does not parse (or read): keep
        what = _find(tree.body, names)
        return f"{file} defines no {what}" if what else None


@dataclass(frozen=True)
class Scope:
    """What a re-trace ran: the test paths it was given (folders, files or node ids, relative to
    pytest's rootdir as node ids are), every test collected under them (deselected ones
    included), and what pytest said of what it did not collect."""

    paths: tuple[str, ...] = ()
    collected: frozenset[str] = frozenset()
    rootdir: Path | None = None
    deselected: frozenset[str] = frozenset()
    skipped: tuple[tuple[str, str], ...] = ()  # (collector node id, reason): module or class skips
    errors: tuple[tuple[str, str], ...] = ()  # (collector node id, first line): collection errors
    reported: frozenset[str] = frozenset()  # files pytest collected or tried to

    @cached_property
    def _disk(self) -> _Disk | None:
        return _Disk(self.rootdir) if self.rootdir is not None else None

    def covers(self, source: str) -> bool:
        if "::" not in source:
            return False
        file = source.split("::")[0]
        return any(
            source.startswith((p + "::", p + "[")) if "::" in p else p == "." or file == p or file.startswith(p + "/")
            for p in self.paths
        )

    @cached_property
    def _functions(self) -> frozenset[str]:
        """Parametrized functions collected this time (their parameters are pytest's word)."""
        return frozenset(n.partition("[")[0] for n in self.collected if "[" in n)

    def verdict(self, source: str) -> Verdict | None:
        """None for a test this trace ran (or one outside its paths); else whether the test is
        gone or kept, and why."""
        if not self.covers(source):
            return None
        if source in self.deselected:
            return Verdict("kept", "deselected", "deselected")
        if source in self.collected:
            return None
        file, names, parametrized = _split(source)
        if parametrized and source.partition("[")[0] in self._functions:
            return Verdict("gone", f"{source.partition('[')[0]} no longer has this parameter", file)
        if self._disk is not None:
            missing = self._disk.missing(file, names)
            if missing is not None:
                return Verdict("gone", missing, file)
        return Verdict("kept", self._why_not_collected(source, file), file)

    def _why_not_collected(self, source: str, file: str) -> str:
        def under(node: str) -> bool:
            return source == node or source.startswith((node + "::", node + "["))

        for node, why in self.errors:
            if under(node):
                return f"collection error: {why}" if why else "collection error"
        for node, why in self.skipped:
            if under(node):
                return f"skipped at collection: {why}" if why else "skipped at collection"
        if self.rootdir is not None and file not in self.reported:
            return "ignored (--ignore, collect_ignore, or no longer a test file to pytest)"
        return "still defined in its file"
