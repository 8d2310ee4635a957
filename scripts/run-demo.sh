#!/usr/bin/env bash
# The main job: install, build, and run the demo topology on an embedded nats-server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
exec ./build/cli/troupe run topologies/demo.yaml "$@"
