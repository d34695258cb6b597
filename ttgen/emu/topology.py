"""Mesh value types as ttnn 0.81.1 prints and compares them: MeshShape, the process-global fabric
setting, placements, mapper configs and tensor topologies (the label of a mesh tensor)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ttgen.emu.types import MeshCoordinate
from ttgen.facts.enums import TtnnEnum


def _fatal(message: str) -> RuntimeError:
    return RuntimeError(f"TT_FATAL @ ttgen.emu\ninfo:\n{message}")


class FabricConfig(TtnnEnum):
    """ttnn.FabricConfig, member values as the wheel numbers them."""

    DISABLED = 0
    FABRIC_1D_NEIGHBOR_EXCHANGE = 1
    FABRIC_1D = 2
    FABRIC_1D_RING = 3
    FABRIC_2D = 4
    FABRIC_2D_TORUS_X = 5
    FABRIC_2D_TORUS_Y = 6
    FABRIC_2D_TORUS_XY = 7
    CUSTOM = 8


_fabric = FabricConfig.DISABLED


def set_fabric_config(config: FabricConfig, *args: Any, **kwargs: Any) -> None:
    """Process-global, as in ttnn; a mesh reads it when it opens."""
    global _fabric
    if not isinstance(config, FabricConfig):
        raise TypeError("set_fabric_config(): incompatible function arguments.")
    _fabric = config


def fabric_config() -> FabricConfig:
    return _fabric


def _incompatible(name: str) -> TypeError:
    return TypeError(f"{name}(): incompatible function arguments.")


class MeshShape:
    """`MeshShape(r, c)`, `MeshShape(a, b, c)` or `MeshShape([dims])`; `MeshShape(8)` is a TypeError
    and equality with a tuple is too (nanobind's __eq__ takes a MeshShape only)."""

    __slots__ = ("_dims",)

    def __init__(self, *dims: Any) -> None:
        if len(dims) == 1 and not isinstance(dims[0], int):
            if not isinstance(dims[0], Iterable):
                raise _incompatible("__init__")
            dims = tuple(dims[0])
        elif len(dims) not in (2, 3):
            raise _incompatible("__init__")
        if any(not isinstance(d, int) or isinstance(d, bool) or d < 0 for d in dims):
            raise _incompatible("__init__")
        if not dims:
            raise _fatal("MeshShape cannot have 0 dimension.")
        self._dims = tuple(int(d) for d in dims)

    def dims(self) -> int:
        return len(self._dims)

    def mesh_size(self) -> int:
        return math.prod(self._dims)

    def __getitem__(self, i: int) -> int:
        if not -len(self._dims) <= i < len(self._dims):
            raise _fatal(f"ShapeBase[] index out of range. {i} not in [-{len(self._dims)}, {len(self._dims)})")
        return self._dims[i]

    def __iter__(self) -> Iterator[int]:
        return iter(self._dims)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MeshShape):
            raise _incompatible("__eq__")
        return self._dims == other._dims

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self._dims)

    def __repr__(self) -> str:
        return f"MeshShape([{', '.join(str(d) for d in self._dims)}])"


class PlacementShard:
    """Equality is identity, as on the wheel (probe: PlacementShard(1) == PlacementShard(1) is False)."""

    __slots__ = ("dim",)

    def __init__(self, dim: int, /) -> None:
        if not isinstance(dim, int):
            raise _incompatible("__init__")
        self.dim = dim

    def __repr__(self) -> str:
        return f"PlacementShard({self.dim})"


class PlacementReplicate:
    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlacementReplicate)

    def __hash__(self) -> int:
        return hash(PlacementReplicate)

    def __repr__(self) -> str:
        return "PlacementReplicate()"


Placement = PlacementShard | PlacementReplicate
Axis = int | None  # one placement, internally: the sharded tensor dim, None for Replicate


def placement_axes(placements: Sequence[Placement]) -> tuple[Axis, ...]:
    return tuple(p.dim if isinstance(p, PlacementShard) else None for p in placements)


def objects(axes: Sequence[Axis]) -> list[Placement]:
    return [PlacementReplicate() if a is None else PlacementShard(a) for a in axes]


class MeshMapperConfig:
    """`MeshMapperConfig(placements, mesh_shape_override=None)` or `(row_dim=, col_dim=, ...)`."""

    def __init__(
        self,
        placements: Sequence[Placement] | None = None,
        mesh_shape_override: MeshShape | None = None,
        mesh_offset_override: MeshCoordinate | None = None,
        *,
        row_dim: int | None = None,
        col_dim: int | None = None,
    ) -> None:
        if placements is None:
            placements = objects((row_dim, col_dim))
        self.placements = list(placements)
        self.mesh_shape_override = mesh_shape_override

    def __repr__(self) -> str:
        text = f"MeshMapperConfig(placements: [{', '.join(repr(p) for p in self.placements)}]"
        if self.mesh_shape_override is not None:
            text += f", mesh_shape_override={self.mesh_shape_override!r}"
        return text + ")"


@dataclass(frozen=True)
class Topology:
    """How a mesh tensor is laid out: one placement per distribution axis and the coordinates of
    the devices holding its shards, in shard order."""

    dist: tuple[int, ...]
    axes: tuple[Axis, ...]
    coords: tuple[tuple[int, ...], ...]

    @property
    def collapsed(self) -> bool:
        return len(self.dist) == 1 and len(self.axes) == 1


def coords_for(dist: Sequence[int], mesh: Sequence[int]) -> tuple[tuple[int, ...], ...]:
    """The devices a distribution covers: its own range when it has the mesh's rank and fits,
    else the first devices of the mesh in row-major order."""
    if len(dist) == len(mesh) and all(d <= m for d, m in zip(dist, mesh, strict=True)):
        return tuple(np.ndindex(*dist))
    return tuple(np.ndindex(*mesh))[: math.prod(dist)]


class TensorTopology:
    """What `Tensor.tensor_topology()` returns."""

    def __init__(self, topology: Topology) -> None:
        self._t = topology

    def placements(self) -> list[Placement]:
        return objects(self._t.axes)

    def distribution_shape(self) -> MeshShape:
        return MeshShape(list(self._t.dist))

    def mesh_coords(self) -> list[MeshCoordinate]:
        return [MeshCoordinate(c) for c in self._t.coords]

    def __repr__(self) -> str:
        coords = ", ".join(repr(c) for c in self.mesh_coords())
        placements = ", ".join(repr(p) for p in self.placements())
        return (
            f"TensorTopology(distribution_shape={self.distribution_shape()!r}, "
            f"placements=SmallVector([{placements}]), mesh_coords={coords})"
        )
