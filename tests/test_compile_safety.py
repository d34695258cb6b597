"""compile and check against hostile or unlucky output folders, masters and trees (issue 11:
items 1, 7, 8, 13, 14, 19), end to end through the console script on the real filesystem."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tokenize
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import ttgen
from tests.conftest import EMBEDDED_MASTER

TTGEN = shutil.which("ttgen", path=str(Path(sys.executable).parent)) or "ttgen"


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    """This test's own $XDG_CACHE_HOME: what 'this machine' has recorded, starting from nothing."""
    folder = tmp_path / "xdg-cache"
    folder.mkdir()
    return folder


def run(*args: str, cwd: Path, cache: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "XDG_CACHE_HOME": str(cache), **(env or {})}
    return subprocess.run([TTGEN, *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=full)


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ttgen: error: "), proc.stderr
    return lines[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path: Path, cache: Path) -> Path:
    """A user's repository: pyproject.toml, the embedded master, compiled into generated/."""
    repo = tmp_path / "repo"
    (repo / "traced_operations").mkdir(parents=True)
    (repo / "pyproject.toml").write_text("[project]\nname = 'mine'\n")
    shutil.copy(EMBEDDED_MASTER, repo / "traced_operations" / EMBEDDED_MASTER.name)
    proc = run("compile", "--all", cwd=repo, cache=cache)
    assert proc.returncode == 0, proc.stderr
    return repo


def edit_manifest_digest(gen: Path, rel: str) -> None:
    """What a pull request that edits a generated file can also do: put its new digest in."""
    manifest = json.loads((gen / "MANIFEST.json").read_text())
    manifest["files"][rel]["sha256"] = hashlib.sha256((gen / rel).read_bytes()).hexdigest()
    (gen / "MANIFEST.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


# ----------------------------------------------------------------------------- item 1


def test_compile_never_overwrites_a_file_without_the_mark(project: Path, cache: Path) -> None:
    gen = project / "generated"
    (gen / "conftest.py").write_text("# my own fixtures\n")
    before = snapshot(gen)
    master = project / "traced_operations" / EMBEDDED_MASTER.name
    master.write_text(master.read_text().replace('"count": 1', '"count": 2', 1))  # every op would be rewritten
    line = one_line_error(run("compile", "--all", cwd=project, cache=cache))
    assert "conftest.py: not written by ttgen" in line and "nothing was written" in line
    assert snapshot(gen) == before


def test_a_manifest_ttgen_did_not_write_is_not_overwritten(tmp_path: Path, cache: Path) -> None:
    out = tmp_path / "pkg"
    out.mkdir()
    (out / "MANIFEST.json").write_text('{"name": "someone else\'s manifest"}\n')
    line = one_line_error(
        run("compile", "--all", "--master", str(EMBEDDED_MASTER), "--out", "pkg", cwd=tmp_path, cache=cache)
    )
    assert "MANIFEST.json: not written by ttgen" in line
    assert snapshot(out) == {"MANIFEST.json": b'{"name": "someone else\'s manifest"}\n'}


def test_a_folder_where_a_generated_file_goes_is_refused_before_writing(tmp_path: Path, cache: Path) -> None:
    out = tmp_path / "gen"
    (out / "conftest.py").mkdir(parents=True)
    line = one_line_error(
        run("compile", "--all", "--master", str(EMBEDDED_MASTER), "--out", "gen", cwd=tmp_path, cache=cache)
    )
    assert "conftest.py is a folder" in line
    assert [p.name for p in out.iterdir()] == ["conftest.py"]


def test_compile_removes_only_what_the_previous_manifest_lists(project: Path, cache: Path) -> None:
    gen = project / "generated"
    # another tree's generated file (it carries the mark, this folder's manifest never listed it)
    other = gen / "vendored" / "other.py"
    other.parent.mkdir()
    shutil.copy(gen / "sweeps" / "ttnn" / "add.py", other)
    # a forged manifest entry pointing out of the folder, at a file that carries the mark
    outside = project / "outside.py"
    shutil.copy(gen / "conftest.py", outside)
    manifest = json.loads((gen / "MANIFEST.json").read_text())
    manifest["files"]["../outside.py"] = {"sha256": "0" * 64, "inputs": None}
    (gen / "MANIFEST.json").write_text(json.dumps(manifest))
    # an op leaves the master: its two files are listed, so they go
    master = project / "traced_operations" / EMBEDDED_MASTER.name
    doc = json.loads(master.read_text())
    del doc["operations"]["ttnn.exp"]
    master.write_text(json.dumps(doc))
    proc = run("compile", "--all", cwd=project, cache=cache)
    assert proc.returncode == 0, proc.stderr
    assert "2 removed" in proc.stdout, proc.stdout
    assert not (gen / "sweeps" / "ttnn" / "exp.py").exists() and not (gen / "tests" / "ttnn" / "test_exp.py").exists()
    assert other.exists() and outside.exists()


@pytest.mark.parametrize(
    ("out", "where", "expected"),
    [
        (".", "repo", "project root"),
        ("{repo}", "repo", "project root"),
        ("{repo}", "repo/sub", "project root"),
        ("{repo}/sub", "repo/sub/deeper", "working directory"),
        ("{other}", "repo", "holds pyproject.toml"),
        ("{package}", "repo", "ttgen's own package"),
        ("{package}/generated", "repo", "ttgen's own package"),
        ("{package_parent}", "repo", "ttgen's own package|project's root"),  # editable: the parent is a repo
    ],
)
def test_output_folders_that_are_not_folders_of_their_own_are_refused(
    tmp_path: Path, cache: Path, out: str, where: str, expected: str
) -> None:
    repo = tmp_path / "repo"
    (repo / "sub" / "deeper").mkdir(parents=True)
    (repo / "pyproject.toml").write_text("[project]\nname = 'mine'\n")
    other = tmp_path / "other_project"
    other.mkdir()
    (other / "pyproject.toml").write_text("")
    package = Path(ttgen.__file__).resolve().parent
    out = out.format(repo=repo, other=other, package=package, package_parent=package.parent)
    before = {p: snapshot(p) for p in (repo, other)}
    package_files = sorted(
        p.relative_to(package).as_posix() for p in package.rglob("*") if "__pycache__" not in p.parts
    )
    cwd = tmp_path / where
    for command in ("compile", "check"):
        args = [command, "--master", str(EMBEDDED_MASTER), "--out", out] + (["--all"] if command == "compile" else [])
        line = one_line_error(run(*args, cwd=cwd, cache=cache))
        assert any(e in line for e in expected.split("|")), line
    assert {p: snapshot(p) for p in (repo, other)} == before
    assert (
        sorted(p.relative_to(package).as_posix() for p in package.rglob("*") if "__pycache__" not in p.parts)
        == package_files
    )


# ----------------------------------------------------------------------------- item 13


def test_unusable_output_paths_are_one_line_errors(tmp_path: Path, cache: Path) -> None:
    afile = tmp_path / "notes.txt"
    afile.write_text("mine\n")
    cases = {
        str(afile): "is a file, not a folder",
        str(afile / "generated"): "is under",
        "/sys/generated": "/sys/generated",
        "/proc/generated": "/proc/generated",
        str(tmp_path / ("g" * 300)): "File name too long",
        str(tmp_path / "deep" / ("g" * 300) / "generated"): "File name too long",
    }
    for out, expected in cases.items():
        line = one_line_error(
            run("compile", "--all", "--master", str(EMBEDDED_MASTER), "--out", out, cwd=tmp_path, cache=cache)
        )
        assert expected in line, (out, line)
    assert afile.read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "xdg-cache"]


def mount_tmpfs(mount: Path, size: str) -> None:
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root and CAP_SYS_ADMIN): {done.stderr.strip()}")


@pytest.fixture
def disks(tmp_path: Path) -> Iterator[list[Path]]:
    """Real full disks: small tmpfs mounts (each file takes at least one 4 KiB page), unmounted after."""
    mounted: list[Path] = []
    yield mounted
    for mount in mounted:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def small_disk(disks: list[Path], tmp_path: Path, size: str) -> Path:
    mount = tmp_path / "disk"
    mount_tmpfs(mount, size)
    disks.append(mount)
    return mount


def test_a_full_disk_writes_nothing_and_says_so(disks: list[Path], tmp_path: Path, cache: Path) -> None:
    disk = small_disk(disks, tmp_path, "64k")  # generated/ for the embedded master takes ~45 pages
    args = ("compile", "--all", "--master", str(EMBEDDED_MASTER), "--out", "generated")
    line = one_line_error(run(*args, cwd=disk, cache=cache))
    assert "No space left on device" in line and "nothing was written" in line, line
    assert list(disk.iterdir()) == []  # not even the folder it created


def test_a_full_disk_leaves_the_previous_tree_as_it_was(disks: list[Path], tmp_path: Path, cache: Path) -> None:
    disk = small_disk(disks, tmp_path, "256k")
    doc = json.loads(EMBEDDED_MASTER.read_text())
    doc["operations"] = {op: doc["operations"][op] for op in ("ttnn.add", "ttnn.exp")}  # a tree that fits
    (disk / "m.json").write_text(json.dumps(doc))
    assert run("compile", "--all", "--master", "m.json", "--out", "generated", cwd=disk, cache=cache).returncode == 0
    before = snapshot(disk / "generated")
    # another master path changes every op file's header, and the disk is nearly full (3 pages left)
    (disk / "again.json").write_text((disk / "m.json").read_text())
    free = shutil.disk_usage(disk).free
    (disk / "filler").write_bytes(b"x" * max(free - 12 * 1024, 0))
    line = one_line_error(
        run("compile", "--all", "--master", "again.json", "--out", "generated", cwd=disk, cache=cache)
    )
    assert "No space left on device" in line and "nothing was written" in line, line
    assert snapshot(disk / "generated") == before
    assert [p.name for p in (disk / "generated").iterdir() if p.name.startswith(".")] == []
    (disk / "filler").unlink()  # room again: the same compile goes through
    assert (
        run("compile", "--all", "--master", "again.json", "--out", "generated", cwd=disk, cache=cache).returncode == 0
    )


# ----------------------------------------------------------------------------- item 7


def test_check_catches_an_edit_whose_digest_was_put_into_the_manifest(project: Path, cache: Path) -> None:
    gen = project / "generated"
    sweep = gen / "sweeps" / "ttnn" / "softmax.py"
    text = sweep.read_text()
    assert "0.989" in text
    sweep.write_text(text.replace('"default": 0.989', '"default": 0.5'))  # a weaker PCC threshold
    edit_manifest_digest(gen, "sweeps/ttnn/softmax.py")
    proc = run("check", cwd=project, cache=cache)
    assert proc.returncode == 1, proc.stdout
    assert "generated/sweeps/ttnn/softmax.py: hand-edited" in proc.stdout
    assert '-PCC: Final[dict[str, float]] = {"default": 0.5' in proc.stdout


def test_check_catches_a_deleted_case_on_a_fresh_clone(project: Path, tmp_path: Path) -> None:
    gen = project / "generated"
    sweep = gen / "sweeps" / "ttnn" / "add.py"
    lines = sweep.read_text().splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("CASES"))
    end = next(i for i in range(start + 2, len(lines)) if lines[i].startswith('    "'))  # the second case
    del lines[start + 1 : end]
    sweep.write_text("".join(lines))
    edit_manifest_digest(gen, "sweeps/ttnn/add.py")
    fresh = tmp_path / "fresh-cache"
    fresh.mkdir()
    proc = run("check", cwd=project, cache=fresh)
    assert proc.returncode == 1 and "generated/sweeps/ttnn/add.py: hand-edited" in proc.stdout, proc.stdout


def test_a_tampered_summary_without_count_does_not_crash_check(project: Path, cache: Path) -> None:
    gen = project / "generated"
    manifest = json.loads((gen / "MANIFEST.json").read_text())
    manifest["summary"]["rejected"] = [{"reason": "x", "operations": ["ttnn.add"]}]
    (gen / "MANIFEST.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    proc = run("check", cwd=project, cache=cache)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 1 and "generated/MANIFEST.json: stale" in proc.stdout, proc.stdout


def test_check_is_fast_only_on_what_this_machine_compiled(project: Path, cache: Path, tmp_path: Path) -> None:
    gen = project / "generated"
    files_before = snapshot(gen)
    fast = run("check", cwd=project, cache=cache)
    assert fast.returncode == 0 and "this machine's compile" in fast.stdout, fast.stdout
    assert snapshot(gen) == files_before  # the record lives outside the folder
    assert len(list((cache / "ttgen" / "check").glob("*.json"))) == 1
    fresh = tmp_path / "clone-cache"
    fresh.mkdir()
    full = run("check", cwd=project, cache=fresh)
    assert full.returncode == 0 and "compared with a fresh compile" in full.stdout, full.stdout
    again = run("check", cwd=project, cache=fresh)  # a full check that found nothing is recorded too
    assert again.returncode == 0 and "this machine's compile" in again.stdout, again.stdout


# ----------------------------------------------------------------------------- item 8


def header(path: Path) -> list[str]:
    return path.read_text().splitlines()[:3]


def test_a_master_path_with_a_newline_stays_in_its_comment(tmp_path: Path, cache: Path) -> None:
    folder = tmp_path / "x\nimport os; os.system('touch PWNED')\nq"
    folder.mkdir()
    shutil.copy(EMBEDDED_MASTER, folder / "m.json")
    proc = run(
        "compile",
        "--all",
        "--master",
        str(folder.relative_to(tmp_path) / "m.json"),
        "--out",
        "generated",
        cwd=tmp_path,
        cache=cache,
    )
    assert proc.returncode == 0, proc.stderr
    sweep = tmp_path / "generated" / "sweeps" / "ttnn" / "exp.py"
    assert header(sweep)[0] == "# @generated by ttgen 0.1.0 from x\\x0aimport os; os.system('touch PWNED')\\x0aq/m.json"
    assert header(sweep)[1].startswith("# inputs: sha256:")
    done = subprocess.run(
        [sys.executable, "-c", "import generated.sweeps.ttnn.exp, generated.tests.ttnn.test_exp"],
        cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "TTGEN_BACKEND": "emu"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "PWNED").exists()


def test_a_coding_word_in_the_master_path_is_no_encoding_declaration(tmp_path: Path, cache: Path) -> None:
    folder = tmp_path / "traces coding:latin-1"
    folder.mkdir()
    shutil.copy(EMBEDDED_MASTER, folder / "m.json")
    proc = run("compile", "--all", "--master", f"{folder.name}/m.json", "--out", "generated", cwd=tmp_path, cache=cache)
    assert proc.returncode == 0, proc.stderr
    for path in (tmp_path / "generated").rglob("*.py"):
        with path.open("rb") as f:
            encoding, _ = tokenize.detect_encoding(f.readline)
        assert encoding == "utf-8", (path, encoding)
    assert "traces coding\\x3alatin-1/m.json" in header(tmp_path / "generated" / "tests" / "ttnn" / "test_add.py")[0]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("# coding: latin-1\nx = 1\n", "PEP 263"),
        ("# @generated\n# vim: set fileencoding=utf-8 :\nx = 1\n", "PEP 263"),
        (
            '"""doc"""\nx = 1\nfrom __future__ import annotations\n',
            "from __future__ imports must occur at the beginning",
        ),
        ("x = 1\x00\n", "null bytes"),
    ],
)
def test_the_parse_back_check_compiles_the_whole_file(source: str, message: str) -> None:
    from ttgen.compile.fmt import FormatError, check_syntax

    with pytest.raises(FormatError, match=message):
        check_syntax(source, "m.py")


def test_templates_take_only_printed_values() -> None:
    from ttgen.compile import render

    template = render._ENV.from_string("x = {{ value }}\n")
    with pytest.raises(TypeError, match="did not go through a printer"):
        template.render(value="1\nimport os")
    from ttgen.compile.printers import str_literal

    assert template.render(value=str_literal("1\nimport os")) == 'x = "1\\nimport os"\n'


def test_sweeps_src_values_print_exactly(tmp_path: Path) -> None:
    """Ranges and thresholds reach the module through the typed printer: an infinite bound is
    `float("inf")`, not a NameError waiting at import."""
    from ttgen.compile.compiler import compile_master
    from ttgen.compile.outputs import write
    from ttgen.compile.sweeps_src import SWEEPS_SRC, load_sweeps_data

    data_root = tmp_path / "sweeps_src"
    shutil.copytree(SWEEPS_SRC, data_root)
    ranges = json.loads((data_root / "ranges.json").read_text())
    ranges["ops"]["ttnn.exp"] = {"*": ["-Infinity", 2.5]}
    (data_root / "ranges.json").write_text(json.dumps(ranges).replace('"-Infinity"', "-Infinity"))
    data = load_sweeps_data(data_root)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        write(compile_master(EMBEDDED_MASTER, Path("generated"), data=data))
    finally:
        os.chdir(cwd)
    text = (tmp_path / "generated" / "sweeps" / "ttnn" / "exp.py").read_text()
    assert 'RANGES: Final[dict[str, tuple[float, float]]] = {"*": (float("-inf"), 2.5)}' in text
    done = subprocess.run(
        [sys.executable, "-c", "import generated.sweeps.ttnn.exp as m; print(m.RANGES)"],
        cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "TTGEN_BACKEND": "emu"},
    )  # fmt: skip
    assert done.returncode == 0 and "(-inf, 2.5)" in done.stdout, done.stderr


# ----------------------------------------------------------------------------- item 14


def wide_master(shapes: int, ops: tuple[str, ...] = ("ttnn.add",)) -> dict[str, Any]:
    """`shapes` configurations per op whose two tensors vary independently: shapes² combinations."""
    doc = json.loads(EMBEDDED_MASTER.read_text())
    seed = doc["operations"]["ttnn.add"]["configurations"][1]
    operations: dict[str, Any] = {}
    for op in ops:
        configs = []
        for k in range(shapes):
            c = copy.deepcopy(seed)
            c.pop("return_value", None)
            c.pop("config_id", None)
            # batch dims that broadcast against each other: every combination is a valid add
            c["arguments"]["arg0"]["original_shape"] = [k + 1, 1, 32, 32]
            c["arguments"]["arg1"]["original_shape"] = [1, k + 1, 32, 32]
            c["config_hash"] = hashlib.sha256(f"{op}{k}".encode()).hexdigest()
            configs.append(c)
        operations[op] = {"configurations": configs}
    return {"operations": operations, "metadata": {}}


def test_all_cases_has_a_global_cap_reported_like_the_per_group_one(tmp_path: Path, cache: Path) -> None:
    (tmp_path / "m.json").write_text(json.dumps(wide_master(30, ("ttnn.add", "ttnn.multiply"))))
    proc = run(
        "compile",
        "--all",
        "--all-cases",
        "--max-cases",
        "100",
        "--master",
        "m.json",
        "--out",
        "gen",
        cwd=tmp_path,
        cache=cache,
    )
    assert proc.returncode == 0, proc.stderr
    # 900 combinations per op: add stops after 100 new cases, multiply is not enumerated at all
    assert (
        "all-cases: 1800 combinations of traced values; 104 enumerated: 100 new cases, 0 pruned as invalid,"
        " 4 already traced" in proc.stdout
    ), proc.stdout
    assert (
        "not enumerated: 1696 (0 in groups over the per-group limit, 1696 over the cap of 100 new cases" in proc.stdout
    )
    assert "ttnn.add: 796 of 900 combinations not enumerated" in proc.stdout
    assert "ttnn.multiply: 900 of 900 combinations not enumerated" in proc.stdout
    manifest = json.loads((tmp_path / "gen" / "MANIFEST.json").read_text())
    assert manifest["max_cases"] == 100 and manifest["summary"]["combinations"] == 100
    assert manifest["summary"]["combinations_over_cap"] == 1696
    # check recompiles with the recorded cap, on this machine and on a fresh one
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    for where in (cache, fresh):
        done = run("check", "--master", "m.json", "--out", "gen", cwd=tmp_path, cache=where)
        assert done.returncode == 0 and "--max-cases 100" in done.stdout, done.stdout
    assert "--max-cases" in run("compile", "--help", cwd=tmp_path, cache=cache, env={"COLUMNS": "200"}).stdout


def test_enumeration_stops_at_the_cap() -> None:
    """Lazy: a 19,600-combination group with a budget of 10 builds 10 configurations, not 19,600."""
    import time

    from ttgen.compile.all_cases import Budget, expand
    from ttgen.ingest import ingest_path
    from ttgen.signatures.bind import bind
    from ttgen.signatures.catalog import load_catalog

    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"ttgen-wide-{uuid.uuid4().hex}.json"
    path.write_text(json.dumps(wide_master(140)))
    try:
        configs = [c.config for c in ingest_path(path).configs]
    finally:
        path.unlink()
    catalog = load_catalog()
    bound = [(c, bind(c, catalog)) for c in configs]
    budget = Budget(10)
    start = time.perf_counter()
    result = expand("ttnn.add", bound, budget=budget)
    elapsed = time.perf_counter() - start
    assert result.combinations == 140 * 140
    assert len(result.configs) == 10 and budget.used == 10
    assert result.enumerated + result.over_cap == result.combinations and result.enumerated < 20
    assert elapsed < 10, elapsed  # the full product takes minutes
    later = expand("ttnn.add", bound, budget=budget)  # the next op finds the cap reached
    assert later.configs == [] and later.over_cap == 140 * 140 and later.capped


# ----------------------------------------------------------------------------- item 19


def test_check_says_what_to_do_with_files_ttgen_did_not_write(project: Path, cache: Path) -> None:
    gen = project / "generated"
    (gen / "pytest.ini").write_text("[pytest]\naddopts = -p no:ttgen\n")  # not a .py: still collected config
    (gen / "tests" / "ttnn" / "test_mine.py").write_text("def test_mine() -> None:\n    pass\n")
    (gen / ".pytest_cache").mkdir()
    (gen / ".pytest_cache" / "CACHEDIR.TAG").write_bytes(b"Signature: 8a477f597d28d172789f06886806bc55\n")
    (gen / ".pytest_cache" / "README.md").write_text("pytest's cache\n")  # a tool's cache: not reported
    proc = run("check", cwd=project, cache=cache)
    assert proc.returncode == 1
    found = sorted(line.split(":")[0] for line in proc.stdout.splitlines() if ": not ttgen's:" in line)
    assert found == ["generated/pytest.ini", "generated/tests/ttnn/test_mine.py"], proc.stdout
    assert "move it out of generated/" in proc.stdout
    assert "regenerate" not in proc.stdout and "orphaned" not in proc.stdout
    assert run("compile", "--all", cwd=project, cache=cache).returncode == 0
    assert (gen / "pytest.ini").exists() and (gen / "tests" / "ttnn" / "test_mine.py").exists()
