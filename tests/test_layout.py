"""ttgen's layout of case literals is black's, byte for byte (differential tests)."""

from __future__ import annotations

from pathlib import Path

import black
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT
from ttgen.compile.fmt import MODE
from ttgen.compile.layout import Atom, Call, Coll, KeyValue, Node, layout

ATOMS = st.sampled_from(
    ["0", "7", "2048", "-1", "1.5", "ttnn.bfloat16", "ttnn.TILE_LAYOUT", "ttnn.DRAM_MEMORY_CONFIG", '"abc"', "None",
     "ttnn.TensorMemoryLayout.HEIGHT_SHARDED", "DEVICE", "True", "x" * 40, "y" * 90]
)  # fmt: skip
NAMES = st.sampled_from(["ttnn.CoreCoord", "TensorSpec", "ttnn.MemoryConfig", "ttnn.ShardSpec", "f", "Case"])
KEYWORDS = st.sampled_from([None, "shape", "memory_config", "input_tensor_a", "k"])


def nodes() -> st.SearchStrategy[Node]:
    return st.recursive(
        ATOMS.map(Atom),
        lambda inner: st.one_of(
            st.builds(Call, NAMES, st.lists(st.tuples(KEYWORDS, inner), min_size=1, max_size=5).map(tuple)),
            st.builds(
                Coll, st.sampled_from(["tuple", "list", "set"]), st.lists(inner, min_size=1, max_size=5).map(tuple)
            ),
        ),
        max_leaves=30,
    )


def black_entry(entry: KeyValue) -> list[str]:
    from ttgen.compile.layout import flat

    src = "CASES = {\n    " + flat(entry) + ",\n}\n"
    return black.format_str(src, mode=MODE).splitlines()[1:-1]


@settings(max_examples=400, deadline=None)
@given(nodes())
def test_layout_equals_black_on_random_literals(node: Node) -> None:
    entry = KeyValue(
        Atom('"3354bc06586a"'), Call("AddCase", (("input_tensor_a", node), ("dtype", Atom("ttnn.bfloat16"))))
    )
    assert layout("", entry, ",", 1) == black_entry(entry)


def test_generated_files_are_black_fixed_points() -> None:
    for path in sorted((ROOT / "generated").rglob("*.py")):
        text = path.read_text()
        assert black.format_str(text, mode=MODE) == text, path


def test_black_fixed_point_on_all_fixture_outputs(tmp_path: Path) -> None:
    from tests.conftest import fixture_inputs
    from ttgen.compile.compiler import compile_master

    for i, path in enumerate(fixture_inputs()):
        comp = compile_master(path, tmp_path / f"g{i}")
        for rel, text in comp.files.items():
            if rel.endswith(".py"):
                assert black.format_str(text, mode=MODE) == text, (path.name, rel)
