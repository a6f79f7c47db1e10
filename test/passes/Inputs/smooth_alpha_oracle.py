#!/usr/bin/env python3
"""Check the alpha that `--llmo-smoothquant=alpha=auto` chose for one group.

Usage: smooth_alpha_oracle.py --data CALIB.npz --input NAME [--rtol 1e-4]
                              BEFORE.mlir AFTER.mlir

BEFORE is a single-case module before the pass: @main(NAME) feeding one
`llmo.rms_norm` (constant scale) whose output feeds the group's
`llmo.linear`s, each with a constant weight and `llmo.calib` input_absmax
(from --llmo-calibrate). AFTER is the same module after
--llmo-smoothquant=alpha=auto: every linear of the group must record the
same `llmo.smooth` alpha, in {0, 0.1, ..., 1}.

Recomputes, independently of the pass, what its description specifies: the
norm's output rows (the first 256 over the samples of NAME in CALIB), and
for each alpha in {0, 0.1, ..., 1} the smoothing scales
s_j = max|X_j|^alpha / max|W_j|^(1 - alpha) and the group's relative W8A8
output error (activations X/s per-tensor symmetric int8, weights W*s int8
per output channel). The chosen alpha's error must be the minimum within
--rtol (relative). Prints the errors and "PASS"; exits 1 otherwise.
"""

import argparse
import ast
import re
import sys

import numpy as np

ROWS = 256


def fail(msg):
    print(f"FAIL: {msg}", flush=True)
    sys.exit(1)


def dense(text, shape):
    values = np.array(ast.literal_eval(text.strip()), np.float32)
    return np.broadcast_to(values, shape).copy() if values.ndim == 0 \
        else values.reshape(shape)


def parse_constants(text):
    constants = {}
    for m in re.finditer(r"(%\w+) = llmo\.constant dense<(.*?)> : "
                         r"tensor<([0-9x]+)xf32>", text):
        shape = tuple(int(d) for d in m.group(3).split("x"))
        constants[m.group(1)] = dense(m.group(2), shape)
    return constants


def fake_quant_per_tensor(x):
    absmax = np.float32(np.max(np.abs(x)))
    scale = absmax / np.float32(127) if absmax > 0 else np.float32(1)
    return (np.clip(np.rint(x / scale), -127, 127) * scale).astype(np.float32)


def fake_quant_weight(w):
    absmax = np.max(np.abs(w), axis=0)
    scale = np.where(absmax > 0, absmax / np.float32(127),
                     np.float32(1)).astype(np.float32)
    return (np.clip(np.rint(w / scale), -127, 127) * scale).astype(np.float32)


def group_error(rows, weights, s):
    x = (rows / s).astype(np.float32)
    xq = fake_quant_per_tensor(x).astype(np.float64)
    error = norm = 0.0
    for w in weights:
        wq = fake_quant_weight((w * s[:, None]).astype(np.float32))
        exact = rows.astype(np.float64) @ w.astype(np.float64)
        approx = xq @ wq.astype(np.float64)
        error += float(np.sum((exact - approx) ** 2))
        norm += float(np.sum(exact ** 2))
    return error / norm if norm > 0 else 0.0


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("before")
    ap.add_argument("after")
    args = ap.parse_args(argv)
    before = open(args.before).read()
    after = open(args.after).read()

    constants = parse_constants(before)
    norms = re.findall(r"(%\w+) = llmo\.rms_norm %\w+, (%\w+) \{axis = "
                       r"(\d+) : i64, epsilon = ([-+.0-9eE]+) : f32\}", before)
    if len(norms) != 1:
        fail(f"expected one llmo.rms_norm in {args.before}, found {len(norms)}")
    norm_out, scale_name, axis, eps = norms[0]
    scale = constants[scale_name]
    linears = re.findall(r"llmo\.linear " + re.escape(norm_out) +
                         r", (%\w+).*?input_absmax = dense<(.*?)> : "
                         r"tensor<(\d+)xf32>", before)
    if not linears:
        fail(f"no llmo.linear with llmo.calib reads {norm_out}")
    weights = [constants[w] for w, _, _ in linears]
    k = weights[0].shape[0]
    act_max = np.max([dense(a, (int(n),)) for _, a, n in linears], axis=0)
    w_max = np.max([np.max(np.abs(w), axis=1) for w in weights], axis=0)

    x = np.load(args.data)[args.input].astype(np.float32)
    x = x.reshape(-1, k)
    rms = np.sqrt(np.mean(x.astype(np.float64) ** 2, axis=-1, keepdims=True)
                  + float(eps))
    rows = (x / rms * scale).astype(np.float32)[:ROWS]

    chosen = [float(a) for a in
              re.findall(r"llmo\.smooth = \{alpha = ([-+.0-9eE]+) : f64", after)]
    if len(chosen) != len(linears) or len(set(chosen)) != 1:
        fail(f"expected one alpha shared by the {len(linears)} linears, "
             f"got {chosen}")
    alpha = chosen[0]
    if not any(abs(alpha - step / 10) < 1e-12 for step in range(11)):
        fail(f"alpha {alpha} is not in {{0, 0.1, ..., 1}}")

    errors = {}
    for step in range(11):
        a = step / 10
        with np.errstate(divide="ignore"):
            s = np.where((act_max > 0) & (w_max > 0),
                         np.maximum(act_max.astype(np.float64) ** a /
                                    w_max.astype(np.float64) ** (1 - a), 1e-5),
                         1.0).astype(np.float32)
        errors[a] = group_error(rows, weights, s)
        print(f"alpha {a:.1f}: error {errors[a]:.6g}")
    best = min(errors.values())
    print(f"chosen alpha {alpha:.1f}: error {errors[round(alpha, 1)]:.6g}, "
          f"best {best:.6g}")
    if errors[round(alpha, 1)] > best * (1 + args.rtol):
        fail(f"alpha {alpha} is not the error-minimizing one")
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
