"""Per-call traces: ttnn's operation tracer writes one JSON file per op call
(`{N}_{op}_{timestamp}.json`: operation_id, operation_name, args [{position, value}], kwargs,
return_value, optional sweep_source_hash). A directory may hold them directly, or one
subdirectory per test with `_status.json` (only passed tests count) and `_trace_metadata.json`
(test_source, machine_info).

Identical calls merge into one configuration whose execution count is the number of calls.
"""

from __future__ import annotations

import os
import re
import stat
from functools import partial
from pathlib import Path
from typing import Any

from ttgen.ingest.errors import Reject, TraceFormatError, join_pointer
from ttgen.ingest.jsonload import load_json_file, special_kind
from ttgen.ingest.master import decode_machine_info, make_config, op_key
from ttgen.ingest.reprs import build
from ttgen.ingest.result import IngestResult
from ttgen.ingest.values import decode_value
from ttgen.model import ArgValue, Execution, MachineInfo, OpConfig
from ttgen.model.config import POSITIONAL

Json = Any

_CALL_KEYS = {"operation_id", "operation_name", "args", "kwargs", "return_value", "sweep_source_hash"}
_CALL_FILE = re.compile(r"([0-9]+)_.*\.json\Z")


def is_call_record(doc: Json) -> bool:
    return isinstance(doc, dict) and "operation_name" in doc and "args" in doc


def _mesh_machine_info(doc: dict[str, Json], base: MachineInfo | None) -> MachineInfo | None:
    """upstream's converter moves a tensor's mesh_device (shape, device_ids) into machine_info."""
    values = [a.get("value") for a in doc.get("args", []) if isinstance(a, dict)]
    values += list(doc.get("kwargs", {}).values()) if isinstance(doc.get("kwargs"), dict) else []
    for v in values:
        if isinstance(v, dict) and isinstance(v.get("mesh_device"), dict):
            md = v["mesh_device"]
            shape, ids = md.get("shape"), md.get("device_ids")
            if isinstance(shape, list) and isinstance(ids, list):
                fields = base.model_dump() if base is not None else {}
                fields.update(mesh_device_shape=tuple(shape), device_ids=tuple(ids), device_count=len(ids))
                try:
                    return MachineInfo(**fields)
                except ValueError:
                    return base
    return base


def read_call(doc: Json, ptr: str, source: str, machine: MachineInfo | None) -> OpConfig:
    if not isinstance(doc, dict):
        raise Reject(ptr, "a call record must be an object")
    unknown = sorted(set(doc) - _CALL_KEYS)
    if unknown:
        raise Reject(join_pointer(ptr, unknown[0]), f"unknown call field {unknown[0]!r}")
    op, bad = op_key(str(doc.get("operation_name")))
    if bad:
        raise Reject(join_pointer(ptr, "operation_name"), bad)
    args: dict[str, ArgValue] = {}
    raw_args = doc.get("args")
    if not isinstance(raw_args, list):
        raise Reject(join_pointer(ptr, "args"), "args must be a list")
    for i, a in enumerate(raw_args):
        aptr = join_pointer(ptr, "args", i)
        if not isinstance(a, dict) or set(a) != {"position", "value"}:
            raise Reject(aptr, "an arg must be {position, value}")
        pos = a["position"]
        if not isinstance(pos, int) or isinstance(pos, bool) or not 0 <= pos < 10_000:
            raise Reject(join_pointer(aptr, "position"), "position must be a small non-negative integer")
        if f"arg{pos}" in args:
            raise Reject(join_pointer(aptr, "position"), f"position {pos} appears twice")
        args[f"arg{pos}"] = decode_value(a["value"], join_pointer(aptr, "value"), cpp_strings=False)
    kwargs = doc.get("kwargs", {})
    if not isinstance(kwargs, dict):
        raise Reject(join_pointer(ptr, "kwargs"), "kwargs must be an object")
    for name, v in kwargs.items():
        if POSITIONAL.match(name):
            raise Reject(join_pointer(ptr, "kwargs", name), f"keyword {name!r} is spelled like a positional argument")
        args[name] = decode_value(v, join_pointer(ptr, "kwargs", name), cpp_strings=False)
    output = None
    if "return_value" in doc:
        output = decode_value(doc["return_value"], join_pointer(ptr, "return_value"), cpp_strings=False)
    sweep_hash = doc.get("sweep_source_hash")
    if sweep_hash is not None and not isinstance(sweep_hash, str):
        raise Reject(join_pointer(ptr, "sweep_source_hash"), "sweep_source_hash must be a string")
    machine = _mesh_machine_info(doc, machine)
    execution = build(Execution, source=source, machine_info=machine)
    return make_config(
        op,
        args,
        ptr,
        executions=(execution,),
        sweep_source_hash=sweep_hash,
        output=output,
    )


_PER_TEST_FILES = ("_status.json", "_trace_metadata.json")


def _call_files(root: Path) -> tuple[list[Path], list[str]]:
    """The call files under root, and every other entry (named, with what it is), so nothing is
    skipped without a word; special files (FIFOs, devices, sockets) are never opened."""
    files: list[Path] = []
    skipped: list[str] = []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        try:
            mode = p.stat().st_mode
        except OSError as e:
            skipped.append(f"{rel} (cannot stat: {e.strerror or e})")  # e.g. a dangling link
            continue
        kind = special_kind(mode)
        if stat.S_ISDIR(mode) or (kind is None and p.name in _PER_TEST_FILES):
            continue
        if kind is not None:
            skipped.append(f"{rel} ({kind})")
        elif not p.name.endswith(".json") or p.name.startswith(("_", ".")):
            skipped.append(f"{rel} (not a per-call *.json file)")
        else:
            files.append(p)

    def key(p: Path) -> tuple[str, int, str]:
        m = _CALL_FILE.match(p.name)
        return (p.parent.relative_to(root).as_posix(), int(m.group(1)) if m else -1, p.name)

    return sorted(files, key=key), skipped


def _nearest(root: Path, start: Path, name: str) -> Path | None:
    """The per-test file governing `start`: in its directory or the closest one above, up to root.
    Whatever holds the name counts (a FIFO, a directory, a dangling link): reading it then refuses
    it, rather than the calls going on as if their test had no status."""
    d = start
    while True:
        if os.path.lexists(d / name):
            return d / name
        if d == root or root not in d.parents:
            return None
        d = d.parent


def _test_status(root: Path, test_dir: Path) -> tuple[str | None, str | None]:
    """(status, test node id) from the governing `_status.json`, or (None, None)."""
    status_file = _nearest(root, test_dir, "_status.json")
    if status_file is None:
        return None, None
    doc = load_json_file(status_file)
    if not isinstance(doc, dict) or not isinstance(doc.get("status"), str):
        raise TraceFormatError(status_file.as_posix(), "expected {test_nodeid, status}")
    node = doc.get("test_nodeid")
    return doc["status"], node if isinstance(node, str) else None


def _trace_metadata(root: Path, test_dir: Path) -> tuple[str | None, MachineInfo | None]:
    meta_file = _nearest(root, test_dir, "_trace_metadata.json")
    if meta_file is None:
        return None, None
    doc = load_json_file(meta_file)
    if not isinstance(doc, dict):
        raise TraceFormatError(meta_file.as_posix(), "expected an object")
    source = doc.get("test_source") if isinstance(doc.get("test_source"), str) else None
    try:
        machine = decode_machine_info(doc.get("machine_info"), "/machine_info")
    except Reject as r:
        raise TraceFormatError(meta_file.as_posix(), r.reason, r.pointer) from None
    return source, machine


def read_call_directory(root: Path, shown: str, source: str | None = None) -> IngestResult:
    files, skipped = _call_files(root)
    if not files:
        extra = f" ({len(skipped)} other entries: {', '.join(skipped[:3])})" if skipped else ""
        raise TraceFormatError(shown, f"directory holds no per-call trace files (*.json){extra}")
    result = IngestResult(path=shown, format="operation-parameters", merge_identical=True)
    if skipped:
        result.notes.append(f"skipped {len(skipped)} entries that are not call records: {', '.join(skipped)}")
    for f in files:
        rel = f.relative_to(root).as_posix()
        ptr_base = f"{rel}#"
        test_dir = f.parent
        status, node = _test_status(root, test_dir)
        meta_source, machine = _trace_metadata(root, test_dir)
        src = source or node or meta_source or shown
        try:
            doc = load_json_file(f)
        except TraceFormatError as e:
            # one unreadable call file is one rejected call, not a lost directory
            result.reject("?", ptr_base, e.reason)
            continue
        op = op_key(str(doc.get("operation_name")))[0] if isinstance(doc, dict) else "?"
        if not is_call_record(doc):
            result.reject(op, ptr_base, "not a per-call trace record (operation_name, args)")
            continue
        if status is not None and status != "passed":
            result.reject(op, ptr_base, f"call from a test that did not pass (status={status})")
            continue
        result.item(op, ptr_base, partial(read_call, doc, ptr_base, src, machine))
    return result


def read_single_call(doc: dict[str, Json], shown: str, source: str | None = None) -> IngestResult:
    result = IngestResult(path=shown, format="operation-parameters", merge_identical=True)
    op = op_key(str(doc.get("operation_name")))[0]
    result.item(op, "", lambda: read_call(doc, "", source or shown, None))
    return result
