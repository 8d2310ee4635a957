#!/usr/bin/env bash
# The main job: install, build, and run a topology (default: the demo) on an embedded
# nats-server. Topologies that serve the project's trained detectors
# (build/models/detector-*.pt) get them trained first, once.
# Usage: scripts/run-demo.sh [topologies/FILE.yaml] [troupe run options]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
topology=topologies/demo.yaml
if [[ $# -gt 0 && $1 != -* ]]; then
  topology=$1
  shift
fi
sizes=$(grep -o 'build/models/detector-[nsm]\.pt' "$topology" | sed 's/.*detector-\(.\)\.pt/\1/' | sort -u | tr '\n' ' ')
if [[ -n $sizes ]]; then
  SIZES="$sizes" bash scripts/train-models.sh
fi
mkdir -p build/reports
exec ./build/cli/troupe run "$topology" "$@"
