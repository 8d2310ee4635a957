#!/usr/bin/env bash
# Penance's whole pipeline, each step skipped when its output is there (delete it to
# redo): the five edge models (troupe train-segmenters), every drive's table (troupe
# penance-dataset, which itself keeps tables whose key holds), the bitrate estimator,
# Penance's and CASVA-C's adapters, DAO-C's MobileNet-style segmenter and predictor,
# then `troupe bench penance --live` (Figs. 14-15 on the replay, the live leg beside).
# About 4 h on two cores at the default sizes; STEPS/FINETUNE and PPO_STEPS shorten it.
# Usage: [MODELS=build/models] [TABLES=build/penance/tables] [OUT=build/reports/bench-penance]
#        [THREADS=0] [PPO_STEPS=300000] scripts/train-penance.sh
set -euo pipefail
cd "$(dirname "$0")/.."
models=${MODELS:-build/models}
tables=${TABLES:-build/penance/tables}
threads=${THREADS:-0}
troupe=build/cli/troupe
mkdir -p "$models"

[ -f "$models/segmenter-4.pt" ] || $troupe train-segmenters --threads "$threads" -o "$models/segmenter-{v}.pt"
$troupe penance-dataset --models "$models/segmenter-{v}.pt" -o "$tables"
[ -f "$models/penance-estimator.pt" ] ||
  $troupe train-penance --stage estimator --tables "$tables" --threads "$threads" -o "$models/penance-estimator.pt"
for variant in penance casva-c; do
  out=$models/$variant-adapter.pt
  [ -f "$out" ] || $troupe train-penance --stage adapter --variant "$variant" --tables "$tables" --threads "$threads" \
    --estimator "$models/penance-estimator.pt" --steps "${PPO_STEPS:-300000}" -o "$out"
done
[ -f "$models/mobile-0.pt" ] ||
  $troupe train-segmenters --family mobile --sparsities 0.5 --threads "$threads" -o "$models/mobile-{v}.pt"
[ -f "$models/dao-c.pt" ] || $troupe train-penance --stage dao --tables "$tables" --threads "$threads" \
  --backbone "$models/mobile-0.pt" -o "$models/dao-c.pt"
$troupe bench penance --tables "$tables" --models "$models/segmenter-{v}.pt" --estimator "$models/penance-estimator.pt" \
  --penance "$models/penance-adapter.pt" --casva "$models/casva-c-adapter.pt" --dao "$models/dao-c.pt" \
  --live --resume -o "${OUT:-build/reports/bench-penance}"
