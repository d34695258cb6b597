"""Machines the emulator can stand for (TTGEN_EMU_SYSTEM): which meshes each opens, its per-chip
worker grid and the device ids ttnn gives its meshes, all read off the real wheel on the mock
cluster descriptors (probe)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ttgen.emu.topology import MeshShape


@dataclass(frozen=True)
class System:
    """A machine: its arch, system mesh, per-chip worker grid (probe) and the device ids ttnn
    assigns to the meshes it opens (probe; other shapes get 0..n-1). Its ethernet wiring, as the
    collectives' routing showed it (probe, ttgen.emu.routing): the channels between neighbouring
    chips (0: not probed), whether the system mesh closes into a torus, which 1xN meshes are
    physical rings (True) or open lines (False; lengths not listed were not probed) and the
    ethernet direction a Ring over one of those open lines doubles up on."""

    arch: str
    mesh: tuple[int, int]
    grid: tuple[int, int]
    ids: dict[tuple[int, int], tuple[int, ...]]
    eth_links: int = 0
    torus: bool = False
    ring_lines: dict[int, bool] = field(default_factory=dict)
    open_line_direction: str = ""


SYSTEMS = {
    "n150": System("wormhole_b0", (1, 1), (8, 8), {}),
    "n300": System("wormhole_b0", (2, 1), (8, 8), {}),
    "t3k": System(
        "wormhole_b0",
        (2, 4),
        (8, 8),
        {(2, 4): (4, 0, 2, 6, 5, 1, 3, 7), (1, 8): (4, 0, 2, 6, 7, 3, 1, 5), (1, 1): (4,)},
        eth_links=2,
        ring_lines={8: True, 4: False},
        open_line_direction="EAST",
    ),
    "galaxy": System(
        "wormhole_b0",
        (8, 4),
        (8, 9),
        {
            (4, 8): (
                0,
                4,
                8,
                12,
                13,
                9,
                5,
                1,
                16,
                20,
                24,
                28,
                29,
                25,
                21,
                17,
                18,
                22,
                26,
                30,
                31,
                27,
                23,
                19,
                2,
                6,
                10,
                14,
                15,
                11,
                7,
                3,
            ),
            (8, 4): (
                0,
                16,
                18,
                2,
                4,
                20,
                22,
                6,
                8,
                24,
                26,
                10,
                12,
                28,
                30,
                14,
                13,
                29,
                31,
                15,
                9,
                25,
                27,
                11,
                5,
                21,
                23,
                7,
                1,
                17,
                19,
                3,
            ),
            (1, 32): (
                0,
                16,
                18,
                2,
                6,
                10,
                14,
                15,
                11,
                7,
                3,
                19,
                17,
                1,
                5,
                21,
                23,
                27,
                25,
                9,
                13,
                29,
                31,
                30,
                28,
                12,
                8,
                24,
                26,
                22,
                20,
                4,
            ),
        },
        eth_links=4,
        torus=True,
        ring_lines={32: True, 16: True, 8: False},
        open_line_direction="SOUTH",
    ),
    "p150": System("blackhole", (1, 1), (13, 10), {}),
    "p300": System("blackhole", (2, 1), (11, 10), {}),
    "4xp150": System("blackhole", (2, 2), (11, 10), {}),
    "bh_galaxy": System("blackhole", (8, 4), (12, 10), {}),
}


def fit_error(shape: tuple[int, ...], system: System) -> str | None:
    """Which meshes a system opens (probe): up to its device count, as a line of any length or a
    2-D block that fits its system mesh either way round."""
    need, have = math.prod(shape), math.prod(system.mesh)
    sys_shape = MeshShape(list(system.mesh))
    if need > have:
        return (
            f"Requested mesh shape {MeshShape(list(shape))!r} requires {need} devices, but only {have} devices "
            f"are available in the system mesh {sys_shape!r}."
        )
    if sum(d > 1 for d in shape) <= 1 or len(shape) != 2:
        return None
    r, c = shape
    rows, cols = system.mesh
    if (r <= rows and c <= cols) or (c <= rows and r <= cols):
        return None
    return (
        f"Requested mesh is too big and is not rotatable: {MeshShape(list(shape))!r} and SystemMesh {sys_shape!r}, "
        f"offset MeshCoordinate([0, 0])"
    )
