#!/usr/bin/env bash
# Install, build, and run every test (unit and integration, with real nats-servers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd build
ctest --output-on-failure --timeout 300 "$@"
