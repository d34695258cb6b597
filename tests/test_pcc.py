"""comp_pcc follows upstream's semantics case by case."""

from __future__ import annotations

import numpy as np

from ttgen.runtime.pcc import comp_pcc

NAN, INF = float("nan"), float("inf")


def test_nan_and_zero_rules() -> None:
    assert comp_pcc([NAN, NAN], [NAN, NAN]) == (True, 1.0)
    assert comp_pcc([NAN, NAN], [1.0, 2.0]) == (False, 0.0)
    assert comp_pcc([0.0, 0.0], [0.0, 1.0]) == (False, 0.0)
    assert comp_pcc([0.0, 0.0], [0.0, 0.0]) == (True, 1.0)


def test_equal_after_nonfinite_become_zero() -> None:
    assert comp_pcc([1.0, INF, 3.0], [1.0, NAN, 3.0]) == (True, 1.0)


def test_pearson_against_threshold() -> None:
    rng = np.random.default_rng(0)
    g = rng.standard_normal(1000)
    ok, r = comp_pcc(g, g + rng.standard_normal(1000) * 0.01, 0.999)
    assert ok and 0.999 < r < 1.0
    ok, r = comp_pcc(g, g + rng.standard_normal(1000), 0.999)
    assert not ok and r < 0.9
    assert abs(comp_pcc(g, -g)[1] + 1.0) < 1e-12
