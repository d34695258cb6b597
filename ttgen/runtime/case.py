"""Inputs of one case: seeded host data turned into backend tensors, and the output check."""

from __future__ import annotations

import dataclasses
import hashlib
import math
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ttgen.runtime.backend import backend_name
from ttgen.runtime.mesh import mapper_for, topology_differs, topology_of
from ttgen.runtime.outcome import Outcome, SkipCase, Status
from ttgen.runtime.pcc import comp_pcc
from ttgen.runtime.spec import ABSENT, DeviceRef, MeshRef, Resource, TensorSpec

if TYPE_CHECKING:
    import ttgen.emu as ttnn
else:
    from ttgen.runtime.backend import load_backend

    ttnn = load_backend()


def mock_device() -> bool:
    """The real ttnn on a mock cluster: validation and allocation are real, data reads are zeros."""
    return backend_name() == "ttnn" and bool(os.environ.get("TT_METAL_MOCK_CLUSTER_DESC_PATH"))


def values_of(t: Any) -> np.ndarray[Any, np.dtype[Any]]:
    """A backend tensor's values on the host, without torch (the real venv may not have it)."""
    host = ttnn.from_device(t) if t.storage_type() is ttnn.StorageType.DEVICE else t
    raw = host.to_numpy()
    if isinstance(raw, np.ndarray):
        return raw
    try:
        return np.from_dlpack(raw)
    except (BufferError, TypeError):  # bfloat16: exact through Python floats
        return np.asarray(host.to_list(), dtype=np.float32)


def output_spec(t: Any) -> str:
    """An output's spec as text, the same on every backend (ttnn's own printed forms)."""
    shape, padded = list(t.shape), list(t.padded_shape)
    text = f"shape={shape} padded={padded} dtype={t.dtype} layout={t.layout} memory_config={t.memory_config()}"
    if on_mesh(t):  # a mesh tensor's shape is each device's: its layout over the mesh completes it
        places, dist = topology_of(t)
        text += f" placements={list(places)} distribution={list(dist)}"
    return text


def on_mesh(t: Any) -> bool:
    """Distributed over more than one device."""
    topology = getattr(t, "tensor_topology", None)
    return topology is not None and math.prod(int(d) for d in topology().distribution_shape()) > 1


def _grid_key(grid: Any) -> tuple[tuple[int, int, int, int], ...]:
    return tuple(sorted((r.start.x, r.start.y, r.end.x, r.end.y) for r in grid.ranges()))


def memory_key(mc: Any) -> tuple[Any, ...]:
    """What makes two memory configs the same placement: a shard grid is a set (ttnn orders its
    ranges its own way), and the nd spec ttnn derives from a 2D shard spec adds nothing."""
    key: tuple[Any, ...] = (mc.memory_layout, mc.buffer_type)
    shard = mc.shard_spec
    if shard is not None:
        return (*key, _grid_key(shard.grid), tuple(shard.shape), shard.orientation)
    nd = mc.nd_shard_spec
    if nd is not None:
        return (*key, _grid_key(nd.grid), tuple(nd.shard_shape), nd.orientation)
    return key


def spec_differs(t: Any, want: TensorSpec) -> str | None:
    """Which fields of an output's spec differ from the traced one, each as `got, traced`."""
    fields = [
        ("shape", list(t.shape), list(want.shape)),
        ("dtype", t.dtype, want.dtype),
        ("layout", t.layout, want.layout),
    ]
    found = [f"{name} {got} (traced {wanted})" for name, got, wanted in fields if got != wanted]
    got_mc, want_mc = t.memory_config(), want.memory_config
    if memory_key(got_mc) != memory_key(want_mc):
        parts = [
            ("memory_layout", got_mc.memory_layout, want_mc.memory_layout),
            ("buffer_type", got_mc.buffer_type, want_mc.buffer_type),
            ("shard_spec", got_mc.shard_spec, want_mc.shard_spec),
        ]
        named = [f"memory_config.{n} {g} (traced {w})" for n, g, w in parts if g != w]
        found += named or [f"memory_config {got_mc} (traced {want_mc})"]
    return "differs: " + "; ".join(found) if found else None


def tensors_of(output: Any) -> list[Any]:
    """An op's output tensors in order: one, a list (topk, split), a tuple (qkv heads), or a
    nested return (conv2d's `[out, [h, w], [weight, bias]]`); non-tensors are not outputs."""
    if isinstance(output, list | tuple):
        return [t for x in output for t in tensors_of(x)]
    return [output] if hasattr(output, "memory_config") and hasattr(output, "shape") else []


def vars_of(case: Any) -> list[Any]:
    return [getattr(case, f.name) for f in dataclasses.fields(case) if f.name != "expected"]


def chips(device: Any) -> int:
    count = getattr(device, "get_num_devices", None)
    return int(count()) if callable(count) else 1


def seed_for(op: str, name: str, spec: TensorSpec) -> int:
    """Stable across processes and machines: the seed depends only on what the input is."""
    key = f"{op}/{name}/{spec.shape}/{spec.dtype.name}"
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "little")


def host_values(
    spec: TensorSpec, seed: int, bounds: tuple[float, float] | None = None
) -> np.ndarray[Any, np.dtype[Any]]:
    """Seeded values whose range keeps goldens meaningful: `bounds` [low, high) when the op needs
    a domain (sweeps_src/ranges.json), else floats in [-1, 1), small ints, non-negative unsigned."""
    rng = np.random.default_rng(seed)
    name = spec.dtype.name
    unsigned = name in ("UINT8", "UINT16", "UINT32")
    if unsigned or name in ("INT32", "INT8"):
        low, high = (math.ceil(bounds[0]), math.floor(bounds[1])) if bounds else (0 if unsigned else -100, 100)
        low = max(low, 0) if unsigned else low
        return rng.integers(low, max(high, low + 1), size=spec.shape, dtype=np.int64).astype(np.int32)
    low_f, high_f = bounds or (-1.0, 1.0)
    return rng.uniform(low_f, high_f, size=spec.shape).astype(np.float32)


def _all_cores(device: Any) -> Any:
    grid = device.compute_with_storage_grid_size()
    return ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(grid.x - 1, grid.y - 1))})


def make_resource(resource: Resource, device: Any) -> Any:
    """A fresh runtime handle of the traced kind. A global semaphore is made as models make
    theirs: over the device's whole worker grid, starting at 0 (the trace records neither)."""
    if resource.kind == "global_semaphore":
        return ttnn.create_global_semaphore(device, _all_cores(device), 0)
    raise SkipCase(f"a {resource.kind} argument: traced only by address, and ttgen has no factory to make one")


class Inputs:
    """Creates the inputs of one case on one device and keeps their host values for goldens."""

    def __init__(
        self,
        op: str,
        device: Any,
        *,
        golden: str | None,
        pcc: dict[str, float],
        ranges: Mapping[str, tuple[float, float]] | None = None,
        indices: Mapping[str, tuple[str, int | str]] | None = None,
        case: Any = None,
    ) -> None:
        self.op = op
        self.device = device
        self.golden = golden
        self.pcc = pcc
        self.ranges = ranges or {}
        self.indices = indices or {}
        self.case = case
        self.host: dict[str, Any] = {}

    def index_bounds(self, name: str) -> tuple[float, float] | None:
        """[0, n) for an index input: n is the indexed input's size along its dim (sweeps_src
        ranges.json `indices`), read off this case."""
        if name not in self.indices or self.case is None:
            return None
        other, where = self.indices[name]
        spec = getattr(self.case, other, None)
        dim = getattr(self.case, where, None) if isinstance(where, str) else where
        rank = len(spec.shape) if isinstance(spec, TensorSpec) else 0
        if not isinstance(spec, TensorSpec) or not isinstance(dim, int) or not -rank <= dim < rank:
            return None
        return (0.0, float(spec.shape[dim]))

    def tensor(self, name: str, spec: TensorSpec) -> Any:
        """A traced tensor, seeded. A mesh tensor is made at its global shape on the host and
        distributed with its traced placements, so each device holds the traced shape."""
        placement = spec.placement if spec.placement is not None and spec.placement.num_devices > 1 else None
        param = name.split("[")[0]  # list items: their parameter's
        bounds = self.index_bounds(param) or self.ranges.get(param, self.ranges.get("*"))
        whole = spec
        if placement is not None:
            whole = dataclasses.replace(spec, shape=placement.global_shape or spec.shape, placement=None)
        if chips(self.device) > 1:
            # a mesh case's values are never compared (goldens take single-device outputs), and
            # its inputs are model-sized: zeros, which cost no memory until a backend writes them
            values = np.zeros(whole.shape, dtype=host_values(dataclasses.replace(whole, shape=()), 0).dtype)
        else:
            values = host_values(whole, seed_for(self.op, name, spec), bounds)
        self.host[name] = values
        if placement is not None:
            mapper = mapper_for(self.device, name, placement)
            host = ttnn.Tensor(values, spec.dtype, None, spec.layout, mesh_mapper=mapper)
        else:
            host = ttnn.Tensor(values, spec.dtype, None, spec.layout)
        if not spec.on_device:
            return host
        return ttnn.to_device(host, self.device, spec.memory_config)

    def value(self, name: str, value: Any) -> Any:
        """A traced argument ready to pass: tensors created, the device substituted."""
        if isinstance(value, TensorSpec):
            return self.tensor(name, value)
        if isinstance(value, DeviceRef):
            return self.device
        if isinstance(value, MeshRef):
            have = tuple(int(d) for d in self.device.shape)
            if have != value.shape:
                want, got = "x".join(map(str, value.shape)), "x".join(map(str, have))
                raise SkipCase(f"{name} was traced as a {want} mesh; this device is {got}")
            return self.device
        if isinstance(value, Resource):
            return make_resource(value, self.device)
        if isinstance(value, tuple) and any(isinstance(v, TensorSpec | DeviceRef | MeshRef | Resource) for v in value):
            return [self.value(f"{name}[{i}]", v) for i, v in enumerate(value)]
        return value

    def golden_args(self, case: Any) -> dict[str, Any]:
        """The call's arguments by parameter name, tensors as their host values (for goldens)."""
        args = {}
        for f in dataclasses.fields(case):
            value = getattr(case, f.name)
            if f.name == "expected" or value is ABSENT:
                continue
            args[f.name] = self.host.get(f.name, value)
        return args

    def check(self, output: Any, case: Any) -> Outcome:
        """Each output's spec against the traced one (when traced; a multi-output op's output by
        output, in traced order), then a single output's values against the op's golden on the
        original inputs, by PCC. A mock device computes nothing: SKIP."""
        outputs = tensors_of(output)
        expected: TensorSpec | tuple[TensorSpec, ...] | None = getattr(case, "expected", None)
        wanted = expected if isinstance(expected, tuple) else (expected,) if expected is not None else ()
        if not outputs:
            if wanted:
                return Outcome(Status.FAIL_ASSERT, f"no output tensor, but {len(wanted)} traced")
            return Outcome(Status.SKIP, f"{self.op} returns no tensor: nothing to check")
        spec = "; ".join(output_spec(t) for t in outputs)
        if wanted and len(wanted) != len(outputs):
            message = f"{len(outputs)} output tensor(s), but {len(wanted)} traced"
            return Outcome(Status.FAIL_ASSERT, message, output_spec=spec)
        for i, (t, want_spec) in enumerate(zip(outputs, wanted, strict=False)):
            which = f"output {i}" if len(outputs) > 1 else "output"
            differs = spec_differs(t, want_spec)
            if differs:
                return Outcome(Status.FAIL_ASSERT, f"{which} {differs}", output_spec=spec)
            traced_on = want_spec.placement
            if (
                traced_on is not None and traced_on.num_devices > 1
            ):  # per-device spec above; now the layout over the mesh
                differs = topology_differs(t, traced_on)
                if differs is not None:
                    return Outcome(Status.FAIL_ASSERT, f"{which} topology: {differs}", output_spec=spec)
        if mock_device():
            checked = ""
            if wanted:
                checked = "output spec matches the traced one; " if len(wanted) == 1 else "output specs match; "
            return Outcome(Status.SKIP, f"{checked}no device numerics: ttnn runs on a mock device", output_spec=spec)
        if self.golden is None:
            reason = f"no golden for {self.op} (goldens.json: ttgen's sweeps_src or the repository's overlay)"
            return Outcome(Status.SKIP, reason, output_spec=spec)
        if len(outputs) > 1:
            return Outcome(Status.SKIP, f"{len(outputs)} outputs: goldens compare one", output_spec=spec)
        if on_mesh(outputs[0]):
            checked = "output spec and topology match the traced ones; " if wanted else ""
            message = f"{checked}goldens compare single-device outputs, this one is on a mesh"
            return Outcome(Status.SKIP, message, output_spec=spec)
        output = outputs[0]
        from ttgen.goldens import reference

        want_values = reference(self.golden, self.golden_args(case))
        got_values = values_of(output)
        if tuple(got_values.shape) != tuple(want_values.shape):
            message = f"shape {list(got_values.shape)} vs golden {list(want_values.shape)}"
            return Outcome(Status.FAIL_ASSERT, message, output_spec=spec)
        threshold = self.threshold(case, output)
        ok, pcc = comp_pcc(want_values, got_values, threshold)
        status = Status.PASS if ok else Status.FAIL_ASSERT
        return Outcome(status, f"pcc {pcc:.6f} (threshold {threshold})", pcc=pcc, output_spec=spec)

    def threshold(self, case: Any, output: Any) -> float:
        """The op's PCC threshold, lowered by any block-float input or output dtype."""
        dtypes = [getattr(v, "dtype", None) for v in vars_of(case)] + [output.dtype]
        levels = [self.pcc.get(getattr(d, "name", ""), self.pcc["default"]) for d in dtypes if d is not None]
        return min([self.pcc["default"], *levels])
