"""A re-trace forgets only tests that are really gone (issue 11, item 2): a test that exists but
was not collected this time (module skip, --ignore, -k, a collection error, a file that does not
parse) keeps its executions, counted with the reason; a deleted file, a renamed function, a
removed method or parameter loses them, each named."""

from __future__ import annotations

from pathlib import Path

from tests.trace.test_trace import PRELUDE, configs, trace
from ttgen.trace.scope import Scope


def sources(master: Path) -> set[str]:
    return {e["source"] for cs in configs(master).values() for c in cs for e in c["executions"]}


def write(project: Path, name: str, body: str, head: str = "") -> None:
    (project / name).write_text(head + PRELUDE + body)


def call(name: str, width: int) -> str:
    return f"\n\ndef {name}(device):\n    ttnn.relu(x(device, {width}))\n"


def test_only_tests_that_are_really_gone_lose_their_executions(tmp_path: Path) -> None:
    files = {
        "test_importorskip.py": call("test_a", 32),
        "test_module_skip.py": call("test_a", 64),
        "test_ignored.py": call("test_a", 96),
        "test_import_error.py": call("test_a", 128),
        "test_syntax.py": call("test_a", 160),
        "test_k.py": call("test_kept", 192) + call("test_deselected", 224),
        "test_deleted.py": call("test_a", 256),
        "test_renamed.py": call("test_old", 288),
        "test_class.py": "\n\nclass TestC:\n    def test_m(self, device):\n        ttnn.relu(x(device, 320))\n\n"
        "    def test_gone(self, device):\n        ttnn.relu(x(device, 352))\n",
        "test_param.py": "\n\n@pytest.mark.parametrize('w', [384, 416])\ndef test_p(device, w):\n"
        "    ttnn.relu(x(device, w))\n",
    }
    for name, body in files.items():
        write(tmp_path, name, body)
    first = trace(tmp_path, "--", ".")
    assert first.returncode == 0, first.stdout + first.stderr
    before = sources(tmp_path / "master.json")
    assert len(before) == 13, before

    # the next session: nothing but the deleted file, the renamed test, the removed method and the
    # removed parameter is really gone
    write(
        tmp_path,
        "test_importorskip.py",
        files["test_importorskip.py"],
        "import pytest\npytest.importorskip('no_such_module_ttgen')\n",
    )
    write(
        tmp_path,
        "test_module_skip.py",
        files["test_module_skip.py"],
        "import pytest\npytest.skip('needs a card', allow_module_level=True)\n",
    )
    write(tmp_path, "test_import_error.py", files["test_import_error.py"], "import no_such_module_ttgen\n")
    write(tmp_path, "test_syntax.py", files["test_syntax.py"] + "\ndef broken(:\n")
    (tmp_path / "test_deleted.py").unlink()
    write(tmp_path, "test_renamed.py", call("test_new", 288))
    write(tmp_path, "test_class.py", files["test_class.py"].split("\n\n    def test_gone")[0] + "\n")
    write(tmp_path, "test_param.py", files["test_param.py"].replace(", 416]", "]"))
    again = trace(
        tmp_path, "--", ".", "--continue-on-collection-errors", "--ignore=test_ignored.py", "-k", "not deselected"
    )
    assert again.returncode == 1, again.stdout + again.stderr  # the collection errors
    after = sources(tmp_path / "master.json")
    gone = {
        "test_deleted.py::test_a",
        "test_renamed.py::test_old",
        "test_class.py::TestC::test_gone",
        "test_param.py::test_p[416]",
    }
    kept = {
        "test_importorskip.py::test_a",
        "test_module_skip.py::test_a",
        "test_ignored.py::test_a",
        "test_import_error.py::test_a",
        "test_syntax.py::test_a",
        "test_k.py::test_deselected",
    }
    assert after == (before - gone) | {"test_renamed.py::test_new"}, again.stdout
    assert kept <= after

    out = again.stdout
    assert "not run this time: 6 tests kept their executions (6), 4 tests removed as gone (4 executions)" in out
    assert "kept the executions of 1 test deselected (1)" in out
    assert "1 test in test_importorskip.py (1), not collected: skipped at collection: could not import" in out
    assert "1 test in test_module_skip.py (1), not collected: skipped at collection: needs a card" in out
    assert "1 test in test_ignored.py (1), not collected: ignored" in out
    assert "test_import_error.py (1), not collected: collection error: ModuleNotFoundError" in out
    assert "1 test in test_syntax.py (1), not collected: collection error" in out
    for source in gone:
        assert f"executions of {source} dropped: the test no longer exists" in out, out
    assert "(test_deleted.py no longer exists)" in out
    assert "(test_renamed.py defines no test_old)" in out
    assert "(test_class.py defines no TestC::test_gone)" in out
    assert "(test_param.py::test_p no longer has this parameter)" in out

    # once the module imports again its test runs, and the executions were never lost
    write(tmp_path, "test_import_error.py", files["test_import_error.py"])
    third = trace(tmp_path, "--", "test_import_error.py")
    assert third.returncode == 0 and "test_import_error.py::test_a" in sources(tmp_path / "master.json")


def test_a_file_that_does_not_parse_keeps_even_a_test_it_seems_to_lack(tmp_path: Path) -> None:
    write(tmp_path, "test_one.py", call("test_a", 32) + call("test_b", 64))
    assert trace(tmp_path, "--", "test_one.py").returncode == 0
    # test_b's definition is lost in a half-edited file: no verdict from a file that does not parse
    write(tmp_path, "test_one.py", call("test_a", 32) + "\ndef test_b(:\n")
    done = trace(tmp_path, "--", "test_one.py", "--continue-on-collection-errors")
    assert "test_one.py::test_b" in sources(tmp_path / "master.json"), done.stdout
    assert "2 tests kept their executions" in done.stdout and "dropped" not in done.stdout


def test_what_the_source_on_disk_decides(tmp_path: Path) -> None:
    (tmp_path / "t.py").write_text(
        "import pytest\n"
        "from helpers import test_imported\n"
        "test_assigned = test_imported\n"
        "if True:\n    def test_conditional(): pass\n"
        "try:\n    pass\nexcept ImportError:\n    async def test_in_handler(): pass\n"
        "class TestBase:\n    def test_own(self): pass\n"
        "class TestChild(TestBase):\n    pass\n"
        "class TestPlain:\n    class TestInner:\n        def test_deep(self): pass\n"
        "def TestWasAClass(): pass\n"
    )
    (tmp_path / "star.py").write_text("from helpers import *\n")
    (tmp_path / "README.md").write_text("doctests\n")
    scope = Scope(paths=(".",), rootdir=tmp_path, reported=frozenset({"t.py", "star.py"}))

    def fate(source: str) -> str | None:
        verdict = scope.verdict(source)
        return None if verdict is None else verdict.fate

    kept = [
        "t.py::test_imported",
        "t.py::test_assigned",
        "t.py::test_conditional",
        "t.py::test_in_handler",
        "t.py::TestBase::test_own",
        "t.py::TestChild::test_inherited_perhaps",  # a class with bases may inherit it
        "t.py::TestPlain::TestInner::test_deep",
        "t.py::test_conditional[a::b]",  # an id holding "::"
        "star.py::test_anything",  # a star import may bind it
        "README.md::README",  # not Python: cannot tell
    ]
    gone = [
        "t.py::test_missing",
        "t.py::TestBase::test_missing",
        "t.py::TestPlain::TestInner::test_missing",
        "t.py::TestWasAClass::test_m",
        "t.py::TestMissing::test_m",
        "deleted.py::test_a",
    ]
    assert {s: fate(s) for s in kept} == dict.fromkeys(kept, "kept")
    assert {s: fate(s) for s in gone} == dict.fromkeys(gone, "gone")
    assert fate("no_separator") is None and Scope(paths=("sub",), rootdir=tmp_path).verdict("t.py::x") is None
