"""One traced configuration of one op, its provenance, and a whole master."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from ttgen.model.base import Dim, Frozen, PositiveDim
from ttgen.model.values import ArgValue, check_identifier

POSITIONAL = re.compile(r"arg(0|[1-9][0-9]{0,3})\Z")
OP_NAME = re.compile(r"ttnn(\.[A-Za-z_][A-Za-z0-9_]*)+\Z")


class MachineInfo(Frozen):
    board_type: str | None = None
    device_series: str | None = None
    card_count: Annotated[int, Field(ge=0, le=2**20)] | None = None
    device_count: Annotated[int, Field(ge=0, le=2**20)] | None = None
    device_ids: tuple[Dim, ...] | None = None
    mesh_device_shape: tuple[PositiveDim, ...] | None = None

    @property
    def hardware(self) -> tuple[str, str | None, int] | None:
        """upstream's hardware key: (board_type, device_series, card_count or 1)."""
        if self.board_type is None:
            return None
        return (self.board_type, self.device_series, self.card_count if self.card_count is not None else 1)


class Execution(Frozen):
    """Where a configuration was seen: a test (source), a machine, how many calls."""

    source: str
    machine_info: MachineInfo | None = None
    count: Annotated[int, Field(ge=1, le=2**53)] = 1
    trace_uid: str | None = None
    pytest_args: str | None = None
    trace_run_ids: tuple[int | str, ...] = ()


class Argument(Frozen):
    """`arg0`, `arg1`, ... are positional by position; any other name is a keyword."""

    name: str
    value: ArgValue

    @field_validator("name")
    @classmethod
    def _ident(cls, v: str) -> str:
        return check_identifier(v, "argument name")

    @property
    def position(self) -> int | None:
        m = POSITIONAL.match(self.name)
        return int(m.group(1)) if m else None


def argument_sort_key(arg: Argument) -> tuple[int, int, str]:
    pos = arg.position
    return (0, pos, "") if pos is not None else (1, 0, arg.name)


class OpConfig(Frozen):
    """One traced configuration. Arguments are canonical: positional by position, then
    keywords by name. `output` is the traced return value when the trace recorded one."""

    operation: str
    arguments: tuple[Argument, ...]
    config_hash: str
    executions: tuple[Execution, ...] = ()
    config_id: int | str | None = None
    sweep_source_hash: str | None = None
    output: ArgValue | None = None

    @field_validator("operation")
    @classmethod
    def _op_name(cls, v: str) -> str:
        if not OP_NAME.match(v):
            raise ValueError(f"operation name {v!r} is not a dotted ttnn name (ttnn.x.y)")
        return v

    @field_validator("config_hash")
    @classmethod
    def _hash(cls, v: str) -> str:
        if not re.fullmatch(r"[0-9A-Za-z_-]{1,128}", v):
            raise ValueError(f"config_hash {v!r} is not a short alphanumeric id")
        return v

    @model_validator(mode="after")
    def _canonical_args(self) -> OpConfig:
        names = [a.name for a in self.arguments]
        if len(set(names)) != len(names):
            raise ValueError("argument names repeat")
        if list(self.arguments) != sorted(self.arguments, key=argument_sort_key):
            raise ValueError("arguments are not in canonical order")
        positions = [a.position for a in self.arguments if a.position is not None]
        if positions != list(range(len(positions))):
            missing = sorted(set(range(max(positions, default=-1) + 1)) - set(positions))
            raise ValueError(
                "positional arguments are not contiguous: missing " + ", ".join(f"arg{i}" for i in missing)
            )
        return self

    def argument(self, name: str) -> ArgValue | None:
        for a in self.arguments:
            if a.name == name:
                return a.value
        return None

    @property
    def positional(self) -> tuple[Argument, ...]:
        return tuple(a for a in self.arguments if a.position is not None)

    @property
    def keywords(self) -> tuple[Argument, ...]:
        return tuple(a for a in self.arguments if a.position is None)

    @property
    def execution_count(self) -> int:
        return sum(e.count for e in self.executions)

    @property
    def short_id(self) -> str:
        return self.config_hash[:12]


class MasterMetadata(Frozen):
    """The master's own `metadata` block, kept to reconcile counts against (never trusted)."""

    models: tuple[str, ...] = ()
    unique_operations: int | None = None
    total_configurations: int | None = None
    operations_summary: tuple[tuple[str, int], ...] = ()
    last_updated: str | None = None
    trace_uid: str | None = None


class Master(Frozen):
    """A whole master: op name → configurations, in source order."""

    operations: tuple[tuple[str, tuple[OpConfig, ...]], ...]
    metadata: MasterMetadata = MasterMetadata()

    @model_validator(mode="after")
    def _consistent(self) -> Master:
        seen: set[str] = set()
        for op, configs in self.operations:
            if op in seen:
                raise ValueError(f"operation {op} appears twice")
            seen.add(op)
            for c in configs:
                if c.operation != op:
                    raise ValueError(f"configuration of {c.operation} filed under {op}")
        return self

    def configs(self, op: str) -> tuple[OpConfig, ...]:
        for name, configs in self.operations:
            if name == op:
                return configs
        return ()

    @property
    def op_names(self) -> tuple[str, ...]:
        return tuple(op for op, _ in self.operations)

    @property
    def total_configurations(self) -> int:
        return sum(len(c) for _, c in self.operations)
