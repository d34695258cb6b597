"""A traced tensor: everything needed to recreate it, nothing about its values."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from ttgen.model.base import Dim, Frozen, PositiveDim
from ttgen.model.enums import DataType, Layout, StorageType
from ttgen.model.memory import MemoryConfig


def _prod(dims: tuple[int, ...]) -> int:
    n = 1
    for d in dims:
        n *= d
    return n


class Replicate(Frozen):
    kind: Literal["replicate"] = "replicate"


class Shard(Frozen):
    kind: Literal["shard"] = "shard"
    dim: Annotated[int, Field(ge=-64, le=63)]


Placement = Annotated[Replicate | Shard, Field(discriminator="kind")]


class TensorPlacement(Frozen):
    """How a tensor is laid out over a multi-device mesh (`tensor_placement` in V2 traces)."""

    placements: Annotated[tuple[Placement, ...], Field(min_length=1, max_length=8)]
    distribution_shape: Annotated[tuple[PositiveDim, ...], Field(min_length=1, max_length=8)]
    mesh_device_shape: Annotated[tuple[PositiveDim, ...], Field(min_length=1, max_length=8)]

    @model_validator(mode="after")
    def _consistent(self) -> TensorPlacement:
        """One placement per distribution axis, and the distribution covers the mesh's devices
        (a 1-D distribution `[32]` over a 4x8 mesh is how ttnn flattens a mesh)."""
        if len(self.placements) != len(self.distribution_shape):
            raise ValueError(f"{len(self.placements)} placement(s) for a {len(self.distribution_shape)}-D distribution")
        if _prod(self.distribution_shape) != _prod(self.mesh_device_shape):
            raise ValueError(
                f"distribution {list(self.distribution_shape)} does not cover mesh {list(self.mesh_device_shape)}"
            )
        return self

    @property
    def num_devices(self) -> int:
        return _prod(self.mesh_device_shape)

    def global_shape(self, per_device: tuple[int, ...]) -> tuple[int, ...]:
        """The host tensor's shape before distribution: the traced (per-device) shape times the
        distribution's size on each mesh axis that shards a dim (axes may shard the same dim)."""
        out = list(per_device)
        for p, size in zip(self.placements, self.distribution_shape, strict=True):
            if isinstance(p, Shard):
                out[p.dim % len(out)] *= size
        return tuple(out)


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
        if self.dtype is DataType.INVALID or self.layout is Layout.INVALID:
            raise ValueError("tensor dtype/layout INVALID is ttnn's placeholder, not a real tensor")
        mc = self.memory_config
        if mc.is_sharded and not mc.has_shard_spec:
            raise ValueError(
                f"tensor memory config is {mc.memory_layout.name} but has no shard spec; "
                "a sharded tensor cannot be recreated without one"
            )
        if len(self.shape) > 8:
            raise ValueError(f"tensor rank {len(self.shape)} exceeds ttnn's maximum of 8")
        if self.placement is not None:
            rank = len(self.shape)
            for p in self.placement.placements:
                if isinstance(p, Shard) and not -rank <= p.dim < rank:
                    raise ValueError(f"placement Shard({p.dim}) is outside the tensor's {rank} dims")
        return self
