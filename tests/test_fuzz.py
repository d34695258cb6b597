"""Fuzz ingest with mutated real configurations.

Each example takes one real configuration (upstream masters of both eras, per-call records, the
embedded master), applies one to three mutations (wrong types, missing or unknown keys, huge
ints, NaN/inf, unicode, quotes/newlines/backslashes, code-looking strings, corrupted op names)
and ingests it. Allowed outcomes: a result whose counts reconcile (the config parsed or was
rejected with a pointer), or a TraceFormatError. Anything else is a bug. Whatever parses must
also render and survive the canonical round trip.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES, SEED_MASTER, TTNN_TRACES, UPSTREAM
from ttgen.analyze.describe import describe_execution, describe_value
from ttgen.analyze.stats import stats_document
from ttgen.ingest import TraceFormatError, ingest_document
from ttgen.ingest.jsonload import parse_json_text
from ttgen.model.serialize import dumps_master

Json = Any


def _seeds() -> list[tuple[str, Json]]:
    """(kind, document) pairs; kind is 'master' (one op, one config) or 'call'."""
    seeds: list[tuple[str, Json]] = []
    masters = [SEED_MASTER]
    if FIXTURES.is_dir():
        masters += sorted(UPSTREAM.glob("*.json"))
    for path in masters:
        doc = json.loads(path.read_text())
        for op, entry in doc["operations"].items():
            for c in entry["configurations"]:
                seeds.append(("master", {"operations": {op: {"configurations": [c]}}}))
    if FIXTURES.is_dir():
        for f in sorted((TTNN_TRACES / "operation_parameters").glob("*.json")):
            seeds.append(("call", json.loads(f.read_text())))
    return seeds


SEEDS = _seeds()

NASTY_STRINGS = [
    '"',
    "'",
    "\\",
    "\n",
    "\r\n\t",
    "\x00",
    "\ud800",
    "é漢字🙂",
    "__import__('os').system('touch /tmp/ttgen-pwned')",
    "'); import os; os.system('x') #",
    "DataType.BFLOAT16",
    "DataType::NOT_A_TYPE",
    "Layout::TILE",
    "TensorMemoryLayout.HEIGHT_SHARDED",
    "None",
    "nullopt",
    "nan",
    "-inf",
    "ShardSpec{grid=[",
    "MemoryConfig(",
    "ttnn.Tensor(",
    "['PlacementShard(99999999999999999999)']",
    "[4, 8]",
    "{224, 32}",
    "ttnn.add",
    "ttnn::__class__",
    "lambda",
]

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.sampled_from([2**31, 2**63, 2**64, -(2**63) - 1, 10**40, -1, 0]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(NASTY_STRINGS),
    st.lists(st.integers(min_value=-5, max_value=2**40), max_size=5),
    st.lists(st.sampled_from(NASTY_STRINGS), max_size=3),
    st.dictionaries(st.sampled_from(["x", "y", "type", "repr", "value", "start", "end"]), st.integers(), max_size=3),
    st.just({"type": "ttnn.Tensor"}),
    st.just({"UnparsedElement": {"element_info": '{"arg0": {"Tensor": {'}}),
)


def _paths(node: Json, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _parent(doc: Json, path: tuple[Any, ...]) -> Json:
    for key in path[:-1]:
        doc = doc[key]
    return doc


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, Json]:
    kind, seed = draw(st.sampled_from(SEEDS))
    doc = copy.deepcopy(seed)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(doc, path)
        action = draw(st.sampled_from(["replace", "delete", "add_key", "stringify", "rename_op", "duplicate"]))
        if action == "replace":
            parent[path[-1]] = copy.deepcopy(draw(junk))
        elif action == "delete":
            del parent[path[-1]]
        elif action == "add_key" and isinstance(parent, dict):
            parent[draw(st.sampled_from([*NASTY_STRINGS, "extra", "hash", "count"]))] = copy.deepcopy(draw(junk))
        elif action == "stringify":
            parent[path[-1]] = json.dumps(parent[path[-1]])
        elif (
            action == "rename_op" and kind == "master" and isinstance(doc.get("operations"), dict) and doc["operations"]
        ):
            (_op, entry), *_ = doc["operations"].items()
            doc["operations"] = {draw(st.sampled_from([*NASTY_STRINGS, "ttnn.é", "ttnn::x::y"])): entry}
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
        if not isinstance(doc, dict):
            break
    return kind, doc


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_configurations_give_only_typed_outcomes(example: tuple[str, Json]) -> None:
    _kind, doc = example
    try:
        result = ingest_document(doc, "fuzz.json")
    except TraceFormatError as e:
        event("whole input refused (TraceFormatError)")
        assert e.path == "fuzz.json" and e.reason
        return
    event("configuration rejected" if result.rejections else "configuration parsed")
    assert result.reconciles()
    for r in result.rejections:
        assert r.reason and isinstance(r.pointer, str)
    stats_document([result])
    for located in result.configs:
        for a in located.config.arguments:
            describe_value(a.value)
        for e in located.config.executions:
            describe_execution(e)
    master = result.master()
    if master.operations:
        again = ingest_document(parse_json_text(dumps_master(master), "canonical"), "canonical")
        assert again.rejections == []
        assert again.master() == master


def test_there_are_seeds() -> None:
    assert len(SEEDS) >= 15
