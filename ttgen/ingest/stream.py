"""Read a master from its text one configuration at a time.

`json.loads` of a whole master holds its entire tree (several times the file's size) next to the
IR built from it. Here the outer levels (the top-level object, `operations`, each operation's
entry and its `configurations` array) are walked by hand, and each configuration is decoded by
the same decoder `parse_json_text` uses (duplicate keys refused, NaN tokens read), at its offset
in the same text, then turned into IR and dropped.

Only valid JSON is streamed. At the first thing the walk does not accept (any syntax error, a
duplicate key, a byte-order mark, trailing data) it gives up, and the caller parses the whole
text the ordinary way, so every malformed file gets exactly the error, line and column it always
did, and a document that is not a master is read as before.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from ttgen.ingest.jsonload import DuplicateKey, decoder
from ttgen.ingest.master import MasterReader
from ttgen.ingest.result import IngestResult

_WS = re.compile(r"[ \t\n\r]*")


class GiveUp(Exception):
    """The walk met text it does not accept; the whole text is parsed the ordinary way."""


class _Cursor:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self._decoder = decoder()

    def skip_ws(self) -> None:
        m = _WS.match(self.text, self.pos)
        assert m is not None  # the pattern matches the empty string
        self.pos = m.end()

    def peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def take(self, ch: str) -> None:
        if self.peek() != ch:
            raise GiveUp
        self.pos += 1

    def value(self) -> Any:
        """One JSON value at the cursor, decoded exactly as json.loads decodes it."""
        try:
            obj, self.pos = self._decoder.raw_decode(self.text, self.pos)
        except (json.JSONDecodeError, DuplicateKey, RecursionError, ValueError):
            raise GiveUp from None
        return obj

    def members(self) -> Iterator[str]:
        """The keys of the object at the cursor. After each key the cursor is at its value, which
        the consumer must read before asking for the next key. Repeated keys give up."""
        self.take("{")
        self.skip_ws()
        if self.peek() == "}":
            self.pos += 1
            return
        seen: set[str] = set()
        while True:
            if self.peek() != '"':
                raise GiveUp
            try:
                key, self.pos = scanstring(self.text, self.pos + 1, True)
            except json.JSONDecodeError:
                raise GiveUp from None
            if key in seen:
                raise GiveUp
            seen.add(key)
            self.skip_ws()
            self.take(":")
            self.skip_ws()
            yield key
            self.skip_ws()
            if self.peek() == "}":
                self.pos += 1
                return
            self.take(",")
            self.skip_ws()

    def items(self) -> Iterator[int]:
        """Indexes of the array at the cursor; the consumer reads each item, as with members()."""
        self.take("[")
        self.skip_ws()
        if self.peek() == "]":
            self.pos += 1
            return
        i = 0
        while True:
            if self.peek() in ("]", ""):
                raise GiveUp  # a trailing comma, or the end of the text
            yield i
            i += 1
            self.skip_ws()
            if self.peek() == "]":
                self.pos += 1
                return
            self.take(",")
            self.skip_ws()


def stream_master(text: str, path: str) -> IngestResult | dict[str, Any]:
    """A master read from its text; or, for a top-level object without `operations`, that object
    (decoded as json.loads would) for the other readers. Raises GiveUp (see the module doc)."""
    cur = _Cursor(text)
    cur.skip_ws()
    if cur.peek() != "{":
        raise GiveUp
    reader: MasterReader | None = None
    doc: dict[str, Any] = {}
    for key in cur.members():
        if key == "operations" and cur.peek() == "{":
            reader = MasterReader(path)
            _operations(cur, reader)
            doc[key] = None  # its configurations are read and gone; only the name is needed
        else:
            doc[key] = cur.value()
    cur.skip_ws()
    if cur.pos != len(text):
        raise GiveUp  # trailing data
    if reader is None:
        return doc
    return reader.finish(doc, doc.get("metadata"))


def _operations(cur: _Cursor, reader: MasterReader) -> None:
    for raw_op in cur.members():
        if cur.peek() != "{":
            reader.operation(raw_op, cur.value())
            continue
        entry: dict[str, Any] = {}
        streamed = False
        for key in cur.members():
            if key == "configurations" and cur.peek() == "[":
                for i in cur.items():
                    reader.config(raw_op, i, cur.value())
                streamed = True
                entry[key] = []  # read and gone
            else:
                entry[key] = cur.value()
        if streamed:
            reader.entry_keys(raw_op, entry)
        else:
            reader.operation(raw_op, entry)  # no configurations list: rejected as a parsed entry is
