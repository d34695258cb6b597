"""Master → every generated file, in memory: `compile` writes them, `check` compares them.

Layout (DESIGN.md, generated code contract): op `ttnn.x.y` → `<out>/sweeps/ttnn/x/y.py` and
`<out>/tests/ttnn/x/test_y.py`; `<out>/conftest.py`; `__init__.py` for every package;
`<out>/MANIFEST.json` (file → content digest and input digest, ttgen version).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ttgen import __version__
from ttgen.compile.all_cases import DEFAULT_MAX_CASES, Budget, Expansion
from ttgen.compile.fmt import check_syntax, format_source
from ttgen.compile.outdir import MANIFEST as MANIFEST  # re-exported: where callers find it
from ttgen.compile.plan import OpPlan, plan_op
from ttgen.compile.printers import Unprintable, ident
from ttgen.compile.render import (
    CASES_MARK,
    COMBINATIONS_MARK,
    cases_block,
    render_support,
    render_sweep_skeleton,
    render_test_module,
    test_digest,
)
from ttgen.compile.sweeps_src import SweepsData, load_sweeps_data
from ttgen.config import project_root
from ttgen.facts.infrastructure import is_infrastructure
from ttgen.ingest import IngestResult, Rejection, ingest_path
from ttgen.model import OpConfig
from ttgen.signatures.catalog import Catalog, load_catalog


class CompileError(Exception):
    pass


@dataclass
class OpReport:
    op: str
    configurations: int
    cases: int  # traced configurations compiled into cases
    rejections: list[Rejection]
    expansion: Expansion | None = None
    combinations: int = 0  # --all-cases combinations compiled into cases
    case_hashes: dict[str, str] = field(default_factory=dict)  # traced case id → its config_hash


@dataclass
class Compilation:
    master: str
    out: Path
    files: dict[str, str] = field(default_factory=dict)  # path relative to out → content
    file_inputs: dict[str, str | None] = field(default_factory=dict)  # path → op input digest
    op_files: dict[str, list[str]] = field(default_factory=dict)  # op → its files
    reports: list[OpReport] = field(default_factory=list)
    ingest: IngestResult | None = None
    fingerprint: str | None = None
    all_cases: bool = False
    max_cases: int = DEFAULT_MAX_CASES  # --all-cases only: the cap on new cases
    excluded: dict[str, int] = field(default_factory=dict)  # infrastructure op → its configurations

    @property
    def configurations(self) -> int:
        return sum(r.configurations for r in self.reports)

    @property
    def cases(self) -> int:
        return sum(r.cases for r in self.reports)

    @property
    def rejections(self) -> list[Rejection]:
        return [x for r in self.reports for x in r.rejections]


def display_path(path: Path) -> str:
    """Relative to the repository (the folder of the nearest pyproject.toml, else the working
    directory), so headers depend neither on the checkout nor on the folder a command runs in."""
    try:
        return Path(os.path.relpath(path.absolute(), project_root())).as_posix()
    except ValueError:  # another drive
        return path.as_posix()


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _package_inits(rel_paths: list[str]) -> dict[str, str]:
    inits: dict[str, str] = {}
    for rel in rel_paths:
        parts = rel.split("/")[:-1]
        for i in range(len(parts) + 1):
            inits["/".join([*parts[:i], "__init__.py"])] = ""
    return inits


def compile_master(
    master: Path,
    out: Path,
    *,
    catalog: Catalog | None = None,
    data: SweepsData | None = None,
    all_cases: bool = False,
    max_cases: int = DEFAULT_MAX_CASES,
    shown: str | None = None,
) -> Compilation:
    catalog = catalog or load_catalog()
    data = data or load_sweeps_data()
    try:
        ident(out.name)
    except Unprintable:
        raise CompileError(
            f"{out}: the output folder's name {out.name!r} must be an ASCII Python identifier, not a keyword"
            " (generated tests import it as a package)"
        ) from None
    result = ingest_path(master)
    comp = Compilation(
        master=shown or display_path(master), out=out, ingest=result, all_cases=all_cases, max_cases=max_cases
    )
    budget = Budget(max_cases)
    by_op: dict[str, list[tuple[OpConfig, str]]] = {}
    for located in result.configs:
        if is_infrastructure(located.config.operation):
            comp.excluded[located.config.operation] = comp.excluded.get(located.config.operation, 0) + 1
            continue
        by_op.setdefault(located.config.operation, []).append((located.config, located.pointer))
    plans: list[OpPlan] = []
    for op in sorted(by_op):
        plan = plan_op(op, by_op[op], catalog, data, all_cases=all_cases, budget=budget)
        report = OpReport(op, plan.configurations, len(plan.traced_cases), plan.rejections, plan.expansion)
        report.combinations = len(plan.combinations)
        report.case_hashes = {c.case_id: c.config_hash for c in plan.traced_cases}
        comp.reports.append(report)
        if plan.cases:
            plans.append(plan)
    for plan in plans:
        segments = plan.segments
        sweep_rel = "/".join(["sweeps", *segments[:-1], f"{plan.module_name}.py"])
        test_rel = "/".join(["tests", *segments[:-1], f"test_{plan.module_name}.py"])
        sweep_package = ".".join([out.name, "sweeps", *segments[:-1]])
        sweep = format_source(render_sweep_skeleton(plan, comp.master, data), sweep_rel)
        for mark, traced in ((CASES_MARK, True), (COMBINATIONS_MARK, False)):
            wanted = 1 if traced or plan.combinations else 0
            if sweep.count(mark + "\n") != wanted:
                raise CompileError(f"{sweep_rel}: a cases placeholder did not survive formatting")
            if wanted:
                sweep = sweep.replace(mark + "\n", cases_block(plan, traced) + "\n")
        texts = {
            sweep_rel: sweep,
            test_rel: format_source(render_test_module(plan, comp.master, data, sweep_package), test_rel),
        }
        for rel, text in texts.items():
            comp.files[rel] = text
        comp.file_inputs[sweep_rel] = plan.digest
        comp.file_inputs[test_rel] = test_digest(plan, data)
        comp.op_files[plan.op] = list(texts)
    op_rels = sorted(comp.files)
    support = {"conftest.py": format_source(render_support("conftest.py.j2"), "conftest.py")}
    init_text = format_source(render_support("package_init.py.j2"), "__init__.py")
    support |= {rel: init_text for rel in _package_inits(op_rels)}
    for rel, text in support.items():
        comp.files[rel] = text
        comp.file_inputs[rel] = None
    for rel, text in comp.files.items():
        check_syntax(text, rel)  # every file, as Python will read it
    comp.fingerprint = fingerprint(master, data, all_cases=all_cases, max_cases=max_cases)
    comp.files[MANIFEST] = manifest_text(comp, comp.fingerprint)
    return comp


def manifest_text(comp: Compilation, fingerprint: str | None = None) -> str:
    files = {
        rel: {"sha256": digest(text), "inputs": comp.file_inputs.get(rel)}
        for rel, text in sorted(comp.files.items())
        if rel != MANIFEST
    }
    mode = "all-cases" if comp.all_cases else "exact"
    doc: dict[str, object] = {
        "ttgen": __version__,
        "master": comp.master,
        "mode": mode,
        "fingerprint": fingerprint,
        "summary": summary(comp),
        "files": files,
    }
    if comp.all_cases:  # what `check` must recompile with
        doc["max_cases"] = comp.max_cases
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def summary(comp: Compilation) -> dict[str, object]:
    """What the compile did, for the manifest (reviewers, and check's fast path): counts, and
    every rejection grouped by reason with the ops it hit."""
    counts: Counter[str] = Counter(r.reason for r in comp.rejections)
    ops: dict[str, set[str]] = {}
    for r in comp.rejections:
        ops.setdefault(r.reason, set()).add(r.operation)
    rejected = [
        {"reason": reason, "count": n, "operations": sorted(ops[reason])}
        for reason, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    doc: dict[str, object] = {
        "operations": len(comp.reports),
        "configurations": comp.configurations,
        "cases": comp.cases,
        "combinations": sum(r.combinations for r in comp.reports),
        "rejected": rejected,
    }
    if comp.all_cases:
        doc["combinations_over_cap"] = sum(r.expansion.over_cap for r in comp.reports if r.expansion)
    return doc


PACKAGE = Path(__file__).resolve().parent.parent


def _module_file(name: str) -> Path | None:
    base = PACKAGE.parent.joinpath(*name.split("."))
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _imported(path: Path) -> set[str]:
    """The ttgen modules a module imports anywhere (at the top, in functions, for annotations)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "ttgen"}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "ttgen":
            module = node.module or ""
            found.add(module)
            found |= {f"{module}.{a.name}" for a in node.names if _module_file(f"{module}.{a.name}") is not None}
    return found


@cache
def output_sources() -> tuple[Path, ...]:
    """The code generated output is a function of: every module of ttgen/compile and every ttgen
    module they import, directly or not, with the packages that hold them. Nothing else (the
    emulator, runtime, runner, CLI) is in the fingerprint, so editing it leaves `check` green."""
    todo = [
        "ttgen.compile." + p.relative_to(PACKAGE / "compile").with_suffix("").as_posix().replace("/", ".")
        for p in (PACKAGE / "compile").rglob("*.py")
    ]
    files: dict[str, Path] = {}
    while todo:
        parts = todo.pop().split(".")
        for name in (".".join(parts[: i + 1]) for i in range(len(parts))):
            path = _module_file(name.removesuffix(".__init__"))
            if name in files or path is None:
                continue
            files[name] = path
            todo += sorted(_imported(path))
    return tuple(sorted(set(files.values())))


def fingerprint(
    master: Path,
    data: SweepsData | None = None,
    catalog_file: Path | None = None,
    *,
    all_cases: bool = False,
    max_cases: int = DEFAULT_MAX_CASES,
) -> str:
    """Everything generated code is a function of: the master's bytes and displayed path, the
    sweeps_src data, the signature catalog, the ttgen code that shapes output and its templates,
    black's version.
    Equal fingerprints mean an identical compile, so `check` can skip recompiling."""
    from importlib.metadata import version

    from ttgen.compile.render import TEMPLATES
    from ttgen.signatures.catalog import catalog_path

    h = hashlib.sha256()

    def feed(label: str, data: bytes) -> None:
        h.update(f"{label}\0{len(data)}\0".encode())
        h.update(data)

    feed("ttgen", __version__.encode())
    feed("black", version("black").encode())
    feed("master-path", display_path(master).encode())
    feed("mode", b"all-cases" if all_cases else b"exact")
    if all_cases:
        feed("max-cases", str(max_cases).encode())
    inputs: list[tuple[str, Path]] = []
    if master.is_dir():
        inputs += [(f"master/{p.relative_to(master).as_posix()}", p) for p in sorted(master.rglob("*")) if p.is_file()]
    else:
        inputs.append(("master", master))
        sidecar = master.with_name(master.name.removesuffix(".json") + ".python_io.json")
        if sidecar.is_file():
            inputs.append(("master-sidecar", sidecar))
    inputs += list((data or load_sweeps_data()).sources)
    inputs.append(("catalog", catalog_file or catalog_path()))
    inputs += [(f"src/{p.relative_to(PACKAGE).as_posix()}", p) for p in output_sources()]
    inputs += [(f"templates/{p.name}", p) for p in sorted(TEMPLATES.glob("*.j2"))]
    for label, path in inputs:
        feed(label, path.read_bytes())
    return h.hexdigest()
