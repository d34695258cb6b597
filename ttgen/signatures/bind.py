"""Bind a traced configuration onto one overload's named, typed parameters.

Resolution follows nanobind's own dispatch: overloads are tried in registration order and the
first whose parameters accept the traced values wins. Positional `argN` go to positional
parameters in order; keywords go by name; every required parameter must be present; each value
must fit its parameter's annotation. Traced None and absent stay distinct: an absent parameter
is simply not bound (the op's default applies).
"""

from __future__ import annotations

from dataclasses import dataclass

from ttgen.facts.ccl import SEMAPHORE_CLASS, SEMAPHORE_COUNTS, SEMAPHORE_PYTHON_TYPE
from ttgen.model import ArgValue, BoolValue, IntValue, ListValue, OpConfig, ResourceValue
from ttgen.signatures.catalog import Catalog, OpSignature, Overload, Param
from ttgen.signatures.typematch import describe_kind, parse_annotation


@dataclass(frozen=True, slots=True)
class BoundArg:
    param: Param
    value: ArgValue
    traced_as: str  # "arg0", or the keyword's name


@dataclass(frozen=True, slots=True)
class Binding:
    signature: OpSignature
    overload_index: int
    overload: Overload
    args: tuple[BoundArg, ...]  # in parameter order

    def get(self, name: str) -> BoundArg | None:
        for a in self.args:
            if a.param.name == name:
                return a
        return None


class BindError(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class _Mismatch(Exception):
    pass


def _check(param: Param, value: ArgValue, traced_as: str) -> ArgValue:
    """The value as the parameter takes it; a C++-printed bool (`0`/`1`, V1 graph capture's
    operator<<) becomes the bool its parameter declares."""
    expr = parse_annotation(param.annotation)
    if expr.accepts(value):
        return value
    if isinstance(value, IntValue) and value.value in (0, 1) and expr.accepts(BoolValue(value=bool(value.value))):
        return BoolValue(value=bool(value.value))
    raise _Mismatch(f"{traced_as} is {describe_kind(value)}, but {param.name} takes {expr.text}")


def bind_overload(config: OpConfig, overload: Overload) -> tuple[BoundArg, ...]:
    params = overload.params
    positional = [p for p in params if p.positional]
    by_name = {p.name: p for p in params if p.kind not in ("var_positional", "var_keyword")}
    bound: dict[str, BoundArg] = {}
    # V1 graph capture records the C++ invoke's arguments, all positional, where Python makes the
    # trailing ones keyword-only (pad's use_multicore, memory_config): they follow in order
    keyword_only = [p for p in params if p.kind == "keyword_only" and p.name not in {k.name for k in config.keywords}]
    for a in config.positional:
        pos = a.position
        assert pos is not None
        if pos >= len(positional) + len(keyword_only):
            raise _Mismatch(f"{a.name} is traced, but only {len(positional)} positional parameter(s) exist")
        p = positional[pos] if pos < len(positional) else keyword_only[pos - len(positional)]
        bound[p.name] = BoundArg(p, _check(p, a.value, a.name), a.name)
    for a in config.keywords:
        kw = by_name.get(a.name)
        if kw is None:
            raise _Mismatch(f"no parameter named {a.name}")
        if kw.kind == "positional_only":
            raise _Mismatch(f"{a.name} is positional-only but was traced as a keyword")
        if kw.name in bound:
            raise _Mismatch(f"{a.name} is given both positionally and by keyword")
        bound[kw.name] = BoundArg(kw, _check(kw, a.value, a.name), a.name)
    for p in params:
        count = SEMAPHORE_COUNTS.get((config.operation, p.name))
        if p.required and p.name not in bound and count is not None:
            bound[p.name] = BoundArg(p, _semaphores(count), p.name)
    missing = [p.name for p in params if p.required and p.name not in bound]
    if missing:
        raise _Mismatch(f"required parameter {missing[0]} is not traced")
    return tuple(bound[p.name] for p in params if p.name in bound)


def _semaphores(count: int) -> ListValue:
    """Fresh global semaphores for an async CCL whose trace dropped them (ttgen.facts.ccl)."""
    one = ResourceValue(resource=SEMAPHORE_CLASS, python_type=SEMAPHORE_PYTHON_TYPE)
    return ListValue(items=(one,) * count)


def bind(config: OpConfig, catalog: Catalog) -> Binding:
    signature = catalog.get(config.operation)
    if signature is None:
        raise BindError(f"{config.operation} is not an operation of ttnn {catalog.ttnn_version}")
    reasons = []
    for i, overload in enumerate(signature.overloads):
        try:
            return Binding(signature, i, overload, bind_overload(config, overload))
        except _Mismatch as m:
            reasons.append(str(m) if len(signature.overloads) == 1 else f"overload {i + 1}: {m}")
    raise BindError("no overload accepts the traced arguments: " + "; ".join(reasons))
