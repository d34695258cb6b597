"""The fast path of `ttgen check`, keyed on what the checked tree cannot forge.

Nothing under the output folder is trusted (a pull request can rewrite MANIFEST.json along with
the file it edits). What is trusted is a record this machine's own compile wrote outside the
folder, under $XDG_CACHE_HOME/ttgen/check (~/.cache by default): for one output folder and one
fingerprint of everything generated code is a function of (plus the interpreter and the
libraries that shape it), the digest of every file that compile produced, and its summary.
`check` skips recompiling only when the folder holds exactly those files with exactly those
digests; a fresh clone, another machine or any change recompiles fully. A full check that
finds nothing records the same, so the next one is fast.

One record per output folder (its name is a digest of the folder's real path), replaced
atomically; a cache that cannot be read or written only costs the recompile."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ttgen.files import write_atomic

FORMAT = 1


def cache_dir() -> Path:
    """$XDG_CACHE_HOME/ttgen/check; an unset, empty or relative XDG_CACHE_HOME means ~/.cache."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "ttgen" / "check"


def _libraries() -> list[str]:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in ("black", "jinja2", "libcst", "pydantic", "pydantic-core"):
        try:
            found.append(f"{name}=={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} absent")
    return found


def key(out: Path, fingerprint: str) -> str:
    payload = [FORMAT, str(out.resolve()), fingerprint, sys.version, *_libraries()]
    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


def _record_path(out: Path) -> Path:
    return cache_dir() / (hashlib.sha256(str(out.resolve()).encode()).hexdigest() + ".json")


@dataclass(frozen=True, slots=True)
class Record:
    files: dict[str, str]  # path relative to the folder → sha256 of its bytes
    summary: dict[str, Any]  # the compile's summary (ttgen.compile.compiler.summary)
    master: str


def store(out: Path, fingerprint: str, files: dict[str, bytes], summary: dict[str, Any], master: str) -> None:
    doc = {
        "format": FORMAT,
        "key": key(out, fingerprint),
        "out": str(out.resolve()),
        "master": master,
        "files": {rel: hashlib.sha256(data).hexdigest() for rel, data in sorted(files.items())},
        "summary": summary,
    }
    with contextlib.suppress(OSError):  # no cache: the next check recompiles
        write_atomic(_record_path(out), json.dumps(doc, indent=1, sort_keys=True) + "\n")


def load(out: Path, fingerprint: str) -> Record | None:
    try:
        doc = json.loads(_record_path(out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("key") != key(out, fingerprint):
        return None
    files, summary, master = doc.get("files"), doc.get("summary"), doc.get("master")
    if not (isinstance(files, dict) and isinstance(summary, dict) and isinstance(master, str)):
        return None
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        return None
    return Record(files, summary, master)
