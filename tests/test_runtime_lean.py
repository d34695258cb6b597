"""The runtime and emulator stay lean: generated code and runner workers import them, so they
must never pull in the compiler side (or pydantic, or torch at import)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pydantic", "typer", "jinja2", "libcst", "black", "torch", "ttgen.model", "ttgen.compile", "ttgen.ingest")


def test_runtime_and_emu_import_nothing_heavy() -> None:
    code = (
        "import sys, ttgen.runtime, ttgen.runtime.case, ttgen.emu;"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={"TTGEN_BACKEND": "emu"}, check=True
    )
    assert proc.stdout.strip() == ""


def test_emu_prints_memory_configs_like_ttnn() -> None:
    import ttgen.emu as ttnn

    mc = ttnn.MemoryConfig(
        ttnn.TensorMemoryLayout.HEIGHT_SHARDED,
        ttnn.BufferType.L1,
        ttnn.ShardSpec(
            ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(7, 7))}),
            [64, 64],
            ttnn.ShardOrientation.ROW_MAJOR,
        ),
    )
    # verbatim from shared/reference/ttnn-0.81.1.md §1 (the real wheel's str(MemoryConfig))
    assert repr(mc) == (
        "MemoryConfig(memory_layout=TensorMemoryLayout::HEIGHT_SHARDED,buffer_type=BufferType::L1,"
        'shard_spec=ShardSpec{grid=[{"start":{"x":0,"y":0},"end":{"x":7,"y":7}], shape=[64, 64], '
        "orientation=ShardOrientation::ROW_MAJOR},nd_shard_spec=std::nullopt,created_with_nd_shard_spec=0,"
        "per_core_allocation=0,range_lockstep_allocation=0)"
    )
    assert repr(ttnn.DRAM_MEMORY_CONFIG) == (
        "MemoryConfig(memory_layout=TensorMemoryLayout::INTERLEAVED,buffer_type=BufferType::DRAM,"
        "shard_spec=std::nullopt,nd_shard_spec=std::nullopt,created_with_nd_shard_spec=0,"
        "per_core_allocation=0,range_lockstep_allocation=0)"
    )
    assert repr(ttnn.bfloat8_b) == "DataType.BFLOAT8_B" and repr(ttnn.CoreGrid(x=8, y=1)) == "ttnn.CoreGrid(x=8, y=1)"


def test_runner_worker_imports_only_the_runtime() -> None:
    """The worker runs under other interpreters (a real-ttnn venv): stdlib + ttgen.runtime only."""
    heavy = (*HEAVY, "rich", "loguru", "sqlite3", "ttgen.runner.scheduler", "ttgen.runner.store")
    code = f"import sys, ttgen.runner.worker, ttgen.runtime;print(','.join(m for m in {heavy!r} if m in sys.modules))"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={"TTGEN_BACKEND": "emu"}, check=True
    )
    assert proc.stdout.strip() == ""
