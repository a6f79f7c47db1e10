#!/usr/bin/env python3
"""Compare llmo against onnxruntime on one ONNX model.

Usage:
  compare_ort.py MODEL.onnx|MODEL.onnxtext [--inputs X.npz] --llmo-import PATH
                 --llmo-run PATH --workdir DIR [--rtol 1e-4] [--int-tol 0]
                 [--input-shape NAME=1x8 ...] [--shapes-from-inputs]
                 [--int-range [NAME=]LO,HI ...] [--float-range [NAME=]LO,HI ...]
                 [--seed 0] [--import-arg ARG ...] [--run-arg ARG ...]

MODEL may be binary ONNX or textual ONNX (.onnxtext, parsed with
onnx.parser.parse_model and saved as DIR/model_ort.onnx for onnxruntime; the
original .onnxtext is what llmo-import reads).

Without --inputs, deterministic random inputs (numpy seed --seed, default 0)
are generated from the graph input types, in graph input order: float types
from randn (or uniform in --float-range LO,HI), integer types uniform in
[LO, HI) of --int-range (default [0, 4)), bool uniformly random. A range
given as NAME=LO,HI applies to that input only. Symbolic dims must be fixed
with --input-shape. The generated arrays are saved as DIR/inputs.npz.

Steps:
  1. run onnxruntime (CPUExecutionProvider) on MODEL with the arrays in X.npz
     (one array per graph input, keyed by input name);
  2. llmo-import MODEL -o DIR/model.mlir [--input-shape NAME=DxD ...]
  3. write each input as DIR/<name>.npy
  4. llmo-run DIR/model.mlir --input NAME=DIR/NAME.npy ... --output-dir DIR/out
  5. load DIR/out/<output name>.npy for every graph output and compare with
     ORT: max abs error, and relative error max|a-b| / max(max|b|, tiny).
     Fails (exit 1) when an output is missing, has another shape, contains
     NaN/Inf where ORT does not, or its relative error exceeds --rtol.
     Integer and bool outputs (of both) are compared exactly in integer
     arithmetic instead: they fail when some |a-b| exceeds --int-tol (0).
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
    ap.add_argument("model", help="ONNX model file (.onnx or textual .onnxtext)")
    ap.add_argument("--inputs", help=".npz with one array per graph input "
                    "(default: random inputs from the graph input types)")
    ap.add_argument("--llmo-import", required=True, help="path to the llmo-import tool")
    ap.add_argument("--llmo-run", required=True, help="path to the llmo-run tool")
    ap.add_argument("--workdir", required=True, help="scratch directory (created)")
    ap.add_argument("--rtol", type=float, default=1e-4,
                    help="max allowed max|a-b| / max(max|b|, tiny) per output (default 1e-4)")
    ap.add_argument("--int-tol", type=int, default=0,
                    help="max allowed |a-b| for integer and bool outputs, which are "
                         "compared exactly, not by --rtol (default 0)")
    ap.add_argument("--input-shape", action="append", default=[], metavar="NAME=DxD",
                    help="passed through to llmo-import (repeatable)")
    ap.add_argument("--shapes-from-inputs", action="store_true",
                    help="also pass --input-shape NAME=<shape of the .npz array> for every "
                         "input not given with --input-shape")
    ap.add_argument("--int-range", action="append", default=[], metavar="[NAME=]LO,HI",
                    help="random integer inputs are drawn from [LO, HI) (default 0,4); "
                         "NAME= restricts it to one input (repeatable)")
    ap.add_argument("--float-range", action="append", default=[], metavar="[NAME=]LO,HI",
                    help="random float inputs are uniform in [LO, HI) instead of randn; "
                         "NAME= restricts it to one input (repeatable)")
    ap.add_argument("--seed", type=int, default=0,
                    help="seed of the random inputs (default 0)")
    ap.add_argument("--import-arg", action="append", default=[], metavar="ARG",
                    help="extra argument for llmo-import (repeatable)")
    ap.add_argument("--run-arg", action="append", default=[], metavar="ARG",
                    help="extra argument for llmo-run (repeatable)")
    ap.add_argument("--timeout", type=float, default=600,
                    help="seconds allowed for each llmo tool (default 600)")
    # "--int-range -5,5": argparse would take "-5,5" for an option.
    argv = list(argv)
    for i in range(len(argv) - 1, 0, -1):
        if argv[i - 1] in ("--int-range", "--float-range") and argv[i].startswith("-"):
            argv[i - 1:i + 1] = [f"{argv[i - 1]}={argv[i]}"]
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


def parse_ranges(specs, what, conv):
    """[NAME=]LO,HI specs -> (default (lo, hi) or None, {name: (lo, hi)})."""
    default, per_name = None, {}
    for spec in specs:
        name, _, rng = spec.rpartition("=")
        try:
            lo, hi = (conv(x) for x in rng.split(","))
        except ValueError:
            fail(f"bad --{what} '{spec}': expected [NAME=]LO,HI", 2)
        if not lo < hi:
            fail(f"bad --{what} '{spec}': LO must be below HI", 2)
        if name:
            per_name[name] = (lo, hi)
        else:
            default = (lo, hi)
    return default, per_name


def input_shape_overrides(specs):
    shapes = {}
    for spec in specs:
        name, _, dims = spec.rpartition("=")
        if not name:
            fail(f"bad --input-shape '{spec}': expected NAME=DxD", 2)
        shapes[name] = [] if dims in ("", "scalar") else [int(d) for d in dims.split("x")]
    return shapes


def random_inputs(model, input_names, a):
    """Deterministic random arrays for the graph inputs of `model`."""
    import onnx
    from onnx import helper

    rng = np.random.default_rng(a.seed)
    int_default, int_named = parse_ranges(a.int_range, "int-range", int)
    float_default, float_named = parse_ranges(a.float_range, "float-range", float)
    overrides = input_shape_overrides(a.input_shape)
    unknown = sorted((set(int_named) | set(float_named)) - set(input_names))
    if unknown:
        fail(f"--int-range/--float-range name {unknown}, which are not graph inputs "
             f"{input_names}", 2)
    by_name = {i.name: i for i in model.graph.input}
    inputs = {}
    for n in input_names:
        if not by_name[n].type.HasField("tensor_type"):
            fail(f"input {n} is not a tensor: cannot generate random data", 2)
        tt = by_name[n].type.tensor_type
        dtype = helper.tensor_dtype_to_np_dtype(tt.elem_type)
        if n in overrides:
            shape = overrides[n]
        else:
            if not tt.HasField("shape"):
                fail(f"input {n} has no shape: pass --input-shape {n}=DxD", 2)
            shape = []
            for d in tt.shape.dim:
                if not d.HasField("dim_value"):
                    fail(f"input {n} has a symbolic dim: pass --input-shape {n}=DxD", 2)
                shape.append(d.dim_value)
        if dtype == np.bool_:
            v = rng.integers(0, 2, size=shape).astype(np.bool_)
        elif np.issubdtype(dtype, np.integer):
            lo, hi = int_named.get(n, int_default or (0, 4))
            info = np.iinfo(dtype)
            if lo < info.min or hi - 1 > info.max:
                fail(f"--int-range [{lo}, {hi}) does not fit {np.dtype(dtype).name} "
                     f"input {n}", 2)
            v = rng.integers(lo, hi, size=shape).astype(dtype)
        elif np.issubdtype(dtype, np.floating):
            fr = float_named.get(n, float_default)
            if fr is None:
                v = rng.standard_normal(size=shape)
            else:
                v = rng.uniform(fr[0], fr[1], size=shape)
            v = np.asarray(v).astype(dtype)
        else:
            fail(f"input {n}: cannot generate random data of type "
                 f"{onnx.TensorProto.DataType.Name(tt.elem_type)}", 2)
        inputs[n] = np.asarray(v)
    return inputs


def load_model(path):
    """The ModelProto of a binary .onnx or a textual .onnxtext file."""
    import onnx

    if path.endswith(".onnxtext"):
        import onnx.parser

        with open(path, encoding="utf-8") as f:
            try:
                return onnx.parser.parse_model(f.read())
            except Exception as e:  # onnx.parser.ParseError and friends
                fail(f"cannot parse {path}: {e}", 2)
    return onnx.load(path, load_external_data=False)


def run_ort(model_path, inputs):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    sess = ort.InferenceSession(model_path, sess_options=opts,
                                providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    outs = sess.run(names, inputs)
    return dict(zip(names, outs))


def graph_io_names(m):
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


def is_integral(a):
    return a.dtype == np.bool_ or np.issubdtype(a.dtype, np.integer)


def compare_ints(name, got, ref, int_tol, dtype_note):
    """Exact comparison of integer/bool outputs (float64 would round int64)."""
    wide = np.uint64 if (got.dtype == np.uint64 or ref.dtype == np.uint64) else np.int64
    a, b = got.astype(wide), ref.astype(wide)
    # |a - b| without wrap-around: compare as Python ints where they differ.
    differ = a != b
    diffs = [abs(int(x) - int(y)) for x, y in zip(a[differ], b[differ])]
    max_abs = max(diffs, default=0)
    msg = (f"{name}: shape {list(got.shape)} integers: {int(differ.sum())} of {got.size} "
           f"differ, max_abs_err={max_abs} (int tolerance {int_tol}){dtype_note}")
    if max_abs > int_tol:
        idx = np.unravel_index(int(np.argmax(differ)), got.shape)
        return False, msg + (f" first at {list(map(int, idx))} (llmo {int(a[idx])}, "
                             f"ORT {int(b[idx])})")
    return True, msg


def compare(name, got, ref, rtol, int_tol=0):
    """Return (ok, message)."""
    if got.shape != ref.shape:
        return False, (f"{name}: shape mismatch: llmo {list(got.shape)} vs ORT "
                       f"{list(ref.shape)}")
    dtype_note = "" if got.dtype == ref.dtype else f" (dtype llmo {got.dtype} vs ORT {ref.dtype})"
    if got.size == 0:
        return True, f"{name}: empty, shape {list(got.shape)}{dtype_note}"
    if is_integral(got) and is_integral(ref):
        return compare_ints(name, got, ref, int_tol, dtype_note)
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

    model = load_model(a.model)
    input_names, output_names = graph_io_names(model)
    if a.inputs:
        inputs = load_inputs(a.inputs, input_names)
    else:
        inputs = random_inputs(model, input_names, a)
        np.savez(os.path.join(workdir, "inputs.npz"), **inputs)
        for n, v in inputs.items():
            print(f"note: random input {n}: {v.dtype}{list(v.shape)}")

    # 1. Reference. ORT reads binary ONNX: a textual model is saved first.
    ort_model = a.model
    if a.model.endswith(".onnxtext"):
        import onnx

        ort_model = os.path.join(workdir, "model_ort.onnx")
        onnx.save(model, ort_model)
    print(f"== onnxruntime on {a.model}")
    try:
        ref = run_ort(ort_model, inputs)
    except Exception as e:  # onnxruntime's errors are not one class
        fail(f"onnxruntime cannot run {a.model}: {e}", 2)

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
        ok, msg = compare(n, np.load(p, allow_pickle=False), ref[n], a.rtol, a.int_tol)
        print(f"  {'ok  ' if ok else 'BAD '} {msg}")
        if not ok:
            failures.append(msg)
    if failures:
        print(f"FAIL: {len(failures)} of {len(output_names)} output(s) of "
              f"{os.path.basename(a.model)} differ from onnxruntime beyond rtol={a.rtol:g} "
              f"(integers: beyond {a.int_tol}):")
        for f in failures:
            print(f"  - {f}")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
