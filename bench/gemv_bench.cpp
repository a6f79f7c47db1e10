// gemv_bench.cpp - W4A16/W8A16 decode GEMV (kernelWeightQuantLinear, M <= 4):
// correctness on odd shapes and single-thread throughput against a copy of
// the original kernel, plus the machine's read bandwidth.
//
//   g++ -O2 -mavx2 -mfma -mf16c -ffp-contract=off -std=c++17 -Iinclude \
//     -Iruntime bench/gemv_bench.cpp runtime/cpu/Gemm.cpp \
//     runtime/cpu/Packing.cpp runtime/cpu/ThreadPool.cpp -pthread -o gemv_bench
//   ./gemv_bench [reps=25]
//
// Timings interleave the baseline and the current kernel rep by rep, on
// several copies of each matrix taken round-robin so they stream from DRAM.

#include "cpu/Kernels.h"
#include "cpu/ThreadPool.h"
#include "llmo/Runtime/KernelAbi.h"
#include "llmo/Runtime/Packing.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <immintrin.h>
#include <random>
#include <vector>

using namespace llmo::rt;

namespace baseline {
// The decode path of kernelWeightQuantLinear before this change (verbatim).
struct WeightQuantArgs {
  int64_t m, n, k, groupSize, paddedN;
  const float *x;
  const uint8_t *packed;
  const float *scales, *zeroPoints;
  Epilogue epilogue;
  float *out;
  int64_t rowBytes;
};

template <int bits>
inline void loadRow(const uint8_t *packedRow, __m256 &lo, __m256 &hi) {
  __m128i bytesLo, bytesHi;
  if (bits == 4) {
    __m128i v = _mm_loadl_epi64((const __m128i *)packedRow);
    __m128i nibble = _mm_set1_epi8(0x0F);
    bytesLo = _mm_and_si128(v, nibble);
    bytesHi = _mm_and_si128(_mm_srli_epi16(v, 4), nibble);
  } else {
    __m128i v = _mm_loadu_si128((const __m128i *)packedRow);
    bytesLo = v;
    bytesHi = _mm_srli_si128(v, 8);
  }
  lo = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytesLo));
  hi = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytesHi));
}

template <int bits, int MR>
void gemvPanel(const WeightQuantArgs &args, int64_t p) {
  alignas(32) float acc[MR][16] = {};
  const uint8_t *panel = args.packed + p * args.k * args.rowBytes;
  const float *x0 = args.x, *x1 = x0 + args.k, *x2 = x1 + args.k,
              *x3 = x2 + args.k;
  for (int64_t g0 = 0; g0 < args.k; g0 += args.groupSize) {
    int64_t param = (g0 / args.groupSize) * args.paddedN + p * kLlmoPanelN;
    int64_t g1 = std::min(args.k, g0 + args.groupSize);
    __m256 g00 = _mm256_setzero_ps(), g01 = g00, g10 = g00, g11 = g00,
           g20 = g00, g21 = g00, g30 = g00, g31 = g00, s0 = g00, s1 = g00,
           s2 = g00, s3 = g00;
    int64_t r = g0;
    if constexpr (MR == 1) {
      __m256 a0 = g00, a1 = g00, a2 = g00, a3 = g00, a4 = g00, a5 = g00,
             a6 = g00, a7 = g00, t1 = g00, t2 = g00, t3 = g00;
      for (; r + 4 <= g1; r += 4) {
        __m256 u0, u1, xv;
#define LLMO_UNROLLED_ROW(j, lo, hi, sum)                                      \
  loadRow<bits>(panel + (r + j) * args.rowBytes, u0, u1);                      \
  xv = _mm256_broadcast_ss(x0 + r + j);                                        \
  lo = _mm256_fmadd_ps(xv, u0, lo);                                            \
  hi = _mm256_fmadd_ps(xv, u1, hi);                                            \
  sum = _mm256_add_ps(sum, xv);
        LLMO_UNROLLED_ROW(0, a0, a1, s0)
        LLMO_UNROLLED_ROW(1, a2, a3, t1)
        LLMO_UNROLLED_ROW(2, a4, a5, t2)
        LLMO_UNROLLED_ROW(3, a6, a7, t3)
#undef LLMO_UNROLLED_ROW
      }
      g00 = _mm256_add_ps(_mm256_add_ps(a0, a2), _mm256_add_ps(a4, a6));
      g01 = _mm256_add_ps(_mm256_add_ps(a1, a3), _mm256_add_ps(a5, a7));
      s0 = _mm256_add_ps(_mm256_add_ps(s0, t1), _mm256_add_ps(t2, t3));
    }
    for (; r < g1; ++r) {
      __m256 u0, u1;
      loadRow<bits>(panel + r * args.rowBytes, u0, u1);
#define LLMO_FMA_ROW(i)                                                        \
  if constexpr (MR > i) {                                                      \
    __m256 xv = _mm256_broadcast_ss(x##i + r);                                 \
    g##i##0 = _mm256_fmadd_ps(xv, u0, g##i##0);                                \
    g##i##1 = _mm256_fmadd_ps(xv, u1, g##i##1);                                \
    s##i = _mm256_add_ps(s##i, xv);                                            \
  }
      LLMO_FMA_ROW(0)
      LLMO_FMA_ROW(1)
      LLMO_FMA_ROW(2)
      LLMO_FMA_ROW(3)
#undef LLMO_FMA_ROW
    }
    const float *scales = args.scales + param, *zps = args.zeroPoints + param;
    __m256 sc0 = _mm256_loadu_ps(scales), sc1 = _mm256_loadu_ps(scales + 8);
    __m256 z0 = _mm256_loadu_ps(zps), z1 = _mm256_loadu_ps(zps + 8);
    auto finishGroup = [&](int i, __m256 d0, __m256 d1, __m256 xs) {
      d0 = _mm256_mul_ps(sc0, _mm256_fnmadd_ps(z0, xs, d0));
      d1 = _mm256_mul_ps(sc1, _mm256_fnmadd_ps(z1, xs, d1));
      _mm256_store_ps(acc[i], _mm256_add_ps(_mm256_load_ps(acc[i]), d0));
      _mm256_store_ps(acc[i] + 8,
                      _mm256_add_ps(_mm256_load_ps(acc[i] + 8), d1));
    };
    finishGroup(0, g00, g01, s0);
    if constexpr (MR > 1)
      finishGroup(1, g10, g11, s1);
    if constexpr (MR > 2)
      finishGroup(2, g20, g21, s2);
    if constexpr (MR > 3)
      finishGroup(3, g30, g31, s3);
  }
  int64_t cols = std::min<int64_t>(kLlmoPanelN, args.n - p * kLlmoPanelN);
  for (int i = 0; i < MR; ++i) {
    float *dst = args.out + i * args.n + p * kLlmoPanelN;
    std::copy(acc[i], acc[i] + cols, dst);
    applyEpilogue(dst, args.n, 1, cols, args.epilogue, p * kLlmoPanelN, i);
  }
}

template <int bits> void gemvRows(const WeightQuantArgs &args, int64_t p) {
  dispatchRows<4>(args.m, [&](auto rows) {
    gemvPanel<bits, decltype(rows)::value>(args, p);
  });
}

void kernel(void *ctx, const int64_t *desc, void *const *ops) {
  // (Problem::run passes the current layout for m > 4.)
  if (desc[0] > 4 || desc[2] == 0)
    return kernelWeightQuantLinear(ctx, desc, ops);
  WeightQuantArgs args;
  args.m = desc[0];
  args.n = desc[1];
  args.k = desc[2];
  int bits = (int)desc[3];
  args.groupSize = desc[4];
  args.paddedN = numPanels(args.n) * kLlmoPanelN;
  args.x = (const float *)ops[0];
  args.packed = (const uint8_t *)ops[1];
  args.scales = (const float *)ops[2];
  args.zeroPoints = (const float *)ops[3];
  args.epilogue = {desc[5] ? (const float *)ops[4] : nullptr, desc[6],
                   desc[7] ? (const float *)ops[5] : nullptr};
  args.out = (float *)ops[6];
  args.rowBytes = bits == 4 ? 8 : 16;
  ExecContext &ec = contextOf(ctx);
  ec.pool->parallelFor(
      numPanels(args.n), 1, [&](int64_t begin, int64_t end, int) {
        for (int64_t p = begin; p < end; ++p)
          bits == 4 ? gemvRows<4>(args, p) : gemvRows<8>(args, p);
      });
}
/// The layout the baseline reads: per panel row 16 bytes (8 bits) or 8
/// bytes, byte j holding column j in its low nibble and j + 8 in its high
/// nibble (4 bits; the runtime's layout since kernel ABI 7 differs).
std::vector<uint8_t> pack(const int8_t *q, int64_t k, int64_t n, int bits) {
  int offset = bits == 4 ? 8 : 128;
  auto at = [&](int64_t r, int64_t col) -> uint8_t {
    return col < n ? (uint8_t)(q[r * n + col] + offset) : (uint8_t)offset;
  };
  std::vector<uint8_t> out;
  for (int64_t p = 0; p < numPanels(n); ++p)
    for (int64_t r = 0; r < k; ++r) {
      int64_t base = p * kLlmoPanelN;
      if (bits == 8)
        for (int c = 0; c < kLlmoPanelN; ++c)
          out.push_back(at(r, base + c));
      else
        for (int c = 0; c < 8; ++c)
          out.push_back(
              (uint8_t)(at(r, base + c) | (at(r, base + c + 8) << 4)));
    }
  return out;
}

/// The baseline's parameter layout: [numGroups][numPanels * 16] (the
/// runtime's is panel-major since kernel ABI 7).
void packParams(const float *scales, const int32_t *zeroPoints, int64_t k,
                int64_t n, int64_t groupSize, int bits, float *outScales,
                float *outZeroPoints) {
  int64_t groups = (k + groupSize - 1) / groupSize;
  int64_t padded = numPanels(n) * kLlmoPanelN;
  int offset = bits == 4 ? 8 : 128;
  for (int64_t g = 0; g < groups; ++g)
    for (int64_t col = 0; col < padded; ++col) {
      bool real = col < n;
      outScales[g * padded + col] = real ? scales[g * n + col] : 0.0f;
      outZeroPoints[g * padded + col] =
          (float)((real ? zeroPoints[g * n + col] : 0) + offset);
    }
}
} // namespace baseline

namespace {

double now() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct Exec {
  explicit Exec(int threads)
      : pool(threads), scratch((uint8_t *)std::aligned_alloc(
                           64, (size_t)threads * kScratchBytesPerWorker)) {
    ctx.pool = &pool;
    ctx.scratch = scratch;
  }
  ~Exec() { std::free(scratch); }
  ThreadPool pool;
  uint8_t *scratch;
  ExecContext ctx;
};

/// One quantized linear: weights, packed operands and inputs.
struct Problem {
  int64_t m, n, k, bits, group;
  std::vector<int8_t> q;
  std::vector<float> scales, x, bias, residual;
  std::vector<int32_t> zps;
  std::vector<uint8_t> packed, baselinePacked;
  std::vector<float> pScales, pZps, baselineScales, baselineZps;
  bool hasBias = false, hasResidual = false;
  int64_t act = kLlmoActNone;

  Problem(std::mt19937 &rng, int64_t m, int64_t n, int64_t k, int bits,
          int64_t group, bool keepQ = true)
      : m(m), n(n), k(k), bits(bits), group(group) {
    int64_t qmin = bits == 4 ? -8 : -128, qmax = -qmin - 1;
    int64_t groups = (k + group - 1) / group;
    std::uniform_int_distribution<int> qd((int)qmin, (int)qmax);
    std::uniform_real_distribution<float> fd(-1.0f, 1.0f), sd(0.01f, 0.1f);
    q.resize(k * n);
    for (auto &v : q)
      v = (int8_t)qd(rng);
    scales.resize(groups * n);
    zps.resize(groups * n);
    for (auto &v : scales)
      v = sd(rng);
    for (auto &v : zps)
      v = qd(rng);
    x.resize(m * k);
    for (auto &v : x)
      v = fd(rng);
    bias.resize(n);
    residual.resize(m * n);
    for (auto &v : bias)
      v = fd(rng);
    for (auto &v : residual)
      v = fd(rng);
    packed.resize(packedWeightQuantBytes(k, n, bits));
    packWeightQuant(q.data(), k, n, bits, packed.data());
    baselinePacked = baseline::pack(q.data(), k, n, bits);
    size_t params = weightQuantParamFloats(k, n, group);
    pScales.resize(params);
    pZps.resize(params);
    packWeightQuantParams(scales.data(), zps.data(), k, n, group, bits,
                          pScales.data(), pZps.data());
    baselineScales.resize(params);
    baselineZps.resize(params);
    baseline::packParams(scales.data(), zps.data(), k, n, group, bits,
                         baselineScales.data(), baselineZps.data());
    if (!keepQ)
      q = {};
  }

  size_t streamedBytes() const {
    return packed.size() + (pScales.size() + pZps.size()) * sizeof(float);
  }

  void run(llmo_kernel_fn fn, ExecContext &ctx, float *out) const {
    int64_t desc[] = {m, n, k, bits, group, hasBias, act, hasResidual};
    bool old = fn == baseline::kernel && m <= 4;
    void *ops[] = {(void *)x.data(),
                   old ? (void *)baselinePacked.data() : (void *)packed.data(),
                   old ? (void *)baselineScales.data() : (void *)pScales.data(),
                   old ? (void *)baselineZps.data() : (void *)pZps.data(),
                   hasBias ? (void *)bias.data() : nullptr,
                   hasResidual ? (void *)residual.data() : nullptr,
                   out};
    fn(&ctx, desc, ops);
  }

  /// Double reference: dequantize then dot, then the epilogue; `bound`
  /// is the unit test's tolerance (CpuKernelsTest WeightQuantLinear).
  void reference(std::vector<double> &ref, std::vector<double> &bound) const {
    int64_t qmin = bits == 4 ? -8 : -128;
    ref.assign(m * n, 0.0);
    bound.assign(m * n, 0.0);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double sum = hasBias ? bias[j] : 0.0, mag = hasBias ? fabs(bias[j]) : 0;
        double extra = 0;
        for (int64_t p = 0; p < k; ++p) {
          int64_t g = p / group;
          float w = (float)(q[p * n + j] - zps[g * n + j]) * scales[g * n + j];
          double term = (double)x[i * k + p] * w;
          sum += term;
          mag += fabs(term);
          extra += 1e-5 * fabs(x[i * k + p]) *
                   (double)(std::abs(q[p * n + j] - qmin) +
                            std::abs(zps[g * n + j] - qmin)) *
                   scales[g * n + j];
        }
        ref[i * n + j] = sum;
        bound[i * n + j] = 1e-5 * mag + (m <= 4 ? extra : 0.0);
      }
    auto actRef = [&](double v) {
      switch (act) {
      case kLlmoActGelu:
        return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)));
      case kLlmoActGeluTanh:
        return 0.5 * v *
               (1.0 +
                std::tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
      case kLlmoActSilu:
        return v / (1.0 + std::exp(-v));
      case kLlmoActRelu:
        return v < 0 ? 0.0 : v;
      default:
        return v;
      }
    };
    for (size_t i = 0; i < ref.size(); ++i) {
      if (act != kLlmoActNone) {
        ref[i] = actRef(ref[i]);
        bound[i] = 1.2 * bound[i] + 1e-6 + 1e-5 * std::fabs(ref[i]);
      }
      if (hasResidual) {
        ref[i] += residual[i];
        bound[i] += 1e-7 * std::fabs(ref[i]);
      }
    }
  }
};

struct ErrorStats {
  double maxRel = 0; // max |got - ref| / max |ref| over a case
  double maxBoundRatio = 0;
  int failures = 0;
};

void check(const Problem &pb, llmo_kernel_fn fn, ExecContext &ctx,
           ErrorStats &stats, const char *name) {
  std::vector<double> ref, bound;
  pb.reference(ref, bound);
  const float kSentinel = -12345.678f;
  std::vector<float> out(pb.m * pb.n + 16, kSentinel);
  pb.run(fn, ctx, out.data());
  double maxRef = 1e-30, maxErr = 0, ratio = 0;
  bool bad = false;
  for (size_t i = 0; i < ref.size(); ++i) {
    maxRef = std::max(maxRef, std::fabs(ref[i]));
    double err = std::fabs((double)out[i] - ref[i]);
    if (!(err <= bound[i]))
      bad = true;
    maxErr = std::max(maxErr, std::isnan(err) ? INFINITY : err);
    ratio = std::max(ratio, err / std::max(bound[i], 1e-30));
  }
  for (size_t i = ref.size(); i < out.size(); ++i)
    if (std::memcmp(&out[i], &kSentinel, 4))
      bad = true;
  // Relative to max|ref| (outputs that are all near zero use 1e-2).
  double rel = maxErr / std::max(maxRef, 1e-2);
  if (rel > 1e-5)
    bad = true;
  stats.maxRel = std::max(stats.maxRel, rel);
  stats.maxBoundRatio = std::max(stats.maxBoundRatio, ratio);
  if (bad && stats.failures++ < 10)
    std::printf("  FAIL %s m=%ld n=%ld k=%ld bits=%ld group=%ld bias=%d "
                "act=%ld res=%d: rel %.3g bound ratio %.3g\n",
                name, (long)pb.m, (long)pb.n, (long)pb.k, (long)pb.bits,
                (long)pb.group, pb.hasBias, (long)pb.act, pb.hasResidual, rel,
                ratio);
}

void correctness() {
  std::mt19937 rng(7);
  ErrorStats base, cur, big, bigCur; // decode (m <= 4) and m > 4
  int cases = 0;
  for (int threads : {1, 3}) {
    Exec exec(threads);
    for (int bits : {4, 8})
      for (int64_t m : {1, 2, 3, 4, 5, 7})
        for (int64_t n : {1, 15, 17, 33})
          for (int64_t k : {1, 31, 130, 257})
            for (int64_t group : {(int64_t)16, (int64_t)32, (int64_t)128, k})
              for (int variant = 0; variant < 3; ++variant) {
                Problem pb(rng, m, n, k, bits, group);
                pb.hasBias = variant >= 1;
                pb.act = variant == 2 ? (m + n + k) % 4 + 1 : kLlmoActNone;
                pb.hasResidual = variant == 2;
                check(pb, baseline::kernel, exec.ctx, m <= 4 ? base : big,
                      "baseline");
                check(pb, kernelWeightQuantLinear, exec.ctx,
                      m <= 4 ? cur : bigCur, "current");
                ++cases;
              }
  }
  // Larger decode shapes with nonuniform activations (a few big outliers).
  {
    Exec exec(1);
    for (int bits : {4, 8})
      for (int64_t m : {1, 3})
        for (int64_t group : {(int64_t)32, (int64_t)128, (int64_t)2048}) {
          Problem pb(rng, m, 64, 2048, bits, group);
          for (size_t i = 0; i < pb.x.size(); i += 97)
            pb.x[i] *= 50.0f;
          check(pb, baseline::kernel, exec.ctx, base, "baseline");
          check(pb, kernelWeightQuantLinear, exec.ctx, cur, "current");
          ++cases;
        }
  }
  // With FTZ/DAZ set by the caller (1 and 3 threads).
  for (int threads : {1, 3}) {
    Exec exec(threads);
    unsigned csr = _mm_getcsr();
    _mm_setcsr(csr | 0x8040);
    for (int bits : {4, 8}) {
      Problem pb(rng, 2, 40, 300, bits, 32);
      check(pb, kernelWeightQuantLinear, exec.ctx, cur, "current+DAZ");
      ++cases;
    }
    _mm_setcsr(csr);
  }
  std::printf("correctness: %d cases (decode = m <= 4)\n", cases);
  std::printf("  baseline: max err/max|ref| %.3g, max err/unit-test bound "
              "%.3g, failures %d\n",
              base.maxRel, base.maxBoundRatio, base.failures);
  std::printf("  current : max err/max|ref| %.3g, max err/unit-test bound "
              "%.3g, failures %d\n",
              cur.maxRel, cur.maxBoundRatio, cur.failures);
  std::printf("  m > 4 (shared GEMM path): baseline %.3g / %.3g, current "
              "%.3g / %.3g, failures %d\n",
              big.maxRel, big.maxBoundRatio, bigCur.maxRel,
              bigCur.maxBoundRatio, big.failures + bigCur.failures);
}

double memoryBandwidth() {
  size_t bytes = (size_t)512 << 20;
  float *buf = (float *)std::aligned_alloc(64, bytes);
  std::memset(buf, 1, bytes);
  std::vector<double> gbps;
  float sink = 0;
  for (int rep = 0; rep < 7; ++rep) {
    double t0 = now();
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (size_t i = 0; i < bytes / 4; i += 32) {
      a0 = _mm256_add_ps(a0, _mm256_load_ps(buf + i));
      a1 = _mm256_add_ps(a1, _mm256_load_ps(buf + i + 8));
      a2 = _mm256_add_ps(a2, _mm256_load_ps(buf + i + 16));
      a3 = _mm256_add_ps(a3, _mm256_load_ps(buf + i + 24));
    }
    __m256 s = _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
    sink += _mm256_cvtss_f32(s);
    gbps.push_back(bytes / (now() - t0) / 1e9);
  }
  std::free(buf);
  std::sort(gbps.begin(), gbps.end());
  std::fprintf(stderr, "(sink %g)\n", sink);
  return gbps[gbps.size() / 2];
}

void timing(int reps) {
  double bw = memoryBandwidth();
  std::printf("memory read bandwidth (1 thread, AVX2 sum, 512 MiB): %.2f "
              "GB/s\n",
              bw);
  struct Shape {
    int64_t k, n;
  } shapes[] = {
      {2048, 2048}, {2048, 256}, {2048, 5632}, {5632, 2048}, {2048, 32000}};
  Exec exec(1);
  std::mt19937 rng(11);
  for (int bits : {4, 8})
    for (Shape s : shapes) {
      Problem first(rng, 1, s.n, s.k, bits, 128, false);
      size_t bytes = first.streamedBytes();
      // Enough copies to exceed the last-level cache several times.
      int copies = (int)std::max<size_t>(2, ((size_t)96 << 20) / bytes + 1);
      std::vector<Problem> pbs;
      pbs.push_back(std::move(first));
      for (int c = 1; c < copies; ++c)
        pbs.emplace_back(rng, 1, s.n, s.k, bits, 128, false);
      std::vector<float> out(s.n);
      // Baseline, the current kernel with the CPU's default conversion, and
      // the current kernel with the integer (non-AMD) conversion.
      std::vector<double> times[3];
      for (int rep = 0; rep < reps; ++rep)
        for (int which = 0; which < 3; ++which) {
          llmo_kernel_fn fn =
              which == 0 ? baseline::kernel : kernelWeightQuantLinear;
          setGemvConversionForTesting(which == 2 ? 0 : -1);
          double t0 = now();
          for (const Problem &pb : pbs)
            pb.run(fn, exec.ctx, out.data());
          times[which].push_back((now() - t0) / copies);
        }
      setGemvConversionForTesting(-1);
      for (auto &t : times)
        std::sort(t.begin(), t.end());
      double gb = times[0][reps / 2], gc = times[1][reps / 2],
             gi = times[2][reps / 2];
      std::printf("W%d K=%5ld N=%5ld (%5.2f MB): baseline %6.2f GB/s (%.2f "
                  "of bw)  current %6.2f GB/s (%.2f of bw)  speedup %.2fx  "
                  "integer conversion %6.2f GB/s (%.2fx)\n",
                  bits, (long)s.k, (long)s.n, bytes / 1e6, bytes / gb / 1e9,
                  bytes / gb / 1e9 / bw, bytes / gc / 1e9,
                  bytes / gc / 1e9 / bw, gb / gc, bytes / gi / 1e9, gb / gi);
      std::fflush(stdout);
    }
}

} // namespace

int main(int argc, char **argv) {
  int reps = argc > 1 ? std::atoi(argv[1]) : 25;
  bool onlyCheck = argc > 2 && !std::strcmp(argv[2], "check");
  correctness();
  if (!onlyCheck)
    timing(reps);
  return 0;
}
