"""What generated code imports at run time. Lean by design: standard library and numpy (torch
only to compute goldens); never the compiler side.

`ttnn` is the selected backend (ttgen.runtime.backend); type checkers see ttgen's emulator,
whose API is the subset of ttnn's that generated code uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ttgen.runtime.case import Inputs
from ttgen.runtime.outcome import Outcome, SkipCase, Status
from ttgen.runtime.spec import (
    ABSENT,
    DEVICE,
    Absent,
    DeviceRef,
    Machine,
    MeshPlacement,
    MeshRef,
    Resource,
    TensorSpec,
    given,
    present,
)

if TYPE_CHECKING:
    import ttgen.emu as ttnn
else:
    from ttgen.runtime.backend import load_backend

    ttnn = load_backend()

__all__ = [
    "ABSENT",
    "DEVICE",
    "Absent",
    "DeviceRef",
    "Inputs",
    "Machine",
    "MeshPlacement",
    "MeshRef",
    "Outcome",
    "Resource",
    "SkipCase",
    "Status",
    "TensorSpec",
    "given",
    "present",
    "ttnn",
]
