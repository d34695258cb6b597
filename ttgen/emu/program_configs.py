"""The config classes traces carry (program, kernel, conv configs: ttgen.facts.classes) and the
activation inside them. The emulator records their fields; ttnn's kernels are what use them, so
only their construction is emulated."""

from __future__ import annotations

from typing import Any

from ttgen.facts.enums import UnaryOpType


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


class UnaryWithParam:
    """An activation fused into a program config: `UnaryWithParam(UnaryOpType.X[, param, ...])`."""

    def __init__(self, op_type: UnaryOpType, *params: float) -> None:
        self.op_type = op_type
        self.params = list(params)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UnaryWithParam) and (other.op_type, other.params) == (self.op_type, self.params)

    def __hash__(self) -> int:
        return hash((self.op_type, tuple(self.params)))

    def __repr__(self) -> str:
        params = f", params={self.params}" if self.params else ""
        return f"UnaryWithParam(op_type=UnaryOpType::{self.op_type.name}{params})"


class ChunkGdnFusedProgramConfig(_ProgramConfig):
    pass


class ChunkGdnPhasedProgramConfig(_ProgramConfig):
    pass


class Conv2dConfig(_ProgramConfig):
    pass


class Conv3dConfig(_ProgramConfig):
    pass


class IndexerScoreProgramConfig(_ProgramConfig):
    pass


class MatmulMultiCoreReuseMultiCastBatchedDRAMShardedProgramConfig(_ProgramConfig):
    pass


class McastConfig(_ProgramConfig):
    pass


class McastFixedSenderConfig(_ProgramConfig):
    pass


class McastRotatingSenderConfig(_ProgramConfig):
    pass


class MinimalMatmulConfig(_ProgramConfig):
    pass


class Op2DSliceConfig(_ProgramConfig):
    pass


class QkvCausalConv1dSiluProgramConfig(_ProgramConfig):
    pass


class SlidingWindowParallelConfig(_ProgramConfig):
    pass


# ttnn's aliases: the same classes under a second name
Conv1dConfig = Conv2dConfig
Conv2dSliceConfig = Op2DSliceConfig
