#!/usr/bin/env bash
# What scripts/gpu-check.sh feeds the CUDA runner on a lent GPU, made here where
# Troupe is built: the detector family n, s, m at inputs 320 and 640, trained a few
# steps (weights do not change speed, and parity is against the plan's own host
# reference), exported as plans into gpu-fixtures/ (git-ignored; carry it).
# Usage: scripts/gpu-fixtures.sh [STEPS]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-20}
mkdir -p gpu-fixtures
for input in 320 640; do
  build/cli/troupe train-detector --size n s m --steps "$steps" --batch 4 --eval-frames 0 --input "$input" \
    -o "gpu-fixtures/detector-{size}-i$input.pt"
  for size in n s m; do
    build/cli/troupe export-plan "gpu-fixtures/detector-$size-i$input.pt" -o "gpu-fixtures/detector-$size-i$input.plan"
  done
done
ls -l gpu-fixtures/*.plan
