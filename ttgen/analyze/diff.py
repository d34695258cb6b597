"""`ttgen diff OLD NEW`: what a re-trace changes, for the pull request that carries it.

Per op: configurations added and removed (identity is the config_hash), how many are unchanged,
and the generated files that will change. Both masters are compiled in memory with the same
output directory and the same master name in the headers (the new master's), so a file differs
only when what it is generated from differs. MANIFEST.json is not compared: its fingerprint
covers the master's bytes, so it changes whenever anything does.

Counts reconcile, per side: configurations == parsed + rejected (rejected when read, each
listed with its JSON pointer); per op, unique new configurations == added + unchanged and unique
old configurations == removed + unchanged.

JSON (`ttgen diff --json`, stable, keys sorted; numbers from the gpt_oss example below):
{"old": SIDE, "new": SIDE,
 "out": "generated",                  # the generated directory file paths are under (--out)
 "mode": "exact",                     # exact | all-cases: the mode out/MANIFEST.json records
 "summary": {"operations": 39,        # union of both sides' ops
             "operations_changed": 39,
             "added": 6, "removed": 127, "unchanged": 5,
             "files_changed": 72,     # op files + support files; MANIFEST.json not counted
             "manifest_changes": true},
 "operations": [                      # every op of either side, sorted by name
   {"operation": "ttnn.add",
    "changed": true,                  # anything added / removed / content_changed, a different
                                      # number rejected when read, or a file changes
    "added": [CONFIG], "removed": [CONFIG],      # sorted by id
    "unchanged": 1,                   # config_hash on both sides
    "content_changed": [],            # of those: ids whose other recorded content (executions,
                                      # return value) differs
    "content_changes": {},            # id → the master keys that differ ("executions",
                                      # "return_value", "sweep_source_hash", "config_id")
    "rejected": {"old": 0, "new": 0}, # configurations rejected when read, per side
    "files": [FILE]}],
 "support_files": [FILE],             # conftest.py, package __init__.py files
 "manifest": {"path": "generated/MANIFEST.json", "changes": true}}
SIDE   = {"path", "format", "configurations", "parsed", "rejected", "unique_configurations",
          "rejections": [{"operation", "pointer", "reason"}],    # rejected when read
          "not_compiled": [{"operation", "pointer", "reason"}]}  # read, but no case generated
CONFIG = {"id": "ef611557aa29",       # its case id in generated code (config_hash prefix)
          "config_hash": "ef611557aa29c6bf…", "pointer": "/operations/ttnn.add/configurations/0",
          "description": "arg0=Tensor(shape=[1, 1, 8, 1], dtype=BFLOAT16, …), arg1=1.0, …",
          "not_compiled": null}       # or the compiler's reason (then no file shows it)
FILE   = {"path": "generated/sweeps/ttnn/add.py", "status": "added" | "removed" | "changed",
          "lines_added": 21, "lines_removed": 432}

Markdown (`ttgen diff --markdown sweep_trace_gpt_oss.json ttnn_master_v2_verbatim_excerpts.json`,
shortened with …):

**39 ops changed: +6 configurations, −127**

5 configurations unchanged; 72 generated files change (and `generated/MANIFEST.json`). Old:
`../shared/fixtures/upstream/sweep_trace_gpt_oss.json` (v2: 132 configurations, 0 rejected when
read, 1 not compiled); new: `../shared/fixtures/upstream/ttnn_master_v2_verbatim_excerpts.json`
(v2: 11 configurations, 0 rejected when read, 0 not compiled).

| op | added | removed | unchanged | files that change |
|---|---:|---:|---:|---|
| `ttnn.add` | 2 | 15 | 1 | `generated/sweeps/ttnn/add.py` (changed, +21 −432) |
| `ttnn.clamp` | 0 | 4 | 0 | `generated/sweeps/ttnn/clamp.py` (removed)<br>`generated/tests/…` (removed) |
| `ttnn.experimental.all_gather_async` | 0 | 1 | 0 | — |
| … |
| `ttnn.zeros` | 1 | 0 | 0 | `generated/sweeps/ttnn/zeros.py` (added)<br>`generated/tests/ttnn/test_zeros.py` (added) |

<details><summary><code>ttnn.add</code>: +2 −15</summary>

added:
- `585539859a5d` `arg0=Tensor(shape=[1, 1, 32, 896], dtype=FLOAT32, layout=TILE, …), …`
- `ef611557aa29` `arg0=Tensor(shape=[1, 1, 8, 1], dtype=BFLOAT16, …), arg1=1.0, memory_config=…`

removed:
- `04db8ba3de63` `arg0=Tensor(shape=[1, 128, 360], dtype=BFLOAT8_B, …), …`
- …

</details>
…

Support files: `generated/sweeps/ttnn/transformer/__init__.py` (removed), `generated/tests/…` (removed)
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ttgen.analyze.describe import describe_value
from ttgen.compile.all_cases import DEFAULT_MAX_CASES
from ttgen.compile.compiler import MANIFEST, Compilation, compile_master, display_path, manifest_text
from ttgen.compile.plan import case_ids
from ttgen.compile.sweeps_src import SweepsData, load_sweeps_data
from ttgen.ingest import IngestResult, LocatedConfig, Rejection
from ttgen.model import OpConfig
from ttgen.model.serialize import config_to_json
from ttgen.signatures.catalog import Catalog, load_catalog
from ttgen.terminal import clean

DEFAULT_OUT = Path("generated")
FileStatus = Literal["added", "removed", "changed"]


@dataclass(frozen=True, slots=True)
class FileChange:
    path: str  # under the output directory, e.g. generated/sweeps/ttnn/add.py
    status: FileStatus
    lines_added: int
    lines_removed: int


@dataclass(frozen=True, slots=True)
class ConfigChange:
    case_id: str
    config_hash: str
    pointer: str
    description: str
    not_compiled: str | None  # the compiler's reason when it makes no case of it


@dataclass
class OpDiff:
    operation: str
    added: list[ConfigChange]
    removed: list[ConfigChange]
    unchanged: int
    content_changed: list[str]  # case ids kept by config_hash whose other content differs
    content_changes: dict[str, list[str]]  # of those: id → the master keys that differ
    rejected_old: int
    rejected_new: int
    files: list[FileChange]

    @property
    def changed(self) -> bool:
        return bool(
            self.added or self.removed or self.content_changed or self.files or self.rejected_old != self.rejected_new
        )


@dataclass
class Side:
    path: str
    format: str
    configurations: int
    parsed: int
    unique: int  # distinct (op, config_hash)
    rejections: list[Rejection]  # when read
    not_compiled: list[Rejection]  # read, but the compiler makes no case of them


@dataclass
class MasterDiff:
    old: Side
    new: Side
    out: str
    all_cases: bool
    operations: list[OpDiff]
    support_files: list[FileChange]
    manifest_changes: bool

    @property
    def changed_operations(self) -> list[OpDiff]:
        return [o for o in self.operations if o.changed]

    @property
    def added(self) -> int:
        return sum(len(o.added) for o in self.operations)

    @property
    def removed(self) -> int:
        return sum(len(o.removed) for o in self.operations)

    @property
    def unchanged(self) -> int:
        return sum(o.unchanged for o in self.operations)

    @property
    def files(self) -> list[FileChange]:
        return [f for o in self.operations for f in o.files] + self.support_files

    @property
    def manifest_path(self) -> str:
        return f"{self.out}/{MANIFEST}"

    def reconciles(self) -> bool:
        sides_ok = all(s.configurations == s.parsed + len(s.rejections) for s in (self.old, self.new))
        return (
            sides_ok
            and self.new.unique == self.added + self.unchanged
            and self.old.unique == self.removed + self.unchanged
        )


def describe_config(config: OpConfig) -> str:
    """One line: every argument as `ttgen show` prints it, terminal-safe."""
    return clean(", ".join(f"{a.name}={describe_value(a.value)}" for a in config.arguments))


def _unique_by_op(result: IngestResult) -> dict[str, dict[str, LocatedConfig]]:
    """op → config_hash → its first occurrence (the compiler rejects later duplicates)."""
    by_op: dict[str, dict[str, LocatedConfig]] = {}
    for located in result.configs:
        by_op.setdefault(located.config.operation, {}).setdefault(located.config.config_hash, located)
    return by_op


def _ids(configs: Iterable[LocatedConfig], not_compiled: set[str]) -> dict[str, str]:
    """config_hash → case id. Generated ids are widened over the configurations that compile, so
    those are computed the same way; the rest get the id they would have among all."""
    located = list(configs)
    bound = [c.config for c in located if c.pointer not in not_compiled]
    ids = dict(zip((c.config_hash for c in bound), case_ids(bound), strict=True))
    everyone = [c.config for c in located]
    for c, case_id in zip(everyone, case_ids(everyone), strict=True):
        ids.setdefault(c.config_hash, case_id)
    return ids


def _changed_keys(was: OpConfig, now: OpConfig) -> list[str]:
    """The master keys (config_hash aside) whose recorded values differ."""
    old, new = config_to_json(was), config_to_json(now)
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def _change(located: LocatedConfig, case_id: str, not_compiled: dict[str, str]) -> ConfigChange:
    c = located.config
    return ConfigChange(case_id, c.config_hash, located.pointer, describe_config(c), not_compiled.get(located.pointer))


def _file_change(path: str, before: str | None, after: str | None) -> FileChange | None:
    if before == after:
        return None
    if before is None:
        return FileChange(path, "added", len((after or "").splitlines()), 0)
    if after is None:
        return FileChange(path, "removed", 0, len(before.splitlines()))
    plus = minus = 0
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0):
        if line.startswith(("+++", "---")):
            continue
        plus += line.startswith("+")
        minus += line.startswith("-")
    return FileChange(path, "changed", plus, minus)


def _side(comp: Compilation, result: IngestResult) -> Side:
    unique = sum(len(v) for v in _unique_by_op(result).values())
    return Side(
        path=result.path,
        format=result.format,
        configurations=sum(result.present.values()),
        parsed=sum(result.parsed.values()),
        unique=unique,
        rejections=list(result.rejections),
        not_compiled=comp.rejections,
    )


def _ingested(comp: Compilation) -> IngestResult:
    if comp.ingest is None:  # pragma: no cover - compile_master always records it
        raise ValueError(f"{comp.master}: compilation has no ingest result")
    return comp.ingest


def diff_masters(
    old: Path,
    new: Path,
    out: Path = DEFAULT_OUT,
    *,
    all_cases: bool = False,
    max_cases: int = DEFAULT_MAX_CASES,
    catalog: Catalog | None = None,
    data: SweepsData | None = None,
) -> MasterDiff:
    """Compare two masters (any supported input). A TraceFormatError (an input that cannot be
    read at all) propagates, as does CompileError for an output name that is not a package."""
    catalog = catalog or load_catalog()
    data = data or load_sweeps_data()
    # One name in both headers: the re-trace replaces the master at the new one's path.
    shown = display_path(new)
    before, after = (
        compile_master(p, out, catalog=catalog, data=data, all_cases=all_cases, max_cases=max_cases, shown=shown)
        for p in (old, new)
    )
    old_result, new_result = _ingested(before), _ingested(after)
    old_configs, new_configs = _unique_by_op(old_result), _unique_by_op(new_result)
    old_nc = {r.pointer: r.reason for r in before.rejections}
    new_nc = {r.pointer: r.reason for r in after.rejections}

    owner = {rel: op for comp in (before, after) for op, rels in comp.op_files.items() for rel in rels}
    op_files: dict[str, list[FileChange]] = {}
    support: list[FileChange] = []
    for rel in sorted((set(before.files) | set(after.files)) - {MANIFEST}):
        change = _file_change(f"{out.as_posix()}/{rel}", before.files.get(rel), after.files.get(rel))
        if change is None:
            continue
        if rel in owner:
            op_files.setdefault(owner[rel], []).append(change)
        else:
            support.append(change)

    old_rejected, new_rejected = old_result.rejected, new_result.rejected
    ops = sorted(set(old_result.present) | set(new_result.present) | set(old_configs) | set(new_configs))
    diffs: list[OpDiff] = []
    for op in ops:
        was, now = old_configs.get(op, {}), new_configs.get(op, {})
        old_ids = _ids(was.values(), set(old_nc))
        new_ids = _ids(now.values(), set(new_nc))
        kept = [h for h in now if h in was]
        changes = {new_ids[h]: _changed_keys(was[h].config, now[h].config) for h in kept}
        changes = {i: keys for i, keys in changes.items() if keys}
        diffs.append(
            OpDiff(
                operation=op,
                added=sorted(
                    (_change(c, new_ids[h], new_nc) for h, c in now.items() if h not in was), key=lambda c: c.case_id
                ),
                removed=sorted(
                    (_change(c, old_ids[h], old_nc) for h, c in was.items() if h not in now), key=lambda c: c.case_id
                ),
                unchanged=len(kept),
                content_changed=sorted(changes),
                content_changes=dict(sorted(changes.items())),
                rejected_old=old_rejected[op],
                rejected_new=new_rejected[op],
                files=op_files.pop(op, []),
            )
        )
    # A file owned by an op that neither side read cannot happen; keep it visible if it ever does.
    support += [f for changes in op_files.values() for f in changes]

    diff = MasterDiff(
        old=_side(before, old_result),
        new=_side(after, new_result),
        out=out.as_posix(),
        all_cases=all_cases,
        operations=diffs,
        support_files=support,
        manifest_changes=False,
    )
    # Everything but the fingerprint is compared; the fingerprint changes with the master's bytes.
    diff.manifest_changes = bool(diff.files or diff.changed_operations or manifest_text(before) != manifest_text(after))
    return diff


# --- JSON -------------------------------------------------------------------------------------


def _rejection_json(r: Rejection) -> dict[str, str]:
    return {"operation": r.operation, "pointer": r.pointer, "reason": r.reason}


def _side_json(s: Side) -> dict[str, Any]:
    return {
        "path": s.path,
        "format": s.format,
        "configurations": s.configurations,
        "parsed": s.parsed,
        "rejected": len(s.rejections),
        "unique_configurations": s.unique,
        "rejections": [_rejection_json(r) for r in s.rejections],
        "not_compiled": [_rejection_json(r) for r in s.not_compiled],
    }


def _config_json(c: ConfigChange) -> dict[str, Any]:
    return {
        "id": c.case_id,
        "config_hash": c.config_hash,
        "pointer": c.pointer,
        "description": c.description,
        "not_compiled": c.not_compiled,
    }


def _file_json(f: FileChange) -> dict[str, Any]:
    return {"path": f.path, "status": f.status, "lines_added": f.lines_added, "lines_removed": f.lines_removed}


def diff_document(d: MasterDiff) -> dict[str, Any]:
    """The `--json` form (schema in this module's docstring)."""
    return {
        "old": _side_json(d.old),
        "new": _side_json(d.new),
        "out": d.out,
        "mode": "all-cases" if d.all_cases else "exact",
        "summary": {
            "operations": len(d.operations),
            "operations_changed": len(d.changed_operations),
            "added": d.added,
            "removed": d.removed,
            "unchanged": d.unchanged,
            "files_changed": len(d.files),
            "manifest_changes": d.manifest_changes,
        },
        "operations": [
            {
                "operation": o.operation,
                "changed": o.changed,
                "added": [_config_json(c) for c in o.added],
                "removed": [_config_json(c) for c in o.removed],
                "unchanged": o.unchanged,
                "content_changed": o.content_changed,
                "content_changes": o.content_changes,
                "rejected": {"old": o.rejected_old, "new": o.rejected_new},
                "files": [_file_json(f) for f in o.files],
            }
            for o in d.operations
        ],
        "support_files": [_file_json(f) for f in d.support_files],
        "manifest": {"path": d.manifest_path, "changes": d.manifest_changes},
    }


# --- text and markdown --------------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _headline(d: MasterDiff) -> str:
    return f"{_plural(len(d.changed_operations), 'op')} changed: +{_plural(d.added, 'configuration')}, −{d.removed}"


def _file_note(f: FileChange) -> str:
    return f"changed, +{f.lines_added} −{f.lines_removed}" if f.status == "changed" else f.status


def _side_line(s: Side) -> str:
    return (
        f"{s.format}: {_plural(s.configurations, 'configuration')}, "
        f"{len(s.rejections)} rejected when read, {len(s.not_compiled)} not compiled"
    )


def _content_lines(o: OpDiff) -> list[str]:
    return [f"{case_id}: {', '.join(keys)} changed" for case_id, keys in o.content_changes.items()]


def _lines(lines: list[str]) -> str:
    """The one way out: every line cleaned for the terminal (a value's newline stays escaped), so
    no trace string reaches the screen raw, whichever line it landed in."""
    return "".join(clean(line) + "\n" for line in lines)


def render_text(d: MasterDiff) -> str:
    """For a terminal: the headline, a table of the ops that change, then each op's configurations."""
    lines = [
        f"{clean(d.old.path)} → {clean(d.new.path)} (generated files under {clean(d.out)}/)",
        f"  old: {_side_line(d.old)}",
        f"  new: {_side_line(d.new)}",
        "",
        f"{_headline(d)}; {d.unchanged} unchanged, "
        f"{_plural(len(d.operations) - len(d.changed_operations), 'op')} without changes",
    ]
    changed = d.changed_operations
    if changed:
        width = max(len(clean(o.operation)) for o in changed)
        lines += ["", f"{'op':<{width}}  {'added':>5}  {'removed':>7}  {'unchanged':>9}  files that change"]
        for o in changed:
            files = [f"{clean(f.path)} ({_file_note(f)})" for f in o.files] or ["-"]
            lines.append(
                f"{clean(o.operation):<{width}}  {len(o.added):>5}  {len(o.removed):>7}  {o.unchanged:>9}  {files[0]}"
            )
            lines += [" " * (width + 29) + f for f in files[1:]]
        for o in changed:
            lines += ["", f"{clean(o.operation)}:"]
            for sign, configs in (("+", o.added), ("-", o.removed)):
                for c in configs:
                    note = f"  [not compiled: {clean(c.not_compiled)}]" if c.not_compiled else ""
                    lines.append(f"  {sign} {clean(c.case_id)}  {clean(c.description)}{note}")
            lines += [f"  ~ {clean(line)}" for line in _content_lines(o)]
            if o.rejected_old != o.rejected_new:
                lines.append(f"  rejected when read: {o.rejected_old} → {o.rejected_new}")
    if d.support_files:
        lines += ["", "support files:"] + [f"  {clean(f.path)} ({_file_note(f)})" for f in d.support_files]
    for name, side in (("old", d.old), ("new", d.new)):
        for r in side.rejections:
            lines.append(f"{name}: rejected {clean(r.operation)} at {clean(r.pointer)}: {clean(r.reason)}")
    if d.manifest_changes:
        lines += ["", f"{clean(d.manifest_path)} changes too (not compared: its fingerprint covers the master's bytes)"]
    return _lines(lines)


def _code(text: str) -> str:
    """A markdown code span that no backtick in `text` can close early (CommonMark's rule)."""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _cell(text: str) -> str:
    # a pipe ends a table cell even inside a code span (GFM)
    return text.replace("|", "\\|")


def render_markdown(d: MasterDiff) -> str:
    """GitHub markdown for the pull request: headline, table, then per-op details (collapsed)."""
    changed = d.changed_operations
    lines = [
        f"**{_headline(d)}**",
        "",
        f"{d.unchanged} configurations unchanged; {_plural(len(d.files), 'generated file')} change"
        + (f" (and {_code(clean(d.manifest_path))})" if d.manifest_changes else "")
        + f". Old: {_code(clean(d.old.path))} ({_side_line(d.old)}); new: {_code(clean(d.new.path))}"
        f" ({_side_line(d.new)}).",
    ]
    if changed:
        lines += ["", "| op | added | removed | unchanged | files that change |", "|---|---:|---:|---:|---|"]
        for o in changed:
            files = "<br>".join(f"{_code(clean(f.path))} ({_file_note(f)})" for f in o.files) or "—"
            lines.append(
                f"| {_cell(_code(clean(o.operation)))} | {len(o.added)} | {len(o.removed)} | {o.unchanged}"
                f" | {_cell(files)} |"
            )
    for o in changed:
        summary = f"<code>{html.escape(clean(o.operation))}</code>: +{len(o.added)} −{len(o.removed)}"
        lines += ["", f"<details><summary>{summary}</summary>"]
        for title, configs in (("added", o.added), ("removed", o.removed)):
            if configs:
                lines += ["", f"{title}:"]
                for c in configs:
                    note = f" — not compiled: {_code(clean(c.not_compiled))}" if c.not_compiled else ""
                    lines.append(f"- {_code(clean(c.case_id))} {_code(clean(c.description))}{note}")
        if o.content_changes:
            lines += ["", "content changed:"]
            lines += [
                f"- {_code(clean(case_id))}: {', '.join(_code(k) for k in keys)}"
                for case_id, keys in o.content_changes.items()
            ]
        if o.rejected_old != o.rejected_new:
            lines += ["", f"rejected when read: {o.rejected_old} → {o.rejected_new}"]
        lines += ["", "</details>"]
    if d.support_files:
        lines += [
            "",
            "Support files: " + ", ".join(f"{_code(clean(f.path))} ({_file_note(f)})" for f in d.support_files),
        ]
    rejections = [(name, r) for name, s in (("old", d.old), ("new", d.new)) for r in s.rejections]
    if rejections:
        lines += ["", f"<details><summary>{len(rejections)} rejected when read</summary>", ""]
        lines += [
            f"- {name}: {_code(clean(r.operation))} at {_code(clean(r.pointer))}: {_code(clean(r.reason))}"
            for name, r in rejections
        ]
        lines += ["", "</details>"]
    return _lines(lines)
