"""The device the examples run on: one per session, on the selected backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ttgen.runtime import ttnn


@pytest.fixture(scope="session")
def device() -> Iterator[ttnn.MeshDevice]:
    opened = ttnn.open_device(device_id=0)
    yield opened
    ttnn.close_device(opened)
