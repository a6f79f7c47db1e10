"""Run an artifact compiled for another CPU and check the runtime's answer.

Usage: check_cpu_requires.py ARTIFACT -- COMMAND...

Reads the artifact manifest's target.requires (LLVM feature names) and this
machine's /proc/cpuinfo flags. If the CPU has every required feature,
COMMAND must succeed; otherwise it must exit 1 with an error naming the
first missing feature ("whose feature 'F' this CPU lacks"), not crash.
Prints "PASS" or "FAIL: ..." (exit 1).
"""

import json
import struct
import subprocess
import sys

# LLVM feature name -> /proc/cpuinfo flag, where they differ.
PROC_NAME = {
    "sse3": "pni",
    "sse4.1": "sse4_1",
    "sse4.2": "sse4_2",
    "bmi": "bmi1",
    "avxvnni": "avx_vnni",
    "avx512vnni": "avx512_vnni",
    "avx512bf16": "avx512_bf16",
}


def main(argv):
    sep = argv.index("--")
    artifact, command = argv[1], argv[sep + 1:]
    data = open(artifact, "rb").read()
    offset, size = struct.unpack_from("<QQ", data, 16)
    required = json.loads(data[offset:offset + size])["target"]["requires"]
    flags = set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    missing = [f for f in required if PROC_NAME.get(f, f) not in flags]
    run = subprocess.run(command, capture_output=True, text=True)
    if not missing:
        if run.returncode != 0:
            print(f"FAIL: every feature present, but exit {run.returncode}: "
                  f"{run.stderr}")
            return 1
    else:
        expect = f"whose feature '{missing[0]}' this CPU lacks"
        if run.returncode != 1 or expect not in run.stderr:
            print(f"FAIL: missing {missing}: exit {run.returncode}, "
                  f"stderr {run.stderr!r}")
            return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
