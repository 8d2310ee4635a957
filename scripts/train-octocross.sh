#!/usr/bin/env bash
# Records OctoCross's training traces and trains its model on them: the campus
# (default topologies/octocross/campus.yaml) without offloading at each size, one run of
# DURATION seconds each (the issue's 20 min), its scheduler sampling every node each
# second (`troupe bench octocross --traces`); every seed moved by 500, so the crowds it
# trains on are none of those the bench measures on (the file's and +1000 per repeat).
# Then `troupe train-octocross` on all the traces, once per model (OctoCross, its two
# ablations, GNN_LSTM) into WORK/models/MODEL-SITE.pt (e.g. octocross-campus.pt), and
# `troupe train-forecaster --network lstm` on the replicas' arrivals into
# WORK/models/distream-SITE.txt: the files `troupe bench octocross` reads; and
# OctoCross and GNN_LSTM on the first size alone (MODEL-SITE-8.pt), for Fig. 8's
# `troupe bench octocross-adaptation`, where the cameras that join are new to them. Recording resumes: a size whose trace is done is
# not run again; a model whose file exists is not trained again (delete it to).
# WORK (default build) holds both: WORK/reports/octocross-traces/SITE and WORK/models; a
# folder the repository tracks lets recordings and models outlive one machine, as a
# sweep that spans sessions needs.
# Usage: [DURATION=1200] [SIZES="8 12 16"] [MODELS="octocross temp_abl spat_abl gnn_lstm"] [WORK=build]
#        scripts/train-octocross.sh [TOPOLOGY] [extra train-octocross options]
set -euo pipefail
cd "$(dirname "$0")/.."
topology=${1:-topologies/octocross/campus.yaml}
shift || true
name=$(basename "$topology" .yaml)
work=${WORK:-build}
traces=$work/reports/octocross-traces/$name
models=$work/models
mkdir -p "$traces" "$models"
# shellcheck disable=SC2086
build/cli/troupe bench octocross "$topology" --policies none --sizes ${SIZES:-8 12 16} --repeats 1 --traces \
  --seed-base 500 --duration "${DURATION:-1200}" --resume -o "$traces"
for model in ${MODELS:-octocross temp_abl spat_abl gnn_lstm}; do
  out=$models/$model-$name.pt
  [ -f "$out" ] || build/cli/troupe train-octocross "$traces"/*-trace.csv --model "$model" -o "$out" "$@"
done
# Fig. 8's models know only the first size's cameras (bench octocross-adaptation).
first=$(echo ${SIZES:-8 12 16} | cut -d' ' -f1)
for model in octocross gnn_lstm; do
  out=$models/$model-$name-$first.pt
  [ -f "$out" ] || build/cli/troupe train-octocross "$traces"/*-none-"$first"-r0-trace.csv --model "$model" -o "$out" "$@"
done
# Distream's LSTM forecaster, on the replicas' arrivals per slot.
out=$models/distream-$name.txt
if [ ! -f "$out" ]; then
  if ! compgen -G "$traces/*-load-*.csv" > /dev/null; then
    echo "no replica arrivals in $traces (recorded by an older troupe): remove its runs' reports to record again" >&2
    exit 1
  fi
  build/cli/troupe train-forecaster "$traces"/*-load-*.csv --network lstm -o "$out"
fi
