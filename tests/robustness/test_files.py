"""Atomic writes keep what is around the file (issue 11, items 17 and 18)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from ttgen.files import write_atomic
from ttgen.trace.masterfile import merge_into_master

ROOT = Path(__file__).resolve().parents[2]
MASTER = ROOT / "traced_operations" / "ttnn_operations_master.json"


def test_a_symlinked_master_stays_a_link_and_its_target_keeps_its_mode(tmp_path: Path) -> None:
    real = tmp_path / "store" / "master.json"
    real.parent.mkdir()
    real.write_text(MASTER.read_text())
    os.chmod(real, 0o640)
    link = tmp_path / "master.json"
    link.symlink_to(real)

    from ttgen.ingest import ingest_path

    configs = list(ingest_path(MASTER).master().operations[0][1])
    write_atomic(link, "{}")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "{}"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640

    real.write_text(MASTER.read_text())
    merge_into_master(link, configs)
    assert link.is_symlink()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert not (tmp_path / "master.json.lock").exists(), "the lock belongs beside the real file"


def test_a_new_file_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new.json", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o640


def test_a_writer_killed_mid_write_leaves_nothing_after_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "master.json"
    # a real writer killed with SIGKILL between creating its temporary file and renaming it
    code = (
        "import os, sys, pathlib, ttgen.files as f\n"
        "os.replace = lambda *a: os.kill(os.getpid(), 9)\n"
        "f.write_atomic(pathlib.Path(sys.argv[1]), 'half')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(target)], check=False)
    assert proc.returncode == -9
    leftovers = [p.name for p in tmp_path.iterdir()]
    assert len(leftovers) == 1 and leftovers[0].endswith(".tmp"), leftovers

    # a live writer's temporary file (this process's parent shell is alive) is never touched
    live = tmp_path / f".master.json.ttgen-{os.getppid()}-abc123.tmp"
    live.write_text("in flight")
    other = tmp_path / ".notes.txt.tmp"
    other.write_text("not ours")

    write_atomic(target, "whole")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(["master.json", live.name, other.name])
    assert target.read_text() == "whole"
