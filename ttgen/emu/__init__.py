"""A host emulator of the ttnn API that generated code and the examples use: ttnn's names,
constructors, enum members and printed forms. Standard library (and numpy) only; it never
imports the compiler side.

Operations that are not emulated still resolve (module `__getattr__`), so generated code for
any op imports and type-checks; calling one raises NotEmulatedError, which the runtime reports
as a skip with that reason.
"""

from __future__ import annotations

from typing import Any

from ttgen.emu.device import MeshDevice, close_device, open_device
from ttgen.emu.ops import (
    add,
    deallocate,
    exp,
    from_device,
    from_torch,
    gelu,
    layer_norm,
    linear,
    log,
    matmul,
    multiply,
    pad,
    permute,
    reciprocal,
    relu,
    reshape,
    rms_norm,
    rsqrt,
    sigmoid,
    sigmoid_accurate,
    silu,
    softmax,
    sqrt,
    subtract,
    to_device,
    to_layout,
    to_memory_config,
    to_torch,
    transpose,
    typecast,
    zeros,
)
from ttgen.emu.program_configs import (
    LayerNormDefaultProgramConfig,
    LayerNormShardedMultiCoreProgramConfig,
    MatmulMultiCoreReuseMultiCast1DProgramConfig,
    MatmulMultiCoreReuseMultiCastDRAMShardedProgramConfig,
    MatmulMultiCoreReuseMultiCastProgramConfig,
    MatmulMultiCoreReuseProgramConfig,
    SDPAProgramConfig,
    SoftmaxDefaultProgramConfig,
    SoftmaxShardedMultiCoreProgramConfig,
)
from ttgen.emu.tensor import Tensor
from ttgen.emu.types import (
    DRAM_MEMORY_CONFIG,
    L1_BLOCK_SHARDED_MEMORY_CONFIG,
    L1_HEIGHT_SHARDED_MEMORY_CONFIG,
    L1_MEMORY_CONFIG,
    L1_WIDTH_SHARDED_MEMORY_CONFIG,
    CoreCoord,
    CoreGrid,
    CoreRange,
    CoreRangeSet,
    MemoryConfig,
    MeshCoordinate,
    NdShardSpec,
    Shape,
    ShardSpec,
    WormholeComputeKernelConfig,
)
from ttgen.facts.devices import Arch
from ttgen.facts.enums import (
    BufferType,
    DataType,
    EmbeddingsType,
    GeluVariant,
    Layout,
    MathFidelity,
    ShardDistributionStrategy,
    ShardOrientation,
    SigmoidMode,
    StorageType,
    TensorMemoryLayout,
    ThrottleLevel,
    TileReshapeMapMode,
    Topology,
)

bfloat16 = DataType.BFLOAT16
float32 = DataType.FLOAT32
uint32 = DataType.UINT32
bfloat8_b = DataType.BFLOAT8_B
bfloat4_b = DataType.BFLOAT4_B
uint8 = DataType.UINT8
uint16 = DataType.UINT16
int32 = DataType.INT32
int8 = DataType.INT8
fp8_e4m3 = DataType.FP8_E4M3
ROW_MAJOR_LAYOUT = Layout.ROW_MAJOR
TILE_LAYOUT = Layout.TILE

Device = MeshDevice


class NotEmulatedError(NotImplementedError):
    """The emulator has no model of this operation."""


class _NotEmulated:
    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, name: str) -> _NotEmulated:
        if name.startswith("__"):
            raise AttributeError(name)
        return _NotEmulated(f"{self._name}.{name}")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise NotEmulatedError(f"{self._name} is not emulated")


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    return _NotEmulated(f"ttnn.{name}")


__all__ = [
    "DRAM_MEMORY_CONFIG",
    "L1_BLOCK_SHARDED_MEMORY_CONFIG",
    "L1_HEIGHT_SHARDED_MEMORY_CONFIG",
    "L1_MEMORY_CONFIG",
    "L1_WIDTH_SHARDED_MEMORY_CONFIG",
    "ROW_MAJOR_LAYOUT",
    "TILE_LAYOUT",
    "Arch",
    "BufferType",
    "CoreCoord",
    "CoreGrid",
    "CoreRange",
    "CoreRangeSet",
    "DataType",
    "Device",
    "EmbeddingsType",
    "GeluVariant",
    "LayerNormDefaultProgramConfig",
    "LayerNormShardedMultiCoreProgramConfig",
    "Layout",
    "MathFidelity",
    "MatmulMultiCoreReuseMultiCast1DProgramConfig",
    "MatmulMultiCoreReuseMultiCastDRAMShardedProgramConfig",
    "MatmulMultiCoreReuseMultiCastProgramConfig",
    "MatmulMultiCoreReuseProgramConfig",
    "MemoryConfig",
    "MeshCoordinate",
    "MeshDevice",
    "NdShardSpec",
    "NotEmulatedError",
    "SDPAProgramConfig",
    "Shape",
    "ShardDistributionStrategy",
    "ShardOrientation",
    "ShardSpec",
    "SigmoidMode",
    "SoftmaxDefaultProgramConfig",
    "SoftmaxShardedMultiCoreProgramConfig",
    "StorageType",
    "Tensor",
    "TensorMemoryLayout",
    "ThrottleLevel",
    "TileReshapeMapMode",
    "Topology",
    "WormholeComputeKernelConfig",
    "add",
    "bfloat4_b",
    "bfloat8_b",
    "bfloat16",
    "close_device",
    "deallocate",
    "exp",
    "float32",
    "fp8_e4m3",
    "from_device",
    "from_torch",
    "gelu",
    "int8",
    "int32",
    "layer_norm",
    "linear",
    "log",
    "matmul",
    "multiply",
    "open_device",
    "pad",
    "permute",
    "reciprocal",
    "relu",
    "reshape",
    "rms_norm",
    "rsqrt",
    "sigmoid",
    "sigmoid_accurate",
    "silu",
    "softmax",
    "sqrt",
    "subtract",
    "to_device",
    "to_layout",
    "to_memory_config",
    "to_torch",
    "transpose",
    "typecast",
    "uint8",
    "uint16",
    "uint32",
    "zeros",
]
