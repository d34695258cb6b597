"""What a run shows while it goes: a rich progress bar (cases/s, ETA, failures) on a terminal,
one plain line per case otherwise (CI logs), and a summary table at the end. Every string that
came from a sweep module, a worker or the command line (case keys, messages, op names, paths,
commands) is shown through `ttgen.terminal.clean`, so none can drive the terminal."""

from __future__ import annotations

import time
from collections import Counter
from typing import Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn
from rich.table import Table

from ttgen.facts.status import STATUSES, UNEXPECTED, Status
from ttgen.runner.store import Result
from ttgen.terminal import clean


class Reporter(Protocol):
    def start(self, total: int, done: int) -> None: ...
    def result(self, r: Result) -> None: ...
    def event(self, text: str) -> None: ...
    def stop(self) -> None: ...


class PlainReporter:
    def __init__(self, console: Console) -> None:
        self.console = console
        self.total = self.done = 0

    def start(self, total: int, done: int) -> None:
        self.total, self.done = total, done
        left = total - done
        self.console.print(
            f"ttgen run: {left} case{'s' * (left != 1)} to run" + (f" ({done} already done)" if done else "")
        )

    def result(self, r: Result) -> None:
        self.done += 1
        ms = f" {r.e2e_ms:.1f} ms" if r.e2e_ms is not None else ""
        line = f"[{self.done}/{self.total}] {clean(r.key)} {clean(r.status)}{ms}"
        if r.status != Status.PASS.value and r.message:
            line += f": {first_line(r.message)}"
        self.console.print(line)

    def event(self, text: str) -> None:
        self.console.print(f"ttgen run: {clean(text)}")

    def stop(self) -> None:
        pass


class RateColumn(TextColumn):
    def __init__(self) -> None:
        super().__init__("")
        self.began = time.monotonic()
        self.base = 0.0

    def render(self, task):  # type: ignore[no-untyped-def]
        from rich.text import Text

        elapsed = time.monotonic() - self.began
        rate = (task.completed - self.base) / elapsed if elapsed > 0 else 0.0
        return Text(f"{rate:.1f} cases/s")


class RichReporter:
    def __init__(self, console: Console) -> None:
        self.console = console
        self.rate = RateColumn()
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            self.rate,
            TimeRemainingColumn(),
            TextColumn("{task.fields[bad]}"),
            console=console,
            transient=False,
        )
        self.task: TaskID | None = None
        self.counts: Counter[str] = Counter()

    def start(self, total: int, done: int) -> None:
        self.progress.start()
        self.rate.base = float(done)
        self.task = self.progress.add_task("ttgen run", total=total, completed=done, bad="")

    def result(self, r: Result) -> None:
        assert self.task is not None
        self.counts[r.status] += 1
        bad = ", ".join(f"{s} {self.counts[s]}" for s in STATUSES if s in UNEXPECTED and self.counts[s])
        self.progress.update(self.task, advance=1, bad=bad)
        if r.status in UNEXPECTED:
            self.progress.console.print(f"{clean(r.key)} {clean(r.status)}: {first_line(r.message)}")

    def event(self, text: str) -> None:
        self.progress.console.print(f"ttgen run: {clean(text)}")

    def stop(self) -> None:
        self.progress.stop()


def first_line(message: str) -> str:
    """A message's first line, cut to 200 characters, safe for a terminal."""
    lines = message.split("\n") if message else [""]
    return clean(lines[0][:200])


def reporter_for(console: Console) -> Reporter:
    return RichReporter(console) if console.is_terminal else PlainReporter(console)


def summary_table(results: list[Result], title: str) -> Table:
    table = Table(title=title)
    table.add_column("op", overflow="fold")  # a long op name wraps, never clipped
    present = [s for s in STATUSES if any(r.status == s for r in results)]
    for s in present:
        table.add_column(s, justify="right")
    table.add_column("total", justify="right")
    by_op: dict[str, Counter[str]] = {}
    for r in results:
        by_op.setdefault(r.op, Counter())[r.status] += 1
    for op in sorted(by_op):
        c = by_op[op]
        table.add_row(clean(op), *[str(c[s]) if c[s] else "" for s in present], str(sum(c.values())))
    total = Counter(r.status for r in results)
    table.add_row("all", *[str(total[s]) for s in present], str(len(results)), style="bold")
    return table
