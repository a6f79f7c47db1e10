#!/usr/bin/env python3
"""Benchmark models for bench/run_bench.py: specs and ONNX export.

Every model is built from a transformers config with random weights
(torch.manual_seed(0), the transformers default initialization; nothing is
downloaded) and exported with the classic TorchScript exporter
(torch.onnx.export(..., dynamo=False), opset 17) with FIXED input shapes
(batch 1). Same conventions as bench/models/export_bert_base.py and
test/e2e/models/export_models.py (BertWrapper / CausalLMWrapper):

  minilm         BertModel  6 layers, hidden 384, 12 heads, ffn 1536, seq 128
  bert-base      BertModel 12 layers, hidden 768, 12 heads, ffn 3072, seq 128
                 inputs  input_ids, attention_mask, token_type_ids  int64 [1, S]
                 output  last_hidden_state                          f32 [1, S, H]
  llama-prefill  LlamaForCausalLM (TinyLlama-like: hidden 2048, ffn 5632,
                 32 heads, 4 KV heads, vocab 32000), --llama-layers layers
                 (default 2), seq 512, use_cache=False
  llama-decode   the same weights (same seed), seq 1, use_cache=False
                 inputs  input_ids, attention_mask  int64 [1, S]
                 output  logits                     f32 [1, S, 32000]
  llama-decode-kv  the same weights, one decode step after 511 tokens with
                 a KV cache (export_models.KVCacheLMWrapper): inputs
                 input_ids [1, 1], attention_mask [1, 512], position_ids
                 [1, 1] = 511, past_key_values.{i}.key/value f32
                 [1, 4, 511, 64] (random); outputs logits, then
                 present.{i}.key/value [1, 4, 512, 64]

--quick replaces every config with a tiny one (2 layers, hidden 64, seq 16)
for a smoke test of the harness.

Written into OUT_DIR:  model.onnx (+ model.onnx.data when over 2 GB),
<input>.npy (one per graph input), inputs.npz, spec.json.

  python3 bench/bench_models.py MODEL --out-dir DIR [--quick] [--llama-layers N]
Needs torch and transformers (bench/models/requirements-export.txt).
run_bench.py imports this module for the specs only (no torch import) and
runs the export as a child process.
"""

import argparse
import hashlib
import json
import os
import sys

SEED = 0
MODELS = ["minilm", "bert-base", "llama-prefill", "llama-decode", "llama-decode-kv"]
# What run_bench.py measures unless --models says otherwise.
DEFAULT_MODELS = MODELS[:4]


def spec(name, quick=False, llama_layers=2):
    """The config of a benchmark model as a plain dict (JSON-able)."""
    if name in ("minilm", "bert-base"):
        if quick:
            cfg = dict(num_hidden_layers=2, hidden_size=64, num_attention_heads=4,
                       intermediate_size=256, vocab_size=1000)
            seq = 16
        elif name == "minilm":
            cfg = dict(num_hidden_layers=6, hidden_size=384, num_attention_heads=12,
                       intermediate_size=1536, vocab_size=30522)
            seq = 128
        else:
            cfg = dict(num_hidden_layers=12, hidden_size=768, num_attention_heads=12,
                       intermediate_size=3072, vocab_size=30522)
            seq = 128
        return {"name": name, "family": "bert", "config": cfg, "seq": seq,
                "inputs": ["input_ids", "attention_mask", "token_type_ids"],
                "output": "last_hidden_state"}
    if name in ("llama-prefill", "llama-decode", "llama-decode-kv"):
        if quick:
            cfg = dict(hidden_size=64, intermediate_size=192, num_attention_heads=4,
                       num_key_value_heads=2, num_hidden_layers=2, vocab_size=1000)
            seq = 16
        else:
            cfg = dict(hidden_size=2048, intermediate_size=5632, num_attention_heads=32,
                       num_key_value_heads=4, num_hidden_layers=llama_layers,
                       vocab_size=32000)
            seq = 512
        if name == "llama-decode":
            seq = 1
        if name == "llama-decode-kv":
            past = 15 if quick else 511
            layers = cfg["num_hidden_layers"]
            kv_shape = [1, cfg["num_key_value_heads"], past,
                        cfg["hidden_size"] // cfg["num_attention_heads"]]
            shapes = {"input_ids": [1, 1], "attention_mask": [1, past + 1],
                      "position_ids": [1, 1]}
            outputs = ["logits"]
            for i in range(layers):
                for part in ("key", "value"):
                    shapes[f"past_key_values.{i}.{part}"] = kv_shape
                    outputs.append(f"present.{i}.{part}")
            return {"name": name, "family": "llama-kv", "config": cfg, "seq": 1,
                    "past": past, "inputs": list(shapes), "shapes": shapes,
                    "output": "logits", "outputs": outputs}
        return {"name": name, "family": "llama", "config": cfg, "seq": seq,
                "inputs": ["input_ids", "attention_mask"], "output": "logits"}
    raise ValueError(f"unknown model {name!r} (known: {', '.join(MODELS)})")


def spec_key(s):
    """A short hash of a spec (and the export conventions), for the cache."""
    text = json.dumps({"spec": s, "seed": SEED, "opset": 17, "v": 1}, sort_keys=True)
    return hashlib.sha1(text.encode()).hexdigest()[:10]


def make_inputs(s, rng=None):
    """Deterministic inputs: random token ids, all-ones mask, zero token types
    (llama-decode-kv: the new token at position `past`, a random KV cache)."""
    import numpy as np

    rng = rng or np.random.default_rng(SEED + 1)
    if "shapes" in s:
        out = {}
        for name, shape in s["shapes"].items():
            if name == "input_ids":
                out[name] = rng.integers(0, s["config"]["vocab_size"], shape, dtype=np.int64)
            elif name == "attention_mask":
                out[name] = np.ones(shape, dtype=np.int64)
            elif name == "position_ids":
                out[name] = np.full(shape, s["past"], dtype=np.int64)
            else:
                out[name] = rng.standard_normal(shape).astype(np.float32)
        return out
    shape = (1, s["seq"])
    vocab = s["config"]["vocab_size"]
    out = {"input_ids": rng.integers(0, vocab, shape, dtype=np.int64),
           "attention_mask": np.ones(shape, dtype=np.int64)}
    if "token_type_ids" in s["inputs"]:
        out["token_type_ids"] = np.zeros(shape, dtype=np.int64)
    return out


def build_module(s):
    import torch

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "test", "e2e", "models"))
    from export_models import BertWrapper, CausalLMWrapper, KVCacheLMWrapper  # noqa: E402

    torch.manual_seed(SEED)
    if s["family"] == "bert":
        from transformers import BertConfig, BertModel

        cfg = BertConfig(**s["config"], max_position_embeddings=512,
                         type_vocab_size=2, hidden_act="gelu",
                         attn_implementation="eager")
        return BertWrapper(BertModel(cfg, add_pooling_layer=False)).eval()
    from transformers import LlamaConfig, LlamaForCausalLM

    kv = s["family"] == "llama-kv"
    cfg = LlamaConfig(**s["config"], max_position_embeddings=2048, use_cache=kv,
                      tie_word_embeddings=False, attn_implementation="eager")
    if kv:
        return KVCacheLMWrapper(LlamaForCausalLM(cfg),
                                s["config"]["num_hidden_layers"]).eval()
    return CausalLMWrapper(LlamaForCausalLM(cfg)).eval()


def export(s, out_dir, check=False):
    import warnings

    import numpy as np
    import torch

    os.makedirs(out_dir, exist_ok=True)
    model = build_module(s)
    params = sum(p.numel() for p in model.parameters())
    inputs = make_inputs(s)
    names = list(inputs)
    args = tuple(torch.from_numpy(v) for v in inputs.values())
    path = os.path.join(out_dir, "model.onnx")
    # Models over 2 GB need external data (protobuf limit).
    big = params * 4 > 1.8e9
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, args, path, dynamo=False, opset_version=17,
                          input_names=names, output_names=s.get("outputs", [s["output"]]),
                          do_constant_folding=True)
        ref = model(*args) if check else None
        if isinstance(ref, tuple):
            ref = ref[0]  # logits
        ref = ref.numpy() if check else None
    if big:
        import onnx

        m = onnx.load(path)
        onnx.save_model(m, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location="model.onnx.data", size_threshold=1024)
    for n, v in inputs.items():
        np.save(os.path.join(out_dir, f"{n}.npy"), v)
    np.savez(os.path.join(out_dir, "inputs.npz"), **inputs)
    meta = dict(s, parameters=params, key=spec_key(s), external_data=big)
    with open(os.path.join(out_dir, "spec.json"), "w") as f:
        json.dump(meta, f, indent=2)
    print(f"{s['name']}: wrote {path} ({params / 1e6:.1f}M parameters, "
          f"seq {s['seq']})", flush=True)
    if check:
        import onnxruntime as ort

        sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        got = sess.run(None, inputs)[0]
        err = float(np.max(np.abs(got - ref)) / max(np.max(np.abs(ref)), 1e-30))
        print(f"  onnxruntime vs torch: rel err {err:.3g}")
        if err > 1e-4:
            return 1
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", choices=MODELS)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--llama-layers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=0,
                    help="torch threads for the export (0: torch default)")
    ap.add_argument("--check", action="store_true",
                    help="compare onnxruntime with torch on the exported model")
    a = ap.parse_args()
    if a.threads:
        import torch

        torch.set_num_threads(a.threads)
    return export(spec(a.model, a.quick, a.llama_layers), a.out_dir, a.check)


if __name__ == "__main__":
    sys.exit(main())
