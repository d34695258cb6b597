"""Parse nanobind signature text, `def __call__(self, a: T, b: U = \\0, *, c: V = \\1) -> R`,
into catalog parameters. `\\N` refers to the N-th entry of the overload's defaults tuple."""

from __future__ import annotations

import re
from typing import Any

from ttgen.signatures.catalog import Catalog, OpSignature, Overload, Param
from ttgen.signatures.typematch import split_top_level

_SIG = re.compile(r"def\s+[A-Za-z_][A-Za-z0-9_]*\((?P<params>.*)\)(?:\s*->\s*(?P<ret>.+))?\Z", re.S)
_DEFAULT_REF = re.compile(r"\\(\d+)\Z")


def _top_level_index(text: str, token: str) -> int:
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and text.startswith(token, i):
            return i
    return -1


def parse_nb_signature(raw: str, defaults: list[str]) -> Overload:
    m = _SIG.match(raw.strip())
    if not m:
        raise ValueError(f"unreadable signature {raw[:80]!r}")
    params: list[Param] = []
    kind = "positional_or_keyword"
    parts = [p for p in split_top_level(m.group("params"), ",") if p]
    if "/" in parts:  # everything before a lone `/` is positional-only
        cut = parts.index("/")
        parts = [*[f"\x00{p}" for p in parts[:cut]], *parts[cut + 1 :]]
    for part in parts:
        positional_only = part.startswith("\x00")
        part = part.lstrip("\x00")
        if part == "self":
            continue
        if part in ("*", "\\*"):
            kind = "keyword_only"
            continue
        if part.startswith("**"):
            params.append(Param(name=part[2:].split(":")[0].strip(), kind="var_keyword"))
            continue
        if part.startswith("*"):
            params.append(Param(name=part[1:].split(":")[0].strip(), kind="var_positional"))
            kind = "keyword_only"
            continue
        default = None
        eq = _top_level_index(part, " = ")
        if eq >= 0:
            default_text = part[eq + 3 :].strip()
            part = part[:eq]
            ref = _DEFAULT_REF.match(default_text)
            default = defaults[int(ref.group(1))] if ref else default_text
        name, _, annotation = part.partition(":")
        params.append(
            Param(
                name=name.strip(),
                kind="positional_only" if positional_only else kind,
                annotation=annotation.strip() or None,
                default=default,
            )
        )
    return Overload(raw=raw, params=tuple(params), returns=(m.group("ret") or "").strip() or None)


def parse_raw_dump(doc: dict[str, Any]) -> Catalog:
    """The JSON `introspect.py` prints → a Catalog (operations sorted by name)."""
    ops = []
    for op in doc["operations"]:
        overloads = []
        for o in op["overloads"]:
            if "python_params" in o:
                overloads.append(Overload(params=tuple(Param(**p) for p in o["python_params"])))
            else:
                overloads.append(parse_nb_signature(o["raw"], o["defaults"]))
        ops.append(
            OpSignature(
                name=op["name"],
                is_cpp_operation=op["is_cpp_operation"],
                is_experimental=op["is_experimental"],
                has_golden_function=op["has_golden_function"],
                overloads=tuple(overloads),
            )
        )
    return Catalog(ttnn_version=doc["ttnn_version"], operations=tuple(sorted(ops, key=lambda o: o.name)))


def parse_class_table(doc: dict[str, Any]) -> dict[str, Any]:
    """The `classes` of an introspection → ttgen.facts.classes' table: each keyword-constructed
    class's fields (annotation, required); positional-only classes are listed with none."""
    out: dict[str, Any] = {}
    for c in doc.get("classes", ()):
        fields: list[dict[str, Any]] = []
        for o in c["overloads"]:
            overload = parse_nb_signature(o["raw"], o["defaults"])
            if any(p.kind == "keyword_only" for p in overload.params):
                fields = [
                    {"name": p.name, "annotation": p.annotation or "object", "required": p.default is None}
                    for p in overload.params
                    if p.kind == "keyword_only"
                ]
                break
        out[c["name"]] = {"class": c["class"], "module": c["module"], "fields": fields}
    return {"ttnn_version": doc["ttnn_version"], "classes": out, "enums": doc.get("enums", {})}
