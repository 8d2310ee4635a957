#!/usr/bin/env bash
# Fuzzes the project's readers with libFuzzer (issue 20): the envelope decoder and what
# a node does with what decodes, the topology and device-profile parsers, the trace
# reader and the CSV readers. Builds build-fuzz with clang (ASan + UBSan), runs each
# harness for FUZZ_SECONDS seconds (default 600) from fuzz/seeds/<name> and the kept fuzz/corpus/<name>,
# merges what it found into fuzz/corpus/<name> (minimised: the tests replay it), and
# prints per harness the executions, the corpus kept and the crashes. A crash's input
# lands in build-fuzz/crashes/<name>/ and the script exits 1.
# Usage: [FUZZ_SECONDS=600] [HARNESSES="envelope topology device_profile trace csv input_log"] scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-600}
harnesses=${HARNESSES:-envelope topology device_profile trace csv input_log}
scripts/setup.sh --fuzz
if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTROUPE_FUZZ=ON \
    -DTROUPE_TESTS=OFF -DCMAKE_CXX_COMPILER_LAUNCHER=ccache > /dev/null
fi
ninja -C build-fuzz $(for h in $harnesses; do echo "${h}_fuzzer"; done)

status=0
summary=""
for h in $harnesses; do
  corpus=fuzz/corpus/$h
  found=build-fuzz/found/$h
  crashes=build-fuzz/crashes/$h
  mkdir -p "$corpus" "$found" "$crashes"
  log=build-fuzz/$h.log
  echo "fuzz: $h for $seconds s (log $log)"
  set +e
  build-fuzz/fuzz/${h}_fuzzer "$found" "$corpus" fuzz/seeds/$h -max_total_time="$seconds" -max_len=8192 \
    -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$crashes/" -print_final_stats=1 \
    > "$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -h "stat::number_of_executed_units" "$log" | awk '{s+=$2} END {print s+0}')
  # What it found joins the kept corpus, minimised to the inputs that add coverage.
  merged=build-fuzz/merged/$h
  rm -rf "$merged" && mkdir -p "$merged"
  build-fuzz/fuzz/${h}_fuzzer -merge=1 "$merged" "$corpus" "$found" > build-fuzz/$h.merge.log 2>&1 || true
  if [ -n "$(ls -A "$merged")" ]; then
    rm -rf "$corpus" && mv "$merged" "$corpus"
  fi
  n_crashes=$(find "$crashes" -type f | wc -l)
  ub=$(grep -c "runtime error:" "$log" || true)
  took=$(grep -ho "Done [0-9]* runs in [0-9]* second" "$log" | awk '{print $5}')
  line="$h: $execs executions in ${took:-less than $seconds (stopped at a crash)} s, corpus $(ls "$corpus" | wc -l) inputs, crashes $n_crashes, undefined behaviour reports $ub (libFuzzer exit $rc)"
  echo "fuzz: $line"
  summary+="$line"$'\n'
  if [ "$n_crashes" -gt 0 ] || [ "$ub" -gt 0 ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; }; then status=1; fi
done
printf '\n%s' "$summary"
exit $status
