#!/usr/bin/env bash
# Trains the project's detector family (n, s, m) on synthetic scenes into
# build/models/detector-{n,s,m}.pt, skipping sizes already trained.
# Usage: [SIZES="n s m"] scripts/train-models.sh [extra train-detector options]
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build/models
for size in ${SIZES:-n s m}; do
  out=build/models/detector-$size.pt
  if [[ -f $out ]]; then
    echo "$out: already trained"
    continue
  fi
  build/cli/troupe train-detector --size "$size" -o "$out" "$@"  # written only at the end
done
