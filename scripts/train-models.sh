#!/usr/bin/env bash
# Trains the project's detectors on synthetic scenes into build/models/detector-NAME.pt,
# skipping those already trained. A NAME is a size (n, s, m: trained side by side in
# one run, about 3.5 minutes for all three on a 2-core machine, docs/benchmarks.md),
# optionally an input in pixels (n160: the n network at a 160-pixel input; 320
# otherwise), optionally "-street": people, cars and bikes instead of people only.
# By default the people detectors n, s, m and REACT's models: the low-resolution edge
# model n160-street and the cloud's m-street.
# Usage: [SIZES="n s m n160-street m-street"] scripts/train-models.sh [extra train-detector options]
set -euo pipefail
cd "$(dirname "$0")/.."
family=()
others=()
for name in ${SIZES:-n s m n160-street m-street}; do
  if [[ -f build/models/detector-$name.pt ]]; then
    echo "build/models/detector-$name.pt: already trained"
  elif [[ $name =~ ^[nsm]$ ]]; then
    family+=("$name")
  elif [[ $name =~ ^[nsm][0-9]*(-street)?$ ]]; then
    others+=("$name")
  else
    echo "train-models.sh: '$name' is not a size (n, s, m), a size and an input (n160), either with -street" >&2
    exit 2
  fi
done
if [[ ${#family[@]} -gt 0 ]]; then
  echo "training detector ${family[*]} first (once; on a 2-core machine all three take about 3.5 min, m alone about 3; a progress line every 5 s)"
  build/cli/troupe train-detector --size "${family[@]}" -o 'build/models/detector-{size}.pt' "$@"
fi
for name in ${others[@]+"${others[@]}"}; do
  size=${name:0:1}
  base=${name%-street}
  options=(--size "$size")
  [[ ${#base} -gt 1 ]] && options+=(--input "${base:1}")
  [[ $name == *-street ]] && options+=(--classes person car bike)
  echo "training detector-$name (${options[*]}; one to three minutes)"
  build/cli/troupe train-detector "${options[@]}" -o "build/models/detector-$name.pt" "$@"
done
