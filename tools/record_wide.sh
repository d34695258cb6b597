#!/usr/bin/env bash
# Re-record the wide real-ttnn operation traces in tests/fixtures/wide/<arch>/ (operation_parameters/ with
# one JSON file per successful call, and calls.tsv with every attempted call). Needs an interpreter with
# the real ttnn 0.81.1 wheel and its mock cluster descriptors in <venv>/mock_cluster/:
#
#     bash tools/record_wide.sh /work/ttnn-venv/bin/python [n150|p150|all]
#
# ttnn writes ./generated/ into its working directory, so each arch runs in a scratch folder; only the
# per-call JSON files and calls.tsv are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${1:?usage: record_wide.sh PYTHON [n150|p150|all]}"
PY="$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")"  # absolute, not resolved: a venv's python is a link
WHAT="${2:-all}"
ROOT="$PWD"
DESC="$(dirname "$(dirname "$PY")")/mock_cluster"
case "$WHAT" in
    n150) archs=(n150) ;;
    p150) archs=(p150) ;;
    all) archs=(n150 p150) ;;
    *) echo "usage: record_wide.sh PYTHON [n150|p150|all]" >&2; exit 2 ;;
esac
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

for arch in "${archs[@]}"; do
    case "$arch" in
        n150) yaml=wormhole_N150.yaml ;;
        p150) yaml=blackhole_P150.yaml ;;
    esac
    [ -f "$DESC/$yaml" ] || { echo "no mock cluster descriptor $DESC/$yaml" >&2; exit 1; }
    mkdir -p "$scratch/$arch/cwd"
    (cd "$scratch/$arch/cwd" && TT_METAL_MOCK_CLUSTER_DESC_PATH="$DESC/$yaml" TT_LOGGER_LEVEL=error \
        LOGURU_LEVEL=WARNING TTNN_CONFIG_OVERRIDES='{"enable_fast_runtime_mode": false}' \
        "$PY" "$ROOT/tools/trace_wide.py" "$scratch/$arch/out" >"$scratch/$arch/log" 2>&1) || {
        echo "trace_wide.py failed for $arch; its log:" >&2
        tail -n 40 "$scratch/$arch/log" >&2
        exit 1
    }
    [ -s "$scratch/$arch/out/calls.tsv" ] && [ -d "$scratch/$arch/out/operation_parameters" ] || {
        echo "no trace written for $arch" >&2
        exit 1
    }
    dest="$ROOT/tests/fixtures/wide/$arch"
    rm -rf "$dest"
    mkdir -p "$dest"
    cp -r "$scratch/$arch/out/operation_parameters" "$dest/"
    cp "$scratch/$arch/out/calls.tsv" "$dest/"
    echo "$arch: $(tail -n 1 "$scratch/$arch/log"); $(find "$dest/operation_parameters" -name '*.json' | wc -l) JSON files"
done
