#!/usr/bin/env bash
# Create (or refresh) the project venv in .venv: Python >= 3.10, torch 2.13.0 first (on these
# machines a CPU build on local disk, so no multi-GB CUDA build is downloaded), then ttgen
# editable with its dev extras. Idempotent: a second run installs nothing new.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "ttgen needs Python >= 3.10")'
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -c 'import torch' 2>/dev/null || .venv/bin/python -m pip install -q --disable-pip-version-check torch==2.13.0
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[dev]"
