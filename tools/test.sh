#!/usr/bin/env bash
# The whole test suite: lint, strict typing, then pytest. Exit status is pytest's (or the first
# failing check's); arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== ruff"
.venv/bin/ruff check ttgen tests tools generated examples benchmarks
.venv/bin/ruff format --check ttgen tests tools generated examples benchmarks
echo "== mypy --strict ttgen/ generated/ examples/ benchmarks/"
.venv/bin/mypy --strict ttgen/
.venv/bin/mypy --strict generated/
.venv/bin/mypy --strict examples/
.venv/bin/mypy --strict benchmarks/
echo "== lint-imports (the layer contracts in pyproject.toml)"
.venv/bin/lint-imports --no-cache
echo "== ttgen check (generated/ is what the embedded master compiles to)"
.venv/bin/ttgen check
echo "== pytest"
exec .venv/bin/pytest --durations=25 "$@"  # the slowest tests, to keep .ci/run near 30 minutes
