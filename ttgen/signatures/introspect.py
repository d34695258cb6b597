"""Run by an interpreter that has the real ttnn (not necessarily ttgen's): prints every registered
op's raw signatures as JSON on stdout. Standard library only; ttgen parses the output.

    <python-with-ttnn> ttgen/signatures/introspect.py > raw.json
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from typing import Any

# Memory addresses in printed defaults would make every dump differ (the regex of
# ttgen.facts.reprs.ADDRESS: this script runs by its path, where ttgen may not be importable).
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _default_repr(value: Any) -> str:
    try:
        text = repr(value)
    except Exception as e:  # a nanobind object without a usable repr
        text = f"<unrepresentable {type(value).__name__}: {e}>"
    return _ADDRESS.sub("", text)


def _nb_signatures(fn: Any) -> Any:
    """nanobind keeps signatures on plain functions, and on the __call__ of op objects."""
    return getattr(fn, "__nb_signature__", None) or getattr(type(fn).__call__, "__nb_signature__", None)


def _nb_overloads(op: Any) -> list[dict[str, Any]]:
    sigs = _nb_signatures(op.function)
    out = []
    for sig in sigs or ():
        text, _doc, defaults = (*tuple(sig), None, None)[:3]
        raw = _ADDRESS.sub("", text)
        out.append({"raw": raw, "defaults": [_default_repr(d) for d in (defaults or ())]})
    return out


def _python_overloads(op: Any) -> list[dict[str, Any]]:
    sig = inspect.signature(op.function)
    params = []
    for p in sig.parameters.values():
        entry: dict[str, Any] = {"name": p.name, "kind": p.kind.name.lower()}
        if p.annotation is not inspect.Parameter.empty:
            entry["annotation"] = (
                p.annotation if isinstance(p.annotation, str) else inspect.formatannotation(p.annotation)
            )
        if p.default is not inspect.Parameter.empty:
            entry["default"] = _default_repr(p.default)
        params.append(entry)
    return [{"python_params": params}]


# Config classes a trace names by field set alone or prints without types: the keyword-constructed
# `...Config`s (program, kernel, conv configs), plus the activation traced inside them.
_POSITIONAL_CLASSES = ("UnaryWithParam",)


def _classes(ttnn: Any) -> list[dict[str, Any]]:
    """Every config class generated code can spell `ttnn.<name>`: its constructor overloads."""
    out = []
    for name in sorted(dir(ttnn)):
        cls = getattr(ttnn, name, None)
        if name.startswith("_") or not isinstance(cls, type):
            continue
        sigs = getattr(vars(cls).get("__init__"), "__nb_signature__", None) or ()
        raws = [tuple(s) for s in sigs]
        keyword = any("*," in r[0] for r in raws)
        if not ((keyword and name.endswith("Config")) or name in _POSITIONAL_CLASSES):
            continue
        overloads = [
            {"raw": _ADDRESS.sub("", r[0]), "defaults": [_default_repr(d) for d in ((*r, None, None)[2] or ())]}
            for r in raws
        ]
        out.append({"name": name, "class": cls.__name__, "module": cls.__module__, "overloads": overloads})
    return out


def _enums(ttnn: Any) -> dict[str, dict[str, int]]:
    """ttnn's enums by name, members with their values: the 0.81.1 tracer writes some by value
    (a fused activation's `{"op_type": 58}`)."""
    import enum

    out: dict[str, dict[str, int]] = {}
    for name in sorted(dir(ttnn)):
        cls = getattr(ttnn, name, None)
        if isinstance(cls, type) and issubclass(cls, enum.Enum) and cls.__name__ == name:
            out[name] = {m.name: int(m.value) for m in cls if isinstance(m.value, int)}
    return out


def main() -> int:
    import ttnn  # type: ignore[import-not-found]  # only where the real wheel is installed

    ops = []
    for op in ttnn.query_registered_operations(include_experimental=True):
        is_cpp = bool(getattr(op, "is_cpp_operation", False))
        ops.append(
            {
                "name": op.python_fully_qualified_name,
                "is_cpp_operation": is_cpp,
                "is_experimental": bool(getattr(op, "is_experimental", False)),
                "has_golden_function": getattr(op, "golden_function", None) is not None,
                "overloads": _nb_overloads(op) if _nb_signatures(op.function) else _python_overloads(op),
            }
        )
    try:
        from importlib.metadata import version

        ttnn_version = version("ttnn")
    except Exception:
        ttnn_version = str(getattr(ttnn, "__version__", "unknown"))
    json.dump(
        {"ttnn_version": ttnn_version, "operations": ops, "classes": _classes(ttnn), "enums": _enums(ttnn)}, sys.stdout
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
