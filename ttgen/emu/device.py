"""Emulated devices: the per-arch facts ttnn reports on mock Wormhole (N150) and Blackhole (P150)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ttgen.emu.types import CoreCoord
from ttgen.facts.devices import DEFAULT_ARCH, DEVICE_MODELS, Arch, DeviceModel

if TYPE_CHECKING:
    from ttgen.emu.tensor import Allocator


def selected_arch() -> str:
    """TTGEN_ARCH, else upstream's ARCH_NAME, else wormhole_b0."""
    arch = os.environ.get("TTGEN_ARCH") or os.environ.get("ARCH_NAME") or DEFAULT_ARCH
    if arch not in DEVICE_MODELS:
        raise RuntimeError(f"unknown arch {arch!r}; expected one of {', '.join(sorted(DEVICE_MODELS))}")
    return arch


class MeshDevice:
    """A 1x1 mesh of one emulated chip, as `ttnn.open_device` returns."""

    def __init__(self, device_id: int, model: DeviceModel, l1_small_size: int = 0) -> None:
        self.device_id = device_id
        self.model = model
        self.l1_small_size = l1_small_size
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
    def shape(self) -> tuple[int, int]:
        return (1, 1)

    def get_num_devices(self) -> int:
        return 1

    def get_device_ids(self) -> list[int]:
        return [self.device_id]

    def id(self) -> int:
        return self.device_id

    def arch(self) -> Arch:
        return Arch[self.model.arch.upper()]

    def __repr__(self) -> str:
        return "MeshDevice(1x1 grid, 1 devices)"


def open_device(*, device_id: int, l1_small_size: int = 0, trace_region_size: int = 0) -> MeshDevice:
    return MeshDevice(device_id, DEVICE_MODELS[selected_arch()], l1_small_size)


def close_device(device: MeshDevice) -> None:
    device.is_open = False


class GlobalSemaphore:
    """ttnn.create_global_semaphore's handle: where it lives and its initial value."""

    def __init__(self, device: MeshDevice, cores: Any, initial_value: int) -> None:
        self.device, self.cores, self.initial_value = device, cores, initial_value


def create_global_semaphore(device: MeshDevice, cores: Any, initial_value: int) -> GlobalSemaphore:
    return GlobalSemaphore(device, cores, initial_value)
