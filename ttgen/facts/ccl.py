"""Collective (CCL) facts of ttnn 0.81.1 that traces do not carry.

Upstream's V2 tracer drops the global semaphores async CCLs take (they print only as an
address), so a traced all_gather_async lacks a required argument. How many each parameter
takes is fixed by the op (real ttnn on mock meshes refuses any other count): a replay makes
that many fresh ones on the case's mesh.
"""

from __future__ import annotations

from typing import Final

SEMAPHORE_COUNTS: Final[dict[tuple[str, str], int]] = {
    ("ttnn.experimental.all_gather_async", "multi_device_global_semaphore"): 2,
    ("ttnn.experimental.reduce_scatter_minimal_async", "multi_device_global_semaphore"): 3,
    ("ttnn.experimental.all_reduce_async", "barrier_semaphores"): 2,
    ("ttnn.experimental.all_reduce_async", "rs_global_semaphores"): 3,
    ("ttnn.experimental.all_reduce_async", "ag_global_semaphores"): 2,
}

SEMAPHORE_CLASS: Final = "global_semaphore"  # ttnn._ttnn.global_semaphore.global_semaphore
SEMAPHORE_PYTHON_TYPE: Final = "ttnn._ttnn.global_semaphore.global_semaphore"
# nanobind's variant of one semaphore or a list of them (ccl_experimental.GlobalSemaphoreArg)
SEMAPHORE_ARG: Final = "GlobalSemaphoreArg"
