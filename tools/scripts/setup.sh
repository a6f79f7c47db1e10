#!/usr/bin/env bash
# Installs llmo's build and test dependencies on Debian 12 and builds llmo.
#
# - Debian packages: LLVM/MLIR 22, ONNX, protobuf, GoogleTest, CMake, Ninja,
#   ccache (see docs/GettingStarted.md for the list and why).
# - Python test helpers (numpy, onnx, onnxruntime, pinned in
#   requirements-dev.txt) go into a virtual environment .venv/ made with the
#   `python3` on PATH; the compiler and runtime never use Python.
# - ccache keeps its cache in $HOME/.ccache (outside the repository).
set -euo pipefail
cd "$(dirname "$0")/../.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

packages=(cmake ninja-build ccache g++ python3 python3-venv
          libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools liblld-22-dev
          libonnx-dev libprotobuf-dev protobuf-compiler libgtest-dev zlib1g-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "${missing[@]}"
fi

if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv with $(command -v python3)"
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check \
  -r requirements-dev.txt

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.ccache}"
echo "== configuring and building (build/, -j2)"
cmake -G Ninja -S . -B build \
  -DCMAKE_BUILD_TYPE=Release \
  -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
  -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
  -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
  -DLLMO_PYTHON="$PWD/.venv/bin/python" > build.configure.log \
  || { cat build.configure.log; exit 1; }
cmake --build build -j2
