"""`ttgen import`: merging real traces of every era into one master, concurrently."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import SEED_MASTER, TTNN_TRACES, UPSTREAM, needs_shared
from ttgen.ingest import ingest_path

ROOT = Path(__file__).resolve().parent.parent.parent
TTGEN = [sys.executable, "-m", "ttgen.cli"]


def inputs() -> list[Path]:
    return [
        *sorted(p for p in UPSTREAM.glob("*.json") if "mini" not in p.name),
        TTNN_TRACES / "operation_parameters",
        TTNN_TRACES / "graph_report.json",
        SEED_MASTER,
    ]


def identity(master: Path) -> dict[tuple[str, str], list[tuple[str, int]]]:
    result = ingest_path(master)
    assert result.rejections == [] and result.reconciles()
    return {
        (c.config.operation, c.config.config_hash): sorted((e.source, e.count) for e in c.config.executions)
        for c in result.configs
    }


@needs_shared
def test_eight_concurrent_imports_give_the_union(tmp_path: Path) -> None:
    sources = inputs()
    assert len(sources) >= 6
    serial = tmp_path / "serial.json"
    done = subprocess.run(
        [*TTGEN, "import", *map(str, sources), "--master", str(serial)], cwd=ROOT, capture_output=True
    )
    assert done.returncode == 0, done.stderr
    concurrent = tmp_path / "concurrent.json"
    jobs = (sources * 2)[:8]  # eight processes; some inputs twice (merging is idempotent)
    procs = [
        subprocess.Popen([*TTGEN, "import", str(p), "--master", str(concurrent)], cwd=ROOT, stdout=subprocess.PIPE)
        for p in jobs
    ]
    assert [p.wait(300) for p in procs] == [0] * 8
    json.loads(concurrent.read_text())  # valid JSON
    assert identity(concurrent) == identity(serial)
    doc = json.loads(concurrent.read_text())
    total = sum(len(v["configurations"]) for v in doc["operations"].values())
    assert doc["metadata"]["total_configurations"] == total == len(identity(serial))
    assert not list(tmp_path.glob(".concurrent.json.*"))  # no temporary file left behind


@needs_shared
def test_import_is_idempotent_and_keeps_config_ids(tmp_path: Path) -> None:
    master = tmp_path / "m.json"
    first = subprocess.run(
        [*TTGEN, "import", str(SEED_MASTER), "--master", str(master)], cwd=ROOT, text=True, capture_output=True
    )
    assert "15 configurations added" in first.stdout
    before = json.loads(master.read_text())
    again = subprocess.run(
        [*TTGEN, "import", str(SEED_MASTER), "--master", str(master)], cwd=ROOT, text=True, capture_output=True
    )
    assert "0 configurations added, 15 already present" in again.stdout
    after = json.loads(master.read_text())
    before["metadata"].pop("last_updated"), after["metadata"].pop("last_updated")
    assert before == after


@needs_shared
def test_a_master_with_unreadable_configurations_is_never_rewritten(tmp_path: Path) -> None:
    master = tmp_path / "mini.json"
    shutil.copy(UPSTREAM / "ttnn_operations_master_mini.json", master)
    text = master.read_text()
    done = subprocess.run(
        [*TTGEN, "import", str(SEED_MASTER), "--master", str(master)], cwd=ROOT, text=True, capture_output=True
    )
    assert done.returncode == 2 and "refusing to rewrite" in done.stderr
    assert master.read_text() == text


def test_a_master_with_keys_ttgen_does_not_keep_is_never_rewritten(tmp_path: Path) -> None:
    for where in ("top", "metadata", "operation"):
        doc = json.loads(SEED_MASTER.read_text())
        if where == "top":
            doc["team_note"] = "kept by hand"
        elif where == "metadata":
            doc["metadata"]["reviewed_by"] = "someone"
        else:
            doc["operations"]["ttnn.add"]["owner"] = "someone"
        master = tmp_path / f"{where}.json"
        master.write_text(json.dumps(doc))
        text = master.read_text()
        done = subprocess.run(
            [*TTGEN, "import", str(SEED_MASTER), "--master", str(master)], cwd=ROOT, text=True, capture_output=True
        )
        assert done.returncode == 2 and "holds data ttgen does not keep" in done.stderr, (where, done.stderr)
        pointer, key = {"top": ("", "team_note"), "metadata": ("/metadata", "reviewed_by")}.get(
            where, ("/operations/ttnn.add", "owner")
        )
        assert f"{master}#{pointer}: holds data ttgen does not keep (keys {key})" in done.stderr, done.stderr
        assert master.read_text() == text
