#!/usr/bin/env bash
# Sets up and builds llmo (tools/scripts/setup.sh), then runs the whole test
# suite with ctest: lit (IR, importer, tools, numeric end-to-end against
# onnxruntime) and GoogleTest.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/scripts/setup.sh
ctest --test-dir build --output-on-failure -j2
