#!/usr/bin/env bash
# What a lent GPU proves, in one run of under five minutes (give it a 420 s limit):
# builds gpu/ alone with CUDA (it needs only a compiler, CMake and CUDA, which the lent
# machines have), then runs gpu_bench: the device's letterbox pixels and NMS masks
# against the host-run arithmetic the CPU tests pin to OpenCV and vision (any
# difference fails), our kernels' occupancy as CUDA reports it, and kernel times
# against one CPU core, the detector runner on the plans of gpu-fixtures/ (carry it),
# and kernel_tracer: measured traces of those plans and their co-run slowdowns. Where Troupe's own dependencies are installed beside a GPU,
# `TROUPE_FULL=1` also builds build-cuda/ and runs gpu_ops_test's device tests.
# Usage: scripts/gpu-check.sh [OUT_DIR]   (logs; default build-gpu/check)
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-build-gpu/check}
mkdir -p "$out"
status=0
step() {  # name, command...: runs it, keeps its log, remembers a failure
  local name=$1; shift
  echo "== $name"
  if ! "$@" > "$out/$name.log" 2>&1; then status=1; echo "   FAILED"; fi
  tail -n 40 "$out/$name.log"
}
nvidia-smi --query-gpu=name,compute_cap,memory.total,driver_version --format=csv 2>&1 | tee "$out/device.txt"
# cuDNN from CUDA's folder, else from the Python wheel the lent machines carry.
cudnn=$(python3 -c 'import nvidia.cudnn, os; print(os.path.dirname(nvidia.cudnn.__file__))' 2>/dev/null || true)
[ -n "$cudnn" ] && export LD_LIBRARY_PATH="$cudnn/lib:${LD_LIBRARY_PATH:-}"
step configure cmake -S gpu -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release ${cudnn:+-DCUDNN_ROOT=$cudnn}
step build cmake --build build-gpu -j "$(nproc)"
# Plans made here by scripts/gpu-fixtures.sh and carried: the CUDA runner's parity and speed.
step bench build-gpu/gpu_bench 25 $(ls gpu-fixtures/*.plan 2>/dev/null)
# Measured (CUPTI) traces of the runner at batches 1 and 8, and the pairs' co-run
# slowdowns; the traces leave packed (the device tool returns few files).
if [ -x build-gpu/kernel_tracer ] && ls gpu-fixtures/*.plan >/dev/null 2>&1; then
  step tracer build-gpu/kernel_tracer "$out/traces" 50 gpu-fixtures/*.plan
  [ -d "$out/traces" ] && tar czf "$out/traces.tgz" -C "$out" traces && rm -rf "$out/traces"
fi
if [ "${TROUPE_FULL:-0}" = 1 ]; then
  step full-configure cmake -S . -B build-cuda -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTROUPE_CUDA=ON
  step full-build cmake --build build-cuda -j "$(nproc)" --target gpu_ops_test
  step full-tests build-cuda/tests/gpu_ops_test
  grep -q "SKIPPED \]" "$out/full-tests.log" && { echo "   device tests skipped"; status=1; }
fi
exit $status
