"""`ttgen import --master` onto what cannot take a master is a one-line error naming it, exit 2,
and whatever was there is left as it was (issue 11, item 13): a folder, a file that is not a
master, a path that cannot be written, a full disk."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SEED_MASTER
from tests.trace.test_trace import TTGEN

GRAPH = {"content": [{"operation": "ttnn.relu", "arguments": []}]}  # an Era-A serialized graph


def ttgen(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TTGEN, *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def one_line_error(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ttgen: error: "), done.stderr
    assert "Traceback" not in done.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


@contextlib.contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root and mount permission): {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_folder_or_a_trace_is_not_a_master(tmp_path: Path) -> None:
    folder = tmp_path / "traces"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    one_line_error(ttgen(tmp_path, "import", str(SEED_MASTER), "--master", "traces"), "traces", "is a folder")
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["traces"]  # no lock beside it either

    graph = tmp_path / "graph.json"
    graph.write_text(json.dumps(GRAPH))
    text = graph.read_text()
    one_line_error(ttgen(tmp_path, "import", str(SEED_MASTER), "--master", "graph.json"), "graph.json", "not a master")
    assert graph.read_text() == text

    below = tmp_path / "notes.txt"
    below.write_text("a file, not a folder")
    one_line_error(ttgen(tmp_path, "import", str(SEED_MASTER), "--master", "notes.txt/master.json"), "notes.txt")
    assert below.read_text() == "a file, not a folder"


def test_an_unwritable_place_is_a_one_line_error(tmp_path: Path) -> None:
    master = tmp_path / "ro" / "master.json"
    if os.geteuid() != 0:
        master.parent.mkdir()
        shutil.copy(SEED_MASTER, master)
        os.chmod(master.parent, 0o555)
        place: contextlib.AbstractContextManager[object] = contextlib.nullcontext()
    else:  # root writes through permission bits: a read-only mount is what stops it
        place = tmpfs(master.parent, "1m")
    with place:
        if os.geteuid() == 0:
            shutil.copy(SEED_MASTER, master)
            subprocess.run(["mount", "-o", "remount,ro", str(master.parent)], check=True)
        before = master.read_bytes()
        extra = tmp_path / "extra.json"
        extra.write_text(SEED_MASTER.read_text().replace('"count": 1', '"count": 9', 1))
        done = ttgen(tmp_path, "import", str(extra), "--master", str(master))
        one_line_error(done, str(master), "the master was not changed")
        assert master.read_bytes() == before
        if os.geteuid() != 0:
            os.chmod(master.parent, 0o755)


def test_a_full_disk_leaves_the_old_master_intact(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "small", "256k") as disk:
        master = disk / "master.json"
        shutil.copy(SEED_MASTER, master)
        before = master.read_bytes()
        (disk / "master.json.lock").touch()
        fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)  # what the disk has left, taken
        try:
            while os.write(fd, b"\0" * 4096):
                pass
        except OSError as e:
            assert e.errno == errno.ENOSPC
        finally:
            os.close(fd)
        bigger = tmp_path / "bigger.json"
        doc = json.loads(SEED_MASTER.read_text())
        for configs in doc["operations"].values():
            for c in configs["configurations"]:
                c["executions"] = [{**e, "source": e["source"] + "_again"} for e in c["executions"]] + c["executions"]
        bigger.write_text(json.dumps(doc))
        done = ttgen(tmp_path, "import", str(bigger), "--master", str(master))
        one_line_error(done, str(master), "No space left on device", "the master was not changed")
        assert master.read_bytes() == before
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "master.json", "master.json.lock"]
