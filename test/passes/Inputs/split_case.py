#!/usr/bin/env python3
"""Extract one case of a -split-input-file test into its own file.

Usage: split_case.py INPUT NAME OUTPUT

INPUT is a file whose cases are separated by `// -----` lines: a test
source, or what `llmo-opt -split-input-file` printed for it. The case is
the one chunk that contains `module @NAME` (followed by a space, `{` or
the end of the line); exactly one chunk must. It is written to OUTPUT as
is, so that a pass that runs on a module's @main can be checked case by
case with compare_outputs.py (which needs one @main per file).

Exits 0 on success, 1 when no chunk or several chunks match.
"""

import re
import sys


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    path, name, out = argv
    with open(path) as f:
        text = f.read()
    chunks = re.split(r"^// -----[^\n]*$", text, flags=re.M)
    pattern = re.compile(r"\bmodule @" + re.escape(name) + r"(?=[\s{]|$)",
                         re.M)
    found = [c for c in chunks if pattern.search(c)]
    if len(found) != 1:
        print(f"split_case.py: {path}: {len(found)} chunks define "
              f"module @{name}, expected 1", file=sys.stderr)
        return 1
    with open(out, "w") as f:
        f.write(found[0].lstrip("\n"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
