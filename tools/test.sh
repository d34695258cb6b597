#!/usr/bin/env bash
# The whole test suite: lint, strict typing, then pytest. Exit status is pytest's (or the first
# failing check's); arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== ruff"
.venv/bin/ruff check ttgen tests tools
.venv/bin/ruff format --check ttgen tests tools
echo "== mypy --strict ttgen/"
.venv/bin/mypy --strict ttgen/
echo "== pytest"
exec .venv/bin/pytest "$@"
