"""Writing the master keeps what is around it (issue 11, items 17 and 18): a symlinked master
stays a link, its target keeps its mode and owner; a writer killed mid-write leaves a temporary
file that a later write removes once it is stale, never a live writer's, never anyone else's."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

import ttgen.files as files
from tests.conftest import SEED_MASTER
from tests.trace.test_trace import TTGEN


def ttgen(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TTGEN, *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_import_through_a_symlink_chain_keeps_the_links_mode_and_owner(tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.mkdir()
    real = store / "master.json"
    real.write_text(SEED_MASTER.read_text())
    os.chmod(real, 0o640)
    owner = (os.stat(real).st_uid, os.stat(real).st_gid)
    if os.geteuid() == 0:
        os.chown(real, 4321, 4321)
        owner = (4321, 4321)
    (tmp_path / "links").mkdir()
    hop = tmp_path / "links" / "hop.json"
    hop.symlink_to("../store/master.json")  # relative, resolved from the link's own folder
    link = tmp_path / "master.json"
    link.symlink_to("links/hop.json")

    extra = tmp_path / "extra.json"
    extra.write_text(SEED_MASTER.read_text().replace('"count": 1', '"count": 7', 1))
    done = ttgen(tmp_path, "import", "extra.json", "--master", "master.json")
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and os.readlink(link) == "links/hop.json"
    assert hop.is_symlink() and os.readlink(hop) == "../store/master.json"
    assert '"count": 7' in real.read_text()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert (real.stat().st_uid, real.stat().st_gid) == owner
    assert sorted(p.name for p in store.iterdir()) == ["master.json", "master.json.lock"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["extra.json", "links", "master.json", "store"]


def test_stale_temporary_files_are_removed_and_no_other(tmp_path: Path) -> None:
    target = tmp_path / "master.json"
    target.write_text("old")
    ours = ".master.json.ttgen-"
    dead, alive = dead_pid(), os.getppid()
    here = files._writer_space()
    elsewhere = "0badcafe" if here != "0badcafe" else "1badcafe"
    names = {
        "killed": f"{ours}{dead}-{here}-k1ll3d_x.tmp",  # its writer is dead: stale
        "killed_old_style": f"{ours}{dead}-abc123.tmp",  # a pid-only name: stale when the pid is dead
        "live": f"{ours}{alive}-{here}-l1ve_abc.tmp",  # a live writer's: kept
        "own_pid": f"{ours}{os.getpid()}-{here}-thr3ad_a.tmp",  # this process's (a thread's): kept
        "foreign": f"{ours}{dead}-{elsewhere}-c0nt41nr.tmp",  # another container's: its pid means nothing here
        "foreign_old": f"{ours}{dead}-{elsewhere}-0ld_0ld0.tmp",  # ... but a day old: stale
        "alive_but_ancient": f"{ours}{alive}-{here}-r3used_p.tmp",  # a reused pid, a day old: stale
        "other_target": f".other.json.ttgen-{dead}-{here}-n0tm1ne0.tmp",
        "lookalike": ".master.json.abcd1234.tmp",  # not ttgen's pattern (an editor's, or older ttgen's)
        "user_file": "master.json.ttgen-1-a.tmp",
    }
    for name in names.values():
        (tmp_path / name).write_text("partial")
    ancient = time.time() - files.ABANDONED_AFTER_S - 60
    for key in ("foreign_old", "alive_but_ancient"):
        os.utime(tmp_path / names[key], (ancient, ancient))
    (tmp_path / f"{ours}{dead}-{here}-d1r3ct0r.tmp").mkdir()  # not a file: not ours to remove

    files.write_atomic(target, "new")
    left = {p.name for p in tmp_path.iterdir()}
    removed = {k for k, n in names.items() if n not in left}
    assert removed == {"killed", "killed_old_style", "foreign_old", "alive_but_ancient"}
    assert target.read_text() == "new"
    assert f"{ours}{dead}-{here}-d1r3ct0r.tmp" in left


def test_a_writer_killed_by_sigkill_is_cleaned_up_by_the_next_import(tmp_path: Path) -> None:
    master = tmp_path / "master.json"
    master.write_text(SEED_MASTER.read_text())
    code = (
        "import os, sys, pathlib, ttgen.files as f\n"
        "os.replace = lambda *a: os.kill(os.getpid(), 9)\n"  # killed between writing and renaming
        "f.write_atomic(pathlib.Path(sys.argv[1]), 'half')\n"
    )
    assert subprocess.run([sys.executable, "-c", code, str(master)], check=False).returncode == -9
    assert len(list(tmp_path.glob(".master.json.*.tmp"))) == 1
    assert master.read_text() == SEED_MASTER.read_text()  # the old master survived
    done = ttgen(tmp_path, "import", str(SEED_MASTER), "--master", "master.json")
    assert done.returncode == 0, done.stderr
    assert list(tmp_path.glob(".master.json.*.tmp")) == []


@pytest.mark.parametrize("writers", [8])
def test_concurrent_writers_never_remove_each_others_temporary_files(tmp_path: Path, writers: int) -> None:
    target = tmp_path / "shared.txt"
    code = (
        "import sys, pathlib, ttgen.files as f\n"
        "for i in range(40):\n"
        "    f.write_atomic(pathlib.Path(sys.argv[1]), sys.argv[2] * 20000, durable=True)\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(target), str(n)], stderr=subprocess.PIPE, text=True)
        for n in range(writers)
    ]
    results = [(p.wait(300), p.stderr.read() if p.stderr else "") for p in procs]
    assert all(rc == 0 for rc, _ in results), [err for rc, err in results if rc]
    assert [p.name for p in tmp_path.iterdir()] == ["shared.txt"]
    assert len(set(target.read_text())) == 1
