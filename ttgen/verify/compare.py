"""A replayed call against its traced configuration: the same arguments hash, or the arguments
that differ, each with why (passed by keyword where the trace has it positional, a value that
changed, an argument only one side has)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ttgen.facts import classes
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


def _arguments(config: OpConfig) -> dict[str, Json]:
    """As the hash sees them: normalized, runtime handles left out."""
    return normalized_arguments({k: v for k, v in arguments_to_json(config).items() if not is_resource_json(v)})


def _host_placement(v: dict[str, Json]) -> dict[str, Json]:
    """A host tensor is on no mesh yet: only its distribution is its own (traces differ on
    what they write as its mesh shape)."""
    tp = v.get("tensor_placement")
    if v.get("storage_type") == "StorageType.HOST" and isinstance(tp, dict) and "distribution_shape" in tp:
        return {**v, "tensor_placement": {**tp, "mesh_device_shape": tp["distribution_shape"]}}
    return v


def aligned(traced: Json, replayed: Json) -> tuple[Json, Json]:
    """Both sides without what names the machine rather than the call: a mesh's device ids
    (physical chip numbers), a host tensor's mesh; and the replay without the fields of a config
    class that the trace predates (optional fields ttnn added since, at their defaults: the
    generated call passed only the traced ones)."""
    if isinstance(traced, list) and isinstance(replayed, list) and len(traced) == len(replayed):
        pairs = [aligned(x, y) for x, y in zip(traced, replayed, strict=True)]
        return [p[0] for p in pairs], [p[1] for p in pairs]
    if not (isinstance(traced, dict) and isinstance(replayed, dict)):
        return traced, replayed
    a, b = dict(traced), dict(replayed)
    if a.get("type") == "MeshDevice" and b.get("type") == "MeshDevice":
        a.pop("device_ids", None)
        b.pop("device_ids", None)
    a, b = _host_placement(a), _host_placement(b)
    fa, fb = a.get("fields"), b.get("fields")
    cls = classes.get(str(a.get("type"))) if a.get("type") == b.get("type") else None
    if isinstance(fa, dict) and isinstance(fb, dict) and cls is not None:
        b["fields"] = {k: v for k, v in fb.items() if k in fa or k in cls.required}
    for k in a:
        if k in b:
            a[k], b[k] = aligned(a[k], b[k])
    return a, b


def reproduces(traced: OpConfig, replayed: OpConfig) -> bool:
    a, b = aligned(_arguments(traced), _arguments(replayed))
    return _canon(a) == _canon(b)


def argument_diffs(traced: OpConfig, replayed: OpConfig) -> list[ArgumentDiff]:
    """Argument by argument, as the hash sees them (normalized, runtime handles left out)."""
    a, b = aligned(_arguments(traced), _arguments(replayed))
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
