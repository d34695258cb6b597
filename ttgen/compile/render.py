"""Arrange plans into files with the jinja2 templates in templates/ (layout only: every value
was already printed by ttgen.compile.printers)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import jinja2

from ttgen import __version__
from ttgen.compile.layout import INDENT, layout
from ttgen.compile.plan import FieldPlan, OpPlan
from ttgen.compile.sweeps_src import SweepsData

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    undefined=jinja2.StrictUndefined,
    autoescape=False,  # Python source, not HTML: values arrive as printed source
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["pyrepr"] = repr


def _import_order(name: str) -> tuple[int, str]:
    """ruff/isort order-by-type: CONSTANTS, Classes, functions."""
    kind = 0 if name.isupper() else 1 if name[0].isupper() else 2
    return (kind, name)


def runtime_imports(plan: OpPlan) -> list[str]:
    names = {"Inputs", "Outcome", "TensorSpec", "ttnn"}
    if plan.optional_fields:
        names |= {"ABSENT", "Absent", "present"}
    sources = " ".join(c.sources for c in plan.cases)
    types = " ".join(f.type for f in plan.fields)
    if "DEVICE" in sources:
        names.add("DEVICE")
    if "DeviceRef" in types:
        names.add("DeviceRef")
    if "MeshPlacement(" in sources:
        names.add("MeshPlacement")
    return sorted(names, key=_import_order)


def _arg(f: FieldPlan) -> str:
    return f"inputs.value({f.name!r}, case.{f.name})" if f.via_inputs else f"case.{f.name}"


def call_args(plan: OpPlan) -> list[str]:
    """Positional parameters in order, then keywords; absent-able keywords through present()."""
    args = [_arg(f) for f in plan.positional_fields]
    args += [f"{f.name}={_arg(f)}" for f in plan.keyword_fields]
    if plan.optional_fields:
        args.append("**present(" + ", ".join(f"{f.name}={_arg(f)}" for f in plan.optional_fields) + ")")
    return args


CASES_MARK = "    # ttgen: cases"
COMBINATIONS_MARK = "    # ttgen: combinations"


def cases_block(plan: OpPlan, traced: bool = True) -> str:
    """The CASES (or COMBINATIONS) entries, laid out as black would (ttgen.compile.layout)."""
    lines: list[str] = []
    for c in plan.traced_cases if traced else plan.combinations:
        lines.extend(f"{INDENT}# {line}" if line else f"{INDENT}#" for line in c.comments)
        lines.extend(layout("", c.entry(plan.class_name), ",", 1))
    return "\n".join(lines)


def render_sweep_skeleton(plan: OpPlan, master: str, data: SweepsData) -> str:
    """The module with a placeholder line where CASES' entries go."""
    return _ENV.get_template("sweep_module.py.j2").render(
        version=__version__,
        master=master,
        plan=plan,
        runtime_imports=runtime_imports(plan),
        timeout=data.timeout(plan.op),
        golden=data.golden(plan.op),
        pcc=data.pcc_table(plan.op),
        ranges={name: tuple(map(float, bounds)) for name, bounds in data.value_ranges(plan.op).items()},
        call=plan.op,
        call_args=call_args(plan),
        combinations=bool(plan.combinations),
    )


def test_expectations(plan: OpPlan, data: SweepsData) -> list[tuple[str, Any]]:
    known = {c.case_id for c in plan.cases}  # traced cases and combinations alike
    return [(case_id, e) for case_id, e in sorted(data.expected(plan.op).items()) if case_id in known]


def test_digest(plan: OpPlan, data: SweepsData) -> str:
    """The pytest file depends on the op and its expectations only, not on the cases."""
    payload = {"op": plan.op, "expectations": [(k, e.model_dump()) for k, e in test_expectations(plan, data)]}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def render_test_module(plan: OpPlan, master: str, data: SweepsData, sweep_package: str) -> str:
    expectations = test_expectations(plan, data)
    return _ENV.get_template("test_module.py.j2").render(
        digest=test_digest(plan, data),
        version=__version__,
        master=master,
        plan=plan,
        sweep_package=sweep_package,
        combinations=bool(plan.combinations),
        expectations=expectations,
        expectation_kinds=sorted({e.kind for _, e in expectations}),
    )


def render_support(name: str, **context: Any) -> str:
    return _ENV.get_template(name).render(version=__version__, **context)
