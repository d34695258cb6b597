"""Multi-device meshes at run time: opening the mesh a case needs, distributing a host tensor
with its traced placements, and reading an output's topology back in the traced spelling."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ttgen.runtime.outcome import SkipCase
from ttgen.runtime.spec import MeshPlacement

if TYPE_CHECKING:
    import ttgen.emu as ttnn
else:
    from ttgen.runtime.backend import load_backend

    ttnn = load_backend()

_SHARD = re.compile(r"Shard\((-?[0-9]+)\)\Z")
FABRIC_ENV = "TTGEN_FABRIC"  # e.g. FABRIC_1D: overrides the fabric chosen per mesh shape


def mesh_text(shape: tuple[int, ...]) -> str:
    return "x".join(str(d) for d in shape)


def shape_of(device: Any) -> tuple[int, ...]:
    return tuple(int(d) for d in device.shape)


def fabric_for(mesh: tuple[int, ...]) -> str:
    """The fabric a mesh opens with (the trace does not record it). On a 2-D mesh FABRIC_2D
    routes every CCL, with or without cluster_axis (FABRIC_1D needs cluster_axis there); a
    1-D mesh of 3+ chips opens as a ring, which Ring-only ops (all_gather_matmul_async) need."""
    chosen = os.environ.get(FABRIC_ENV)
    if chosen:
        return chosen
    if sum(d > 1 for d in mesh) > 1:
        return "FABRIC_2D"
    return "FABRIC_1D_RING" if math.prod(mesh) > 2 else "FABRIC_1D"


def system_text() -> str:
    """This machine, for skip reasons: its system mesh, or its device count."""
    try:  # real ttnn keeps the descriptor in its multi_device module only
        descriptor = getattr(getattr(getattr(ttnn, "_ttnn"), "multi_device"), "SystemMeshDescriptor")  # noqa: B009
        shape = tuple(int(d) for d in descriptor().shape())
        return f"a {mesh_text(shape)} system mesh ({math.prod(shape)} devices)"
    except Exception:  # no descriptor on this backend: the count will do
        return f"{ttnn.get_num_devices()} device(s)"


def open_mesh(mesh: tuple[int, ...], params: Mapping[str, int]) -> Any:
    """Set the fabric, then open; a mesh this machine cannot open is the case's skip, naming
    the mesh, the machine and ttnn's reason (never a silent run on fewer devices)."""
    fabric = fabric_for(mesh)
    try:
        config = getattr(ttnn.FabricConfig, fabric)
    except AttributeError:
        raise SkipCase(f"{FABRIC_ENV}={fabric}: this ttnn has no such FabricConfig") from None
    try:
        ttnn.set_fabric_config(config)
        return ttnn.open_mesh_device(ttnn.MeshShape(*mesh), **params)
    except RuntimeError as e:
        ttnn.set_fabric_config(ttnn.FabricConfig.DISABLED)
        raise SkipCase(f"needs a {mesh_text(mesh)} mesh; this machine has {system_text()}: {reason_of(e)}") from None


def close_mesh(device: Any) -> None:
    ttnn.close_mesh_device(device)
    ttnn.set_fabric_config(ttnn.FabricConfig.DISABLED)


def reason_of(e: BaseException) -> str:
    """ttnn's own words: a TT_FATAL's message line ("info:" follows the assert), else line 1."""
    lines = [line.strip() for line in str(e).splitlines() if line.strip()]
    if "info:" in lines and lines.index("info:") + 1 < len(lines):
        return lines[lines.index("info:") + 1]
    return lines[0] if lines else type(e).__name__


def placement_object(text: str) -> Any:
    m = _SHARD.match(text)
    return ttnn.PlacementShard(int(m.group(1))) if m else ttnn.PlacementReplicate()


def mapper_for(device: Any, name: str, placement: MeshPlacement) -> Any:
    """The mesh mapper that lays a host tensor out as traced: the placements per distribution
    axis, over the device's mesh, or over the traced distribution shape where it differs (a 1-D
    `[32]` distribution of a 4x8 mesh)."""
    have = shape_of(device)
    if math.prod(have) != placement.num_devices:
        raise SkipCase(
            f"{name} was traced on a {mesh_text(placement.mesh_shape)} mesh; this device is {mesh_text(have)}"
        )
    dist = placement.distribution_shape
    override = None if dist == have else ttnn.MeshShape(list(dist))
    config = ttnn.MeshMapperConfig([placement_object(p) for p in placement.placements], mesh_shape_override=override)
    return ttnn.create_mesh_mapper(device, config)


def normal_placement(text: str, rank: int) -> str:
    """`Shard(3)` and `Shard(-1)` of a rank-4 tensor are one placement (ttnn prints either)."""
    m = _SHARD.match(text)
    return f"Shard({int(m.group(1)) % rank})" if m and rank else text


def topology_of(t: Any) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """An output's placements (`Replicate` / `Shard(d)`) and distribution shape."""
    topo = t.tensor_topology()
    names = []
    for p in topo.placements():
        dim = getattr(p, "dim", None)
        names.append("Replicate" if dim is None else f"Shard({dim})")
    return tuple(names), tuple(int(d) for d in topo.distribution_shape())


def topology_differs(t: Any, want: MeshPlacement) -> str | None:
    """Why the output's topology is not the traced one, or None."""
    rank = len(t.shape)
    got_places, got_dist = topology_of(t)
    got = (tuple(normal_placement(p, rank) for p in got_places), got_dist)
    wanted = (tuple(normal_placement(p, rank) for p in want.placements), want.distribution_shape)
    if got == wanted:
        return None
    return (
        f"placements {list(got_places)} over {list(got_dist)} differ from the traced "
        f"{list(want.placements)} over {list(want.distribution_shape)}"
    )
