#!/usr/bin/env bash
# Sets up llmo (tools/scripts/setup.sh), then imports the bundled example
# model (a 2-layer Llama-style decoder exported with torch.onnx.export,
# test/e2e/models/llama.onnx), runs it on the reference interpreter and
# prints its outputs next to onnxruntime's; compiles it to a native W4A16
# artifact (.llmo) and runs that; then compiles its outlier variant to W8A8
# with SmoothQuant and prints the quantization report.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/scripts/setup.sh

work="${TMPDIR:-/tmp}/llmo-demo"
rm -rf "$work" && mkdir -p "$work"
model=test/e2e/models/llama.onnx
echo "== llmo-import $model"
build/bin/llmo-import "$model" -o "$work/llama.mlir" \
  --input-shape input_ids=1x8 --input-shape attention_mask=1x8
echo "   $(grep -c '= llmo\.' "$work/llama.mlir") llmo ops in $work/llama.mlir"
.venv/bin/python - "$work" <<'PY'
import sys, numpy as np
inputs = np.load("test/e2e/models/llama.inputs.npz")
for name in inputs.files:
    np.save(f"{sys.argv[1]}/{name}.npy", inputs[name])
PY
echo "== llmo-run (reference interpreter)"
build/bin/llmo-run "$work/llama.mlir" --input "input_ids=$work/input_ids.npy" \
  --input "attention_mask=$work/attention_mask.npy" --output-dir "$work/out"
echo "== compare with onnxruntime"
.venv/bin/python test/e2e/compare_ort.py "$model" \
  --inputs test/e2e/models/llama.inputs.npz --llmo-import build/bin/llmo-import \
  --llmo-run build/bin/llmo-run --workdir "$work/compare" --shapes-from-inputs \
  | tail -2
echo "== llmo-compile -o llama.llmo (native code, fp32 and W4A16) and llmo-run on it"
build/bin/llmo-compile "$model" -o "$work/llama.llmo" \
  --input-shape input_ids=1x8 --input-shape attention_mask=1x8
build/bin/llmo-run "$work/llama.llmo" --input "input_ids=$work/input_ids.npy" \
  --input "attention_mask=$work/attention_mask.npy" --output-dir "$work/out_llmo" \
  --threads 2 --repeat 20
build/bin/llmo-compile "$model" -o "$work/llama_w4.llmo" --quant=w4a16 --group-size=16 \
  --input-shape input_ids=1x8 --input-shape attention_mask=1x8
build/bin/llmo-run "$work/llama_w4.llmo" --input "input_ids=$work/input_ids.npy" \
  --input "attention_mask=$work/attention_mask.npy" --output-dir "$work/out_w4" --quiet
.venv/bin/python - "$work" <<'PY'
import sys, numpy as np
w = sys.argv[1]
ref = np.load(f"{w}/out/logits.npy")
for name, what in (("out_llmo", "compiled fp32 vs the float interpreter"),
                   ("out_w4", "compiled W4A16 vs the float interpreter "
                              "(the quantization error of 4-bit weights)")):
    got = np.load(f"{w}/{name}/logits.npy")
    cos = float((got * ref).sum() / np.linalg.norm(got) / np.linalg.norm(ref))
    print(f"   {what}: max abs difference {np.abs(got - ref).max():.2e}, "
          f"cosine {cos:.6f}")
PY
echo "== llmo-compile: W8A8 with SmoothQuant on the outlier variant of the model"
build/bin/llmo-compile test/e2e/models/llama_outliers.onnx -o "$work/llama_w8a8.mlir" \
  --input-shape input_ids=1x8 --input-shape attention_mask=1x8 --quant=w8a8 \
  --calibration-data=test/e2e/models/llama_outliers.calib.npz --report-table
build/bin/llmo-run "$work/llama_w8a8.mlir" --input "input_ids=$work/input_ids.npy" \
  --input "attention_mask=$work/attention_mask.npy" --output-dir "$work/out_w8a8"
