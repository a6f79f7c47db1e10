#!/usr/bin/env python3
"""Export the tiny end-to-end test models for llmo.

Builds small models from configs with random weights (torch.manual_seed(0))
and exports them with the classic TorchScript ONNX exporter
(torch.onnx.export(..., dynamo=False)), which emits the usual
Shape/Gather/Unsqueeze/Concat shape-computation chains.

Outputs (next to this script unless --out-dir is given):
  mlp.onnx   + mlp.inputs.npz     tiny torch MLP, opset 13, input x[2,16]
  bert.onnx  + bert.inputs.npz    BertModel, opset 17, -> last_hidden_state
  gpt2.onnx  + gpt2.inputs.npz    GPT2LMHeadModel, opset 17, -> logits
  llama.onnx + llama.inputs.npz   LlamaForCausalLM, opset 17, -> logits
  llama_kv.onnx + llama_kv.inputs.npz
                                  the same Llama config, one decode step
                                  with a KV cache: input_ids [1, 1],
                                  attention_mask [1, P + 1], position_ids
                                  [1, 1] = P, past_key_values.{i}.key/value
                                  [1, 2, P, 8] (P = 7) -> logits,
                                  present.{i}.key/value [1, 2, P + 1, 8]

The transformer models are exported with dynamic axes "batch"/"seq" on all
inputs and outputs (llama_kv: "batch", "past", "total" = past + 1); the
sample inputs are [1, 8]. The .npz files hold one
array per graph input, keyed by input name.

This is an export-only tool: it needs torch and transformers
(bench/models/requirements-export.txt). The produced .onnx/.npz files are
committed, so CI does not need torch.

Usage: python3 export_models.py [--out-dir DIR] [--only NAME ...] [--check]
"""

import argparse
import os
import sys
import warnings

import numpy as np
import torch

SEED = 0
BATCH = 1
SEQ = 8
VOCAB = 100


# --------------------------------------------------------------------------
# Deterministic inputs
# --------------------------------------------------------------------------
def _token_ids(seed):
    rng = np.random.default_rng(seed)
    return rng.integers(0, VOCAB, size=(BATCH, SEQ), dtype=np.int64)


def _randn(seed, shape):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape).astype(np.float32)


# --------------------------------------------------------------------------
# Wrappers giving a clean positional signature and a single tensor output
# --------------------------------------------------------------------------
class BertWrapper(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):
        out = self.model(
            input_ids=input_ids,
            attention_mask=attention_mask,
            token_type_ids=token_type_ids,
            return_dict=True,
        )
        return out.last_hidden_state


class CausalLMWrapper(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        out = self.model(
            input_ids=input_ids,
            attention_mask=attention_mask,
            use_cache=False,
            return_dict=True,
        )
        return out.logits


class KVCacheLMWrapper(torch.nn.Module):
    """One decode step of a causal LM with its KV cache as plain tensors:
    (input_ids, attention_mask, position_ids, past k0, past v0, ...) ->
    (logits, present k0, present v0, ...), the input/output convention of
    Hugging Face's ONNX decoder exports with past."""

    def __init__(self, model, layers):
        super().__init__()
        self.model = model
        self.layers = layers

    def forward(self, input_ids, attention_mask, position_ids, *past):
        from transformers.cache_utils import DynamicCache

        cache = DynamicCache()
        for i in range(self.layers):
            cache.update(past[2 * i], past[2 * i + 1], i)
        out = self.model(
            input_ids=input_ids,
            attention_mask=attention_mask,
            position_ids=position_ids,
            past_key_values=cache,
            use_cache=True,
            return_dict=True,
        )
        present = []
        for layer in out.past_key_values.layers[: self.layers]:
            present += [layer.keys, layer.values]
        return (out.logits, *present)


# --------------------------------------------------------------------------
# Model builders: each returns (module, {input_name: np.ndarray}, output_names,
#                               opset, dynamic_axes)
# --------------------------------------------------------------------------
def build_mlp():
    torch.manual_seed(SEED)
    model = torch.nn.Sequential(
        torch.nn.Linear(16, 32),
        torch.nn.GELU(),
        torch.nn.Linear(32, 8),
    )
    inputs = {"x": _randn(SEED, (2, 16))}
    return model, inputs, ["y"], 13, None


def _randomize(model):
    """Re-draw every parameter so nothing is trivial.

    The HF initializers give norm weights of exactly 1, biases of exactly 0
    and tiny (std 0.02) matrices, which would let a compiler that drops a
    norm scale or a bias still pass. Re-draw with seed SEED:
    matrices/embeddings ~ N(0, 0.2), 1-D weights (norm scales) ~ 1 + N(0, 0.1),
    biases ~ N(0, 0.1).
    """
    g = torch.Generator().manual_seed(SEED)
    with torch.no_grad():
        for name, p in model.named_parameters():
            r = torch.randn(p.shape, generator=g, dtype=p.dtype)
            if p.dim() >= 2:
                p.copy_(0.2 * r)
            elif name.endswith("bias"):
                p.copy_(0.1 * r)
            else:
                p.copy_(1.0 + 0.1 * r)
    return model


def _seq_axes(names):
    return {n: {0: "batch", 1: "seq"} for n in names}


def build_bert():
    from transformers import BertConfig, BertModel

    torch.manual_seed(SEED)
    cfg = BertConfig(
        vocab_size=VOCAB,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
        type_vocab_size=2,
        hidden_act="gelu",
        attn_implementation="eager",
    )
    model = BertWrapper(_randomize(BertModel(cfg, add_pooling_layer=False)))
    inputs = {
        "input_ids": _token_ids(SEED),
        "attention_mask": np.ones((BATCH, SEQ), dtype=np.int64),
        "token_type_ids": np.zeros((BATCH, SEQ), dtype=np.int64),
    }
    names = list(inputs) + ["last_hidden_state"]
    return model, inputs, ["last_hidden_state"], 17, _seq_axes(names)


def build_gpt2():
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(SEED)
    cfg = GPT2Config(
        vocab_size=VOCAB,
        n_embd=32,
        n_layer=2,
        n_head=2,
        n_positions=64,
        bos_token_id=0,
        eos_token_id=0,
        use_cache=False,
        attn_implementation="eager",
    )
    model = CausalLMWrapper(_randomize(GPT2LMHeadModel(cfg)))
    inputs = {
        "input_ids": _token_ids(SEED + 1),
        "attention_mask": np.ones((BATCH, SEQ), dtype=np.int64),
    }
    return model, inputs, ["logits"], 17, _seq_axes(list(inputs) + ["logits"])


def build_llama():
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(SEED)
    cfg = LlamaConfig(
        vocab_size=VOCAB,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=64,
        use_cache=False,
        tie_word_embeddings=False,
        attn_implementation="eager",
    )
    model = CausalLMWrapper(_randomize(LlamaForCausalLM(cfg)))
    inputs = {
        "input_ids": _token_ids(SEED + 2),
        "attention_mask": np.ones((BATCH, SEQ), dtype=np.int64),
    }
    return model, inputs, ["logits"], 17, _seq_axes(list(inputs) + ["logits"])


KV_LAYERS = 2
KV_PAST = 7


def _kv_inputs(batch, past, seed):
    """One decode step after `past` tokens: a new token at position `past`."""
    rng = np.random.default_rng(seed)
    inputs = {
        "input_ids": rng.integers(0, VOCAB, size=(batch, 1), dtype=np.int64),
        "attention_mask": np.ones((batch, past + 1), dtype=np.int64),
        "position_ids": np.full((batch, 1), past, dtype=np.int64),
    }
    for i in range(KV_LAYERS):
        for part in ("key", "value"):
            inputs[f"past_key_values.{i}.{part}"] = rng.standard_normal(
                (batch, 2, past, 8)).astype(np.float32)
    return inputs


def build_llama_kv():
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(SEED)
    cfg = LlamaConfig(
        vocab_size=VOCAB,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=KV_LAYERS,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=64,
        use_cache=True,
        tie_word_embeddings=False,
        attn_implementation="eager",
    )
    model = KVCacheLMWrapper(_randomize(LlamaForCausalLM(cfg)), KV_LAYERS)
    inputs = _kv_inputs(BATCH, KV_PAST, SEED + 3)
    outputs = ["logits"]
    axes = {"input_ids": {0: "batch"}, "attention_mask": {0: "batch", 1: "total"},
            "position_ids": {0: "batch"}, "logits": {0: "batch"}}
    for i in range(KV_LAYERS):
        for part in ("key", "value"):
            outputs.append(f"present.{i}.{part}")
            axes[f"past_key_values.{i}.{part}"] = {0: "batch", 2: "past"}
            axes[f"present.{i}.{part}"] = {0: "batch", 2: "total"}
    return model, inputs, outputs, 17, axes


BUILDERS = {
    "mlp": build_mlp,
    "bert": build_bert,
    "gpt2": build_gpt2,
    "llama": build_llama,
    "llama_kv": build_llama_kv,
}


# --------------------------------------------------------------------------
def export_one(name, out_dir, check):
    model, inputs, output_names, opset, dynamic_axes = BUILDERS[name]()
    model.eval()
    onnx_path = os.path.join(out_dir, f"{name}.onnx")
    npz_path = os.path.join(out_dir, f"{name}.inputs.npz")
    args = tuple(torch.from_numpy(v) for v in inputs.values())
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            args,
            onnx_path,
            dynamo=False,
            opset_version=opset,
            input_names=list(inputs),
            output_names=output_names,
            dynamic_axes=dynamic_axes,
            do_constant_folding=True,
        )
        ref = model(*args)
    np.savez(npz_path, **inputs)
    size = os.path.getsize(onnx_path)
    print(f"{name}: wrote {onnx_path} ({size} bytes), {npz_path}")
    if check:
        check_one(onnx_path, inputs, output_names, _as_list(ref))
        if dynamic_axes:
            # The dynamic axes must really be dynamic: compare at another shape.
            if "position_ids" in inputs:
                other = _kv_inputs(batch=2, past=4, seed=SEED + 100)
            else:
                other = _reshape_inputs(inputs, batch=2, seq=5)
            with torch.no_grad():
                ref2 = model(*(torch.from_numpy(v) for v in other.values()))
            check_one(onnx_path, other, output_names, _as_list(ref2))


def _as_list(ref):
    """A model's output(s) as a list of arrays."""
    if isinstance(ref, (tuple, list)):
        return [r.numpy() for r in ref]
    return [ref.numpy()]


def _reshape_inputs(inputs, batch, seq):
    rng = np.random.default_rng(SEED + 100)
    out = {}
    for k, v in inputs.items():
        if k == "input_ids":
            out[k] = rng.integers(0, VOCAB, size=(batch, seq), dtype=np.int64)
        elif k == "attention_mask":
            out[k] = np.ones((batch, seq), dtype=np.int64)
        else:
            out[k] = np.zeros((batch, seq), dtype=v.dtype)
    return out


def check_one(onnx_path, inputs, output_names, refs):
    import onnx
    import onnxruntime as ort

    m = onnx.load(onnx_path)
    onnx.checker.check_model(m, full_check=True)
    sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    outs = sess.run(output_names, inputs)
    for oname, o, r in zip(output_names, outs, refs):
        err = float(np.max(np.abs(o - r)))
        print(f"  check: {oname} shape={list(o.shape)} ORT-vs-torch max abs err={err:.3g}")
        if err > 1e-4:
            raise SystemExit(f"{onnx_path}: ORT disagrees with torch ({err})")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--only", nargs="*", choices=sorted(BUILDERS), default=None)
    ap.add_argument("--check", action="store_true",
                    help="run onnx.checker and compare onnxruntime against torch")
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    for name in a.only or list(BUILDERS):
        export_one(name, a.out_dir, a.check)
    return 0


if __name__ == "__main__":
    sys.exit(main())
