#!/usr/bin/env bash
# Install, build, and run every test (unit and integration, with real nats-servers).
# Where nvcc is installed, the GPU operations are also built with CUDA (build-cuda/) and
# their tests run: the device parity ones skip unless a GPU is there.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
if [ -x /usr/local/cuda/bin/nvcc ] || command -v nvcc >/dev/null; then
  cmake -S . -B build-cuda -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTROUPE_CUDA=ON >/dev/null
  cmake --build build-cuda -j "$(nproc)" --target gpu_ops_test gpu_bench
  if ninja -C build-cuda -t targets all | grep -q '^kernel_tracer:'; then  # where CUPTI and cuDNN are
    cmake --build build-cuda -j "$(nproc)" --target kernel_tracer
  fi
  build-cuda/tests/gpu_ops_test
fi
cd build
ctest --output-on-failure --timeout 300 "$@"
