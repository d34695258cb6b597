"""How a machine's ethernet fabric carries a collective's ring, as far as ttnn 0.81.1's routing
errors on the mock T3K and 6U Galaxy showed it (probe, 2026-12): which rings close physically,
how many links two neighbouring chips share, and the fabric ids the errors name.

Facts (probe): T3K (system mesh 2x4) has 2 ethernet channels between neighbours; its 1x8 view is
a ring, its 1x4 view and the rows and columns of 2x4 are open lines. The Galaxy (system mesh 8x4)
has 4 channels; its whole 4x8 / 8x4 mesh is a torus, its 1x32 and 1x16 views are rings, 1x8 is
not. A ring of two devices is always run as a line. Where a machine or a view was not probed the
callers raise NotEmulatedError rather than guess (ttgen.emu.systems)."""

from __future__ import annotations

import math

from ttgen.emu.device import MeshDevice
from ttgen.emu.tensor import fatal
from ttgen.emu.topology import FabricConfig

TWO_D_FABRICS = {
    FabricConfig.FABRIC_2D,
    FabricConfig.FABRIC_2D_TORUS_X,
    FabricConfig.FABRIC_2D_TORUS_Y,
    FabricConfig.FABRIC_2D_TORUS_XY,
}


def not_emulated(op: str, form: str) -> NotImplementedError:
    from ttgen.emu import NotEmulatedError

    return NotEmulatedError(f"{op} is not emulated for {form}")


def is_line(mesh: MeshDevice) -> bool:
    """A 1xN view: the devices in one row."""
    shape = mesh.mesh_shape
    return len(shape) == 2 and shape[0] == 1


def is_full_torus(mesh: MeshDevice) -> bool:
    """The whole system mesh of a torus machine, either way round."""
    system, shape = mesh.system, tuple(mesh.mesh_shape)
    return system is not None and system.torus and shape in (system.mesh, system.mesh[::-1])


def line_is_ring(mesh: MeshDevice) -> bool | None:
    """Whether a 1xN view closes into a physical ring; None: not probed on this machine."""
    n = mesh.get_num_devices()
    if n <= 2:
        return False
    if mesh.system is None:
        return None
    return mesh.system.ring_lines.get(n)


def transposed(mesh: MeshDevice) -> bool:
    """A 2-D view that only fits the system mesh turned round (a Galaxy opened 4x8)."""
    system, shape = mesh.system, mesh.mesh_shape
    if system is None or len(shape) != 2 or shape[0] == 1:
        return False
    (r, c), (rows, cols) = shape, system.mesh
    return not (r <= rows and c <= cols) and (c <= rows and r <= cols)


def neighbour_id(mesh: MeshDevice, axis: int | None) -> int:
    """The fabric id of (0, 0)'s first hop along `axis` (None: along the row), as routing errors
    name it: the chip's row-major index in the system mesh (probe: T3K 2x4 axis 0 -> D4, axis 1
    -> D1; Galaxy 4x8 axis 1 -> D4, 8x4 -> D1; a 1xN view -> D1)."""
    shape = mesh.mesh_shape
    r, c = (1, 0) if axis == 0 and not is_line(mesh) else (0, 1)
    if transposed(mesh) and mesh.system is not None:
        return c * mesh.system.mesh[1] + r
    return r * shape[-1] + c


def check_links(mesh: MeshDevice, op: str, num_links: int, axis: int | None) -> None:
    """More links than the fabric has channels between neighbours (probe: the message names the
    first hop); a machine whose channel count was not probed takes one link only."""
    channels = mesh.system.eth_links if mesh.system is not None else 0
    if not channels:
        if num_links > 1:
            raise not_emulated(op, f"num_links={num_links} on a machine whose ethernet channels were not probed")
        return
    if num_links > channels:
        raise fatal(
            f"Requested link index {channels} is out of bounds. {channels} ethernet channels available to forward "
            f"b/w src (M0, D0) and dst (M0, D{neighbour_id(mesh, axis)})"
        )


def no_forwarding(mesh: MeshDevice) -> RuntimeError:
    """A ring whose closing hop has no route (probe: T3K 1x4, Galaxy 1x8 and a Galaxy 4x8 on a 1-D
    fabric: from D0 to the last device)."""
    return fatal(
        f"Could not find any forwarding direction from src (M0, D0) to dst (M0, D{math.prod(mesh.mesh_shape) - 1})"
    )
