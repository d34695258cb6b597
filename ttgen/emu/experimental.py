"""`ttnn.experimental`: the collectives the emulator models (ttgen.emu.ccl) and the nlp heads ops
(ttgen.emu.data_ops); any other name resolves to an operation that raises NotEmulatedError, as
at the top level."""

from __future__ import annotations

from typing import Any

from ttgen.emu.ccl import all_gather_async as all_gather_async
from ttgen.emu.ccl import all_reduce_async as all_reduce_async
from ttgen.emu.ccl import reduce_scatter_minimal_async as reduce_scatter_minimal_async
from ttgen.emu.data_ops import nlp_concat_heads as nlp_concat_heads
from ttgen.emu.data_ops import nlp_create_qkv_heads as nlp_create_qkv_heads


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    from ttgen.emu import _NotEmulated

    return _NotEmulated(f"ttnn.experimental.{name}")
