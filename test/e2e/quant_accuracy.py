#!/usr/bin/env python3
"""Accuracy of llmo-compile quantization configs against the float model.

  quant_accuracy.py MODEL.onnx --calib CALIB.npz --eval EVAL.npz
      --tools DIR --workdir DIR [--input-shape NAME=1x8 ...]
      --config NAME="--quant=w8a8 --smoothquant-alpha=off" ...
      [--pool-mean-by attention_mask] [--expect "NAME>=0.99"]
      [--expect "A<B"] [--json OUT.json]

Compiles the model once per config with llmo-compile (to .mlir), plus the
float model (--quant=none), runs each on every sample of EVAL.npz (arrays
[samples, *input shape] named after the inputs) with llmo-run, and reports
per config the cosine similarity to float of the first output (averaged and
minimum over samples) and the relative max error. With --pool-mean-by, the
first output [1, S, H] is mean-pooled over the tokens where that input is 1
first (sentence embeddings). Each --expect compares a config's mean cosine
with a number or another config's mean cosine; a failed expectation exits 1.
Needs numpy only.
"""
import argparse
import json
import os
import re
import shlex
import subprocess
import sys

import numpy as np


def run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        print("FAIL: command failed: " + " ".join(map(shlex.quote, cmd)))
        print(proc.stdout + proc.stderr)
        sys.exit(1)
    return proc.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--calib", required=True)
    ap.add_argument("--eval", required=True)
    ap.add_argument("--tools", required=True, help="directory of llmo-* tools")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--input-shape", action="append", default=[])
    ap.add_argument("--config", action="append", default=[], required=True)
    ap.add_argument("--pool-mean-by", default=None)
    ap.add_argument("--expect", action="append", default=[])
    ap.add_argument("--json", default=None)
    args = ap.parse_args()

    os.makedirs(args.workdir, exist_ok=True)
    compile_tool = os.path.join(args.tools, "llmo-compile")
    run_tool = os.path.join(args.tools, "llmo-run")
    shapes = [f"--input-shape={s}" for s in args.input_shape]

    configs = {"float": "--quant=none"}
    for c in args.config:
        name, _, flags = c.partition("=")
        configs[name] = flags

    data = np.load(args.eval)
    names = data.files
    samples = data[names[0]].shape[0]
    outputs = {}
    for name, flags in configs.items():
        ir = os.path.join(args.workdir, f"{name}.mlir")
        run([compile_tool, args.model, "-o", ir, f"--calibration-data={args.calib}",
             *shapes, *shlex.split(flags)])
        results = []
        for s in range(samples):
            cmd = [run_tool, ir, "--quiet", "--output-dir",
                   os.path.join(args.workdir, f"out_{name}_{s}")]
            for n in names:
                path = os.path.join(args.workdir, f"{n}_{s}.npy")
                np.save(path, data[n][s])
                cmd += ["--input", f"{n}={path}"]
            run(cmd)
            out_dir = os.path.join(args.workdir, f"out_{name}_{s}")
            first = sorted(os.listdir(out_dir))[0]
            y = np.load(os.path.join(out_dir, first)).astype(np.float64)
            if args.pool_mean_by:
                mask = data[args.pool_mean_by][s].reshape(-1).astype(np.float64)
                y = (y.reshape(-1, y.shape[-1]) * mask[:, None]).sum(0) / mask.sum()
            results.append(y.reshape(-1))
        outputs[name] = results

    table = {}
    for name in configs:
        if name == "float":
            continue
        cos, rel = [], []
        for a, b in zip(outputs["float"], outputs[name]):
            cos.append(float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b))))
            rel.append(float(np.abs(a - b).max() / max(np.abs(a).max(), 1e-30)))
        table[name] = {"mean_cosine": float(np.mean(cos)),
                       "min_cosine": float(np.min(cos)),
                       "mean_rel_max_error": float(np.mean(rel)),
                       "flags": configs[name], "samples": samples}
    print(f"{'config':<14} {'mean cos':>10} {'min cos':>10} {'rel max err':>12}  flags")
    for name, r in table.items():
        print(f"{name:<14} {r['mean_cosine']:>10.6f} {r['min_cosine']:>10.6f} "
              f"{r['mean_rel_max_error']:>12.4e}  {r['flags']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(table, f, indent=2)

    ok = True
    for e in args.expect:
        m = re.fullmatch(r"\s*(\w+)\s*(>=|<=|<|>)\s*([\w.]+)\s*", e)
        if not m or m.group(1) not in table:
            print(f"FAIL: bad --expect '{e}'")
            sys.exit(2)
        lhs = table[m.group(1)]["mean_cosine"]
        rhs_text = m.group(3)
        rhs = table[rhs_text]["mean_cosine"] if rhs_text in table else float(rhs_text)
        holds = {"<": lhs < rhs, ">": lhs > rhs, "<=": lhs <= rhs, ">=": lhs >= rhs}[m.group(2)]
        print(f"{'ok  ' if holds else 'FAIL'} {e}: {lhs:.6f} {m.group(2)} {rhs:.6f}")
        ok &= holds
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
