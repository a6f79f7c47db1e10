# -*- Python -*-
import os
import subprocess

import lit.formats
from lit.llvm import llvm_config

config.name = "llmo"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".onnxtext", ".test"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py",
                   "Inputs", "models", "unit"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.llmo_obj_root, "test")

llvm_config.with_system_environment(["HOME", "PATH", "PYTHONPATH"])
llvm_config.use_default_substitutions()

# %llmopy: the Python with requirements-dev.txt (lit's own %python is the
# interpreter lit runs under, which may lack onnxruntime).
config.substitutions.append(("%llmopy", config.llmo_python))
config.substitutions.append(("%models", os.path.join(
    config.llmo_src_root, "test", "e2e", "models")))
config.substitutions.append(("%llmo_src", config.llmo_src_root))
config.substitutions.append(("%llmo_tools", config.llmo_tools_dir))
config.substitutions.append(("%llmo_c_flags", config.llmo_test_c_flags))
config.substitutions.append(("%llmo_lib",
                             os.path.join(config.llmo_obj_root, "lib")))

tool_dirs = [config.llmo_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(
    ["llmo-opt", "llmo-import", "llmo-run", "llmo-compile", "not", "count",
     "split-file"],
    tool_dirs)

# Numeric end-to-end tests compare against onnxruntime.
try:
    subprocess.check_call(
        [config.llmo_python, "-c", "import onnx, onnxruntime, numpy"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    config.available_features.add("onnxruntime")
except (subprocess.CalledProcessError, OSError):
    # CI and the README's test command must not skip the numeric tests
    # silently: configure with -DLLMO_REQUIRE_E2E=OFF to allow it.
    report = lit_config.fatal if config.llmo_require_e2e else lit_config.warning
    report("onnxruntime is not importable by %s: numeric "
                       "end-to-end tests are unsupported" %
                       config.llmo_python)
