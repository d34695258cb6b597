#!/usr/bin/env bash
# Re-record real ttnn's answers for the conformance corpus into tests/conformance/fixtures/ (after
# the embedded master, the seed master or the emulator's corpus changed). Needs an interpreter
# with the real ttnn wheel and its mock cluster descriptors (../shared/tools/setup-ttnn-mock.sh):
#
#     bash tools/record_conformance.sh .venv-ttnn312/bin/python [ops|specs|roundtrips|mesh|all]
#
# ttnn writes files into its working directory and its logger into stdout, so it runs in a scratch
# folder and the answers go to files. Then `ttgen conformance` compares the emulator with them.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${1:?usage: record_conformance.sh PYTHON [ops|specs|roundtrips|mesh|all]}"
PY="$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")"  # absolute, not resolved: a venv's python is a link
WHAT="${2:-all}"
ROOT="$PWD"
FIX="$ROOT/tests/conformance/fixtures"
DESC="$(dirname "$(dirname "$PY")")/mock_cluster"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

record() {  # record ARCH_YAML WHAT OUT [ARGS...]
    local yaml=$1 kind=$2 out=$3
    shift 3
    (cd "$scratch" && PYTHONPATH="$ROOT" TTGEN_BACKEND=ttnn TT_LOGGER_LEVEL=error \
        TT_METAL_MOCK_CLUSTER_DESC_PATH="$DESC/$yaml" \
        "$PY" "$ROOT/tests/conformance/record_ttnn.py" "$kind" "$out" "$@" >/dev/null)
    echo "recorded $out"
}

if [ "$WHAT" = all ] || [ "$WHAT" = roundtrips ]; then
    record wormhole_N150.yaml roundtrips "$FIX/roundtrips.json"
fi
for pair in "wormhole_b0 wormhole_N150.yaml" "blackhole blackhole_P150.yaml"; do
    set -- $pair
    if [ "$WHAT" = all ] || [ "$WHAT" = specs ]; then
        record "$2" specs "$FIX/specs_$1.json"
    fi
    if [ "$WHAT" = all ] || [ "$WHAT" = ops ]; then
        # the generated packages of every conformance input, compiled by ttgen's own venv
        mapfile -t packages < <(.venv/bin/python -c "
from pathlib import Path
from ttgen.conformance.ops import compile_inputs
print('\n'.join(map(str, compile_inputs(Path('$scratch/packages-$1')))))")
        record "$2" ops "$FIX/ops_$1.json" "${packages[@]}"
    fi
done
if [ "$WHAT" = all ] || [ "$WHAT" = mesh ]; then
    # mesh cases, each input on the mock system it was traced for (ttgen.conformance.mesh.SYSTEMS)
    for pair in "t3k wormhole_t3k_grid8x8.yaml" "galaxy wormhole_galaxy_6u.yaml" "gpt_oss wormhole_galaxy_6u.yaml"; do
        set -- $pair
        mapfile -t packages < <(.venv/bin/python -c "
from pathlib import Path
from ttgen.conformance.mesh import compile_inputs
print('\n'.join(map(str, compile_inputs('$1', Path('$scratch/mesh-$1')))))")
        record "$2" mesh "$FIX/mesh_$1.json" "${packages[@]}"
        if [ "$1" != gpt_oss ]; then  # each collective's neighbours (ttgen/conformance/mesh_variants.py)
            record "$2" mesh-variants "$FIX/mesh_$1_variants.json" "${packages[@]}"
        fi
    done
fi
