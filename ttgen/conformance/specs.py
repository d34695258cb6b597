"""Tensor placements: `ttnn.to_device(ttnn.Tensor(...), device, memory_config)` on the emulator
against real ttnn's recorded verdicts (accept/reject), error classes, core messages and
resulting specs (shape, padded shape, dtype, layout, printed memory config)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from ttgen.conformance.roundtrips import Disagreement

FIXTURES = Path(__file__).resolve().parent.parent.parent / "tests" / "conformance" / "fixtures"


def fixture(arch: str) -> Path:
    return FIXTURES / f"specs_{arch}.json"


def _memory_config(ttnn: Any, spec: dict[str, Any]) -> Any:
    layout = ttnn.TensorMemoryLayout[spec["memory_layout"]]
    buffer = ttnn.BufferType[spec["buffer_type"]]
    if spec["shard"] is None:
        return ttnn.MemoryConfig(layout, buffer)
    grid = ttnn.CoreRangeSet(
        {ttnn.CoreRange(ttnn.CoreCoord(a, b), ttnn.CoreCoord(c, d)) for a, b, c, d in spec["shard"]["grid"]}
    )
    shard = ttnn.ShardSpec(grid, spec["shard"]["shape"], ttnn.ShardOrientation[spec["shard"]["orientation"]])
    return ttnn.MemoryConfig(layout, buffer, shard)


def emulate(spec: dict[str, Any], device: Any) -> dict[str, Any]:
    import ttgen.emu as ttnn

    try:
        host = ttnn.Tensor(
            np.broadcast_to(np.float32(0), spec["shape"]),
            ttnn.DataType[spec["dtype"]],
            None,
            ttnn.Layout[spec["layout"]],
        )
        t = ttnn.to_device(host, device, _memory_config(ttnn, spec))
    except RuntimeError as e:
        return {"error": {"class": "RuntimeError", "message": str(e).split("info:\n", 1)[-1].splitlines()[0]}}
    result = {
        "shape": list(t.shape),
        "padded_shape": list(t.padded_shape),
        "dtype": t.dtype.name,
        "layout": t.layout.name,
        "memory_config": str(t.memory_config()),
    }
    ttnn.deallocate(t)
    return {"result": result}


def compare(doc: dict[str, Any]) -> tuple[int, list[Disagreement]]:
    import ttgen.emu as ttnn

    previous = os.environ.get("TTGEN_ARCH")
    os.environ["TTGEN_ARCH"] = doc["arch"]
    try:
        device = ttnn.open_device(device_id=0)
    finally:
        if previous is None:
            os.environ.pop("TTGEN_ARCH", None)
        else:
            os.environ["TTGEN_ARCH"] = previous
    found = []
    for r in doc["records"]:
        spec = r["spec"]
        shard = spec["shard"]
        memory = f"{spec['buffer_type']}_{spec['memory_layout']}"
        case = f"{spec['source']}: {spec['shape']} {spec['dtype']} {spec['layout']} {memory}"
        if shard:
            case += f" shard {shard['shape']} grid {shard['grid']} {shard['orientation']}"
        got = emulate(spec, device)
        if "error" in r:
            if "error" not in got:
                found.append(Disagreement(case, f"ttnn rejected ({r['error']['message']}); emulator accepted"))
            elif got["error"] != r["error"]:
                found.append(Disagreement(case, f"ttnn: {r['error']}; emulator: {got['error']}"))
        elif "error" in got:
            found.append(Disagreement(case, f"ttnn accepted; emulator rejected ({got['error']['message']})"))
        elif got["result"] != r["result"]:
            diff = {
                k: (r["result"][k], got["result"][k]) for k in r["result"] if r["result"][k] != got["result"].get(k)
            }
            found.append(Disagreement(case, f"spec differs (ttnn, emulator): {diff}"))
    return len(doc["records"]), found


def load(arch: str = "wormhole_b0") -> dict[str, Any]:
    return json.loads(fixture(arch).read_text(encoding="utf-8"))  # type: ignore[no-any-return]
