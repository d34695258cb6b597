"""Program configs that traces carry (matmul, SDPA, layer norm, softmax). The emulator records
their fields; ttnn's kernels are what use them, so only their construction is emulated."""

from __future__ import annotations

from typing import Any


class _ProgramConfig:
    """Keyword-constructed, as ttnn's program configs are; fields readable as attributes."""

    def __init__(self, **fields: Any) -> None:
        self._fields = dict(sorted(fields.items()))
        for name, value in self._fields.items():
            setattr(self, name, value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ProgramConfig) and type(other) is type(self) and self._fields == other._fields

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(self._fields)))

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self._fields.items())
        return f"{type(self).__name__}({inner})"


class SDPAProgramConfig(_ProgramConfig):
    pass


class MatmulMultiCoreReuseProgramConfig(_ProgramConfig):
    pass


class MatmulMultiCoreReuseMultiCastProgramConfig(_ProgramConfig):
    pass


class MatmulMultiCoreReuseMultiCast1DProgramConfig(_ProgramConfig):
    pass


class MatmulMultiCoreReuseMultiCastDRAMShardedProgramConfig(_ProgramConfig):
    pass


class LayerNormDefaultProgramConfig(_ProgramConfig):
    pass


class LayerNormShardedMultiCoreProgramConfig(_ProgramConfig):
    pass


class SoftmaxDefaultProgramConfig(_ProgramConfig):
    pass


class SoftmaxShardedMultiCoreProgramConfig(_ProgramConfig):
    pass
