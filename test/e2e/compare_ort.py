#!/usr/bin/env python3
"""Compare llmo against onnxruntime on one ONNX model.

Usage:
  compare_ort.py MODEL.onnx --inputs X.npz --llmo-import PATH --llmo-run PATH
                 --workdir DIR [--rtol 1e-4] [--input-shape NAME=1x8 ...]
                 [--shapes-from-inputs] [--import-arg ARG ...] [--run-arg ARG ...]

Steps:
  1. run onnxruntime (CPUExecutionProvider) on MODEL with the arrays in X.npz
     (one array per graph input, keyed by input name);
  2. llmo-import MODEL.onnx -o DIR/model.mlir [--input-shape NAME=DxD ...]
  3. write each input as DIR/<name>.npy
  4. llmo-run DIR/model.mlir --input NAME=DIR/NAME.npy ... --output-dir DIR/out
  5. load DIR/out/<output name>.npy for every graph output and compare with
     ORT: max abs error, and relative error max|a-b| / max(max|b|, tiny).
     Fails (exit 1) when an output is missing, has another shape, contains
     NaN/Inf where ORT does not, or its relative error exceeds --rtol.
     Prints "PASS" at the end on success.

Exit codes: 0 pass, 1 mismatch or llmo tool failure, 2 usage/setup error.
This script needs only numpy, onnx and onnxruntime (no torch).
"""

import argparse
import os
import shlex
import subprocess
import sys

import numpy as np

TINY = np.finfo(np.float64).tiny


def fail(msg, code=1):
    print(f"FAIL: {msg}", flush=True)
    sys.exit(code)


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", help="ONNX model file")
    ap.add_argument("--inputs", required=True, help=".npz with one array per graph input")
    ap.add_argument("--llmo-import", required=True, help="path to the llmo-import tool")
    ap.add_argument("--llmo-run", required=True, help="path to the llmo-run tool")
    ap.add_argument("--workdir", required=True, help="scratch directory (created)")
    ap.add_argument("--rtol", type=float, default=1e-4,
                    help="max allowed max|a-b| / max(max|b|, tiny) per output (default 1e-4)")
    ap.add_argument("--input-shape", action="append", default=[], metavar="NAME=DxD",
                    help="passed through to llmo-import (repeatable)")
    ap.add_argument("--shapes-from-inputs", action="store_true",
                    help="also pass --input-shape NAME=<shape of the .npz array> for every "
                         "input not given with --input-shape")
    ap.add_argument("--import-arg", action="append", default=[], metavar="ARG",
                    help="extra argument for llmo-import (repeatable)")
    ap.add_argument("--run-arg", action="append", default=[], metavar="ARG",
                    help="extra argument for llmo-run (repeatable)")
    ap.add_argument("--timeout", type=float, default=600,
                    help="seconds allowed for each llmo tool (default 600)")
    return ap.parse_args(argv)


def load_inputs(path, input_names):
    if not os.path.isfile(path):
        fail(f"inputs file not found: {path}", 2)
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    missing = [n for n in input_names if n not in arrays]
    if missing:
        fail(f"{path} lacks arrays for graph inputs {missing} (has {sorted(arrays)})", 2)
    extra = sorted(set(arrays) - set(input_names))
    if extra:
        print(f"note: ignoring arrays not named as graph inputs: {extra}")
    return {n: arrays[n] for n in input_names}


def run_ort(model_path, inputs):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    sess = ort.InferenceSession(model_path, sess_options=opts,
                                providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    outs = sess.run(names, inputs)
    return dict(zip(names, outs))


def graph_io_names(model_path):
    import onnx

    m = onnx.load(model_path, load_external_data=False)
    init = {i.name for i in m.graph.initializer}
    ins = [i.name for i in m.graph.input if i.name not in init]
    outs = [o.name for o in m.graph.output]
    return ins, outs


def run_tool(cmd, what, timeout):
    print(f"$ {shlex.join(cmd)}", flush=True)
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=timeout)
    except FileNotFoundError:
        fail(f"{what}: executable not found: {cmd[0]}")
    except subprocess.TimeoutExpired as e:
        out = e.stdout if isinstance(e.stdout, str) else (e.stdout or b"").decode(errors="replace")
        sys.stdout.write(out[-4000:])
        fail(f"{what} timed out after {timeout}s")
    if r.stdout:
        sys.stdout.write(r.stdout if r.stdout.endswith("\n") else r.stdout + "\n")
    if r.returncode != 0:
        fail(f"{what} exited with status {r.returncode}")


def shape_str(shape):
    return "x".join(str(int(d)) for d in shape) if len(shape) else ""


def compare(name, got, ref, rtol):
    """Return (ok, message)."""
    if got.shape != ref.shape:
        return False, (f"{name}: shape mismatch: llmo {list(got.shape)} vs ORT "
                       f"{list(ref.shape)}")
    dtype_note = "" if got.dtype == ref.dtype else f" (dtype llmo {got.dtype} vs ORT {ref.dtype})"
    if got.size == 0:
        return True, f"{name}: empty, shape {list(got.shape)}{dtype_note}"
    a = got.astype(np.float64)
    b = ref.astype(np.float64)
    bad_a = ~np.isfinite(a)
    bad_b = ~np.isfinite(b)
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    same_nonfinite = (np.array_equal(bad_a, bad_b) and np.array_equal(nan_a, nan_b)
                      and np.array_equal(a[bad_a & ~nan_a], b[bad_b & ~nan_b]))
    if not same_nonfinite:
        return False, (f"{name}: non-finite values differ: llmo has {int(bad_a.sum())} "
                       f"NaN/Inf, ORT has {int(bad_b.sum())}{dtype_note}")
    fin = ~bad_b
    diff = np.abs(a[fin] - b[fin])
    max_abs = float(diff.max()) if diff.size else 0.0
    ref_max = float(np.abs(b[fin]).max()) if diff.size else 0.0
    rel = max_abs / max(ref_max, TINY)
    where = ""
    if diff.size and max_abs > 0:
        idx = np.unravel_index(int(np.argmax(np.where(fin, np.abs(a - b), -1.0))), a.shape)
        where = f" at {list(map(int, idx))} (llmo {float(a[idx]):.9g}, ORT {float(b[idx]):.9g})"
    msg = (f"{name}: shape {list(got.shape)} max_abs_err={max_abs:.3e} "
           f"max|ref|={ref_max:.3e} rel_err={rel:.3e} (rtol {rtol:g}){dtype_note}")
    if rel > rtol:
        return False, msg + where
    return True, msg


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    if not os.path.isfile(a.model):
        fail(f"model not found: {a.model}", 2)
    workdir = os.path.abspath(a.workdir)
    outdir = os.path.join(workdir, "out")
    os.makedirs(outdir, exist_ok=True)
    # Stale outputs from an earlier run must not be mistaken for new ones.
    for f in os.listdir(outdir):
        if f.endswith(".npy"):
            os.remove(os.path.join(outdir, f))

    input_names, output_names = graph_io_names(a.model)
    inputs = load_inputs(a.inputs, input_names)

    # 1. Reference.
    print(f"== onnxruntime on {a.model}")
    ref = run_ort(a.model, inputs)

    # 2. Import.
    shapes = list(a.input_shape)
    if a.shapes_from_inputs:
        given = {s.split("=", 1)[0] for s in shapes}
        shapes += [f"{n}={shape_str(v.shape)}" for n, v in inputs.items() if n not in given]
    mlir = os.path.join(workdir, "model.mlir")
    if os.path.exists(mlir):
        os.remove(mlir)
    cmd = [a.llmo_import, a.model, "-o", mlir]
    for s in shapes:
        cmd += ["--input-shape", s]
    cmd += a.import_arg
    print("== llmo-import")
    run_tool(cmd, "llmo-import", a.timeout)
    if not os.path.isfile(mlir):
        fail(f"llmo-import did not write {mlir}")

    # 3. Inputs as .npy.
    cmd = [a.llmo_run, mlir]
    for n, v in inputs.items():
        p = os.path.join(workdir, f"{n}.npy")
        np.save(p, v)
        cmd += ["--input", f"{n}={p}"]
    cmd += ["--output-dir", outdir]
    cmd += a.run_arg

    # 4. Run.
    print("== llmo-run")
    run_tool(cmd, "llmo-run", a.timeout)

    # 5. Compare.
    print("== compare (llmo vs onnxruntime)")
    failures = []
    for n in output_names:
        p = os.path.join(outdir, f"{n}.npy")
        if not os.path.isfile(p):
            msg = f"{n}: llmo-run wrote no {p}"
            print(f"  {msg}")
            failures.append(msg)
            continue
        ok, msg = compare(n, np.load(p, allow_pickle=False), ref[n], a.rtol)
        print(f"  {'ok  ' if ok else 'BAD '} {msg}")
        if not ok:
            failures.append(msg)
    if failures:
        print(f"FAIL: {len(failures)} of {len(output_names)} output(s) of "
              f"{os.path.basename(a.model)} differ from onnxruntime beyond rtol={a.rtol:g}:")
        for f in failures:
            print(f"  - {f}")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
