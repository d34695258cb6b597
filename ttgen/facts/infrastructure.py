"""Infrastructure calls: what moves, converts or frees tensors around the model's real ops. A
per-call trace records them like any op (a per-call trace of a model is half to_device calls),
but they are how inputs get made, not configurations to sweep, so compile excludes them and
counts them. The set is upstream's tracer's own exclusion list (upstream-trace-formats.md §1.3,
the dot-notation 2026 version)."""

from __future__ import annotations

INFRASTRUCTURE = frozenset(
    "ttnn." + name
    for name in (
        "allocate_tensor_on_device",
        "as_tensor",
        "complex_tensor",
        "composite_example",
        "composite_example_multiple_return",
        "copy_device_to_host_tensor",
        "copy_host_to_device_tensor",
        "deallocate",
        "dram_prefetcher",
        "dump_tensor",
        "from_device",
        "from_torch",
        "load_tensor",
        "move",
        "pearson_correlation_coefficient",
        "prim.binary",
        "prim.example",
        "prim.example_multiple_return",
        "reallocate",
        "to_device",
        "to_dtype",
        "to_layout",
        "to_memory_config",
        "to_torch",
        "unary_chain",
        "view",
    )
)


def is_infrastructure(op: str) -> bool:
    return op.replace("::", ".") in INFRASTRUCTURE
