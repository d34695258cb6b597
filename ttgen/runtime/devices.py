"""The one open device of a process, opened with what the current case needs: its mesh (a
single chip, or the multi-device mesh it was traced on, with a fabric) and its sweep module's
DEVICE_PARAMS (e.g. l1_small_size for conv and pool). Reopened only when the next case needs
another, so a run of like cases (the runner orders them by mesh) keeps one device."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ttgen.runtime.mesh import close_mesh, open_mesh

if TYPE_CHECKING:
    import ttgen.emu as ttnn
else:
    from ttgen.runtime.backend import load_backend

    ttnn = load_backend()

SINGLE = (1, 1)


def mesh_of(case: Any) -> tuple[int, ...]:
    """The mesh a case opens: its Machine's (generated modules print one for mesh cases)."""
    machine = getattr(case, "machine", None)
    mesh = tuple(machine.mesh) if machine is not None else SINGLE
    return mesh if math.prod(mesh) > 1 else SINGLE


class Devices:
    def __init__(self, device_id: int = 0) -> None:
        self.device_id = device_id
        self.device: Any = None
        self.params: dict[str, int] = {}
        self.mesh: tuple[int, ...] = SINGLE

    def get(self, params: Mapping[str, int] | None = None, mesh: tuple[int, ...] = SINGLE) -> Any:
        wanted = dict(sorted((params or {}).items()))
        if self.device is not None and (wanted != self.params or mesh != self.mesh):
            self.close()
        if self.device is None:
            if mesh == SINGLE:
                self.device = ttnn.open_device(device_id=self.device_id, **wanted)
            else:
                self.device = open_mesh(mesh, wanted)
            self.params, self.mesh = wanted, mesh
        return self.device

    def for_case(self, case: Any, params: Mapping[str, int] | None = None) -> Any:
        return self.get(params, mesh_of(case))

    def close(self) -> None:
        if self.device is not None:
            device, self.device = self.device, None
            if self.mesh == SINGLE:
                ttnn.close_device(device)
            else:
                close_mesh(device)
