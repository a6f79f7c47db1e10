#!/usr/bin/env python3
"""Check a recorded --llmo-assign-bitwidth sensitivity against a real run.

Usage:
  check_trial_error.py --llmo-opt PATH --llmo-run PATH --workdir DIR
                       --data CALIB.npz [--samples 4] --layer L --format F
                       [--rtol 1e-9] PLAN.mlir FLOAT.mlir

PLAN.mlir is --llmo-assign-bitwidth's output for FLOAT.mlir. The pass
records, for linear L (0-based, in order of appearance) and candidate
format F, the model's output error when only that layer is quantized to F:
sum (ref - out)^2 / sum ref^2 over every float output of the first
--samples calibration samples.

This script builds that model independently of the pass's trial: PLAN.mlir
with every `llmo.format` set to "f32" except layer L's, set to F (the
`llmo.activations` the plan set stay), materialized by
`llmo-opt --llmo-quantize=mode=w8a16` (W4A8 / W8A8 dynamic where the plan
chose dynamic activations), and runs it and FLOAT.mlir on llmo-run (the
interpreter) for each sample. The error computed from those runs must
equal the recorded errors[F] (relative --rtol). Prints the two numbers
and "PASS"; exits 1 otherwise.
"""

import argparse
import os
import re
import subprocess
import sys

import numpy as np

FLOAT = r"([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)"


def fail(msg):
    print(f"FAIL: {msg}", flush=True)
    sys.exit(1)


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"{' '.join(cmd)} exited {result.returncode}:\n{result.stderr}")


def outputs_of(llmo_run, model, inputs, workdir):
    """Runs `model` on llmo-run and returns {output name: array}."""
    os.makedirs(workdir, exist_ok=True)
    cmd = [llmo_run, model, "--quiet", "--output-dir", workdir]
    for name, array in inputs.items():
        path = os.path.join(workdir, f"in_{name}.npy")
        np.save(path, array)
        cmd += ["--input", f"{name}={path}"]
    run(cmd)
    return {
        f[:-4]: np.load(os.path.join(workdir, f))
        for f in sorted(os.listdir(workdir))
        if f.endswith(".npy") and not f.startswith("in_")
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--llmo-opt", required=True)
    parser.add_argument("--llmo-run", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--samples", type=int, default=4)
    parser.add_argument("--layer", type=int, required=True)
    parser.add_argument("--format", required=True)
    parser.add_argument("--rtol", type=float, default=1e-9)
    parser.add_argument("plan")
    parser.add_argument("float_model")
    args = parser.parse_args()

    with open(args.plan) as f:
        plan = f.read()
    recorded = re.findall(r"llmo\.bitwidth = \{[^{}]*errors = \{([^{}]*)\}",
                          plan)
    if args.layer >= len(recorded):
        fail(f"layer {args.layer}: the plan has {len(recorded)} layers")
    errors = dict(re.findall(r"(\w+) = " + FLOAT + r" : f64",
                             recorded[args.layer]))
    if args.format not in errors:
        fail(f"layer {args.layer} has no recorded error for {args.format}: "
             f"{sorted(errors)}")
    expected = float(errors[args.format])

    index = iter(range(len(recorded)))
    single = re.sub(
        r'llmo\.format = "[a-z0-9]+"',
        lambda m: 'llmo.format = "%s"' %
        (args.format if next(index) == args.layer else "f32"), plan)
    os.makedirs(args.workdir, exist_ok=True)
    single_path = os.path.join(args.workdir, "single.mlir")
    with open(single_path, "w") as f:
        f.write(single)
    quantized = os.path.join(args.workdir, "quantized.mlir")
    run([args.llmo_opt, single_path, "--llmo-quantize=mode=w8a16", "-o",
         quantized])

    data = np.load(args.data)
    error = norm = 0.0
    for s in range(args.samples):
        inputs = {name: data[name][s] for name in data.files}
        ref = outputs_of(args.llmo_run, args.float_model, inputs,
                         os.path.join(args.workdir, f"ref{s}"))
        out = outputs_of(args.llmo_run, quantized, inputs,
                         os.path.join(args.workdir, f"out{s}"))
        if sorted(ref) != sorted(out):
            fail(f"outputs differ: {sorted(ref)} vs {sorted(out)}")
        for name in ref:
            if not np.issubdtype(ref[name].dtype, np.floating):
                continue
            a = ref[name].astype(np.float64).ravel()
            b = out[name].astype(np.float64).ravel()
            error += float(np.sum((a - b)**2))
            norm += float(np.sum(a * a))
    measured = error / norm if norm > 0 else error
    print(f"layer {args.layer} {args.format}: recorded {expected:.17g}, "
          f"measured {measured:.17g}")
    if not abs(measured - expected) <= args.rtol * max(abs(expected), 1e-300):
        fail("the recorded error is not the quantized model's")
    print("PASS")


if __name__ == "__main__":
    main()
