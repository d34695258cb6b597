"""Pearson correlation check with upstream's comp_pcc semantics (models/common/utility_functions):
both all-NaN → (True, 1.0); one all-NaN → (False, 0.0); exactly one of them all zero →
(False, 0.0); NaN and ±inf then count as 0 in both; equal → (True, 1.0); otherwise the masked
Pearson r of the flattened values, compared with the threshold. numpy only."""

from __future__ import annotations

from typing import Any

import numpy as np


def comp_pcc(golden: Any, calculated: Any, pcc: float = 0.99) -> tuple[bool, float]:
    g = np.asarray(golden, dtype=np.float64).reshape(-1)
    c = np.asarray(calculated, dtype=np.float64).reshape(-1)
    g_nan, c_nan = bool(np.isnan(g).all()), bool(np.isnan(c).all())
    if g_nan and c_nan:
        return True, 1.0
    if g_nan or c_nan:
        return False, 0.0
    if bool(np.any(g != 0)) != bool(np.any(c != 0)):
        return False, 0.0
    g = np.where(np.isfinite(g), g, 0.0)
    c = np.where(np.isfinite(c), c, 0.0)
    if g.shape == c.shape and np.array_equal(g, c):
        return True, 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.ma.corrcoef(np.ma.masked_invalid(g), np.ma.masked_invalid(c))  # type: ignore[no-untyped-call]
    value = np.min(r)
    if value is np.ma.masked or not np.isfinite(value):
        return True, 1.0
    return bool(value >= pcc), float(value)
