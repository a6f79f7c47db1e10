#!/usr/bin/env python3
"""Compare compiled .llmo artifacts with the interpreter and onnxruntime.

Usage:
  compare_compiled.py MODEL.onnx --inputs X.npz --tools DIR --workdir DIR
      --config NAME="LLMO-COMPILE FLAGS" ... [--rtol 1e-5] [--ort-rtol 1e-4]
      [--calibration-from-inputs] [--threads N]

For every config: `llmo-compile MODEL --input-shape ... FLAGS -o C.mlir` and
`... -o C.llmo` (the same pipeline; the second also generates code), then
`llmo-run` on both (the .mlir on the reference interpreter, the .llmo on the
runtime with --threads), and compares every output: relative error
max|a-b| / max|interpreter| must be <= --rtol (integer outputs: exact).
Configs whose flags contain --quant=none (or no --quant) are also compared
with onnxruntime (<= --ort-rtol). With --calibration-from-inputs, a
calibration .npz (the inputs stacked twice along a new first axis) is
written and {CALIB} in the flags is replaced by its path.
Prints one line per config and output, then PASS; exit 1 on a mismatch.
"""

import argparse
import os
import shlex
import subprocess
import sys

import numpy as np


def fail(message):
    print(f"FAIL: {message}", flush=True)
    sys.exit(1)


def run(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=900)
    if proc.returncode != 0:
        fail(f"{shlex.join(cmd)} exited {proc.returncode}:\n{proc.stdout}")
    return proc.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--tools", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--config", action="append", default=[], metavar="NAME=FLAGS")
    ap.add_argument("--rtol", type=float, default=1e-5)
    ap.add_argument("--ort-rtol", type=float, default=1e-4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--calibration-from-inputs", action="store_true")
    args = ap.parse_args()

    os.makedirs(args.workdir, exist_ok=True)
    with np.load(args.inputs) as z:
        inputs = {k: z[k] for k in z.files}
    shape_flags, input_flags = [], []
    for name, array in inputs.items():
        shape_flags += ["--input-shape", f"{name}={'x'.join(map(str, array.shape))}"]
        path = os.path.join(args.workdir, f"{name}.npy")
        np.save(path, array)
        input_flags += ["--input", f"{name}={path}"]
    calib = os.path.join(args.workdir, "calib.npz")
    if args.calibration_from_inputs:
        np.savez(calib, **{k: np.stack([v, v]) for k, v in inputs.items()})

    ort_outputs = None
    tool = lambda name: os.path.join(args.tools, name)
    for spec in args.config:
        name, _, flags = spec.partition("=")
        flags = shlex.split(flags.replace("{CALIB}", calib))
        base = os.path.join(args.workdir, name)
        results = {}
        for kind in ("mlir", "llmo"):
            run([tool("llmo-compile"), args.model, *shape_flags, *flags,
                 "-o", f"{base}.{kind}"])
            out_dir = f"{base}.{kind}.out"
            extra = ["--threads", str(args.threads)] if kind == "llmo" else []
            run([tool("llmo-run"), f"{base}.{kind}", *input_flags, "--quiet",
                 "--output-dir", out_dir, *extra])
            results[kind] = {f[:-4]: np.load(os.path.join(out_dir, f))
                             for f in sorted(os.listdir(out_dir))}
        if results["mlir"].keys() != results["llmo"].keys():
            fail(f"{name}: outputs differ: {sorted(results['mlir'])} vs "
                 f"{sorted(results['llmo'])}")
        is_float_model = not any(f.startswith("--quant=") and f != "--quant=none"
                                 for f in flags)
        for out, ref in results["mlir"].items():
            got = results["llmo"][out]
            if got.shape != ref.shape or got.dtype != ref.dtype:
                fail(f"{name}/{out}: {got.dtype}{got.shape} vs interpreter "
                     f"{ref.dtype}{ref.shape}")
            if np.issubdtype(ref.dtype, np.floating):
                if not np.all(np.isfinite(got) == np.isfinite(ref)):
                    fail(f"{name}/{out}: non-finite values differ")
                rel = float(np.abs(got.astype(np.float64) - ref).max() /
                            max(float(np.abs(ref).max()), 1e-30))
            else:
                rel = float(np.abs(got.astype(np.int64) - ref).max())
            line = f"{name} {out}: compiled vs interpreter rel {rel:.3e}"
            ok = rel <= (args.rtol if np.issubdtype(ref.dtype, np.floating) else 0)
            if is_float_model:
                if ort_outputs is None:
                    import onnxruntime as ort
                    options = ort.SessionOptions()
                    options.intra_op_num_threads = 1
                    session = ort.InferenceSession(
                        args.model, options, providers=["CPUExecutionProvider"])
                    names = [o.name for o in session.get_outputs()]
                    ort_outputs = dict(zip(names, session.run(None, inputs)))
                if out in ort_outputs:
                    exp = ort_outputs[out]
                    ort_rel = float(np.abs(got.astype(np.float64) - exp).max() /
                                    max(float(np.abs(exp).max()), 1e-30))
                    line += f", vs onnxruntime rel {ort_rel:.3e}"
                    ok = ok and ort_rel <= args.ort_rtol
            print(line, flush=True)
            if not ok:
                fail(line)
    print("PASS")


if __name__ == "__main__":
    main()
