"""Which cases a run has, read statically from the generated sources (no import, so the parent
needs neither ttnn nor the worker's interpreter).

A sweep module's contract (ttgen's generated-code contract): literal `OP: Final = "..."`,
`TIMEOUT_S: Final = <int>`, `CASES: Final[...] = {"<case id>": ..., ...}` and optionally
`SUITES: Final[...] = {"<suite>": tuple(CASES) | ("<case id>", ...)}`; a `run(case, device)`.
Expectations come from the paired pytest module (`tests/<ns>/test_<name>.py` beside
`sweeps/<ns>/<name>.py`): `EXPECTED = {"<case id>": xfail("reason") | skip("reason")}`.
Suites whose name starts with `xfail` expect every case to fail, as upstream's runner does.
"""

from __future__ import annotations

import ast
import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path

from ttgen.facts.expectations import KINDS, Expectation

DEFAULT_SUITE = "model_traced"


class DiscoveryError(ValueError):
    """A sweep module that does not follow the contract; names the file and the line."""


@dataclass(frozen=True, slots=True)
class SweepModule:
    path: Path
    root: Path  # the sys.path entry it imports from
    name: str  # its dotted module name
    op: str
    timeout_s: float
    suites: dict[str, tuple[str, ...]]
    expected: dict[str, Expectation] = field(default_factory=dict)
    machines: dict[str, Hardware] = field(default_factory=dict)  # case id -> where it was traced


@dataclass(frozen=True, slots=True, order=True)
class Hardware:
    """A case's `machine=Machine(arch=..., mesh=(r, c))`: what a CI runner must have."""

    arch: str | None = None
    mesh: tuple[int, ...] = (1, 1)

    @property
    def label(self) -> str:
        return f"{self.arch or 'any'} {'x'.join(map(str, self.mesh))}"


@dataclass(frozen=True, slots=True)
class Case:
    module: SweepModule
    suite: str
    case_id: str

    @property
    def key(self) -> str:
        """What identifies a case across runs, shards and stores: `op:suite:case id`."""
        return f"{self.module.op}:{self.suite}:{self.case_id}"

    @property
    def hardware(self) -> Hardware:
        return self.module.machines.get(self.case_id, SINGLE_DEVICE)

    @property
    def expectation(self) -> Expectation | None:
        found = self.module.expected.get(self.case_id)
        if found is None and self.suite.startswith("xfail"):
            return Expectation("xfail", f"suite {self.suite!r} is expected to fail")
        return found


SINGLE_DEVICE = Hardware()


def shard_of(key: str, count: int) -> int:
    """1..count, from a stable hash of the case key (same on every machine and Python)."""
    digest = hashlib.sha256(key.encode()).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def import_root(path: Path) -> tuple[Path, str]:
    """The sys.path entry and dotted name of a module file, walking up through packages."""
    parts = [path.stem]
    folder = path.parent
    while (folder / "__init__.py").is_file():
        parts.insert(0, folder.name)
        folder = folder.parent
    return folder, ".".join(parts)


def assignments(tree: ast.Module) -> dict[str, ast.expr]:
    found: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            found[node.target.id] = node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            found[node.targets[0].id] = node.value
    return found


def _fail(path: Path, node: ast.AST | None, what: str) -> DiscoveryError:
    line = f":{node.lineno}" if node is not None and hasattr(node, "lineno") else ""
    return DiscoveryError(f"{path}{line}: {what}")


def _str_keys(path: Path, node: ast.expr, name: str) -> list[str]:
    if not isinstance(node, ast.Dict):
        raise _fail(path, node, f"{name} must be a dict literal")
    keys = []
    for key in node.keys:
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            raise _fail(path, key or node, f"{name} keys must be string literals")
        keys.append(key.value)
    return keys


def _machine(path: Path, case: ast.expr) -> Hardware | None:
    """The `machine=Machine(arch="...", mesh=(r, c))` keyword of a case's constructor call."""
    if not isinstance(case, ast.Call):
        return None
    for kw in case.keywords:
        if kw.arg != "machine" or isinstance(kw.value, ast.Constant):
            continue
        call = kw.value
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "Machine"):
            raise _fail(path, call, "machine= must be a Machine(arch=..., mesh=...) call")
        fields = {k.arg: k.value for k in call.keywords}
        try:
            arch = ast.literal_eval(fields["arch"]) if "arch" in fields else None
            mesh = ast.literal_eval(fields["mesh"]) if "mesh" in fields else (1, 1)
        except ValueError:
            raise _fail(path, call, "Machine arguments must be literals") from None
        if not (arch is None or isinstance(arch, str)) or not (
            isinstance(mesh, tuple) and mesh and all(isinstance(d, int) and d > 0 for d in mesh)
        ):
            raise _fail(path, call, "Machine(arch=str, mesh=tuple of positive ints)")
        return Hardware(arch, mesh)
    return None


def _machines(path: Path, node: ast.expr) -> dict[str, Hardware]:
    out = {}
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            hw = _machine(path, value)
            if hw is not None and isinstance(key, ast.Constant) and isinstance(key.value, str):
                out[key.value] = hw
    return out


def _suite_ids(value: ast.expr, tables: dict[str, list[str]], known: set[str]) -> tuple[str, ...] | None:
    """`tuple(CASES)`, `tuple(COMBINATIONS)`, their sum, or a literal tuple of known ids."""
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        left, right = _suite_ids(value.left, tables, known), _suite_ids(value.right, tables, known)
        return None if left is None or right is None else left + right
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "tuple"
        and len(value.args) == 1
        and isinstance(value.args[0], ast.Name)
        and value.args[0].id in tables
    ):
        return tuple(tables[value.args[0].id])
    if isinstance(value, ast.Tuple | ast.List) and all(
        isinstance(e, ast.Constant) and e.value in known for e in value.elts
    ):
        return tuple(str(e.value) for e in value.elts if isinstance(e, ast.Constant))
    return None


def read_module(path: Path) -> SweepModule:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, UnicodeDecodeError) as e:
        raise DiscoveryError(f"{path}: cannot read: {e}") from e
    names = assignments(tree)
    op = names.get("OP")
    if not (isinstance(op, ast.Constant) and isinstance(op.value, str)):
        raise _fail(path, op, "OP must be a string literal")
    timeout = names.get("TIMEOUT_S")
    if not (
        isinstance(timeout, ast.Constant)
        and isinstance(timeout.value, int | float)
        and not isinstance(timeout.value, bool)
        and math.isfinite(timeout.value)
        and timeout.value > 0
    ):
        raise _fail(path, timeout, "TIMEOUT_S must be a number literal of seconds > 0")
    if "CASES" not in names:
        raise _fail(path, None, "no CASES")
    if not any(isinstance(n, ast.FunctionDef) and n.name == "run" for n in tree.body):
        raise _fail(path, None, "no run(case, device)")
    cases = _str_keys(path, names["CASES"], "CASES")
    # --all-cases modules: COMBINATIONS, run by the worker like CASES (case ids never collide)
    tables = {"CASES": cases}
    if "COMBINATIONS" in names:
        tables["COMBINATIONS"] = _str_keys(path, names["COMBINATIONS"], "COMBINATIONS")
    known = {c for ids in tables.values() for c in ids}
    suites = {DEFAULT_SUITE: tuple(cases)}
    if "SUITES" in names:
        suites = {}
        node = names["SUITES"]
        suite_names = _str_keys(path, node, "SUITES")
        assert isinstance(node, ast.Dict)
        for suite, value in zip(suite_names, node.values, strict=True):
            ids = _suite_ids(value, tables, known)
            if ids is None:
                raise _fail(
                    path,
                    value,
                    f"suite {suite!r} must be tuple(CASES), tuple(CASES) + tuple(COMBINATIONS) or a tuple of case ids",
                )
            suites[suite] = ids
    machines = {
        k: v for table in ("CASES", "COMBINATIONS") if table in names for k, v in _machines(path, names[table]).items()
    }
    root, name = import_root(path.resolve())
    return SweepModule(path, root, name, op.value, float(timeout.value), suites, read_expected(path), machines)


def read_expected(sweep: Path) -> dict[str, Expectation]:
    parts = sweep.resolve().parts
    if "sweeps" not in parts:
        return {}
    at = len(parts) - 1 - parts[::-1].index("sweeps")
    test = Path(*parts[:at], "tests", *parts[at + 1 : -1], f"test_{sweep.name}")
    if not test.is_file():
        return {}
    tree = ast.parse(test.read_text(encoding="utf-8"), filename=str(test))
    node = assignments(tree).get("EXPECTED")
    if node is None:
        return {}
    keys = _str_keys(test, node, "EXPECTED")
    assert isinstance(node, ast.Dict)
    out = {}
    for key, value in zip(keys, node.values, strict=True):
        if not (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id in KINDS
            and len(value.args) == 1
            and isinstance(value.args[0], ast.Constant)
            and isinstance(value.args[0].value, str)
        ):
            raise _fail(test, value, 'EXPECTED values must be xfail("reason") or skip("reason")')
        out[key] = Expectation("xfail" if value.func.id == "xfail" else "skip", value.args[0].value)
    return out


def find_modules(paths: list[Path]) -> list[SweepModule]:
    """Sweep modules under the paths (files, or folders searched for `sweeps/**.py`)."""
    files: list[Path] = []
    for path in paths:
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files += [p for p in sorted(path.rglob("*.py")) if _is_sweep(p)]
        else:
            raise DiscoveryError(f"{path}: no such file or folder")
    modules = [read_module(p) for p in dict.fromkeys(p.resolve() for p in files)]
    seen: dict[tuple[str, str], Path] = {}
    for m in modules:
        for suite, ids in m.suites.items():
            for case_id in ids:
                other = seen.setdefault((m.op, f"{suite}:{case_id}"), m.path)
                if other != m.path:
                    raise DiscoveryError(f"{m.path}: case {m.op}:{suite}:{case_id} is also in {other}")
    return modules


def _is_sweep(path: Path) -> bool:
    """Under a searched folder, a sweep module is a file that defines OP, CASES and run()."""
    if path.name == "__init__.py" or path.name.startswith("test_") or path.name == "conftest.py":
        return False
    text = path.read_text(encoding="utf-8", errors="replace")
    return "\nOP" in text and "\nCASES" in text and "\ndef run(" in text


def select(
    modules: list[SweepModule],
    *,
    ops: list[str] | None = None,
    suites: list[str] | None = None,
    shard: tuple[int, int] | None = None,
    keys: list[str] | None = None,
) -> list[Case]:
    """The cases of a run, in a stable order (module, suite, case id as written)."""
    wanted = set(keys) if keys else None
    out = []
    for m in sorted(modules, key=lambda m: (m.op, m.name)):
        if ops and m.op not in ops and m.op.removeprefix("ttnn.") not in ops:
            continue
        for suite, ids in m.suites.items():
            if suites and suite not in suites:
                continue
            for case_id in ids:
                case = Case(m, suite, case_id)
                if shard is not None and shard_of(case.key, shard[1]) != shard[0]:
                    continue
                if wanted is not None and case.key not in wanted:
                    continue
                out.append(case)
    # cases that open one mesh run together, so a worker opens each mesh once (single chips first)
    out.sort(key=lambda c: (math.prod(c.hardware.mesh), c.hardware.mesh))
    return out


class CaseNotFound(DiscoveryError):
    """A case query that names no case, or more than one (the message lists the candidates)."""


def match_case(query: str, cases: list[Case]) -> Case:
    """A case by what a user types: its id (`1a2b3c4d5e6f`, or a unique prefix of it), `op:id`
    (`add:1a2b...`, `ttnn.add:1a2b...`) or the full key `ttnn.add:model_traced:1a2b...`."""
    q = query.strip()
    op, _, rest = q.rpartition(":") if ":" in q else ("", "", q)
    suite = ""
    if op.count(":") == 1:  # op:suite:id
        op, suite = op.split(":")
    found = [
        c
        for c in cases
        if c.case_id.startswith(rest)
        and (not op or op in (c.module.op, c.module.op.removeprefix("ttnn.")))
        and (not suite or suite == c.suite)
    ]
    exact = [c for c in found if c.case_id == rest]
    found = exact or found
    if len(found) == 1:
        return found[0]
    if not found:
        raise CaseNotFound(f"no such case {query!r} among {len(cases)} cases (give its id, op:id or op:suite:id)")
    names = ", ".join(c.key for c in found[:5]) + (", ..." if len(found) > 5 else "")
    raise CaseNotFound(f"case {query!r} is ambiguous: {len(found)} cases match ({names})")
