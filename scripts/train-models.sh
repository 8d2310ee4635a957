#!/usr/bin/env bash
# Trains the project's detector family (n, s, m) on synthetic scenes into
# build/models/detector-{n,s,m}.pt, side by side in one run, skipping sizes already
# trained. All three take about 3.5 minutes on a 2-core machine (docs/benchmarks.md).
# Usage: [SIZES="n s m"] scripts/train-models.sh [extra train-detector options]
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
for size in ${SIZES:-n s m}; do
  if [[ -f build/models/detector-$size.pt ]]; then
    echo "build/models/detector-$size.pt: already trained"
  else
    missing+=("$size")
  fi
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "training detector ${missing[*]} first (once; on a 2-core machine all three take about 3.5 min, m alone about 3; a progress line every 5 s)"
  build/cli/troupe train-detector --size "${missing[@]}" -o 'build/models/detector-{size}.pt' "$@"
fi
