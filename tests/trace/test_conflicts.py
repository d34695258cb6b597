"""A config_hash is an identity only with its arguments (issue 11, item 3): a configuration that
arrives with a known hash but other arguments is a conflict, reported (op, hash, both pointers)
and kept apart under ttgen's own hash of its arguments, never merged; both compile, with
distinct case ids."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import EMBEDDED_MASTER
from tests.trace.test_trace import PRELUDE, TTGEN, configs, trace
from ttgen.compile.compiler import compile_master
from ttgen.ingest import ingest_path
from ttgen.model.serialize import arguments_to_json, compute_config_hash


def ttgen(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TTGEN, *args], cwd=project, capture_output=True, text=True, timeout=600)


def widen(config: dict[str, Any]) -> None:
    tensor = config["arguments"]["arg0"]
    tensor["original_shape"] = [*tensor["original_shape"][:-1], tensor["original_shape"][-1] * 2]


def compiles_apart(master: Path, op: str, hashes: list[str], tmp_path: Path) -> None:
    comp = compile_master(master, tmp_path / "generated")
    assert [r for r in comp.rejections if r.operation == op] == [], comp.rejections
    sweep = comp.files[f"sweeps/ttnn/{op.removeprefix('ttnn.')}.py"]
    for h in hashes:
        assert f'"{h[:12]}' in sweep, h


def test_import_keeps_a_conflicting_configuration_apart(tmp_path: Path) -> None:
    doc = json.loads(EMBEDDED_MASTER.read_text())
    op = "ttnn.exp"
    [mine] = doc["operations"][op]["configurations"]
    master = tmp_path / "master.json"
    master.write_text(EMBEDDED_MASTER.read_text())

    # another trace: the same hash for other arguments (wider), seen by another test
    other = copy.deepcopy(doc)
    [theirs] = other["operations"][op]["configurations"]
    widen(theirs)
    for e in theirs["executions"]:
        e["source"] = "elsewhere/test_wide.py::test_wide"
    (tmp_path / "other.json").write_text(json.dumps(other))

    done = ttgen(tmp_path, "import", "other.json", "--master", "master.json")
    assert done.returncode == 0, done.stderr
    h = mine["config_hash"]
    [incoming] = [c.config for c in ingest_path(tmp_path / "other.json").configs if c.config.operation == op]
    assigned = compute_config_hash(op, arguments_to_json(incoming), incoming.executions)
    assert assigned != h
    assert (
        f"conflict: {op} config_hash {h} from other.json at /operations/{op}/configurations/0 has other arguments"
        f" than the configuration holding it at /operations/{op}/configurations/0; kept apart as {assigned}"
    ) in done.stdout
    assert "1 configurations added" in done.stdout and "1 conflict kept apart" in done.stdout

    kept = {c["config_hash"]: c for c in configs(master)[op]}
    assert set(kept) == {h, assigned}
    assert kept[h]["arguments"] == mine["arguments"] and kept[h]["executions"] == mine["executions"]
    assert kept[assigned]["arguments"] == theirs["arguments"]
    assert {e["source"] for e in kept[assigned]["executions"]} == {"elsewhere/test_wide.py::test_wide"}
    assert kept[assigned]["config_id"] != kept[h]["config_id"]
    compiles_apart(master, op, [h, assigned], tmp_path)

    # importing it again finds the configuration it was kept apart as: nothing new
    before = master.read_bytes()
    again = ttgen(tmp_path, "import", "other.json", "--master", "master.json")
    assert "0 configurations added" in again.stdout and f"kept apart as {assigned}" in again.stdout
    assert master.read_bytes() == before

    # two inputs of one import that disagree with each other are kept apart too
    fresh = tmp_path / "fresh.json"
    both = ttgen(tmp_path, "import", str(EMBEDDED_MASTER), "other.json", "--master", str(fresh))
    assert both.returncode == 0 and f"conflict: {op} config_hash {h} from other.json" in both.stdout
    assert {c["config_hash"] for c in configs(fresh)[op]} == {h, assigned}


def test_a_retrace_never_merges_into_a_configuration_with_other_arguments(tmp_path: Path) -> None:
    (tmp_path / "test_one.py").write_text(PRELUDE + "\n\ndef test_a(device):\n    ttnn.relu(x(device))\n")
    assert trace(tmp_path, "--", "test_one.py").returncode == 0
    master = tmp_path / "master.json"
    doc = json.loads(master.read_text())
    # the master holds the hash this trace computes, for other arguments and another test
    [held] = doc["operations"]["ttnn.relu"]["configurations"]
    h = held["config_hash"]
    widen(held)
    for e in held["executions"]:
        e["source"] = "elsewhere/test_wide.py::test_wide"
    master.write_text(json.dumps(doc))

    done = trace(tmp_path, "--", "test_one.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"conflict: ttnn.relu config_hash {h} from test_one.py::test_a" in done.stdout
    relu = {c["config_hash"]: c for c in configs(master)["ttnn.relu"]}
    assert len(relu) == 2 and h in relu
    [assigned] = set(relu) - {h}
    assert relu[h]["arguments"] == held["arguments"]
    assert [e["source"] for e in relu[h]["executions"]] == ["elsewhere/test_wide.py::test_wide"]
    assert [e["source"] for e in relu[assigned]["executions"]] == ["test_one.py::test_a"]
    assert relu[assigned]["arguments"]["arg0"]["original_shape"][-1] == 32
    compiles_apart(master, "ttnn.relu", [h, assigned], tmp_path)

    # a re-trace of the same test lands on the configuration it was kept apart as
    first = master.read_bytes()
    again = trace(tmp_path, "--", "test_one.py")
    assert "0 configurations added" in again.stdout and master.read_bytes() == first
