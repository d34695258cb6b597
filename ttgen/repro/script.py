"""Write one generated case as a standalone script: its inputs made as the runtime makes them
(same seeds, domains and mesh distribution), the op called exactly as the sweep module's run()
calls it, then the output spec checked against the traced one and the output against the op's
golden by PCC. The script imports ttnn, numpy and torch (torch only for the golden) — no ttgen.

Everything is read statically from the sweep module's source (its CASES literal and run()),
and the helpers the script needs (the golden, PCC, memory-config comparison, host readback) are
the runtime's own functions, copied by source, so the repro cannot drift from what the case does."""

from __future__ import annotations

import ast
import inspect
import os
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ttgen.runner.discover import Case, assignments

# traced runtime handles: the device the script opens, a fresh global semaphore
HANDLES = {"DeviceRef": "device", "MeshRef": "device", "Resource": "semaphore()"}


class ReproError(ValueError):
    """The case's module is not in the form the generator writes (one line, naming the file)."""


def _call_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Call):
        f = node.func
        return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
    return None


def _kwargs(node: ast.Call) -> dict[str, ast.expr]:
    return {k.arg: k.value for k in node.keywords if k.arg is not None}


class _Module:
    def __init__(self, path: Path, case_id: str) -> None:
        self.path = path
        self.source = path.read_text(encoding="utf-8")
        self.tree = ast.parse(self.source, filename=str(path))
        consts = assignments(self.tree)
        self.op: str = self.literal(consts["OP"])
        self.golden: str | None = self.literal(consts["GOLDEN"]) if "GOLDEN" in consts else None
        self.pcc: dict[str, float] = self.literal(consts["PCC"]) if "PCC" in consts else {"default": 0.999}
        self.ranges: dict[str, tuple[float, float]] = self.literal(consts.get("RANGES", ast.Dict([], [])))
        self.indices: dict[str, tuple[str, int | str]] = self.literal(consts.get("INDICES", ast.Dict([], [])))
        self.device_params: dict[str, int] = self.literal(consts.get("DEVICE_PARAMS", ast.Dict([], [])))
        cases = consts.get("CASES")
        if not isinstance(cases, ast.Dict):
            raise ReproError(f"{path}: no CASES literal")
        entry = next(
            (
                v
                for k, v in zip(cases.keys, cases.values, strict=True)
                if isinstance(k, ast.Constant) and k.value == case_id
            ),
            None,
        )
        if not isinstance(entry, ast.Call):
            raise ReproError(f"{path}: no case {case_id!r} in CASES")
        # fields a case leaves out take the dataclass's defaults (ABSENT: not traced)
        cls = next((n for n in self.tree.body if isinstance(n, ast.ClassDef) and n.name == _call_name(entry)), None)
        defaults = {
            n.target.id: n.value
            for n in (cls.body if cls is not None else [])
            if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name) and n.value is not None
        }
        self.fields = {**defaults, **_kwargs(entry)}
        run = next((n for n in self.tree.body if isinstance(n, ast.FunctionDef) and n.name == "run"), None)
        if run is None:
            raise ReproError(f"{path}: no run()")
        self.run = run

    def text(self, node: ast.expr) -> str:
        segment = ast.get_source_segment(self.source, node)
        return segment if segment is not None else ast.unparse(node)

    def literal(self, node: ast.expr) -> Any:
        try:
            return ast.literal_eval(node)
        except ValueError:
            raise ReproError(f"{self.path}:{node.lineno}: not a literal: {self.text(node)[:80]}") from None


def _copied(*functions: Callable[..., Any]) -> str:
    return "\n\n".join(inspect.cleandoc("\n" + inspect.getsource(f)) for f in functions)


def _golden_source(name: str) -> tuple[str, str]:
    """The golden's function and the module-level helpers it calls, by source; and its name."""
    import ttgen.goldens as goldens

    fn = goldens.GOLDENS[name]
    todo, seen, parts = [fn], set(), []
    while todo:
        f = todo.pop()
        if f.__name__ in seen:
            continue
        seen.add(f.__name__)
        src = inspect.getsource(f)
        lines = [line for line in src.splitlines() if not line.startswith("@golden(")]
        parts.append("\n".join(lines))
        for word in sorted(set(f.__code__.co_names)):
            helper = getattr(goldens, word, None)
            if isinstance(helper, types.FunctionType) and helper.__module__ == goldens.__name__:
                todo.append(helper)
    return "\n\n\n".join(reversed(parts)), fn.__name__


class _Call(ast.NodeTransformer):
    """run()'s call with the case substituted: inputs.value("x", case.x) -> the made input,
    case.x -> its literal, **present(...) -> only the traced keywords."""

    def __init__(self, module: _Module, made: dict[str, str]) -> None:
        self.module, self.made = module, made

    def field(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "case":
            return node.attr
        return None

    def value(self, name: str) -> ast.expr:
        if name in self.made:
            return ast.parse(self.made[name], mode="eval").body
        return ast.parse(self.module.text(self.module.fields[name]), mode="eval").body

    def absent(self, node: ast.expr) -> bool:
        name = self.field(node.args[1]) if isinstance(node, ast.Call) and len(node.args) == 2 else self.field(node)
        found = self.module.fields.get(name) if name else None
        return isinstance(found, ast.Name) and found.id == "ABSENT"

    def visit_Call(self, node: ast.Call) -> Any:
        f = node.func
        if (
            isinstance(f, ast.Attribute)
            and f.attr == "value"
            and isinstance(f.value, ast.Name)
            and f.value.id == "inputs"
        ):
            name = self.field(node.args[1])
            if name is None:
                raise ReproError(f"{self.module.path}: run() passes an input that is not a case field")
            return self.value(name)
        keywords: list[ast.keyword] = []
        for k in node.keywords:
            if k.arg is None and _call_name(k.value) == "present" and isinstance(k.value, ast.Call):
                keywords += [ast.keyword(kw.arg, kw.value) for kw in k.value.keywords if not self.absent(kw.value)]
            else:
                keywords.append(k)
        node.keywords = keywords
        return self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        name = self.field(node)
        return self.value(name) if name is not None else self.generic_visit(node)


def _the_call(module: _Module) -> ast.expr:
    """The `output = ...` call of run(), through call_form branches as the case takes them."""
    form = module.fields.get("call_form")
    body: list[ast.stmt] = module.run.body
    while True:
        assign = next(
            (
                s
                for s in body
                if isinstance(s, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "output" for t in s.targets)
            ),
            None,
        )
        if assign is not None:
            return assign.value
        branch = next((s for s in body if isinstance(s, ast.If)), None)
        if branch is None or form is None:
            raise ReproError(f"{module.path}: run() has no `output = ...` call")
        test = branch.test
        wanted = test.comparators[0] if isinstance(test, ast.Compare) else None
        same = wanted is not None and ast.literal_eval(wanted) == module.literal(form)
        body = branch.body if same else branch.orelse


def repro_script(case: Case) -> str:
    """The standalone script for `case`, formatted (black)."""
    from ttgen.runtime.case import _grid_key, host_values, memory_key, seed_for, values_of
    from ttgen.runtime.mesh import _SHARD, fabric_for, normal_placement, topology_of
    from ttgen.runtime.pcc import comp_pcc

    m = _Module(case.module.path, case.case_id)
    machine = m.fields.get("machine")
    mesh: tuple[int, ...] = (1, 1)
    if isinstance(machine, ast.Call) and "mesh" in _kwargs(machine):
        mesh = tuple(m.literal(_kwargs(machine)["mesh"]))
    on_mesh = mesh[0] * (mesh[1] if len(mesh) > 1 else 1) > 1
    params = "".join(f", {k}={v!r}" for k, v in sorted(m.device_params.items()))
    lines: list[str] = []
    if on_mesh:
        lines += [
            f"ttnn.set_fabric_config(ttnn.FabricConfig.{fabric_for(mesh)})  # set before the mesh opens",
            f"device = ttnn.open_mesh_device(ttnn.MeshShape({', '.join(map(str, mesh))}){params})",
        ]
    else:
        lines.append(f"device = ttnn.open_device(device_id=0{params})")

    specs: dict[str, dict[str, ast.expr]] = {
        n: _kwargs(v) for n, v in m.fields.items() if isinstance(v, ast.Call) and _call_name(v) == "TensorSpec"
    }

    def bounds(name: str) -> tuple[float, float] | None:
        param = name.split("[")[0]
        if param in m.indices:
            other, where = m.indices[param]
            dim = m.literal(m.fields[where]) if isinstance(where, str) else where
            shape = m.literal(specs[other]["shape"]) if other in specs else None
            if shape is not None and isinstance(dim, int) and -len(shape) <= dim < len(shape):
                return (0.0, float(shape[dim]))
        return m.ranges.get(param, m.ranges.get("*"))

    made: dict[str, str] = {}
    hosts: dict[str, str] = {}

    def tensor(var: str, name: str, kw: dict[str, ast.expr]) -> None:
        shape = tuple(m.literal(kw["shape"]))
        dtype, layout = m.text(kw["dtype"]), m.text(kw["layout"])
        dtype_name = dtype.rsplit(".", 1)[-1].upper()
        placement = kw.get("placement")
        place = _kwargs(placement) if isinstance(placement, ast.Call) else {}
        devices = 1
        for d in m.literal(place["mesh_shape"]) if place else ():
            devices *= d
        kind = "float32" if dtype_name in ("FLOAT32", "BFLOAT16", "BFLOAT8_B", "BFLOAT4_B") else "int32"
        if devices > 1:
            whole = tuple(m.literal(place["global_shape"])) if "global_shape" in place else shape
            lines.append(f"{var}_host = np.zeros({whole!r}, dtype=np.{kind})  # a mesh case's inputs are zeros")
            placements = ", ".join(
                f"ttnn.PlacementShard({p[6:-1]})" if p.startswith("Shard(") else "ttnn.PlacementReplicate()"
                for p in m.literal(place["placements"])
            )
            dist = tuple(m.literal(place["distribution_shape"]))
            override = "" if dist == mesh else f", mesh_shape_override=ttnn.MeshShape({list(dist)!r})"
            mapper = f"ttnn.create_mesh_mapper(device, ttnn.MeshMapperConfig([{placements}]{override}))"
            lines.append(f"{var} = ttnn.Tensor({var}_host, {dtype}, None, {layout}, mesh_mapper={mapper})")
        else:
            spec = types.SimpleNamespace(shape=shape, dtype=types.SimpleNamespace(name=dtype_name))
            seed = seed_for(m.op, name, spec)  # type: ignore[arg-type]
            got = bounds(name)
            sample = host_values(spec, seed, got)  # type: ignore[arg-type]
            unsigned = dtype_name in ("UINT8", "UINT16", "UINT32")
            lines.append(f"rng = np.random.default_rng({seed})  # the runtime's seed for {m.op} {name}")
            if sample.dtype == np.int32:
                if got:
                    low, high = int(-(-got[0] // 1)), int(got[1] // 1)
                else:
                    low, high = (0 if unsigned else -100), 100
                low = max(low, 0) if unsigned else low
                draw = f"rng.integers({low}, {max(high, low + 1)}, size={shape!r}, dtype=np.int64)"
                lines.append(f"{var}_host = {draw}.astype(np.int32)")
            else:
                low_f, high_f = got or (-1.0, 1.0)
                lines.append(f"{var}_host = rng.uniform({low_f!r}, {high_f!r}, size={shape!r}).astype(np.float32)")
            lines.append(f"{var} = ttnn.Tensor({var}_host, {dtype}, None, {layout})")
        if "on_device" not in kw or m.literal(kw["on_device"]):
            lines.append(f"{var} = ttnn.to_device({var}, device, {m.text(kw['memory_config'])})")
        hosts[name] = f"{var}_host"

    semaphores = 0
    for name, node in m.fields.items():
        if name in ("expected", "machine"):
            continue
        called = _call_name(node)
        if called == "TensorSpec" and isinstance(node, ast.Call):
            tensor(name, name, _kwargs(node))
            made[name] = name
        elif isinstance(node, ast.Tuple) and any(_call_name(e) == "TensorSpec" for e in node.elts):
            items = []
            for i, e in enumerate(node.elts):
                if isinstance(e, ast.Call) and _call_name(e) == "TensorSpec":
                    tensor(f"{name}_{i}", f"{name}[{i}]", _kwargs(e))
                    items.append(f"{name}_{i}")
                else:
                    items.append(m.text(e))
            made[name] = "[" + ", ".join(items) + "]"
            hosts[name] = "[" + ", ".join(hosts.get(f"{name}[{i}]", item) for i, item in enumerate(items)) + "]"
        elif isinstance(node, ast.Tuple) and any(_call_name(e) in HANDLES for e in node.elts):
            items = [HANDLES.get(_call_name(e) or "", m.text(e)) for e in node.elts]
            semaphores += items.count("semaphore()")
            made[name] = "[" + ", ".join(items) + "]"
            hosts[name] = "[" + ", ".join(hosts.get(f"{name}[{i}]", item) for i, item in enumerate(items)) + "]"
        elif called in HANDLES:
            made[name] = HANDLES[called]
            semaphores += made[name] == "semaphore()"
    call = _Call(m, made).visit(ast.parse(ast.unparse(_the_call(m)), mode="eval").body)
    lines.append(f"output = {ast.unparse(call)}")

    expected = m.fields.get("expected")
    wanted = expected.elts if isinstance(expected, ast.Tuple) else [expected] if expected is not None else []
    checks = []
    for k in (_kwargs(w) for w in wanted if isinstance(w, ast.Call)):
        placement = k.get("placement")
        place = _kwargs(placement) if isinstance(placement, ast.Call) else {}
        topology = (
            f"({tuple(m.literal(place['placements']))!r}, {tuple(m.literal(place['distribution_shape']))!r})"
            if place
            else "None"
        )
        spec = f"{tuple(m.literal(k['shape']))!r}, {m.text(k['dtype'])}, {m.text(k['layout'])}"
        checks.append(f"({spec}, {m.text(k['memory_config'])}, {topology})")
    golden, golden_defs = "", ""
    if m.golden is not None and not on_mesh:
        golden_fn, golden_name = _golden_source(m.golden)
        args = ", ".join(
            f'"{n}": {hosts[n]}' if n in hosts else f'"{n}": {made.get(n, m.text(v))}'
            for n, v in m.fields.items()
            if n not in ("expected", "machine", "call_form") and not (isinstance(v, ast.Name) and v.id == "ABSENT")
        )
        # the runtime's threshold: the op's, lowered by any block-float input or output dtype
        dtypes = sorted(
            {m.text(k["dtype"]).rsplit(".", 1)[-1].upper() for k in specs.values()}
            | {m.text(v).rsplit(".", 1)[-1].upper() for n, v in m.fields.items() if n == "dtype"}
        )
        golden_defs = GOLDEN_DEFS + "\n\n" + golden_fn
        golden = GOLDEN_CHECK.format(name=golden_name, args=args, pcc=m.pcc, dtypes=dtypes)
    script = TEMPLATE.format(
        key=case.key,
        module=Path(os.path.relpath(case.module.path)).as_posix(),
        mesh="x".join(map(str, mesh)),
        helpers=_copied(_grid_key, memory_key, values_of, comp_pcc, normal_placement, topology_of)
        + f"\n\n_SHARD = re.compile({_SHARD.pattern!r})\n\n"
        + golden_defs,
        semaphore=SEMAPHORE if semaphores else "",
        body="\n".join(lines),
        expected="[" + ", ".join(checks) + "]",
        golden=golden,
        close=(
            "ttnn.close_mesh_device(device)\nttnn.set_fabric_config(ttnn.FabricConfig.DISABLED)"
            if on_mesh
            else "ttnn.close_device(device)"
        ),
    )
    import black

    return black.format_str(script, mode=black.Mode(line_length=100))


TEMPLATE = '''\
"""Standalone repro of {key} (written by `ttgen repro` from {module}).

Runs on a {mesh} device: real hardware, or a mock cluster (TT_METAL_MOCK_CLUSTER_DESC_PATH); needs
ttnn and numpy, and torch for the golden. Exit 0 when the output spec matches the traced one and
the output matches the golden; 1 otherwise."""

from __future__ import annotations

import os
import re
import sys
from typing import Any

import numpy as np
import ttnn

{helpers}

{semaphore}
{body}

outputs = list(output) if isinstance(output, (list, tuple)) else [output]
failed = False
expected = {expected}
if expected and len(expected) != len(outputs):
    print(f"{{len(outputs)}} output tensor(s), but {{len(expected)}} traced")
    failed = True
for i, (t, (shape, dtype, layout, memory_config, topology)) in enumerate(zip(outputs, expected)):
    got = (tuple(t.shape), t.dtype, t.layout, memory_key(t.memory_config()))
    if got != (shape, dtype, layout, memory_key(memory_config)):
        print(f"output {{i}}: spec {{got}} differs from the traced {{(shape, dtype, layout, memory_config)}}")
        failed = True
    else:
        print(f"output {{i}}: spec matches the traced one: {{shape}} {{dtype}} {{layout}}")
    if topology is not None:  # a mesh output: its placements and distribution shape too
        places, dist = topology_of(t)
        rank = len(t.shape)
        if (tuple(normal_placement(p, rank) for p in places), dist) != (
            tuple(normal_placement(p, rank) for p in topology[0]),
            topology[1],
        ):
            print(f"output {{i}}: topology {{places}} over {{dist}} differs from the traced {{topology}}")
            failed = True
        else:
            print(f"output {{i}}: topology matches the traced one: {{places}} over {{dist}}")
{golden}
{close}
sys.exit(1 if failed else 0)
'''

SEMAPHORE = '''
def semaphore() -> Any:
    """A global semaphore over the whole worker grid, starting at 0 (as models make theirs)."""
    grid = device.compute_with_storage_grid_size()
    cores = ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(grid.x - 1, grid.y - 1))})
    return ttnn.create_global_semaphore(device, cores, 0)
'''

GOLDEN_DEFS = """
Args = dict[str, Any]


def _torch() -> Any:
    import torch  # only for the golden: a mock-device run needs no torch

    return torch


def as_torch(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return _torch().from_numpy(value.astype(np.float32 if value.dtype.kind == "f" else np.int64))
    if isinstance(value, list) and any(isinstance(v, np.ndarray) for v in value):
        return [as_torch(v) for v in value]
    return value
"""

GOLDEN_CHECK = """
if os.environ.get("TT_METAL_MOCK_CLUSTER_DESC_PATH"):
    print("golden: not checked (a mock device computes nothing)")
elif len(outputs) == 1:
    args = {{k: as_torch(v) for k, v in {{{args}}}.items()}}
    want = {name}(args)
    want = np.asarray(want.detach().numpy() if hasattr(want, "detach") else want)
    table = {pcc!r}
    names = [*{dtypes!r}, outputs[0].dtype.name.upper()]
    threshold = min([table["default"], *(table.get(n, table["default"]) for n in names)])
    ok, pcc = comp_pcc(want, values_of(outputs[0]), threshold)
    print(f"golden: pcc {{pcc:.6f}} (threshold {{threshold}})")
    failed = failed or not ok
"""
