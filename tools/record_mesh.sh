#!/usr/bin/env bash
# Re-record the multi-device real-ttnn operation traces in tests/fixtures/mesh/<system>/ (operation_parameters/
# with one JSON file per successful call, and calls.tsv with every attempted call). Needs an interpreter with
# the real ttnn 0.81.1 wheel and its mock cluster descriptors in <venv>/mock_cluster/:
#
#     bash tools/record_mesh.sh /work/ttnn-venv/bin/python [t3k|galaxy|all]
#
# t3k: mesh 2x4 on wormhole_t3k_grid8x8.yaml -> t3k_2x4/; galaxy: mesh 4x8 on wormhole_galaxy_6u.yaml ->
# galaxy_4x8/. ttnn writes ./generated/ into its working directory, so each system runs in a scratch folder;
# only the per-call JSON files and calls.tsv are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${1:?usage: record_mesh.sh PYTHON [t3k|galaxy|all]}"
PY="$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")"  # absolute, not resolved: a venv's python is a link
WHAT="${2:-all}"
ROOT="$PWD"
DESC="$(dirname "$(dirname "$PY")")/mock_cluster"
case "$WHAT" in
    t3k) systems=(t3k) ;;
    galaxy) systems=(galaxy) ;;
    all) systems=(t3k galaxy) ;;
    *) echo "usage: record_mesh.sh PYTHON [t3k|galaxy|all]" >&2; exit 2 ;;
esac
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

for system in "${systems[@]}"; do
    case "$system" in
        t3k) yaml=wormhole_t3k_grid8x8.yaml mesh=2x4 ;;
        galaxy) yaml=wormhole_galaxy_6u.yaml mesh=4x8 ;;
    esac
    [ -f "$DESC/$yaml" ] || { echo "no mock cluster descriptor $DESC/$yaml" >&2; exit 1; }
    mkdir -p "$scratch/$system/cwd"
    (cd "$scratch/$system/cwd" && TT_METAL_MOCK_CLUSTER_DESC_PATH="$DESC/$yaml" TT_LOGGER_LEVEL=error \
        LOGURU_LEVEL=WARNING TTNN_CONFIG_OVERRIDES='{"enable_fast_runtime_mode": false}' \
        "$PY" "$ROOT/tools/trace_mesh.py" "$mesh" "$scratch/$system/out" >"$scratch/$system/log" 2>&1) || {
        echo "trace_mesh.py failed for $system ($mesh); its log:" >&2
        tail -n 40 "$scratch/$system/log" >&2
        exit 1
    }
    [ -s "$scratch/$system/out/calls.tsv" ] && [ -d "$scratch/$system/out/operation_parameters" ] || {
        echo "no trace written for $system" >&2
        exit 1
    }
    dest="$ROOT/tests/fixtures/mesh/${system}_$mesh"
    rm -rf "$dest"
    mkdir -p "$dest"
    cp -r "$scratch/$system/out/operation_parameters" "$dest/"
    cp "$scratch/$system/out/calls.tsv" "$dest/"
    echo "$system $mesh: $(tail -n 1 "$scratch/$system/log"); $(find "$dest/operation_parameters" -name '*.json' | wc -l) JSON files"
done
