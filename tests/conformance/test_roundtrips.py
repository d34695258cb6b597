"""Host dtype round trips: the emulator against ttnn 0.81.1's recorded answers, bit for bit.

Default tier: the committed answers (tests/conformance/fixtures/roundtrips.json, recorded with
tests/conformance/record_ttnn.py). Live tier (TTGEN_TTNN_PYTHON): record afresh from the real
wheel on a mock device and require the same answers."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from ttgen.conformance.roundtrips import FIXTURE, compare, load, unpack
from ttgen.emu.numerics import block_float, cast_int, to_bfloat16


def test_emulator_round_trips_are_bit_exact() -> None:
    n, found = compare(load())
    assert n >= 170
    assert found == [], "\n".join(f"{d.case}: {d.detail}" for d in found)


def test_corpus_covers_what_section_3_lists() -> None:
    doc = load()
    names = set(doc["inputs"])
    for wanted in (
        "randn",
        "wide_range",
        "uniform",
        "one_d",
        "ties",
        "special",
        "huge",
        "zeros",
        "saturate",
        "casts_f32_n",
    ):
        assert any(n.startswith(wanted) for n in names), wanted
    dtypes = {(r["dtype"], r["layout"]) for r in doc["records"]}
    assert {("BFLOAT16", "TILE"), ("BFLOAT8_B", "TILE"), ("BFLOAT4_B", "TILE"), ("UINT8", "ROW_MAJOR")} <= dtypes


def test_known_values() -> None:
    # round-to-nearest-even at the bfloat16 midpoint 1 + 2^-8: ties to the even neighbour 1.0
    assert to_bfloat16(np.array([1 + 2**-8, 1 + 3 * 2**-8], dtype=np.float32)).tolist() == [1.0, 1 + 2**-6]
    # a block whose largest element sets the exponent; small neighbours lose precision
    block = block_float(np.array([[1.0, 2**-10, -0.5] + [0.0] * 29], dtype=np.float32), "BFLOAT8_B")
    assert block[0, :3].tolist() == [1.0, 0.0, -0.5]
    # position decides out-of-range integer casts: vector chunks of 8 saturate, the tail wraps
    assert cast_int(np.full((1, 9), -3.7, dtype=np.float32), "UINT8", tile=False).tolist() == [[0] * 8 + [253]]


@pytest.mark.skipif(
    not os.environ.get("TTGEN_TTNN_PYTHON"),
    reason="live tier: set TTGEN_TTNN_PYTHON to an interpreter with the real ttnn wheel (mock cluster)",
)
def test_live_ttnn_answers_equal_the_recorded_ones(tmp_path: Path) -> None:
    python = os.environ["TTGEN_TTNN_PYTHON"]
    env = {**os.environ, "TT_LOGGER_LEVEL": "error"}
    env.setdefault(
        "TT_METAL_MOCK_CLUSTER_DESC_PATH", str(Path(python).parent.parent / "mock_cluster" / "wormhole_N150.yaml")
    )
    out = tmp_path / "live.json"
    script = Path(__file__).with_name("record_ttnn.py")
    argv = ["record", "roundtrips", str(out)]
    code = f"import runpy, sys; sys.argv = {argv!r}; runpy.run_path({str(script)!r}, run_name='__main__')"
    proc = subprocess.run([python, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    live = json.loads(out.read_text())
    recorded = json.loads(FIXTURE.read_text())
    assert live["records"] == recorded["records"]
    assert {k: unpack(v).tobytes() for k, v in live["inputs"].items()} == {
        k: unpack(v).tobytes() for k, v in recorded["inputs"].items()
    }
