"""Limits of ingest (issue 11, items 13, 15, 20): peak memory bounded by the master's size, a
linear UnparsedElement repair, special files refused by name, and the streamed read of a master
giving exactly what parsing the whole file gives (results, rejections, notes, errors)."""

from __future__ import annotations

import copy
import json
import os
import re
import socket
import subprocess
import sys
import types
import typing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import ttgen.model as model
from tests.conftest import EMBEDDED_MASTER, SEED_MASTER, UPSTREAM
from ttgen.ingest import IngestResult, TraceFormatError, ingest_document, ingest_path
from ttgen.ingest.jsonload import parse_json_text
from ttgen.ingest.master import _grid_sets_to_lists
from ttgen.model import BufferType, TensorValue

ROOT = Path(__file__).resolve().parent.parent
TTGEN = [sys.executable, "-m", "ttgen.cli"]
MASTERS = [EMBEDDED_MASTER, SEED_MASTER, *sorted(UPSTREAM.glob("*.json"))]


def ttgen(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TTGEN, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


# ----------------------------------------------------------------------------- memory (item 13)


def _v2_configs() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in MASTERS:
        doc = json.loads(path.read_text())
        for op, entry in doc["operations"].items():
            out += [
                (op, c) for c in entry["configurations"] if isinstance(c, dict) and isinstance(c["arguments"], dict)
            ]
    return out


def write_large_master(path: Path, size: int) -> int:
    """Real configurations replicated, each copy with its tensors' leading dimension scaled (its
    own config_hash), in compact JSON (the most configurations per byte), one at a time."""
    seeds = _v2_configs()
    by_op: dict[str, list[dict[str, Any]]] = {}
    for op, c in seeds:
        by_op.setdefault(op, []).append(c)
    per_copy = sum(len(json.dumps(c, separators=(",", ":"))) for _, c in seeds)
    n = 0
    with path.open("w") as f:
        f.write('{"operations":{')
        for i, (op, configs) in enumerate(sorted(by_op.items())):
            f.write(("," if i else "") + json.dumps(op) + ':{"configurations":[')
            for k in range(size // per_copy + 1):
                for j, c in enumerate(configs):
                    c = copy.deepcopy(c)
                    for v in c["arguments"].values():
                        if isinstance(v, dict) and v.get("type") == "ttnn.Tensor" and v.get("original_shape"):
                            v["original_shape"][0] *= k + 1
                    c["config_hash"] = f"{k:06d}{j:04d}" + str(c.get("config_hash", ""))[:40]
                    f.write(("," if k or j else "") + json.dumps(c, separators=(",", ":")))
                    n += 1
            f.write("]}")
        f.write("}}")
    return n


def peak_rss(code: str, *args: str) -> int:
    """Peak RSS in bytes of one child process running `code` (wait4's own figure for it)."""
    proc = subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0
    return usage.ru_maxrss * 1024


def test_ingest_of_a_20_mb_master_peaks_under_5x_its_size(tmp_path: Path) -> None:
    master = tmp_path / "large.json"
    n = write_large_master(master, 20_000_000)
    size = master.stat().st_size
    imports = "import sys\nfrom ttgen.ingest import ingest_path\n"
    read = f"r = ingest_path(sys.argv[1])\nassert r.reconciles() and sum(r.present.values()) == {n}\n"
    baseline = peak_rss(imports)
    used = peak_rss(imports + read, str(master)) - baseline
    # json.loads's tree of the whole file next to an IR of unshared pydantic objects took ~12x
    assert used <= 5 * size, f"ingest of {size / 1e6:.0f} MB peaked {used / 1e6:.0f} MB above the baseline"


# ----------------------------------------------------------------------------- repair (item 15)


def _old_grid_scan(text: str) -> str:
    """The repair as it was specified (one bracket scan per grid), as the reference."""
    out, pos = [], 0
    for m in re.finditer(r'"grid":\s*\{\s*\[', text):
        if m.start() < pos:
            continue
        brace = text.index("{", m.start() + len('"grid":'))
        depth = 0
        for j in range(brace, len(text)):
            depth += 1 if text[j] in "{[" else -1 if text[j] in "}]" else 0
            if text[j] in "}]" and depth == 0:
                if text[j] == "}":
                    out.append(text[pos:brace] + "[" + text[brace + 1 : j] + "]")
                    pos = j + 1
                break
    return "".join([*out, text[pos:]])


@given(st.lists(st.sampled_from(['"grid":{[', '"grid": { [', "{", "}", "[", "]", ",", '"x"', "1", " "]), max_size=30))
@settings(max_examples=400, deadline=None)
def test_linear_grid_repair_rewrites_exactly_what_the_bracket_scan_did(tokens: list[str]) -> None:
    text = "".join(tokens)
    assert _grid_sets_to_lists(text) == _old_grid_scan(text)


@pytest.mark.parametrize(
    "info",
    [
        '{"arg0": ' + '{"grid": {[' * 100_000,  # every grid unclosed: each scan ran to the end
        '{"arg0": ' + '{"grid": {[' * 50_000 + "]]" * 50_000,  # nested, each closed by a ]
    ],
    ids=["unclosed", "nested-mismatched"],
)
def test_repairing_a_megabyte_unparsed_element_takes_seconds_not_hours(tmp_path: Path, info: str) -> None:
    master = tmp_path / "v1.json"
    master.write_text(
        json.dumps({"operations": {"ttnn::pad": {"configurations": [[{"UnparsedElement": {"element_info": info}}]]}}})
    )
    done = ttgen("stats", str(master), "--json", timeout=60)  # quadratic, this took about an hour
    assert done.returncode == 0, done.stderr
    (file,) = json.loads(done.stdout)["files"]
    (rejection,) = file["rejections"]
    assert rejection["pointer"] == "/operations/ttnn::pad/configurations/0/0/UnparsedElement/element_info"
    assert "could not be repaired" in rejection["reason"]


# ----------------------------------------------------------------------------- special files (items 13, 20)


def _one_line_refusal(path: Path, what: str) -> None:
    with pytest.raises(TraceFormatError, match=re.escape(what)):
        ingest_path(path)
    done = ttgen("stats", str(path))
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert path.as_posix() in done.stderr and what in done.stderr, done.stderr


def test_a_socket_as_a_master_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "master.json"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))
        _one_line_refusal(path, "is a socket, not a regular file")


def test_a_master_larger_than_memory_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "master.json"
    with path.open("wb") as f:
        f.truncate(1 << 40)  # sparse: 1 TB that reads as zeros, without end in practice
    _one_line_refusal(path, f"is {1 << 40} bytes")  # more than the memory available, or too large to read


def test_a_fifo_status_file_refuses_the_directory_instead_of_passing_its_calls(tmp_path: Path) -> None:
    test_dir = tmp_path / "calls" / "test_x"
    test_dir.mkdir(parents=True)
    call = {"operation_name": "ttnn.relu", "args": [{"position": 0, "value": 1}], "kwargs": {}}
    (test_dir / "0001_ttnn.relu.json").write_text(json.dumps(call))
    os.mkfifo(test_dir / "_status.json")  # the test's status cannot be read: nothing may pass unsaid
    _one_line_refusal(tmp_path / "calls", "test_x/_status.json: is a FIFO, not a regular file")


# ----------------------------------------------------------------------------- streaming == whole parse


def _outcome(read: Any) -> Any:
    try:
        r: IngestResult = read()
    except TraceFormatError as e:
        return str(e)
    return (
        r.format,
        [(c.config, c.pointer) for c in r.configs],
        r.rejections,
        r.present,
        r.parsed,
        r.notes,
        r.metadata,
    )


def assert_streamed_as_parsed(path: Path) -> None:
    """ingest_path streams a master's configurations; parsing the whole text first is the
    reference (what json.loads accepts, its errors, and everything read from it)."""
    shown = path.as_posix()
    whole = _outcome(lambda: ingest_document(parse_json_text(path.read_text(), shown), shown))
    assert _outcome(lambda: ingest_path(path)) == whole


ARGS = '{"arguments": {"arg0": 1}}'


def master(entries: str, rest: str = "") -> str:
    return '{"operations": {' + entries + "}" + rest + "}"


def add(configurations: str, rest: str = "") -> str:
    return '"ttnn.add": {"configurations": [' + configurations + "]" + rest + "}"


def args(value: str) -> str:
    return '{"arguments": {"a": ' + value + "}}"


CRAFTED = {
    "notes": master(add(ARGS, ', "x": 1'), ', "y": 2, "metadata": {"z": 1}'),
    "metadata-first": '{"metadata": {"models": 3}, ' + master(add(ARGS))[1:],
    "entry-not-object": master('"ttnn.add": 5, "ttnn.relu": {"configurations": [' + ARGS + "]}"),
    "configurations-not-list": master('"ttnn.add": {"configurations": {}}'),
    "no-configurations": master('"ttnn.add": {"x": []}'),
    "operations-not-object": '{"operations": [], "metadata": {}}',
    "bad-op-name": master('"not an op": {"configurations": [' + ARGS + ", " + ARGS + "]}"),
    "escaped-key": master('"ttnn.\\u0061dd": {"configurations": [' + ARGS + "]}"),
    "whitespace": ' \n\t{ "operations" :\r{ "ttnn.add" : { "configurations" : [ ' + ARGS + " , " + ARGS + " ] } } } \n",
    "empty": master(""),
    "nan": master(add(args("NaN") + ", " + args("-Infinity"))),
    "trailing-comma": master(add(ARGS + ",")),
    "trailing-comma-object": master(add(ARGS) + ","),
    "duplicate-top": '{"operations": {}, "operations": {}}',
    "duplicate-op": master(add("") + ", " + add("")),
    "duplicate-configurations": master(add("", ', "configurations": []')),
    "duplicate-in-config": master(add('{"arguments": {"a": 1, "a": 2}}')),
    "extra-data": master("") + " x",
    "unterminated": master(add(ARGS))[:-3],
    "bom": "\ufeff" + master(""),
    "control-char": master(add(args('"\x01"'))),
    "lone-surrogate": master(add(args('"\\ud800"'))),
    "huge-int": master(add(args("1" * 5000))),
    "deep": master(add("[" * 5000 + "]" * 5000)),
    "not-a-master": '{"content": [{"operation": "ttnn.add", "arguments": []}]}',
    "unknown-object": '{"graph": 1}',
    "top-list": "[]",
}


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_streamed_master_reads_as_the_whole_parse(tmp_path: Path, name: str) -> None:
    path = tmp_path / "m.json"
    path.write_text(CRAFTED[name])
    assert_streamed_as_parsed(path)


@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.name)
@pytest.mark.parametrize("layout", ["as-is", "compact", "indented"])
def test_streamed_fixture_masters_read_as_the_whole_parse(tmp_path: Path, master: Path, layout: str) -> None:
    path = tmp_path / master.name
    text = master.read_text()
    if layout != "as-is":
        text = json.dumps(json.loads(text), indent=None if layout == "compact" else 4)
    path.write_text(text)
    assert_streamed_as_parsed(path)


_TEXTS = [p.read_text() for p in MASTERS]


@given(
    st.sampled_from(_TEXTS),
    st.integers(min_value=0),
    st.sampled_from(["delete", "insert", "cut"]),
    st.sampled_from(list('{}[],:" \n0aN')),
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_mutated_master_streams_as_it_parses(tmp_path: Path, text: str, at: int, how: str, char: str) -> None:
    structural = [i for i, ch in enumerate(text[:20_000]) if ch in '{}[],:"']
    i = structural[at % len(structural)]
    mutated = {"delete": text[:i] + text[i + 1 :], "insert": text[:i] + char + text[i:], "cut": text[:i]}[how]
    path = tmp_path / "m.json"
    path.write_text(mutated)
    assert_streamed_as_parsed(path)


# ----------------------------------------------------------------------------- shared IR values


def test_equal_parts_of_configurations_are_one_object_and_stay_independent_values() -> None:
    result = ingest_path(EMBEDDED_MASTER)
    specs = [a.value.spec for c in result.configs for a in c.config.arguments if isinstance(a.value, TensorValue)]
    memory_configs = [s.memory_config for s in specs]
    machines = [e.machine_info for c in result.configs for e in c.config.executions]
    for values in (specs, memory_configs, machines):
        assert len({id(v) for v in values}) == len(set(values)) < len(values)  # one object per value
    assert len({id(c.config) for c in result.configs}) == len(result.configs)  # configurations never shared

    shared = max(set(memory_configs), key=memory_configs.count)
    before = (shared.model_dump(), set(shared.model_fields_set))
    other = shared.model_copy(
        update={"buffer_type": BufferType.L1 if shared.buffer_type is BufferType.DRAM else BufferType.DRAM}
    )
    assert other != shared and (shared.model_dump(), set(shared.model_fields_set)) == before


def _kinds(annotation: Any) -> set[str]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _kinds(typing.get_args(annotation)[0])
    if origin is typing.Union or isinstance(annotation, types.UnionType):
        return set().union(*(_kinds(a) for a in typing.get_args(annotation)))
    if origin is tuple or (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        return {"by identity"}
    return {"number"} if annotation in (int, bool, float) else {"other"}


def test_no_ir_field_holds_both_a_number_and_a_model_or_tuple() -> None:
    """The interner keys a model by its parts: models and tuples by identity (id), numbers by
    value. A field that could hold either would let a number pass for an object's id."""
    for name in dir(model):
        cls = getattr(model, name)
        if isinstance(cls, type) and issubclass(cls, BaseModel):
            for field, info in cls.model_fields.items():
                assert not {"number", "by identity"} <= _kinds(info.annotation), f"{name}.{field}"


GROW = """
import os, sys, time
path, reader = sys.argv[1], int(sys.argv[2])
def opened():
    try:
        return any(os.readlink(f"/proc/{reader}/fd/{fd}") == path for fd in os.listdir(f"/proc/{reader}/fd"))
    except OSError:
        return False
while not opened():
    time.sleep(0.0005)
while os.path.getsize(path) < 1 << 40:  # sparse: no disk used
    os.truncate(path, os.path.getsize(path) + (64 << 20))
    time.sleep(0.0005)
"""


def test_a_master_that_grows_without_end_is_refused_not_read_forever(tmp_path: Path) -> None:
    path = tmp_path / "master.json"
    with path.open("w") as f:
        f.write('{"operations": {}}')
        f.truncate(200 << 20)
    # 2 GB of address space for the reader: on main it read until the kernel killed it
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))"
    code = f"{limit}\nimport sys\nfrom ttgen.cli import app\nsys.argv = ['ttgen', 'stats', {str(path)!r}]\napp()"
    reader = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    writer = subprocess.Popen([sys.executable, "-c", GROW, str(path), str(reader.pid)])  # grows it once it is open
    try:
        _, stderr = reader.communicate(timeout=60)
    finally:
        for p in (reader, writer):
            p.kill()
            p.wait()
    assert reader.returncode == 2 and stderr.count("\n") == 1 and path.as_posix() in stderr, stderr
    # (a writer starved of CPU for the whole read leaves a file of NULs past the JSON: refused too)
    assert "still growing" in stderr or "not valid JSON" in stderr, stderr
