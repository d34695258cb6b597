"""Readers for master JSONs of every era, and shared pieces for per-call records.

Configuration shapes (shared/reference/upstream-trace-formats.md §1.4):
* V2 / V6: `{"config_id", "config_hash", "arguments": {argN | kwarg: value}, "executions": [...],
  "sweep_source_hash"}`;
* V1 list: `[{"arg0": value}, {"arg1": "0"}, {"UnparsedElement": {...}}, ...]`;
* V1 wrapped: `{"arguments": [...list...], "source": str | [str], "machine_info": [{...}] | {...},
  "execution_count": n}`; and the short-lived `{"arguments": [...], "contexts": [{"source": [..],
  "machine_info": {..}}]}`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import partial
from typing import Any

from ttgen.ingest.errors import Reject, TraceFormatError, join_pointer
from ttgen.ingest.jsonload import DuplicateKey, no_duplicates
from ttgen.ingest.reprs import build
from ttgen.ingest.result import IngestResult, Unkept
from ttgen.ingest.values import decode_value, guarded
from ttgen.model import (
    Argument,
    ArgValue,
    Execution,
    MachineInfo,
    MasterMetadata,
    OpConfig,
    argument_sort_key,
    normalize_op_name,
)
from ttgen.model.config import POSITIONAL
from ttgen.model.serialize import compute_config_hash, value_to_json

Json = Any

_CONFIG_KEYS = {
    "config_id",
    "config_hash",
    "arguments",
    "executions",
    "sweep_source_hash",
    "return_value",
    # V1-era provenance
    "source",
    "machine_info",
    "execution_count",
    "contexts",
}
_EXECUTION_KEYS = {"source", "machine_info", "count", "trace_uid", "pytest_args", "trace_run_ids"}
_MACHINE_KEYS = {"board_type", "device_series", "card_count", "device_count", "device_ids", "mesh_device_shape"}


# ----------------------------------------------------------------------------- provenance


def _opt_str(d: dict[str, Json], key: str, ptr: str) -> str | None:
    v = d.get(key)
    if v is None:
        return None
    if not isinstance(v, str):
        raise Reject(join_pointer(ptr, key), f"{key} must be a string")
    return v


def decode_machine_info(v: Json, ptr: str) -> MachineInfo | None:
    if v is None:
        return None
    if not isinstance(v, dict):
        raise Reject(ptr, "machine_info must be an object")
    unknown = sorted(set(v) - _MACHINE_KEYS)
    if unknown:
        raise Reject(join_pointer(ptr, unknown[0]), f"unknown machine_info field {unknown[0]!r}")
    fields = dict(v)
    series = fields.get("device_series")
    if isinstance(series, list):
        if len(series) != 1 or not isinstance(series[0], str):
            raise Reject(join_pointer(ptr, "device_series"), "device_series list must hold one name")
        fields["device_series"] = series[0]
    for key in ("device_ids", "mesh_device_shape"):
        if isinstance(fields.get(key), list):
            fields[key] = tuple(fields[key])
    return guarded(ptr, lambda: build(MachineInfo, **fields))


def decode_executions(v: Json, ptr: str) -> tuple[Execution, ...]:
    if not isinstance(v, list):
        raise Reject(ptr, "executions must be a list")
    out = []
    for i, e in enumerate(v):
        eptr = join_pointer(ptr, i)
        if not isinstance(e, dict):
            raise Reject(eptr, "an execution must be an object")
        unknown = sorted(set(e) - _EXECUTION_KEYS)
        if unknown:
            raise Reject(join_pointer(eptr, unknown[0]), f"unknown execution field {unknown[0]!r}")
        if not isinstance(e.get("source"), str):
            raise Reject(join_pointer(eptr, "source"), "an execution needs a source string")
        count = e.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool):
            raise Reject(join_pointer(eptr, "count"), "count must be an integer")
        run_ids = e.get("trace_run_ids", [])
        if not isinstance(run_ids, list) or not all(
            isinstance(x, str) or (isinstance(x, int) and not isinstance(x, bool)) for x in run_ids
        ):
            raise Reject(join_pointer(eptr, "trace_run_ids"), "trace_run_ids must be a list of ids")
        machine = decode_machine_info(e.get("machine_info"), join_pointer(eptr, "machine_info"))
        fields = {
            "source": e["source"],
            "machine_info": machine,
            "count": count,
            "trace_uid": _opt_str(e, "trace_uid", eptr),
            "pytest_args": _opt_str(e, "pytest_args", eptr),
            "trace_run_ids": tuple(run_ids),
        }
        out.append(guarded(eptr, partial(build, Execution, **fields)))
    return tuple(out)


def _v1_executions(c: dict[str, Json], ptr: str) -> tuple[Execution, ...]:
    """Provenance of V1 wrapped configurations (`source`/`machine_info`/`execution_count` or
    `contexts`). Sources and machines of the merged form are not paired in the file, so more
    than one of each is ambiguous and rejected rather than invented."""
    if "contexts" in c:
        if any(k in c for k in ("source", "machine_info", "execution_count")):
            raise Reject(ptr, "configuration has both contexts and source/machine_info")
        cptr = join_pointer(ptr, "contexts")
        if not isinstance(c["contexts"], list):
            raise Reject(cptr, "contexts must be a list")
        out: list[Execution] = []
        for i, ctx in enumerate(c["contexts"]):
            iptr = join_pointer(cptr, i)
            if not isinstance(ctx, dict) or set(ctx) - {"source", "machine_info"}:
                raise Reject(iptr, "a context must be {source, machine_info}")
            sources = _sources(ctx.get("source"), join_pointer(iptr, "source"))
            mi = decode_machine_info(ctx.get("machine_info"), join_pointer(iptr, "machine_info"))
            out.extend(Execution(source=s, machine_info=mi) for s in sources)
        return tuple(out)
    if "source" not in c:
        if "machine_info" in c or "execution_count" in c:
            raise Reject(ptr, "machine_info/execution_count without a source")
        return ()
    sources = _sources(c["source"], join_pointer(ptr, "source"))
    mptr = join_pointer(ptr, "machine_info")
    raw_machines = c.get("machine_info")
    machines_json = (
        raw_machines if isinstance(raw_machines, list) else [raw_machines] if raw_machines is not None else []
    )
    machines = [decode_machine_info(m, join_pointer(mptr, i)) for i, m in enumerate(machines_json)]
    count = c.get("execution_count", 1)
    if not isinstance(count, int) or isinstance(count, bool):
        raise Reject(join_pointer(ptr, "execution_count"), "execution_count must be an integer")
    if len(sources) > 1 and (len(machines) > 1 or count != 1):
        raise Reject(ptr, f"{len(sources)} sources with {len(machines)} machines / count {count}: cannot be paired")
    machine = machines[0] if len(machines) == 1 else None
    if len(machines) > 1:
        raise Reject(mptr, f"{len(machines)} machines for one source: cannot be paired")
    return tuple(guarded(ptr, partial(build, Execution, source=s, machine_info=machine, count=count)) for s in sources)


def _sources(v: Json, ptr: str) -> list[str]:
    if isinstance(v, str):
        return [v]
    if isinstance(v, list) and v and all(isinstance(s, str) for s in v):
        return list(v)
    raise Reject(ptr, "source must be a string or a non-empty list of strings")


# ----------------------------------------------------------------------------- arguments

# V1 prints shard grids as `[{"x":0,"y":0} - {"x":7,"y":7}]`; that `-` is what made the
# UnparsedElement. Turning it into a JSON pair is the repair upstream's loader applies too.
_GRID_DASH = re.compile(r'(\{"x":\s*[0-9]+,\s*"y":\s*[0-9]+\})\s*-\s*(\{"x":\s*[0-9]+,\s*"y":\s*[0-9]+\})')
_GRID_SET_START = re.compile(r'"grid":\s*\{\s*\[')
_BRACKET = re.compile(r"[{}\[\]]")


def _closers(text: str) -> dict[int, int]:
    """For each opening bracket, where the bracket sequence returns below its level (`{` and
    `[` alike, as the repair counts them); unclosed openers are absent. One pass with a stack."""
    closer: dict[int, int] = {}
    stack: list[int] = []
    for m in _BRACKET.finditer(text):
        if m.group() in "{[":
            stack.append(m.start())
        elif stack:
            closer[stack.pop()] = m.start()
    return closer


def _grid_sets_to_lists(text: str) -> str:
    """A multi-range grid printed as a set, `"grid":{[..], [..]}`, becomes `"grid":[[..], [..]]`.
    Linear: each grid's closing brace comes from one bracket pass over the text, not from a scan
    of its own (with unclosed grids those scans overlapped, and took quadratic time)."""
    out = []
    pos = 0
    closer: dict[int, int] | None = None
    for m in _GRID_SET_START.finditer(text):
        if m.start() < pos:
            continue
        if closer is None:
            closer = _closers(text)
        brace = text.index("{", m.start() + len('"grid":'))
        j = closer.get(brace)
        if j is None or text[j] != "}":
            continue  # unclosed, or closed by a `]`: left as it is, for json to refuse
        out.append(text[pos:brace] + "[" + text[brace + 1 : j] + "]")
        pos = j + 1
    out.append(text[pos:])
    return "".join(out)


def repair_unparsed(element: Json, ptr: str) -> tuple[str, Json]:
    """`{"UnparsedElement": {"error", "element_info": "<nearly JSON>"}}` → (arg name, value)."""
    if not isinstance(element, dict) or not isinstance(element.get("element_info"), str):
        raise Reject(ptr, "UnparsedElement without an element_info string")
    text = _grid_sets_to_lists(_GRID_DASH.sub(r"\1, \2", element["element_info"]))
    try:
        repaired = json.loads(text, object_pairs_hook=no_duplicates)
    except DuplicateKey as e:
        raise Reject(join_pointer(ptr, "element_info"), f"repaired UnparsedElement repeats key {e.key!r}") from None
    except (ValueError, RecursionError) as e:
        raise Reject(join_pointer(ptr, "element_info"), f"UnparsedElement could not be repaired: {e}") from None
    if not isinstance(repaired, dict) or len(repaired) != 1:
        raise Reject(join_pointer(ptr, "element_info"), "repaired UnparsedElement is not one {argN: value}")
    ((name, value),) = repaired.items()
    return name, value


def decode_v1_argument_list(items: Json, ptr: str) -> dict[str, ArgValue]:
    out: dict[str, ArgValue] = {}
    for i, item in enumerate(items):
        iptr = join_pointer(ptr, i)
        if not isinstance(item, dict) or len(item) != 1:
            raise Reject(iptr, "a V1 argument must be a one-key object {argN: value}")
        ((name, value),) = item.items()
        vptr = join_pointer(iptr, name)
        if name == "UnparsedElement":
            vptr = join_pointer(iptr, "UnparsedElement", "element_info")
            name, value = repair_unparsed(value, join_pointer(iptr, "UnparsedElement"))
        if not POSITIONAL.match(name):
            raise Reject(iptr, f"a V1 argument list holds positional argN entries, not {name[:40]!r}")
        if name in out:
            raise Reject(iptr, f"argument {name!r} appears twice")
        out[name] = decode_value(value, vptr, cpp_strings=True)
    return out


def decode_argument_dict(args: dict[str, Json], ptr: str) -> dict[str, ArgValue]:
    return {name: decode_value(v, join_pointer(ptr, name), cpp_strings=False) for name, v in args.items()}


def make_config(
    op: str,
    args: dict[str, ArgValue],
    ptr: str,
    *,
    executions: tuple[Execution, ...] = (),
    config_hash: str | None = None,
    config_id: int | str | None = None,
    sweep_source_hash: str | None = None,
    output: ArgValue | None = None,
) -> OpConfig:
    """Canonical argument order; the traced config_hash kept, else computed (serialize.py)."""
    arguments = []
    for name, value in args.items():
        arguments.append(guarded(join_pointer(ptr, name), partial(build, Argument, name=name, value=value)))
    arguments.sort(key=argument_sort_key)
    if config_hash is None:
        config_hash = compute_config_hash(op, {a.name: value_to_json(a.value) for a in arguments}, executions)
    return guarded(
        ptr,
        lambda: build(
            OpConfig,
            operation=op,
            arguments=tuple(arguments),
            config_hash=config_hash,
            executions=executions,
            config_id=config_id,
            sweep_source_hash=sweep_source_hash,
            output=output,
        ),
    )


def read_config(op: str, c: Json, ptr: str) -> OpConfig:
    if isinstance(c, list):
        return make_config(op, decode_v1_argument_list(c, ptr), ptr)
    if not isinstance(c, dict):
        raise Reject(ptr, f"a configuration must be an object or a V1 argument list, got {type(c).__name__}")
    unknown = sorted(set(c) - _CONFIG_KEYS)
    if unknown:
        raise Reject(join_pointer(ptr, unknown[0]), f"unknown configuration field {unknown[0]!r}")
    if "arguments" not in c:
        raise Reject(ptr, "configuration has no arguments")
    aptr = join_pointer(ptr, "arguments")
    raw_args = c["arguments"]
    if isinstance(raw_args, dict):
        args = decode_argument_dict(raw_args, aptr)
    elif isinstance(raw_args, list):
        args = decode_v1_argument_list(raw_args, aptr)
    else:
        raise Reject(aptr, "arguments must be an object (V2) or a list (V1)")
    if "executions" in c:
        if any(k in c for k in ("source", "machine_info", "execution_count", "contexts")):
            raise Reject(ptr, "configuration has both executions and V1 provenance fields")
        executions = decode_executions(c["executions"], join_pointer(ptr, "executions"))
    else:
        executions = _v1_executions(c, ptr)
    config_hash = c.get("config_hash")
    if config_hash is not None and not isinstance(config_hash, str):
        raise Reject(join_pointer(ptr, "config_hash"), "config_hash must be a string")
    config_id = c.get("config_id")
    if config_id is not None and (not isinstance(config_id, int | str) or isinstance(config_id, bool)):
        raise Reject(join_pointer(ptr, "config_id"), "config_id must be an integer or a string")
    if isinstance(config_id, int) and not -(2**63) <= config_id < 2**63:
        raise Reject(join_pointer(ptr, "config_id"), "config_id is out of range")
    sweep_hash = c.get("sweep_source_hash")
    if sweep_hash is not None and not isinstance(sweep_hash, str):
        raise Reject(join_pointer(ptr, "sweep_source_hash"), "sweep_source_hash must be a string")
    output = None
    if "return_value" in c:
        output = decode_value(c["return_value"], join_pointer(ptr, "return_value"), cpp_strings=False)
    return make_config(
        op,
        args,
        ptr,
        executions=executions,
        config_hash=config_hash,
        config_id=config_id,
        sweep_source_hash=sweep_hash,
        output=output,
    )


# ----------------------------------------------------------------------------- whole masters


def config_era(c: Json) -> str:
    if isinstance(c, list) or (isinstance(c, dict) and isinstance(c.get("arguments"), list)):
        return "v1"
    return "v2"


def op_key(raw: str) -> tuple[str, str | None]:
    """(name to count under, reason it is unusable or None)."""
    try:
        return normalize_op_name(raw), None
    except ValueError as e:
        return raw, str(e)


NOT_AN_ENTRY = 'operation entry must be {"configurations": [...]}'
TOP_LEVEL_KEYS = {"operations", "metadata", "_provenance"}


class MasterReader:
    """Reads a master one operation entry, or one configuration, at a time: from a parsed
    document (`read_master`) or streamed from the text (`stream.py`), with the same results."""

    def __init__(self, path: str) -> None:
        self.result = IngestResult(path=path, format="")
        self._eras: set[str] = set()
        self._ops: dict[str, tuple[str, str | None]] = {}

    def _op(self, raw_op: str) -> tuple[str, str | None]:
        if raw_op not in self._ops:
            self._ops[raw_op] = op_key(raw_op)
        return self._ops[raw_op]

    def operation(self, raw_op: str, entry: Json) -> None:
        op = self._op(raw_op)[0]
        optr = join_pointer("/operations", raw_op)
        configs = entry.get("configurations") if isinstance(entry, dict) else None
        if not isinstance(configs, list):
            self.result.reject(op, optr, NOT_AN_ENTRY)
            return
        self.entry_keys(raw_op, entry)
        for i, c in enumerate(configs):
            self.config(raw_op, i, c)

    def entry_keys(self, raw_op: str, keys: Iterable[str]) -> None:
        extra = sorted(set(keys) - {"configurations"})
        if extra:
            pointer = join_pointer("/operations", raw_op)
            self.result.notes.append(f"{pointer}: ignored keys {', '.join(extra)}")
            self.result.unkept.append(Unkept(pointer, tuple(extra)))

    def config(self, raw_op: str, i: int, c: Json) -> None:
        op, bad_name = self._op(raw_op)
        cptr = join_pointer("/operations", raw_op, "configurations", i)
        self._eras.add(config_era(c))
        if bad_name is not None:
            self.result.reject(op, cptr, bad_name)
            return
        self.result.item(op, cptr, partial(read_config, op, c, cptr))

    def finish(self, top_level_keys: Iterable[str], metadata: Json) -> IngestResult:
        result = self.result
        unknown = sorted(set(top_level_keys) - TOP_LEVEL_KEYS)
        if unknown:
            result.notes.insert(0, f"ignored top-level keys: {', '.join(unknown)}")
            result.unkept.insert(0, Unkept("", tuple(unknown)))
        eras = frozenset(self._eras)
        result.format = {frozenset({"v1"}): "v1", frozenset({"v2"}): "v2"}.get(eras, "mixed" if eras else "v2")
        result.metadata = read_metadata(metadata, result.notes, result.unkept)
        return result


def read_master(doc: dict[str, Json], path: str) -> IngestResult:
    ops = doc["operations"]
    if not isinstance(ops, dict):
        raise TraceFormatError(path, "operations must be an object", "/operations")
    reader = MasterReader(path)
    for raw_op, entry in ops.items():
        reader.operation(raw_op, entry)
    return reader.finish(doc, doc.get("metadata"))


def read_metadata(v: Json, notes: list[str], unkept: list[Unkept]) -> MasterMetadata:
    """The metadata block is upstream's bookkeeping: read what is well-formed, note the rest (and
    list the keys not kept)."""
    if v is None:
        return MasterMetadata()
    if not isinstance(v, dict):
        notes.append("metadata is not an object; ignored")
        return MasterMetadata()
    fields: dict[str, Any] = {}
    malformed: list[str] = []
    models = v.get("models")
    if isinstance(models, list) and all(isinstance(m, str) for m in models):
        fields["models"] = tuple(models)
    elif models is not None:
        malformed.append("models")
    for key in ("unique_operations", "total_configurations"):
        val = v.get(key)
        if isinstance(val, int) and not isinstance(val, bool) and 0 <= val < 2**53:
            fields[key] = val
        elif val is not None:
            malformed.append(key)
    summary_key = "operations_summary" if "operations_summary" in v else "operation_types"
    summary = v.get(summary_key)
    if isinstance(summary, dict) and all(
        isinstance(n, int) and not isinstance(n, bool) and 0 <= n < 2**53 for n in summary.values()
    ):
        fields["operations_summary"] = tuple(sorted(summary.items()))
    elif summary is not None:
        malformed.append(summary_key)
    for key in ("last_updated", "trace_uid"):
        if isinstance(v.get(key), str):
            fields[key] = v[key]
        elif v.get(key) is not None:
            malformed.append(key)
    if malformed:
        notes.append(f"metadata fields malformed and ignored: {', '.join(malformed)}")
    ignored = sorted(
        set(v)
        - {
            "models",
            "unique_operations",
            "total_configurations",
            "operations_summary",
            "operation_types",
            "last_updated",
            "trace_uid",
        }
    )
    if ignored:
        notes.append(f"metadata keys not used: {', '.join(ignored)}")
        unkept.append(Unkept("/metadata", tuple(ignored)))
    try:
        return MasterMetadata(**fields)
    except ValueError:
        notes.append("metadata block malformed; ignored")
        return MasterMetadata()


def _serialized_call(op: str, args: list[Json], ptr: str) -> OpConfig:
    return make_config(op, decode_v1_argument_list(args, join_pointer(ptr, "arguments")), ptr)


def read_serialized_graph(doc: dict[str, Json], path: str) -> IngestResult:
    """Era A `GraphTracerUtils.serialize_graph` output: `{"content": [{"operation", "arguments": [...]}]}`."""
    content = doc["content"]
    if not isinstance(content, list):
        raise TraceFormatError(path, "content must be a list", "/content")
    result = IngestResult(path=path, format="v1-serialized-graph", merge_identical=True)
    for i, call in enumerate(content):
        cptr = join_pointer("/content", i)
        if not isinstance(call, dict) or not isinstance(call.get("operation"), str):
            result.reject("?", cptr, "a call must be {operation, arguments}")
            continue
        op, bad_name = op_key(call["operation"])
        if bad_name is not None:
            result.reject(op, cptr, bad_name)
            continue
        args = call.get("arguments")
        if not isinstance(args, list):
            result.reject(op, join_pointer(cptr, "arguments"), "arguments must be a list")
            continue
        result.item(op, cptr, partial(_serialized_call, op, args, cptr))
    return result
