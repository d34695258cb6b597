"""Per-op render model: bind every configuration, decide the case dataclass's fields (the op's
real parameter names, typed from what was traced), print every case, and account for every
configuration: bound + rejected == configurations."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from ttgen.compile.all_cases import Budget, Expansion, expand
from ttgen.compile.layout import Atom, Call, KeyValue, Node, flat
from ttgen.compile.printers import (
    Unprintable,
    comment_text,
    ident,
    needs_inputs,
    str_literal,
    tensor_node,
    union_source,
    value_node,
    value_type,
)
from ttgen.compile.sweeps_src import SweepsData
from ttgen.ingest import Rejection
from ttgen.model import OpConfig, TensorValue
from ttgen.model.serialize import config_to_json
from ttgen.signatures.bind import BindError, Binding, bind
from ttgen.signatures.catalog import Catalog

MAX_PROVENANCE_LINES = 3


@dataclass(frozen=True, slots=True)
class FieldPlan:
    name: str
    type: str
    optional: bool  # absent in some case: defaults to ABSENT
    positional: bool  # passed positionally in the call
    via_inputs: bool  # holds tensors or the device: materialized by Inputs.value


@dataclass(frozen=True, slots=True)
class CasePlan:
    case_id: str
    comments: tuple[str, ...]
    args: tuple[tuple[str, Node], ...]  # (field, value), field order
    expected: Node | None
    traced: bool = True  # False for --all-cases combinations

    def entry(self, class_name: str) -> KeyValue:
        """`"<case id>": <Class>(field=value, ...)`, the case's entry in CASES."""
        args: list[tuple[str | None, Node]] = list(self.args)
        if self.expected is not None:
            args.append(("expected", self.expected))
        return KeyValue(Atom(str_literal(self.case_id)), Call(class_name, tuple(args)))

    @property
    def sources(self) -> str:
        """The case's values as flat source text (for scanning what it references)."""
        return " ".join(flat(n) for _, n in self.args) + (flat(self.expected) if self.expected else "")


@dataclass
class OpPlan:
    op: str
    configurations: int
    fields: list[FieldPlan] = field(default_factory=list)
    cases: list[CasePlan] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    digest: str = ""
    expansion: Expansion | None = None

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

    @property
    def positional_fields(self) -> list[FieldPlan]:
        return [f for f in self.fields if f.positional]

    @property
    def keyword_fields(self) -> list[FieldPlan]:
        return [f for f in self.fields if not f.positional and not f.optional]

    @property
    def optional_fields(self) -> list[FieldPlan]:
        return [f for f in self.fields if not f.positional and f.optional]


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
    seen: dict[str, str] = {}
    for config, ptr in configs:
        if config.config_hash in seen:
            plan.rejections.append(Rejection(op, ptr, f"duplicate of the configuration at {seen[config.config_hash]}"))
            continue
        try:
            binding = bind(config, catalog)
            for a in binding.args:
                value_node(a.value)  # everything must print; refuse early with the reason
                value_type(a.value)
            if isinstance(config.output, TensorValue):
                tensor_node(config.output.spec)
        except (BindError, Unprintable) as e:
            reason = e.reason if isinstance(e, BindError) else f"cannot print: {e}"
            plan.rejections.append(Rejection(op, ptr, reason))
            continue
        seen[config.config_hash] = ptr
        bound.append((config, binding))
    if not bound:
        return plan
    combined: set[str] = set()
    if all_cases:
        plan.expansion = expand(op, bound, budget=budget)
        for config in plan.expansion.configs:
            try:
                binding = bind(config, catalog)
                for a in binding.args:
                    value_node(a.value)
            except (BindError, Unprintable) as e:
                plan.expansion.pruned[f"does not bind or print: {e}"] += 1
                continue
            bound.append((config, binding))
            combined.add(config.config_hash)

    # Fields: the op's parameters in signature order (first overload that uses each first).
    order: list[str] = []
    types: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    positional_capable: dict[str, bool] = {}
    for _, b in sorted(bound, key=lambda cb: cb[1].overload_index):
        for p in b.overload.params:
            if p.name not in order:
                order.append(p.name)
            positional_capable[p.name] = positional_capable.get(p.name, True) and p.positional
    for _, b in bound:
        for a in b.args:
            types.setdefault(a.param.name, set()).update(value_type(a.value))
            counts[a.param.name] = counts.get(a.param.name, 0) + 1
    names = [n for n in order if n in types]
    # Positional: a leading run of parameters every case binds and every overload takes positionally.
    positional = set()
    for n in names:
        if counts[n] == len(bound) and positional_capable.get(n, False):
            positional.add(n)
        else:
            break
    for n in names:
        optional = counts[n] < len(bound)
        t = types[n] | ({"Absent"} if optional else set())
        plan.fields.append(FieldPlan(ident(n), union_source(t), optional, n in positional, needs_inputs(t)))
    # dataclass rule: fields without defaults first (stable within each group)
    plan.fields.sort(key=lambda f: f.optional)

    ids = case_ids([c for c, _ in bound])
    for case_id, (config, b) in sorted(zip(ids, bound, strict=True), key=lambda x: x[0]):
        values = {a.param.name: value_node(a.value) for a in b.args}
        expected = tensor_node(config.output.spec) if isinstance(config.output, TensorValue) else None
        traced = config.config_hash not in combined
        plan.cases.append(
            CasePlan(
                case_id=case_id,
                comments=provenance(config) if traced else ("combination of traced values (--all-cases), not traced",),
                args=tuple((f.name, values[f.name]) for f in plan.fields if f.name in values),
                expected=expected,
                traced=traced,
            )
        )
    plan.digest = op_digest(op, [c for c, _ in bound], data, catalog)
    return plan
