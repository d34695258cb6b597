"""Operation names: traces use `ttnn::add`, `ttnn.add` or (users) plain `add`; ttgen uses dots."""

from __future__ import annotations

from ttgen.model.config import OP_NAME


def normalize_op_name(name: str) -> str:
    """`ttnn::experimental::paged_fill_cache` → `ttnn.experimental.paged_fill_cache`.

    Raises ValueError when the result is not a dotted ttnn name.
    """
    dotted = name.strip().replace("::", ".")
    if not OP_NAME.match(dotted):
        raise ValueError(f"operation name {name!r} is not a ttnn operation (ttnn.x or ttnn::x)")
    return dotted


def resolve_op_query(query: str, known: tuple[str, ...]) -> str | None:
    """What a user typed (`add`, `ttnn.add`, `ttnn::add`, `paged_fill_cache`) → a known op.

    Exact dotted match first, then `ttnn.` + query, then a unique match on the last segment(s).
    Returns None when nothing or more than one op matches.
    """
    q = query.strip().replace("::", ".")
    for candidate in (q, f"ttnn.{q}"):
        if candidate in known:
            return candidate
    suffix = "." + q.removeprefix("ttnn.")
    matches = [op for op in known if op.endswith(suffix)]
    return matches[0] if len(matches) == 1 else None


def did_you_mean(query: str, known: tuple[str, ...]) -> str:
    """`; did you mean ttnn.add?` for a near miss (by the last segment), else nothing."""
    import difflib

    q = query.strip().replace("::", ".").removeprefix("ttnn.")
    short = {op.removeprefix("ttnn."): op for op in known}
    close = difflib.get_close_matches(q, list(short), n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(short[c] for c in close)}?" if close else ""
