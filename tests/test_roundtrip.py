"""IR → canonical master JSON → IR is the identity, on every fixture; config_hash is upstream's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SEED_MASTER, UPSTREAM, fixture_id, fixture_inputs, needs_shared
from ttgen.ingest import ingest_document, ingest_path
from ttgen.ingest.jsonload import parse_json_text
from ttgen.model.serialize import (
    arguments_to_json,
    compute_config_hash,
    dumps_master,
    upstream_config_hash,
)


def roundtrip(path: Path) -> None:
    master = ingest_path(path).master()
    text = dumps_master(master)
    again = ingest_document(parse_json_text(text, "canonical"), "canonical")
    assert again.rejections == []
    assert again.master() == master
    assert dumps_master(again.master()) == text  # and the text is a fixed point


@needs_shared
@pytest.mark.parametrize("path", fixture_inputs(), ids=fixture_id)
def test_roundtrip_fixture(path: Path) -> None:
    roundtrip(path)


def test_roundtrip_embedded_master() -> None:
    roundtrip(SEED_MASTER)
    assert dumps_master(ingest_path(SEED_MASTER).master()) == SEED_MASTER.read_text()


@needs_shared
def test_every_stored_config_hash_follows_upstreams_algorithm() -> None:
    """Each stored hash is reproduced by upstream's algorithm: the older masters by its raw form,
    newer ones (gpt-oss sweep trace) by its normalized form. None is left unexplained."""
    raw_matches = normalized_matches = 0
    for name in ("sweep_trace_gpt_oss.json", "ttnn_master_v2_verbatim_excerpts.json"):
        doc = json.loads((UPSTREAM / name).read_text())
        for op, entry in doc["operations"].items():
            for c in entry["configurations"]:
                mi = c["executions"][0].get("machine_info")
                raw = upstream_config_hash(op, c["arguments"], mi, normalize=False)
                norm = upstream_config_hash(op, c["arguments"], mi, normalize=True)
                assert c["config_hash"] in (raw, norm), f"{name} {op} #{c.get('config_id')}"
                raw_matches += c["config_hash"] == raw
                normalized_matches += c["config_hash"] == norm
    assert (raw_matches, normalized_matches) == (6, 137)


@needs_shared
def test_computed_hash_equals_upstreams_normalized_hash_of_the_same_call() -> None:
    """ttgen's canonical arguments hash like upstream's own serialization, except where upstream
    hashes a program config's printed text that ttgen keeps structured (SDPA program configs)."""
    differing = []
    for name in ("sweep_trace_gpt_oss.json", "ttnn_master_v2_verbatim_excerpts.json"):
        doc = json.loads((UPSTREAM / name).read_text())
        configs = {c.config.config_hash: c.config for c in ingest_path(UPSTREAM / name).configs}
        for op, entry in doc["operations"].items():
            for c in entry["configurations"]:
                ir = configs[c["config_hash"]]
                mi = c["executions"][0].get("machine_info")
                ours = compute_config_hash(op, arguments_to_json(ir), ir.executions)
                if ours != upstream_config_hash(op, c["arguments"], mi, normalize=True):
                    differing.append((op, "program_config" in c["arguments"]))
    assert len(differing) == 4
    assert all(op.startswith("ttnn.transformer.") and has_pc for op, has_pc in differing)
