"""Lay out case literals exactly as black (pinned, line length 120) would, without running it.

Running black over thousands of case literals costs ~6 ms each (its line splitter, not its
parser), too slow for upstream-scale masters. Generated literals use a small grammar: calls with
positional and keyword arguments, and tuple / list / set / dict displays of those and of atoms.
For that grammar black's stable style reduces to:

1. a line that fits in 120 columns stays one line;
2. otherwise it splits at its last bracket pair: `head(` / body / `)tail`;
3. a lone element in the brackets is split on its own, with no comma added;
4. with several elements, a call's body stays on one indented line if it fits
   ("right-hand split"), while a collection display's body is always exploded (black splits an
   atom's comma-delimited body once it has to split it at all);
5. an exploded body puts one element per line, each with a trailing comma, recursively.

Black itself still formats each file's skeleton, and tests check that black leaves every
generated file unchanged, so the output is black's output, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass

LINE_LENGTH = 120
INDENT = "    "


@dataclass(frozen=True, slots=True)
class Atom:
    text: str


@dataclass(frozen=True, slots=True)
class Call:
    func: str
    args: tuple[tuple[str | None, Node], ...]  # (keyword or None, value)


@dataclass(frozen=True, slots=True)
class Coll:
    kind: str  # "tuple" | "list" | "set" | "dict"
    items: tuple[Node, ...]  # for dict: KeyValue items


@dataclass(frozen=True, slots=True)
class KeyValue:
    key: Node
    value: Node


Node = Atom | Call | Coll | KeyValue

_BRACKETS = {"tuple": ("(", ")"), "list": ("[", "]"), "set": ("{", "}"), "dict": ("{", "}")}


def flat(node: Node) -> str:
    if isinstance(node, Atom):
        return node.text
    if isinstance(node, KeyValue):
        return f"{flat(node.key)}: {flat(node.value)}"
    if isinstance(node, Call):
        return f"{node.func}(" + ", ".join(_arg(k, v) for k, v in node.args) + ")"
    open_, close = _BRACKETS[node.kind]
    inner = ", ".join(flat(x) for x in node.items)
    if node.kind == "tuple" and len(node.items) == 1:
        inner += ","
    return f"{open_}{inner}{close}"


def _arg(keyword: str | None, value: Node) -> str:
    return f"{keyword}={flat(value)}" if keyword else flat(value)


def _split_parts(node: Node) -> tuple[str, list[tuple[str, Node]], str, bool] | None:
    """(head, [(prefix, element)], close, is_display) of the node's last bracket pair."""
    if isinstance(node, Call):
        return f"{node.func}(", [(f"{k}=" if k else "", v) for k, v in node.args], ")", False
    if isinstance(node, Coll):
        open_, close = _BRACKETS[node.kind]
        return open_, [("", x) for x in node.items], close, True
    if isinstance(node, KeyValue):
        parts = _split_parts(node.value)
        if parts is None:
            return None
        head, elements, close, display = parts
        return f"{flat(node.key)}: {head}", elements, close, display
    return None


def layout(prefix: str, node: Node, suffix: str, depth: int) -> list[str]:
    """The lines of `prefix + node + suffix` at indentation depth `depth`."""
    pad = INDENT * depth
    one_line = f"{pad}{prefix}{flat(node)}{suffix}"
    if len(one_line) <= LINE_LENGTH:
        return [one_line]
    parts = _split_parts(node)
    if parts is None or not parts[1]:
        return [one_line]  # an atom (or empty brackets) cannot be split
    head, elements, close, display = parts
    lines = [f"{pad}{prefix}{head}"]
    one_tuple = isinstance(node, Coll) and node.kind == "tuple" and len(elements) == 1
    if len(elements) == 1 and not one_tuple:
        # no comma to split at: the lone element is split on its own, without a trailing comma
        ((p, e),) = elements
        lines.extend(layout(p, e, "", depth + 1))
    else:
        body = ", ".join(p + flat(e) for p, e in elements) + ("," if one_tuple else "")
        body_pad = INDENT * (depth + 1)
        if not display and not one_tuple and len(body_pad + body) <= LINE_LENGTH:
            lines.append(body_pad + body)
        else:
            for p, e in elements:
                lines.extend(layout(p, e, ",", depth + 1))
    lines.append(f"{pad}{close}{suffix}")
    return lines
