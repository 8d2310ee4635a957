#!/usr/bin/env bash
# The main job: install, build, and run a topology (default: the demo) on an embedded
# nats-server until its duration ends (the demo: 20 s), printing a line a second, the
# run report and the files it wrote. Project detectors the topology names
# (build/models/detector-*.pt) that are not trained yet are trained first.
# Usage: scripts/run-demo.sh [topologies/FILE.yaml] [troupe run options, e.g. --duration 30]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
topology=topologies/demo.yaml
if [[ $# -gt 0 && $1 != -* ]]; then
  topology=$1
  shift
fi
sizes=$( (grep -oE 'build/models/detector-[nsm][0-9]*(-street)?\.pt' "$topology" || true) | sed 's/.*detector-\(.*\)\.pt/\1/' | sort -u | tr '\n' ' ')
if [[ -n ${sizes// /} ]]; then
  SIZES="$sizes" bash scripts/train-models.sh
fi
exec ./build/cli/troupe run "$topology" "$@"
