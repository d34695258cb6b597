"""`ttgen report --export optest`: results as upstream's OpTest records (field names of
tt-metal's infra/data_collection pydantic model, shared/reference/upstream-trace-formats.md §2.8)
so dashboards that ingest sweep results take ttgen's unchanged.

Status mapping (OpTest has no XFAIL/XPASS/INVALID): PASS → pass; FAIL_ASSERT, FAIL_EXCEPTION →
fail_assert_exception; FAIL_L1_OUT_OF_MEM → fail_l1_out_of_mem; CRASH, HANG → fail_crash_hang;
SKIP, INVALID, XFAIL → skipped; XPASS → fail_assert_exception. ttgen's own status opens `message`.
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timezone
from typing import Any

from ttgen.facts.status import Status
from ttgen.runner.store import Result

OPTEST_STATUS = {
    Status.PASS.value: "pass",
    Status.FAIL_ASSERT.value: "fail_assert_exception",
    Status.FAIL_EXCEPTION.value: "fail_assert_exception",
    Status.FAIL_L1_OUT_OF_MEM.value: "fail_l1_out_of_mem",
    Status.CRASH.value: "fail_crash_hang",
    Status.HANG.value: "fail_crash_hang",
    Status.SKIP.value: "skipped",
    Status.INVALID.value: "skipped",
    Status.XFAIL.value: "skipped",
    Status.XPASS.value: "fail_assert_exception",
}


def _ts(t: float) -> str:
    return datetime.fromtimestamp(t, tz=timezone.utc).isoformat()


def optest_records(run: dict[str, Any], results: list[Result], paths: dict[str, str]) -> list[dict[str, Any]]:
    records = []
    for r in results:
        status = OPTEST_STATUS[r.status]
        failed = status not in ("pass", "skipped")
        segments = r.op.split(".")
        metrics = [{"metric_name": "e2e_perf_ms", "metric_value": r.e2e_ms}] if r.e2e_ms is not None else []
        if r.pcc is not None:
            metrics.append({"metric_name": "pcc", "metric_value": r.pcc})
        records.append(
            {
                "github_job_id": int(os.environ["GITHUB_JOB_ID"])
                if os.environ.get("GITHUB_JOB_ID", "").isdigit()
                else None,
                "full_test_name": r.module,
                "test_start_ts": _ts(r.started),
                "test_end_ts": _ts(r.ended),
                "test_case_name": r.suite,
                "filepath": paths.get(r.module, r.module),
                "success": not failed,
                "skipped": status == "skipped",
                "error_message": r.message if failed else None,
                "error_hash": hashlib.sha256(r.message.encode()).hexdigest()[:16] if failed else None,
                "config": None,
                "frontend": "ttnn.op",
                "model_name": "n/a",
                "op_kind": segments[0],
                "op_name": segments[-1],
                "framework_op_name": "sweep",
                "inputs": None,
                "outputs": None,
                "op_params": None,
                "git_sha": run.get("git_sha"),
                "status": status,
                "card_type": run.get("arch"),
                "backend": run.get("backend"),
                "data_source": "ttnn op test",
                "input_hash": r.case_id,
                "message": f"{r.status}: {r.message}",
                "exception": r.exception,
                "metrics": metrics,
                "op_params_set": [{"param_name": "output_spec", "param_value_text": r.output_spec}]
                if r.output_spec
                else [],
            }
        )
    return records
