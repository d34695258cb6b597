"""Host dtype round trips: `ttnn.Tensor(ndarray, dtype, None, layout)` read back, emulator vs the
recorded real answers, bit for bit."""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

FIXTURE = Path(__file__).resolve().parent.parent.parent / "tests" / "conformance" / "fixtures" / "roundtrips.json"


def unpack(packed: dict[str, Any]) -> np.ndarray[Any, np.dtype[Any]]:
    raw = zlib.decompress(base64.b64decode(packed["data"]))
    flat: np.ndarray[Any, np.dtype[Any]] = np.frombuffer(raw, dtype=np.dtype(packed["dtype"]))
    shaped: np.ndarray[Any, np.dtype[Any]] = flat.reshape(tuple(packed["shape"]))
    return shaped


class EmulatedError(Exception):
    pass


def emu_roundtrip(x: np.ndarray[Any, np.dtype[Any]], dtype: str, layout: str) -> np.ndarray[Any, np.dtype[Any]]:
    """What the emulator's `ttnn.Tensor(x, dtype, None, layout)` reads back as (its real API)."""
    import ttgen.emu as ttnn

    try:
        t = ttnn.Tensor(x, ttnn.DataType[dtype], None, ttnn.Layout[layout])
    except RuntimeError as e:
        raise EmulatedError(str(e).split("info:\n", 1)[-1].splitlines()[0]) from None
    return t.to_numpy()


@dataclass(frozen=True, slots=True)
class Disagreement:
    case: str
    detail: str


def same_bits(a: np.ndarray[Any, np.dtype[Any]], b: np.ndarray[Any, np.dtype[Any]]) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def compare(doc: dict[str, Any]) -> tuple[int, list[Disagreement]]:
    """(cases compared, disagreements): outputs must be identical bit for bit, errors identical."""
    inputs = {name: unpack(p) for name, p in doc["inputs"].items()}
    found = []
    for r in doc["records"]:
        case = f"{r['input']} -> {r['dtype']} {r['layout']}"
        try:
            got: Any = emu_roundtrip(inputs[r["input"]], r["dtype"], r["layout"])
            got_error = None
        except EmulatedError as e:
            got, got_error = None, str(e)
        if "error" in r:
            if got_error != r["error"]["message"]:
                found.append(
                    Disagreement(case, f"ttnn raised {r['error']['message']!r}; emulator gave {got_error or 'a value'}")
                )
            continue
        want = unpack(r["output"])
        if got_error is not None:
            found.append(Disagreement(case, f"emulator raised {got_error!r}; ttnn gave a value"))
        elif not same_bits(got, want):
            diff = (
                int(np.count_nonzero(got.view(np.uint8) != want.view(np.uint8)))
                if got.shape == want.shape and got.dtype == want.dtype
                else -1
            )
            found.append(
                Disagreement(
                    case, f"{got.dtype}{list(got.shape)} vs {want.dtype}{list(want.shape)}; differing bytes: {diff}"
                )
            )
    return len(doc["records"]), found


def load(path: Path = FIXTURE) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
