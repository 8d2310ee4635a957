#!/usr/bin/env bash
# Soak (issue 20): 16 synthetic cameras (2 fps, MOG2 replicas on two edge nodes, one
# sink on a server node) for MINUTES minutes (default 30) in one `troupe run`. Every
# minute it prints the run's resident memory (troupe and its nats-server) and the sink's
# last line (with the books so far); at the end, the memory's slope after a warm-up (least squares over the
# minutes after WARMUP, default 5) in MB per 10 minutes, the goal ≤ 1, and the run's own
# books and verdict. Exits 1 when the slope misses the goal, the books do not close or
# the run fails.
# HEAPTRACK=1 runs troupe under heaptrack (OUT/heaptrack.*) and prints its heap at the
# end: compare two lengths to tell live growth from the allocator's (docs/benchmarks.md).
# SMAPS=1 keeps troupe's /proc/PID/smaps every minute (OUT/smaps-M) and prints at the end
# which mappings grew after the warm-up: the heap, a thread's arena, a stack, a file.
# Usage: [MINUTES=30] [WARMUP=5] [CAMERAS=16] [OUT=build/reports/soak] [HEAPTRACK=1] [SMAPS=1] scripts/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${MINUTES:-30}
warmup=${WARMUP:-5}
cameras=${CAMERAS:-16}
out=${OUT:-build/reports/soak}
mkdir -p "$out"
topology=$out/soak.yaml
{
  echo "deployment: soak"
  echo "nats: embedded"
  echo "runtime: { duration_s: $((minutes * 60)) }"
  echo "nodes: [{name: edge-1}, {name: edge-2}, {name: server}]"
  echo "actors:"
  echo "  - { name: mog-1, kind: detector, node: edge-1, params: { model: mog2 } }"
  echo "  - { name: mog-2, kind: detector, node: edge-2, params: { model: mog2 } }"
  for c in $(seq 1 "$cameras"); do
    e=$(( (c - 1) % 2 + 1 ))
    echo "  - { name: cam-$c, kind: camera, node: edge-$e, params: { source: synthetic, seed: $c, fps: 2, detector: mog-$e, sink: sink } }"
  done
  echo "  - { name: sink, kind: sink, node: server, params: { report: $out/soak } }"
} > "$topology"

log=$out/soak.log
if [ "${HEAPTRACK:-0}" = 1 ]; then
  rm -f "$out"/heaptrack.*
  heaptrack -o "$out/heaptrack" build/cli/troupe run "$topology" > "$log" 2>&1 &
else
  build/cli/troupe run "$topology" > "$log" 2>&1 &
fi
run=$!
trap 'kill $run 2>/dev/null || true' EXIT

rss_mb() {  # the run and its children (the embedded nats-server), in MB
  local total=0
  for p in $run $(pgrep -P "$run" || true); do
    total=$((total + $(awk '/VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
  done
  awk -v kb="$total" 'BEGIN { printf "%.1f", kb / 1024 }'
}
nats_mb() {  # the embedded nats-server alone: its share of the growth is not troupe's
  local kb=0
  for p in $(pgrep -f "nats-server .*troupe-nats" || true); do
    [ "$(ps -o sid= -p "$p" 2>/dev/null | tr -d ' ')" = "$(ps -o sid= -p $run | tr -d ' ')" ] &&
      kb=$((kb + $(awk '/VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
  done
  awk -v kb="$kb" 'BEGIN { printf "%.1f", kb / 1024 }'
}

samples=$out/rss.dat
: > "$samples"
start=$(date +%s)
for m in $(seq 1 "$minutes"); do
  while [ $(( $(date +%s) - start )) -lt $((m * 60)) ]; do
    kill -0 $run 2>/dev/null || break 2
    sleep 5
  done
  kill -0 $run 2>/dev/null || break  # ended: no sample of a process that is gone
  mb=$(rss_mb)
  nmb=$(nats_mb)
  echo "$m $mb $nmb" >> "$samples"
  [ "${SMAPS:-0}" = 1 ] && { cp "/proc/$run/smaps" "$out/smaps-$m" 2>/dev/null || true; }
  last=$(grep -a "sink t=" "$log" | tail -1 | sed 's/^.*sink t=/sink t=/')
  printf 'soak: minute %3d/%d  rss %8s MB (nats-server %s)  eta %3d min  %s\n' "$m" "$minutes" "$mb" "$nmb" \
    $((minutes - m)) "$last"
done
wait $run && rc=0 || rc=$?
trap - EXIT

echo
grep -a -E "node .*: sent|run ok|run FAILED|restarted" "$log" | tail -20 || true
echo "the books (every frame delivered, dropped, lost or in flight; unaccounted must be 0):"
awk '/^camera +produced/ { on = 1 } /^replica / { on = 0 } on' "$log"
slope=$(awk -v w="$warmup" '$1 > w { n++; sx += $1; sy += $2; sxx += $1*$1; sxy += $1*$2 }
  END { if (n < 2) { print "nan"; exit } d = n*sxx - sx*sx; printf "%.2f", (d == 0 ? 0 : (n*sxy - sx*sy) / d * 10) }' "$samples")
nats_slope=$(awk -v w="$warmup" '$1 > w { n++; sx += $1; sy += $3; sxx += $1*$1; sxy += $1*$3 }
  END { if (n < 2) { print "nan"; exit } d = n*sxx - sx*sx; printf "%.2f", (d == 0 ? 0 : (n*sxy - sx*sy) / d * 10) }' "$samples")
echo "soak: memory slope after minute $warmup: $slope MB per 10 min (goal <= 1), of which the nats-server" \
  "$nats_slope; samples in $samples"
ok=$(awk -v s="$slope" 'BEGIN { print (s != "nan" && s <= 1) ? 1 : 0 }')
closed=1
if grep -aq "NOT CLOSED" "$log" || ! grep -aq "^camera  *produced" "$log"; then
  echo "soak: the books do not close (or were not printed)"
  closed=0
fi
if [ "${HEAPTRACK:-0}" = 1 ]; then
  for f in "$out"/heaptrack.*; do
    echo "soak: heaptrack's summary of $f"
    heaptrack_print -f "$f" -p 1 -a 0 -T 0 -l 0 -n 25 -s 0 2>/dev/null > "$out/heaptrack-peaks.txt" || true
    grep -E "^(peak heap|peak RSS|total memory leaked|calls to allocation)" "$out/heaptrack-peaks.txt" || true
    echo "(the peak consumers: $out/heaptrack-peaks.txt)"
  done
fi
if [ "${SMAPS:-0}" = 1 ] && [ -f "$out/smaps-$warmup" ]; then
  last=$(ls "$out"/smaps-* | sed 's/.*smaps-//' | sort -n | tail -1)
  echo "soak: troupe's mappings that grew from minute $warmup to $last (kB resident, of it on huge pages):"
  awk -f scripts/smaps_growth.awk "$out/smaps-$warmup" "$out/smaps-$last" | head -25
fi
[ "$rc" -eq 0 ] && [ "$ok" -eq 1 ] && [ "$closed" -eq 1 ]
