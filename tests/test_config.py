"""A repository configures ttgen in its pyproject.toml ([tool.ttgen]): master, output folder and
a sweeps_src overlay, relative to that file; flags override them; a broken table is one line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import SEED_MASTER

TTGEN = shutil.which("ttgen", path=str(Path(sys.executable).parent)) or "ttgen"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TTGEN, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def repository(tmp_path: Path, table: str) -> Path:
    repo = tmp_path / "repo"
    (repo / "traces").mkdir(parents=True)
    shutil.copy(SEED_MASTER, repo / "traces" / "master.json")
    (repo / "pyproject.toml").write_text(f'[project]\nname = "model"\n\n[tool.ttgen]\n{table}\n', encoding="utf-8")
    (repo / "src").mkdir()
    return repo


def test_the_configured_master_output_and_overlay_apply_from_a_subfolder(tmp_path: Path) -> None:
    repo = repository(tmp_path, 'master = "traces/master.json"\noutput = "sweeps_out"\nsweeps_src = "overlay"')
    (repo / "overlay").mkdir()
    # the repository's own reference and threshold for ttnn.relu, and a known failure
    (repo / "overlay" / "goldens.json").write_text(json.dumps({"goldens": {"ttnn.relu": "identity"}}))
    (repo / "overlay" / "pcc.json").write_text(json.dumps({"ops": {"ttnn.relu": 0.97}}))
    proc = run("compile", "--op", "relu", cwd=repo / "src")
    assert proc.returncode == 0, proc.stderr
    module = (repo / "sweeps_out" / "sweeps" / "ttnn" / "relu.py").read_text()
    assert 'GOLDEN: Final = "identity"' in module and '"default": 0.97' in module
    assert run("check", cwd=repo).returncode == 1  # only relu was written
    assert run("compile", "--all", cwd=repo).returncode == 0
    add = (repo / "sweeps_out" / "sweeps" / "ttnn" / "add.py").read_text()
    assert 'GOLDEN: Final = "add"' in add  # the built-in data stays under the overlay
    assert run("check", cwd=repo / "src").returncode == 0
    # an overlay edit is a change `check` sees
    (repo / "overlay" / "pcc.json").write_text(json.dumps({"ops": {"ttnn.relu": 0.96}}))
    proc = run("check", cwd=repo)
    assert proc.returncode == 1 and "relu.py" in proc.stdout


def test_flags_override_the_configuration(tmp_path: Path) -> None:
    repo = repository(tmp_path, 'master = "traces/missing.json"\noutput = "configured"')
    proc = run("compile", "--all", "--master", "traces/master.json", "--out", "flagged", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert (repo / "flagged" / "MANIFEST.json").is_file() and not (repo / "configured").exists()


def test_a_broken_table_is_one_line_naming_the_file_and_key(tmp_path: Path) -> None:
    repo = repository(tmp_path, 'master = "traces/master.json"\nouptut = "typo"')
    proc = run("show", cwd=repo)
    assert proc.returncode == 2
    line = proc.stderr.strip()
    assert "\n" not in line and str(repo / "pyproject.toml") in line and "ouptut" in line, line
    repo2 = repository(tmp_path / "b", 'sweeps_src = "overlay"')
    (repo2 / "overlay").mkdir()
    (repo2 / "overlay" / "pcc.json").write_text("{not json")
    proc = run("compile", "--all", "--master", "traces/master.json", cwd=repo2)
    assert proc.returncode == 2 and "overlay/pcc.json" in proc.stderr and "\n" not in proc.stderr.strip()


def test_init_scaffolds_a_repository_and_keeps_what_is_there(tmp_path: Path) -> None:
    repo = tmp_path / "model"
    repo.mkdir()
    (repo / "pyproject.toml").write_text('[project]\nname = "model"\n', encoding="utf-8")
    (repo / ".pre-commit-config.yaml").write_text("repos: []\n", encoding="utf-8")
    proc = run("init", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "kept .pre-commit-config.yaml" in proc.stdout
    assert (repo / ".pre-commit-config.yaml").read_text() == "repos: []\n"
    text = (repo / "pyproject.toml").read_text()
    assert text.startswith('[project]\nname = "model"\n') and text.count("[tool.ttgen]") == 1
    for rel in (
        "traced_operations/ttnn_operations_master.json",
        "sweeps_src/expectations.json",
        ".github/workflows/ttgen.yml",
    ):
        assert (repo / rel).is_file(), rel
    again = run("init", cwd=repo)
    assert again.returncode == 0 and (repo / "pyproject.toml").read_text() == text  # never twice
    # the scaffold works as is: an empty master compiles, checks, and its configured paths apply
    assert run("compile", "--all", cwd=repo).returncode == 0
    assert (repo / "generated" / "MANIFEST.json").is_file()
    assert run("check", cwd=repo).returncode == 0


def test_compile_options_fail_in_one_line_with_a_suggestion(tmp_path: Path) -> None:
    repo = repository(tmp_path, 'master = "traces/master.json"')
    proc = run("compile", "--op", "addd", cwd=repo)
    assert proc.returncode == 2 and "did you mean ttnn.add?" in proc.stderr
    proc = run("compile", "--op", "add", "--all", cwd=repo)
    assert proc.returncode == 2 and "exclude each other" in proc.stderr
    proc = run("compile", "--op", "relu", cwd=repo)
    assert proc.returncode == 0 and "master.json: 1 op," in proc.stdout  # relu's counts, not the master's
    assert run("--version", cwd=repo).stdout.startswith("ttgen ")
    assert "<bool>" not in run("compile", "--help", cwd=repo).stdout
