#!/usr/bin/env python3
"""Bit-exact reference for W8A8 and W4A8 linears (llmo.qlinear,
llmo.dynamic_qlinear).

Usage:
  qlinear_exact.py model --rows R --k K --n N --seed S --clip C
                   [--act static|dynamic|u8 --zero-point Z] -o OUT.mlir
  qlinear_exact.py check --rows R --k K --n N --seed S --clip C
                   --act static|dynamic|u8|w4a8 [--zero-point Z] [--group G]
                   --llmo-run PATH --workdir DIR QUANTIZED.mlir

The parameters (numpy seed S) define a float linear: W [K, N] (randn, with
channel 0 scaled by 4 and a few entries set to exact rounding ties),
bias [N] (randn) and inputs X [R, K] (randn * C / 2, so that some values
exceed the clip C and saturate).

`model` writes @main(x) = llmo.linear(x, W, bias) {llmo.calib =
{input_clip = C}} (--act static/dynamic/w4a8: the input of --llmo-quantize),
or, for --act u8, a hand-written W8A8 graph the pass does not produce: x
quantized per-tensor to u8 with scale C / 127 and zero point Z, then
llmo.qlinear with W quantized as below.

`check` runs QUANTIZED.mlir on llmo-run with X and requires its output to
equal, bit for bit, the documented computation (Passes.td, docs/Dialect.md
and the ODS descriptions of the ops), all in f32:

  weight   sw[n] = max_k |W[k, n]| / 127,  qw = clamp(rne(W / sw), -127, 127)
  static   sx = f32(C / 127) (the quant type's double scale, used as f32),
           qx = clamp(rne(x / sx), -127, 127)
  u8       qx = clamp(rne(x / sx) + Z, 0, 255) - Z
  dynamic  sx[m] = max_k |x[m, k]| / 127 per row,
           qx = clamp(rne(x / sx[m]), -127, 127)
  y[m, n] = f32(sum_k qx[m, k] * qw[k, n]) * (sx * sw[n]) + bias[n]

  w4a8     (mode=w4a8 group-size=G) i4 weights per group of G rows of K:
           sw[g, n] = max |W[gG:(g+1)G, n]| / 7, qw = clamp(rne(W / sw), -8, 7);
           dynamic activations as above;
           p[m, n] = sum over g in order of f32(acc_g[m, n]) * sw[g, n]
           y[m, n] = p[m, n] * sx[m] + bias[n]

It also requires the output to differ from the float linear (so that the
quantized path really ran). Prints the max difference to the float linear
and "PASS"; exits 1 on a mismatch.
"""

import argparse
import os
import subprocess
import sys

import numpy as np

f32 = np.float32


def params(args):
    rng = np.random.default_rng(args.seed)
    w = rng.standard_normal((args.k, args.n)).astype(f32)
    w[:, 0] *= f32(4)
    # Exact ties: in column 1, |max| 127 gives scale 1, so 2.5 -> 2 and
    # -3.5 -> -4 under round-half-to-even (half away from zero: 3, -4).
    if args.n > 1 and args.k >= 3:
        w[:, 1] = np.clip(w[:, 1], -100, 100)
        w[0, 1], w[1, 1], w[2, 1] = 127, 2.5, -3.5
    bias = rng.standard_normal(args.n).astype(f32)
    x = (rng.standard_normal((args.rows, args.k)) * (args.clip / 2)).astype(f32)
    return w, bias, x


def rne(v):
    return np.rint(v)  # numpy rounds half to even


def quantize_weight(w):
    sw = (np.abs(w).max(axis=0) / f32(127)).astype(f32)
    sw = np.where(sw > 0, sw, f32(1)).astype(f32)
    qw = np.clip(rne((w / sw).astype(f32)), -127, 127).astype(np.int64)
    return qw, sw


def dynamic_rows(x):
    sx = (np.abs(x).max(axis=1) / f32(127)).astype(f32)
    sx = np.where(sx > 0, sx, f32(1)).astype(f32)
    qx = np.clip(rne((x / sx[:, None]).astype(f32)), -127, 127)
    return qx.astype(np.int64), sx


def reference_w4a8(args, w, bias, x):
    qx, sx = dynamic_rows(x)
    g = args.group
    p = np.zeros((x.shape[0], w.shape[1]), f32)
    for g0 in range(0, w.shape[0], g):
        part = w[g0:g0 + g]
        sw = (np.abs(part).max(axis=0) / f32(7)).astype(f32)
        sw = np.where(sw > 0, sw, f32(1)).astype(f32)
        qw = np.clip(rne((part / sw).astype(f32)), -8, 7).astype(np.int64)
        acc = qx[:, g0:g0 + g] @ qw
        p = (p + (acc.astype(f32) * sw[None, :]).astype(f32)).astype(f32)
    return ((p * sx[:, None]).astype(f32) + bias[None, :]).astype(f32)


def reference(args, w, bias, x):
    if args.act == "w4a8":
        return reference_w4a8(args, w, bias, x)
    qw, sw = quantize_weight(w)
    if args.act == "dynamic":
        sx = (np.abs(x).max(axis=1) / f32(127)).astype(f32)
        sx = np.where(sx > 0, sx, f32(1)).astype(f32)
        qx = np.clip(rne((x / sx[:, None]).astype(f32)), -127, 127)
        sx = sx[:, None]
    else:
        sx = f32(args.clip / 127.0)
        if args.act == "u8":
            z = args.zero_point
            qx = np.clip(rne((x / sx).astype(f32)) + z, 0, 255) - z
        else:
            qx = np.clip(rne((x / sx).astype(f32)), -127, 127)
    acc = qx.astype(np.int64) @ qw
    assert np.all(np.abs(acc) < 2**31)
    scale = (sx * sw[None, :]).astype(f32)
    return (acc.astype(f32) * scale + bias[None, :]).astype(f32)


def literal(a):
    if a.ndim == 1:
        return "[" + ", ".join(
            np.format_float_scientific(v, unique=True) if a.dtype.kind == "f"
            else str(int(v)) for v in a) + "]"
    return "[" + ", ".join(literal(r) for r in a) + "]"


def write_model(args, w, bias):
    r, k, n = args.rows, args.k, args.n
    xt, wt, yt = (f"tensor<{r}x{k}xf32>", f"tensor<{k}x{n}xf32>",
                  f"tensor<{r}x{n}xf32>")
    lines = [f"func.func @main(%x: {xt}) -> {yt} {{",
             f"  %b = llmo.constant dense<{literal(bias)}> : tensor<{n}xf32>"]
    if args.act == "u8":
        qw, sw = quantize_weight(w)
        scales = ",".join(repr(float(s)) for s in sw)
        wq = f"tensor<{k}x{n}x!quant.uniform<i8<-127:127>:f32:1, {{{scales}}}>>"
        xq = (f"tensor<{r}x{k}x!quant.uniform<u8:f32, "
              f"{args.clip / 127.0!r}:{args.zero_point}>>")
        lines += [
            f"  %wi = llmo.constant dense<{literal(qw)}> : tensor<{k}x{n}xi8>",
            f"  %w = llmo.storage_cast %wi : tensor<{k}x{n}xi8> -> {wq}",
            f"  %q = llmo.quantize %x : {xt} -> {xq}",
            f"  %y = llmo.qlinear %q, %w, %b : ({xq}, {wq}, tensor<{n}xf32>)"
            f" -> {yt}",
        ]
    else:
        lines += [
            f"  %w = llmo.constant dense<{literal(w)}> : {wt}",
            f"  %y = llmo.linear %x, %w, %b {{llmo.calib = {{input_clip = "
            f"{args.clip!r} : f32}}}} : ({xt}, {wt}, tensor<{n}xf32>) -> {yt}",
        ]
    lines += [f"  return %y : {yt}", "}"]
    with open(args.output, "w") as f:
        f.write("\n".join(lines) + "\n")
    return 0


def check(args, w, bias, x):
    os.makedirs(args.workdir, exist_ok=True)
    xpath = os.path.join(args.workdir, "input0.npy")
    np.save(xpath, x)
    outdir = os.path.join(args.workdir, "out")
    os.makedirs(outdir, exist_ok=True)
    cmd = [args.llmo_run, args.mlir, "--quiet", "--output-dir", outdir,
           "--input", f"input0={xpath}"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"FAIL: {' '.join(cmd)} exited with {proc.returncode}:\n"
              f"{proc.stderr}")
        return 1
    got = np.load(os.path.join(outdir, "output0.npy"))
    want = reference(args, w, bias, x)
    exact = (x.astype(np.float64) @ w.astype(np.float64)) + bias
    print(f"max |quantized - float| = {np.max(np.abs(want - exact)):.3g}")
    if got.dtype != np.float32 or got.shape != want.shape:
        print(f"FAIL: output is {got.dtype}{list(got.shape)}, expected "
              f"float32{list(want.shape)}")
        return 1
    if not np.array_equal(got.view(np.uint32), want.view(np.uint32)):
        bad = np.argwhere(got.view(np.uint32) != want.view(np.uint32))
        print(f"FAIL: {len(bad)} of {got.size} outputs differ from the "
              "reference bit pattern, e.g.:")
        for m, n in bad[:5]:
            print(f"  [{m}, {n}]: got {got[m, n]!r}, expected {want[m, n]!r}")
        return 1
    if np.array_equal(got, exact.astype(f32)):
        print("FAIL: the output equals the float linear")
        return 1
    print(f"bit-exact: {got.size} outputs")
    print("PASS")
    return 0


def main(argv):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=("model", "check"))
    ap.add_argument("--rows", type=int, default=8)
    ap.add_argument("--k", type=int, default=16)
    ap.add_argument("--n", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--clip", type=float, default=3.0)
    ap.add_argument("--act", choices=("static", "dynamic", "u8", "w4a8"),
                    default="static")
    ap.add_argument("--group", type=int, default=16,
                    help="w4a8: rows of K per weight group")
    ap.add_argument("--zero-point", type=int, default=128)
    ap.add_argument("-o", "--output")
    ap.add_argument("--llmo-run")
    ap.add_argument("--workdir")
    ap.add_argument("mlir", nargs="?")
    args = ap.parse_intermixed_args(argv)
    w, bias, x = params(args)
    if args.command == "model":
        if not args.output:
            ap.error("model needs -o")
        return write_model(args, w, bias)
    if not (args.llmo_run and args.workdir and args.mlir):
        ap.error("check needs --llmo-run, --workdir and QUANTIZED.mlir")
    return check(args, w, bias, x)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
