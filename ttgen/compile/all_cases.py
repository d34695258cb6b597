"""`--all-cases`: the Cartesian product of the unique traced values of each parameter (as
upstream's all_cases offers), pruned by ttnn's static validity rules (ttgen.facts.validity),
with every pruned combination counted under its reason.

Combinations are formed per op and overload, among configurations that bind the same
parameters. A tensor parameter contributes its parts separately (shape, dtype, layout, memory
config; storage and mesh placement travel together), as upstream splits `input_a_shape`,
`input_a_dtype`, ... so a shard spec meets every traced shape.

Two caps keep a large master from exhausting memory, and neither drops anything unsaid: a group
whose product exceeds MAX_COMBINATIONS is not enumerated (CPU), and the new cases of one compile,
over every op, stop at a global cap (`--max-cases`, default DEFAULT_MAX_CASES): enumeration is
lazy and stops there, so memory is bounded by the cap; the combinations left are counted and
named per op. Order is deterministic (ops sorted, groups and products in order).
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ttgen.facts.devices import DEFAULT_ARCH, DEVICE_MODELS
from ttgen.facts.validity import ShardLayout, call_error, grid_error, layout_error, shard_error
from ttgen.ingest.errors import Reject
from ttgen.ingest.master import make_config
from ttgen.model import ArgValue, BoolValue, Layout, MemoryConfig, OpConfig, TensorSpec, TensorValue
from ttgen.model.serialize import arguments_to_json
from ttgen.signatures.bind import Binding

MAX_COMBINATIONS = 20_000  # per op and overload group; beyond it the product is not enumerated
DEFAULT_MAX_CASES = 10_000  # new cases per compile, over every op (`--max-cases`)
DEFAULT_GRID = DEVICE_MODELS[DEFAULT_ARCH].grid  # shard cores outside the compute grid are pruned


@dataclass
class Budget:
    """The global cap on new cases, shared by every op of one compile."""

    limit: int
    used: int = 0

    @property
    def exhausted(self) -> bool:
        return self.used >= self.limit


@dataclass
class Expansion:
    configs: list[OpConfig] = field(default_factory=list)
    combinations: int = 0
    pruned: Counter[str] = field(default_factory=Counter)
    capped: list[str] = field(default_factory=list)
    not_expanded: int = 0  # combinations in groups too large to enumerate
    over_cap: int = 0  # combinations not enumerated because the global cap was reached

    @property
    def enumerated(self) -> int:
        """= new cases + pruned + already traced."""
        return self.combinations - self.not_expanded - self.over_cap


def _unique(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


def reason_family(message: str) -> str:
    """Numbers folded, so the pruning summary groups by rule, not by shape."""
    return re.sub(r"\b\d+\b", "N", message)


def spec_error(spec_parts: dict[str, Any], grid: tuple[int, int]) -> str | None:
    tile = spec_parts["layout"] is Layout.TILE
    err = layout_error(spec_parts["dtype"].name, tile)
    if err:
        return err
    mc: MemoryConfig = spec_parts["memory_config"]
    if mc.is_sharded and mc.shard_spec is None:
        return "sharded memory config without a shard spec cannot hold a tensor"
    if mc.shard_spec is not None:
        s = mc.shard_spec
        shard = ShardLayout(
            mc.memory_layout.name,
            s.shape,
            tuple((r.start.x, r.start.y, r.end.x, r.end.y) for r in s.grid.ranges),
            s.orientation.name,
        )
        return shard_error(spec_parts["shape"], tile, shard) or grid_error(spec_parts["shape"], tile, shard, *grid)
    return None


def expand(
    op: str,
    bound: list[tuple[OpConfig, Binding]],
    grid: tuple[int, int] = DEFAULT_GRID,
    budget: Budget | None = None,
) -> Expansion:
    result = Expansion()
    budget = budget or Budget(DEFAULT_MAX_CASES)
    # identity by arguments alone: a traced configuration's hash also covers its hardware
    traced = {_arguments_key(c) for c, _ in bound}
    groups: dict[tuple[int, tuple[str, ...]], list[tuple[OpConfig, Binding]]] = {}
    for c, b in bound:
        groups.setdefault((b.overload_index, tuple(a.param.name for a in b.args)), []).append((c, b))
    for (overload, params), members in groups.items():
        first = members[0][1]
        names = {a.param.name: a.traced_as for a in first.args}
        # dimensions: (param, part) → unique values across the group
        dims: list[tuple[str, str]] = []
        values: list[list[Any]] = []
        for p in params:
            vals = [b.get(p).value for _, b in members]  # type: ignore[union-attr]
            tensors = [v for v in vals if isinstance(v, TensorValue)]
            if len(tensors) == len(vals):
                for part in ("shape", "dtype", "layout", "memory_config", "rest"):
                    dims.append((p, part))
                    values.append(_unique([_part(v.spec, part) for v in tensors]))
            else:
                dims.append((p, "value"))
                values.append(_unique(vals))
        total = 1
        for v in values:
            total *= len(v)
        result.combinations += total
        if total > MAX_COMBINATIONS:
            result.not_expanded += total
            result.capped.append(
                f"overload {overload + 1}: {total} combinations exceed {MAX_COMBINATIONS}; not expanded"
            )
            continue
        visited = 0
        for combo in itertools.product(*values):
            if budget.exhausted:
                break
            visited += 1
            chosen: dict[str, dict[str, Any]] = {}
            for (p, part), v in zip(dims, combo, strict=True):
                chosen.setdefault(p, {})[part] = v
            args: dict[str, ArgValue] = {}
            error = None
            for p in params:
                parts = chosen[p]
                if "value" in parts:
                    args[names[p]] = parts["value"]
                    continue
                error = spec_error(parts, grid)
                if error:
                    break
                storage, placement = parts["rest"]
                try:
                    spec = TensorSpec(
                        shape=parts["shape"],
                        dtype=parts["dtype"],
                        layout=parts["layout"],
                        memory_config=parts["memory_config"],
                        storage=storage,
                        placement=placement,
                    )
                except ValueError as e:
                    error = str(e).splitlines()[-1]
                    break
                args[names[p]] = TensorValue(spec=spec)
            if not error:
                by_param = {p: args[names[p]] for p in params}
                shapes = {p: v.spec.shape for p, v in by_param.items() if isinstance(v, TensorValue)}
                flags = {p: v.value for p, v in by_param.items() if isinstance(v, BoolValue)}
                error = call_error(op, shapes, flags)
            if error:
                result.pruned[reason_family(error)] += 1
                continue
            try:
                config = make_config(op, args, "")
            except Reject as r:
                result.pruned[reason_family(r.reason)] += 1
                continue
            key = _arguments_key(config)
            if key in traced:
                continue
            traced.add(key)
            result.configs.append(config)
            budget.used += 1
        result.over_cap += total - visited
    if result.over_cap:
        result.capped.append(
            f"{result.over_cap} of {result.combinations} combinations not enumerated: the cap of"
            f" {budget.limit} new cases per compile was reached (--max-cases)"
        )
    return result


def _arguments_key(config: OpConfig) -> str:
    return json.dumps(arguments_to_json(config), sort_keys=True)


def _part(spec: TensorSpec, part: str) -> Any:
    if part == "rest":
        return (spec.storage, spec.placement)
    return getattr(spec, part)
