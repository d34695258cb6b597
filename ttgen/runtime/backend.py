"""Which `ttnn` generated code talks to: TTGEN_BACKEND=emu|ttnn; by default the real ttnn when it
is importable, else ttgen's emulator."""

from __future__ import annotations

import importlib
import importlib.util
import os
from types import ModuleType

BACKENDS = ("emu", "ttnn")


def backend_name() -> str:
    chosen = os.environ.get("TTGEN_BACKEND", "").strip().lower()
    if chosen:
        if chosen not in BACKENDS:
            raise RuntimeError(f"TTGEN_BACKEND={chosen!r}; expected one of {', '.join(BACKENDS)}")
        return chosen
    return "ttnn" if importlib.util.find_spec("ttnn") is not None else "emu"


def load_backend() -> ModuleType:
    return importlib.import_module("ttnn" if backend_name() == "ttnn" else "ttgen.emu")
