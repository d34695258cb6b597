"""Read every upstream trace format into ttgen's IR, strictly.

`ingest_path(path)` detects the format from the content (never from the file name alone) and
returns an IngestResult whose counts reconcile: per op, parsed + rejected == present. A whole
input that cannot be read raises TraceFormatError naming the file (and JSON pointer).

Formats: masters of every era (V2/V6 dict arguments with executions; V1 graph-capture lists,
wrapped and `contexts` forms; mixtures), Era-A `{"content": [...]}` serialized graphs, per-call
`operation_parameters` directories (or one call file), and graph-capture reports (with their
`python_io` sidecar when present).

A master file is streamed (stream.py): its configurations are decoded one at a time and the IR
shares equal sub-values (intern.py), so peak memory stays a small multiple of the file's size.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ttgen.ingest.calls import is_call_record, read_call_directory, read_single_call
from ttgen.ingest.errors import Rejection, TraceFormatError
from ttgen.ingest.graph import is_graph_report, read_graph_report
from ttgen.ingest.jsonload import load_json_file, parse_json_text, read_text
from ttgen.ingest.master import read_master, read_serialized_graph
from ttgen.ingest.result import IngestResult, LocatedConfig
from ttgen.ingest.stream import GiveUp, stream_master

__all__ = [
    "IngestResult",
    "LocatedConfig",
    "Rejection",
    "TraceFormatError",
    "ingest_document",
    "ingest_path",
]


def ingest_document(doc: Any, path: str, *, python_io: Any | None = None) -> IngestResult:
    """Ingest an already-parsed JSON document; `path` is only used to name it in messages."""
    return _dispatch(doc, path, python_io).done()


def _dispatch(doc: Any, path: str, python_io: Any | None) -> IngestResult:
    if isinstance(doc, dict):
        if "operations" in doc:
            return read_master(doc, path)
        if is_graph_report(doc):
            return read_graph_report(doc, path, python_io)
        if is_call_record(doc):
            return read_single_call(doc, path)
        if isinstance(doc.get("content"), list):
            return read_serialized_graph(doc, path)
        keys = ", ".join(sorted(doc)[:8]) or "none"
        raise TraceFormatError(path, f"unrecognized trace format (top-level keys: {keys})")
    raise TraceFormatError(path, f"unrecognized trace format (top level is a JSON {type(doc).__name__})")


def sidecar_path(report: Path) -> Path:
    """`graph_report.json` → `graph_report.python_io.json`."""
    return report.with_name(report.name.removesuffix(".json") + ".python_io.json")


def ingest_path(path: str | Path) -> IngestResult:
    p = Path(path)
    shown = p.as_posix()
    if p.is_dir():
        return read_call_directory(p, shown).done()
    if p.name.endswith(".python_io.json"):
        raise TraceFormatError(shown, "a python_io sidecar is read with its graph report, not alone")
    text = read_text(p)
    try:
        streamed = stream_master(text, shown)
    except GiveUp:
        streamed = None  # not streamable: parsed whole, which names any error exactly
    if isinstance(streamed, IngestResult):
        return streamed.done()
    doc = parse_json_text(text, shown) if streamed is None else streamed
    del text
    python_io = None
    # whatever holds the sidecar's name is read (a FIFO or a dangling link is refused, by name)
    if is_graph_report(doc) and os.path.lexists(sidecar_path(p)):
        python_io = load_json_file(sidecar_path(p))
    return ingest_document(doc, shown, python_io=python_io)
