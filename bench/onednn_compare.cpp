// onednn_compare.cpp - llmo's hand-written GEMM kernels against oneDNN's
// matmul (Debian's libdnnl-dev) on the benchmark models' projection shapes,
// same threads, same weights, weights prepacked on both sides (oneDNN picks
// its layout with format_tag::any and the weights are reordered once, as an
// inference engine would at load time).
//
// This is the measurement behind docs/Runtime.md's "Kernels: hand-written
// or oneDNN" section; it is not part of the build or of CI (oneDNN is not a
// dependency of llmo).
//
//   apt-get install libdnnl-dev
//   g++ -O2 -mavx2 -mfma -mf16c -std=c++17 -Iinclude -Iruntime \
//     bench/onednn_compare.cpp runtime/cpu/Gemm.cpp runtime/cpu/Int8Gemm.cpp \
//     runtime/cpu/Elementwise.cpp runtime/cpu/Packing.cpp \
//     runtime/cpu/ThreadPool.cpp -ldnnl -fopenmp -pthread -o onednn_compare
//   OMP_WAIT_POLICY=passive ./onednn_compare [threads=1] [reps=15] [filter]
//
// (passive: oneDNN's OpenMP workers would otherwise spin on the cores while
// llmo's kernels run.) `filter` keeps the shapes whose name contains it.
//
// Printed per shape: median milliseconds and GFLOP/s of both, the ratio
// llmo/oneDNN (< 1: llmo faster), oneDNN's implementation name, and for
// int8 how many outputs differ from the exact integer product (oneDNN's
// AVX2 int8 kernels without VNNI accumulate pairs of u8*s8 products in
// saturating int16).

#include "cpu/Kernels.h"
#include "cpu/ThreadPool.h"
#include "llmo/Runtime/KernelAbi.h"
#include "llmo/Runtime/Packing.h"

#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

using namespace llmo::rt;
using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

namespace {

struct Shape {
  const char *model;
  int64_t m, n, k;
};

// The projections of bench/bench_models.py's models after --llmo-fuse
// (Q/K/V and gate/up merged).
const Shape kShapes[] = {
    {"MiniLM qkv", 128, 1152, 384},
    {"MiniLM out", 128, 384, 384},
    {"MiniLM ffn-up", 128, 1536, 384},
    {"MiniLM ffn-down", 128, 384, 1536},
    {"BERT qkv", 128, 2304, 768},
    {"BERT out", 128, 768, 768},
    {"BERT ffn-up", 128, 3072, 768},
    {"BERT ffn-down", 128, 768, 3072},
    {"Llama-512 qkv", 512, 6144, 2048},
    {"Llama-512 o", 512, 2048, 2048},
    {"Llama-512 gate/up", 512, 11264, 2048},
    {"Llama-512 down", 512, 2048, 5632},
    {"Llama-1 qkv", 1, 6144, 2048},
    {"Llama-1 gate/up", 1, 11264, 2048},
    {"Llama-1 down", 1, 2048, 5632},
};

int64_t bitsOf(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return (int64_t)bits;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

/// Runs a and b in alternating blocks of five (after one warm-up each; a
/// block rather than single runs so that one library's idle worker threads
/// have gone to sleep before the other's run) until each ran `reps` times,
/// and returns their median milliseconds.
std::pair<double, double> timeBoth(const std::function<void()> &a,
                                   const std::function<void()> &b, int reps) {
  std::vector<double> ta, tb;
  for (int done = 0; done < reps; done += 5)
    for (int which = 0; which < 2; ++which) {
      const std::function<void()> &fn = which ? b : a;
      fn();
      for (int r = done; r < std::min(reps, done + 5); ++r) {
        auto start = std::chrono::steady_clock::now();
        fn();
        double ms = std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count();
        (which ? tb : ta).push_back(ms);
      }
    }
  return {median(ta), median(tb)};
}

struct Llmo {
  explicit Llmo(int threads)
      : pool(threads), scratch((uint8_t *)std::aligned_alloc(
                           64, (size_t)threads * kScratchBytesPerWorker)) {
    ctx.pool = &pool;
    ctx.scratch = scratch;
  }
  ~Llmo() { std::free(scratch); }
  void call(llmo_kernel_fn kernel, const std::vector<int64_t> &desc,
            std::vector<void *> ops) {
    kernel(&ctx, desc.data(), ops.data());
  }
  ThreadPool pool;
  uint8_t *scratch;
  ExecContext ctx;
};

/// oneDNN matmul src[M,K] x weights[K,N] -> dst[M,N] f32, weights reordered
/// once into the layout the primitive asks for.
struct OneDnnMatmul {
  OneDnnMatmul(dnnl::engine &engine, dnnl::stream &stream, const Shape &s,
               dt srcType, dt weightType, void *weights,
               const std::vector<float> *outputScales) {
    dnnl::memory::desc src({s.m, s.k}, srcType, tag::ab);
    dnnl::memory::desc wAny({s.k, s.n}, weightType, tag::any);
    dnnl::memory::desc dst({s.m, s.n}, dt::f32, tag::ab);
    dnnl::primitive_attr attr;
    if (outputScales)
      attr.set_output_scales(1 << 1, *outputScales);
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src, wAny, dst), attr,
                                    engine);
    impl = pd.impl_info_str();
    dnnl::memory plain({{s.k, s.n}, weightType, tag::ab}, engine, weights);
    packed = dnnl::memory(pd.weights_desc(), engine);
    dnnl::reorder(plain, packed).execute(stream, plain, packed);
    stream.wait();
    primitive = dnnl::matmul(pd);
    srcDesc = src;
    dstDesc = dst;
  }
  void run(dnnl::engine &engine, dnnl::stream &stream, void *x, float *out) {
    dnnl::memory srcMem(srcDesc, engine, x), dstMem(dstDesc, engine, out);
    primitive.execute(stream, {{DNNL_ARG_SRC, srcMem},
                               {DNNL_ARG_WEIGHTS, packed},
                               {DNNL_ARG_DST, dstMem}});
    stream.wait();
  }
  std::string impl;
  dnnl::memory packed;
  dnnl::matmul primitive;
  dnnl::memory::desc srcDesc, dstDesc;
};

void report(const char *kind, const Shape &s, double llmoMs, double dnnlMs,
            const std::string &impl, const std::string &extra) {
  double gflop = 2.0 * s.m * s.n * s.k * 1e-9;
  std::printf("%-5s %-18s %5lld %6lld %5lld  %8.3f %7.1f  %8.3f %7.1f  %5.2f  "
              "%-22s %s\n",
              kind, s.model, (long long)s.m, (long long)s.n, (long long)s.k,
              llmoMs, gflop / llmoMs * 1e3, dnnlMs, gflop / dnnlMs * 1e3,
              llmoMs / dnnlMs, impl.c_str(), extra.c_str());
}

} // namespace

int main(int argc, char **argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  int reps = argc > 2 ? std::atoi(argv[2]) : 15;
  const char *filter = argc > 3 ? argv[3] : "";
  omp_set_num_threads(threads);
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  Llmo llmo(threads);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);

  std::printf("threads %d, median of %d interleaved runs\n", threads, reps);
  std::printf("%-5s %-18s %5s %6s %5s  %8s %7s  %8s %7s  %5s  %-22s %s\n",
              "kind", "shape", "M", "N", "K", "llmo ms", "GFLOP/s", "dnnl ms",
              "GFLOP/s", "ratio", "oneDNN impl", "");
  for (const Shape &s : kShapes) {
    if (!std::strstr(s.model, filter))
      continue;
    // fp32.
    std::vector<float> x(s.m * s.k), w(s.k * s.n);
    for (float &v : x)
      v = uniform(rng);
    for (float &v : w)
      v = uniform(rng);
    std::vector<float> packed(packedSgemmBytes(s.k, s.n) / sizeof(float));
    packSgemm(w.data(), s.k, s.n, packed.data());
    std::vector<float> outLlmo(s.m * s.n), outDnnl(s.m * s.n);
    OneDnnMatmul f32(engine, stream, s, dt::f32, dt::f32, w.data(), nullptr);
    auto [llmoMs, dnnlMs] = timeBoth(
        [&] {
          llmo.call(
              kernelLinearF32, {s.m, s.n, s.k, 0, kLlmoActNone, 0},
              {x.data(), packed.data(), nullptr, nullptr, outLlmo.data()});
        },
        [&] { f32.run(engine, stream, x.data(), outDnnl.data()); }, reps);
    double maxDiff = 0;
    for (int64_t i = 0; i < s.m * s.n; ++i)
      maxDiff = std::max(maxDiff, (double)std::fabs(outLlmo[i] - outDnnl[i]));
    char extra[64];
    std::snprintf(extra, sizeof(extra), "max |diff| %.2g", maxDiff);
    report("f32", s, llmoMs, dnnlMs, f32.impl, extra);

    // int8: u8 activations (zero point 0) x s8 weights with per-column
    // scales, f32 output; the exact result is sum(x*w) * scale.
    std::vector<uint8_t> qx(s.m * s.k);
    std::vector<int8_t> qw(s.k * s.n);
    std::uniform_int_distribution<int> u8(0, 255), s8(-127, 127);
    for (uint8_t &v : qx)
      v = (uint8_t)u8(rng);
    for (int8_t &v : qw)
      v = (int8_t)s8(rng);
    std::vector<float> scales(s.n, 1.0f);
    std::vector<int8_t> packedInt8(packedInt8Bytes(s.k, s.n));
    packInt8(qw.data(), s.k, s.n, packedInt8.data());
    OneDnnMatmul i8(engine, stream, s, dt::u8, dt::s8, qw.data(), &scales);
    std::tie(llmoMs, dnnlMs) = timeBoth(
        [&] {
          llmo.call(kernelQLinear,
                    {s.m, s.n, s.k, kLlmoU8, 0, bitsOf(1.0f), 0, kLlmoActNone,
                     0, kLlmoF32, 0, 0, 0, 0},
                    {qx.data(), packedInt8.data(), scales.data(), nullptr,
                     nullptr, outLlmo.data()});
        },
        [&] { i8.run(engine, stream, qx.data(), outDnnl.data()); }, reps);
    // Exact check on the first rows (the products are exact in int32, and
    // |sum| < 2^24 for these K, so the float outputs hold them exactly).
    int64_t checkedRows = std::min<int64_t>(s.m, 4), llmoWrong = 0,
            dnnlWrong = 0;
    for (int64_t i = 0; i < checkedRows; ++i)
      for (int64_t j = 0; j < s.n; ++j) {
        int64_t exact = 0;
        for (int64_t p = 0; p < s.k; ++p)
          exact += (int64_t)qx[i * s.k + p] * qw[p * s.n + j];
        llmoWrong += outLlmo[i * s.n + j] != (float)exact;
        dnnlWrong += outDnnl[i * s.n + j] != (float)exact;
      }
    std::snprintf(extra, sizeof(extra), "inexact of %lld: llmo %lld, dnnl %lld",
                  (long long)(checkedRows * s.n), (long long)llmoWrong,
                  (long long)dnnlWrong);
    report("u8s8", s, llmoMs, dnnlMs, i8.impl, extra);
  }
  return 0;
}
