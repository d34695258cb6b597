"""What generated cases hold: a tensor to create, or a sentinel for an absent argument."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeVar

if TYPE_CHECKING:
    import ttgen.emu as ttnn


@dataclass(frozen=True, slots=True)
class MeshPlacement:
    """How a traced tensor was laid out over a mesh: mesh shape, per-axis placements
    (`"Replicate"` or `"Shard(dim)"`), the distribution shape, and the global shape the host
    tensor has before it is distributed (the traced shape is each device's)."""

    mesh_shape: tuple[int, ...]
    placements: tuple[str, ...]
    distribution_shape: tuple[int, ...]
    global_shape: tuple[int, ...] | None = None

    @property
    def num_devices(self) -> int:
        n = 1
        for d in self.mesh_shape:
            n *= d
        return n


@dataclass(frozen=True, slots=True)
class Machine:
    """Where a case was traced: the arch (`wormhole_b0`, `blackhole`; None if the trace does not
    say) and the mesh its op ran on, which the device fixture and the runner open for it."""

    arch: str | None = None
    mesh: tuple[int, ...] = (1, 1)

    @property
    def num_devices(self) -> int:
        n = 1
        for d in self.mesh:
            n *= d
        return n


@dataclass(frozen=True, slots=True)
class TensorSpec:
    """A traced tensor argument: generated code creates it (seeded values) before the call."""

    shape: tuple[int, ...]
    dtype: ttnn.DataType
    layout: ttnn.Layout
    memory_config: ttnn.MemoryConfig
    on_device: bool = True
    placement: MeshPlacement | None = None


class Absent:
    """The argument was not traced: the op's own default applies (distinct from None)."""

    _instance: Absent | None = None

    def __new__(cls) -> Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False


ABSENT: Final = Absent()


class DeviceRef:
    """A traced device argument: replaced by the device the test runs on."""

    _instance: DeviceRef | None = None

    def __new__(cls) -> DeviceRef:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "DEVICE"


DEVICE: Final = DeviceRef()


@dataclass(frozen=True, slots=True)
class MeshRef:
    """A traced device argument that was a multi-device mesh: the test's device, when it is a
    mesh of that shape (otherwise the case skips, naming both)."""

    shape: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Resource:
    """A traced runtime handle (a global semaphore, ...): the trace holds only its type, so the
    case makes a fresh one on its own device (Inputs.value), or skips naming it."""

    kind: str


T = TypeVar("T")


def given(value: T | Absent) -> T:
    """A field its call form passes positionally: traced in every case of that form."""
    if isinstance(value, Absent):
        raise TypeError("a positional argument of this call form is ABSENT")
    return value


def present(**kwargs: Any) -> dict[str, Any]:
    """Keyword arguments without the absent ones: `ttnn.add(a, b, **present(dtype=case.dtype))`."""
    return {k: v for k, v in kwargs.items() if v is not ABSENT}
