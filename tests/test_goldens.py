"""The golden map names real references, each computing what ttnn's golden computes."""

from __future__ import annotations

import json

import pytest
import torch

from tests.conftest import ROOT, SEED_MASTER
from ttgen.goldens import GOLDENS
from ttgen.signatures.catalog import load_catalog

MAP = json.loads((ROOT / "ttgen" / "sweeps_src" / "goldens.json").read_text())["goldens"]
SECTION_4 = [
    "ttnn.add", "ttnn.subtract", "ttnn.multiply", "ttnn.relu", "ttnn.gelu", "ttnn.sigmoid", "ttnn.sigmoid_accurate",
    "ttnn.silu", "ttnn.exp", "ttnn.softmax", "ttnn.layer_norm", "ttnn.rms_norm", "ttnn.matmul", "ttnn.linear",
    "ttnn.conv2d", "ttnn.transpose", "ttnn.permute", "ttnn.reshape", "ttnn.concat", "ttnn.embedding",
    "ttnn.typecast", "ttnn.to_memory_config", "ttnn.to_layout", "ttnn.clone", "ttnn.to_device",
    "ttnn.from_device", "ttnn.sum", "ttnn.mean", "ttnn.max",
]  # fmt: skip


def test_map_covers_reference_section_4_and_the_embedded_master() -> None:
    embedded = set(json.loads(SEED_MASTER.read_text())["operations"])
    assert set(SECTION_4) | embedded <= set(MAP)
    assert set(MAP.values()) <= set(GOLDENS)
    catalog = load_catalog()
    assert all(catalog.get(op) is not None for op in MAP)


def x(*shape: int) -> torch.Tensor:
    return torch.arange(1, 1 + int(torch.tensor(shape).prod())).reshape(shape).float() / 10


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("add", {"input_tensor_a": x(2, 3), "input_tensor_b": 1.0}, x(2, 3) + 1),
        ("multiply", {"input_tensor_a": x(2, 3), "input_tensor_b": x(1, 3)}, x(2, 3) * x(1, 3)),
        ("softmax", {"input_tensor": x(2, 3), "dim": -1}, torch.softmax(x(2, 3), -1)),
        ("matmul", {"input_tensor_a": x(2, 3), "input_tensor_b": x(3, 4)}, x(2, 3) @ x(3, 4)),
        ("matmul", {"input_tensor_a": x(3, 2), "input_tensor_b": x(3, 4), "transpose_a": True}, x(3, 2).T @ x(3, 4)),
        ("permute", {"input_tensor": x(1, 2, 3, 4), "dims": (0, 2, 1, 3)}, x(1, 2, 3, 4).permute(0, 2, 1, 3)),
        ("reshape", {"input_tensor": x(1, 1, 4, 6), "shape": (1, 2, 2, 6)}, x(1, 1, 4, 6).reshape(1, 2, 2, 6)),
        ("sum", {"input_tensor": x(2, 3), "dim": -1, "keepdim": True}, x(2, 3).sum(-1, keepdim=True)),
        ("max", {"input_tensor": x(2, 3)}, x(2, 3).max()),
        ("identity", {"input_tensor": x(2, 2)}, x(2, 2)),
    ],
)
def test_goldens_compute_the_reference(name: str, args: dict[str, object], expected: torch.Tensor) -> None:
    assert torch.allclose(GOLDENS[name](args), expected)


def test_layer_norm_matches_torch_with_a_tile_shaped_weight() -> None:
    inp, weight = x(1, 1, 32, 8), x(1, 1, 1, 8)
    got = GOLDENS["layer_norm"]({"input_tensor": inp, "weight": weight, "epsilon": 1e-5})
    assert torch.allclose(got, torch.nn.functional.layer_norm(inp, (8,), weight.reshape(8), eps=1e-5))
