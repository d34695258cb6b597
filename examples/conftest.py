"""The devices the examples run on, on the selected backend: one chip, or the 2x4 mesh of the
tensor-parallel examples (opened with a fabric, as ttgen's generated tests open meshes). One is
open at a time (a mesh holds the chips a single device would use): they share one opener."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from examples.tensor_parallel import MESH
from ttgen.runtime import ttnn
from ttgen.runtime.devices import Devices
from ttgen.runtime.outcome import SkipCase


@pytest.fixture(scope="session")
def devices() -> Iterator[Devices]:
    opened = Devices()
    yield opened
    opened.close()


@pytest.fixture
def device(devices: Devices) -> ttnn.MeshDevice:
    opened: ttnn.MeshDevice = devices.get()
    return opened


@pytest.fixture
def mesh(devices: Devices) -> ttnn.MeshDevice:
    try:
        opened: ttnn.MeshDevice = devices.get(mesh=MESH)
    except SkipCase as e:  # this machine cannot open a 2x4 mesh: say so, never run on fewer devices
        pytest.skip(e.reason)
    return opened
