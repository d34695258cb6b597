"""`ttgen compile --out` never overwrites or removes what ttgen did not write, and `check` says
what to do with a file that is not ttgen's (issue 11, items 1 and 19)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import ttgen

ROOT = Path(__file__).resolve().parents[2]
MASTER = ROOT / "traced_operations" / "ttnn_operations_master.json"
TTGEN = [sys.executable, "-m", "ttgen.cli"]


def ttgen_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TTGEN, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_users_files_in_the_output_folder_are_never_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "tests_out"
    out.mkdir()
    (out / "conftest.py").write_text("# the user's own conftest\n")
    (out / "__init__.py").write_text("")
    before = snapshot(out)
    done = ttgen_cli("compile", "--all", "--master", str(MASTER), "--out", str(out))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "__init__.py, conftest.py: not written by ttgen" in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert snapshot(out) == before, "nothing is written when one file is not ttgen's"


def test_only_files_the_previous_manifest_lists_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    assert ttgen_cli("compile", "--all", "--master", str(MASTER), "--out", str(out)).returncode == 0
    # another tree's generated file copied in (it carries the mark, but this folder never listed it)
    other = out / "vendored" / "other_tree.py"
    other.parent.mkdir()
    shutil.copy(out / "conftest.py", other)
    done = ttgen_cli("compile", "--all", "--master", str(MASTER), "--out", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    assert other.exists(), "a generated file this folder's manifest never listed was removed"


def test_the_project_root_and_the_package_are_refused_as_output(tmp_path: Path) -> None:
    project = tmp_path / "repo"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (project / "sub").mkdir()
    package = Path(ttgen.__file__).resolve().parent
    before = snapshot(package)
    for out, cwd in ((".", project), ("..", project / "sub"), (str(package), project), (str(package / "x"), project)):
        done = ttgen_cli("compile", "--all", "--master", str(MASTER), "--out", out, cwd=cwd)
        assert done.returncode == 2, (out, done.stdout + done.stderr)
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert sorted(p.name for p in project.iterdir()) == ["pyproject.toml", "sub"]
    assert snapshot(package) == before


def test_check_says_what_to_do_with_a_file_ttgen_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    assert ttgen_cli("compile", "--all", "--master", str(MASTER), "--out", str(out)).returncode == 0
    (out / "helpers.py").write_text("def mine() -> int:\n    return 1\n")
    done = ttgen_cli("check", "--master", str(MASTER), "--out", str(out))
    assert done.returncode == 1
    assert "helpers.py: not ttgen's" in done.stdout and "move it out of" in done.stdout, done.stdout
    assert "regenerate" not in done.stdout
    # compile leaves it alone, and check keeps saying so
    assert ttgen_cli("compile", "--all", "--master", str(MASTER), "--out", str(out)).returncode == 0
    assert (out / "helpers.py").read_text().startswith("def mine")
