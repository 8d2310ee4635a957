#!/usr/bin/env bash
# Records VideoJam's incoming-load traces and trains the load forecaster on them:
# runs a scenario (default topologies/videojam/videojam-mobile.yaml) for DURATION seconds with
# every balanced replica writing its arrivals per slot (load_trace), then
# `troupe train-forecaster` on those traces into build/models/forecaster.txt. Every
# `seed` in the recording is moved by 500, so the scenes it trains on are none of
# those `troupe bench videojam` measures on (the file's seeds and +1000 per repeat).
# Usage: [DURATION=240] scripts/train-forecaster.sh [TOPOLOGY] [extra train-forecaster options]
set -euo pipefail
cd "$(dirname "$0")/.."
topology=${1:-topologies/videojam/videojam-mobile.yaml}
shift || true
traces=build/reports/traces
mkdir -p "$traces" build/models
recording=build/reports/record-$(basename "$topology")
# Each balanced `kind: videojam-function` line gets its own trace file, named after the replica.
awk -v dir="$traces" '/kind: videojam-function/ && !/balancer: none/ && match($0, /name: [A-Za-z0-9_-]+/) {
  name = substr($0, RSTART + 6, RLENGTH - 6); sub(/params: \{ /, "params: { load_trace: " dir "/" name ".csv, ")
}
match($0, /seed: [0-9]+/) {
  seed = substr($0, RSTART + 6, RLENGTH - 6) + 500
  $0 = substr($0, 1, RSTART - 1) "seed: " seed substr($0, RSTART + RLENGTH)
} { print }' "$topology" > "$recording"
SIZES=n scripts/train-models.sh
build/cli/troupe run "$recording" --duration "${DURATION:-240}"
build/cli/troupe train-forecaster "$traces"/*.csv -o build/models/forecaster.txt "$@"
