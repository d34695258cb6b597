"""A traced tensor: everything needed to recreate it, nothing about its values."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from ttgen.model.base import Dim, Frozen, PositiveDim
from ttgen.model.enums import DataType, Layout, StorageType
from ttgen.model.memory import MemoryConfig


class Replicate(Frozen):
    kind: Literal["replicate"] = "replicate"


class Shard(Frozen):
    kind: Literal["shard"] = "shard"
    dim: Annotated[int, Field(ge=-64, le=63)]


Placement = Annotated[Replicate | Shard, Field(discriminator="kind")]


class TensorPlacement(Frozen):
    """How a tensor is laid out over a multi-device mesh (`tensor_placement` in V2 traces)."""

    placements: tuple[Placement, ...]
    distribution_shape: tuple[PositiveDim, ...]
    mesh_device_shape: tuple[PositiveDim, ...]

    @property
    def num_devices(self) -> int:
        n = 1
        for d in self.mesh_device_shape:
            n *= d
        return n


class TensorSpec(Frozen):
    """shape is the logical shape. layout is None only where the trace did not record it
    (V1 graph-capture tensors without a page config): that is kept visible, never guessed."""

    shape: tuple[Dim, ...]
    dtype: DataType
    layout: Layout | None
    memory_config: MemoryConfig
    storage: StorageType = StorageType.DEVICE
    placement: TensorPlacement | None = None

    @model_validator(mode="after")
    def _recreatable(self) -> TensorSpec:
        mc = self.memory_config
        if mc.is_sharded and not mc.has_shard_spec:
            raise ValueError(
                f"tensor memory config is {mc.memory_layout.name} but has no shard spec; "
                "a sharded tensor cannot be recreated without one"
            )
        if len(self.shape) > 8:
            raise ValueError(f"tensor rank {len(self.shape)} exceeds ttnn's maximum of 8")
        return self

    @property
    def volume(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n
