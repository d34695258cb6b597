#!/usr/bin/env bash
# The regenerate-on-retrace check (what .github/workflows/ttgen.yml runs): re-trace examples/ on
# the emulator into the master, say what changed (`ttgen diff`; markdown into the job summary on
# GitHub), fail when generated/ no longer matches the master (`ttgen check` prints the diff),
# then run the generated tests on the emulator. Exit status: the first failing step's.
set -euo pipefail
cd "$(dirname "$0")/.."
TTGEN="${TTGEN:-.venv/bin/ttgen}"
PYTHON="${PYTHON:-.venv/bin/python}"
master=traced_operations/ttnn_operations_master.json
before="$(mktemp)"
trap 'rm -f "$before"' EXIT
cp "$master" "$before"

echo "== ttgen trace -- examples/ (emulator)"
"$TTGEN" trace --backend emu --master "$master" -- examples/ -q
if ! cmp -s "$before" "$master"; then
    echo "== the re-trace changed $master (commit it, then ttgen compile --all):"
    "$TTGEN" diff "$before" "$master"
    if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
        "$TTGEN" diff --markdown "$before" "$master" >>"$GITHUB_STEP_SUMMARY"
    fi
fi

echo "== ttgen check"
"$TTGEN" check --master "$master"

echo "== pytest generated/ (emulator)"
TTGEN_BACKEND=emu "$PYTHON" -m pytest -q -p no:cacheprovider -rxs generated/
