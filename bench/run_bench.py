#!/usr/bin/env python3
"""llmo vs onnxruntime, side by side, on the same models and thread counts.

  python3 bench/run_bench.py [--models minilm,bert-base,llama-prefill,llama-decode]
      [--threads 1,2] [--runs 15] [--configs fp32,w8a8,w4a16]
      [--llmo-bin build/bin] [--workdir bench/work] [--json OUT.json]
      [--llama-layers 2] [--quick]

For every model (random weights, exported once and cached under
WORKDIR/models by bench/bench_models.py) and every thread count N:

  * onnxruntime fp32: intra_op_num_threads=N, inter_op_num_threads=1,
    ORT_ENABLE_ALL, 3 warmup runs, then median and min of --runs runs
    (time.perf_counter around InferenceSession.run), in a child process;
  * onnxruntime int8: quantize_dynamic(weight_type=QInt8, per_channel=True),
    timed the same way;
  * both onnxruntime measurements are taken twice, before and after llmo's
    runs of the model (--no-ort-bracket: before only), and reported over
    the 2 x --runs runs: the VM's clock drifts within a run, and this way
    both sides are timed across the same stretch;
  * llmo, per config: llmo-compile MODEL.onnx -o X.llmo --target=cpu FLAGS
    --input-shape NAME=1xS ... --report=R.json (once per config), then
    llmo-run X.llmo --input NAME=F.npy ... --threads N --repeat RUNS
    --warmup WARMUP --output-dir D, parsing "latency: repeat=R median_ms=X min_ms=Y".

Every measurement runs in its own child process; its peak RSS comes from
os.wait4. llmo's output is compared with onnxruntime fp32's (max relative
error for fp32, cosine for quantized configs). Memory read bandwidth is
measured by bench/membw.c (compiled here with cc -O3 -march=native), and for
llama-decode the weight bytes streamed per token / median latency is
printed against it. A step that fails (llmo-compile or llmo-run not
implemented yet, a crash, a timeout) is reported as n/a; the harness goes on.

See bench/README.md for the columns. Needs numpy, onnx, onnxruntime; torch
and transformers only to export the models (bench/models/requirements-export.txt).
"""

import argparse
import datetime
import glob
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import bench_models  # noqa: E402  (specs only; torch is imported in the export child)

# llmo-compile flags of each config ({calib} and {group} are filled in).
CONFIGS = {
    "fp32": ["--quant=none"],
    # Dynamic per-token activation scales, no calibration data needed.
    "w8a8": ["--quant=w8a8", "--activations=dynamic", "--smoothquant-alpha=off"],
    # Static activation scales + SmoothQuant 0.5, calibrated on random tokens.
    "w8a8-static": ["--quant=w8a8", "--activations=static", "--smoothquant-alpha=0.5",
                    "--calibration-data={calib}"],
    "w8a16": ["--quant=w8a16"],
    "w4a16": ["--quant=w4a16", "--group-size={group}"],
    # The W4A16 weights with per-token dynamic int8 activations.
    "w4a8": ["--quant=w4a8", "--group-size={group}"],
}

LATENCY_RES = [
    re.compile(r"latency:\s*repeat=(\d+)\s+median_ms=([-+.0-9eE]+)\s+min_ms=([-+.0-9eE]+)"),
    # The reference interpreter's llmo-run (before the runtime landed).
    re.compile(r"latency over (\d+) runs: median ([-+.0-9eE]+) ms, min ([-+.0-9eE]+) ms"),
]


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# Child processes with peak RSS
# --------------------------------------------------------------------------
class Child:
    def __init__(self, cmd, rc, out, err, rss_mb, wall_s, timed_out):
        self.cmd, self.rc, self.out, self.err = cmd, rc, out, err
        self.rss_mb, self.wall_s, self.timed_out = rss_mb, wall_s, timed_out

    @property
    def ok(self):
        return self.rc == 0 and not self.timed_out

    def error(self):
        if self.timed_out:
            return f"timed out after {self.wall_s:.0f} s"
        tail = (self.err.strip() or self.out.strip()).splitlines()[-3:]
        return f"exit {self.rc}: " + " | ".join(tail)


# bench/peakrss.c, compiled into the work dir by Bench.prepare_tools().
PEAKRSS = None


def drop_from_page_cache(path):
    """Evicts a just-written file from the page cache, so that the timed
    runs map pages read back by readahead, as a deployed artifact's are.

    The page cache a file keeps from being written can stream much slower
    on this kind of machine: the same 877 MB Llama decode artifact ran at
    60 ms in one file copy and 43 ms once dropped and read back (a plain
    sequential read of it: 11.5 vs 15.0 GB/s).
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def run_child(cmd, log_stem, timeout, env=None):
    """Runs cmd with stdout/stderr to LOG_STEM.out/.err; returns a Child
    with the child's own peak RSS in MiB (ru_maxrss of wait4).

    The command is started through the small peakrss launcher when it is
    available: a child forked from this (larger) Python process would
    report at least this process's peak RSS (see bench/peakrss.c). Without
    it, os.wait4 on the direct child is used, whose figure includes that
    floor. The child gets its own process group, killed as a whole on
    timeout."""
    os.makedirs(os.path.dirname(log_stem), exist_ok=True)
    rss_file = log_stem + ".rss"
    if os.path.exists(rss_file):
        os.remove(rss_file)
    full = [PEAKRSS, rss_file, *cmd] if PEAKRSS else list(cmd)
    with open(log_stem + ".cmd", "w") as f:
        f.write(" ".join(shlex.quote(c) for c in cmd) + "\n")
    t0 = time.perf_counter()
    timed_out = False
    with open(log_stem + ".out", "w") as out, open(log_stem + ".err", "w") as err:
        try:
            p = subprocess.Popen(full, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                 env=env, start_new_session=True)
        except OSError as e:
            return Child(cmd, 127, "", str(e), None, 0.0, False)
        try:
            delay = 0.005
            while True:
                pid, status, ru = os.wait4(p.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() - t0 > timeout:
                    kill_group(p.pid)
                    pid, status, ru = os.wait4(p.pid, 0)
                    timed_out = True
                    break
                time.sleep(delay)
                delay = min(delay * 2, 0.1)
        except BaseException:
            kill_group(p.pid)
            os.wait4(p.pid, 0)
            p.returncode = -9
            raise
        p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    rss_mb = ru.ru_maxrss / 1024.0
    if PEAKRSS:
        rss_mb = None
        try:
            with open(rss_file) as f:
                m = re.search(r"maxrss_kb=(\d+)", f.read())
            if m:
                rss_mb = int(m.group(1)) / 1024.0
        except OSError:
            pass
    with open(log_stem + ".out", errors="replace") as f:
        o = f.read()
    with open(log_stem + ".err", errors="replace") as f:
        e = f.read()
    return Child(cmd, p.returncode, o, e, rss_mb, wall, timed_out)


def kill_group(pgid):
    """SIGKILL the process group this harness created for one child."""
    try:
        os.killpg(pgid, 9)
    except OSError:
        pass


def child_env(threads):
    env = dict(os.environ)
    env["OMP_NUM_THREADS"] = str(threads)
    return env


# --------------------------------------------------------------------------
# Child modes (run as: run_bench.py --ort-child ... / --ort-quantize ...)
# --------------------------------------------------------------------------
def ort_child(argv):
    ap = argparse.ArgumentParser(prog="run_bench.py --ort-child")
    ap.add_argument("--model", required=True)
    ap.add_argument("--inputs", required=True, help=".npz keyed by input name")
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--save-output", default=None)
    a = ap.parse_args(argv)

    import resource

    import numpy as np
    import onnxruntime as ort

    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    so = ort.SessionOptions()
    so.intra_op_num_threads = a.threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    t = time.perf_counter()
    sess = ort.InferenceSession(a.model, so, providers=["CPUExecutionProvider"])
    session_s = time.perf_counter() - t
    data = np.load(a.inputs)
    feeds = {i.name: data[i.name] for i in sess.get_inputs()}
    for _ in range(a.warmup):
        sess.run(None, feeds)
    times = []
    outs = None
    for _ in range(a.runs):
        t0 = time.perf_counter()
        outs = sess.run(None, feeds)
        times.append((time.perf_counter() - t0) * 1e3)
    if a.save_output:
        np.save(a.save_output, outs[0])
    print("ORT_RESULT " + json.dumps({
        "median_ms": statistics.median(times), "min_ms": min(times),
        "runs": a.runs, "warmup": a.warmup, "times_ms": times,
        "session_create_s": session_s, "baseline_rss_mb": base_rss,
        "output": sess.get_outputs()[0].name, "ort_version": ort.__version__,
    }), flush=True)
    return 0


def ort_quantize(argv):
    ap = argparse.ArgumentParser(prog="run_bench.py --ort-quantize")
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--external-data", action="store_true")
    a = ap.parse_args(argv)
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(a.src, a.dst, weight_type=QuantType.QInt8, per_channel=True,
                     use_external_data_format=a.external_data)
    return 0


# --------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------
class Bench:
    def __init__(self, args):
        self.a = args
        self.py = sys.executable
        self.results = []
        self.membw = {}
        self.isa = {}
        self.clock_end = None
        self.decode_bw = []
        self.ort_int8_acc = {}

    # -- models --------------------------------------------------------------
    def export(self, name):
        s = bench_models.spec(name, self.a.quick, self.a.llama_layers)
        d = os.path.join(self.a.workdir, "models", f"{name}-{bench_models.spec_key(s)}")
        if not os.path.exists(os.path.join(d, "spec.json")):
            log(f"{name}: exporting to {d}")
            tmp = d + ".tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            cmd = [self.py, os.path.join(HERE, "bench_models.py"), name, "--out-dir", tmp,
                   "--threads", str(max(self.a.threads))]
            if self.a.quick:
                cmd.append("--quick")
            if s["family"] == "llama":
                cmd += ["--llama-layers", str(self.a.llama_layers)]
            c = run_child(cmd, os.path.join(self.logdir, name, "export"), self.a.timeout)
            if not c.ok:
                log(f"{name}: export FAILED ({c.error()})")
                return None, None
            shutil.rmtree(d, ignore_errors=True)
            os.rename(tmp, d)
            log(f"{name}: exported in {c.wall_s:.1f} s (peak RSS {c.rss_mb:.0f} MB)")
        with open(os.path.join(d, "spec.json")) as f:
            meta = json.load(f)
        return d, meta

    def quantize_ort(self, name, d, meta):
        dst = os.path.join(d, "model.int8.onnx")
        if os.path.exists(dst):
            return dst
        log(f"{name}: onnxruntime quantize_dynamic (QInt8, per channel)")
        tmp = os.path.join(d, "tmp.int8.onnx")
        cmd = [self.py, os.path.abspath(__file__), "--ort-quantize",
               os.path.join(d, "model.onnx"), tmp]
        if meta.get("external_data"):
            cmd.append("--external-data")
        c = run_child(cmd, os.path.join(self.logdir, name, "ort-quantize"), self.a.timeout)
        if not c.ok:
            log(f"{name}: ORT quantization FAILED ({c.error()})")
            return None
        os.rename(tmp, dst)
        return dst

    def calibration(self, d, meta):
        """Random-token calibration data: [samples, 1, S] per input."""
        import numpy as np

        path = os.path.join(d, "calib.npz")
        if not os.path.exists(path) and "shapes" in meta:
            rng = np.random.default_rng(123)
            samples = [bench_models.make_inputs(meta, rng) for _ in range(self.a.calib_samples)]
            np.savez(path, **{n: np.stack([x[n] for x in samples]) for n in meta["inputs"]})
        if not os.path.exists(path):
            rng = np.random.default_rng(123)
            n, seq, vocab = self.a.calib_samples, meta["seq"], meta["config"]["vocab_size"]
            arrays = {"input_ids": rng.integers(0, vocab, (n, 1, seq), dtype=np.int64),
                      "attention_mask": np.ones((n, 1, seq), dtype=np.int64)}
            if "token_type_ids" in meta["inputs"]:
                arrays["token_type_ids"] = np.zeros((n, 1, seq), dtype=np.int64)
            np.savez(path, **arrays)
        return path

    # -- onnxruntime ---------------------------------------------------------
    def ort(self, name, kind, model, d, threads, save_output=None):
        if model is None:
            return {"error": "no model"}
        cmd = [self.py, os.path.abspath(__file__), "--ort-child", "--model", model,
               "--inputs", os.path.join(d, "inputs.npz"), "--threads", str(threads),
               "--runs", str(self.a.runs), "--warmup", str(self.a.warmup)]
        if save_output:
            cmd += ["--save-output", save_output]
        c = run_child(cmd, os.path.join(self.logdir, name, f"ort-{kind}-t{threads}"),
                      self.a.timeout, child_env(threads))
        m = re.search(r"^ORT_RESULT (.*)$", c.out, re.M)
        if not c.ok or not m:
            log(f"{name}: ORT {kind} t={threads} FAILED ({c.error()})")
            return {"error": c.error(), "rss_mb": c.rss_mb}
        r = json.loads(m.group(1))
        r["rss_mb"] = c.rss_mb
        log(f"{name}: ORT {kind:4s} t={threads}: median {r['median_ms']:.3f} ms, "
            f"min {r['min_ms']:.3f} ms, RSS {c.rss_mb:.0f} MB")
        return r

    # -- llmo ------------------------------------------------------------------
    def llmo_compile(self, name, config, d, meta):
        art_dir = os.path.join(self.a.workdir, "artifacts", os.path.basename(d))
        os.makedirs(art_dir, exist_ok=True)
        artifact = os.path.join(art_dir, f"{config}.{self.a.artifact}")
        report = os.path.join(art_dir, f"{config}.report.json")
        for p in (artifact, report):
            if os.path.exists(p):
                os.remove(p)
        flags = [f.format(calib=self.calibration(d, meta) if "{calib}" in f else "",
                          group=self.a.group_size) for f in CONFIGS[config]]
        shapes = []
        for n in meta["inputs"]:
            dims = meta.get("shapes", {}).get(n, [1, meta["seq"]])
            shapes += ["--input-shape", f"{n}=" + "x".join(map(str, dims))]
        cmd = [os.path.join(self.a.llmo_bin, "llmo-compile"), os.path.join(d, "model.onnx"),
               "-o", artifact, "--target=cpu", *flags, *shapes, f"--report={report}",
               *self.a.llmo_compile_arg]
        c = run_child(cmd, os.path.join(self.logdir, name, f"llmo-compile-{config}"),
                      self.a.timeout)
        res = {"compile_s": c.wall_s, "compile_rss_mb": c.rss_mb, "flags": flags}
        # Write the new artifact back to disk now: its dirty pages being
        # flushed during the timed runs made them slower (seen: 1 GB fp32
        # Llama decode 74 ms instead of 41 ms).
        os.sync()
        if c.ok and os.path.exists(artifact):
            drop_from_page_cache(artifact)
        if not c.ok or not os.path.exists(artifact):
            err = c.error() if not c.ok else f"{artifact} was not written"
            log(f"{name}: llmo-compile {config} FAILED ({err})")
            res["error"] = "compile: " + err
            return None, res
        if os.path.exists(report):
            with open(report) as f:
                rep = json.load(f)
            res["report_memory"] = rep.get("memory")
            layers = rep.get("layers") or []
            res["linear_weight_bytes"] = sum(int(l.get("weight_bytes", 0)) for l in layers)
            res["linear_layers"] = len(layers)
        log(f"{name}: llmo-compile {config}: {c.wall_s:.1f} s, peak RSS {c.rss_mb:.0f} MB")
        return artifact, res

    def llmo_run(self, name, config, artifact, d, meta, threads):
        out_dir = os.path.join(self.a.workdir, "outputs", os.path.basename(d),
                               f"{config}-t{threads}")
        shutil.rmtree(out_dir, ignore_errors=True)
        os.makedirs(out_dir)
        cmd = [os.path.join(self.a.llmo_bin, "llmo-run"), artifact]
        for n in meta["inputs"]:
            cmd += ["--input", f"{n}={os.path.join(d, n + '.npy')}"]
        # As many untimed warm-up runs as onnxruntime gets.
        cmd += ["--threads", str(threads), "--repeat", str(self.a.runs),
                "--warmup", str(self.a.warmup), "--output-dir", out_dir,
                *self.a.llmo_run_arg]
        c = run_child(cmd, os.path.join(self.logdir, name, f"llmo-run-{config}-t{threads}"),
                      self.a.timeout, child_env(threads))
        res = {"rss_mb": c.rss_mb, "wall_s": c.wall_s}
        if not c.ok:
            log(f"{name}: llmo-run {config} t={threads} FAILED ({c.error()})")
            res["error"] = "run: " + c.error()
            return res
        for rx in LATENCY_RES:
            m = rx.search(c.out)
            if m:
                res.update(repeat=int(m.group(1)), median_ms=float(m.group(2)),
                           min_ms=float(m.group(3)))
                runs = re.search(r"runs_ms=([-+.0-9eE,]+)", c.out)
                if runs:
                    res["times_ms"] = [float(t) for t in runs.group(1).split(",")]
                break
        else:
            res["error"] = "run: no latency line in llmo-run's output"
            log(f"{name}: llmo-run {config} t={threads}: no latency line in its output")
        out = os.path.join(out_dir, meta["output"] + ".npy")
        if not os.path.exists(out):
            found = sorted(glob.glob(os.path.join(out_dir, "*.npy")))
            out = found[0] if len(found) == 1 else None
        res["output_file"] = out
        if "median_ms" in res:
            log(f"{name}: llmo {config:5s} t={threads}: median {res['median_ms']:.3f} ms, "
                f"min {res['min_ms']:.3f} ms, RSS {c.rss_mb:.0f} MB")
        return res

    # -- bandwidth -------------------------------------------------------------
    def prepare_tools(self):
        """Compiles bench/peakrss.c and bench/membw.c into the work dir."""
        global PEAKRSS
        cc = os.environ.get("CC", "cc")
        built = {}
        tools = [("peakrss", ["-O2"]),
                 ("membw", ["-O3", "-march=native", "-pthread"])]
        if platform.machine() in ("x86_64", "AMD64"):
            tools.append(("isa_peak", ["-O2", "-mavx2", "-mfma"]))
        for name, flags in tools:
            src = os.path.join(HERE, name + ".c")
            exe = os.path.join(self.a.workdir, name)
            if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
                cmd = [cc, *flags, src, "-o", exe]
                p = subprocess.run(cmd, capture_output=True, text=True)
                if p.returncode != 0:
                    log(f"{name}: compile FAILED: {' '.join(cmd)}\n{p.stderr}")
                    continue
            built[name] = exe
        PEAKRSS = built.get("peakrss")
        if not PEAKRSS:
            log("peakrss launcher unavailable: peak RSS figures include the "
                "harness's own peak RSS")
        self.membw_exe = built.get("membw")
        self.isa_exe = built.get("isa_peak")

    def measure_membw(self):
        exe = self.membw_exe
        if not exe:
            return
        for t in self.a.threads:
            c = run_child([exe, str(t), str(self.a.membw_mib), "5"],
                          os.path.join(self.logdir, f"membw-t{t}"), self.a.timeout)
            m = re.search(r"best_gbps=([.0-9]+) median_gbps=([.0-9]+)", c.out)
            if c.ok and m:
                self.membw[t] = {"best_gbps": float(m.group(1)),
                                 "median_gbps": float(m.group(2)),
                                 "buffer_mib": self.a.membw_mib}
                log(f"memory read bandwidth, {t} thread(s): {m.group(1)} GB/s "
                    f"(best of 5 over {self.a.membw_mib} MiB)")
            else:
                log(f"membw t={t} FAILED ({c.error()})")

    def measure_isa(self):
        """Per-core instruction throughput and the ceilings it implies
        (bench/isa_peak.c): int8 against fp32 MACs, and how many GB/s of
        4-bit weights one core can multiply-add with float activations."""
        if not self.isa_exe:
            return
        bw = self.membw.get(1, {}).get("best_gbps")
        c = run_child([self.isa_exe] + ([f"{bw}"] if bw else []),
                      os.path.join(self.logdir, "isa_peak"), self.a.timeout)
        if not c.ok:
            log(f"isa_peak FAILED ({c.error()})")
            return
        # "isa_peak: [NAME] key=value ...": keys of a named probe get NAME_.
        for line in c.out.splitlines():
            words = line.split()[1:] if line.startswith("isa_peak:") else []
            prefix = words[0] + "_" if words and "=" not in words[0] else ""
            for key, value in re.findall(r"(\w+)=([.0-9]+)", line):
                self.isa[prefix + key] = float(value)
        log("per-core peaks: " + ", ".join(
            f"{k}={self.isa[k]:g}" for k in ("clock_ghz", "fp32_macs_per_ns",
                                             "int8_exact_macs_per_ns",
                                             "int8_u8s8_macs_per_ns",
                                             "w4a16_fma_bound_gbps")
            if k in self.isa))

    # -- main loop -------------------------------------------------------------
    def model(self, name):
        d, meta = self.export(name)
        if d is None:
            for t in self.a.threads:
                for config in self.a.configs:
                    self.results.append({"model": name, "threads": t, "config": config,
                                         "llmo": {"error": "export failed"},
                                         "ort_fp32": {"error": "export failed"},
                                         "ort_int8": {"error": "export failed"}})
            return
        fp32 = os.path.join(d, "model.onnx")
        int8 = self.quantize_ort(name, d, meta)
        ref_path = os.path.join(self.a.workdir, "outputs", os.path.basename(d), "ort-fp32.npy")
        int8_path = os.path.join(self.a.workdir, "outputs", os.path.basename(d), "ort-int8.npy")
        os.makedirs(os.path.dirname(ref_path), exist_ok=True)
        ort_res = {}
        for i, t in enumerate(self.a.threads):
            ort_res[t] = (self.ort(name, "fp32", fp32, d, t, ref_path if i == 0 else None),
                          self.ort(name, "int8", int8, d, t, int8_path if i == 0 else None))
        ref = None
        if os.path.exists(ref_path) and "error" not in ort_res[self.a.threads[0]][0]:
            import numpy as np

            ref = np.load(ref_path)
            if os.path.exists(int8_path) and "error" not in ort_res[self.a.threads[0]][1]:
                self.ort_int8_acc[name] = compare(np.load(int8_path), ref)

        llmo_res = []
        for config in self.a.configs:
            artifact, comp = self.llmo_compile(name, config, d, meta)
            for t in self.a.threads:
                if artifact is None:
                    llmo = {"error": comp["error"]}
                else:
                    llmo = self.llmo_run(name, config, artifact, d, meta, t)
                    if ref is not None and llmo.get("output_file"):
                        import numpy as np

                        llmo["accuracy"] = compare(np.load(llmo["output_file"]), ref)
                llmo_res.append((config, t, comp, llmo))
        # onnxruntime again after llmo, so that both sides' runs span the
        # same stretch of time: this VM's clock drifts (2.5-2.9 GHz within
        # one run), which moved single-pass ratios by up to ~15 %.
        if self.a.ort_bracket:
            for t in self.a.threads:
                ort_res[t] = tuple(bracket(before, self.ort(name, kind, model, d, t))
                                   for before, kind, model in
                                   zip(ort_res[t], ("fp32", "int8"), (fp32, int8)))
        for config, t, comp, llmo in llmo_res:
            o32, o8 = ort_res[t]
            row = {"model": name, "threads": t, "config": config, "compile": comp,
                   "llmo": llmo, "ort_fp32": o32, "ort_int8": o8,
                   "ratio_fp32": ratio(llmo, o32), "ratio_int8": ratio(llmo, o8),
                   "parameters": meta.get("parameters"), "seq": meta["seq"]}
            self.results.append(row)
            if name == "llama-decode":
                self.decode_bandwidth(row, d)
        self.write_json()

    def decode_bandwidth(self, row, d):
        """Weight bytes streamed per decoded token / median latency."""
        t = row["threads"]
        lin = linear_weights(os.path.join(d, "model.onnx"))
        bw = self.membw.get(t, {}).get("best_gbps")
        entries = []
        comp = row.get("compile") or {}
        nbytes = comp.get("linear_weight_bytes") or None
        source = "llmo report"
        if not nbytes and lin:
            nbytes, source = estimate_bytes(row["config"], lin, self.a.group_size), "estimate"
        entries.append(("llmo " + row["config"], row["llmo"].get("median_ms"), nbytes, source))
        if row["config"] == self.a.configs[0] and lin:
            entries.append(("ORT fp32", row["ort_fp32"].get("median_ms"),
                            lin["params"] * 4, "estimate"))
            entries.append(("ORT int8", row["ort_int8"].get("median_ms"),
                            lin["params"] + lin["out_channels"] * 5, "estimate"))
        for who, ms, nb, src in entries:
            e = {"threads": t, "who": who, "median_ms": ms, "weight_bytes": nb,
                 "bytes_source": src, "membw_gbps": bw}
            if ms and nb:
                e["achieved_gbps"] = nb / (ms / 1e3) / 1e9
                if bw:
                    e["percent_of_membw"] = 100.0 * e["achieved_gbps"] / bw
            self.decode_bw.append(e)

    def meta(self):
        cpu = platform.processor()
        try:
            with open("/proc/cpuinfo") as f:
                for line in f:
                    if line.startswith("model name"):
                        cpu = line.split(":", 1)[1].strip()
                        break
        except OSError:
            pass
        versions = {}
        for pkg in ("onnxruntime", "onnx", "numpy", "torch", "transformers"):
            try:
                from importlib.metadata import version

                versions[pkg] = version(pkg)
            except Exception:
                versions[pkg] = None
        git = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True).stdout.strip()
        a = self.a
        return {"rss_via": "peakrss launcher" if PEAKRSS else "os.wait4 (includes harness RSS)",
                "date": datetime.datetime.now().isoformat(timespec="seconds"),
                "cpu": cpu, "cpus": os.cpu_count(), "python": platform.python_version(),
                "versions": versions, "llmo_git": git, "llmo_bin": a.llmo_bin,
                "artifact": a.artifact, "quick": a.quick, "runs": a.runs,
                "warmup_ort": a.warmup, "threads": a.threads, "configs": a.configs,
                "config_flags": {c: CONFIGS[c] for c in a.configs},
                "group_size": a.group_size, "llama_layers": a.llama_layers,
                "membw": self.membw, "isa_peak": self.isa,
                "clock_ghz_end": self.clock_end, "ort_bracket": a.ort_bracket}

    def write_json(self):
        if not self.a.json:
            return
        doc = {"meta": self.meta(), "results": self.results,
               "ort_int8_accuracy": self.ort_int8_acc, "decode_bandwidth": self.decode_bw}
        tmp = self.a.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(doc, f, indent=2, default=str)
        os.replace(tmp, self.a.json)

    def run(self):
        self.logdir = os.path.join(self.a.workdir, "logs")
        os.makedirs(self.logdir, exist_ok=True)
        self.prepare_tools()
        self.measure_membw()
        self.measure_isa()
        for name in self.a.models:
            self.model(name)
        # The clock again at the end: how far it drifted during the run.
        start = dict(self.isa)
        self.measure_isa()
        self.clock_end = self.isa.get("clock_ghz")
        self.isa = start
        self.write_json()
        print(self.markdown())
        return 0

    # -- output ------------------------------------------------------------------
    def markdown(self):
        a = self.a
        lines = [f"# llmo vs onnxruntime ({'quick smoke test, ' if a.quick else ''}"
                 f"{a.runs} runs, median)", ""]
        m = self.meta()
        lines.append(f"CPU: {m['cpu']} ({m['cpus']} logical CPUs); onnxruntime "
                     f"{m['versions']['onnxruntime']}; llmo {m['llmo_git']} "
                     f"({a.llmo_bin}, .{a.artifact})")
        lines.append("")
        for t in a.threads:
            bw = self.membw.get(t, {}).get("best_gbps")
            bw_text = f"{bw:.1f} GB/s" if bw else "n/a"
            lines.append(f"## {t} thread{'s' if t > 1 else ''} "
                         f"(memory read bandwidth {bw_text})")
            lines.append("")
            lines.append("| model | config | llmo median ms | ORT fp32 median ms | "
                         "ORT int8 median ms | llmo/ORT-fp32 | llmo/ORT-int8 | "
                         "llmo RSS MB | ORT RSS MB (fp32/int8) | accuracy |")
            lines.append("|---|---|--:|--:|--:|--:|--:|--:|--:|---|")
            for r in self.results:
                if r["threads"] != t:
                    continue
                llmo, o32, o8 = r["llmo"], r["ort_fp32"], r["ort_int8"]
                lines.append("| " + " | ".join([
                    r["model"], r["config"], fmt_ms(llmo), fmt_ms(o32), fmt_ms(o8),
                    fmt_ratio(r.get("ratio_fp32")), fmt_ratio(r.get("ratio_int8")),
                    fmt_mb(llmo), f"{fmt_mb(o32)} / {fmt_mb(o8)}",
                    fmt_acc(r["config"], llmo.get("accuracy"))]) + " |")
            lines.append("")
        base = [r["ort_fp32"].get("baseline_rss_mb") for r in self.results
                if r["ort_fp32"].get("baseline_rss_mb")]
        if base:
            lines.append(f"ORT RSS is the peak of a Python child process; Python + numpy + "
                         f"onnxruntime alone take {min(base):.0f} MB of it (before the "
                         f"session is created).")
            lines.append("")
        if a.ort_bracket:
            drift = []
            for r in self.results:
                for kind in ("ort_fp32", "ort_int8"):
                    pm = r[kind].get("pass_medians_ms")
                    if pm and r["config"] == a.configs[0]:
                        drift.append(f"{r['model']} {kind[4:]} t={r['threads']} "
                                     f"{pm[0]:.4g}/{pm[1]:.4g}")
            lines.append("onnxruntime was measured before and after llmo's runs of each "
                         "model; its figures are over both passes (per-pass medians, ms: "
                         + ", ".join(drift) + ").")
            lines.append("")
        if self.ort_int8_acc:
            lines.append("onnxruntime int8 (quantize_dynamic) vs onnxruntime fp32: " + ", ".join(
                f"{k} cos {v['cosine']:.6f}" for k, v in self.ort_int8_acc.items()))
            lines.append("")
        isa = self.isa
        if "fp32_macs_per_ns" in isa:
            lines.append("## Per-core ceilings (bench/isa_peak.c)")
            lines.append("")
            lines.append(
                f"Clock ~{isa.get('clock_ghz', 0):.2f} GHz"
                + (f" at the start, ~{self.clock_end:.2f} at the end of the run"
                   if self.clock_end else "") + ". 256-bit instructions per "
                f"cycle: vfmadd231ps {isa.get('vfmadd231ps_per_cycle', 0):.2f}, "
                f"vpmaddwd {isa.get('vpmaddwd_per_cycle', 0):.2f}, vpmaddubsw "
                f"{isa.get('vpmaddubsw_per_cycle', 0):.2f}.")
            fp32 = isa["fp32_macs_per_ns"]
            exact = isa.get("int8_exact_macs_per_ns", 0)
            u8s8 = isa.get("int8_u8s8_macs_per_ns", 0)
            lines.append(
                f"- Multiply-accumulates per ns: fp32 {fp32:.1f}, exact int8 "
                f"(vpmaddwd) {exact:.1f}, saturating u8s8 (vpmaddubsw) {u8s8:.1f}: "
                f"a compute-bound int8 GEMM can be at most "
                f"{max(exact, u8s8) / fp32:.2f}x as fast as fp32 "
                f"on this core (W8A8 at 0.7x of an int8 baseline that runs at fp32 "
                f"speed needs 1.43x).")
            w4 = isa.get("w4a16_fma_bound_gbps")
            if w4:
                bounds = []
                for t in a.threads:
                    bw = self.membw.get(t, {}).get("best_gbps")
                    if bw:
                        bounds.append(f"{min(100.0, 100.0 * w4 * t / bw):.0f}% at {t} "
                                      f"thread{'s' if t > 1 else ''}")
                lines.append(
                    f"- W4A16 decode: float activations need one multiply-add per "
                    f"weight, so one core consumes at most {w4:.1f} GB/s of 4-bit "
                    f"weights, with no time left for unpacking them"
                    + (f" ({', '.join(bounds)} of the measured read bandwidth)"
                       if bounds else "") + ".")
            lines.append("")
        if self.decode_bw:
            lines.append("## llama-decode weight streaming (bytes of linear weights "
                         "per token / median latency)")
            lines.append("")
            lines.append("| threads | runtime | weight MB | bytes from | median ms | "
                         "achieved GB/s | % of measured bandwidth | "
                         "% of fastest read |")
            lines.append("|--:|---|--:|---|--:|--:|--:|--:|")
            # The probe is a lower bound of what the memory system delivers
            # (a runtime may stream faster than it); the last column divides
            # by the fastest read seen at that thread count, probe or runtime.
            fastest = {}
            for e in self.decode_bw:
                t = e["threads"]
                probe = self.membw.get(t, {}).get("best_gbps") or 0
                fastest[t] = max(fastest.get(t, 0), probe,
                                 e.get("achieved_gbps") or 0)
            for e in sorted(self.decode_bw, key=lambda e: e["threads"]):
                ach = e.get("achieved_gbps")
                pct = e.get("percent_of_membw")
                pct_fastest = (100.0 * ach / fastest[e["threads"]]
                               if ach and fastest.get(e["threads"]) else None)
                lines.append("| " + " | ".join([
                    str(e["threads"]), e["who"],
                    f"{e['weight_bytes'] / 1e6:.4g}" if e["weight_bytes"] else "n/a",
                    e["bytes_source"],
                    f"{e['median_ms']:.3f}" if e["median_ms"] else "n/a",
                    f"{ach:.2f}" if ach else "n/a",
                    f"{pct:.0f}%" if pct else "n/a",
                    f"{pct_fastest:.0f}%" if pct_fastest else "n/a"]) + " |")
            lines.append("")
        # Distinct llmo errors (paths shortened to file names), with the cells.
        errors = {}
        for r in self.results:
            if "error" in r["llmo"]:
                text = re.sub(r"/\S*/([^/\s]+)", r"\1", r["llmo"]["error"])[:300]
                cell = f"{r['model']} {r['config']}"
                if cell not in errors.setdefault(text, []):
                    errors[text].append(cell)
        if errors:
            lines.append(f"n/a llmo cells (logs in {os.path.join(a.workdir, 'logs')}):")
            for text, cells in errors.items():
                lines.append(f"- {', '.join(cells)}: {text}")
            lines.append("")
        return "\n".join(lines)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------
def bracket(before, after):
    """onnxruntime's result over both passes (before and after llmo's runs):
    median and min of all their runs; each pass's median kept."""
    if "error" in before or "error" in after:
        return before if "error" not in before else after
    times = before["times_ms"] + after["times_ms"]
    merged = dict(before, times_ms=times, median_ms=statistics.median(times),
                  min_ms=min(times), runs=len(times),
                  pass_medians_ms=[before["median_ms"], after["median_ms"]],
                  rss_mb=max(before.get("rss_mb") or 0, after.get("rss_mb") or 0))
    return merged


def compare(a, b):
    import numpy as np

    if a.shape != b.shape:
        return {"error": f"shape {list(a.shape)} vs ORT {list(b.shape)}"}
    a64, b64 = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    if not np.all(np.isfinite(a64)):
        return {"error": "non-finite values"}
    scale = float(np.max(np.abs(b64))) or 1e-30
    na, nb = float(np.linalg.norm(a64)), float(np.linalg.norm(b64))
    return {"relative_max_error": float(np.max(np.abs(a64 - b64))) / scale,
            "cosine": float(a64 @ b64) / (na * nb) if na and nb else float(na == nb)}


def ratio(llmo, ort):
    if llmo.get("median_ms") and ort.get("median_ms"):
        return llmo["median_ms"] / ort["median_ms"]
    return None


def linear_weights(onnx_path):
    """Parameters and output channels of the constant 2-D MatMul/Gemm weights."""
    try:
        import onnx

        m = onnx.load(onnx_path, load_external_data=False)
    except Exception:
        return None
    dims = {i.name: list(i.dims) for i in m.graph.initializer}
    params = channels = 0
    for n in m.graph.node:
        if n.op_type in ("MatMul", "Gemm") and len(n.input) > 1:
            d = dims.get(n.input[1])
            if d and len(d) == 2:
                params += d[0] * d[1]
                trans_b = any(at.name == "transB" and at.i for at in n.attribute)
                channels += d[0] if trans_b else d[1]
    return {"params": params, "out_channels": channels}


def estimate_bytes(config, lin, group):
    p, n = lin["params"], lin["out_channels"]
    if config == "fp32":
        return p * 4
    if config.startswith("w8"):
        return p + n * 4
    if config in ("w4a16", "w4a8"):
        return p // 2 + (p // group) * 4
    return None


def fmt_ms(r):
    return f"{r['median_ms']:.3f}" if r.get("median_ms") is not None else "n/a"


def fmt_ratio(x):
    return f"{x:.2f}" if x is not None else "n/a"


def fmt_mb(r):
    return f"{r['rss_mb']:.0f}" if r.get("rss_mb") is not None and "error" not in r else "n/a"


def fmt_acc(config, acc):
    if not acc:
        return "n/a"
    if "error" in acc:
        return acc["error"]
    if config == "fp32":
        return f"rel {acc['relative_max_error']:.2e}"
    return f"cos {acc['cosine']:.6f}"


def csv(kind):
    return lambda s: [kind(x) for x in s.split(",") if x.strip()]


def main(argv):
    if argv[:1] == ["--ort-child"]:
        return ort_child(argv[1:])
    if argv[:1] == ["--ort-quantize"]:
        return ort_quantize(argv[1:])
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=csv(str), default=list(bench_models.DEFAULT_MODELS),
                    help="comma-separated: " + ",".join(bench_models.MODELS))
    ap.add_argument("--threads", type=csv(int), default=[1, 2])
    ap.add_argument("--runs", type=int, default=None, help="timed runs (15; --quick 3)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed warmup runs of onnxruntime and of llmo-run")
    ap.add_argument("--no-ort-bracket", dest="ort_bracket", action="store_false",
                    help="measure onnxruntime once per model, before llmo (default: "
                         "before and after llmo's runs, medians over both passes)")
    ap.add_argument("--configs", type=csv(str), default=["fp32", "w8a8", "w4a16"],
                    help="comma-separated llmo configs: " + ",".join(CONFIGS))
    ap.add_argument("--llmo-bin", default=os.path.join(REPO, "build", "bin"))
    ap.add_argument("--workdir", default=None, help="bench/work (--quick: bench/work/quick)")
    ap.add_argument("--json", default=None, help="write the results as JSON here")
    ap.add_argument("--llama-layers", type=int, default=2)
    ap.add_argument("--group-size", type=int, default=None, help="W4 group (128; --quick 32)")
    ap.add_argument("--calib-samples", type=int, default=4,
                    help="random-token samples for w8a8-static calibration")
    ap.add_argument("--membw-mib", type=int, default=None,
                    help="bandwidth buffer MiB (1024; --quick 256)")
    ap.add_argument("--artifact", choices=["llmo", "mlirbc"], default="llmo",
                    help="llmo-compile output: a .llmo artifact (the runtime), or "
                         ".mlirbc IR that llmo-run interprets (reference interpreter, "
                         "slow: only to test this harness)")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per child process")
    ap.add_argument("--llmo-compile-arg", action="append", default=[],
                    help="extra llmo-compile argument (repeatable)")
    ap.add_argument("--llmo-run-arg", action="append", default=[],
                    help="extra llmo-run argument (repeatable)")
    ap.add_argument("--quick", action="store_true",
                    help="tiny models (2 layers, hidden 64, seq 16) and 3 runs: a smoke test")
    a = ap.parse_args(argv)
    for m in a.models:
        if m not in bench_models.MODELS:
            ap.error(f"unknown model {m!r}")
    for c in a.configs:
        if c not in CONFIGS:
            ap.error(f"unknown config {c!r} (known: {', '.join(CONFIGS)})")
    if not a.threads or min(a.threads) < 1:
        ap.error("--threads needs positive counts")
    if a.runs is None:
        a.runs = 3 if a.quick else 15
    if a.group_size is None:
        a.group_size = 32 if a.quick else 128
    if a.membw_mib is None:
        a.membw_mib = 256 if a.quick else 1024
    if a.workdir is None:
        a.workdir = os.path.join(HERE, "work", "quick") if a.quick else os.path.join(HERE, "work")
    a.workdir = os.path.abspath(a.workdir)
    a.llmo_bin = os.path.abspath(a.llmo_bin)
    if a.json:
        a.json = os.path.abspath(a.json)
    os.makedirs(a.workdir, exist_ok=True)
    return Bench(a).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
