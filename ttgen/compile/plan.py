"""Per-op render model: bind every configuration, decide the case dataclass's fields (the op's
real parameter names, typed from what was traced), print every case, and account for every
configuration: bound + rejected == configurations."""

from __future__ import annotations

import hashlib
import json
import keyword
from collections import Counter
from dataclasses import dataclass, field

from ttgen.compile.all_cases import Budget, Expansion, expand
from ttgen.compile.layout import Atom, Call, Coll, KeyValue, Node
from ttgen.compile.machine import MeshConflict, machine_node
from ttgen.compile.printers import (
    Fragment,
    Unprintable,
    comment_text,
    ident,
    str_literal,
    tensor_fragment,
    union_source,
    value_fragment,
)
from ttgen.compile.sweeps_src import SweepsData
from ttgen.ingest import Rejection
from ttgen.model import ArgValue, ListValue, OpConfig, TensorValue
from ttgen.model.serialize import config_to_json
from ttgen.signatures.bind import BindError, Binding, bind
from ttgen.signatures.catalog import Catalog

MAX_PROVENANCE_LINES = 3


@dataclass(frozen=True, slots=True)
class FieldPlan:
    name: str  # the case field: the parameter's name, `_`-suffixed when that is a keyword
    type: str
    optional: bool  # absent in some case: defaults to ABSENT
    positional: bool  # passed positionally in the call of form 0
    via_inputs: bool  # holds tensors or the device: materialized by Inputs.value
    param: str = ""  # the op's parameter (default: the field name)

    @property
    def keyword(self) -> str:
        return self.param or self.name


def field_name(param: str) -> str:
    """ttnn.uniform takes `from`: a field cannot be named so, `from_` can (PEP 8)."""
    return ident(f"{param}_" if keyword.iskeyword(param) else param)


@dataclass(frozen=True, slots=True)
class CasePlan:
    case_id: str
    comments: tuple[str, ...]
    args: tuple[tuple[str, Node], ...]  # (field, value), field order
    expected: Node | None
    traced: bool = True  # False for --all-cases combinations
    imports: frozenset[str] = frozenset()  # the ttgen.runtime names its values use
    form: int = 0  # its call form: the index in OpPlan.forms
    config_hash: str = ""  # of the configuration it was compiled from
    machine: Node | None = None  # Machine(arch, mesh): where it was traced, what it opens

    def entry(self, class_name: str) -> KeyValue:
        """`"<case id>": <Class>(field=value, ...)`, the case's entry in CASES."""
        args: list[tuple[str | None, Node]] = list(self.args)
        if self.form:
            args.append(("call_form", Atom(str(self.form))))
        if self.machine is not None:
            args.append(("machine", self.machine))
        if self.expected is not None:
            args.append(("expected", self.expected))
        return KeyValue(Atom(str_literal(self.case_id)), Call(class_name, tuple(args)))


@dataclass
class OpPlan:
    op: str
    configurations: int
    fields: list[FieldPlan] = field(default_factory=list)
    cases: list[CasePlan] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    digest: str = ""
    expansion: Expansion | None = None
    forms: list[tuple[str, ...]] = field(default_factory=list)  # parameters passed positionally, per form
    expected_types: set[str] = field(default_factory=lambda: {"TensorSpec"})  # of `expected`, None aside

    @property
    def has_machines(self) -> bool:
        return any(c.machine is not None for c in self.cases)

    @property
    def traced_cases(self) -> list[CasePlan]:
        return [c for c in self.cases if c.traced]

    @property
    def combinations(self) -> list[CasePlan]:
        return [c for c in self.cases if not c.traced]

    @property
    def segments(self) -> list[str]:
        return self.op.split(".")

    @property
    def module_name(self) -> str:
        return self.segments[-1]

    @property
    def class_name(self) -> str:
        return "".join(p.capitalize() for p in self.module_name.split("_") if p) + "Case"

    def positional_fields(self, form: int = 0) -> list[FieldPlan]:
        """In the traced order: the form lists them by position."""
        by_param = {f.keyword: f for f in self.fields}
        return [by_param[p] for p in self.forms[form]] if self.forms else []

    def keyword_fields(self, form: int = 0) -> list[FieldPlan]:
        passed = set(self.forms[form]) if self.forms else set()
        return [f for f in self.fields if f.keyword not in passed and not f.optional]

    def optional_fields(self, form: int = 0) -> list[FieldPlan]:
        passed = set(self.forms[form]) if self.forms else set()
        return [f for f in self.fields if f.keyword not in passed and f.optional]


def _tensors(v: ArgValue) -> list[TensorValue]:
    if isinstance(v, TensorValue):
        return [v]
    if isinstance(v, ListValue):
        return [t for x in v.items for t in _tensors(x)]
    return []


def traced_output(config: OpConfig) -> ArgValue | None:
    """What the call returned: the traced return value, or, where the trace has none (V2
    masters), the preallocated `output_tensor` it passed, which the op writes and returns."""
    if config.output is not None:
        return config.output
    for a in config.keywords:
        if a.name == "output_tensor" and isinstance(a.value, TensorValue):
            return a.value
    return None


def expected_fragment(output: ArgValue | None) -> Fragment | None:
    """The traced output spec(s): one TensorSpec, or for a multi-output op (topk, split, qkv
    heads; conv2d's nested returns) the tuple of its tensors in traced order, checked one by one."""
    if output is None:
        return None
    if isinstance(output, TensorValue):
        return tensor_fragment(output.spec)
    tensors = [tensor_fragment(t.spec) for t in _tensors(output)]
    if not tensors:
        return None
    imports = frozenset().union(*(f.imports for f in tensors))
    return Fragment(Coll("tuple", tuple(f.node for f in tensors)), frozenset({"tuple[TensorSpec, ...]"}), imports, True)


def traced_form(binding: Binding) -> tuple[str, ...]:
    """The parameters a case's call passed positionally, in position order."""
    positional = [
        a for a in binding.args if a.param.positional and a.traced_as.startswith("arg") and a.traced_as[3:].isdigit()
    ]
    return tuple(a.param.name for a in sorted(positional, key=lambda a: int(a.traced_as[3:])))


def provenance(config: OpConfig) -> tuple[str, ...]:
    lines = []
    for e in config.executions[:MAX_PROVENANCE_LINES]:
        text = f"{e.source} ×{e.count}"
        mi = e.machine_info
        if mi is not None:
            bits = [b for b in (mi.board_type, mi.device_series) if b]
            if mi.mesh_device_shape is not None:
                bits.append("mesh " + "x".join(str(d) for d in mi.mesh_device_shape))
            if bits:
                text += f" ({' '.join(bits)})"
        lines.append(comment_text(text))
    if len(config.executions) > MAX_PROVENANCE_LINES:
        lines.append(comment_text(f"... and {len(config.executions) - MAX_PROVENANCE_LINES} more sources"))
    if not lines:
        lines.append(comment_text("no recorded provenance"))
    return tuple(lines)


def case_ids(configs: list[OpConfig]) -> list[str]:
    """The config_hash prefix, 12 characters unless two configurations of the op share it."""
    width = 12
    while len({c.config_hash[:width] for c in configs}) < len(configs) and width < 128:
        width += 4
    return [c.config_hash[:width] for c in configs]


def op_digest(op: str, configs: list[OpConfig], data: SweepsData, catalog: Catalog) -> str:
    """What this op's generated files are a function of (and nothing else): trace_uid, which
    names the trace run and is printed nowhere, is left out, so re-tracing the same calls in
    another run regenerates nothing."""
    untagged = [
        c.model_copy(update={"executions": tuple(e.model_copy(update={"trace_uid": None}) for e in c.executions)})
        for c in configs
    ]
    payload = {
        "op": op,
        "configurations": sorted((config_to_json(c) for c in untagged), key=lambda j: str(j["config_hash"])),
        "sweeps_src": data.for_op(op),
        "ttnn": catalog.ttnn_version,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def plan_op(
    op: str,
    configs: list[tuple[OpConfig, str]],
    catalog: Catalog,
    data: SweepsData,
    *,
    all_cases: bool = False,
    budget: Budget | None = None,
) -> OpPlan:
    """`budget` is the compile's global cap on --all-cases new cases (shared by its ops)."""
    plan = OpPlan(op=op, configurations=len(configs))
    try:
        for segment in plan.segments:
            if segment.startswith("_"):
                raise Unprintable(f"operation segment {segment!r} is private")
            ident(segment)
    except Unprintable as e:
        plan.rejections = [Rejection(op, ptr, f"cannot name a module for {op}: {e}") for _, ptr in configs]
        return plan

    bound: list[tuple[OpConfig, Binding]] = []
    printed: list[dict[str, Fragment]] = []  # bound's values, each printed once
    outputs: list[Fragment | None] = []  # their traced output specs
    machines: list[Node | None] = []  # where each ran (arch, mesh)
    seen: dict[str, str] = {}
    for config, ptr in configs:
        if config.config_hash in seen:
            plan.rejections.append(Rejection(op, ptr, f"duplicate of the configuration at {seen[config.config_hash]}"))
            continue
        try:
            binding = bind(config, catalog)
            values = {a.param.name: value_fragment(a.value) for a in binding.args}  # refused early, with the reason
            output = expected_fragment(traced_output(config))
            machine = machine_node(config)
        except (BindError, Unprintable, MeshConflict) as e:
            reason = (
                e.reason if isinstance(e, BindError) else f"cannot print: {e}" if isinstance(e, Unprintable) else str(e)
            )
            plan.rejections.append(Rejection(op, ptr, reason))
            continue
        seen[config.config_hash] = ptr
        bound.append((config, binding))
        printed.append(values)
        outputs.append(output)
        machines.append(machine)
    if not bound:
        return plan
    combined: set[str] = set()
    if all_cases:
        plan.expansion = expand(op, bound, budget=budget)
        for config in plan.expansion.configs:
            try:
                binding = bind(config, catalog)
                values = {a.param.name: value_fragment(a.value) for a in binding.args}
                output = expected_fragment(traced_output(config))
                machine = machine_node(config)
            except (BindError, Unprintable, MeshConflict) as e:
                plan.expansion.pruned[f"does not bind or print: {e}"] += 1
                continue
            bound.append((config, binding))
            printed.append(values)
            outputs.append(output)
            machines.append(machine)
            combined.add(config.config_hash)

    # Fields: the op's parameters in signature order (first overload that uses each first).
    order: list[str] = []
    types: dict[str, set[str]] = {}
    materialized: dict[str, bool] = {}
    counts: dict[str, int] = {}
    for _, b in sorted(bound, key=lambda cb: cb[1].overload_index):
        for p in b.overload.params:
            if p.name not in order:
                order.append(p.name)
    for values in printed:
        for name, f in values.items():
            types.setdefault(name, set()).update(f.types)
            materialized[name] = materialized.get(name, False) or f.materialized
            counts[name] = counts.get(name, 0) + 1
    names = [n for n in order if n in types]
    # Call forms: which parameters each case traced positionally (argN), in order. A replay must
    # pass them the same way, or the tracer records other argument names (softmax(x, -1) is not
    # softmax(x, dim=-1)); the commonest form is form 0, the others are chosen per case.
    case_forms = [traced_form(b) for _, b in bound]
    tally = Counter(case_forms)
    plan.forms = sorted(tally, key=lambda f: (-tally[f], f))
    form_index = {f: i for i, f in enumerate(plan.forms)}
    for n in names:
        optional = counts[n] < len(bound)
        t = types[n] | ({"Absent"} if optional else set())
        plan.fields.append(
            FieldPlan(field_name(n), union_source(t), optional, n in plan.forms[0], materialized[n], param=n)
        )
    # dataclass rule: fields without defaults first (stable within each group)
    plan.fields.sort(key=lambda f: f.optional)

    plan.expected_types = {"TensorSpec"}.union(*(o.types for o in outputs if o is not None))
    ids = case_ids([c for c, _ in bound])
    cases = zip(ids, bound, printed, outputs, case_forms, machines, strict=True)
    for (
        case_id,
        (config, _),
        values,
        expected,
        form,
        machine,
    ) in sorted(cases, key=lambda x: x[0]):
        traced = config.config_hash not in combined
        used = [values[f.keyword] for f in plan.fields if f.keyword in values] + ([expected] if expected else [])
        plan.cases.append(
            CasePlan(
                case_id=case_id,
                comments=provenance(config) if traced else ("combination of traced values (--all-cases), not traced",),
                args=tuple((f.name, values[f.keyword].node) for f in plan.fields if f.keyword in values),
                expected=expected.node if expected is not None else None,
                traced=traced,
                imports=frozenset().union(*(f.imports for f in used), {"Machine"} if machine else ()),
                form=form_index[form],
                config_hash=config.config_hash,
                machine=machine,
            )
        )
    plan.digest = op_digest(op, [c for c, _ in bound], data, catalog)
    return plan
