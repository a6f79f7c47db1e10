#!/usr/bin/env python3
"""Check that an --llmo-assign-bitwidth plan is the optimum under its budget.

Usage: check_bitwidth_plan.py [--budget N] [--argmin] OUT.mlir

OUT.mlir is llmo-opt's output after --llmo-assign-bitwidth (one module).
For every `llmo.linear` with `llmo.bitwidth = {bytes, errors, format,
predicted_error}` and the module's `llmo.bitwidth_plan = {budget, bytes,
predicted_error}` (and `activations = "dynamic"`, if planned so), checks,
independently of the pass:

- each layer: `llmo.format` is its `format`; `predicted_error` is
  errors[format]; `bytes` is the size of its [K, N] weight in that format
  (f32: 4KN, w16: 2KN, w8: KN + 4N, w4c: ceil(KN/2) + 4N, w4g<G>:
  ceil(KN/2) + 4N * K/G, or the w4c size when G does not divide K);
- the plan: bytes = sum of the layers' bytes <= budget, predicted_error =
  sum of the layers' predicted errors (relative 1e-12);
- optimality: brute force over every combination of the recorded formats
  (sizes as above; exact dynamic programming over every byte count when
  there are more than 10^6 combinations), the least total error within
  the budget equals the plan's predicted_error (relative 1e-12).

--budget N: the plan's budget must be N. --argmin: every layer's format
must have its least recorded error (for a budget that fits everything).
Prints the layers, the optimum and "PASS"; exits 1 on a failed check.
"""

import argparse
import itertools
import re
import sys

import numpy as np

MAX_BRUTE_FORCE = 1000000
FLOAT = r"([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)"


def fail(msg):
    print(f"FAIL: {msg}", flush=True)
    sys.exit(1)


def weight_bytes(fmt, k, n):
    if fmt == "f32":
        return 4 * k * n
    if fmt == "w16":
        return 2 * k * n
    if fmt == "w8":
        return k * n + 4 * n
    half = (k * n + 1) // 2
    if fmt == "w4c":
        return half + 4 * n
    m = re.fullmatch(r"w4g(\d+)", fmt)
    if not m:
        fail(f"unknown format {fmt}")
    g = int(m.group(1))
    if k % g:
        return half + 4 * n
    return half + 4 * n * (k // g)


def close(a, b, rtol=1e-12):
    return abs(a - b) <= rtol * max(abs(a), abs(b), 1e-300)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budget", type=int)
    ap.add_argument("--argmin", action="store_true")
    ap.add_argument("path")
    args = ap.parse_args(argv)
    text = open(args.path).read()

    plan = re.search(r"llmo\.bitwidth_plan = \{(?:activations = \"dynamic\", )?"
                     r"budget = (\d+) : i64, bytes = "
                     r"(\d+) : i64, predicted_error = " + FLOAT + r" : f64\}",
                     text)
    if not plan:
        fail("no llmo.bitwidth_plan")
    budget, plan_bytes = int(plan.group(1)), int(plan.group(2))
    plan_error = float(plan.group(3))
    if args.budget is not None and budget != args.budget:
        fail(f"plan budget {budget}, expected {args.budget}")

    layers = []
    for line in text.splitlines():
        if "llmo.linear" not in line and "llmo.fused_linear" not in line:
            continue
        m = re.search(r"llmo\.bitwidth = \{bytes = (\d+) : i64, errors = "
                      r"\{([^}]*)\}, format = \"(\w+)\", predicted_error = " +
                      FLOAT + r" : f64\}", line)
        if not m:
            fail(f"a linear without llmo.bitwidth: {line.strip()}")
        fmt_attr = re.search(r"llmo\.format = \"(\w+)\"", line)
        shape = re.search(r": \(tensor<[0-9x]+xf32>, tensor<(\d+)x(\d+)xf32>",
                          line)
        errors = {name: float(v) for name, v in
                  re.findall(r"(\w+) = " + FLOAT + r" : f64", m.group(2))}
        layer = {"bytes": int(m.group(1)), "errors": errors,
                 "format": m.group(3), "predicted": float(m.group(4)),
                 "k": int(shape.group(1)), "n": int(shape.group(2))}
        if not fmt_attr or fmt_attr.group(1) != layer["format"]:
            fail(f"llmo.format differs from llmo.bitwidth's: {line.strip()}")
        if layer["format"] not in errors:
            fail(f"format {layer['format']} has no recorded error")
        if layer["predicted"] != errors[layer["format"]]:
            fail(f"predicted_error {layer['predicted']} is not "
                 f"errors[{layer['format']}]")
        expected = weight_bytes(layer["format"], layer["k"], layer["n"])
        if layer["bytes"] != expected:
            fail(f"{layer['k']}x{layer['n']} in {layer['format']}: "
                 f"{layer['bytes']} bytes recorded, expected {expected}")
        if args.argmin and errors[layer["format"]] != min(errors.values()):
            fail(f"{layer['k']}x{layer['n']}: {layer['format']} has not the "
                 f"least error of {errors}")
        layers.append(layer)
        print(f"layer {layer['k']}x{layer['n']}: {layer['format']}, "
              f"{layer['bytes']} bytes")
    if not layers:
        fail("no linears")

    if plan_bytes != sum(l["bytes"] for l in layers):
        fail(f"plan bytes {plan_bytes} != the layers' sum")
    if plan_bytes > budget:
        fail(f"plan bytes {plan_bytes} > budget {budget}")
    if not close(plan_error, sum(l["predicted"] for l in layers)):
        fail(f"plan error {plan_error} != the layers' sum")

    options = [[(weight_bytes(f, l["k"], l["n"]), e)
                for f, e in sorted(l["errors"].items())] for l in layers]
    count = 1
    for o in options:
        count *= len(o)
    if count <= MAX_BRUTE_FORCE:
        best = None
        for combo in itertools.product(*options):
            if sum(b for b, _ in combo) <= budget:
                total = sum(e for _, e in combo)
                best = total if best is None else min(best, total)
        how = f"over {count} plans"
    else:
        # Too many plans: exact dynamic programming over every byte count
        # (no rounding), best[c] = least error of the layers so far in at
        # most c bytes.
        capacity = min(budget, sum(max(b for b, _ in o) for o in options))
        best_at = np.zeros(capacity + 1)
        for o in options:
            new = np.full(capacity + 1, np.inf)
            for b, e in o:
                if b <= capacity:
                    new[b:] = np.minimum(new[b:], best_at[:capacity + 1 - b] + e)
            best_at = new
        best = None if np.isinf(best_at[capacity]) else float(best_at[capacity])
        how = f"by exact DP over {capacity} bytes ({count} plans)"
    if best is None:
        fail("no combination fits the budget")
    print(f"plan: {plan_bytes} <= {budget} bytes; optimum {how}: "
          f"{best:.17g}, plan: {plan_error:.17g}")
    if not close(best, plan_error):
        fail(f"the plan's error {plan_error} is not the optimum {best}")
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
