"""`ttgen run`: select cases, open (or resume) a run in the store, execute, summarise."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import shlex
import shutil
import socket
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from ttgen import __version__
from ttgen.facts.status import UNEXPECTED
from ttgen.runner.discover import Case, find_modules, select
from ttgen.runner.location import mask_argv
from ttgen.runner.progress import PlainReporter, Reporter
from ttgen.runner.scheduler import Scheduler, Settings
from ttgen.runner.store import Result, StoreError
from ttgen.runner.stores import open_store

DEFAULT_RESULTS = "results/ttgen.sqlite"


@dataclass
class Selection:
    """Everything that decides which cases run and how; stored with the run (--resume reuses only
    its filters: ops, suites, shard, cases)."""

    paths: list[str] = field(default_factory=lambda: ["generated"])
    ops: list[str] = field(default_factory=list)
    suites: list[str] = field(default_factory=list)
    shard: str | None = None  # "I/N", 1 <= I <= N
    cases: list[str] = field(default_factory=list)  # case keys op:suite:id
    backend: str | None = None
    python: str | None = None
    workers: int = 1
    timeout: float | None = None
    reset_cmd: str | None = None
    fail_fast: bool = False

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def resumed_with(self, filters: dict[str, Any]) -> Selection:
        """This command line's selection continuing a stored run. A store can come from anywhere
        (a CI artifact), so it only says which cases the run covers (its op, suite, shard and case
        filters, all matched as data: `stored_filters`); every path, interpreter, command,
        deadline and backend comes from this command line."""
        return dataclasses.replace(
            self, ops=filters["ops"], suites=filters["suites"], shard=filters["shard"], cases=filters["cases"]
        )


def stored_filters(text: str, where: str) -> dict[str, Any]:
    """The case filters of a stored run's selection, each checked to be what ttgen wrote."""
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        raise StoreError(f"{where}: its selection is not a JSON object")
    filters: dict[str, Any] = {}
    for name in ("ops", "suites", "cases"):
        value = doc.get(name, [])
        if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise StoreError(f"{where}: its selection's {name!r} is not a list of strings")
        filters[name] = value
    shard = doc.get("shard")
    if shard is not None and not isinstance(shard, str):
        raise StoreError(f"{where}: its selection's 'shard' is not a string")
    filters["shard"] = shard
    return filters


def validate(sel: Selection) -> None:
    """Options that would silently mean something else are refused (ValueError, one line)."""
    if sel.backend not in (None, "emu", "ttnn"):
        raise ValueError(f"--backend {sel.backend!r}: expected emu or ttnn")
    if sel.timeout is not None and not (math.isfinite(sel.timeout) and sel.timeout > 0):
        raise ValueError(f"--timeout {sel.timeout}: expected a finite number of seconds > 0")
    if sel.workers < 1:
        raise ValueError(f"--workers {sel.workers}: expected at least 1")
    if sel.python is not None:
        found = shutil.which(sel.python)
        if found is None:
            raise ValueError(f"--python {sel.python}: no such executable")
    if sel.shard:
        parse_shard(sel.shard)


@dataclass
class RunSummary:
    run_id: int
    status: str
    results: list[Result]
    ran_now: int

    @property
    def counts(self) -> Counter[str]:
        return Counter(r.status for r in self.results)

    @property
    def unexpected(self) -> int:
        return sum(1 for r in self.results if r.status in UNEXPECTED)


def parse_shard(text: str) -> tuple[int, int]:
    try:
        index, count = (int(x) for x in text.split("/"))
    except ValueError as e:
        raise ValueError(f"--shard {text!r}: expected I/N, e.g. 2/4") from e
    if not 1 <= index <= count:
        raise ValueError(f"--shard {text!r}: need 1 <= I <= N")
    return index, count


def cases_of(sel: Selection) -> list[Case]:
    modules = find_modules([Path(p) for p in sel.paths])
    shard = parse_shard(sel.shard) if sel.shard else None
    keys = [k for item in sel.cases for k in item.split(",") if k]
    found = select(modules, ops=sel.ops or None, suites=sel.suites or None, shard=shard, keys=keys or None)
    if keys:
        missing = sorted(set(keys) - {c.key for c in found})
        if missing:
            raise ValueError(f"--case: no such case under {', '.join(sel.paths)}: {', '.join(missing[:5])}")
    return found


def git_sha() -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return None
    return done.stdout.strip() or None


def command_line() -> str:
    """This process's command, as a run stores it (a results URL's password masked)."""
    argv = ["ttgen", *sys.argv[1:]] if sys.argv[0].endswith("ttgen") else sys.argv
    return shlex.join(mask_argv(argv))


def worker_env(sel: Selection) -> dict[str, str]:
    env = {}
    if sel.backend:
        env["TTGEN_BACKEND"] = sel.backend
    return env


def execute(
    sel: Selection | None,
    results: str | Path = DEFAULT_RESULTS,
    *,
    resume: bool = False,
    reporter: Reporter | None = None,
    startup_timeout: float = 300.0,
) -> RunSummary:
    """Run a selection (or resume the store's last unfinished run) and return what it recorded.
    `results` is a SQLite path or a PostgreSQL URL (`location`).

    Only one process runs a run: a resume of a run that another `ttgen run` is running (its
    first run or another resume) is refused (StoreError)."""
    store = open_store(results)
    where = store.where
    planned: int | None = None  # on resume: the stored run's case count
    first_attempts: dict[str, str] = {}
    try:
        if resume:
            row = store.unfinished_run()
            if row is None:
                raise ValueError(f"{where}: no unfinished run to resume")
            run_id = int(row["id"])
            store.claim(run_id)
            planned = int(row["planned"])
            sel = (sel or Selection()).resumed_with(stored_filters(row["selection"], f"{where}: run {run_id}"))
        else:
            assert sel is not None
        validate(sel)
        cases = cases_of(sel)
        if resume:
            done = store.done_keys(run_id)
            alien = sorted(done - {c.key for c in cases})
            if len(cases) != planned or alien:
                found = f"{len(cases)} match" + (f", and it recorded {alien[0]}, which does not," if alien else "")
                raise ValueError(
                    f"{where}: run {run_id} planned {planned} cases, {found} under"
                    f" {', '.join(sel.paths)}: give the paths it ran (ttgen run PATH... --resume)"
                )
            first_attempts = store.first_attempts(run_id)
            store.update_run(run_id, status="running")
        else:
            run_id = store.begin_run(
                host=socket.gethostname(),
                git_sha=git_sha(),
                command=command_line(),
                ttgen_version=__version__,
                python=sel.python or sys.executable,
                planned=len(cases),
                selection=sel.to_json(),
                backend=sel.backend,
                arch=os.environ.get("TTGEN_ARCH") or os.environ.get("ARCH_NAME"),
            )
            done = set()
        todo = [c for c in cases if c.key not in done]
        reporter = reporter or PlainReporter(Console(markup=False, highlight=False, soft_wrap=True))
        settings = Settings(
            workers=sel.workers,
            python=sel.python or sys.executable,
            timeout=sel.timeout,
            reset_cmd=sel.reset_cmd or os.environ.get("TT_SMI_RESET_COMMAND"),
            fail_fast=sel.fail_fast,
            env=worker_env(sel),
            startup_timeout=startup_timeout,
        )
        reporter.start(len(cases), len(cases) - len(todo))
        scheduler = Scheduler(
            store, run_id, settings, on_result=reporter.result, on_event=reporter.event, first_attempts=first_attempts
        )
        try:
            status = scheduler.execute(todo)
        except BaseException:
            with contextlib.suppress(StoreError):  # a lost store already says where the results went
                store.update_run(run_id, status="aborted")  # ended stays NULL: --resume continues it
            raise
        finally:
            reporter.stop()
        store.end_run(run_id, status)
        return RunSummary(run_id, status, store.results(run_id), scheduler.recorded)
    finally:
        store.close()
