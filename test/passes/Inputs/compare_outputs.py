#!/usr/bin/env python3
"""Run two .mlir files on llmo-run with the same random inputs and compare.

Usage:
  compare_outputs.py --llmo-run PATH --workdir DIR
                     --shape NAME=DxD:DTYPE [--shape ...]
                     [--entry FUNC] [--rtol 1e-5] [--seed 0]
                     [--metric relerr|cosine] [--min-cosine 0.999]
                     [--max-rel-err X] [--min-rel-err X] [--json-out FILE]
                     BEFORE.mlir AFTER.mlir
  compare_outputs.py --shape NAME=DxD:DTYPE [--shape ...] [--seed 0]
                     --write-npz FILE --samples N

Every --shape names one input of @main as llmo-run expects it (the
`llmo.name` of the argument, or input0, input1, ... when it has none), with
its dims (`x`-separated; `scalar` for rank 0) and numpy dtype (f32, f16, i64,
i32, i8, u8, bool). Float inputs are drawn from randn, integers uniformly
from [0, 4), bools at random (numpy seed --seed).

--entry FUNC: run @FUNC instead of @main. Both files are copied to DIR with
the definition `func.func @FUNC(` renamed to `func.func @main(` (so that a
test file with one function per case can be run case by case); there must
be no other @main in them.

Both runs must succeed and write the same set of outputs with equal shapes
and dtypes; for every output the relative error
max|a - b| / max(max|b|, tiny) must be <= --rtol (integer and bool outputs
must be equal). Prints one line per output and "PASS" at the end; exits 1
on a mismatch or tool failure, 2 on a usage error.

--metric cosine (for lossy rewrites such as quantization, BEFORE being the
reference): every float output must have a cosine similarity
<a, b> / (|a| |b|) (in float64, over the flattened output) of at least
--min-cosine; --rtol is not checked, --max-rel-err (if given) bounds the
relative error instead. The line per output is then
"NAME: cosine C, max abs error E, relative R".
--min-rel-err X (either metric): every float output's relative error must
be >= X, e.g. to prove that a rewrite did change the values.
--json-out FILE: write {output: {"max_abs_err", "rel_err", "cosine"}} of
the float outputs as JSON (see check_order.py).

--write-npz FILE --samples N: instead of running anything, write an
uncompressed .npz (np.savez) with one array per --shape, named like it and
of shape [N, *dims], drawn as above: calibration data for
--llmo-calibrate. BEFORE/AFTER, --llmo-run and --workdir are not used.
"""

import argparse
import json
import os
import re
import subprocess
import sys

import numpy as np

DTYPES = {
    "f32": np.float32, "f16": np.float16, "i64": np.int64, "i32": np.int32,
    "i8": np.int8, "u8": np.uint8, "bool": np.bool_,
}


def fail(msg, code=1):
    print(f"FAIL: {msg}", flush=True)
    sys.exit(code)


def parse_shape(spec):
    m = re.fullmatch(r"([^=]+)=([0-9x]+|scalar):(\w+)", spec)
    if not m or m.group(3) not in DTYPES:
        fail(f"bad --shape '{spec}': expected NAME=DxD:DTYPE with DTYPE in "
             f"{sorted(DTYPES)}", 2)
    dims = () if m.group(2) == "scalar" else tuple(
        int(d) for d in m.group(2).split("x"))
    return m.group(1), dims, DTYPES[m.group(3)]


def make_input(rng, dims, dtype):
    if dtype == np.bool_:
        return rng.integers(0, 2, size=dims).astype(np.bool_)
    if np.issubdtype(dtype, np.integer):
        return rng.integers(0, 4, size=dims).astype(dtype)
    return rng.standard_normal(size=dims).astype(dtype)


def prepare(path, entry, dest):
    if path.endswith(".llmo"):  # a compiled artifact: run as it is
        if entry:
            fail(f"{path}: --entry applies to .mlir files only", 2)
        return path
    with open(path) as f:
        text = f.read()
    if entry:
        pattern = r"(func\.func\s+(?:private\s+)?)@" + re.escape(entry) + r"\("
        text, count = re.subn(pattern, r"\1@main(", text)
        if count != 1:
            fail(f"{path}: expected one definition of @{entry}, found {count}",
                 2)
    with open(dest, "w") as f:
        f.write(text)
    return dest


def run(llmo_run, mlir, inputs, outdir, extra=()):
    cmd = [llmo_run, mlir, "--quiet", "--output-dir", outdir, *extra]
    for name, path in inputs:
        cmd += ["--input", f"{name}={path}"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        fail(f"{' '.join(cmd)} exited with {proc.returncode}:\n{proc.stderr}")
    return {f[:-4]: np.load(os.path.join(outdir, f))
            for f in sorted(os.listdir(outdir)) if f.endswith(".npy")}


def main(argv):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--llmo-run")
    ap.add_argument("--workdir")
    ap.add_argument("--shape", action="append", default=[])
    ap.add_argument("--entry")
    ap.add_argument("--rtol", type=float, default=1e-5)
    ap.add_argument("--llmo-run-arg", action="append", default=[],
                    help="extra llmo-run argument for both runs (repeatable), "
                         "e.g. --threads=3")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--metric", choices=("relerr", "cosine"),
                    default="relerr")
    ap.add_argument("--min-cosine", type=float, default=0.999)
    ap.add_argument("--max-rel-err", type=float)
    ap.add_argument("--min-rel-err", type=float)
    ap.add_argument("--json-out")
    ap.add_argument("--write-npz")
    ap.add_argument("--samples", type=int)
    ap.add_argument("before", nargs="?")
    ap.add_argument("after", nargs="?")
    args = ap.parse_args(argv)

    if args.write_npz:
        if not args.samples or args.samples < 1 or not args.shape:
            fail("--write-npz needs --samples N >= 1 and --shape", 2)
        rng = np.random.default_rng(args.seed)
        arrays = {}
        for spec in args.shape:
            name, dims, dtype = parse_shape(spec)
            arrays[name] = make_input(rng, (args.samples,) + dims, dtype)
        np.savez(args.write_npz, **arrays)
        print(f"wrote {args.samples} samples of {sorted(arrays)}")
        return 0
    if not (args.llmo_run and args.workdir and args.before and args.after):
        fail("--llmo-run, --workdir, BEFORE and AFTER are required", 2)

    os.makedirs(os.path.join(args.workdir, "inputs"), exist_ok=True)
    rng = np.random.default_rng(args.seed)
    inputs = []
    for spec in args.shape:
        name, dims, dtype = parse_shape(spec)
        path = os.path.join(args.workdir, "inputs", name + ".npy")
        np.save(path, make_input(rng, dims, dtype))
        inputs.append((name, path))

    results = []
    for tag, path in (("before", args.before), ("after", args.after)):
        mlir = prepare(path, args.entry,
                       os.path.join(args.workdir, tag + ".mlir"))
        outdir = os.path.join(args.workdir, tag)
        os.makedirs(outdir, exist_ok=True)
        for stale in os.listdir(outdir):
            os.remove(os.path.join(outdir, stale))
        results.append(run(args.llmo_run, mlir, inputs, outdir,
                           args.llmo_run_arg))

    before, after = results
    if not before:
        fail("no outputs were written")
    if sorted(before) != sorted(after):
        fail(f"outputs differ: {sorted(before)} vs {sorted(after)}")
    report = {}
    for name in sorted(before):
        a, b = after[name], before[name]
        if a.shape != b.shape or a.dtype != b.dtype:
            fail(f"{name}: {a.dtype}{list(a.shape)} after vs "
                 f"{b.dtype}{list(b.shape)} before")
        if not np.issubdtype(b.dtype, np.floating):
            if not np.array_equal(a, b):
                fail(f"{name}: integer outputs differ")
            print(f"{name}: equal")
            continue
        if not np.array_equal(np.isfinite(a), np.isfinite(b)):
            fail(f"{name}: NaN/Inf in different places")
        a64 = np.where(np.isfinite(a), a, 0).astype(np.float64)
        b64 = np.where(np.isfinite(b), b, 0).astype(np.float64)
        err = float(np.max(np.abs(a64 - b64), initial=0.0))
        scale = max(float(np.max(np.abs(b64), initial=0.0)),
                    np.finfo(np.float64).tiny)
        rel = err / scale
        norms = float(np.linalg.norm(a64)) * float(np.linalg.norm(b64))
        if norms > 0:
            cosine = float(np.dot(a64.ravel(), b64.ravel())) / norms
        else:
            cosine = 1.0 if err == 0 else 0.0
        report[name] = {"max_abs_err": err, "rel_err": rel, "cosine": cosine}
        if args.metric == "cosine":
            print(f"{name}: cosine {cosine:.6f}, max abs error {err:.3g}, "
                  f"relative {rel:.3g}")
            if not cosine >= args.min_cosine:
                fail(f"{name}: cosine {cosine:.6f} < {args.min_cosine:g}")
        else:
            print(f"{name}: max abs error {err:.3g}, relative {rel:.3g}")
            if rel > args.rtol:
                fail(f"{name}: relative error {rel:.3g} > {args.rtol:g}")
        if args.max_rel_err is not None and rel > args.max_rel_err:
            fail(f"{name}: relative error {rel:.3g} > {args.max_rel_err:g}")
        if args.min_rel_err is not None and rel < args.min_rel_err:
            fail(f"{name}: relative error {rel:.3g} < {args.min_rel_err:g} "
                 "(the outputs did not change enough)")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(report, f, indent=1, sort_keys=True)
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
