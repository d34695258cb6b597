"""ttgen as another repository installs it: a built wheel (not editable) in a fresh venv compiles
a master and its generated tests pass, outside this checkout — the templates and built-in data
(signature catalog, goldens, PCC, ranges, device parameters) come from the wheel."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEED_MASTER


def sh(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding only the ttgen wheel; its dependencies (numpy, torch, pydantic, ...)
    are this venv's, reached through a path entry, so nothing is downloaded."""
    tmp = tmp_path_factory.mktemp("wheel")
    pip = (sys.executable, "-m", "pip")
    build = sh(*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", tmp, ROOT, cwd=tmp)
    assert build.returncode == 0, build.stderr
    (wheel,) = tmp.glob("ttgen-*.whl")
    env = tmp / "venv"
    venv.EnvBuilder(with_pip=True).create(env)
    python = env / "bin" / "python"
    install = sh(python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel, cwd=tmp)
    assert install.returncode == 0, install.stderr
    site = sh(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp).stdout.strip()
    # a plain path line: the project venv's packages, but not its editable ttgen (a .pth it holds)
    Path(site, "project_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return env


def test_the_wheel_compiles_and_runs_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    python, ttgen = installed / "bin" / "python", installed / "bin" / "ttgen"
    where = sh(python, "-c", "import ttgen; print(ttgen.__file__)", cwd=tmp_path).stdout.strip()
    assert where.startswith(str(installed)), where  # the wheel's copy, not this checkout's
    repo = tmp_path / "model"
    repo.mkdir()
    assert sh(ttgen, "init", cwd=repo).returncode == 0
    shutil.copy(SEED_MASTER, repo / "traced_operations" / "ttnn_operations_master.json")
    proc = sh(ttgen, "compile", "--all", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "rejected" in proc.stdout and (repo / "generated" / "sweeps" / "ttnn" / "add.py").is_file()
    assert sh(ttgen, "check", cwd=repo).returncode == 0
    tests = sh(python, "-m", "pytest", "generated", "-q", "-p", "no:cacheprovider", cwd=repo)
    assert tests.returncode == 0, tests.stdout[-2000:] + tests.stderr[-2000:]
    assert " passed" in tests.stdout
