"""`ttgen report --html`: one self-contained page (inline CSS and SVG; no scripts, no fetches):
a stacked pass-rate bar per op, a PCC histogram, the per-op table, every unexpected case, and the
history (pass rate per op across runs, the cases that newly fail or newly pass). Every string
from the store is escaped."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timezone
from html import escape
from typing import Any

from ttgen.facts.status import STATUSES, UNEXPECTED, Status
from ttgen.runner.history import Change, History
from ttgen.runner.report import Reported, op_rows, percent, title
from ttgen.runner.store import Result

COLOURS = {
    Status.PASS.value: "#2e7d32",
    Status.XFAIL.value: "#81c784",
    Status.SKIP.value: "#b0bec5",
    Status.INVALID.value: "#ffb300",
    Status.FAIL_ASSERT.value: "#e53935",
    Status.FAIL_EXCEPTION.value: "#c62828",
    Status.FAIL_L1_OUT_OF_MEM.value: "#8e24aa",
    Status.CRASH.value: "#212121",
    Status.HANG.value: "#6d4c41",
    Status.XPASS.value: "#1e88e5",
}

CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:20px} h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;font-size:13px}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:right;white-space:nowrap}
td:first-child,th:first-child{text-align:left}
.msg{text-align:left;font-family:monospace;font-size:12px;white-space:normal;overflow-wrap:anywhere}
td:first-child{white-space:normal;overflow-wrap:anywhere;max-width:48ch}
.legend span{display:inline-block;margin-right:12px} .sw{width:10px;height:10px;display:inline-block;margin-right:4px}
.down{color:#c62828;font-weight:600} .up{color:#2e7d32;font-weight:600}
"""


def pass_rate_chart(results: list[Result]) -> str:
    rows = op_rows(results)
    bar_w, label_w, row_h = 520, 230, 22
    height = row_h * len(rows) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 80}" height="{height}" role="img">']
    for i, row in enumerate(rows):
        y = 5 + i * row_h
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">{escape(row.op)}</text>')
        x = float(label_w)
        for status in STATUSES:
            n = row.counts.get(status, 0)
            if not n:
                continue
            w = bar_w * n / row.total
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_h - 6}" fill="{COLOURS[status]}">'
                f"<title>{escape(row.op)}: {status} {n}</title></rect>"
            )
            x += w
        rate = "n/a" if row.pass_rate is None else f"{100 * row.pass_rate:.0f}%"
        parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 14}" font-size="12">{rate}</text>')
    parts.append("</svg>")
    return "".join(parts)


# PCCs cluster just under 1: bins are decades of 1 - PCC, the scale on which they differ.
PCC_BINS = (
    ("< 0.9", 1e-1, float("inf")),
    ("0.9–0.99", 1e-2, 1e-1),
    ("0.99–0.999", 1e-3, 1e-2),
    ("0.999–0.9999", 1e-4, 1e-3),
    ("0.9999–0.99999", 1e-5, 1e-4),
    ("0.99999–0.999999", 1e-6, 1e-5),
    ("≥ 0.999999", -float("inf"), 1e-6),
)


def pcc_histogram(results: list[Result]) -> str:
    values = [r.pcc for r in results if r.pcc is not None]
    if not values:
        return "<p>No case reported a PCC (device numerics were skipped or not computed).</p>"
    counts = [sum(1 for v in values if lo <= 1.0 - v < hi) for _, lo, hi in PCC_BINS]
    top = max(counts)
    w, h, pad = 840, 180, 10
    bw = (w - 2 * pad) / len(PCC_BINS)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h + 44}" role="img">']
    for b, ((label, _, _), n) in enumerate(zip(PCC_BINS, counts, strict=True)):
        bh = (h - 20) * n / top
        x = pad + b * bw
        parts.append(
            f'<rect x="{x + 4:.1f}" y="{h - bh:.1f}" width="{bw - 8:.1f}" height="{bh:.1f}" fill="#3949ab">'
            f"<title>PCC {label}: {n}</title></rect>"
        )
        parts.append(f'<text x="{x + bw / 2:.1f}" y="{h - bh - 4:.1f}" font-size="11" text-anchor="middle">{n}</text>')
        parts.append(f'<text x="{x + bw / 2:.1f}" y="{h + 16}" font-size="11" text-anchor="middle">{label}</text>')
    parts.append(f'<line x1="{pad}" y1="{h}" x2="{w - pad}" y2="{h}" stroke="#555"/>')
    parts.append(f'<text x="{w / 2}" y="{h + 36}" font-size="11" text-anchor="middle">PCC ({len(values)} cases)</text>')
    parts.append("</svg>")
    return "".join(parts)


def _changes(changes: list[Change], heading: str) -> str:
    if not changes:
        return f"<p>{heading}: none.</p>"
    rows = "".join(
        f"<tr><td>{escape(c.case)}</td><td>{escape(c.previous_status)} (run {c.previous_run})</td>"
        f"<td>{escape(c.status)} (run {c.run})</td></tr>"
        for c in changes
    )
    return f"<p>{heading} ({len(changes)}):</p><table><tr><th>case</th><th>before</th><th>now</th></tr>{rows}</table>"


def _trend_cell(rate: float | None, before: float | None) -> str:
    mark = ""
    if rate is not None and before is not None and rate != before:
        mark = " class='down'" if rate < before else " class='up'"
    return f"<td{mark}>{percent(rate)}</td>"


def history_section(histories: Sequence[History]) -> str:
    parts = []
    for h in histories:
        parts.append(f"<h3>{escape(h.label)}</h3>")
        if not h.earlier:
            parts.append("<p>No earlier run of this backend and arch.</p>")
            continue
        heads = "".join(f"<th>run {run['id']}</th>" for run in h.earlier) + "<th>now</th>"
        rows = []
        for t in h.ops:
            cells = "".join(_trend_cell(rate, t.rates[i - 1] if i else None) for i, rate in enumerate(t.rates))
            rows.append(f"<tr><td>{escape(t.op)}</td>{cells}</tr>")
        parts.append(f"<p>Pass rate per op, oldest first ({h.compared} cases compared with an earlier verdict).</p>")
        parts.append(f"<table><tr><th>op</th>{heads}</tr>{''.join(rows)}</table>")
        parts.append(_changes(h.newly_failing, "Newly failing"))
        parts.append(_changes(h.newly_passing, "Newly passing"))
    return "".join(parts)


def _run_cell(run: dict[str, Any]) -> str:
    return f"<td>{run['id']}</td>"


def render(reported: Sequence[Reported], histories: Sequence[History] = ()) -> str:
    runs = [run for run, _ in reported]
    results = [r for _, rs in reported for r in rs]
    started = datetime.fromtimestamp(min(run["started"] for run in runs), tz=timezone.utc).strftime(
        "%Y-%m-%d %H:%M:%S UTC"
    )
    totals = Counter(r.status for r in results)
    legend = "".join(
        f'<span><i class="sw" style="background:{COLOURS[s]}"></i>{s} {totals[s]}</span>' for s in STATUSES if totals[s]
    )
    shown = [s for s in STATUSES if totals[s]]
    rows = []
    for row in op_rows(results):
        cells = "".join(f"<td>{row.counts.get(s, '')}</td>" for s in shown)
        pcc = "" if row.worst_pcc is None else f"{row.worst_pcc:.6f} ({escape(row.worst_pcc_case or '')})"
        slow = f"{escape(row.slowest_case or '')} ({(row.slowest_s or 0) * 1e3:.1f} ms)"
        rows.append(f"<tr><td>{escape(row.op)}</td>{cells}<td>{row.total}</td><td>{pcc}</td><td>{slow}</td></tr>")
    heads = "".join(f"<th>{s}</th>" for s in shown)
    several = len(runs) > 1
    bad = [
        f"<tr><td>{escape(r.key)}</td>{_run_cell(run) if several else ''}<td>{r.status}</td>"
        f"<td class='msg'>{escape(r.message)}</td></tr>"
        for run, rs in reported
        for r in rs
        if r.status in UNEXPECTED
    ]
    head = f"<tr><th>case</th>{'<th>run</th>' if several else ''}<th>status</th><th class='msg'>message</th></tr>"
    unexpected = f"<table>{head}{''.join(bad)}</table>" if bad else "<p>None.</p>"
    reasons = Counter((r.message.splitlines() or [""])[0] for r in results if r.status == "SKIP")
    skip_rows = "".join(
        f"<tr><td>{n}</td><td class='msg'>{escape(reason)}</td></tr>"
        for reason, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    skipped = (
        f"<table><tr><th>cases</th><th class='msg'>reason</th></tr>{skip_rows}</table>" if reasons else "<p>None.</p>"
    )
    meta = "; ".join(
        ", ".join(
            f"{k} {escape(str(run.get(k)))}"
            for k in ("backend", "arch", "host", "git_sha", "ttgen_version")
            if run.get(k)
        )
        for run in runs
    )
    name = escape(title(runs).split(" (")[0])
    status = escape(" / ".join(dict.fromkeys(str(run["status"]) for run in runs)))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ttgen {name}</title><style>{CSS}</style></head>
<body>
<h1>ttgen {name}: {len(results)} cases, {status}</h1>
<p>Started {started}; {meta}.</p>
<p class="legend">{legend}</p>
<h2>Pass rate per op</h2>
{pass_rate_chart(results)}
<h2>PCC</h2>
{pcc_histogram(results)}
<h2>Per op</h2>
<table><tr><th>op</th>{heads}<th>total</th><th>worst PCC</th><th>slowest case</th></tr>{"".join(rows)}</table>
<h2>Unexpected ({len(bad)})</h2>
{unexpected}
<h2>Skipped ({sum(reasons.values())}), by reason</h2>
{skipped}
<h2>History</h2>
{history_section(histories)}
</body></html>
"""
