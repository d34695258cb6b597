"""Op outputs: every single-device generated case of the embedded master, the seed master and the fixtures, run
(mock device; recorded) and on the emulator. Compared: the output spec each case produces
(shape, padded shape, dtype, layout, printed memory config), or its error, or its skip reason.
Cases of ops the emulator does not model are reported apart, by case."""

from __future__ import annotations

import importlib
import json
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple

from ttgen.conformance.roundtrips import Disagreement

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = ROOT / "tests" / "conformance" / "fixtures"
SHARED = ROOT.parent / "shared" / "fixtures"


def inputs() -> list[Path]:
    """The masters whose generated cases are compared (those present on this machine)."""
    found = [
        ROOT / "traced_operations" / "ttnn_operations_master.json",
        ROOT / "tests" / "fixtures" / "seed_master.json",
    ]
    if SHARED.is_dir():
        found += [
            SHARED / "ttnn-0.81.1" / "traces" / "operation_parameters",
            SHARED / "ttnn-0.81.1" / "traces" / "graph_report.json",
        ]
        found += sorted((SHARED / "upstream").glob("*.json"))
    return found


def package_name(master: Path) -> str:
    return "gen_" + re.sub(r"[^A-Za-z0-9]+", "_", master.name.removesuffix(".json")).strip("_").lower()


def compile_inputs(into: Path) -> list[Path]:
    from ttgen.compile.compiler import compile_master
    from ttgen.compile.outputs import write

    packages = []
    for master in inputs():
        out = into / package_name(master)
        write(compile_master(master, out))
        packages.append(out)
    return packages


def emulate(packages: list[Path], arch: str) -> list[dict[str, Any]]:
    import ttgen.emu as ttnn
    from ttgen.emu.device import MeshDevice
    from ttgen.facts.devices import DEVICE_MODELS
    from ttgen.runtime.devices import SINGLE, mesh_of
    from ttgen.runtime.outcome import SkipCase

    device = MeshDevice(0, DEVICE_MODELS[arch])
    records = []
    for root in packages:
        sys.path.insert(0, str(root.parent))
        try:
            for path in sorted((root / "sweeps").rglob("*.py")):
                if path.name == "__init__.py":
                    continue
                module = importlib.import_module(".".join(path.relative_to(root.parent).with_suffix("").parts))
                for case_id, case in module.CASES.items():
                    if mesh_of(case) != SINGLE:  # judged on its mesh: ttgen.conformance.mesh
                        continue
                    entry: dict[str, Any] = {"package": root.name, "op": module.OP, "case": case_id}
                    try:
                        entry["output_spec"] = module.run(case, device).output_spec
                    except SkipCase as e:
                        entry["skip"] = e.reason
                    except ttnn.NotEmulatedError as e:
                        entry["not_emulated"] = str(e)
                    except RuntimeError as e:
                        entry["error"] = {
                            "class": "RuntimeError",
                            "message": str(e).split("info:\n", 1)[-1].splitlines()[0],
                        }
                    records.append(entry)
        finally:
            sys.path.remove(str(root.parent))
            for name in [m for m in sys.modules if m == root.name or m.startswith(root.name + ".")]:
                del sys.modules[name]  # a later compile into another directory must not hit these
    return records


class Verdict(NamedTuple):
    compared: int
    found: list[Disagreement]
    not_emulated: list[str]
    kinds: dict[str, int]  # what ttnn answered for the compared cases: output spec, error, skip


def kind(record: dict[str, Any]) -> str:
    return next(k for k in ("output_spec", "error", "skip") if k in record)


def compare_all(docs: list[dict[str, Any]]) -> list[Verdict]:
    """Compile the inputs once; judge each recorded document on an emulated device of its arch."""
    with tempfile.TemporaryDirectory(prefix="ttgen-ops-") as tmp:
        packages = compile_inputs(Path(tmp))
        return [judge(doc, emulate(packages, doc["arch"])) for doc in docs]


def compare(doc: dict[str, Any]) -> Verdict:
    return compare_all([doc])[0]


def judge(doc: dict[str, Any], emulated: list[dict[str, Any]]) -> Verdict:
    ours = {(r["package"], r["case"]): r for r in emulated}
    found, not_emulated = [], []
    produced = {package for package, _ in ours}
    records = [r for r in doc["records"] if r["package"] in produced]  # inputs absent here: not compared
    for r in records:
        key = (r["package"], r["case"])
        case = f"{r['package']} {r['op']} {r['case']}"
        got = ours.get(key)
        if got is None:
            found.append(Disagreement(case, "recorded, but not produced by this compile"))
            continue
        if "not_emulated" in got:
            not_emulated.append(f"{case} ({r['op']})")
            continue
        want = {k: r[k] for k in ("output_spec", "skip", "error") if k in r}
        have = {k: got[k] for k in ("output_spec", "skip", "error") if k in got}
        if want != have:
            found.append(Disagreement(case, f"ttnn: {want}; emulator: {have}"))
    recorded = {(r["package"], r["case"]) for r in records}
    for key in sorted(set(ours) - recorded):  # counts reconcile: nothing produced goes unjudged
        found.append(Disagreement(f"{key[0]} {ours[key]['op']} {key[1]}", "produced, but no ttnn record (re-record)"))
    kinds = Counter(kind(r) for r in records)
    return Verdict(len(records), found, not_emulated, {k: kinds[k] for k in ("output_spec", "error", "skip")})


def fixture(arch: str = "wormhole_b0") -> Path:
    return FIXTURES / f"ops_{arch}.json"


def load(arch: str = "wormhole_b0") -> dict[str, Any]:
    return json.loads(fixture(arch).read_text(encoding="utf-8"))  # type: ignore[no-any-return]
