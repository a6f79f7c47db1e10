#!/usr/bin/env python3
"""compare_outputs.py, case by case, for -split-input-file tests.

Usage:
  compare_cases.py --llmo-run PATH --workdir DIR
                   --case NAME SHAPE [SHAPE ...] [--case ...]
                   [any other compare_outputs.py option, e.g. --rtol 0]
                   --before BEFORE --after AFTER

BEFORE and AFTER hold cases separated by `// -----` lines (a test source
and what `llmo-opt -split-input-file` printed for it); every case is a
`module @NAME { func.func @main ... }`. For every --case, the chunk of
`module @NAME` is extracted from both files (split_case.py) into
DIR/NAME/{before,after}.input.mlir and compared by compare_outputs.py with
that case's --shape specs (NAME=DxD:DTYPE, as compare_outputs.py takes
them) and the other options given here.

Prints "case NAME" and compare_outputs.py's lines for each case, then
"ALL PASS"; exits 1 at the first failing case.
"""

import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import split_case  # noqa: E402


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--llmo-run", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--case", action="append", nargs="+", required=True,
                    metavar=("NAME", "SHAPE"))
    ap.add_argument("--before", required=True)
    ap.add_argument("--after", required=True)
    args, extra = ap.parse_known_args(argv)
    for case in args.case:
        name, shapes = case[0], case[1:]
        if not shapes:
            print(f"FAIL: --case {name} needs at least one SHAPE")
            return 2
        casedir = os.path.join(args.workdir, name)
        os.makedirs(casedir, exist_ok=True)
        files = []
        for tag, path in (("before", args.before), ("after", args.after)):
            out = os.path.join(casedir, tag + ".input.mlir")
            if split_case.main([path, name, out]) != 0:
                print(f"FAIL: case {name}: not found in {path}")
                return 1
            files.append(out)
        cmd = [sys.executable, os.path.join(HERE, "compare_outputs.py"),
               "--llmo-run", args.llmo_run, "--workdir", casedir]
        for shape in shapes:
            cmd += ["--shape", shape]
        cmd += extra + files
        print(f"case {name}", flush=True)
        proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        sys.stdout.write(proc.stdout)
        if proc.returncode != 0:
            print(f"FAIL: case {name}: compare_outputs.py exited with "
                  f"{proc.returncode}")
            return 1
    print("ALL PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
