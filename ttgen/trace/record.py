"""Recording ttnn op calls as upstream's per-call trace records (shared/reference
upstream-trace-formats.md §5.1: operation_id, operation_name, args [{position, value}], kwargs,
return_value), so a ttgen trace is also readable by upstream's tools, and ttgen's own reader
(`ttgen.ingest`) turns it into configurations.

This module runs inside the traced test process, which may be the real-ttnn interpreter without
pydantic or torch: standard library only, and values are read by duck typing, so the same code
serializes the emulator's objects and real ttnn's. Values are serialized when the call returns,
before the test can mutate or deallocate them. Recording never raises into the test: a value
that cannot be serialized makes that call unrecordable, counted with its reason.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ttgen.facts import classes
from ttgen.facts.devices import board_naming
from ttgen.facts.json_floats import SPECIAL_FLOAT_SPELLINGS
from ttgen.facts.reprs import RESOURCE_TEXT, strip_addresses

Json = Any

# upstream's exclusion list (§1.3): data movement and bookkeeping, not configurations worth a test
INFRASTRUCTURE_OPS = frozenset(
    "ttnn." + name
    for name in (
        "allocate_tensor_on_device",
        "deallocate",
        "move",
        "reallocate",
        "copy_host_to_device_tensor",
        "copy_device_to_host_tensor",
        "to_device",
        "to_dtype",
        "to_layout",
        "to_memory_config",
        "to_torch",
        "from_device",
        "from_torch",
        "view",
        "dump_tensor",
        "load_tensor",
        "as_tensor",
        "unary_chain",
        "pearson_correlation_coefficient",
        "dram_prefetcher",
        "complex_tensor",
        "prim.binary",
        "prim.example",
        "prim.example_multiple_return",
        "composite_example",
        "composite_example_multiple_return",
    )
)


def machine_info(device: Any) -> dict[str, Json]:
    """upstream's machine_info for an open device (emulated or real)."""
    arch = getattr(device.arch(), "name", str(device.arch())).upper()
    chips = int(device.get_num_devices()) if hasattr(device, "get_num_devices") else 1
    board, series = board_naming(arch, chips)
    info: dict[str, Json] = {"board_type": board, "card_count": 1, "device_count": chips}
    if series is not None:
        info["device_series"] = series
    return info


def _enum_text(v: Any) -> str:
    return str(v)


def _is_tensor(v: Any) -> bool:
    return type(v).__name__ == "Tensor" and hasattr(v, "memory_config") and hasattr(v, "storage_type")


def _shard_spec(spec: Any) -> Json:
    if spec is None:
        return None
    grid = [
        {"start": {"x": r.start.x, "y": r.start.y}, "end": {"x": r.end.x, "y": r.end.y}} for r in spec.grid.ranges()
    ]
    return {"grid": grid, "shape": [int(d) for d in spec.shape], "orientation": _enum_text(spec.orientation)}


def memory_config(mc: Any) -> Json:
    sharded = "SHARDED" in _enum_text(mc.memory_layout)
    return {
        "memory_layout": _enum_text(mc.memory_layout),
        "buffer_type": _enum_text(mc.buffer_type),
        "shard_spec": _shard_spec(mc.shard_spec),
        "is_sharded": sharded,
        "interleaved": not sharded,
    }


def _mesh(device: Any) -> dict[str, Json]:
    return {"shape": [int(d) for d in device.shape], "device_ids": [int(i) for i in device.get_device_ids()]}


def tensor(t: Any) -> Json:
    shape = [int(d) for d in t.shape]
    doc: dict[str, Json] = {"type": "ttnn.Tensor", "original_shape": shape, "original_dtype": _enum_text(t.dtype)}
    device = t.device() if callable(getattr(t, "device", None)) else None
    placements, distribution = ["PlacementReplicate"], [1]
    if hasattr(t, "tensor_topology"):  # how the tensor is spread over the mesh
        topology = t.tensor_topology()
        placements = [
            f"{type(p).__name__}({p.dim})" if hasattr(p, "dim") else type(p).__name__ for p in topology.placements()
        ]
        distribution = [int(d) for d in topology.distribution_shape()]
    if device is not None:
        doc["mesh_device"] = {"placements": placements, "distribution_shape": distribution, **_mesh(device)}
    elif math.prod(distribution) > 1:  # a distributed host tensor: no mesh yet, as ttnn's tracer writes it
        doc["mesh_device"] = {"placements": placements, "distribution_shape": distribution}
    doc.update(
        shape=shape,
        dtype=_enum_text(t.dtype),
        layout=_enum_text(t.layout),
        storage_type=_enum_text(t.storage_type()),
        memory_config=memory_config(t.memory_config()),
    )
    return doc


def value(v: Any) -> Json:
    """One argument or return value in upstream's per-call encoding."""
    if isinstance(v, str) and v in SPECIAL_FLOAT_SPELLINGS:
        return {"type": "str", "value": v}  # a string, not the float its spelling reads as
    if v is None or isinstance(v, bool | int | str):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
    if isinstance(v, list | tuple):
        return [value(x) for x in v]
    if isinstance(v, set | frozenset):  # iteration order follows string hashing: sort for a stable trace
        return sorted((value(x) for x in v), key=repr)
    if isinstance(v, dict):
        out = {str(k): value(x) for k, x in v.items()}
        if len(out) != len(v):
            raise ValueError("dict keys collide once written as strings")
        return out
    if type(v).__module__ == "numpy" and hasattr(v, "item") and getattr(v, "ndim", None) == 0:
        return value(v.item())  # a numpy scalar, as the Python number it stands for
    if _is_tensor(v):
        return tensor(v)
    name = type(v).__name__
    if name == "MemoryConfig":
        return memory_config(v)
    if name == "MeshDevice":
        return {"type": "MeshDevice", "repr": str(v), **_mesh(v)}
    if type(v).__module__.startswith("torch"):
        return {"type": "torch.Tensor", "shape": list(v.shape), "dtype": str(v.dtype)}
    text = strip_addresses(str(v))
    known = classes.get(name)
    if known is not None and known.fields and RESOURCE_TEXT.match(text):
        # a config class that prints only its address (WormholeComputeKernelConfig): its fields
        return {"type": name, "fields": {f.name: value(getattr(v, f.name)) for f in known.fields if hasattr(v, f.name)}}
    return {"type": name, "repr": text}


@dataclass
class TestCalls:
    """What one test called: its records in call order, and what was not recorded."""

    nodeid: str
    records: list[dict[str, Json]] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # infrastructure ops by name
    raised: Counter[str] = field(default_factory=Counter)  # calls that raised: no configuration
    unrecordable: list[tuple[str, str]] = field(default_factory=list)  # (op, why) of calls not serialized
    device: Any = None  # the first device the test's calls used

    def _find_device(self, values: list[Any]) -> None:
        for x in values:
            if type(x).__name__ == "MeshDevice":
                self.device = x
            elif _is_tensor(x) and x.device() is not None:
                self.device = x.device()
            if self.device is not None:
                return

    def record(
        self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any, error: BaseException | None
    ) -> None:
        if name in INFRASTRUCTURE_OPS:
            self.skipped[name] += 1
            return
        if error is not None:
            self.raised[name] += 1
            return
        try:
            if self.device is None:
                self._find_device([*args, *kwargs.values(), result])
            doc: dict[str, Json] = {
                "operation_id": len(self.records) + 1,
                "operation_name": name,
                "args": [{"position": i, "value": value(a)} for i, a in enumerate(args)],
                "kwargs": {k: value(v) for k, v in kwargs.items()},
            }
            if result is not None:
                doc["return_value"] = value(result)
        except Exception as e:  # whatever a value does, the test goes on
            self.unrecordable.append((name, f"{type(e).__name__}: {e}"[:500]))
            return
        self.records.append(doc)
