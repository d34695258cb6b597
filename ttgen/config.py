"""A repository's ttgen settings: `[tool.ttgen]` in the nearest pyproject.toml (the working
directory or a parent). Command-line flags override them; without either the built-in defaults
apply. Paths are relative to that pyproject.toml, so a command run from a subfolder means the
same files. Unknown keys and wrong types are errors naming the file and the key.

    [tool.ttgen]
    master = "traced_operations/ttnn_operations_master.json"
    output = "generated"
    sweeps_src = "sweeps_src"      # overlay: goldens, PCC, ranges, timeouts, device params, expectations
    results = "results/ttgen.sqlite"   # or a postgresql:// URL
    backend = "ttnn"               # emu | ttnn (default: ttnn when importable, else emu)
    python = ".venv-ttnn/bin/python"   # the interpreter with the real ttnn
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

DEFAULT_MASTER = Path("traced_operations/ttnn_operations_master.json")
DEFAULT_OUT = Path("generated")
DEFAULT_RESULTS = "results/ttgen.sqlite"


class ConfigError(ValueError):
    """One line: the file, the key, what is wrong."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    master: Path = DEFAULT_MASTER
    output: Path = DEFAULT_OUT
    sweeps_src: Path | None = None
    results: str = DEFAULT_RESULTS
    backend: Literal["emu", "ttnn"] | None = None
    python: Path | None = None
    source: Path | None = None  # the pyproject.toml these came from (None: defaults only)

    def path(self, value: Path) -> Path:
        """A configured path as the working directory sees it."""
        if value.is_absolute() or self.source is None:
            return value
        base = self.source.parent
        try:
            return (base / value).relative_to(Path.cwd())
        except ValueError:
            return base / value


def find_pyproject(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def project_root() -> Path:
    """The repository a command runs in: the nearest pyproject.toml's folder, else the working
    directory. Paths ttgen prints into generated files are relative to it."""
    found = find_pyproject(Path.cwd())
    return found.parent if found is not None else Path.cwd()


def read(pyproject: Path) -> Settings:
    try:
        doc = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{pyproject}: not readable TOML: {e}") from None
    table: Any = doc.get("tool", {}).get("ttgen")
    if table is None:
        return Settings()
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.ttgen] must be a table")
    try:
        return Settings.model_validate({**table, "source": pyproject.resolve()})
    except ValidationError as e:
        first = e.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "[tool.ttgen]"
        raise ConfigError(f"{pyproject}: [tool.ttgen] {key}: {first['msg']}") from None


@cache
def settings() -> Settings:
    """The working directory's settings (read once per process)."""
    found = find_pyproject(Path.cwd())
    return read(found) if found is not None else Settings()
