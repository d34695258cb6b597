"""`ttgen merge OUT SOURCE...`: copy every run of other stores (a CI matrix's SQLite artifacts,
or a database) into one store, SQLite or PostgreSQL, with new run ids. A run is known by its
origin (host, run id and start time where it was first recorded), so merging a store twice, or a
store merged from it, copies nothing twice; each run is copied in one transaction, with every
one of its results or none. The counts reconcile: per source, its runs are new or already there
and its results copied or already there; the target grows by exactly what was copied (unless
other writers wrote to it meanwhile, which the summary says).

`ttgen report` and `ttgen shard` read several stores by merging them into a store in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ttgen.runner.location import mask
from ttgen.runner.sqlite_store import SqliteStore
from ttgen.runner.store import Imported, Store
from ttgen.runner.stores import open_store


@dataclass
class SourceCounts:
    """What merging one source did."""

    where: str
    runs: int = 0
    runs_new: int = 0
    runs_updated: int = 0
    results: int = 0
    copied: int = 0
    notes: int = 0
    notes_copied: int = 0
    latest: int | None = None  # the target's id of the source's latest run
    ids: dict[int, int] = field(default_factory=dict)  # source run id -> target run id

    @property
    def runs_present(self) -> int:
        return self.runs - self.runs_new

    @property
    def present(self) -> int:
        return self.results - self.copied

    def add(self, source_id: int, done: Imported, results: int, notes: int) -> None:
        self.ids[source_id] = done.run_id
        self.runs += 1
        self.runs_new += done.new
        self.runs_updated += done.updated
        self.results += results
        self.copied += done.copied
        self.notes += notes
        self.notes_copied += done.notes_copied
        assert done.copied + done.present == results and done.notes_copied + done.notes_present == notes

    def line(self) -> str:
        updated = f", {self.runs_updated} updated" if self.runs_updated else ""
        return (
            f"{self.where}: {self.runs} run{'' if self.runs == 1 else 's'} ({self.runs_new} new,"
            f" {self.runs_present} already there{updated}),"
            f" {self.results} results ({self.copied} copied, {self.present} already there),"
            f" {self.notes} first-attempt notes ({self.notes_copied} copied)"
        )


@dataclass
class MergeSummary:
    target: str
    sources: list[SourceCounts]
    before: dict[str, int]
    after: dict[str, int]

    @property
    def copied(self) -> dict[str, int]:
        return {
            "runs": sum(s.runs_new for s in self.sources),
            "results": sum(s.copied for s in self.sources),
            "first_attempts": sum(s.notes_copied for s in self.sources),
        }

    @property
    def others(self) -> dict[str, int]:
        """Rows the target gained that this merge did not copy (other writers, meanwhile)."""
        return {t: self.after[t] - self.before.get(t, 0) - n for t, n in self.copied.items()}

    def lines(self) -> list[str]:
        lines = [s.line() for s in self.sources]
        grew = ", ".join(f"{t} {self.before.get(t, 0)} -> {self.after[t]}" for t in self.copied)
        copied = ", ".join(f"{n} {t}" for t, n in self.copied.items())
        lines.append(f"{self.target}: {grew} (copied {copied})")
        extra = {t: n for t, n in self.others.items() if n}
        if extra:
            lines.append(
                f"{self.target}: also {', '.join(f'{n:+d} {t}' for t, n in extra.items())} by other writers meanwhile"
            )
        return lines


def merge_store(target: Store, source: Store) -> SourceCounts:
    """Copy every run of `source` into `target` (each in its own transaction)."""
    counts = SourceCounts(source.where)
    runs = source.runs()
    for run in runs:
        results = source.results(run["id"])
        notes = source.notes(run["id"])
        done = target.import_run(run, results, notes, source.where)
        counts.add(int(run["id"]), done, len(results), len(notes))
    if runs:
        latest = source.run()
        assert latest is not None
        counts.latest = counts.ids[int(latest["id"])]
    return counts


def merge_into(target: Store, sources: Sequence[str | Path]) -> MergeSummary:
    """Merge the stores at `sources` (opened read-only, one at a time) into `target`."""
    before = target.counts()
    done = []
    for location in sources:
        with open_store(location, readonly=True) as source:
            done.append(merge_store(target, source))
    return MergeSummary(target.where, done, before, target.counts())


def merge(out: str | Path, sources: Sequence[str | Path]) -> MergeSummary:
    """`ttgen merge`: every source into the store at `out` (created as needed)."""
    if not sources:
        raise ValueError("ttgen merge: name at least one store to merge")
    with open_store(out) as target:
        return merge_into(target, sources)


def combined(sources: Sequence[str | Path]) -> tuple[Store, MergeSummary]:
    """Several stores as one, in memory (`ttgen report` and `ttgen shard` over CI artifacts);
    the caller closes it."""
    store = SqliteStore.in_memory()
    store.where = " + ".join(mask(s) for s in sources)
    try:
        return store, merge_into(store, sources)
    except BaseException:
        store.close()
        raise
