"""Compute kernel configs as upstream's serializer (models.common) writes them: no class name,
enum fields as `Type.Member` strings, math_approx_mode as the string "True"/"False", the other
flags as JSON booleans. ttnn's Python class for them, on Wormhole and Blackhole alike, is
WormholeComputeKernelConfig."""

from __future__ import annotations

CLASS = "WormholeComputeKernelConfig"
ENUM_FIELDS = {"math_fidelity": "MathFidelity", "throttle_level": "ThrottleLevel"}
STRINGIFIED_BOOLS = frozenset({"math_approx_mode"})
FIELDS = frozenset({*ENUM_FIELDS, *STRINGIFIED_BOOLS, "fp32_dest_acc_en", "packer_l1_acc", "dst_full_sync_en"})
REQUIRED = frozenset({"math_fidelity"})  # what marks a class-less dict as one
