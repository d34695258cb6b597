"""The committed signature catalog agrees with the reference dump made from the same wheel."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, needs_shared
from ttgen.signatures.catalog import catalog_path, load_catalog
from ttgen.signatures.parse import parse_nb_signature

_MODULES = re.compile(r"\b(?:[a-z_][a-z0-9_]*\.)+(?=[A-Za-z_])")
_WRAPPED = re.compile(r"<(?:class|enum) '([^']+)'>")


def strip_address(default: str | None) -> str | None:
    """The reference keeps `<... object at 0x7f...>` defaults; ttgen's catalog drops the address."""
    return None if default is None else re.sub(r" at 0x[0-9a-fA-F]+", "", default)


def normalize_annotation(a: str | None) -> str | None:
    """Python ops' annotations print differently by route (`typing.Optional[ttnn._ttnn.X]`,
    `<class 'ttnn._ttnn.X'>`, `<enum 'X'>`); compare the types they name."""
    if a is None:
        return None
    return _MODULES.sub("", _WRAPPED.sub(r"\1", a))


@needs_shared
def test_catalog_matches_reference_dump_on_every_shared_op() -> None:
    reference = json.loads((FIXTURES / "ttnn-0.81.1" / "signatures.json").read_text())
    catalog = load_catalog()
    assert catalog.ttnn_version == reference["ttnn_version"] == "0.81.1"
    ref_ops = {o["python_fully_qualified_name"]: o for o in reference["operations"]}
    shared = set(ref_ops) & {o.name for o in catalog.operations}
    assert len(shared) == len(ref_ops) == len(catalog.operations) == 797
    for name in sorted(shared):
        ours = catalog.get(name)
        assert ours is not None
        theirs = ref_ops[name]
        assert ours.is_cpp_operation == theirs["is_cpp_operation"], name
        assert ours.is_experimental == theirs["is_experimental"], name
        assert len(ours.overloads) == len(theirs["overloads"]), name
        for mine, ref in zip(ours.overloads, theirs["overloads"], strict=True):
            ref_params = ref["parsed"]["params"]
            assert [(p.name, p.kind, p.default) for p in mine.params] == [
                (p["name"], p["kind"], strip_address(p.get("default"))) for p in ref_params
            ], name
            if ours.is_cpp_operation:
                assert [p.annotation for p in mine.params] == [p.get("annotation") for p in ref_params], name
            else:
                assert [normalize_annotation(p.annotation) for p in mine.params] == [
                    normalize_annotation(p.get("annotation")) for p in ref_params
                ], name


def test_add_has_three_overloads_with_keyword_only_tail() -> None:
    add = load_catalog().get("ttnn.add")
    assert add is not None and len(add.overloads) == 3
    first = add.overloads[0].params
    assert [p.name for p in first[:2]] == ["input_tensor_a", "input_tensor_b"]
    assert all(p.kind == "keyword_only" for p in first[2:])
    fast = next(p for p in first if p.name == "fast_and_approximate_mode")
    assert fast.default == "True" and not fast.required


def test_parse_positional_only_star_and_defaults() -> None:
    o = parse_nb_signature(
        "def f(a: int, b: tuple[int, int] = \\0, /, c: str = \\1, *, d: Sequence[int | float] = \\2) -> None",
        ["(1, 2)", "'x'", "[]"],
    )
    assert [(p.name, p.kind, p.default) for p in o.params] == [
        ("a", "positional_only", None),
        ("b", "positional_only", "(1, 2)"),
        ("c", "positional_or_keyword", "'x'"),
        ("d", "keyword_only", "[]"),
    ]
    assert o.params[3].annotation == "Sequence[int | float]" and o.returns == "None"


def test_unreadable_signature() -> None:
    with pytest.raises(ValueError):
        parse_nb_signature("lambda x: x", [])


@pytest.mark.skipif(
    not os.environ.get("TTGEN_TTNN_PYTHON"),
    reason="live tier: set TTGEN_TTNN_PYTHON to an interpreter with the real ttnn wheel",
)
def test_live_dump_reproduces_the_committed_catalog(tmp_path: Path) -> None:
    out = tmp_path / "catalog.json"
    ttgen = shutil.which("ttgen", path=str(Path(sys.executable).parent)) or "ttgen"
    proc = subprocess.run([ttgen, "signatures", "dump", "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text() == catalog_path().read_text()
