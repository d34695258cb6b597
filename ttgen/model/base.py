"""Common base for IR models: frozen, strict, no unknown fields."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

# Bounds keep absurd trace values (huge ints from a corrupted file) out of the IR: a dimension or
# coordinate outside them is a located rejection, not an overflow somewhere downstream.
MAX_DIM = 2**31 - 1
MAX_COORD = 4095

Dim = Annotated[int, Field(ge=0, le=MAX_DIM)]
PositiveDim = Annotated[int, Field(ge=1, le=MAX_DIM)]
Coord = Annotated[int, Field(ge=0, le=MAX_COORD)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)
