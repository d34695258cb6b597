"""`ttnn.transformer`: scaled_dot_product_attention (ttgen.emu.data_ops) and
paged_scaled_dot_product_attention_decode (ttgen.emu.decode); any other name resolves to an
operation that raises NotEmulatedError, as at the top level."""

from __future__ import annotations

from typing import Any

from ttgen.emu.data_ops import scaled_dot_product_attention as scaled_dot_product_attention
from ttgen.emu.decode import (
    paged_scaled_dot_product_attention_decode as paged_scaled_dot_product_attention_decode,
)


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    from ttgen.emu import _NotEmulated

    return _NotEmulated(f"ttnn.transformer.{name}")
