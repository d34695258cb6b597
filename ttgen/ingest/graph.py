"""Graph-capture reports: the file `ttnn.graph.end_graph_capture_to_file` writes
(`{"version", "graph": [nodes], "devices", "cluster_descriptor", "metadata"}`).

Each top-level `function_start` node (stacking level 1) whose name is a ttnn operation is one op
call. Its arguments come from the report's `python_io` sidecar (`<stem>.python_io.json`: per
Python-level call the printed arguments, input and output tensor ids) when present; otherwise
from the node's own C++ argument strings, or, for Python-level nodes that carry none, from the
tensors its first device operation consumed (tensor inputs only, said in the notes).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import partial
from typing import Any

from ttgen.facts.devices import BOARD_TYPES
from ttgen.facts.reprs import split_top
from ttgen.ingest.errors import Reject, TraceFormatError, join_pointer
from ttgen.ingest.master import make_config, op_key
from ttgen.ingest.reprs import (
    build,
    check_nesting,
    parse_cpp_value,
    parse_field_value,
    parse_int_list,
    parse_memory_config_text,
    parse_mesh_device_text,
    parse_tensor_repr,
)
from ttgen.ingest.result import IngestResult
from ttgen.ingest.values import guarded
from ttgen.model import (
    ArgValue,
    DataType,
    Execution,
    Layout,
    ListValue,
    MachineInfo,
    MemoryConfig,
    MeshDeviceValue,
    OpConfig,
    StorageType,
    TensorSpec,
    TensorValue,
    parse_member,
)
from ttgen.model.config import POSITIONAL

Json = Any

_POSITION = re.compile(r"(0|[1-9][0-9]{0,3})\Z")


def is_graph_report(doc: Json) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("graph"), list) and "version" in doc


def machine_from_report(doc: dict[str, Json]) -> MachineInfo | None:
    """board_type from the cluster descriptor's arch, device_series from its board type."""
    text = doc.get("cluster_descriptor")
    if not isinstance(text, str):
        return None
    arch = re.search(r"^arch:\s*\n\s+0:\s*([A-Za-z0-9_]+)", text, re.M)
    boards = re.findall(r"board_type:\s*([A-Za-z0-9_]+)", text)
    chips = re.search(r"^chips:\s*\n((?:\s+.*\n)+?)\S", text, re.M)
    board = BOARD_TYPES.get(arch.group(1)) if arch else None
    if board is None:
        return None
    n_chips = len(re.findall(r"^\s{2}[0-9]+:", chips.group(1), re.M)) if chips else None
    return MachineInfo(
        board_type=board,
        device_series=boards[0] if boards else None,
        card_count=len(boards) or None,
        device_count=n_chips or None,
    )


@dataclass(frozen=True, slots=True)
class Node:
    kind: str
    level: int
    params: dict[str, Json]
    arguments: list[Json]
    input_tensors: list[int]


def _node(node: Json, shown: str, ptr: str) -> Node:
    if not isinstance(node, dict):
        raise TraceFormatError(shown, "a graph node must be an object", ptr)
    kind, level = node.get("node_type"), node.get("stacking_level")
    params = node.get("params") or {}
    args, inputs = node.get("arguments", []), node.get("input_tensors", [])
    if not isinstance(kind, str) or type(level) is not int or not isinstance(params, dict):
        raise TraceFormatError(shown, "a graph node needs node_type, stacking_level and params", ptr)
    if not isinstance(args, list) or not isinstance(inputs, list) or not all(isinstance(x, int) for x in inputs):
        raise TraceFormatError(shown, "graph node arguments/input_tensors must be lists", ptr)
    return Node(kind, level, params, args, inputs)


def tensor_from_node(params: dict[str, Json], ptr: str) -> TensorValue:
    """A `tensor` node's params: shape "Shape([..])", dtype "DataType::X", layout, memory_config."""

    def read() -> TensorValue:
        shape_text = params.get("shape")
        if not isinstance(shape_text, str) or not shape_text.startswith("Shape("):
            raise ValueError("tensor node without a Shape")
        storage = parse_member(StorageType, str(params.get("storage_type", "DEVICE")))
        mc_text = params.get("memory_config")
        if isinstance(mc_text, str):
            mc = parse_memory_config_text(mc_text)
        elif mc_text is None and storage is StorageType.HOST:
            mc = MemoryConfig()  # host tensors have none; ttnn reports DRAM interleaved for them
        else:
            raise ValueError("device tensor node without a printed memory_config")
        spec = build(
            TensorSpec,
            shape=parse_int_list(shape_text[len("Shape(") : -1]),
            dtype=parse_member(DataType, str(params.get("dtype"))),
            layout=parse_member(Layout, str(params.get("layout"))),
            memory_config=mc,
            storage=storage,
        )
        return TensorValue(spec=spec)

    return guarded(ptr, read)


def parse_python_arg(text: str) -> ArgValue:
    """One printed argument of a python_io record."""
    t = text.strip()
    check_nesting(t)
    if t.startswith("ttnn.Tensor("):
        return parse_tensor_repr(t)
    if t.startswith("MeshDevice("):
        return build(MeshDeviceValue, shape=parse_mesh_device_text(t))
    if t.startswith("(") and t.endswith(")"):
        return ListValue(items=tuple(parse_python_arg(x) for x in split_top(t[1:-1]) if x))
    if t.startswith("[") and t.endswith("]"):
        return ListValue(items=tuple(parse_python_arg(x) for x in split_top(t[1:-1])))
    return parse_field_value(t)


def read_graph_report(
    doc: dict[str, Json], shown: str, python_io: Json | None, source: str | None = None
) -> IngestResult:
    result = IngestResult(path=shown, format="graph-capture", merge_identical=True)
    machine = machine_from_report(doc)
    execution = Execution(source=source or shown, machine_info=machine)
    nodes = [_node(n, shown, join_pointer("/graph", i)) for i, n in enumerate(doc["graph"])]
    ends: dict[int, int] = {}
    open_stack: list[int] = []
    for i, node in enumerate(nodes):
        if node.kind == "function_start":
            open_stack.append(i)
        elif node.kind == "function_end" and open_stack:
            ends[open_stack.pop()] = i
    tensors: dict[int, int] = {}  # tensor_id → index of its latest tensor node
    for i, node in enumerate(nodes):
        if node.kind == "tensor" and isinstance(node.params.get("tensor_id"), int):
            tensors[node.params["tensor_id"]] = i
    records = _python_io_records(python_io, shown)
    ignored: Counter[str] = Counter()
    for i, node in enumerate(nodes):
        if node.kind != "function_start" or node.level != 1:
            continue
        name = node.params.get("name")
        ptr = join_pointer("/graph", i)
        if not isinstance(name, str) or not (name.startswith("ttnn.") or name.startswith("ttnn::")):
            ignored[str(name)] += 1
            continue
        op, bad = op_key(name)
        if bad:
            result.reject(op, ptr, bad)
            continue
        record = records.pop_for(name) if records is not None and name.startswith("ttnn.") else None

        def build_call(i: int = i, op: str = op, record: dict[str, Json] | None = record, ptr: str = ptr) -> OpConfig:
            if record is not None:
                return _from_record(op, record, ptr, execution, nodes, tensors)
            if nodes[i].arguments:
                decoded = {
                    f"arg{k}": guarded(join_pointer(ptr, "arguments", k), partial(parse_cpp_value, str(a)))
                    for k, a in enumerate(nodes[i].arguments)
                }
                return make_config(op, decoded, ptr, executions=(execution,))
            inputs = _tensor_inputs(i, ends.get(i, len(nodes)), nodes, ptr)
            return make_config(op, {f"arg{k}": t for k, t in enumerate(inputs)}, ptr, executions=(execution,))

        result.item(op, ptr, build_call)
    if records is not None and records.unused:
        result.notes.append(f"python_io records with no matching graph node: {records.unused}")
    if ignored:
        listed = ", ".join(f"{n} ×{c}" for n, c in sorted(ignored.items()))
        result.notes.append(f"top-level calls that are not ttnn operations (not configurations): {listed}")
    if records is None and any(op.startswith("ttnn.") for op in result.present):
        result.notes.append("no python_io sidecar: Python-level calls carry their tensor inputs only")
    return result


class _Records:
    def __init__(self, records: list[dict[str, Json]]) -> None:
        self.pending = list(enumerate(records))

    def pop_for(self, name: str) -> dict[str, Json] | None:
        for k, (idx, rec) in enumerate(self.pending):
            if rec.get("name") == name:
                del self.pending[k]
                return {**rec, "_index": idx}
        return None

    @property
    def unused(self) -> int:
        return len(self.pending)


def _python_io_records(python_io: Json | None, shown: str) -> _Records | None:
    if python_io is None:
        return None
    if not isinstance(python_io, list) or not all(isinstance(r, dict) for r in python_io):
        raise TraceFormatError(shown + " (python_io)", "expected a list of call records")
    return _Records(python_io)


def _from_record(
    op: str, record: dict[str, Json], ptr: str, execution: Execution, nodes: list[Node], tensors: dict[int, int]
) -> OpConfig:
    rptr = f"python_io#/{record['_index']}"
    raw = record.get("arguments")
    if not isinstance(raw, dict):
        raise Reject(join_pointer(rptr, "arguments"), "python_io arguments must be an object")
    args: dict[str, ArgValue] = {}
    for key, text in raw.items():
        aptr = join_pointer(rptr, "arguments", key)
        if not isinstance(text, str):
            raise Reject(aptr, "a python_io argument must be its printed text")
        if _POSITION.match(key):
            name = f"arg{key}"
        elif POSITIONAL.match(key):
            raise Reject(aptr, f"keyword {key!r} is spelled like a positional argument")
        else:
            name = key
        if name in args:
            raise Reject(aptr, f"argument {name} appears twice")
        args[name] = guarded(aptr, partial(parse_python_arg, text))
    output = None
    out_ids = record.get("output_tensor_ids")
    if isinstance(out_ids, list) and len(out_ids) == 1 and type(out_ids[0]) is int and out_ids[0] in tensors:
        idx = tensors[out_ids[0]]
        output = tensor_from_node(nodes[idx].params, join_pointer("/graph", idx, "params"))
    return make_config(op, args, ptr, executions=(execution,), output=output)


def _tensor_inputs(start: int, end: int, nodes: list[Node], ptr: str) -> list[TensorValue]:
    """The tensors the call's first nested device operation consumed (its input_tensors)."""
    for j in range(start + 1, end):
        inner = nodes[j]
        if inner.kind == "function_start" and inner.level == nodes[start].level + 1:
            out = []
            for t in inner.input_tensors:
                if not 0 <= t < len(nodes) or nodes[t].kind != "tensor":
                    raise Reject(join_pointer("/graph", j, "input_tensors"), f"input {t} is not a tensor node")
                out.append(tensor_from_node(nodes[t].params, join_pointer("/graph", t, "params")))
            return out
    raise Reject(ptr, "call has no nested operation to take tensor inputs from")
