"""The ttgen command line, run as a user runs it (the installed console script, in a subprocess)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EMBEDDED_MASTER, ROOT, SEED_MASTER, TTNN_TRACES, UPSTREAM, fixture_inputs, needs_shared

TTGEN = shutil.which("ttgen", path=str(Path(sys.executable).parent)) or "ttgen"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TTGEN, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_show_lists_the_embedded_master_by_default() -> None:
    proc = run("show", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["master"] == "traced_operations/ttnn_operations_master.json"
    raw = json.loads(EMBEDDED_MASTER.read_text())["operations"]
    want = {
        op: {
            "operation": op,
            "configurations": len(v["configurations"]),
            "executions": sum(e["count"] for c in v["configurations"] for e in c["executions"]),
        }
        for op, v in raw.items()
    }
    assert {r["operation"]: r for r in doc["operations"]} == want


def test_show_table_is_readable() -> None:
    proc = run("show", "--master", str(SEED_MASTER))
    assert proc.returncode == 0
    assert "ttnn.sigmoid_accurate" in proc.stdout and "11 operations" in proc.stdout


@pytest.mark.parametrize("spelling", ["add", "ttnn.add", "ttnn::add"])
def test_show_op_accepts_every_spelling(spelling: str) -> None:
    proc = run("show", spelling, "--json", "--master", str(SEED_MASTER))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["operation"] == "ttnn.add" and len(doc["configurations"]) == 3


def test_show_op_prints_configs_like_the_analyzer() -> None:
    proc = run("show", "ttnn.add", "--master", str(SEED_MASTER))
    assert proc.returncode == 0
    assert (
        "Tensor(shape=[1, 1, 256, 64], dtype=BFLOAT16, layout=TILE, memory=L1_HEIGHT_SHARDED, "
        "shard(shape=[32, 64], grid=[(0,0)→(7,0)], orientation=ROW_MAJOR))"
    ) in proc.stdout
    assert "from tools/write_seed_master.py ×2 (Wormhole, n150, 1 card)" in proc.stdout


def test_show_unknown_op_is_a_one_line_error() -> None:
    proc = run("show", "ad")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "did you mean add" in proc.stderr


@needs_shared
def test_stats_json_reconciles_for_every_fixture() -> None:
    proc = run("stats", *[str(p) for p in fixture_inputs()], "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert len(doc["files"]) == len(fixture_inputs())
    for f in doc["files"]:
        assert f["parsed"] + f["rejected"] == f["configurations"], f["path"]
        assert len(f["rejections"]) == f["rejected"]
        for op, counts in f["per_operation"].items():
            assert counts["parsed"] + counts["rejected"] == counts["configurations"], op
        for r in f["rejections"]:
            assert set(r) == {"operation", "pointer", "reason"} and r["pointer"] and r["reason"]
    total = doc["total"]
    assert total["parsed"] + total["rejected"] == total["configurations"]


@needs_shared
def test_stats_v2_fixture_fields() -> None:
    proc = run("stats", str(UPSTREAM / "sweep_trace_gpt_oss.json"), "--json")
    (f,) = json.loads(proc.stdout)["files"]
    assert {k: f[k] for k in ("format", "operations", "configurations", "parsed", "rejected")} == {
        "format": "v2",
        "operations": 37,
        "configurations": 132,
        "parsed": 132,
        "rejected": 0,
    }
    assert f["declared"] == {"operations": 37, "configurations": 132}


@needs_shared
def test_show_reads_per_call_directories_and_graph_reports() -> None:
    assert run("show", "matmul", "--master", str(TTNN_TRACES / "operation_parameters")).returncode == 0
    proc = run("show", "relu", "--master", str(TTNN_TRACES / "graph_report.json"))
    assert proc.returncode == 0 and "-> Tensor(shape=[4, 1, 32, 32]" in proc.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"a": 1, "a": 2}', "duplicate key 'a'"),
        ("[1, 2]", "unrecognized trace format"),
        ('{"foo": {}}', "unrecognized trace format (top-level keys: foo)"),
        ('{"operations": []}', "operations must be an object"),
    ],
)
def test_unreadable_input_exits_2_with_one_line_naming_the_file(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    proc = run("stats", str(bad))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and message in lines[0]


def test_rejections_do_not_fail_stats(tmp_path: Path) -> None:
    doc = json.loads(SEED_MASTER.read_text())
    doc["operations"]["ttnn.add"]["configurations"][0]["arguments"]["arg0"]["original_shape"] = "oops"
    path = tmp_path / "m.json"
    path.write_text(json.dumps(doc))
    proc = run("stats", str(path), "--json")
    assert proc.returncode == 0
    (f,) = json.loads(proc.stdout)["files"]
    assert f["rejections"] == [
        {
            "operation": "ttnn.add",
            "pointer": "/operations/ttnn.add/configurations/0/arguments/arg0/original_shape",
            "reason": "'oops' is not a bracketed list of integers",
        }
    ]
    shown = run("show", "--master", str(path))
    assert shown.returncode == 0 and "1 configuration(s) rejected" in shown.stderr


def test_trace_strings_print_verbatim_never_as_markup(tmp_path: Path) -> None:
    doc = json.loads(SEED_MASTER.read_text())
    cfg = doc["operations"]["ttnn.add"]["configurations"][0]
    cfg["executions"][0]["source"] = "[bold red]models/x.py[/] \\ 'q'"
    path = tmp_path / "m.json"
    path.write_text(json.dumps(doc))
    proc = run("show", "add", "--master", str(path))
    assert "from [bold red]models/x.py[/] \\ 'q' ×4" in proc.stdout


@needs_shared
def test_stats_counts_what_the_compiler_rejects() -> None:
    proc = run("stats", *[str(p) for p in fixture_inputs()], "--json")
    doc = json.loads(proc.stdout)
    for f in doc["files"]:
        c = f["compile"]
        assert c["bound"] + c["rejected"] == c["configurations"], f["path"]
        # infrastructure calls (to_device, ...) are counted apart, so every configuration is accounted for
        assert c["configurations"] + sum(c["excluded"].values()) == f["unique_configurations"], f["path"]
    # a genuine defect of the inputs only: a slice traced without its starts (mini). The
    # semaphores upstream's tracer strips from an all_gather_async (gpt-oss) are made afresh
    # (ttgen.facts.ccl); V1's C++ argument lists (pad's trailing use_multicore, memory_config)
    # bind by keyword
    assert doc["total"]["compile_rejected"] == 1
    mini = next(f for f in doc["files"] if f["path"].endswith("ttnn_operations_master_mini.json"))
    (r,) = mini["compile"]["rejections"]
    assert r["operation"] == "ttnn.slice" and "required parameter starts is not traced" in r["reason"]
