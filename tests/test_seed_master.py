"""The embedded default master is exactly what tools/write_seed_master.py writes."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_committed_seed_master_is_reproducible() -> None:
    proc = subprocess.run(
        [sys.executable, "tools/write_seed_master.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
