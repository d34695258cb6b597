"""A replayed call against its traced configuration: the same arguments hash, or the arguments
that differ, each with why (passed by keyword where the trace has it positional, a value that
changed, an argument only one side has)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ttgen.model import OpConfig
from ttgen.model.serialize import arguments_to_json, is_resource_json, normalized_arguments, upstream_config_hash

Json = Any


def arguments_hash(config: OpConfig) -> str:
    """upstream's config_hash of the call's arguments, with no hardware: what the call passed."""
    return upstream_config_hash(config.operation, arguments_to_json(config), None, normalize=True)


@dataclass(frozen=True, slots=True)
class ArgumentDiff:
    name: str
    traced: Json  # None when absent from the trace (see `why`)
    replayed: Json
    why: str

    def to_json(self) -> dict[str, Json]:
        return {"name": self.name, "traced": self.traced, "replayed": self.replayed, "why": self.why}


def _canon(value: Json) -> str:
    return json.dumps(value, sort_keys=True)


def argument_diffs(traced: OpConfig, replayed: OpConfig) -> list[ArgumentDiff]:
    """Argument by argument, as the hash sees them (normalized, runtime handles left out)."""
    a = normalized_arguments({k: v for k, v in arguments_to_json(traced).items() if not is_resource_json(v)})
    b = normalized_arguments({k: v for k, v in arguments_to_json(replayed).items() if not is_resource_json(v)})
    diffs: list[ArgumentDiff] = []
    only_a = [k for k in a if k not in b]
    only_b = [k for k in b if k not in a]
    paired: set[str] = set()
    for ka in only_a:
        for kb in only_b:
            if kb not in paired and _canon(a[ka]) == _canon(b[kb]):
                how = "positionally" if kb.startswith("arg") else f"by keyword {kb!r}"
                was = "positional" if ka.startswith("arg") else f"keyword {ka!r}"
                diffs.append(ArgumentDiff(ka, a[ka], b[kb], f"traced as {was}, replayed {how}"))
                paired.update({ka, kb})
                break
    for k in only_a:
        if k not in paired:
            diffs.append(ArgumentDiff(k, a[k], None, "traced, but the replay did not pass it"))
    for k in only_b:
        if k not in paired:
            diffs.append(ArgumentDiff(k, None, b[k], "passed by the replay, but not traced"))
    for k in a:
        if k in b and _canon(a[k]) != _canon(b[k]):
            diffs.append(ArgumentDiff(k, a[k], b[k], "the replayed value differs"))
    return diffs
