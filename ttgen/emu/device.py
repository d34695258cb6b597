"""Emulated devices: the per-arch facts ttnn reports on mock Wormhole (N150) and Blackhole (P150),
and meshes of them (ttgen.emu.mesh describes which meshes a system opens)."""

from __future__ import annotations

import dataclasses
import math
import os
from typing import TYPE_CHECKING, Any

from ttgen.emu.systems import SYSTEMS, System, fit_error
from ttgen.emu.topology import FabricConfig, MeshShape, fabric_config
from ttgen.emu.types import CoreCoord
from ttgen.facts.devices import DEFAULT_ARCH, DEVICE_MODELS, Arch, DeviceModel

if TYPE_CHECKING:
    from ttgen.emu.tensor import Allocator

SYSTEM_ENV = "TTGEN_EMU_SYSTEM"  # n150, n300, t3k, galaxy, p150, ... (ttgen.emu.systems.SYSTEMS) or `any`
ANY_SYSTEM = "any"
ANY_SYSTEM_DEVICES = 32  # what get_num_devices() reports for `any`


def selected_arch() -> str:
    """TTGEN_ARCH, else upstream's ARCH_NAME, else wormhole_b0."""
    arch = os.environ.get("TTGEN_ARCH") or os.environ.get("ARCH_NAME") or DEFAULT_ARCH
    if arch not in DEVICE_MODELS:
        raise RuntimeError(f"unknown arch {arch!r}; expected one of {', '.join(sorted(DEVICE_MODELS))}")
    return arch


def selected_system() -> System | None:
    """The machine TTGEN_EMU_SYSTEM names (n150, t3k, galaxy, ...: which meshes it opens, its grid
    and device ids); unset or `any`: None, every mesh shape opens, so a trace's mesh cases run on
    the emulator whatever mesh they were traced on."""
    name = os.environ.get(SYSTEM_ENV) or ANY_SYSTEM
    if name == ANY_SYSTEM:
        return None
    if name not in SYSTEMS:
        choices = ", ".join([*sorted(SYSTEMS), ANY_SYSTEM])
        raise RuntimeError(f"unknown {SYSTEM_ENV} {name!r}; expected one of {choices}")
    return SYSTEMS[name]


class MeshDevice:
    """A mesh of identical emulated chips; `ttnn.open_device` gives the 1x1 one."""

    def __init__(
        self,
        device_id: int,
        model: DeviceModel,
        l1_small_size: int = 0,
        mesh_shape: tuple[int, ...] = (1, 1),
        device_ids: tuple[int, ...] | None = None,
        fabric: FabricConfig | None = None,
        system: System | None = None,
    ) -> None:
        self.device_id = device_id
        self.model = model
        self.l1_small_size = l1_small_size
        self.mesh_shape = mesh_shape
        self.device_ids = device_ids if device_ids is not None else (device_id,)
        self.fabric = fabric
        self.system = system  # the machine it opened on (its wiring routes collectives), None: unknown
        self.is_open = True
        self._allocator: Allocator | None = None

    @property
    def allocator(self) -> Allocator:
        if self._allocator is None:
            from ttgen.emu.tensor import Allocator

            self._allocator = Allocator(self)
        return self._allocator

    def compute_with_storage_grid_size(self) -> CoreCoord:
        return CoreCoord(self.model.grid_x, self.model.grid_y)

    def dram_grid_size(self) -> CoreCoord:
        return CoreCoord(self.model.dram_banks, 1)

    @property
    def shape(self) -> MeshShape:
        return MeshShape(list(self.mesh_shape))

    def get_num_devices(self) -> int:
        return math.prod(self.mesh_shape)

    def get_device_ids(self) -> list[int]:
        return list(self.device_ids)

    def id(self) -> int:
        return self.device_id

    def arch(self) -> Arch:
        return Arch[self.model.arch.upper()]

    def __repr__(self) -> str:
        grid = "x".join(str(d) for d in self.mesh_shape)
        return f"MeshDevice({grid} grid, {self.get_num_devices()} devices)"


class Chip(MeshDevice):
    """One chip of a mesh while an op runs per device. Chips allocate in lockstep, so only chip 0
    books memory in the mesh's allocator; the others validate and book nothing."""

    def __init__(self, mesh: MeshDevice, index: int) -> None:
        super().__init__(
            mesh.device_ids[index % len(mesh.device_ids)], mesh.model, mesh.l1_small_size, system=mesh.system
        )
        self.mesh, self.index = mesh, index

    @property
    def allocator(self) -> Allocator:
        if self.index == 0:
            return self.mesh.allocator
        if self._allocator is None:
            from ttgen.emu.tensor import Allocator

            self._allocator = Allocator(self, booking=False)
        return self._allocator


def open_device(*, device_id: int, l1_small_size: int = 0, trace_region_size: int = 0) -> MeshDevice:
    return MeshDevice(device_id, DEVICE_MODELS[selected_arch()], l1_small_size)


def close_device(device: MeshDevice) -> None:
    device.is_open = False


def open_mesh_device(
    mesh_shape: MeshShape | None = None,
    l1_small_size: int = 0,
    trace_region_size: int = 0,
    num_command_queues: int = 1,
    dispatch_core_config: Any = None,
    offset: Any = None,
    physical_device_ids: Any = None,
    worker_l1_size: int = 0,
) -> MeshDevice:
    """Opens what the selected system opens (TTGEN_EMU_SYSTEM), with its per-chip grid and device
    ids. `any`: every shape opens, of TTGEN_ARCH's chips, with the grid and ids of the smallest known
    machine that has the shape (a 4x8 Wormhole mesh is a Galaxy's: 8x9 per chip), else the chip's own."""
    system = selected_system()
    if mesh_shape is None:
        mesh_shape = MeshShape(list(system.mesh) if system is not None else [1, 1])
    if not isinstance(mesh_shape, MeshShape):
        raise TypeError("open_mesh_device(): mesh_shape must be a ttnn.MeshShape")
    shape = tuple(mesh_shape)
    if system is not None:
        error = fit_error(shape, system)
        if error:
            raise RuntimeError(f"TT_FATAL @ ttgen.emu\ninfo:\n{error}")
    else:  # any shape opens; the smallest known machine of the arch that has it lends its grid and ids
        arch = selected_arch()
        fitting = [s for s in SYSTEMS.values() if s.arch == arch and fit_error(shape, s) is None]
        system = min(fitting, key=lambda s: math.prod(s.mesh), default=None)
    model = DEVICE_MODELS[selected_arch() if system is None else system.arch]
    ids: tuple[int, ...] = tuple(range(math.prod(shape)))
    if system is not None:
        model = dataclasses.replace(model, grid_x=system.grid[0], grid_y=system.grid[1])
        ids = system.ids.get((shape[0], shape[-1]) if len(shape) == 2 else (-1, -1), ids)
    return MeshDevice(ids[0], model, l1_small_size, shape, ids, fabric_config(), system)


def close_mesh_device(mesh_device: MeshDevice) -> None:
    mesh_device.is_open = False


def get_num_devices() -> int:
    system = selected_system()
    return math.prod(system.mesh) if system is not None else ANY_SYSTEM_DEVICES


class GlobalSemaphore:
    """ttnn.create_global_semaphore's handle: where it lives and its initial value."""

    def __init__(self, device: MeshDevice, cores: Any, initial_value: int) -> None:
        self.device, self.cores, self.initial_value = device, cores, initial_value

    def __repr__(self) -> str:  # ttnn's: nanobind's default, which tracers write as a resource
        return f"<ttnn._ttnn.global_semaphore.global_semaphore object at {id(self):#x}>"


GlobalSemaphore.__name__ = GlobalSemaphore.__qualname__ = "global_semaphore"  # type(x).__name__, as ttnn's


def create_global_semaphore(
    device: MeshDevice, cores: Any, initial_value: int, buffer_type: Any = None
) -> GlobalSemaphore:
    return GlobalSemaphore(device, cores, initial_value)
