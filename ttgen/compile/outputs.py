"""Writing generated files (only what changed) and checking them against a fresh compile."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path

from ttgen.compile.compiler import GENERATED_MARK, MANIFEST, Compilation, digest, fingerprint
from ttgen.files import write_atomic


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: list[str]
    unchanged: list[str]
    removed: list[str]


def on_disk(out: Path) -> dict[str, str]:
    """Every file ttgen owns under out: the manifest and every .py file."""
    if not out.is_dir():
        return {}
    found = {}
    for p in sorted(out.rglob("*")):
        if p.is_file() and (p.suffix == ".py" or p.name == MANIFEST) and "__pycache__" not in p.parts:
            try:
                found[p.relative_to(out).as_posix()] = p.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                found[p.relative_to(out).as_posix()] = "<not UTF-8>"
    return found


def is_generated(text: str) -> bool:
    return text.startswith(GENERATED_MARK)


class OutputRefused(Exception):
    """Compiling into this folder would overwrite or remove what ttgen did not write."""


def _is_ttgen_manifest(text: str) -> bool:
    try:
        doc = json.loads(text)
    except ValueError:
        return False
    return isinstance(doc, dict) and "ttgen" in doc and isinstance(doc.get("files"), dict)


def _owned(rel: str, text: str) -> bool:
    return _is_ttgen_manifest(text) if rel == MANIFEST else is_generated(text)


def _previous_files(existing: dict[str, str]) -> set[str]:
    """The files the output folder's previous manifest says ttgen wrote there."""
    text = existing.get(MANIFEST)
    if text is None or not _is_ttgen_manifest(text):
        return set()
    return {str(rel) for rel in json.loads(text)["files"]}


def project_root(start: Path) -> Path:
    """The project the user runs ttgen in: the nearest folder at or above `start` holding
    pyproject.toml, setup.cfg, setup.py or .git; `start` itself when there is none."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in ("pyproject.toml", "setup.cfg", "setup.py", ".git")):
            return folder
    return start


def refuse_output_folder(out: Path, cwd: Path | None = None) -> None:
    """An output folder must be a folder of its own: not the project root or above it (compile
    would lay conftest.py and __init__.py over the project's), not inside ttgen's own package."""
    import ttgen

    where = out.resolve()
    root = project_root(cwd or Path.cwd())
    package = Path(ttgen.__file__).resolve().parent
    if where == root or where in root.parents:
        raise OutputRefused(f"{out}: is the project root {root} or above it; give a folder of its own, e.g. generated")
    if where == package or package in where.parents:
        raise OutputRefused(f"{out}: is inside ttgen's own package ({package}); give a folder of its own")


def write(comp: Compilation, only_ops: list[str] | None = None) -> WriteReport:
    """Write changed files. With only_ops, just those ops' files (plus shared support files and
    the manifest); otherwise everything, and generated files no longer produced are removed."""
    existing = on_disk(comp.out)
    selected = set(comp.files)
    if only_ops is not None:
        op_owned = {rel for rels in comp.op_files.values() for rel in rels}
        mine = {rel for op in only_ops for rel in comp.op_files.get(op, [])}
        selected = (set(comp.files) - op_owned) | mine
    manifest = _merged_manifest(comp, existing, selected)
    refuse_output_folder(comp.out)
    # never overwrite a file ttgen did not write: refuse before writing anything
    foreign = sorted(rel for rel in selected | {MANIFEST} if rel in existing and not _owned(rel, existing[rel]))
    if foreign:
        named = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise OutputRefused(
            f"{comp.out}: {named}: not written by ttgen (no '{GENERATED_MARK}' mark); refusing to"
            " overwrite it: move it away or give another --out"
        )
    previous = _previous_files(existing)
    written, unchanged = [], []
    for rel in sorted(selected | {MANIFEST}):
        text = manifest if rel == MANIFEST else comp.files[rel]
        if existing.get(rel) == text:
            unchanged.append(rel)
        else:
            write_atomic(comp.out / rel, text)
            written.append(rel)
    removed = []
    if only_ops is None:
        for rel, text in existing.items():
            # only what this folder's previous manifest lists: other trees' generated files stay
            if rel not in comp.files and rel in previous and is_generated(text):
                (comp.out / rel).unlink()
                removed.append(rel)
    return WriteReport(written, unchanged, removed)


def _merged_manifest(comp: Compilation, existing: dict[str, str], selected: set[str]) -> str:
    """For a partial compile, files not rewritten keep their previous manifest entries, and the
    fingerprint is kept only if the result is, file for file, the full compile."""
    complete = all(existing.get(rel) == text for rel, text in comp.files.items() if rel not in selected | {MANIFEST})
    if selected >= set(comp.files) or MANIFEST not in existing:
        return comp.files[MANIFEST]
    try:
        old = json.loads(existing[MANIFEST]).get("files", {})
    except ValueError:
        old = {}
    fresh = json.loads(comp.files[MANIFEST])
    for rel in list(fresh["files"]):
        if rel not in selected and rel in old:
            fresh["files"][rel] = old[rel]
    if not complete:
        fresh["fingerprint"] = None
    return json.dumps(fresh, indent=2, sort_keys=True) + "\n"


def up_to_date(master: Path, out: Path) -> bool:
    """The fast path of `check`: the manifest's fingerprint equals this compile's, and every file
    under out is exactly what the manifest records (no more, no fewer). No recompiling."""
    existing = on_disk(out)
    try:
        manifest = json.loads(existing.get(MANIFEST, ""))
    except ValueError:
        return False
    recorded = manifest.get("files")
    if not isinstance(recorded, dict) or manifest.get("fingerprint") is None:
        return False
    if set(existing) - {MANIFEST} != set(recorded):
        return False
    if any(not isinstance(e, dict) or digest(existing[rel]) != e.get("sha256") for rel, e in recorded.items()):
        return False
    return bool(manifest["fingerprint"] == fingerprint(master, all_cases=manifest.get("mode") == "all-cases"))


def recorded_mode(out: Path) -> bool:
    """Whether out/ was compiled with --all-cases (per its manifest); check recompiles the same way."""
    try:
        return bool(json.loads((out / MANIFEST).read_text(encoding="utf-8")).get("mode") == "all-cases")
    except (OSError, ValueError, AttributeError):
        return False


@dataclass(frozen=True, slots=True)
class Finding:
    path: str
    reason: str  # stale | missing | orphaned | hand-edited
    detail: str
    diff: str


def check(comp: Compilation) -> list[Finding]:
    """Compare out/ with a fresh compile. One finding per file that differs, with the reason:
    missing (should exist), orphaned (generated, no longer produced), hand-edited (differs from
    what ttgen wrote, per the manifest), stale (what ttgen wrote, but its inputs changed)."""
    existing = on_disk(comp.out)
    try:
        recorded = json.loads(existing.get(MANIFEST, "{}")).get("files", {})
    except ValueError:
        recorded = {}
    findings = []
    for rel, want in sorted(comp.files.items()):
        have = existing.get(rel)
        if have == want:
            continue
        if have is None:
            findings.append(Finding(rel, "missing", "not on disk; run ttgen compile", _diff(rel, "", want)))
        elif rel == MANIFEST:
            findings.append(
                Finding(rel, "stale", "the manifest does not describe this compile", _diff(rel, have, want))
            )
        elif rel in recorded and recorded[rel].get("sha256") == digest(have):
            findings.append(
                Finding(rel, "stale", "its inputs changed since it was generated; regenerate", _diff(rel, have, want))
            )
        else:
            findings.append(
                Finding(rel, "hand-edited", "differs from what ttgen wrote; regenerate", _diff(rel, have, want))
            )
    for rel, have in sorted(existing.items()):
        if rel in comp.files:
            continue
        if is_generated(have) and rel in recorded:
            findings.append(Finding(rel, "orphaned", "no configuration produces it; regenerate", _diff(rel, have, "")))
        else:
            # not ttgen's, or marked but never listed here (copied from another tree): compile leaves it
            # pytest would collect it with the generated tests, so it fails the check
            findings.append(
                Finding(
                    rel,
                    "not ttgen's",
                    "ttgen did not write it and never touches it, but pytest collects it with the generated"
                    f" tests; move it out of {comp.out}/",
                    _diff(rel, have, ""),
                )
            )
    return findings


def _diff(rel: str, old: str, new: str) -> str:
    return "".join(
        difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{rel}", f"b/{rel}", n=2)
    )
