"""Writing generated files (only what changed, never what ttgen did not write) and checking an
output folder against a fresh compile.

A write is all or nothing as far as the disk allows: every changed file is first written into a
staging folder inside the output folder (same file system), and only when all of them are there
are they renamed into place, the manifest last. A full disk or any error while staging leaves the
folder as it was; an error while renaming names what was already replaced."""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ttgen.compile import checkcache
from ttgen.compile.all_cases import DEFAULT_MAX_CASES
from ttgen.compile.compiler import Compilation, digest, fingerprint, summary
from ttgen.compile.outdir import (
    GENERATED_MARK,
    MANIFEST,
    STAGING_PREFIX,
    Entry,
    OutputError,
    OutputRefused,
    describe_os_error,
    is_generated,
    manifest_files,
    owned,
    refuse_output_folder,
    scan,
)
from ttgen.compile.sweeps_src import SweepsData

__all__ = [
    "Finding",
    "OutputError",
    "OutputRefused",
    "WriteReport",
    "check",
    "recorded_mode",
    "recorded_options",
    "refuse_output_folder",
    "remember",
    "up_to_date",
    "write",
]


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: list[str]
    unchanged: list[str]
    removed: list[str]
    kept: list[str]  # listed by the previous manifest, no longer produced, but no longer ttgen's: left alone


def _read(path: Path) -> tuple[str, bytes | None]:
    """What is at `path`: ("absent" | "file" | "folder" | "symlink" | "special", bytes of a file)."""
    try:
        st = path.lstat()
    except FileNotFoundError:
        return "absent", None
    if stat.S_ISREG(st.st_mode):
        return "file", path.read_bytes()
    if stat.S_ISDIR(st.st_mode):
        return "folder", None
    return ("symlink" if stat.S_ISLNK(st.st_mode) else "special"), None


def _names(rels: list[str]) -> str:
    return ", ".join(rels[:5]) + (f" and {len(rels) - 5} more" if len(rels) > 5 else "")


def _in_the_way(out: Path, rel: str) -> str | None:
    """Why `rel` cannot be written under out (a file or a symlink where a folder must be)."""
    folder = out
    for part in rel.split("/")[:-1]:
        folder = folder / part
        kind, _ = _read(folder)
        if kind == "absent":
            return None
        if kind != "folder":
            return f"{folder.relative_to(out).as_posix()} is a {kind}, where ttgen needs a folder"
    return None


def _previous(out: Path) -> list[str]:
    kind, data = _read(out / MANIFEST)
    return (manifest_files(data) or []) if kind == "file" and data is not None else []


def _remove_stale_staging(out: Path) -> None:
    """Staging folders of compiles that were killed (their pid is gone)."""
    pattern = re.compile(re.escape(STAGING_PREFIX) + r"(\d+)-[0-9a-f]+\Z")
    try:
        names = os.listdir(out)
    except OSError:
        return
    for name in names:
        m = pattern.match(name)
        if m is None or int(m.group(1)) == os.getpid():
            continue
        try:
            os.kill(int(m.group(1)), 0)
            continue  # alive: another compile is staging
        except ProcessLookupError:
            shutil.rmtree(out / name, ignore_errors=True)
        except PermissionError:
            continue


def write(comp: Compilation, only_ops: list[str] | None = None) -> WriteReport:
    """Write changed files. With only_ops, just those ops' files (plus shared support files and
    the manifest); otherwise everything, and files the previous manifest lists that are no longer
    produced are removed. Raises OutputRefused (nothing written) when a file to write exists and
    is not ttgen's, OutputError when the disk refuses."""
    out = comp.out
    refuse_output_folder(out)
    try:
        return _write(comp, only_ops)
    except OSError as e:  # probing the folder (a too-long name, no permission)
        raise OutputError(f"{out.as_posix()}: cannot write generated files: {describe_os_error(e)}") from None


def _write(comp: Compilation, only_ops: list[str] | None) -> WriteReport:
    out = comp.out
    selected = set(comp.files)
    if only_ops is not None:
        op_owned = {rel for rels in comp.op_files.values() for rel in rels}
        mine = {rel for op in only_ops for rel in comp.op_files.get(op, [])}
        selected = (set(comp.files) - op_owned) | mine
    current: dict[str, tuple[str, bytes | None]] = {rel: _read(out / rel) for rel in selected | {MANIFEST}}
    foreign, blocked = [], []
    for rel in sorted(current):
        kind, data = current[rel]
        why = _in_the_way(out, rel)
        if why is not None:
            blocked.append(why)
        elif kind == "file" and data is not None and not owned(rel, data):
            foreign.append(rel)
        elif kind not in ("absent", "file"):
            blocked.append(f"{rel} is a {kind}, where ttgen writes a file")
    if foreign or blocked:
        said = [f"{_names(foreign)}: not written by ttgen (no '{GENERATED_MARK}' mark)"] if foreign else []
        said += list(dict.fromkeys(blocked))[:3]
        raise OutputRefused(
            f"{out.as_posix()}/: {'; '.join(said)}; nothing was written: move "
            f"{'it' if len(foreign) + len(blocked) == 1 else 'them'} away or give another --out"
        )
    existing = {rel: data for rel, (kind, data) in current.items() if kind == "file" and data is not None}
    manifest = _merged_manifest(comp, existing, selected, out)
    texts = {rel: (manifest if rel == MANIFEST else comp.files[rel]).encode("utf-8") for rel in current}
    changed = [rel for rel in sorted(texts) if existing.get(rel) != texts[rel]]
    unchanged = [rel for rel in sorted(texts) if existing.get(rel) == texts[rel]]
    removals: list[str] = []
    kept: list[str] = []
    if only_ops is None:
        for rel in _previous(out):
            if rel in comp.files:
                continue
            kind, data = _read(out / rel)
            if kind == "file" and data is not None and is_generated(data) and _in_the_way(out, rel) is None:
                removals.append(rel)
            elif kind != "absent":
                kept.append(rel)
    if changed or removals:
        _commit(out, changed, texts, removals)
    return WriteReport(changed, unchanged, removals, kept)


def _commit(out: Path, changed: list[str], texts: dict[str, bytes], removals: list[str]) -> None:
    # folders this write makes (deepest first), removed again if it fails before renaming
    created = [p for p in (out, *out.parents) if not os.path.lexists(p)]
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        _remove_folders(created)
        raise OutputError(f"{out.as_posix()}: cannot create the output folder: {describe_os_error(e)}") from None
    _remove_stale_staging(out)
    stage = out / f"{STAGING_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    order = [rel for rel in changed if rel != MANIFEST] + [rel for rel in changed if rel == MANIFEST]
    writing = "a staging folder"
    try:
        stage.mkdir()
        for i, rel in enumerate(order):
            writing = rel
            fd = os.open(stage / f"{i}.tmp", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            with os.fdopen(fd, "wb") as f:
                f.write(texts[rel])
    except OSError as e:
        shutil.rmtree(stage, ignore_errors=True)
        _remove_folders(created)
        raise OutputError(
            f"{out.as_posix()}/: cannot write {writing} ({len(order)} file(s) to write): {e.strerror or e};"
            " nothing was written"
        ) from None
    done: list[str] = []
    doing = [""]  # what the commit is at, for the error
    try:
        for i, rel in enumerate(order):
            if rel == MANIFEST:
                _remove(out, removals, done, doing)  # before the manifest that no longer lists them
            doing[0] = f"moving {rel} into place"
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileNotFoundError):
                os.chmod(stage / f"{i}.tmp", stat.S_IMODE(target.lstat().st_mode))
            os.replace(stage / f"{i}.tmp", target)
            done.append(rel)
        if MANIFEST not in order:
            _remove(out, removals, done, doing)
    except OSError as e:
        raise OutputError(
            f"{out.as_posix()}/: {doing[0]} failed: {describe_os_error(e)}; done before it:"
            f" {_names(done) or 'nothing'} (ttgen check lists what differs)"
        ) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _remove_folders(folders: list[Path]) -> None:
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.rmdir()


def _remove(out: Path, removals: list[str], done: list[str], doing: list[str]) -> None:
    for gone in removals:
        doing[0] = f"removing {gone}"
        (out / gone).unlink()
        done.append(f"removed {gone}")
        _prune_empty(out, (out / gone).parent)


def _prune_empty(out: Path, folder: Path) -> None:
    """Folders a removal emptied (an op's package that is gone), up to out."""
    while folder != out and out in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _merged_manifest(comp: Compilation, existing: dict[str, bytes], selected: set[str], out: Path) -> str:
    """For a partial compile, files not rewritten keep their previous manifest entries, and the
    fingerprint is kept only if the result is, file for file, the full compile."""
    if selected >= set(comp.files) or MANIFEST not in existing:
        return comp.files[MANIFEST]
    complete = True
    for rel, text in comp.files.items():
        if rel not in selected | {MANIFEST}:
            kind, data = _read(out / rel)
            complete = complete and kind == "file" and data == text.encode("utf-8")
    try:
        old = json.loads(existing[MANIFEST]).get("files", {})
    except (ValueError, AttributeError):
        old = {}
    fresh = json.loads(comp.files[MANIFEST])
    for rel in list(fresh["files"]):
        if rel not in selected and rel in old:
            fresh["files"][rel] = old[rel]
    if not complete:
        fresh["fingerprint"] = None
    return json.dumps(fresh, indent=2, sort_keys=True) + "\n"


# ----------------------------------------------------------------------------- check


def recorded_options(out: Path) -> tuple[bool, int]:
    """How out/ was compiled, per its manifest: (--all-cases, --max-cases); check and diff
    recompile the same way. The mode is the one thing read from the folder: it only chooses
    which compile to compare with, and a flipped mode shows in the manifest's diff."""
    try:
        doc = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False, DEFAULT_MAX_CASES
    if not isinstance(doc, dict):
        return False, DEFAULT_MAX_CASES
    cap = doc.get("max_cases")
    valid_cap = isinstance(cap, int) and not isinstance(cap, bool) and cap >= 0
    return doc.get("mode") == "all-cases", cap if valid_cap else DEFAULT_MAX_CASES  # type: ignore[return-value]


def recorded_mode(out: Path) -> bool:
    """Whether out/ was compiled with --all-cases (per its manifest)."""
    return recorded_options(out)[0]


def _tree_bytes(out: Path) -> dict[str, bytes] | None:
    """Every file under out as bytes, or None when something there is not a regular file."""
    tree = scan(out)
    if any(e.kind != "file" for e in tree.values()):
        return None
    return {rel: e.read() for rel, e in tree.items()}


def up_to_date(
    master: Path,
    out: Path,
    all_cases: bool = False,
    max_cases: int = DEFAULT_MAX_CASES,
    data: SweepsData | None = None,
) -> dict[str, Any] | None:
    """The fast path of `check`: the folder holds exactly the files, byte for byte, that this
    machine's own compile of the same inputs produced (ttgen.compile.checkcache). Returns that
    compile's summary, or None when only a full recompile can tell."""
    try:
        fp = fingerprint(master, data, all_cases=all_cases, max_cases=max_cases)
        record = checkcache.load(out, fp)
        if record is None:
            return None
        tree = _tree_bytes(out)
    except OSError:
        return None
    if tree is None or set(tree) != set(record.files):
        return None
    if any(hashlib.sha256(data).hexdigest() != record.files[rel] for rel, data in tree.items()):
        return None
    return {"master": record.master, **record.summary}


def remember(comp: Compilation) -> None:
    """Record a full compile's files for the fast path (after writing them, or after a check
    found the folder equal to them)."""
    if comp.fingerprint is None:
        return
    files = {rel: text.encode("utf-8") for rel, text in comp.files.items()}
    checkcache.store(comp.out, comp.fingerprint, files, summary(comp), comp.master)


@dataclass(frozen=True, slots=True)
class Finding:
    path: str
    reason: str  # stale | missing | orphaned | hand-edited (compile fixes them) | not ttgen's
    detail: str
    diff: str

    @property
    def regenerates(self) -> bool:
        """Whether `ttgen compile` fixes it (it never touches files that are not ttgen's)."""
        return self.reason in ("stale", "missing", "orphaned", "hand-edited")


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return f"<{len(data)} bytes, not UTF-8>\n"


MAX_DIFF_BYTES = 256 * 1024


def check(comp: Compilation) -> list[Finding]:
    """Compare out/ with a fresh compile: one finding per path that differs, with the reason.
    missing (should exist); stale (what ttgen wrote, per the manifest, for other inputs or
    another compiler); hand-edited (differs from what ttgen would write); orphaned (listed by
    the manifest, produced no more: compile removes it); not ttgen's (no mark, or a mark but this
    folder's manifest never listed it, a symlink or a special file: compile never overwrites or
    removes it). Anything under out/ that this compile would not
    produce is a finding: pytest collects the folder and the runner imports its sweeps."""
    out = comp.out
    shown = out.as_posix()
    tree = scan(out)
    manifest_entry = tree.get(MANIFEST)
    recorded: dict[str, Any] = {}
    recorded_fingerprint = None
    previous: set[str] = set()
    if manifest_entry is not None and manifest_entry.kind == "file":
        data = manifest_entry.read()
        listed = manifest_files(data)
        if listed is not None:
            previous = set(listed)
            doc = json.loads(data)
            recorded = {k: v for k, v in doc["files"].items() if isinstance(v, dict)}
            recorded_fingerprint = doc.get("fingerprint")
    fresh = json.loads(comp.files[MANIFEST])["files"]
    findings = []
    for rel, want in sorted(comp.files.items()):
        entry = tree.get(rel)
        if entry is None:
            findings.append(Finding(rel, "missing", "not on disk; run ttgen compile", _diff(rel, "", want)))
            continue
        if entry.kind != "file":
            findings.append(_not_ttgens(rel, entry, shown))
            continue
        have = entry.read()
        if have == want.encode("utf-8"):
            continue
        if not owned(rel, have):
            findings.append(
                Finding(
                    rel,
                    "not ttgen's",
                    f"ttgen did not write it (no mark) and compile refuses to overwrite it: move it out of {shown}/,"
                    " then run ttgen compile",
                    _diff(rel, _text(have), want),
                )
            )
        elif rel == MANIFEST:
            findings.append(
                Finding(rel, "stale", "does not describe this compile; regenerate", _diff(rel, _text(have), want))
            )
        elif _stale(recorded.get(rel), fresh[rel], digest(_text(have)), recorded_fingerprint, comp.fingerprint):
            findings.append(
                Finding(
                    rel, "stale", "its inputs changed since it was generated; regenerate", _diff(rel, _text(have), want)
                )
            )
        else:
            findings.append(
                Finding(rel, "hand-edited", "differs from what ttgen writes; regenerate", _diff(rel, _text(have), want))
            )
    for rel, entry in sorted(tree.items()):
        if rel in comp.files:
            continue
        if entry.kind != "file":
            findings.append(_not_ttgens(rel, entry, shown))
            continue
        data = entry.read()
        old = _text(data) if len(data) <= MAX_DIFF_BYTES else f"<{len(data)} bytes>\n"
        if is_generated(data) and rel in previous:
            detail = "no configuration produces it any more; ttgen compile --all removes it"
            findings.append(Finding(rel, "orphaned", detail, _diff(rel, old, "")))
        elif is_generated(data):
            detail = (
                f"carries ttgen's mark but {shown}/{MANIFEST} never listed it (copied in, or another tree's), so"
                f" compile will not remove it: delete it or move it out of {shown}/"
            )
            findings.append(Finding(rel, "not ttgen's", detail, _diff(rel, old, "")))
        else:
            detail = (
                "ttgen did not write it and never touches it, but everything here is collected with the"
                f" generated tests: move it out of {shown}/"
            )
            findings.append(Finding(rel, "not ttgen's", detail, _diff(rel, old, "")))
    return findings


def _stale(
    recorded: dict[str, Any] | None, fresh: dict[str, Any], have: str, recorded_fp: object, fp: str | None
) -> bool:
    """What ttgen wrote (its digest as recorded) for inputs or a compiler that changed since. A
    file whose digest was put into the manifest by hand, for the same inputs and compiler, is not."""
    if recorded is None or recorded.get("sha256") != have:
        return False
    return recorded.get("inputs") != fresh.get("inputs") or recorded_fp != fp


def _not_ttgens(rel: str, entry: Entry, shown: str) -> Finding:
    detail = f"a {entry.kind}, never written by ttgen (it writes regular files only): move it out of {shown}/"
    return Finding(rel, "not ttgen's", detail, "")


def _diff(rel: str, old: str, new: str) -> str:
    return "".join(
        difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{rel}", f"b/{rel}", n=2)
    )
