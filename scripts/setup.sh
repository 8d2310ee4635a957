#!/usr/bin/env bash
# Installs Troupe's build and run dependencies from Debian's archive.
# Idempotent: packages already present are skipped; safe to run on every build.
# --fuzz adds clang and its libFuzzer runtime, for scripts/fuzz.sh.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libcaf-dev libnats-dev nats-server libssl-dev
  libprotobuf-dev protobuf-compiler
  libyaml-cpp-dev libcli11-dev libspdlog-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev
  libopencv-dev libavutil-dev libavcodec-dev libx264-164 opencv-doc opencv-data
  libtesseract-dev tesseract-ocr-eng
  libtorch-dev libonnx-dev libopenblas0-pthread
  gnuplot-nox libcpp-httplib-dev prometheus chromium-headless-shell
)
[ "${1:-}" = "--fuzz" ] && packages+=(clang libclang-rt-14-dev)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
