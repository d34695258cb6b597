"""A host emulator of the ttnn API that generated code and the examples use: ttnn's names,
constructors, enum members and printed forms. Standard library (and numpy) only; it never
imports the compiler side.

Its names are what it defines and re-exports (`import X as X`); facts/api.py declares the ones
generated code may spell, and tests/test_layers.py checks the emulator provides them.
Operations that are not emulated still resolve (module `__getattr__`), so generated code for
any op imports and type-checks; calling one raises NotEmulatedError, which the runtime reports
as a skip with that reason.
"""

from __future__ import annotations

from typing import Any

from ttgen.emu import data_ops as _data_ops
from ttgen.emu import experimental as experimental
from ttgen.emu import transformer as transformer
from ttgen.emu.ccl import all_gather as all_gather
from ttgen.emu.ccl import all_reduce as all_reduce
from ttgen.emu.ccl import mesh_partition as mesh_partition
from ttgen.emu.ccl import reduce_scatter as reduce_scatter
from ttgen.emu.ccl_broadcast import all_broadcast as all_broadcast
from ttgen.emu.ccl_broadcast import broadcast as broadcast
from ttgen.emu.ccl_moe import all_to_all_combine as all_to_all_combine
from ttgen.emu.ccl_moe import all_to_all_dispatch as all_to_all_dispatch
from ttgen.emu.data_ops import argmax as argmax
from ttgen.emu.data_ops import concat as concat
from ttgen.emu.data_ops import embedding as embedding
from ttgen.emu.data_ops import layer_norm_post_all_gather as layer_norm_post_all_gather
from ttgen.emu.data_ops import layer_norm_pre_all_gather as layer_norm_pre_all_gather
from ttgen.emu.data_ops import repeat as repeat
from ttgen.emu.data_ops import rms_norm_post_all_gather as rms_norm_post_all_gather
from ttgen.emu.data_ops import rms_norm_pre_all_gather as rms_norm_pre_all_gather
from ttgen.emu.data_ops import topk as topk
from ttgen.emu.device import MeshDevice as MeshDevice
from ttgen.emu.device import close_device as close_device
from ttgen.emu.device import close_mesh_device as close_mesh_device
from ttgen.emu.device import create_global_semaphore as create_global_semaphore
from ttgen.emu.device import get_num_devices as get_num_devices
from ttgen.emu.device import open_device as open_device
from ttgen.emu.device import open_mesh_device as open_mesh_device
from ttgen.emu.mesh import ConcatMesh2dToTensor as ConcatMesh2dToTensor
from ttgen.emu.mesh import ConcatMeshToTensor as ConcatMeshToTensor
from ttgen.emu.mesh import ShardTensor2dMesh as ShardTensor2dMesh
from ttgen.emu.mesh import ShardTensorToMesh as ShardTensorToMesh
from ttgen.emu.mesh import aggregate_tensor as aggregate_tensor
from ttgen.emu.mesh import create_mesh_mapper as create_mesh_mapper
from ttgen.emu.mesh import get_device_tensors as get_device_tensors
from ttgen.emu.mesh import replicate_tensor_to_mesh_mapper as replicate_tensor_to_mesh_mapper
from ttgen.emu.ops import (
    add as add,
)
from ttgen.emu.ops import (
    deallocate as deallocate,
)
from ttgen.emu.ops import (
    exp as exp,
)
from ttgen.emu.ops import (
    from_device as from_device,
)
from ttgen.emu.ops import (
    from_torch as from_torch,
)
from ttgen.emu.ops import (
    gelu as gelu,
)
from ttgen.emu.ops import (
    layer_norm as layer_norm,
)
from ttgen.emu.ops import (
    linear as linear,
)
from ttgen.emu.ops import (
    log as log,
)
from ttgen.emu.ops import (
    matmul as matmul,
)
from ttgen.emu.ops import (
    multiply as multiply,
)
from ttgen.emu.ops import (
    pad as pad,
)
from ttgen.emu.ops import (
    permute as permute,
)
from ttgen.emu.ops import (
    reciprocal as reciprocal,
)
from ttgen.emu.ops import (
    relu as relu,
)
from ttgen.emu.ops import (
    rms_norm as rms_norm,
)
from ttgen.emu.ops import (
    rsqrt as rsqrt,
)
from ttgen.emu.ops import (
    sigmoid as sigmoid,
)
from ttgen.emu.ops import (
    sigmoid_accurate as sigmoid_accurate,
)
from ttgen.emu.ops import (
    silu as silu,
)
from ttgen.emu.ops import (
    softmax as softmax,
)
from ttgen.emu.ops import (
    sqrt as sqrt,
)
from ttgen.emu.ops import (
    subtract as subtract,
)
from ttgen.emu.ops import (
    to_device as to_device,
)
from ttgen.emu.ops import (
    to_layout as to_layout,
)
from ttgen.emu.ops import (
    to_memory_config as to_memory_config,
)
from ttgen.emu.ops import (
    to_torch as to_torch,
)
from ttgen.emu.ops import (
    transpose as transpose,
)
from ttgen.emu.ops import (
    typecast as typecast,
)
from ttgen.emu.ops import (
    zeros as zeros,
)
from ttgen.emu.program_configs import (
    ChunkGdnFusedProgramConfig as ChunkGdnFusedProgramConfig,
)
from ttgen.emu.program_configs import (
    ChunkGdnPhasedProgramConfig as ChunkGdnPhasedProgramConfig,
)
from ttgen.emu.program_configs import (
    Conv1dConfig as Conv1dConfig,
)
from ttgen.emu.program_configs import (
    Conv2dConfig as Conv2dConfig,
)
from ttgen.emu.program_configs import (
    Conv2dSliceConfig as Conv2dSliceConfig,
)
from ttgen.emu.program_configs import (
    Conv3dConfig as Conv3dConfig,
)
from ttgen.emu.program_configs import (
    IndexerScoreProgramConfig as IndexerScoreProgramConfig,
)
from ttgen.emu.program_configs import (
    LayerNormDefaultProgramConfig as LayerNormDefaultProgramConfig,
)
from ttgen.emu.program_configs import (
    LayerNormShardedMultiCoreProgramConfig as LayerNormShardedMultiCoreProgramConfig,
)
from ttgen.emu.program_configs import (
    MatmulMultiCoreReuseMultiCast1DProgramConfig as MatmulMultiCoreReuseMultiCast1DProgramConfig,
)
from ttgen.emu.program_configs import (
    MatmulMultiCoreReuseMultiCastBatchedDRAMShardedProgramConfig as MatmulMultiCoreReuseMultiCastBatchedDRAMShardedProgramConfig,  # noqa: E501
)
from ttgen.emu.program_configs import (
    MatmulMultiCoreReuseMultiCastDRAMShardedProgramConfig as MatmulMultiCoreReuseMultiCastDRAMShardedProgramConfig,
)
from ttgen.emu.program_configs import (
    MatmulMultiCoreReuseMultiCastProgramConfig as MatmulMultiCoreReuseMultiCastProgramConfig,
)
from ttgen.emu.program_configs import (
    MatmulMultiCoreReuseProgramConfig as MatmulMultiCoreReuseProgramConfig,
)
from ttgen.emu.program_configs import (
    McastConfig as McastConfig,
)
from ttgen.emu.program_configs import (
    McastFixedSenderConfig as McastFixedSenderConfig,
)
from ttgen.emu.program_configs import (
    McastRotatingSenderConfig as McastRotatingSenderConfig,
)
from ttgen.emu.program_configs import (
    MinimalMatmulConfig as MinimalMatmulConfig,
)
from ttgen.emu.program_configs import (
    Op2DSliceConfig as Op2DSliceConfig,
)
from ttgen.emu.program_configs import (
    QkvCausalConv1dSiluProgramConfig as QkvCausalConv1dSiluProgramConfig,
)
from ttgen.emu.program_configs import (
    SDPAProgramConfig as SDPAProgramConfig,
)
from ttgen.emu.program_configs import (
    SlidingWindowParallelConfig as SlidingWindowParallelConfig,
)
from ttgen.emu.program_configs import (
    SoftmaxDefaultProgramConfig as SoftmaxDefaultProgramConfig,
)
from ttgen.emu.program_configs import (
    SoftmaxShardedMultiCoreProgramConfig as SoftmaxShardedMultiCoreProgramConfig,
)
from ttgen.emu.program_configs import (
    UnaryWithParam as UnaryWithParam,
)
from ttgen.emu.shape_ops import clamp as clamp
from ttgen.emu.shape_ops import empty_like as empty_like
from ttgen.emu.shape_ops import full_like as full_like
from ttgen.emu.shape_ops import interleaved_to_sharded as interleaved_to_sharded
from ttgen.emu.shape_ops import ones_like as ones_like
from ttgen.emu.shape_ops import plus_one as plus_one
from ttgen.emu.shape_ops import reshape as reshape
from ttgen.emu.shape_ops import scatter as scatter
from ttgen.emu.shape_ops import tilize as tilize
from ttgen.emu.shape_ops import tilize_with_val_padding as tilize_with_val_padding
from ttgen.emu.shape_ops import tilize_with_zero_padding as tilize_with_zero_padding
from ttgen.emu.shape_ops import unsqueeze as unsqueeze
from ttgen.emu.shape_ops import unsqueeze_to_4D as unsqueeze_to_4D
from ttgen.emu.shape_ops import untilize as untilize
from ttgen.emu.shape_ops import untilize_with_unpadding as untilize_with_unpadding
from ttgen.emu.shape_ops import zeros_like as zeros_like
from ttgen.emu.tensor import Tensor as Tensor
from ttgen.emu.topology import FabricConfig as FabricConfig
from ttgen.emu.topology import MeshMapperConfig as MeshMapperConfig
from ttgen.emu.topology import MeshShape as MeshShape
from ttgen.emu.topology import PlacementReplicate as PlacementReplicate
from ttgen.emu.topology import PlacementShard as PlacementShard
from ttgen.emu.topology import set_fabric_config as set_fabric_config
from ttgen.emu.types import (
    DRAM_MEMORY_CONFIG as DRAM_MEMORY_CONFIG,
)
from ttgen.emu.types import (
    L1_BLOCK_SHARDED_MEMORY_CONFIG as L1_BLOCK_SHARDED_MEMORY_CONFIG,
)
from ttgen.emu.types import (
    L1_HEIGHT_SHARDED_MEMORY_CONFIG as L1_HEIGHT_SHARDED_MEMORY_CONFIG,
)
from ttgen.emu.types import (
    L1_MEMORY_CONFIG as L1_MEMORY_CONFIG,
)
from ttgen.emu.types import (
    L1_WIDTH_SHARDED_MEMORY_CONFIG as L1_WIDTH_SHARDED_MEMORY_CONFIG,
)
from ttgen.emu.types import (
    CoreCoord as CoreCoord,
)
from ttgen.emu.types import (
    CoreGrid as CoreGrid,
)
from ttgen.emu.types import (
    CoreRange as CoreRange,
)
from ttgen.emu.types import (
    CoreRangeSet as CoreRangeSet,
)
from ttgen.emu.types import (
    MemoryConfig as MemoryConfig,
)
from ttgen.emu.types import (
    MeshCoordinate as MeshCoordinate,
)
from ttgen.emu.types import (
    NdShardSpec as NdShardSpec,
)
from ttgen.emu.types import (
    Shape as Shape,
)
from ttgen.emu.types import (
    ShardSpec as ShardSpec,
)
from ttgen.emu.types import (
    WormholeComputeKernelConfig as WormholeComputeKernelConfig,
)
from ttgen.facts.devices import Arch as Arch
from ttgen.facts.enums import (
    BufferType as BufferType,
)
from ttgen.facts.enums import (
    DataType as DataType,
)
from ttgen.facts.enums import (
    EmbeddingsType as EmbeddingsType,
)
from ttgen.facts.enums import (
    GeluVariant as GeluVariant,
)
from ttgen.facts.enums import (
    Layout as Layout,
)
from ttgen.facts.enums import (
    MathFidelity as MathFidelity,
)
from ttgen.facts.enums import (
    PaddingMode as PaddingMode,
)
from ttgen.facts.enums import (
    ReduceType as ReduceType,
)
from ttgen.facts.enums import (
    ShardDistributionStrategy as ShardDistributionStrategy,
)
from ttgen.facts.enums import (
    ShardOrientation as ShardOrientation,
)
from ttgen.facts.enums import (
    SigmoidMode as SigmoidMode,
)
from ttgen.facts.enums import (
    StorageType as StorageType,
)
from ttgen.facts.enums import (
    TensorMemoryLayout as TensorMemoryLayout,
)
from ttgen.facts.enums import (
    ThrottleLevel as ThrottleLevel,
)
from ttgen.facts.enums import (
    TileReshapeMapMode as TileReshapeMapMode,
)
from ttgen.facts.enums import (
    Topology as Topology,
)
from ttgen.facts.enums import (
    UnaryOpType as UnaryOpType,
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


slice = _data_ops.slice_  # ttnn's names, builtins' too: data_ops keeps them distinct
sum = _data_ops.sum_


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
