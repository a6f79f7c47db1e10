#!/usr/bin/env python3
"""Run a command and report how it ended, for FileCheck.

Usage: exit_status.py [--no-files DIR] -- CMD [ARG...]

Runs CMD with its stderr merged into its stdout and forwards that output,
then prints `exit status: N` (N < 0: killed by signal -N, i.e. a crash).
With --no-files DIR it then prints `no files in DIR` when DIR does not exist
or is empty, else `files left in DIR: NAME ...` (the check that a failed run
leaves no output .npy, nor a temporary file, behind).

Always exits 0 so that FileCheck, not the shell, judges the result: check
for `exit status: 1` rather than using `not`, which accepts any non-zero
status.
"""

import os
import subprocess
import sys


def main(argv):
    no_files = None
    if argv[:1] == ["--no-files"]:
        no_files, argv = argv[1], argv[2:]
    if argv[:1] != ["--"] or len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    proc = subprocess.run(argv[1:], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT)
    sys.stdout.write(proc.stdout.decode("utf-8", "replace"))
    print(f"exit status: {proc.returncode}")
    if no_files is not None:
        left = sorted(os.listdir(no_files)) if os.path.isdir(no_files) else []
        if left:
            print(f"files left in {no_files}: {' '.join(left)}")
        else:
            print(f"no files in {no_files}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
