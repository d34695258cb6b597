"""`ttgen conformance` as data: per section, what was compared, how much agrees, and each
disagreement by case (op sections also list the cases not emulated and ttnn's answers by kind)."""

from __future__ import annotations

from dataclasses import dataclass, field

ARCHS = ("wormhole_b0", "blackhole")
TITLES = {
    "roundtrips": "host dtype round trips (bit-exact)",
    "placements_wormhole_b0": "tensor placements on Wormhole N150 (verdict, error class and message, spec)",
    "placements_blackhole": "tensor placements on Blackhole P150 (verdict, error class and message, spec)",
    "op_outputs_wormhole_b0": "generated cases on Wormhole N150 (output spec, error or skip reason)",
    "op_outputs_blackhole": "generated cases on Blackhole P150 (output spec, error or skip reason)",
    "mesh_t3k": "mesh cases on a T3K (2x4, 1x8, 1x4): per-device output spec and topology, error or skip",
    "mesh_galaxy": "mesh cases on a 6U Galaxy (4x8, 1x8): per-device output spec and topology, error or skip",
    "mesh_gpt_oss": "gpt-oss sweep trace on a 6U Galaxy (4x8, 1x32): per-device output spec and topology, or error",
    "mesh_t3k_variants": "T3K collectives, one argument changed at a time: verdict and message, or spec",
    "mesh_galaxy_variants": "Galaxy collectives, one argument changed at a time: verdict and message, or spec",
}


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    compared: int
    disagreements: tuple[tuple[str, str], ...]  # (case, detail)
    not_emulated: tuple[str, ...] | None = None  # op sections only
    ttnn_answers: dict[str, int] | None = field(default=None)  # op sections only: answer kind → count

    @property
    def agree(self) -> int:
        return self.compared - len(self.disagreements)

    @property
    def title(self) -> str:
        return TITLES[self.name]

    def document(self) -> dict[str, object]:
        doc: dict[str, object] = {
            "compared": self.compared,
            "agree": self.agree,
            "disagreements": [{"case": c, "detail": d} for c, d in self.disagreements],
        }
        if self.not_emulated is not None:
            doc["not_emulated"] = list(self.not_emulated)
        if self.ttnn_answers is not None:
            doc["ttnn_answers"] = self.ttnn_answers
        return doc


def conformance_report() -> list[Section]:
    from ttgen.conformance import mesh, ops, roundtrips, specs

    compared, found = roundtrips.compare(roundtrips.load())
    sections = [Section("roundtrips", compared, tuple((d.case, d.detail) for d in found))]
    for arch in ARCHS:
        compared, found = specs.compare(specs.load(arch))
        sections.append(Section(f"placements_{arch}", compared, tuple((d.case, d.detail) for d in found)))
    for arch, verdict in zip(ARCHS, ops.compare_all([ops.load(a) for a in ARCHS]), strict=True):
        sections.append(
            Section(
                f"op_outputs_{arch}",
                verdict.compared,
                tuple((d.case, d.detail) for d in verdict.found),
                tuple(verdict.not_emulated),
                dict(verdict.kinds),
            )
        )
    systems = tuple(s for s in mesh.SYSTEMS if mesh.fixture(s).is_file())
    for system, verdict in zip(systems, mesh.compare_all(systems), strict=True):
        sections.append(
            Section(
                f"mesh_{system}",
                verdict.compared,
                tuple((d.case, d.detail) for d in verdict.found),
                tuple(verdict.not_emulated),
                dict(verdict.kinds),
            )
        )
    return sections
