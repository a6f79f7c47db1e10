#!/usr/bin/env python3
"""Export a BERT-base-shaped encoder (110M parameters, random weights) to ONNX.

Used to check that llmo-import and the reference interpreter handle a
100M-parameter model within memory (see docs/Status.md for the figures):

  python3 bench/models/export_bert_base.py -o /tmp/bert_base.onnx
  /usr/bin/time -v build/bin/llmo-import /tmp/bert_base.onnx -o /tmp/b.mlirbc \
      --input-shape input_ids=1x128 --input-shape attention_mask=1x128 \
      --input-shape token_type_ids=1x128

Weights are drawn with a fixed seed (nothing is downloaded); the model is
written outside the repository. Requirements: requirements-export.txt.
"""

import argparse
import os
import sys
import warnings

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "test",
                                "e2e", "models"))
from export_models import BertWrapper  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-o", "--output", default="/tmp/bert_base.onnx")
    ap.add_argument("--seq-len", type=int, default=128)
    args = ap.parse_args()

    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(attn_implementation="eager")  # BERT-base defaults
    model = BertWrapper(BertModel(config, add_pooling_layer=False)).eval()
    params = sum(p.numel() for p in model.parameters())
    rng = np.random.default_rng(0)
    shape = (1, args.seq_len)
    inputs = {
        "input_ids": rng.integers(0, config.vocab_size, shape, dtype=np.int64),
        "attention_mask": np.ones(shape, dtype=np.int64),
        "token_type_ids": np.zeros(shape, dtype=np.int64),
    }
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, tuple(torch.from_numpy(v) for v in inputs.values()),
                          args.output, dynamo=False, opset_version=17,
                          input_names=list(inputs),
                          output_names=["last_hidden_state"],
                          do_constant_folding=True)
    stem = os.path.splitext(args.output)[0]
    np.savez(stem + ".inputs.npz", **inputs)
    print(f"wrote {args.output} ({params / 1e6:.1f}M parameters) and "
          f"{stem}.inputs.npz")


if __name__ == "__main__":
    main()
