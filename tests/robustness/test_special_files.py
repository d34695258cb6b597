"""Special files and stray entries (issue 11, items 13 /dev/zero and 20): nothing blocks, reads
forever or is skipped without a word."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, needs_shared
from ttgen.ingest import TraceFormatError, ingest_path

ROOT = Path(__file__).resolve().parents[2]
TTGEN = [sys.executable, "-m", "ttgen.cli"]
CALLS = FIXTURES / "ttnn-0.81.1" / "traces" / "operation_parameters"


def ttgen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TTGEN, *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("kind", ["fifo", "chardev"])
def test_a_special_file_as_a_master_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    if kind == "fifo":
        path = tmp_path / "master.json"
        os.mkfifo(path)
        what = "is a FIFO, not a regular file"
    else:
        path = Path("/dev/zero")
        what = "is a character device, not a regular file"
    with pytest.raises(TraceFormatError, match=what):
        ingest_path(path)
    for verb in (["stats", str(path)], ["show", "--master", str(path)]):
        done = ttgen(*verb)  # a 60 s timeout: on main this blocks (FIFO) or reads forever (/dev/zero)
        assert done.returncode == 2 and what in done.stderr and done.stderr.count("\n") == 1, done.stderr


@needs_shared
def test_a_call_directory_names_what_it_skips_and_never_opens_a_fifo(tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    shutil.copytree(CALLS, calls)
    plain = ingest_path(CALLS)
    (calls / "README.txt").write_text("notes")
    (calls / ".hidden.json").write_text("{}")
    os.mkfifo(calls / "9999_ttnn.add_pipe.json")
    (calls / "gone.json").symlink_to(tmp_path / "nowhere")

    done = subprocess.run([*TTGEN, "stats", str(calls), "--json"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = ingest_path(calls)
    note = next(n for n in result.notes if n.startswith("skipped "))
    assert note.startswith("skipped 4 entries")
    for name in ("README.txt (not a per-call", ".hidden.json (not a per-call", "9999_ttnn.add_pipe.json (a FIFO)"):
        assert name in note, note
    assert "gone.json (cannot stat" in note
    assert len(result.configs) == len(plain.configs) and len(result.rejections) == len(plain.rejections)
