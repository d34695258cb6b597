"""Record the real ttnn's answers for the conformance corpus (run under an interpreter that has
the ttnn 0.81.1 wheel and a mock cluster; see ../shared/tools/setup-ttnn-mock.sh):

    TT_METAL_MOCK_CLUSTER_DESC_PATH=<venv>/mock_cluster/wormhole_N150.yaml \
        <venv>/bin/python tests/conformance/record_ttnn.py roundtrips tests/conformance/fixtures/roundtrips.json

(ttnn's C++ logger writes to stdout, so the answers go to a file.)

Standard library, numpy and ttnn only. Inputs are stored with the answers, so the default test
run compares ttgen's emulator against them without Python 3.12 or ttnn.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import zlib
from typing import Any

import numpy as np


def pack(a: np.ndarray) -> dict[str, Any]:
    a = np.ascontiguousarray(a)
    return {
        "dtype": a.dtype.str,
        "shape": list(a.shape),
        "data": base64.b64encode(zlib.compress(a.tobytes(), 9)).decode(),
    }


def float_inputs() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(20261125)
    f = np.float32
    ties = np.array([1 + k / 128 + 1 / 256 for k in range(32)], dtype=f)  # bf16 midpoints
    ties = np.stack([ties, -ties, ties * 2**-20, ties * 2**20])
    sat = np.full((2, 32), 1.0, dtype=f)
    sat[0, :16] = np.float32(1.9999)  # rounds past the top code: saturates
    sat[1, 0] = np.float32(255.99)
    special = np.zeros((6, 32), dtype=f)
    special[0, 3] = np.inf
    special[1, 7] = -np.inf
    special[2, 11] = np.nan
    special[3, :] = rng.standard_normal(32).astype(f)
    special[3, 5] = np.inf
    special[4, :] = -0.0
    special[5, ::2] = np.float32(1e-40)  # subnormal
    special[5, 1::2] = rng.standard_normal(16).astype(f)
    huge = (rng.choice([-1, 1], size=(4, 32)) * rng.uniform(1e37, 3.4e38, size=(4, 32))).astype(f)
    arrays = {
        "randn_3x33x17": rng.standard_normal((3, 33, 17)).astype(f),
        "randn_64x64": rng.standard_normal((64, 64)).astype(f),
        "wide_range_32x96": (rng.standard_normal((32, 96)) * np.exp2(rng.uniform(-30, 30, (32, 96)))).astype(f),
        "uniform_32x64": rng.uniform(0, 1, (32, 64)).astype(f),
        "one_d_50": rng.standard_normal(50).astype(f),
        "ties_4x32": ties,
        "saturate_2x32": sat,
        "special_6x32": special,
        "huge_4x32": huge,
        "zeros_2x32": np.zeros((2, 32), dtype=f),
    }
    return {name: np.ascontiguousarray(a, dtype=f) for name, a in arrays.items()}


def int_inputs() -> dict[str, np.ndarray]:
    vals = [-3.7, 300.2, 70000.9, 2.5, -0.5, 1e10, -1e10, 65535.9, 255.5, 4294967295.0, -2147483648.0, 0.0]
    rng = np.random.default_rng(7)
    probes = {
        # the conversion depends on an element's position (vector chunks of 8 and 4, scalar tail)
        f"casts_f32_n{n}": np.array([rng.choice(vals, size=n)], dtype=np.float32)
        for n in (1, 3, 4, 7, 9, 13, 15, 17, 33)
    }
    return {
        **probes,
        "casts_f32_2d_3x5": np.array(rng.choice(vals, size=(3, 5)), dtype=np.float32),
        "casts_f32_special": np.array([[np.nan, np.inf, -np.inf, 0.5] * 3], dtype=np.float32),
        "casts_f32": np.array([vals], dtype=np.float32),
        "casts_i32": np.array([[-3, 300, 70000, 2, -1, 65536, 256, 2147483647, -2147483648, 0]], dtype=np.int32),
    }


def record_roundtrips() -> dict[str, Any]:
    import ttnn

    def back(t: Any) -> np.ndarray:
        try:
            return np.from_dlpack(t.to_numpy())
        except BufferError:  # bfloat16 has no DLPack/numpy dtype: exact through Python floats
            return np.asarray(t.to_list(), dtype=np.float32)

    records = []
    cases = [
        (name, x, dt, layout)
        for name, x in float_inputs().items()
        for dt, layout in [
            ("BFLOAT16", "TILE"), ("BFLOAT16", "ROW_MAJOR"), ("FLOAT32", "TILE"), ("FLOAT32", "ROW_MAJOR"),
            ("BFLOAT8_B", "TILE"), ("BFLOAT4_B", "TILE"), ("BFLOAT8_B", "ROW_MAJOR"),
        ]
    ]  # fmt: skip
    cases += [
        (name, x, dt, layout)
        for name, x in int_inputs().items()
        for dt in ("INT32", "UINT32", "UINT16", "UINT8")
        for layout in ("ROW_MAJOR", "TILE")
    ]
    inputs = {**float_inputs(), **int_inputs()}
    for name, x, dt, layout in cases:
        entry: dict[str, Any] = {"input": name, "dtype": dt, "layout": layout}
        try:
            t = ttnn.Tensor(x, getattr(ttnn.DataType, dt), None, getattr(ttnn.Layout, layout))
            entry["output"] = pack(back(t))
            entry["padded_shape"] = list(t.padded_shape)
        except Exception as e:
            entry["error"] = {"class": type(e).__name__, "message": _core_message(str(e))}
        records.append(entry)
    return {
        "ttnn_version": _version(),
        "inputs": {name: pack(x) for name, x in inputs.items()},
        "records": records,
    }


# ----------------------------------------------------------------------------- tensor placements

FIXTURES_DIR = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "fixtures", "upstream"
)


def fixture_specs(root: str) -> list[dict[str, Any]]:
    """Every tensor argument of the upstream V2 fixtures, as a plain spec description."""
    import glob

    specs = []
    for path in sorted(glob.glob(os.path.join(root, "*.json"))):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for op, entry in doc.get("operations", {}).items():
            for c in entry.get("configurations", []):
                args = c.get("arguments") if isinstance(c, dict) else None
                if not isinstance(args, dict):
                    continue
                for name, v in sorted(args.items()):
                    if not (isinstance(v, dict) and v.get("type") == "ttnn.Tensor"):
                        continue
                    mc = v["memory_config"]
                    shard = mc.get("shard_spec")
                    specs.append(
                        {
                            "source": f"{os.path.basename(path)}:{op}:{name}",
                            "shape": v["original_shape"],
                            "dtype": v["original_dtype"].split(".")[-1],
                            "layout": v["layout"].split(".")[-1],
                            "memory_layout": mc["memory_layout"].split(".")[-1],
                            "buffer_type": mc["buffer_type"].split(".")[-1],
                            "shard": None
                            if not isinstance(shard, dict)
                            else {
                                "grid": [
                                    [r["start"]["x"], r["start"]["y"], r["end"]["x"], r["end"]["y"]]
                                    for r in shard["grid"]
                                ],
                                "shape": shard["shape"],
                                "orientation": shard["orientation"],
                            },
                        }
                    )
    return specs


def variation_specs() -> list[dict[str, Any]]:
    """Systematic variations around the §2 rules: shard shapes, grids, orientations, dtypes, layouts."""
    shapes = [[1, 1, 256, 64], [1, 1, 32, 512], [1, 1, 64, 128], [1, 2, 50, 64], [2, 32, 96], [1, 1, 30, 70]]
    shards = {
        "HEIGHT_SHARDED": [[32, 64], [16, 64], [64, 64], [32, 32], [32, 128], [15, 70], [50, 64]],
        "WIDTH_SHARDED": [[32, 64], [32, 32], [64, 64], [32, 16], [30, 10], [64, 128]],
        "BLOCK_SHARDED": [[32, 32], [64, 64], [32, 64], [64, 32], [16, 32]],
    }
    grids = [
        [[0, 0, 7, 0]],
        [[0, 0, 3, 0], [0, 1, 3, 1]],
        [[0, 0, 3, 1]],
        [[0, 0, 1, 3]],
        [[0, 0, 7, 7]],
        [[0, 0, 8, 0]],
        [[0, 0, 0, 0]],
    ]
    out: list[dict[str, Any]] = []
    for shape in shapes:
        for dtype, layout in [
            ("BFLOAT16", "TILE"),
            ("BFLOAT16", "ROW_MAJOR"),
            ("BFLOAT8_B", "TILE"),
            ("FLOAT32", "TILE"),
            ("UINT32", "ROW_MAJOR"),
        ]:
            for buffer in ("DRAM", "L1"):
                out.append(
                    {
                        "source": "variation",
                        "shape": shape,
                        "dtype": dtype,
                        "layout": layout,
                        "memory_layout": "INTERLEAVED",
                        "buffer_type": buffer,
                        "shard": None,
                    }
                )
            for kind, shard_shapes in shards.items():
                for shard in shard_shapes:
                    for grid in grids:
                        for orientation in ["ROW_MAJOR", "COL_MAJOR"] if kind == "BLOCK_SHARDED" else ["ROW_MAJOR"]:
                            out.append(
                                {
                                    "source": "variation",
                                    "shape": shape,
                                    "dtype": dtype,
                                    "layout": layout,
                                    "memory_layout": kind,
                                    "buffer_type": "L1",
                                    "shard": {"grid": grid, "shape": shard, "orientation": orientation},
                                }
                            )
    # keep the corpus a reviewable size: a deterministic sample of the variations
    return out[::7]


def record_specs(fixtures: str) -> dict[str, Any]:
    import ttnn

    device = ttnn.open_device(device_id=0)
    corpus = fixture_specs(fixtures) + variation_specs()
    records = []
    for spec in corpus:
        entry: dict[str, Any] = {"spec": spec}
        try:
            host = ttnn.Tensor(
                np.zeros(spec["shape"], dtype=np.float32),
                getattr(ttnn.DataType, spec["dtype"]),
                None,
                getattr(ttnn.Layout, spec["layout"]),
            )
            t = ttnn.to_device(host, device, _memory_config(ttnn, spec))
            entry["result"] = {
                "shape": list(t.shape),
                "padded_shape": list(t.padded_shape),
                "dtype": t.dtype.name,
                "layout": t.layout.name,
                "memory_config": str(t.memory_config()),
            }
            ttnn.deallocate(t)
        except Exception as e:
            entry["error"] = {"class": type(e).__name__, "message": _core_message(str(e))}
        records.append(entry)
    arch = ttnn.get_arch_name()
    ttnn.close_device(device)
    return {"ttnn_version": _version(), "arch": arch, "records": records}


def _memory_config(ttnn: Any, spec: dict[str, Any]) -> Any:
    layout = getattr(ttnn.TensorMemoryLayout, spec["memory_layout"])
    buffer = getattr(ttnn.BufferType, spec["buffer_type"])
    if spec["shard"] is None:
        return ttnn.MemoryConfig(layout, buffer)
    grid = ttnn.CoreRangeSet(
        {ttnn.CoreRange(ttnn.CoreCoord(a, b), ttnn.CoreCoord(c, d)) for a, b, c, d in spec["shard"]["grid"]}
    )
    shard = ttnn.ShardSpec(grid, spec["shard"]["shape"], getattr(ttnn.ShardOrientation, spec["shard"]["orientation"]))
    return ttnn.MemoryConfig(layout, buffer, shard)


def _core_message(text: str) -> str:
    """TT_FATAL texts carry file/line and a backtrace; keep the `info:` message."""
    if "info:" in text:
        text = text.split("info:", 1)[1]
    return text.strip().split("\nbacktrace:")[0].strip().splitlines()[0] if text.strip() else ""


def _version() -> str:
    from importlib.metadata import version

    return version("ttnn")


def main(argv: list[str]) -> dict[str, Any]:
    if len(argv) >= 3 and argv[1] == "ops":
        return record_ops(argv[3:])
    if len(argv) >= 3 and argv[1] in ("mesh", "mesh-variants"):
        return record_mesh(argv[3:], variants=argv[1] == "mesh-variants")
    if len(argv) != 3 or argv[1] not in ("roundtrips", "specs"):
        raise SystemExit("usage: record_ttnn.py roundtrips|specs OUT.json | ops OUT.json GENERATED_DIR...")
    return record_roundtrips() if argv[1] == "roundtrips" else record_specs(FIXTURES_DIR)


# ----------------------------------------------------------------------------- op outputs


def record_ops(packages: list[str]) -> dict[str, Any]:
    """Run every case of already-generated sweep packages on the real ttnn (mock device):
    the output spec each case produces, or the error it raises, or why it skipped. Needs the
    project on PYTHONPATH (ttgen.runtime is standard library + numpy) and TTGEN_BACKEND=ttnn."""
    import importlib
    import pathlib

    import ttnn

    from ttgen.runtime.devices import SINGLE, mesh_of
    from ttgen.runtime.outcome import SkipCase

    device = ttnn.open_device(device_id=0)
    records = []
    for package in packages:
        root = pathlib.Path(package)
        sys.path.insert(0, str(root.parent))
        for path in sorted((root / "sweeps").rglob("*.py")):
            if path.name == "__init__.py":
                continue
            name = ".".join(path.relative_to(root.parent).with_suffix("").parts)
            module = importlib.import_module(name)
            for case_id, case in module.CASES.items():
                if mesh_of(case) != SINGLE:  # judged in the mesh section, on a mock mesh
                    continue
                entry: dict[str, Any] = {"package": root.name, "op": module.OP, "case": case_id}
                try:
                    entry["output_spec"] = module.run(case, device).output_spec
                except SkipCase as e:
                    entry["skip"] = e.reason
                except Exception as e:
                    entry["error"] = {"class": type(e).__name__, "message": _core_message(str(e))}
                records.append(entry)
    arch = ttnn.get_arch_name()
    ttnn.close_device(device)
    records.sort(key=lambda r: (r["package"], r["op"], r["case"]))  # independent of argv order
    return {"ttnn_version": _version(), "arch": arch, "records": records}


def record_mesh(packages: list[str], *, variants: bool = False) -> dict[str, Any]:
    """Every mesh case of the packages on the mock cluster TT_METAL_MOCK_CLUSTER_DESC_PATH names,
    each on its traced mesh (ttgen.conformance.mesh.run_mesh_cases, as the emulator side); with
    `variants`, each collective's changed neighbours instead."""
    import pathlib

    from ttgen.conformance.mesh import core_message, run_mesh_cases

    records = run_mesh_cases([pathlib.Path(p) for p in packages], core_message, variants=variants)
    system = pathlib.Path(os.environ["TT_METAL_MOCK_CLUSTER_DESC_PATH"]).name
    return {"ttnn_version": _version(), "cluster": system, "records": records}


if __name__ == "__main__":
    doc = main(sys.argv)
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
