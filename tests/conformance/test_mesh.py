"""Mesh cases: the emulator's mesh model against real ttnn's answers on mock T3K and 6U Galaxy
clusters (tests/conformance/fixtures/mesh_<section>.json, tools/record_conformance.sh ... mesh):
per-device output spec and topology, error or skip reason, case by case."""

from __future__ import annotations

import copy

import pytest

from tests.conftest import needs_shared
from ttgen.conformance import mesh
from ttgen.conformance.ops import judge

# Every mesh case emulated and agreeing with real ttnn: the traces' cases (output spec and
# topology), and each collective's neighbourhood (verdicts and messages of the refused ones).
MIN_EMULATED = {"t3k": 1.0, "galaxy": 1.0, "gpt_oss": 1.0, "t3k_variants": 1.0, "galaxy_variants": 1.0}
SECTIONS = [
    pytest.param("t3k"),
    pytest.param("galaxy"),
    pytest.param("gpt_oss", marks=needs_shared),  # the shared gpt-oss sweep trace (../shared)
    pytest.param("t3k_variants"),
    pytest.param("galaxy_variants"),
]


@pytest.fixture(scope="module")
def verdicts() -> dict[str, mesh.Verdict]:
    sections = tuple(s for s in mesh.SYSTEMS if mesh.inputs(s))
    return dict(zip(sections, mesh.compare_all(sections), strict=True))


@pytest.mark.parametrize("section", SECTIONS)
def test_emulated_mesh_cases_agree_with_ttnn(section: str, verdicts: dict[str, mesh.Verdict]) -> None:
    doc = mesh.load(section)
    verdict = verdicts[section]
    assert verdict.compared == len(doc["records"]) >= 130
    assert verdict.found == [], "\n".join(f"{d.case}: {d.detail}" for d in verdict.found[:20])
    emulated = verdict.compared - len(verdict.not_emulated)
    assert emulated >= MIN_EMULATED[section] * verdict.compared, verdict.not_emulated
    topologies = [r for r in doc["records"] if "placements=" in r.get("output_spec", "")]
    assert len(topologies) >= 120  # real ttnn answered with mesh outputs, topology included
    if section.endswith("_variants"):  # refusals compared by class and message, not only accepted configs
        assert sum("error" in r for r in doc["records"]) >= 200


def test_a_changed_topology_is_listed_by_case() -> None:
    doc = copy.deepcopy(mesh.load("t3k"))
    victim = next(r for r in doc["records"] if "placements=['Replicate', 'Replicate']" in r.get("output_spec", ""))
    victim["output_spec"] = victim["output_spec"].replace("['Replicate', 'Replicate']", "['Replicate', 'Shard(3)']")
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        packages = mesh.compile_inputs("t3k", Path(tmp))
        verdict = judge(doc, mesh.emulate("t3k", packages))
    assert [d.case for d in verdict.found] == [f"{victim['package']} {victim['op']} {victim['case']}"]


@needs_shared
def test_gpt_oss_answers_cover_every_case() -> None:
    doc = mesh.load("gpt_oss")
    assert len(doc["records"]) == 132 and all("output_spec" in r for r in doc["records"])
