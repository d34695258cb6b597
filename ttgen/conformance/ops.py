"""Op outputs: every generated case of the embedded master and the fixtures, run on real ttnn
(mock device; recorded) and on the emulator. Compared: the output spec each case produces
(shape, padded shape, dtype, layout, printed memory config), or its error, or its skip reason.
Cases of ops the emulator does not model are reported apart, by case."""

from __future__ import annotations

import importlib
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from ttgen.conformance.roundtrips import Disagreement

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = ROOT / "tests" / "conformance" / "fixtures"
SHARED = ROOT.parent / "shared" / "fixtures"


def inputs() -> list[Path]:
    """The masters whose generated cases are compared (those present on this machine)."""
    found = [ROOT / "traced_operations" / "ttnn_operations_master.json"]
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


def emulate(packages: list[Path]) -> list[dict[str, Any]]:
    import ttgen.emu as ttnn
    from ttgen.runtime.outcome import SkipCase

    device = ttnn.open_device(device_id=0)
    records = []
    for root in packages:
        sys.path.insert(0, str(root.parent))
        try:
            for path in sorted((root / "sweeps").rglob("*.py")):
                if path.name == "__init__.py":
                    continue
                module = importlib.import_module(".".join(path.relative_to(root.parent).with_suffix("").parts))
                for case_id, case in module.CASES.items():
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
    return records


def compare(doc: dict[str, Any]) -> tuple[int, list[Disagreement], list[str]]:
    """(cases compared, disagreements, cases not emulated)."""
    with tempfile.TemporaryDirectory(prefix="ttgen-ops-") as tmp:
        ours = {(r["package"], r["case"]): r for r in emulate(compile_inputs(Path(tmp)))}
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
    return len(records), found, not_emulated


def fixture(arch: str = "wormhole_b0") -> Path:
    return FIXTURES / f"ops_{arch}.json"


def load(arch: str = "wormhole_b0") -> dict[str, Any]:
    return json.loads(fixture(arch).read_text(encoding="utf-8"))  # type: ignore[no-any-return]
