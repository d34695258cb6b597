"""Which generated case a `ttgen repro` names: under the generated folders, by id, op:id or key."""

from __future__ import annotations

from pathlib import Path

from ttgen.runner.discover import Case, CaseNotFound, find_modules, match_case, select

__all__ = ["CaseNotFound", "find_case"]


def find_case(query: str, paths: list[Path]) -> Case:
    return match_case(query, select(find_modules(paths)))
