#!/usr/bin/env python3
"""Check the consistency of an llmo-compile --report JSON file.

Usage: check_report.py REPORT.json --quant Q [--layers N]
                       [--formats REGEX] [--min-sqnr DB] [--samples N]
                       [--min-cosine C] [--max-cosine C] [--no-end-to-end]

Checks, independently of llmo-compile:
- "quant" is Q; there are N (if given) "layers", each with a "name", a
  [K, N] "shape", a "format" matching REGEX (full match, if given) and
  "weight_bytes" equal to the size of a [K, N] weight in that format (f32:
  4KN, w16: 2KN, w8 and w8a8-*: KN + 4N, w4c: ceil(KN/2) + 4N, w4g<G>:
  ceil(KN/2) + 4N * K/G); every quantized layer has a "weight_sqnr_db" of
  at least DB (if given), f32 layers have none;
- "memory": every documented field is there, average_weight_bits =
  8 * weight_bytes / parameters, estimate_bytes = weight_bytes +
  activation_peak_bytes, rule_of_thumb_bytes = parameters * 4 / (32 /
  bits) * 1.2, and the layers' weight bytes fit in weight_bytes;
- "end_to_end" (unless --no-end-to-end, which requires its absence):
  "samples" is N (if given), "cosine" is within [min, max], and
  "max_abs_error", "relative_max_error" are there.
Prints one line per layer format count and "PASS"; exits 1 on a failure.
"""

import argparse
import collections
import json
import re
import sys


def fail(msg):
    print(f"FAIL: {msg}", flush=True)
    sys.exit(1)


def weight_bytes(fmt, k, n):
    half = (k * n + 1) // 2
    if fmt == "f32":
        return 4 * k * n
    if fmt == "w16":
        return 2 * k * n
    if fmt in ("w8", "w8a8-static", "w8a8-dynamic"):
        return k * n + 4 * n
    if fmt == "w4c":
        return half + 4 * n
    m = re.fullmatch(r"w4g(\d+)", fmt)
    if not m:
        fail(f"unknown format {fmt!r}")
    g = int(m.group(1))
    if k % g:
        fail(f"format {fmt} for K = {k}: the group does not divide K")
    return half + 4 * n * (k // g)


def close(a, b, rtol=1e-9):
    return abs(a - b) <= rtol * max(abs(a), abs(b), 1e-300)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("report")
    ap.add_argument("--quant", required=True)
    ap.add_argument("--layers", type=int)
    ap.add_argument("--formats")
    ap.add_argument("--min-sqnr", type=float)
    ap.add_argument("--samples", type=int)
    ap.add_argument("--min-cosine", type=float, default=-1.0)
    ap.add_argument("--max-cosine", type=float, default=1.0)
    ap.add_argument("--no-end-to-end", action="store_true")
    args = ap.parse_args(argv)
    with open(args.report) as f:
        report = json.load(f)

    if report.get("quant") != args.quant:
        fail(f"quant is {report.get('quant')!r}, expected {args.quant!r}")
    layers = report.get("layers")
    if not isinstance(layers, list) or not layers:
        fail("no layers")
    if args.layers is not None and len(layers) != args.layers:
        fail(f"{len(layers)} layers, expected {args.layers}")
    formats = collections.Counter()
    layer_bytes = 0
    for layer in layers:
        for key in ("name", "shape", "format", "weight_bytes"):
            if key not in layer:
                fail(f"layer without {key!r}: {layer}")
        k, n = layer["shape"]
        fmt = layer["format"]
        if args.formats and not re.fullmatch(args.formats, fmt):
            fail(f"{layer['name']}: format {fmt!r} does not match "
                 f"{args.formats!r}")
        expected = weight_bytes(fmt, k, n)
        if layer["weight_bytes"] != expected:
            fail(f"{layer['name']}: {k}x{n} {fmt}: weight_bytes "
                 f"{layer['weight_bytes']}, expected {expected}")
        if fmt == "f32":
            if "weight_sqnr_db" in layer:
                fail(f"{layer['name']}: an f32 layer with weight_sqnr_db")
        else:
            sqnr = layer.get("weight_sqnr_db")
            if not isinstance(sqnr, (int, float)):
                fail(f"{layer['name']}: no weight_sqnr_db")
            if args.min_sqnr is not None and sqnr < args.min_sqnr:
                fail(f"{layer['name']}: weight_sqnr_db {sqnr} < "
                     f"{args.min_sqnr}")
        formats[fmt] += 1
        layer_bytes += layer["weight_bytes"]

    memory = report.get("memory", {})
    for key in ("parameters", "parameters_before_pruning", "weight_bytes",
                "average_weight_bits", "activation_peak_bytes",
                "estimate_bytes", "rule_of_thumb_bytes"):
        if key not in memory:
            fail(f"memory without {key!r}")
    params, wbytes = memory["parameters"], memory["weight_bytes"]
    bits = memory["average_weight_bits"]
    if not close(bits, 8.0 * wbytes / params):
        fail(f"average_weight_bits {bits} != 8 * {wbytes} / {params}")
    if memory["estimate_bytes"] != wbytes + memory["activation_peak_bytes"]:
        fail("estimate_bytes != weight_bytes + activation_peak_bytes")
    if not close(memory["rule_of_thumb_bytes"], params * 4.0 / (32.0 / bits)
                 * 1.2):
        fail("rule_of_thumb_bytes != parameters * 4 / (32 / bits) * 1.2")
    if layer_bytes > wbytes:
        fail(f"the layers' {layer_bytes} weight bytes exceed the model's "
             f"{wbytes}")

    e2e = report.get("end_to_end")
    if args.no_end_to_end:
        if e2e is not None:
            fail("an end_to_end section without calibration data")
    else:
        if not isinstance(e2e, dict):
            fail("no end_to_end section")
        for key in ("samples", "cosine", "max_abs_error",
                    "relative_max_error"):
            if key not in e2e:
                fail(f"end_to_end without {key!r}: {e2e}")
        if args.samples is not None and e2e["samples"] != args.samples:
            fail(f"end_to_end samples {e2e['samples']}, expected "
                 f"{args.samples}")
        if not args.min_cosine <= e2e["cosine"] <= args.max_cosine:
            fail(f"cosine {e2e['cosine']} not in [{args.min_cosine}, "
                 f"{args.max_cosine}]")
    for fmt in sorted(formats):
        print(f"{fmt}: {formats[fmt]} layers")
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
