"""No trace string drives the terminal (issue 11, item 16): `ttgen diff` (text, markdown, JSON) and
`ttgen import` print escape sequences, carriage returns, bidi overrides and zero-width marks from
op names, file names and reasons as visible escapes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import EMBEDDED_MASTER
from tests.trace.test_trace import TTGEN

# clear screen, bell, carriage return, a right-to-left override, a zero-width space, DEL, a newline
EVIL = "\x1b[2J\x07\r\u202e\u200b\x7f\nFAKE"


def printable(text: str) -> bool:
    return all(ch == "\n" or ch.isprintable() for ch in text)


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([TTGEN, *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def test_diff_and_import_print_no_control_characters(tmp_path: Path) -> None:
    doc = json.loads(EMBEDDED_MASTER.read_text())
    op = sorted(doc["operations"])[0]
    # an op whose name is not a ttnn name is rejected when read, but counted under that name
    doc["operations"][f"ttnn.bad{EVIL}"] = {"configurations": [doc["operations"][op]["configurations"][0]]}
    doc["operations"][op]["configurations"][0]["arguments"][f"k{EVIL}"] = 1
    new = tmp_path / "new.json"  # (its name is printed into generated headers, cleaned there)
    new.write_text(json.dumps(doc))

    outputs = {}
    for mode in ("text", "--markdown", "--json"):
        args = ["diff", str(EMBEDDED_MASTER), new.name, "--out", f"d{EVIL}/gen"]
        done = run(*args, *([] if mode == "text" else [mode]), cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        outputs[mode] = done.stdout
        assert printable(done.stdout), [line for line in done.stdout.splitlines() if not printable(line)]
        assert "\nFAKE" not in done.stdout  # a value's newline cannot start a line of its own
    assert "\\x1b[2J" in outputs["text"] and "\\u202e" in outputs["text"] and "\\x7f" in outputs["text"]
    assert "\\x1b[2J" in outputs["--markdown"]
    parsed = json.loads(outputs["--json"])
    assert f"ttnn.bad{EVIL}" in {o["operation"] for o in parsed["operations"]}  # JSON escapes, loses nothing

    named = tmp_path / f"trace{EVIL}.json"
    named.write_text(new.read_text())
    done = run("import", named.name, "--master", "m.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert printable(done.stdout + done.stderr) and "\nFAKE" not in done.stdout
    assert "\\x1b[2J" in done.stdout
