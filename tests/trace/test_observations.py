"""The newer observation of a known configuration wins (issue 11, item 4): when ttnn changes an
op's output spec, a re-trace updates the master's `return_value`, the generated `expected=`
follows, and `ttgen diff` shows the configuration as content-changed. `ttgen import` of a newer
trace does the same, and says so."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.trace.test_trace import PRELUDE, TTGEN, configs, trace
from ttgen.compile.compiler import compile_master

# ttnn "changes": relu (and every unary op) now returns its result in L1 unless told otherwise
NEW_TTNN = """
import ttgen.emu.ops as ops
from ttgen.emu.types import L1_MEMORY_CONFIG

ops._default_mc = lambda t, memory_config: memory_config if memory_config is not None else L1_MEMORY_CONFIG
"""


def ttgen(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TTGEN, *args], cwd=project, capture_output=True, text=True, timeout=600)


def relu(master: Path) -> dict[str, object]:
    [config] = configs(master)["ttnn.relu"]
    return config


def buffer(config: dict[str, object]) -> str:
    out = config["return_value"]
    assert isinstance(out, dict)
    return str(out["memory_config"]["buffer_type"])


def test_a_retrace_updates_the_output_spec_and_diff_shows_it(tmp_path: Path) -> None:
    (tmp_path / "test_one.py").write_text(PRELUDE + "\n\ndef test_a(device):\n    ttnn.relu(x(device))\n")
    assert trace(tmp_path, "--", "test_one.py").returncode == 0
    master, old = tmp_path / "master.json", tmp_path / "old.json"
    shutil.copy(master, old)
    before = relu(master)
    assert buffer(before) == "BufferType.DRAM"

    (tmp_path / "conftest.py").write_text(NEW_TTNN)
    done = trace(tmp_path, "--", "test_one.py")
    assert done.returncode == 0, done.stdout + done.stderr
    after = relu(master)
    assert buffer(after) == "BufferType.L1", "the master kept the stale return value"
    assert (after["config_hash"], after["config_id"]) == (before["config_hash"], before["config_id"])
    assert f"return_value of ttnn.relu {before['config_hash']} updated" in done.stdout

    # the generated case expects what ttnn returns now
    sweep = compile_master(master, tmp_path / "generated").files["sweeps/ttnn/relu.py"]
    expected = sweep[sweep.index("expected=") :]
    assert "L1_MEMORY_CONFIG" in expected.split(")")[0] + expected.split(")")[1], expected[:300]

    diff = ttgen(tmp_path, "diff", "old.json", "master.json", "--json")
    [op] = [o for o in json.loads(diff.stdout)["operations"] if o["operation"] == "ttnn.relu"]
    assert op["changed"] and op["unchanged"] == 1 and not op["added"] and not op["removed"]
    assert op["content_changed"] == [str(before["config_hash"])[:12]]
    assert op["content_changes"] == {str(before["config_hash"])[:12]: ["return_value"]}
    assert [f["status"] for f in op["files"]] == ["changed"]
    text = ttgen(tmp_path, "diff", "old.json", "master.json").stdout
    assert f"~ {str(before['config_hash'])[:12]}: return_value changed" in text

    # tracing again changes nothing: the update is a fixed point
    first = master.read_bytes()
    again = trace(tmp_path, "--", "test_one.py")
    assert "; unchanged" in again.stdout and master.read_bytes() == first


def test_import_of_a_newer_trace_updates_the_output_spec(tmp_path: Path) -> None:
    (tmp_path / "test_one.py").write_text(PRELUDE + "\n\ndef test_a(device):\n    ttnn.relu(x(device))\n")
    assert trace(tmp_path, "--", "test_one.py").returncode == 0
    (tmp_path / "conftest.py").write_text(NEW_TTNN)
    newer = tmp_path / "newer"
    kept = ttgen(
        tmp_path, "trace", "--master", "other.json", "--backend", "emu", "--keep", str(newer), "--", "test_one.py"
    )
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert buffer(relu(tmp_path / "master.json")) == "BufferType.DRAM"

    done = ttgen(tmp_path, "import", str(newer), "--master", "master.json")
    assert done.returncode == 0, done.stderr
    assert buffer(relu(tmp_path / "master.json")) == "BufferType.L1"
    assert "0 configurations added, 1 already present" in done.stdout
    assert "return_value of ttnn.relu" in done.stdout and f"from {newer}" in done.stdout

    # an input that recorded no return value (an older era) leaves the master's
    doc = json.loads((tmp_path / "master.json").read_text())
    [config] = doc["operations"]["ttnn.relu"]["configurations"]
    del config["return_value"]
    (tmp_path / "no_output.json").write_text(json.dumps(doc))
    again = ttgen(tmp_path, "import", "no_output.json", "--master", "master.json")
    assert again.returncode == 0 and "updated" not in again.stdout
    assert buffer(relu(tmp_path / "master.json")) == "BufferType.L1"
