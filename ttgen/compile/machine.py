"""Where a case runs: the arch its trace names and the mesh its op ran on.

The mesh is read off the call itself, not the machine: a Galaxy trace also holds single-device
calls, and a mesh call's tensors and MeshDevice arguments say which mesh it ran on. Device
tensors carry the mesh shape; host tensors only their distribution, so they decide only when
nothing else does (with the machine's mesh when that covers the distribution).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from pydantic import BaseModel

from ttgen.compile.layout import Atom, Call, Node
from ttgen.compile.printers import ints_node, str_literal
from ttgen.facts.devices import BOARD_TYPES
from ttgen.model import MeshDeviceValue, OpConfig, StorageType, TensorValue

ARCHES = {board.lower(): arch for arch, board in BOARD_TYPES.items()}  # "wormhole" -> "wormhole_b0"


class MeshConflict(ValueError):
    """The call's tensors and device arguments name different meshes."""


def _walk(v: object) -> Iterator[object]:
    yield v
    if isinstance(v, BaseModel):
        for name in type(v).model_fields:
            yield from _walk(getattr(v, name))
    elif isinstance(v, tuple | list):
        for x in v:
            yield from _walk(x)


def case_mesh(config: OpConfig) -> tuple[int, ...]:
    """The mesh shape the call ran on; (1, 1) for a single device."""
    device: set[tuple[int, ...]] = set()
    host: set[tuple[int, ...]] = set()
    for arg in config.arguments:
        for v in _walk(arg.value):
            if isinstance(v, MeshDeviceValue) and math.prod(v.shape) > 1:
                device.add(tuple(v.shape))
            elif isinstance(v, TensorValue) and v.spec.placement is not None and v.spec.placement.num_devices > 1:
                p = v.spec.placement
                (host if v.spec.storage is StorageType.HOST else device).add(tuple(p.mesh_device_shape))
    if len(device) > 1:
        raise MeshConflict(f"arguments traced on different meshes: {' and '.join(_text(m) for m in sorted(device))}")
    if device:
        return device.pop()
    if not host:
        return (1, 1)
    wanted = max(math.prod(m) for m in host)
    for e in config.executions:
        mesh = e.machine_info.mesh_device_shape if e.machine_info else None
        if mesh is not None and math.prod(mesh) == wanted:
            return tuple(mesh)
    return max(host, key=math.prod)


def case_arch(config: OpConfig) -> str | None:
    """The arch of the first execution whose machine says (ttnn's spelling, `wormhole_b0`)."""
    for e in config.executions:
        board = e.machine_info.board_type if e.machine_info else None
        if board:
            return ARCHES.get(board.lower(), board.lower())
    return None


def _text(mesh: tuple[int, ...]) -> str:
    return "x".join(str(d) for d in mesh)


def machine_node(config: OpConfig) -> Node | None:
    """`Machine(arch=..., mesh=(r, c))` for a case that names an arch or needs a mesh."""
    arch, mesh = case_arch(config), case_mesh(config)
    if arch is None and math.prod(mesh) == 1:
        return None
    args: list[tuple[str | None, Node]] = []
    if arch is not None:
        args.append(("arch", Atom(str_literal(arch))))
    if math.prod(mesh) > 1:
        args.append(("mesh", ints_node(mesh)))
    return Call("Machine", tuple(args))
