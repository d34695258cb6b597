"""`ttgen report`: the per-op table, JSON, the HTML page (rendered in a real headless Chromium),
and the OpTest export, from a real run of the chaos fixture and the generated suite."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from tests.conftest import generated_cases
from tests.runner.sweeps import CHAOS

ROOT = Path(__file__).resolve().parent.parent.parent
TTGEN = [sys.executable, "-m", "ttgen.cli"]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")

# tt-metal infra/data_collection OpTest fields (shared/reference/upstream-trace-formats.md §2.8)
OPTEST_FIELDS = {
    "github_job_id", "full_test_name", "test_start_ts", "test_end_ts", "test_case_name", "filepath", "success",
    "skipped", "error_message", "error_hash", "config", "frontend", "model_name", "op_kind", "op_name",
    "framework_op_name", "inputs", "outputs", "op_params", "git_sha", "status", "card_type", "backend",
    "data_source", "input_hash", "message", "exception", "metrics", "op_params_set",
}  # fmt: skip


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("report")
    (tmp / "state").mkdir()
    db = tmp / "results.sqlite"
    subprocess.run(
        [*TTGEN, "run", str(CHAOS), "generated", "--backend", "emu", "--results", str(db)],
        cwd=ROOT,
        capture_output=True,
        timeout=300,
        env={**os.environ, "CHAOS_STATE": str(tmp / "state")},
        check=False,
    )
    return db


def ttgen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TTGEN, *args], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


def test_report_table_and_json(store: Path) -> None:
    table = ttgen("report", "--results", str(store))
    assert table.returncode == 0, table.stderr
    assert "chaos.op" in table.stdout and "ttnn.softmax" in table.stdout and "worst PCC" in table.stdout
    doc = json.loads(ttgen("report", "--results", str(store), "--json").stdout)
    chaos = next(op for op in doc["ops"] if op["op"] == "chaos.op")
    assert chaos["counts"] == {
        "PASS": 3, "FAIL_ASSERT": 1, "FAIL_EXCEPTION": 2, "FAIL_L1_OUT_OF_MEM": 1, "INVALID": 1, "CRASH": 2,
        "HANG": 1, "SKIP": 2, "XFAIL": 1, "XPASS": 1,
    }  # fmt: skip
    assert chaos["worst_pcc"] == 0.5 and chaos["slowest_case"] == "hang"
    assert len(doc["unexpected"]) == 8 and doc["run"]["status"] == "complete"
    assert ttgen("report", "--results", str(store), "--run", "99").returncode == 2


def test_optest_export_has_upstream_fields(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "optest.json"
    assert ttgen("report", "--results", str(store), "--export", "optest", str(out)).returncode == 0
    records = json.loads(out.read_text())
    assert len(records) == 15 + sum(generated_cases().values()) and all(set(r) == OPTEST_FIELDS for r in records)
    by_case = {r["input_hash"]: r for r in records}
    assert by_case["segfault"]["status"] == "fail_crash_hang" and not by_case["segfault"]["success"]
    assert by_case["l1_oom"]["status"] == "fail_l1_out_of_mem"
    assert by_case["skip"]["status"] == "skipped" and by_case["skip"]["skipped"]
    add = next(r for r in records if r["op_name"] == "add")
    assert (
        add["op_kind"] == "ttnn"
        and add["status"] == "pass"
        and add["filepath"].endswith("generated/sweeps/ttnn/add.py")
    )
    assert add["frontend"] == "ttnn.op" and add["data_source"] == "ttnn op test"


def png_size_and_colours(path: Path) -> tuple[int, int, int]:
    """Width, height and the number of distinct colours of an 8-bit RGB(A) PNG (stdlib only)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, width, height, kind = 8, [], 0, 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        tag, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if tag == b"IHDR":
            width, height, depth, kind = struct.unpack(">IIBB", body[:10])
            assert depth == 8
        elif tag == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    raw = zlib.decompress(b"".join(chunks))
    step = {2: 3, 6: 4}[kind]
    stride = width * step + 1
    colours = set()
    for y in range(0, height, 7):  # filtered rows; sampled bytes still tell a blank page from a chart
        row = raw[y * stride + 1 : (y + 1) * stride]
        colours.update(row[x : x + 3] for x in range(0, len(row), step * 5))
    return width, height, len(colours)


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium (apt-get install chromium; .ci/run installs it)")
def test_html_report_renders_in_headless_chromium(store: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    assert ttgen("report", "--results", str(store), "--html", str(page)).returncode == 0
    html = page.read_text()
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert html.count("<svg") == 2 and "chaos.op" in html and "Pass rate per op" in html
    shot = tmp_path / "report.png"
    assert CHROMIUM is not None
    subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1200,1400",
            page.as_uri(),
        ],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    width, height, colours = png_size_and_colours(shot)
    assert (width, height) == (1200, 1400)
    assert colours > 10  # bars in ten status colours and text: not a blank page


def test_every_status_is_counted_in_exactly_one_report_column() -> None:
    from ttgen.facts.status import Status
    from ttgen.runner.report import COLUMNS

    placed = [s for group in COLUMNS.values() for s in group]
    assert sorted(placed, key=lambda s: s.value) == sorted(Status, key=lambda s: s.value)
