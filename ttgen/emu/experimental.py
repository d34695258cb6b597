"""`ttnn.experimental`: the collectives the emulator models (ttgen.emu.ccl, ccl_fused) and the nlp heads ops
(ttgen.emu.data_ops); any other name resolves to an operation that raises NotEmulatedError, as
at the top level."""

from __future__ import annotations

from typing import Any

from ttgen.emu.ccl import all_gather_async as all_gather_async
from ttgen.emu.ccl import all_reduce_async as all_reduce_async
from ttgen.emu.ccl import reduce_scatter_minimal_async as reduce_scatter_minimal_async
from ttgen.emu.ccl_fused import all_gather_matmul_async as all_gather_matmul_async
from ttgen.emu.ccl_fused import (
    reduce_scatter_minimal_async_create_intermediate_buffer as reduce_scatter_minimal_async_create_intermediate_buffer,
)
from ttgen.emu.data_ops import nlp_concat_heads as nlp_concat_heads
from ttgen.emu.data_ops import nlp_create_qkv_heads as nlp_create_qkv_heads


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    from ttgen.emu import _NotEmulated

    return _NotEmulated(f"ttnn.experimental.{name}")


# the decode / KV-cache ops (ttgen.emu.decode)
from ttgen.emu.decode import fast_reduce_nc as fast_reduce_nc  # noqa: E402
from ttgen.emu.decode import nlp_concat_heads_decode as nlp_concat_heads_decode  # noqa: E402
from ttgen.emu.decode import nlp_create_qkv_heads_decode as nlp_create_qkv_heads_decode  # noqa: E402
from ttgen.emu.decode import paged_fill_cache as paged_fill_cache  # noqa: E402
from ttgen.emu.decode import paged_update_cache as paged_update_cache  # noqa: E402
from ttgen.emu.decode import rotary_embedding_llama as rotary_embedding_llama  # noqa: E402
