#!/usr/bin/env bash
# libtorch on Debian's reference BLAS against OpenBLAS, side by side in one run:
# build/bench/torch_blas_bench under each (libtorch loads libblas.so.3, found first in
# LD_LIBRARY_PATH), RUNS times each, alternating; prints the medians and their ratio.
# Usage: [RUNS=3] bench/blas_ratio.sh
set -euo pipefail
cd "$(dirname "$0")/.."
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
declare -A dirs=([reference]=/usr/lib/$arch/blas [openblas]=/usr/lib/$arch/openblas-pthread)
for blas in reference openblas; do
  [[ -f ${dirs[$blas]}/libblas.so.3 ]] || { echo "blas_ratio: ${dirs[$blas]}/libblas.so.3 is missing" >&2; exit 1; }
done
out=$(mktemp -d)
for run in $(seq "${RUNS:-3}"); do
  for blas in reference openblas; do
    echo "run $run/${RUNS:-3}: $blas" >&2
    LD_LIBRARY_PATH=${dirs[$blas]} OPENBLAS_NUM_THREADS=1 build/bench/torch_blas_bench >"$out/$blas-$run.txt"
  done
done
python3 - "$out" "${RUNS:-3}" <<'PY'
import re, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
def figures(blas):
    rows = {}
    for run in range(1, runs + 1):
        for line in open(f"{out}/{blas}-{run}.txt"):
            m = re.match(r"(.+?)\s{2,}([\d.]+) ms", line)
            if m:
                rows.setdefault(m.group(1).strip(), []).append(float(m.group(2)))
    return rows
ref, opn = figures("reference"), figures("openblas")
print(f"libtorch, one thread, median of {runs} runs (min-max), ms")
print(f"{'case':28} {'reference BLAS':>22} {'OpenBLAS':>22} {'ratio':>7}")
for case in ref:
    r, o = ref[case], opn[case]
    cell = lambda v: f"{statistics.median(v):8.2f} ({min(v):.2f}-{max(v):.2f})"
    print(f"{case:28} {cell(r):>22} {cell(o):>22} {statistics.median(r) / statistics.median(o):6.1f}x")
PY
