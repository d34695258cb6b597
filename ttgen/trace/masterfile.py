"""The master on disk: read, merge and write under an exclusive lock (a `.lock` file beside it,
never removed), the new text written to a temporary file in the same folder and renamed over the
old one, so readers see the old master or the new one, never half of one, and concurrent
writers serialize instead of losing each other's configurations."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from ttgen.files import clean_stale_temps, resolve_target, write_atomic
from ttgen.ingest import ingest_path
from ttgen.model import Master, OpConfig
from ttgen.model.serialize import dumps_master
from ttgen.trace.merge import MergeStats, Retraced, Scope, merge

_MASTER_FORMATS = ("v1", "v2", "mixed")  # what ttgen.ingest.master reads; the rest are traces


class MasterRewriteError(RuntimeError):
    """The existing master holds configurations ttgen cannot read: rewriting it would lose them."""


@contextlib.contextmanager
def locked(master: Path) -> Iterator[None]:
    # the lock sits beside the real file, so every symlink to one master shares it
    target = resolve_target(master)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.with_name(target.name + ".lock"), "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def read_master(master: Path) -> Master:
    if not master.exists():
        return Master(operations=())
    if master.is_dir():
        raise MasterRewriteError(f"{master}: is a folder, not a master file")
    result = ingest_path(master)
    if result.format not in _MASTER_FORMATS:
        raise MasterRewriteError(
            f"{master}: is a {result.format} trace, not a master; refusing to overwrite it"
            " (import it into a master instead)"
        )
    if result.rejections:
        first = result.rejections[0]
        raise MasterRewriteError(
            f"{master}: {len(result.rejections)} configuration(s) ttgen cannot read (first: {first.operation} at"
            f" {first.pointer}: {first.reason}); refusing to rewrite it and lose them"
        )
    # keys the reader notes and the IR does not keep would be gone after a rewrite
    if result.unkept:
        unkept = result.unkept[0]
        raise MasterRewriteError(
            f"{master}#{unkept.pointer}: holds data ttgen does not keep (keys {', '.join(unkept.keys)});"
            " refusing to rewrite it and lose them"
        )
    return result.master()


def merge_into_master(
    master: Path,
    configs: Iterable[OpConfig],
    *,
    retraced: Retraced = frozenset(),
    scope: Scope | None = None,
    where: Sequence[str] | None = None,
) -> MergeStats:
    """Lock, read, merge, write atomically (only when something changed); the statistics of this
    merge. `where` names where each configuration was read, for conflict reports."""
    if master.is_dir():  # before the lock: no `.lock` file beside someone's folder
        raise MasterRewriteError(f"{master}: is a folder, not a master file")
    with locked(master):
        merged, stats = merge(read_master(master), configs, retraced=retraced, scope=scope, where=where)
        if stats.changed or not master.exists():
            write_atomic(master, dumps_master(merged), durable=True)
        else:  # a merge that writes nothing still clears a killed writer's leftovers
            clean_stale_temps(resolve_target(master))
    return stats
