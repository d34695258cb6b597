"""Beyond one machine: cases split by the hardware they need (arch and mesh shape, as upstream
sends Galaxy cases to Galaxy runners), each class packed longest-first into N groups by recorded
durations, printed as a GitHub Actions matrix whose entries carry the hardware and the
`ttgen run` arguments for their group.

A case with no recorded duration is estimated at the mean of the recorded ones (or 1 s).
"""

from __future__ import annotations

import heapq
import math
import shlex
from dataclasses import dataclass, field
from typing import Any

from ttgen.runner.discover import SINGLE_DEVICE, Case, Hardware


@dataclass
class Group:
    index: int
    seconds: float = 0.0
    keys: list[str] = field(default_factory=list)
    hardware: Hardware = SINGLE_DEVICE


def pack(cases: list[Case], durations: dict[str, float], groups: int) -> list[Group]:
    """Per hardware class (arch, mesh), longest processing time first: each case goes to the
    currently lightest of that class's groups. Groups are numbered across classes."""
    if groups < 1:
        raise ValueError("--groups must be at least 1")
    known = [durations[c.key] for c in cases if c.key in durations]
    default = sum(known) / len(known) if known else 1.0
    by_hw: dict[Hardware, list[Case]] = {}
    for c in cases:
        by_hw.setdefault(c.hardware, []).append(c)
    out: list[Group] = []
    for hw in sorted(by_hw, key=lambda h: (h.arch or "", math.prod(h.mesh), h.mesh)):
        for g in _pack_one(by_hw[hw], durations, default, groups):
            if g.keys:  # a class with fewer cases than groups fills only some
                out.append(Group(len(out) + 1, g.seconds, g.keys, hw))
    return out


def _pack_one(cases: list[Case], durations: dict[str, float], default: float, groups: int) -> list[Group]:
    timed = sorted(((durations.get(c.key, default), c.key) for c in cases), key=lambda t: (-t[0], t[1]))
    out = [Group(i + 1) for i in range(groups)]
    heap = [(0.0, i) for i in range(groups)]
    for seconds, key in timed:
        _load, i = heapq.heappop(heap)
        out[i].seconds += seconds
        out[i].keys.append(key)
        heapq.heappush(heap, (out[i].seconds, i))
    for g in out:
        g.keys.sort()
    return out


def matrix(groups: list[Group], paths: list[str], extra: list[str]) -> dict[str, Any]:
    include = []
    for g in groups:
        if not g.keys:
            continue
        args = [*paths, "--case", ",".join(g.keys), *extra]
        include.append(
            {
                "group": g.index,
                "arch": g.hardware.arch or "any",
                "mesh": "x".join(map(str, g.hardware.mesh)),
                "devices": math.prod(g.hardware.mesh),
                "cases": len(g.keys),
                "estimated_s": round(g.seconds, 3),
                "args": shlex.join(args),
            }
        )
    return {"include": include}
