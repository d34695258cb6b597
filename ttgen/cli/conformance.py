"""`ttgen conformance`: the emulator against answers recorded from the real ttnn."""

from __future__ import annotations

import typer

from ttgen.cli.console import out
from ttgen.cli.options import JsonOption, emit_json
from ttgen.terminal import clean


def conformance(as_json: JsonOption = False) -> None:
    """Agreement of ttgen's emulator with the real ttnn 0.81.1, from answers recorded on mock
    devices (tests/conformance/): host dtype round trips bit for bit, and tensor placements
    (accept/reject, error class and message, resulting spec) on Wormhole and Blackhole, and
    every generated case's output spec, error or skip reason on both; and every mesh case's
    per-device spec and topology on mock T3K and 6U Galaxy clusters.
    Exit 1 on any disagreement, each listed by case; cases not emulated are listed apart."""
    from ttgen.conformance.report import conformance_report

    sections = conformance_report()
    if as_json:
        emit_json({s.name: s.document() for s in sections})
    else:
        for s in sections:
            answers = s.ttnn_answers
            detail = (
                f" ({', '.join(f'{n} {k.replace(chr(95), chr(32))}' for k, n in answers.items())})" if answers else ""
            )
            missing = len(s.not_emulated or ())
            if missing:  # agreement over what the emulator ran, and what it did not
                ran = s.compared - missing
                out.print(f"{s.title}: {s.agree - missing}/{ran} emulated cases agree, {missing} not emulated{detail}")
            else:
                out.print(f"{s.title}: {s.agree}/{s.compared} agree{detail}")
            for case, why in s.disagreements:
                out.print(f"  {clean(case)}: {clean(why)}")
            for case in s.not_emulated or ():
                out.print(f"  not emulated: {clean(case)}")
    if any(s.disagreements for s in sections):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("conformance")(conformance)
