"""Printers return typed fragments and a module's imports are their union (issue 12, item 3): a
traced string that spells a ttnn or runtime name imports nothing."""

from __future__ import annotations

import ast
import copy
import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import EMBEDDED_MASTER
from ttgen.compile.compiler import compile_master
from ttgen.compile.outputs import write

NAMES = ("DEVICE", "DeviceRef", "MeshPlacement(", "bfloat16", "ttnn.bfloat16", "ABSENT")


def runtime_imports(module: Path) -> set[str]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    return {a.name for n in tree.body if isinstance(n, ast.ImportFrom) and n.module == "ttgen.runtime" for a in n.names}


def test_a_traced_string_spelling_a_name_adds_no_import(tmp_path: Path) -> None:
    doc = json.loads(EMBEDDED_MASTER.read_text(encoding="utf-8"))
    template = doc["operations"]["ttnn.add"]["configurations"][0]
    configs = []
    for i, text in enumerate(NAMES):
        c = copy.deepcopy(template)
        c["arguments"]["rounding_mode"] = {"type": "str", "value": text}
        c["config_hash"] = f"{i + 1:064x}"
        c["config_id"] = i + 1
        configs.append(c)
    doc["operations"] = {"ttnn.div": {"configurations": configs}}
    master = tmp_path / "master.json"
    master.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "gen"
    comp = compile_master(master, out)
    assert comp.cases == len(NAMES), [r.reason for r in comp.rejections]
    write(comp)
    module = out / "sweeps" / "ttnn" / "div.py"
    text = module.read_text(encoding="utf-8")
    assert all(f'"{name}"' in text for name in NAMES)  # the strings are there, as literals
    assert runtime_imports(module) == {"Inputs", "Machine", "Outcome", "TensorSpec", "ttnn"}  # Machine: its arch
    ruff = Path(sys.executable).with_name("ruff")
    done = subprocess.run([ruff, "check", "--no-cache", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def test_a_traced_device_imports_what_it_uses(tmp_path: Path) -> None:
    # the embedded master's ops take no device argument; a real device value imports DEVICE and DeviceRef
    from ttgen.compile.printers import value_fragment
    from ttgen.model import MeshDeviceValue, StrValue

    device = value_fragment(MeshDeviceValue(shape=(1, 1), device_ids=(0,)))
    assert device.imports == {"DEVICE", "DeviceRef"} and device.materialized
    text = value_fragment(StrValue(value="DEVICE"))
    assert text.imports == frozenset() and not text.materialized
