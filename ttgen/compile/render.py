"""Arrange plans into files with the jinja2 templates in templates/ (layout only: every value
was already printed by ttgen.compile.printers)."""

from __future__ import annotations

import hashlib
import json
import keyword
from pathlib import Path
from typing import Any

import jinja2

from ttgen import __version__
from ttgen.compile.layout import INDENT, layout
from ttgen.compile.plan import FieldPlan, OpPlan
from ttgen.compile.printers import (
    Source,
    comment_text,
    data_literal,
    dotted,
    hex_text,
    ident,
    joined,
    number_literal,
    str_literal,
    union_source,
)
from ttgen.compile.sweeps_src import SweepsData

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"  # package data: a wheel carries it


def _printed_only(value: object) -> Source:
    """Every `{{ }}` of a template: only what a printer made may reach the file."""
    if isinstance(value, Source):
        return value
    raise TypeError(f"template value {value!r} ({type(value).__name__}) did not go through a printer")


_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    undefined=jinja2.StrictUndefined,
    autoescape=False,  # Python source, not HTML: values arrive as printed source
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    finalize=_printed_only,
)


def _import_order(name: str) -> tuple[int, str]:
    """ruff/isort order-by-type: CONSTANTS, Classes, functions."""
    kind = 0 if name.isupper() else 1 if name[0].isupper() else 2
    return (kind, name)


def runtime_imports(plan: OpPlan) -> list[Source]:
    names = {"Inputs", "Outcome", "TensorSpec", "ttnn"}
    if any(f.optional for f in plan.fields):
        names |= {"ABSENT", "Absent"}
    if any(plan.optional_fields(i) for i in range(len(plan.forms) or 1)):
        names.add("present")
    if any(f.optional for i in range(len(plan.forms)) for f in plan.positional_fields(i)):
        names.add("given")
    for case in plan.cases:  # the union of what the printed values use: never a search of their text
        names |= case.imports
    return [ident(n) for n in sorted(names, key=_import_order)]


def _arg(f: FieldPlan) -> Source:
    name = ident(f.name)
    return Source(f"inputs.value({str_literal(name)}, case.{name})" if f.via_inputs else f"case.{name}")


def call_args(plan: OpPlan, form: int = 0) -> list[Source]:
    """The form's positional parameters in traced order, then keywords; absent-able keywords
    through present()."""
    args = [Source(f"given({_arg(f)})") if f.optional else _arg(f) for f in plan.positional_fields(form)]
    args += [_keyword(f) for f in plan.keyword_fields(form)]
    optional = plan.optional_fields(form)
    if optional:
        present = joined([_keyword(f) for f in optional], ", ")
        args.append(Source(f"**present({present})"))
    return args


def calls(plan: OpPlan) -> list[tuple[Source, Source]]:
    """(form number, arguments) of each call form; form 0 last, as the `else` branch."""
    forms = range(len(plan.forms) or 1)
    return [(Source(str(i)), joined(call_args(plan, i), ", ")) for i in [*forms[1:], 0]]


def _keyword(f: FieldPlan) -> Source:
    """`name=value`; a parameter named by a Python keyword (`from`) goes as `**{"from": value}`."""
    if keyword.iskeyword(f.keyword):
        return Source(f"**{{{str_literal(f.keyword)}: {_arg(f)}}}")
    return Source(f"{ident(f.keyword)}={_arg(f)}")


CASES_MARK = "    # ttgen: cases"
COMBINATIONS_MARK = "    # ttgen: combinations"


def cases_block(plan: OpPlan, traced: bool = True) -> str:
    """The CASES (or COMBINATIONS) entries, laid out as black would (ttgen.compile.layout)."""
    lines: list[str] = []
    for c in plan.traced_cases if traced else plan.combinations:
        lines.extend(f"{INDENT}# {line}" if line else f"{INDENT}#" for line in c.comments)
        lines.extend(layout("", c.entry(plan.class_name), ",", 1))
    return "\n".join(lines)


def _header(plan: OpPlan, master: str, digest: str) -> dict[str, Source]:
    """What both of an op's files print in their header comment and docstring."""
    return {
        "version": comment_text(__version__),
        "master": comment_text(master),
        "digest": hex_text(digest[:16]),
        "op": dotted(plan.op),
        "module": ident(plan.module_name),
    }


def _fields(plan: OpPlan) -> list[dict[str, str | bool]]:  # the type is union_source's
    return [{"name": ident(f.name), "type": f.type, "optional": f.optional} for f in plan.fields]


def render_sweep_skeleton(plan: OpPlan, master: str, data: SweepsData) -> str:
    """The module with a placeholder line where CASES' entries go."""
    ranges = {name: tuple(map(float, bounds)) for name, bounds in data.value_ranges(plan.op).items()}
    return _ENV.get_template("sweep_module.py.j2").render(
        **_header(plan, master, plan.digest),
        class_name=ident(plan.class_name),
        fields=_fields(plan),
        expected_type=union_source(plan.expected_types | {"None"}),
        runtime_imports=joined(runtime_imports(plan), ", "),
        op_literal=str_literal(plan.op),
        timeout=number_literal(str(int(data.timeout(plan.op)))),
        golden=data_literal(data.golden(plan.op)),
        pcc=data_literal(dict(data.pcc_table(plan.op))),
        ranges=data_literal(dict(ranges)),
        device_params=data_literal(data.device_params(plan.op)),
        indices=data_literal(data.index_domains(plan.op)),
        call=dotted(plan.op),
        calls=calls(plan),
        combinations=bool(plan.combinations),
        machines=plan.has_machines,
    )


def test_expectations(plan: OpPlan, data: SweepsData) -> list[tuple[str, Any]]:
    known = {c.case_id for c in plan.cases}  # traced cases and combinations alike
    return [(case_id, e) for case_id, e in sorted(data.expected(plan.op).items()) if case_id in known]


def test_digest(plan: OpPlan, data: SweepsData) -> str:
    """The pytest file depends on the op and its expectations only, not on the cases."""
    payload = {"op": plan.op, "expectations": [(k, e.model_dump()) for k, e in test_expectations(plan, data)]}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _expectation(kind: str, reason: str) -> Source:
    if kind not in ("xfail", "skip"):
        raise TypeError(f"no expectation kind {kind!r}")
    return Source(f"{kind}({str_literal(reason)})")


def render_test_module(plan: OpPlan, master: str, data: SweepsData, sweep_package: str) -> str:
    expectations = test_expectations(plan, data)
    kinds = sorted({e.kind for _, e in expectations})
    return _ENV.get_template("test_module.py.j2").render(
        **_header(plan, master, test_digest(plan, data)),
        sweep_package=dotted(sweep_package),
        combinations=bool(plan.combinations),
        expectations=[(str_literal(case_id), _expectation(e.kind, e.reason)) for case_id, e in expectations],
        kind_imports=Source("".join(f", {ident(k)}" for k in kinds)),
    )


def render_support(name: str) -> str:
    return _ENV.get_template(name).render(version=comment_text(__version__))
