#!/usr/bin/env bash
# Builds llmo with AddressSanitizer + UndefinedBehaviorSanitizer (UB aborts)
# in build-asan/ and runs the whole test suite there. Run after
# tools/scripts/setup.sh (which installs the dependencies and .venv).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.ccache}"
cmake -G Ninja -S . -B build-asan \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLLMO_ENABLE_SANITIZERS=ON \
  -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
  -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
  -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
  -DLLMO_PYTHON="$PWD/.venv/bin/python" > build-asan.configure.log \
  || { cat build-asan.configure.log; exit 1; }
cmake --build build-asan -j2
ctest --test-dir build-asan --output-on-failure -j2
