"""The IR uses ttnn's enums from ttgen.facts (one definition, shared with the emulator)."""

from ttgen.facts.enums import (
    BufferType,
    DataType,
    Layout,
    ShardDistributionStrategy,
    ShardOrientation,
    StorageType,
    TensorMemoryLayout,
    member_repr,
    parse_member,
)

__all__ = [
    "BufferType",
    "DataType",
    "Layout",
    "ShardDistributionStrategy",
    "ShardOrientation",
    "StorageType",
    "TensorMemoryLayout",
    "member_repr",
    "parse_member",
]
