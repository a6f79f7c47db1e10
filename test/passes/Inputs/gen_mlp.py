#!/usr/bin/env python3
"""Write a small MLP-like @main for the quantization tests.

Usage:
  gen_mlp.py [--tokens 32] [--k 64] [--hidden 64] [--n 64] [--seed 0]
             [--resource] -o OUT.mlir

    y = linear(gelu(linear(x, w0, b0)), w1, b1)

with x : [tokens, k], w0 : [k, hidden], w1 : [hidden, n] drawn from
randn / sqrt(fan_in) and biases from 0.1 * randn (numpy seed --seed), all
f32. The weights are `dense` literals, or `dense_resource` blobs with
--resource (the biases stay literals). The input has no llmo.name, so
llmo-run and --llmo-calibrate call it "input0".
"""

import argparse
import sys

import numpy as np


def literal(array):
    """A `dense<...>` literal that round-trips every f32 exactly."""
    def fmt(v):
        return np.format_float_scientific(np.float32(v), unique=True,
                                          exp_digits=2)

    def rec(a):
        if a.ndim == 1:
            return "[" + ", ".join(fmt(v) for v in a) + "]"
        return "[" + ", ".join(rec(s) for s in a) + "]"
    return f"dense<{rec(array)}>"


def blob(array):
    """A builtin dialect resource blob: 4-byte alignment, then LE data."""
    data = np.ascontiguousarray(array, dtype="<f4").tobytes()
    return "0x04000000" + data.hex().upper()


def main(argv):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokens", type=int, default=32)
    ap.add_argument("--k", type=int, default=64)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--n", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--resource", action="store_true")
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    t, k, h, n = args.tokens, args.k, args.hidden, args.n
    w0 = (rng.standard_normal((k, h)) / np.sqrt(k)).astype(np.float32)
    b0 = (0.1 * rng.standard_normal(h)).astype(np.float32)
    w1 = (rng.standard_normal((h, n)) / np.sqrt(h)).astype(np.float32)
    b1 = (0.1 * rng.standard_normal(n)).astype(np.float32)

    if args.resource:
        w0_attr, w1_attr = "dense_resource<mlp_w0>", "dense_resource<mlp_w1>"
    else:
        w0_attr, w1_attr = literal(w0), literal(w1)
    lines = [
        f"func.func @main(%x: tensor<{t}x{k}xf32>) -> tensor<{t}x{n}xf32> {{",
        f"  %w0 = llmo.constant {w0_attr} : tensor<{k}x{h}xf32>",
        f"  %b0 = llmo.constant {literal(b0)} : tensor<{h}xf32>",
        f"  %w1 = llmo.constant {w1_attr} : tensor<{h}x{n}xf32>",
        f"  %b1 = llmo.constant {literal(b1)} : tensor<{n}xf32>",
        f"  %0 = llmo.linear %x, %w0, %b0 : (tensor<{t}x{k}xf32>, "
        f"tensor<{k}x{h}xf32>, tensor<{h}xf32>) -> tensor<{t}x{h}xf32>",
        f"  %1 = llmo.gelu %0 : tensor<{t}x{h}xf32>",
        f"  %2 = llmo.linear %1, %w1, %b1 : (tensor<{t}x{h}xf32>, "
        f"tensor<{h}x{n}xf32>, tensor<{n}xf32>) -> tensor<{t}x{n}xf32>",
        f"  return %2 : tensor<{t}x{n}xf32>",
        "}",
    ]
    if args.resource:
        lines += [
            "",
            "{-#",
            "  dialect_resources: {",
            "    builtin: {",
            f"      mlp_w0: \"{blob(w0)}\",",
            f"      mlp_w1: \"{blob(w1)}\"",
            "    }",
            "  }",
            "#-}",
        ]
    with open(args.output, "w") as f:
        f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
