#!/usr/bin/env bash
# Trains the project's detectors on synthetic scenes into build/models/detector-NAME.pt,
# skipping those already trained. A name is a size (n, s, m: trained side by side in
# one run, about 3.5 minutes for all three on a 2-core machine, docs/benchmarks.md) or
# a size and an input in pixels (n160: the n network at a 160-pixel input, REACT's
# low-resolution edge model, about a minute; the default input is 320).
# Usage: [SIZES="n s m n160"] scripts/train-models.sh [extra train-detector options]
set -euo pipefail
cd "$(dirname "$0")/.."
family=()
inputs=()
for name in ${SIZES:-n s m n160}; do
  if [[ -f build/models/detector-$name.pt ]]; then
    echo "build/models/detector-$name.pt: already trained"
  elif [[ $name =~ ^[nsm]$ ]]; then
    family+=("$name")
  elif [[ $name =~ ^[nsm][0-9]+$ ]]; then
    inputs+=("$name")
  else
    echo "train-models.sh: '$name' is neither a size (n, s, m) nor a size and an input (e.g. n160)" >&2
    exit 2
  fi
done
if [[ ${#family[@]} -gt 0 ]]; then
  echo "training detector ${family[*]} first (once; on a 2-core machine all three take about 3.5 min, m alone about 3; a progress line every 5 s)"
  build/cli/troupe train-detector --size "${family[@]}" -o 'build/models/detector-{size}.pt' "$@"
fi
for name in ${inputs[@]+"${inputs[@]}"}; do
  echo "training detector-$name (the ${name:0:1} network at a ${name:1}-pixel input; about a minute)"
  build/cli/troupe train-detector --size "${name:0:1}" --input "${name:1}" -o "build/models/detector-$name.pt" "$@"
done
