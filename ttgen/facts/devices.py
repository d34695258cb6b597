"""ttnn's devices as traces and mock devices describe them: per-arch hardware numbers, the arch
enum, and upstream's board naming in `machine_info`. Standard library only (the trace plugin
imports it inside the traced interpreter)."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Arch(enum.Enum):
    """ttnn.device.Arch (also ttnn.Arch): what `device.arch()` returns."""

    WORMHOLE_B0 = 2
    BLACKHOLE = 3
    QUASAR = 4


@dataclass(frozen=True, slots=True)
class DeviceModel:
    arch: str
    grid_x: int
    grid_y: int
    l1_bank_size: int  # usable bytes per L1 bank (l1_small_size=0, trace_region_size=0)
    dram_banks: int
    dram_bank_size: int
    l1_alignment: int
    dram_alignment: int

    @property
    def grid(self) -> tuple[int, int]:
        """The compute-with-storage grid (x, y): L1 shard cores outside it have no bank."""
        return self.grid_x, self.grid_y


# shared/reference/ttnn-0.81.1.md §2 "Hardware numbers", read off mock devices.
DEVICE_MODELS = {
    "wormhole_b0": DeviceModel("wormhole_b0", 8, 8, 1_393_312, 12, 1_072_693_184, 16, 32),
    "blackhole": DeviceModel("blackhole", 13, 10, 1_461_120, 8, 4_277_141_376, 16, 64),
}
DEFAULT_ARCH = "wormhole_b0"  # an N150: what the emulator models and `--all-cases` prunes for

# arch (as cluster descriptors spell it) → upstream's machine_info board_type
BOARD_TYPES = {"wormhole_b0": "Wormhole", "blackhole": "Blackhole", "grayskull": "Grayskull"}
# (arch, chips on the board) → upstream's device_series (tt-smi's board name)
DEVICE_SERIES = {("wormhole_b0", 1): "n150", ("wormhole_b0", 2): "n300", ("blackhole", 1): "p150"}


def board_naming(arch: str, chips: int) -> tuple[str, str | None]:
    """(board_type, device_series) of a board of `chips` chips of `arch` (any case); an arch this
    table does not know is named after its first word, without a series."""
    key = arch.lower()
    board = BOARD_TYPES.get(key, key.split("_")[0].capitalize())
    return board, DEVICE_SERIES.get((key, chips))
