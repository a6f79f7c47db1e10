#!/usr/bin/env python3
"""Check that one lossy rewrite is less accurate than another.

Usage:
  check_order.py [--output NAME] [--metric rel_err|max_abs_err|cosine]
                 WORSE.json BETTER.json

Both files are --json-out reports of compare_outputs.py against the same
reference and inputs. For the output NAME (default: every output in both),
WORSE must be strictly less accurate than BETTER: a larger rel_err or
max_abs_err, or a smaller cosine. Prints "NAME: WORSE_VALUE vs BETTER_VALUE"
per output and "PASS"; exits 1 otherwise.
"""

import argparse
import json
import sys


def main(argv):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--output")
    ap.add_argument("--metric", default="rel_err",
                    choices=("rel_err", "max_abs_err", "cosine"))
    ap.add_argument("worse")
    ap.add_argument("better")
    args = ap.parse_args(argv)
    with open(args.worse) as f:
        worse = json.load(f)
    with open(args.better) as f:
        better = json.load(f)
    names = [args.output] if args.output else sorted(set(worse) & set(better))
    if not names:
        print("FAIL: no common outputs")
        return 1
    for name in names:
        if name not in worse or name not in better:
            print(f"FAIL: {name} missing from a report")
            return 1
        w, b = worse[name][args.metric], better[name][args.metric]
        print(f"{name}: {args.metric} {w:.6g} vs {b:.6g}")
        ok = w < b if args.metric == "cosine" else w > b
        if not ok:
            print(f"FAIL: {name}: {args.worse} is not less accurate than "
                  f"{args.better} by {args.metric}")
            return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
