#!/usr/bin/env bash
# What seeing a run costs (issue 21): the README's demo run RUNS times (default 3) each
# plain and observed — metrics served on a port and scraped every second, every envelope
# traced (TRACE=trace: binary, the default; TRACE=jsonl: JSON lines) — alternating,
# DURATION seconds each (default 20). Prints each run's frames
# delivered and end-to-end latency p50/p95 from the sink's report, then the medians and
# the observed/plain ratios; the goal is ≤ 5 % on both. The bus's own figure is
# `build/bench/bus_bench --observed`.
# Usage: [RUNS=3] [DURATION=20] [TRACE=trace|jsonl] [OUT=build/reports/observability] scripts/observability_cost.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
duration=${DURATION:-20}
out=${OUT:-build/reports/observability}
port=${PORT:-19464}
extension=${TRACE:-trace}
mkdir -p "$out"

# The overall figure `key` (frames, p50, p95) of a sink report.
figure() {
  local json=$1 key=$2
  case $key in
    frames) grep -m1 -o '"frames": [0-9]*' "$json" | grep -o '[0-9]*$' ;;
    *) sed -n '/"overall"/,$p' "$json" | grep -m1 -o "\"$key\": [0-9.e+-]*" | grep -o '[0-9.e+-]*$' ;;
  esac
}

scrape_every_second() {
  while sleep 1; do
    exec 3<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null || continue
    printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3
    cat <&3 >/dev/null
    exec 3<&-
  done
}

run_one() {  # mode, run
  local mode=$1 r=$2 topology="$out/$1-$2.yaml"
  sed "s|report: build/reports/demo|report: $out/$mode-$r|" topologies/demo.yaml > "$topology"
  if [ "$mode" = observed ]; then
    sed -i "s|^runtime:|runtime:\n  trace_file: $out/observed-$r.$extension|" "$topology"
    rm -f "$out/observed-$r.$extension"
    scrape_every_second & local scraper=$!
    build/cli/troupe --quiet run "$topology" --duration "$duration" --metrics-port "$port" > "$out/$mode-$r.log" 2>&1
    kill $scraper; wait $scraper 2>/dev/null || true
  else
    build/cli/troupe --quiet run "$topology" --duration "$duration" > "$out/$mode-$r.log" 2>&1
  fi
  local json="$out/$mode-$r.json"
  printf '%-9s run %d: frames %5s  p50 %7.1f ms  p95 %7.1f ms\n' "$mode" "$r" "$(figure "$json" frames)" \
    "$(figure "$json" p50)" "$(figure "$json" p95)"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }

for r in $(seq 1 "$runs"); do
  run_one plain "$r"
  run_one observed "$r"
done
echo
for key in frames p50 p95; do
  plain=$(for r in $(seq 1 "$runs"); do figure "$out/plain-$r.json" "$key"; done | median)
  observed=$(for r in $(seq 1 "$runs"); do figure "$out/observed-$r.json" "$key"; done | median)
  printf 'median %-6s plain %8.1f  observed %8.1f  observed/plain %.3f\n' "$key" "$plain" "$observed" \
    "$(awk -v a="$observed" -v b="$plain" 'BEGIN {print (b > 0 ? a / b : 0)}')"
done
events=0
for r in $(seq 1 "$runs"); do
  events=$((events + $(build/cli/troupe trace cat "$out/observed-$r.$extension" | wc -l)))
done
echo "trace events ($extension) written by the observed runs: $events"
