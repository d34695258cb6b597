"""The layers (issue 12): the ttnn names generated code may use are a declared fact, so the
emulator is not part of what generated code is a function of."""

from __future__ import annotations

import enum
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import ttgen.emu as emu
from ttgen.compile.compiler import output_sources
from ttgen.facts import api

ROOT = Path(__file__).resolve().parent.parent
TTGEN = Path(sys.executable).with_name("ttgen")


def test_the_emulator_provides_every_declared_ttnn_name() -> None:
    # what the emulator defines or re-exports (a module __getattr__ answers any other name)
    exported = {
        n
        for n, v in vars(emu).items()
        if not n.startswith("_") and not isinstance(v, types.ModuleType) and n not in ("annotations", "Any")
    }
    assert exported >= api.NAMES, sorted(api.NAMES - exported)
    for name, cls in api.ENUMS.items():
        assert getattr(emu, name) is cls and issubclass(cls, enum.Enum)
    for name in api.CONSTANTS | api.CLASSES:
        assert not callable(getattr(emu, name)) or isinstance(getattr(emu, name), type), name
    # beyond the table: the ops and device functions it runs, and the error of ops it does not model
    assert all(callable(getattr(emu, n)) for n in exported - api.NAMES)


def test_the_fingerprint_covers_no_emulator_or_runtime_code() -> None:
    package = ROOT / "ttgen"
    parts = {p.relative_to(package).parts[0] for p in output_sources()}
    assert not parts & {"emu", "runtime", "runner", "trace", "conformance"}, parts


def test_editing_an_emulator_op_leaves_check_passing_and_the_manifest_unchanged(tmp_path: Path) -> None:
    project = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for part in ("ttgen", "generated", "traced_operations"):
        shutil.copytree(ROOT / part, project / part, ignore=ignore)
    ops = project / "ttgen" / "emu" / "ops.py"
    text = ops.read_text(encoding="utf-8")
    line = 'relu = operation("ttnn.relu")(_unary("relu"))\n'
    assert line in text
    edit = '# an emulator edit: relu emulated twice over\nrelu = operation("ttnn.relu")(_unary("relu"))\n'
    ops.write_text(text.replace(line, edit, 1), encoding="utf-8")
    manifest = (project / "generated" / "MANIFEST.json").read_bytes()
    env = {**os.environ, "PYTHONPATH": str(project), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run([TTGEN, "check"], cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    subprocess.run([TTGEN, "compile", "--all"], cwd=project, env=env, check=True, capture_output=True, timeout=600)
    assert (project / "generated" / "MANIFEST.json").read_bytes() == manifest
    # the same edit to a compiler module does change the fingerprint: the test can tell
    printers = project / "ttgen" / "compile" / "printers.py"
    printers.write_text(printers.read_text(encoding="utf-8") + "\n# a compiler edit\n", encoding="utf-8")
    subprocess.run([TTGEN, "compile", "--all"], cwd=project, env=env, check=True, capture_output=True, timeout=600)
    assert (project / "generated" / "MANIFEST.json").read_bytes() != manifest


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    exe = Path(sys.executable).with_name("lint-imports")
    args = [exe, "--no-cache", str(ROOT / "pyproject.toml")]
    return subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, timeout=300)


def test_a_backward_import_breaks_the_layer_contracts(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "ttgen", tmp_path / "ttgen", ignore=shutil.ignore_patterns("__pycache__"))
    kept = lint_imports(tmp_path)
    assert kept.returncode == 0, kept.stdout
    facts = tmp_path / "ttgen" / "facts" / "enums.py"
    facts.write_text(facts.read_text(encoding="utf-8") + "\nimport ttgen.model  # a fact reaching up\n")
    emu = tmp_path / "ttgen" / "emu" / "numerics.py"
    emu.write_text(emu.read_text(encoding="utf-8") + "\nimport ttgen.runtime.case  # the emulator reaching over\n")
    broken = lint_imports(tmp_path)
    assert broken.returncode == 1
    assert "ttgen.facts is not allowed to import ttgen.model" in broken.stdout, broken.stdout
    assert "ttgen.emu is not allowed to import ttgen.runtime" in broken.stdout, broken.stdout


def test_the_fingerprint_covers_exactly_the_modules_the_compiler_imports() -> None:
    import grimp

    graph = grimp.build_graph("ttgen")
    compiler = {m for m in graph.modules if m.startswith("ttgen.compile")}
    needed = {m for m in set(compiler).union(*(graph.find_upstream_modules(m) for m in compiler)) if m != "ttgen"}
    package = ROOT / "ttgen"
    listed = set()
    for path in output_sources():
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        listed.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    assert needed <= listed, sorted(needed - listed)
    # beyond what grimp reports, only the packages Python runs on the way to a module
    assert {m for m in listed - needed if (package.parent / m.replace(".", "/") / "__init__.py").is_file()} == (
        listed - needed
    )
    assert {"ttgen.facts.status", "ttgen.emu", "ttgen.runtime", "ttgen.signatures.introspect"}.isdisjoint(listed)


def test_the_standalone_introspection_script_strips_addresses_as_the_facts_say() -> None:
    # it runs by its path under the real ttnn's interpreter, so it keeps its own copy of the regex
    from ttgen.facts.reprs import ADDRESS
    from ttgen.signatures import introspect

    assert introspect._ADDRESS.pattern == ADDRESS.pattern
