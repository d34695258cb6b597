"""Mesh cases: every generated case traced on a multi-device mesh, run on real ttnn with a mock
multi-chip cluster (recorded) and on the emulator's mesh model of the same system. Compared, as
for single devices: the output spec each case produces (per-device shape, padded shape, dtype,
layout, memory config, and its placements and distribution shape), or its error, or its skip.

Each input is judged on the system it was traced for: the embedded master's tensor-parallel
example and the T3K trace on a mock T3K (2x4; its 1x8 and 1x4 cases open those meshes of the same
chips), the Galaxy trace and (a section of its own) the gpt-oss sweep trace on a mock 6U Galaxy."""

from __future__ import annotations

import importlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from ttgen.conformance.ops import ROOT, SHARED, Verdict, judge, package_name

FIXTURES = ROOT / "tests" / "conformance" / "fixtures"
MESH_TRACES = ROOT / "tests" / "fixtures" / "mesh"
# section -> (the mock cluster descriptor real ttnn opens, the emulator's TTGEN_EMU_SYSTEM)
SYSTEMS = {
    "t3k": ("wormhole_t3k_grid8x8.yaml", "t3k"),
    "galaxy": ("wormhole_galaxy_6u.yaml", "galaxy"),
    "gpt_oss": ("wormhole_galaxy_6u.yaml", "galaxy"),
    # each collective of t3k / galaxy with one argument changed at a time (mesh_variants.py)
    "t3k_variants": ("wormhole_t3k_grid8x8.yaml", "t3k"),
    "galaxy_variants": ("wormhole_galaxy_6u.yaml", "galaxy"),
}
EMU_SYSTEM_ENV = "TTGEN_EMU_SYSTEM"


def inputs(section: str) -> list[Path]:
    """The masters whose mesh cases a section judges (those present on this machine)."""
    section = section.removesuffix("_variants")
    found = {
        "t3k": [
            ROOT / "traced_operations" / "ttnn_operations_master.json",
            MESH_TRACES / "t3k_2x4" / "operation_parameters",
        ],
        "galaxy": [MESH_TRACES / "galaxy_4x8" / "operation_parameters"],
        "gpt_oss": [SHARED / "upstream" / "sweep_trace_gpt_oss.json"],
    }[section]
    return [p for p in found if p.exists()]


def mesh_package_name(master: Path) -> str:
    """A per-call trace folder is named for its system folder, not `operation_parameters`."""
    return package_name(master.parent if master.name == "operation_parameters" else master)


def compile_inputs(system: str, into: Path) -> list[Path]:
    from ttgen.compile.compiler import compile_master
    from ttgen.compile.outputs import write

    packages = []
    for master in inputs(system):
        out = into / mesh_package_name(master)
        write(compile_master(master, out))
        packages.append(out)
    return packages


def run_mesh_cases(packages: list[Path], core_message: Any, *, variants: bool = False) -> list[dict[str, Any]]:
    """Every mesh case of the packages on the backend ttgen.runtime selected, each on the mesh
    its Machine names (opened as the runner opens it): output spec, error or skip reason; with
    `variants`, instead each collective's neighbours (mesh_variants.py), keyed `case~change`.
    Shared by both sides: record_ttnn.py runs it under real ttnn, emulate() on the emulator."""
    from ttgen.conformance.mesh_variants import variants as neighbours
    from ttgen.runtime import ttnn
    from ttgen.runtime.devices import SINGLE, Devices, mesh_of
    from ttgen.runtime.outcome import SkipCase

    devices = Devices()
    records = []
    try:
        for root in packages:
            sys.path.insert(0, str(root.parent))
            try:
                for path in sorted((root / "sweeps").rglob("*.py")):
                    if path.name == "__init__.py":
                        continue
                    module = importlib.import_module(".".join(path.relative_to(root.parent).with_suffix("").parts))
                    cases = sorted(module.CASES.items(), key=lambda kv: (mesh_of(kv[1]), kv[0]))
                    if variants:
                        cases = [
                            (f"{case_id}~{tag}", changed)
                            for case_id, case in cases
                            for tag, changed in neighbours(module.OP, case, ttnn)
                        ]
                    for case_id, case in cases:
                        if mesh_of(case) == SINGLE:
                            continue
                        entry: dict[str, Any] = {"package": root.name, "op": module.OP, "case": case_id}
                        try:
                            device = devices.for_case(case, getattr(module, "DEVICE_PARAMS", {}))
                            entry["output_spec"] = module.run(case, device).output_spec
                        except SkipCase as e:
                            entry["skip"] = e.reason
                        except NotImplementedError as e:  # the emulator's NotEmulatedError
                            entry["not_emulated"] = str(e)
                        except Exception as e:
                            entry["error"] = {"class": type(e).__name__, "message": core_message(str(e))}
                        records.append(entry)
            finally:
                sys.path.remove(str(root.parent))
                for name in [m for m in sys.modules if m == root.name or m.startswith(root.name + ".")]:
                    del sys.modules[name]
    finally:
        devices.close()
    records.sort(key=lambda r: (r["package"], r["op"], r["case"]))
    return records


def core_message(text: str) -> str:
    """A TT_FATAL's `info:` line, else the first line (as record_ttnn.py keeps ttnn's)."""
    if "info:" in text:
        text = text.split("info:", 1)[1]
    text = text.strip().split("\nbacktrace:")[0].strip()
    return text.splitlines()[0] if text else ""


def emulate(section: str, packages: list[Path]) -> list[dict[str, Any]]:
    before = os.environ.get(EMU_SYSTEM_ENV)
    os.environ[EMU_SYSTEM_ENV] = SYSTEMS[section][1]
    try:
        return run_mesh_cases(packages, core_message, variants=section.endswith("_variants"))
    finally:
        if before is None:
            os.environ.pop(EMU_SYSTEM_ENV, None)
        else:
            os.environ[EMU_SYSTEM_ENV] = before


def fixture(system: str) -> Path:
    return FIXTURES / f"mesh_{system}.json"


def load(system: str) -> dict[str, Any]:
    return json.loads(fixture(system).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def compare_all(sections: tuple[str, ...] = tuple(SYSTEMS)) -> list[Verdict]:
    """Each section's recorded answers against the emulator on the same compiled cases."""
    out = []
    with tempfile.TemporaryDirectory(prefix="ttgen-mesh-") as tmp:
        for section in sections:
            packages = compile_inputs(section, Path(tmp) / section)
            out.append(judge(load(section), emulate(section, packages)))
    return out
