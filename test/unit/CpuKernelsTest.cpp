//===- CpuKernelsTest.cpp - CPU runtime kernels against scalar references -===//
//
// Every kernel of runtime/cpu is called through its KernelAbi.h descriptor
// on shapes that are not multiples of the tiles (M tile 6, N panel 16, K
// block 512, int8 K padded to even), with 1 and 3 threads, and compared with
// a scalar reference written here:
//
//  - float GEMMs: against a double-precision product. The error bound is
//    relative to the magnitude of the summed terms, sum_k |x_k * w_k|
//    (+ |bias|), which is what float accumulation errors scale with.
//  - integer paths (qlinear, dynamic_qlinear, quantize, dequantize,
//    dynamic_quantize): bit-exact against the formulas of docs/Dialect.md as
//    the interpreter (lib/Interpreter/Interpreter.cpp) evaluates them.
//  - vectorized transcendental functions: 1e-6 absolute + 1e-5 relative.
//
// This file is compiled with -ffp-contract=off (see CMakeLists.txt) so that
// the float epilogues of the references round exactly as written.
//
//===----------------------------------------------------------------------===//

#include "cpu/Kernels.h"
#include "cpu/ThreadPool.h"
#include "llmo/Runtime/KernelAbi.h"
#include "llmo/Runtime/Packing.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace llmo::rt;

namespace {

const int kThreadCounts[] = {1, 3};

/// A thread pool plus the per-worker scratch the kernels expect.
class Exec {
public:
  explicit Exec(int threads)
      : pool(threads), scratch((uint8_t *)std::aligned_alloc(
                           64, (size_t)threads * kScratchBytesPerWorker)) {
    ctx.pool = &pool;
    ctx.scratch = scratch;
  }
  ~Exec() { std::free(scratch); }

  void call(llmo_kernel_fn kernel, const std::vector<int64_t> &desc,
            const std::vector<const void *> &operands) {
    std::vector<void *> ops;
    for (const void *op : operands)
      ops.push_back(const_cast<void *>(op));
    kernel(&ctx, desc.data(), ops.data());
  }

  int threads() const { return pool.numThreads(); }

private:
  ThreadPool pool;
  uint8_t *scratch;
  ExecContext ctx;
};

int64_t bitsOf(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return (int64_t)bits;
}

std::string hexBits(float value) {
  char text[16];
  std::snprintf(text, sizeof(text), "0x%08x", (unsigned)bitsOf(value));
  return text;
}

std::vector<float> randomFloats(std::mt19937 &rng, size_t n, float lo = -1.0f,
                                float hi = 1.0f) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(rng);
  return v;
}

template <typename T>
std::vector<T> randomInts(std::mt19937 &rng, size_t n, int64_t lo, int64_t hi) {
  std::uniform_int_distribution<int64_t> dist(lo, hi);
  std::vector<T> v(n);
  for (T &x : v)
    x = (T)dist(rng);
  return v;
}

std::string shapeName(int64_t m, int64_t n, int64_t k, int threads) {
  std::ostringstream os;
  os << "M=" << m << " N=" << n << " K=" << k << " threads=" << threads;
  return os.str();
}

/// An output buffer of `n` floats followed by guard elements; unwritten
/// elements and writes past the end are detected.
struct GuardedOutput {
  static constexpr size_t kGuard = 32;
  static constexpr float kSentinel = -12345.678f;
  explicit GuardedOutput(size_t n) : size(n), data(n + kGuard, kSentinel) {}
  float *get() { return data.data(); }
  bool guardIntact() const {
    for (size_t i = size; i < data.size(); ++i)
      if (std::memcmp(&data[i], &kSentinel, sizeof(float)) != 0)
        return false;
    return true;
  }
  size_t size;
  std::vector<float> data;
};

/// |got[i] - ref[i]| <= bound[i] for all i; reports the first violation.
::testing::AssertionResult allWithin(const float *got, const double *ref,
                                     const double *bound, size_t n) {
  size_t failures = 0, first = 0;
  for (size_t i = 0; i < n; ++i) {
    double err = std::fabs((double)got[i] - ref[i]);
    if (!(err <= bound[i])) { // also catches NaN
      if (!failures++)
        first = i;
    }
  }
  if (!failures)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << failures << " of " << n << " elements out of tolerance; first at "
         << first << ": got " << got[first] << ", expected " << ref[first]
         << " (bound " << bound[first] << ")";
}

/// Bit-exact float equality; reports the first difference.
::testing::AssertionResult bitEqual(const float *got, const float *expected,
                                    size_t n) {
  size_t failures = 0, first = 0;
  for (size_t i = 0; i < n; ++i)
    if (std::memcmp(&got[i], &expected[i], sizeof(float)) != 0) {
      if (!failures++)
        first = i;
    }
  if (!failures)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << failures << " of " << n << " elements differ; first at " << first
         << ": got " << got[first] << " (" << hexBits(got[first])
         << "), expected " << expected[first] << " ("
         << hexBits(expected[first]) << ")";
}

template <typename T>
::testing::AssertionResult intsEqual(const T *got, const T *expected,
                                     size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (got[i] != expected[i])
      return ::testing::AssertionFailure()
             << "element " << i << ": got " << (int64_t)got[i] << ", expected "
             << (int64_t)expected[i];
  return ::testing::AssertionSuccess();
}

/// Double reference of out[m, n] = x[m, k] * w[k, n] (+ bias) and the
/// tolerance 1e-5 * (sum_k |x * w| + |bias|) of every element.
void referenceGemm(const std::vector<float> &x, const std::vector<float> &w,
                   const float *bias, int64_t m, int64_t n, int64_t k,
                   std::vector<double> &ref, std::vector<double> &bound) {
  ref.assign(m * n, 0.0);
  bound.assign(m * n, 0.0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double sum = bias ? bias[j] : 0.0, mag = bias ? std::fabs(bias[j]) : 0.0;
      for (int64_t p = 0; p < k; ++p) {
        double term = (double)x[i * k + p] * (double)w[p * n + j];
        sum += term;
        mag += std::fabs(term);
      }
      ref[i * n + j] = sum;
      bound[i * n + j] = 1e-5 * mag;
    }
}

double activationRef(double v, int64_t activation) {
  switch (activation) {
  case kLlmoActGelu:
    return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)));
  case kLlmoActGeluTanh:
    return 0.5 * v *
           (1.0 + std::tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
  case kLlmoActSilu:
    return v / (1.0 + std::exp(-v));
  case kLlmoActRelu:
    return v < 0 ? 0.0 : v;
  default:
    return v;
  }
}

/// The fused GEMM epilogue act(acc + bias) + residual (the bias is already in
/// `ref`). The activations' slopes are below 1.2; their vectorized
/// approximations add 1e-6 absolute + 1e-5 relative.
void referenceEpilogue(std::vector<double> &ref, std::vector<double> &bound,
                       int64_t activation, const float *residual) {
  for (size_t i = 0; i < ref.size(); ++i) {
    if (activation != kLlmoActNone) {
      ref[i] = activationRef(ref[i], activation);
      bound[i] = 1.2 * bound[i] + 1e-6 + 1e-5 * std::fabs(ref[i]);
    }
    if (residual) {
      ref[i] += residual[i];
      bound[i] += 1e-7 * std::fabs(ref[i]);
    }
  }
}

std::vector<int64_t> concat(std::vector<int64_t> a,
                            const std::vector<int64_t> &b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

class CpuKernelsTest : public ::testing::Test {
protected:
  void SetUp() override {
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
      GTEST_SKIP() << "the CPU kernels need AVX2 and FMA";
  }
};

//===----------------------------------------------------------------------===//
// Thread pool
//===----------------------------------------------------------------------===//

TEST(ThreadPoolTest, ParallelForCoversEveryIndexOnce) {
  for (int threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.numThreads(), threads);
    for (int64_t n : {0, 1, 2, 5, 7, 16, 63, 100, 1000, 4097}) {
      for (int64_t grain : {1, 2, 3, 16, 64, 5000}) {
        SCOPED_TRACE("threads=" + std::to_string(threads) + " n=" +
                     std::to_string(n) + " grain=" + std::to_string(grain));
        std::vector<std::atomic<int>> hits(n);
        for (auto &h : hits)
          h.store(0);
        std::atomic<int64_t> badWorker{0}, smallChunks{0}, calls{0};
        pool.parallelFor(n, grain, [&](int64_t begin, int64_t end, int worker) {
          ++calls;
          if (worker < 0 || worker >= threads)
            ++badWorker;
          // Only the chunk that ends at n may be shorter than the grain.
          if (end - begin < grain && end != n)
            ++smallChunks;
          for (int64_t i = begin; i < end; ++i)
            hits[i].fetch_add(1);
        });
        EXPECT_EQ(badWorker.load(), 0);
        EXPECT_EQ(smallChunks.load(), 0);
        if (n == 0) {
          EXPECT_EQ(calls.load(), 0);
        }
        int64_t wrong = 0;
        for (int64_t i = 0; i < n; ++i)
          wrong += hits[i].load() != 1;
        EXPECT_EQ(wrong, 0);
      }
    }
  }
}

TEST(ThreadPoolTest, ManyJobsOnOnePool) {
  ThreadPool pool(3);
  std::vector<int64_t> sums(64, 0);
  for (int job = 0; job < 500; ++job) {
    int64_t n = 1 + job % 97;
    std::atomic<int64_t> sum{0};
    pool.parallelFor(n, 1, [&](int64_t begin, int64_t end, int) {
      for (int64_t i = begin; i < end; ++i)
        sum += i;
    });
    ASSERT_EQ(sum.load(), n * (n - 1) / 2) << "job " << job;
  }
}

TEST(ThreadPoolTest, UsesWorkers) {
  // With enough chunks of work, some run on a worker other than the caller.
  ThreadPool pool(3);
  std::atomic<int> onWorker{0};
  for (int round = 0; round < 500 && !onWorker; ++round)
    pool.parallelFor(64, 1, [&](int64_t, int64_t, int worker) {
      if (worker)
        ++onWorker;
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    });
  EXPECT_GT(onWorker.load(), 0);
}

/// Idle workers spin for a while and then block: jobs that follow each
/// other at once and jobs after a pause longer than the spin (workers
/// asleep), on several pools used from several threads at once (sessions).
TEST(ThreadPoolTest, SpinThenBlockOnConcurrentPools) {
  std::atomic<int64_t> wrong{0};
  std::vector<std::thread> users;
  for (int user = 0; user < 3; ++user)
    users.emplace_back([&, user] {
      ThreadPool pool(2 + user % 2);
      std::vector<int> hits(257);
      for (int job = 0; job < 400; ++job) {
        int64_t n = 1 + (job * 37 + user) % 257;
        std::fill(hits.begin(), hits.end(), 0);
        pool.parallelFor(n, 1 + job % 3, [&](int64_t begin, int64_t end, int) {
          for (int64_t i = begin; i < end; ++i)
            ++hits[i];
        });
        for (int64_t i = 0; i < n; ++i)
          wrong += hits[i] != 1;
        if (job % 50 == 0)
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    });
  for (std::thread &t : users)
    t.join();
  EXPECT_EQ(wrong.load(), 0);
}

//===----------------------------------------------------------------------===//
// Dense kernels
//===----------------------------------------------------------------------===//

const int64_t kMs[] = {1, 2, 5, 7, 13, 130};
const int64_t kNs[] = {1, 3, 17, 33, 100};
const int64_t kKs[] = {1, 3, 31, 257, 600};

TEST_F(CpuKernelsTest, LinearF32) {
  std::mt19937 rng(1);
  for (int threads : kThreadCounts) {
    Exec exec(threads);
    for (int64_t m : kMs)
      for (int64_t n : kNs)
        for (int64_t k : kKs)
          for (bool hasBias : {false, true}) {
            SCOPED_TRACE(shapeName(m, n, k, threads) +
                         (hasBias ? " bias" : " no bias"));
            auto x = randomFloats(rng, m * k);
            auto w = randomFloats(rng, k * n);
            auto bias = randomFloats(rng, n);
            std::vector<float> packed(packedSgemmBytes(k, n) / sizeof(float));
            packSgemm(w.data(), k, n, packed.data());
            GuardedOutput out(m * n);
            exec.call(kernelLinearF32, {m, n, k, hasBias, kLlmoActNone, 0},
                      {x.data(), packed.data(), hasBias ? bias.data() : nullptr,
                       nullptr, out.get()});
            std::vector<double> ref, bound;
            referenceGemm(x, w, hasBias ? bias.data() : nullptr, m, n, k, ref,
                          bound);
            ASSERT_TRUE(allWithin(out.get(), ref.data(), bound.data(), m * n));
            ASSERT_TRUE(out.guardIntact());
          }
  }
}

TEST_F(CpuKernelsTest, LinearF32Epilogue) {
  std::mt19937 rng(15);
  for (int threads : kThreadCounts) {
    Exec exec(threads);
    for (int64_t m : {1, 7, 13})
      for (int64_t n : {3, 17, 33})
        for (int64_t k : {31, 600})
          for (int64_t act : {kLlmoActNone, kLlmoActGelu, kLlmoActGeluTanh,
                              kLlmoActSilu, kLlmoActRelu})
            for (bool hasResidual : {false, true}) {
              bool hasBias = (m + n + act) % 2;
              SCOPED_TRACE(
                  shapeName(m, n, k, threads) + " act=" + std::to_string(act) +
                  (hasResidual ? " residual" : "") + (hasBias ? " bias" : ""));
              auto x = randomFloats(rng, m * k);
              auto w = randomFloats(rng, k * n, -0.3f, 0.3f);
              auto bias = randomFloats(rng, n);
              auto residual = randomFloats(rng, m * n, -2.0f, 2.0f);
              std::vector<float> packed(packedSgemmBytes(k, n) / sizeof(float));
              packSgemm(w.data(), k, n, packed.data());
              GuardedOutput out(m * n);
              exec.call(kernelLinearF32, {m, n, k, hasBias, act, hasResidual},
                        {x.data(), packed.data(),
                         hasBias ? bias.data() : nullptr,
                         hasResidual ? residual.data() : nullptr, out.get()});
              std::vector<double> ref, bound;
              referenceGemm(x, w, hasBias ? bias.data() : nullptr, m, n, k, ref,
                            bound);
              referenceEpilogue(ref, bound, act,
                                hasResidual ? residual.data() : nullptr);
              ASSERT_TRUE(
                  allWithin(out.get(), ref.data(), bound.data(), m * n));
              ASSERT_TRUE(out.guardIntact());
            }
  }
}

TEST_F(CpuKernelsTest, MatmulBroadcastBatch) {
  std::mt19937 rng(2);
  struct Case {
    std::vector<int64_t> dims, aFull, bFull; // batch dims; 1 = not broadcast
  };
  // aFull/bFull: 1 where the operand has the batch dim, 0 where it is
  // broadcast (batch stride 0).
  const Case cases[] = {
      {{}, {}, {}},    {{3}, {1}, {1}},          {{3}, {1}, {0}},
      {{3}, {0}, {1}}, {{2, 3}, {1, 1}, {0, 1}}, {{2, 3}, {0, 1}, {1, 0}},
  };
  for (int threads : kThreadCounts) {
    Exec exec(threads);
    for (const Case &c : cases)
      for (int64_t m : {1, 5, 7, 13})
        for (int64_t n : {1, 3, 17, 33})
          for (int64_t k : {1, 31, 257, 600}) {
            SCOPED_TRACE(shapeName(m, n, k, threads) + " batch rank " +
                         std::to_string(c.dims.size()) +
                         (c.dims.size()
                              ? " a0=" + std::to_string(c.aFull[0]) +
                                    " b0=" + std::to_string(c.bFull[0])
                              : ""));
            int64_t rank = c.dims.size();
            // Strides of each operand over its own (possibly size-1) dims.
            std::vector<int64_t> aStrides(rank), bStrides(rank);
            int64_t aCount = m * k, bCount = k * n, batches = 1;
            for (int64_t d = rank - 1; d >= 0; --d) {
              aStrides[d] = c.aFull[d] ? aCount : 0;
              bStrides[d] = c.bFull[d] ? bCount : 0;
              aCount *= c.aFull[d] ? c.dims[d] : 1;
              bCount *= c.bFull[d] ? c.dims[d] : 1;
              batches *= c.dims[d];
            }
            auto a = randomFloats(rng, aCount);
            auto b = randomFloats(rng, bCount);
            std::vector<int64_t> desc = {batches, m, n, k, rank};
            desc.insert(desc.end(), c.dims.begin(), c.dims.end());
            desc.insert(desc.end(), aStrides.begin(), aStrides.end());
            desc.insert(desc.end(), bStrides.begin(), bStrides.end());
            GuardedOutput out(batches * m * n);
            exec.call(kernelMatmul, desc, {a.data(), b.data(), out.get()});
            ASSERT_TRUE(out.guardIntact());
            for (int64_t batch = 0; batch < batches; ++batch) {
              int64_t aOff = 0, bOff = 0, rest = batch;
              for (int64_t d = rank - 1; d >= 0; --d) {
                aOff += rest % c.dims[d] * aStrides[d];
                bOff += rest % c.dims[d] * bStrides[d];
                rest /= c.dims[d];
              }
              std::vector<float> aMat(a.begin() + aOff,
                                      a.begin() + aOff + m * k);
              std::vector<float> bMat(b.begin() + bOff,
                                      b.begin() + bOff + k * n);
              std::vector<double> ref, bound;
              referenceGemm(aMat, bMat, nullptr, m, n, k, ref, bound);
              ASSERT_TRUE(allWithin(out.get() + batch * m * n, ref.data(),
                                    bound.data(), m * n))
                  << "batch " << batch;
            }
          }
  }
}

/// Expected W8A8 output by the documented formula: acc = sum of i32
/// products (wrapping), y = float(acc) * (rowScale * sw[n]) + bias[n], all
/// float operations rounded as written.
std::vector<float> referenceInt8Linear(const std::vector<int32_t> &qx,
                                       const std::vector<float> &rowScales,
                                       const std::vector<int8_t> &w,
                                       const std::vector<float> &sw,
                                       const float *bias, int64_t m, int64_t n,
                                       int64_t k) {
  std::vector<float> out(m * n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      uint32_t acc = 0; // i32 accumulation with wraparound
      for (int64_t p = 0; p < k; ++p)
        acc += (uint32_t)(qx[i * k + p] * (int32_t)w[p * n + j]);
      float scale = rowScales[i] * sw[j];
      float v = (float)(int32_t)acc * scale;
      if (bias)
        v = v + bias[j];
      out[i * n + j] = v;
    }
  return out;
}

/// ONNX QuantizeLinear rounding as the interpreter's quantizeValue.
int64_t quantizeValue(float x, float scale, int64_t zp, int64_t qmin,
                      int64_t qmax) {
  float scaled = x / scale;
  float rounded = std::nearbyint(scaled);
  double value = (double)rounded + (double)zp;
  if (std::isnan(value))
    return zp;
  return (int64_t)std::min<double>(std::max<double>(value, qmin), qmax);
}

/// Random int8 weights that include both range ends.
std::vector<int8_t> int8Weights(std::mt19937 &rng, int64_t k, int64_t n) {
  auto w = randomInts<int8_t>(rng, k * n, -128, 127);
  w[0] = -128;
  w[w.size() - 1] = 127;
  return w;
}

TEST_F(CpuKernelsTest, QLinearBitExact) {
  std::mt19937 rng(3);
  for (int threads : kThreadCounts) {
    Exec exec(threads);
    for (int64_t m : kMs)
      for (int64_t n : kNs)
        for (int64_t k : kKs)
          for (bool isUnsigned : {true, false}) {
            bool hasBias = (m + n + k) % 2;
            SCOPED_TRACE(shapeName(m, n, k, threads) +
                         (isUnsigned ? " u8" : " i8") +
                         (hasBias ? " bias" : " no bias"));
            int64_t lo = isUnsigned ? 0 : -128, hi = isUnsigned ? 255 : 127;
            int64_t zx = std::uniform_int_distribution<int64_t>(lo, hi)(rng);
            float sx = 0.0173f;
            auto xs = randomInts<int32_t>(rng, m * k, lo, hi);
            xs[0] = (int32_t)lo;
            xs[xs.size() - 1] = (int32_t)hi;
            std::vector<uint8_t> qxU8(xs.begin(), xs.end());
            std::vector<int8_t> qxI8(xs.begin(), xs.end());
            auto w = int8Weights(rng, k, n);
            auto sw = randomFloats(rng, n, 0.001f, 0.05f);
            auto bias = randomFloats(rng, n);
            std::vector<int8_t> packed(packedInt8Bytes(k, n));
            packInt8(w.data(), k, n, packed.data());
            GuardedOutput out(m * n);
            exec.call(kernelQLinear,
                      {m, n, k, isUnsigned ? kLlmoU8 : kLlmoI8, zx, bitsOf(sx),
                       hasBias, kLlmoActNone, 0, kLlmoF32, 0, 0, 0, 0},
                      {isUnsigned ? (const void *)qxU8.data()
                                  : (const void *)qxI8.data(),
                       packed.data(), sw.data(),
                       hasBias ? bias.data() : nullptr, nullptr, out.get()});
            std::vector<int32_t> qx(m * k);
            for (int64_t i = 0; i < m * k; ++i)
              qx[i] = (int32_t)(xs[i] - zx);
            auto expected =
                referenceInt8Linear(qx, std::vector<float>(m, sx), w, sw,
                                    hasBias ? bias.data() : nullptr, m, n, k);
            ASSERT_TRUE(bitEqual(out.get(), expected.data(), m * n));
            ASSERT_TRUE(out.guardIntact());
          }
  }
}

/// The extreme products: (255 - 0) * -128 and (-128 - 127) * -128 summed in
/// pairs exceed the i16 range (where a u8 x s8 vpmaddubsw would saturate).
TEST_F(CpuKernelsTest, QLinearRangeEndsDoNotSaturate) {
  for (int threads : kThreadCounts) {
    Exec exec(threads);
    int64_t m = 7, n = 19, k = 301;
    std::vector<int8_t> w(k * n);
    for (int64_t i = 0; i < k * n; ++i)
      w[i] = i % 3 == 0 ? 127 : -128;
    std::vector<int8_t> packed(packedInt8Bytes(k, n));
    packInt8(w.data(), k, n, packed.data());
    std::vector<float> sw(n, 1.0f);
    float sx = 1.0f;
    // u8 with zero point 0 at 255 and 0; i8 with zero point 127 at -128.
    struct Input {
      bool isUnsigned;
      int64_t zx, value;
    };
    for (Input in : {Input{true, 0, 255}, Input{true, 255, 0},
                     Input{false, 127, -128}, Input{false, -128, 127}}) {
      SCOPED_TRACE("zx=" + std::to_string(in.zx) +
                   " x=" + std::to_string(in.value));
      std::vector<uint8_t> xU8(m * k, (uint8_t)in.value);
      std::vector<int8_t> xI8(m * k, (int8_t)in.value);
      GuardedOutput out(m * n);
      exec.call(
          kernelQLinear,
          {m, n, k, in.isUnsigned ? kLlmoU8 : kLlmoI8, in.zx, bitsOf(sx), 0,
           kLlmoActNone, 0, kLlmoF32, 0, 0, 0, 0},
          {in.isUnsigned ? (const void *)xU8.data() : (const void *)xI8.data(),
           packed.data(), sw.data(), nullptr, nullptr, out.get()});
      std::vector<int32_t> qx(m * k, (int32_t)(in.value - in.zx));
      auto expected = referenceInt8Linear(qx, std::vector<float>(m, sx), w, sw,
                                          nullptr, m, n, k);
      ASSERT_TRUE(bitEqual(out.get(), expected.data(), m * n));
      // Exact integers (|acc| < 2^24): the column sums by hand.
      for (int64_t j = 0; j < n; ++j) {
        int64_t acc = 0;
        for (int64_t p = 0; p < k; ++p)
          acc += (in.value - in.zx) * w[p * n + j];
        EXPECT_EQ(out.get()[j], (float)acc) << "column " << j;
      }
    }
  }
}

/// kernelDynamicQLinear against per-row quantization and the scalar
/// reference, bit for bit.
void checkDynamicQLinear(Exec &exec, std::mt19937 &rng, int64_t m, int64_t n,
                         int64_t k) {
  bool hasBias = (m + n + k) % 2 == 0;
  SCOPED_TRACE(shapeName(m, n, k, exec.threads()) +
               (hasBias ? " bias" : " no bias"));
  auto x = randomFloats(rng, m * k, -3.0f, 3.0f);
  // A row of zeros (scale 1) and a row with exact ties x / s = n.5.
  if (m > 2) {
    std::fill(x.begin() + k, x.begin() + 2 * k, 0.0f);
    for (int64_t p = 0; p < k; ++p)
      x[2 * k + p] = (float)(p % 7) * 0.5f - 1.5f;
    x[2 * k] = 127.0f; // scale exactly 1
  }
  // NaNs quantize to 0 (and do not count in the row's abs-max), in the
  // vector body and in the scalar tail.
  if (m > 3) {
    x[3 * k] = std::numeric_limits<float>::quiet_NaN();
    x[4 * k - 1] = std::numeric_limits<float>::quiet_NaN();
  }
  auto w = int8Weights(rng, k, n);
  auto sw = randomFloats(rng, n, 0.001f, 0.05f);
  auto bias = randomFloats(rng, n);
  std::vector<int8_t> packed(packedInt8Bytes(k, n));
  packInt8(w.data(), k, n, packed.data());
  GuardedOutput out(m * n);
  exec.call(kernelDynamicQLinear,
            {m, n, k, hasBias, kLlmoActNone, 0, kLlmoF32, 0, 0, 0, 0},
            {x.data(), packed.data(), sw.data(),
             hasBias ? bias.data() : nullptr, nullptr, out.get()});
  // Per-row symmetric quantization (evalDynamicQLinear).
  std::vector<int32_t> qx(m * k);
  std::vector<float> rowScales(m);
  for (int64_t i = 0; i < m; ++i) {
    float absMax = 0;
    for (int64_t p = 0; p < k; ++p)
      absMax = std::max(absMax, std::fabs(x[i * k + p]));
    float s = absMax > 0 ? absMax / 127.0f : 1.0f;
    rowScales[i] = s;
    for (int64_t p = 0; p < k; ++p)
      qx[i * k + p] = (int32_t)quantizeValue(x[i * k + p], s, 0, -127, 127);
  }
  auto expected = referenceInt8Linear(qx, rowScales, w, sw,
                                      hasBias ? bias.data() : nullptr, m, n, k);
  ASSERT_TRUE(bitEqual(out.get(), expected.data(), m * n));
  ASSERT_TRUE(out.guardIntact());
}

TEST_F(CpuKernelsTest, DynamicQLinearBitExact) {
  std::mt19937 rng(4);
  for (int threads : kThreadCounts) {
    Exec exec(threads);
    for (int64_t m : kMs)
      for (int64_t n : kNs)
        for (int64_t k : kKs)
          ASSERT_NO_FATAL_FAILURE(checkDynamicQLinear(exec, rng, m, n, k));
  }
}

/// The int8 linears quantize all activation rows once, in the scratch of all
/// workers together, when they fit (M = 300, K = 2000: 1.2 MB, so with 2
/// threads), and per row block and panel group otherwise (1 thread).
TEST_F(CpuKernelsTest, DynamicQLinearRowsBeyondScratch) {
  std::mt19937 rng(24);
  int64_t m = 300, n = 37, k = 2000;
  ASSERT_GT(m * (k * 2 + 4), (int64_t)kScratchBytesPerWorker);
  ASSERT_LT(m * (k * 2 + 4), (int64_t)(2 * kScratchBytesPerWorker));
  for (int threads : {1, 2}) {
    Exec exec(threads);
    ASSERT_NO_FATAL_FAILURE(checkDynamicQLinear(exec, rng, m, n, k));
  }
}

/// kernelW4A8Linear against docs/Dialect.md's dynamic_qlinear with an i4
/// weight, bit for bit: per-row int8 activations, exact i32 sums per group,
/// sum over the groups in float in order (grouped), or one group with
/// f32(acc) * (s * sw) (per channel).
void checkW4A8Linear(Exec &exec, std::mt19937 &rng, int64_t m, int64_t n,
                     int64_t k, int64_t groupSize, bool grouped,
                     int64_t activation = kLlmoActNone,
                     bool withResidual = false) {
  bool hasBias = (m + n + k) % 2 == 0;
  SCOPED_TRACE(shapeName(m, n, k, exec.threads()) + " group " +
               std::to_string(groupSize) + (grouped ? " grouped" : "") +
               (hasBias ? " bias" : " no bias"));
  auto x = randomFloats(rng, m * k, -3.0f, 3.0f);
  if (m > 2) {
    std::fill(x.begin() + k, x.begin() + 2 * k, 0.0f);
    x[2 * k] = 127.0f; // scale exactly 1: ties x / s = n.5 below
    for (int64_t p = 1; p < k; ++p)
      x[2 * k + p] = (float)(p % 7) * 0.5f - 1.5f;
  }
  if (m > 3) { // NaNs quantize to 0 (vector body and scalar tail)
    x[3 * k] = std::numeric_limits<float>::quiet_NaN();
    x[4 * k - 1] = std::numeric_limits<float>::quiet_NaN();
  }
  int64_t groups = grouped ? k / groupSize : 1;
  std::vector<int8_t> w(k * n);
  std::uniform_int_distribution<int> nibble(-8, 7);
  for (auto &v : w)
    v = (int8_t)nibble(rng);
  // The extremes everywhere in the first column (|pair sum| 2 * 8 * 127).
  for (int64_t p = 0; p < k; ++p)
    w[p * n] = -8;
  auto sw = randomFloats(rng, groups * n, 0.001f, 0.05f);
  auto bias = randomFloats(rng, n);
  auto residual = randomFloats(rng, m * n);
  std::vector<uint8_t> packed(packedW4A8Bytes(k, n));
  packW4A8(w.data(), k, n, packed.data());
  int64_t paramGroup = grouped ? groupSize : k;
  std::vector<float> packedScales(w4a8ScaleFloats(k, n, paramGroup));
  packW4A8Scales(sw.data(), k, n, paramGroup, packedScales.data());
  GuardedOutput out(m * n);
  exec.call(kernelW4A8Linear,
            {m, n, k, paramGroup, grouped, hasBias, activation, withResidual},
            {x.data(), packed.data(), packedScales.data(),
             hasBias ? bias.data() : nullptr,
             withResidual ? residual.data() : nullptr, out.get()});
  std::vector<float> expected(m * n);
  for (int64_t i = 0; i < m; ++i) {
    float absMax = 0;
    for (int64_t p = 0; p < k; ++p)
      absMax = std::max(absMax, std::fabs(x[i * k + p]));
    float s = absMax > 0 ? absMax / 127.0f : 1.0f;
    std::vector<int64_t> qx(k);
    for (int64_t p = 0; p < k; ++p)
      qx[p] = quantizeValue(x[i * k + p], s, 0, -127, 127);
    for (int64_t j = 0; j < n; ++j) {
      float y = 0;
      for (int64_t g = 0; g < groups; ++g) {
        int64_t g0 = grouped ? g * groupSize : 0,
                g1 = grouped ? g0 + groupSize : k;
        int64_t acc = 0;
        for (int64_t p = g0; p < g1; ++p)
          acc += qx[p] * w[p * n + j];
        if (grouped)
          y = y + (float)acc * sw[g * n + j];
        else
          y = (float)acc * (s * sw[j]);
      }
      if (grouped)
        y = y * s;
      if (hasBias)
        y = y + bias[j];
      expected[i * n + j] = y;
    }
  }
  if (activation == kLlmoActNone && !withResidual) {
    ASSERT_TRUE(bitEqual(out.get(), expected.data(), m * n));
  } else {
    // The epilogue is the fp32 kernels' (its own tests bound it).
    for (int64_t i = 0; i < m * n; ++i) {
      float v = expected[i];
      if (activation == kLlmoActSilu)
        v = v / (1.0f + std::exp(-v));
      else if (activation == kLlmoActRelu)
        v = std::max(v, 0.0f);
      if (withResidual)
        v += residual[i];
      ASSERT_NEAR(out.get()[i], v, 1e-5f * (1.0f + std::fabs(v))) << i;
    }
  }
  ASSERT_TRUE(out.guardIntact());
}

TEST_F(CpuKernelsTest, W4A8LinearBitExact) {
  std::mt19937 rng(31);
  for (int threads : kThreadCounts) {
    Exec exec(threads);
    for (int64_t m : kMs)
      for (int64_t n : kNs) {
        // Groups of 4, 12, 32 and 64 rows (one i16 window, three, a group
        // ending inside a window), and per channel over K not a multiple
        // of 4.
        for (auto [k, group] :
             {std::pair<int64_t, int64_t>{4, 4}, {36, 12}, {96, 32}, {320, 64}})
          ASSERT_NO_FATAL_FAILURE(
              checkW4A8Linear(exec, rng, m, n, k, group, true));
        for (int64_t k : kKs)
          ASSERT_NO_FATAL_FAILURE(
              checkW4A8Linear(exec, rng, m, n, k, k, false));
      }
  }
}

/// Row blocks (K = 2000: ~120 rows each) and a single group over a K that
/// needs the i32 widening many times.
TEST_F(CpuKernelsTest, W4A8LinearRowBlocksAndLongGroups) {
  std::mt19937 rng(32);
  for (int threads : {1, 2}) {
    Exec exec(threads);
    ASSERT_NO_FATAL_FAILURE(
        checkW4A8Linear(exec, rng, 300, 37, 2000, 80, true));
    ASSERT_NO_FATAL_FAILURE(
        checkW4A8Linear(exec, rng, 3, 40, 5632, 5632, true));
    ASSERT_NO_FATAL_FAILURE(
        checkW4A8Linear(exec, rng, 2, 33, 4001, 4001, false));
  }
}

TEST_F(CpuKernelsTest, W4A8LinearEpilogue) {
  std::mt19937 rng(33);
  for (int threads : kThreadCounts) {
    Exec exec(threads);
    for (int64_t act : {kLlmoActSilu, kLlmoActRelu})
      ASSERT_NO_FATAL_FAILURE(
          checkW4A8Linear(exec, rng, 7, 35, 64, 16, true, act, true));
    ASSERT_NO_FATAL_FAILURE(
        checkW4A8Linear(exec, rng, 13, 17, 31, 31, false, kLlmoActNone, true));
  }
}

/// The fused epilogue of the int8 linears: the integer part stays exact,
/// the activation and residual are held to the fp32 epilogue's bounds.
TEST_F(CpuKernelsTest, Int8LinearEpilogue) {
  std::mt19937 rng(16);
  for (int threads : kThreadCounts) {
    Exec exec(threads);
    for (int64_t m : {1, 7, 13})
      for (int64_t n : {3, 17, 33})
        for (int64_t k : {31, 600})
          for (int64_t act : {kLlmoActNone, kLlmoActGelu, kLlmoActGeluTanh,
                              kLlmoActSilu, kLlmoActRelu})
            for (bool dynamic : {false, true}) {
              bool hasResidual = (m + n + k + act) % 2;
              bool hasBias = (m + act) % 2;
              SCOPED_TRACE(shapeName(m, n, k, threads) +
                           " act=" + std::to_string(act) +
                           (hasResidual ? " residual" : "") +
                           (dynamic ? " dynamic" : " static"));
              auto w = int8Weights(rng, k, n);
              auto sw = randomFloats(rng, n, 0.001f, 0.02f);
              auto bias = randomFloats(rng, n);
              auto residual = randomFloats(rng, m * n, -2.0f, 2.0f);
              std::vector<int8_t> packed(packedInt8Bytes(k, n));
              packInt8(w.data(), k, n, packed.data());
              std::vector<int32_t> qx(m * k);
              std::vector<float> rowScales(m);
              GuardedOutput out(m * n);
              const float *b = hasBias ? bias.data() : nullptr;
              const float *r = hasResidual ? residual.data() : nullptr;
              // The same call once more per requantized output type.
              llmo_kernel_fn kernel;
              std::vector<int64_t> desc;
              const void *input;
              auto x = randomFloats(rng, m * k, -3.0f, 3.0f);
              auto xs = randomInts<uint8_t>(rng, m * k, 0, 255);
              if (dynamic) {
                kernel = kernelDynamicQLinear;
                desc = {m, n, k, hasBias, act, hasResidual};
                input = x.data();
                exec.call(kernel, concat(desc, {kLlmoF32, 0, 0, 0, 0}),
                          {input, packed.data(), sw.data(), b, r, out.get()});
                for (int64_t i = 0; i < m; ++i) {
                  float absMax = 0;
                  for (int64_t p = 0; p < k; ++p)
                    absMax = std::max(absMax, std::fabs(x[i * k + p]));
                  rowScales[i] = absMax > 0 ? absMax / 127.0f : 1.0f;
                  for (int64_t p = 0; p < k; ++p)
                    qx[i * k + p] = (int32_t)quantizeValue(
                        x[i * k + p], rowScales[i], 0, -127, 127);
                }
              } else {
                int64_t zx = 131;
                float sx = 0.02f;
                kernel = kernelQLinear;
                desc = {m,          n,       k,   kLlmoU8,    zx,
                        bitsOf(sx), hasBias, act, hasResidual};
                input = xs.data();
                exec.call(kernel, concat(desc, {kLlmoF32, 0, 0, 0, 0}),
                          {input, packed.data(), sw.data(), b, r, out.get()});
                for (int64_t i = 0; i < m * k; ++i)
                  qx[i] = (int32_t)xs[i] - (int32_t)zx;
                std::fill(rowScales.begin(), rowScales.end(), sx);
              }
              auto linear =
                  referenceInt8Linear(qx, rowScales, w, sw, b, m, n, k);
              std::vector<double> ref(linear.begin(), linear.end()),
                  bound(m * n, 0.0);
              referenceEpilogue(ref, bound, act, r);
              ASSERT_TRUE(
                  allWithin(out.get(), ref.data(), bound.data(), m * n));
              ASSERT_TRUE(out.guardIntact());
              // Requantized tiles: exactly the per-tensor quantize of the
              // float results just checked.
              for (int64_t type : {(int64_t)kLlmoU8, (int64_t)kLlmoI8}) {
                SCOPED_TRACE(type == kLlmoU8 ? "requantize u8"
                                             : "requantize i8");
                float qs = 0.037f;
                int64_t qz = type == kLlmoU8 ? 121 : -7;
                int64_t qmin = type == kLlmoU8 ? 0 : -128, qmax = qmin + 255;
                std::vector<uint8_t> bytes(m * n + 64, 0xAB);
                exec.call(
                    kernel, concat(desc, {type, bitsOf(qs), qz, qmin, qmax}),
                    {input, packed.data(), sw.data(), b, r, bytes.data()});
                for (int64_t i = 0; i < m * n; ++i) {
                  int64_t q = quantizeToInt(out.get()[i], qs, qz, qmin, qmax);
                  ASSERT_EQ(bytes[i], (uint8_t)q) << "element " << i;
                }
                for (int64_t i = m * n; i < m * n + 64; ++i)
                  ASSERT_EQ(bytes[i], 0xAB) << "wrote past the output";
              }
            }
  }
}

TEST_F(CpuKernelsTest, QuantizeKernel) {
  std::mt19937 rng(17);
  for (int threads : kThreadCounts) {
    Exec exec(threads);
    for (int64_t count : {1, 7, 8, 9, 8191, 8193, 40000})
      for (int64_t type : {(int64_t)kLlmoU8, (int64_t)kLlmoI8}) {
        SCOPED_TRACE("count=" + std::to_string(count) +
                     (type == kLlmoU8 ? " u8" : " i8"));
        auto x = randomFloats(rng, count, -6.0f, 6.0f);
        // Ties, out-of-range values and NaN.
        x[0] = 0.5f * 0.05f;
        if (count > 4) {
          x[1] = 1e30f;
          x[2] = -1e30f;
          x[3] = std::nanf("");
          x[4] = 2.5f * 0.05f;
        }
        int64_t zp = type == kLlmoU8 ? 128 : 3;
        int64_t qmin = type == kLlmoU8 ? 0 : -127,
                qmax = type == kLlmoU8 ? 255 : 127;
        float scale = 0.05f;
        std::vector<uint8_t> out(count);
        exec.call(kernelQuantize, {count, type, bitsOf(scale), zp, qmin, qmax},
                  {x.data(), out.data()});
        for (int64_t i = 0; i < count; ++i)
          ASSERT_EQ(out[i], (uint8_t)quantizeToInt(x[i], scale, zp, qmin, qmax))
              << "element " << i << " x=" << x[i];
      }
  }
}

TEST_F(CpuKernelsTest, WeightQuantLinear) {
  std::mt19937 rng(5);
  // Both decode-GEMV weight conversions, whatever this CPU's default is.
  for (int conversion : {0, 1}) {
    setGemvConversionForTesting(conversion);
    SCOPED_TRACE(conversion ? "denormal conversion" : "integer conversion");
    for (int threads : kThreadCounts) {
      Exec exec(threads);
      for (int bits : {4, 8})
        for (int64_t m : {1, 2, 3, 4, 5, 7, 13})
          for (int64_t n : kNs)
            for (int64_t k : kKs)
              // 12: groups that do not start on the 4-bit GEMV's 8-row
              // blocks (decode falls back to the dequantizing GEMM).
              for (int64_t groupSize :
                   {k, (int64_t)12, (int64_t)32, (int64_t)128}) {
                bool hasBias = (m + n + groupSize) % 2 == 0;
                SCOPED_TRACE(shapeName(m, n, k, threads) +
                             " bits=" + std::to_string(bits) +
                             " group=" + std::to_string(groupSize) +
                             (hasBias ? " bias" : " no bias"));
                int64_t qmin = bits == 4 ? -8 : -128, qmax = -qmin - 1;
                int64_t groups = (k + groupSize - 1) / groupSize;
                auto q = randomInts<int8_t>(rng, k * n, qmin, qmax);
                q[0] = (int8_t)qmin;
                q[q.size() - 1] = (int8_t)qmax;
                auto scales = randomFloats(rng, groups * n, 0.01f, 0.1f);
                auto zps = randomInts<int32_t>(rng, groups * n, qmin, qmax);
                auto x = randomFloats(rng, m * k);
                auto bias = randomFloats(rng, n);
                std::vector<uint8_t> packed(packedWeightQuantBytes(k, n, bits));
                packWeightQuant(q.data(), k, n, bits, packed.data());
                size_t params = weightQuantParamFloats(k, n, groupSize);
                std::vector<float> pScales(params), pZps(params);
                packWeightQuantParams(scales.data(), zps.data(), k, n,
                                      groupSize, bits, pScales.data(),
                                      pZps.data());
                // Every fourth case with a fused activation and residual.
                int64_t act =
                    (m + n + k) % 4 == 0 ? (m + k) % 5 : (int64_t)kLlmoActNone;
                bool hasResidual = act != kLlmoActNone && (n + k) % 2;
                auto residual = randomFloats(rng, m * n);
                GuardedOutput out(m * n);
                exec.call(kernelWeightQuantLinear,
                          {m, n, k, bits, groupSize, hasBias, act, hasResidual},
                          {x.data(), packed.data(), pScales.data(), pZps.data(),
                           hasBias ? bias.data() : nullptr,
                           hasResidual ? residual.data() : nullptr, out.get()});
                SCOPED_TRACE("act=" + std::to_string(act) +
                             (hasResidual ? " residual" : ""));
                // Dequantize: w = float(q - zp) * scale, group g = k / size.
                std::vector<float> w(k * n);
                for (int64_t p = 0; p < k; ++p)
                  for (int64_t j = 0; j < n; ++j) {
                    int64_t g = p / groupSize;
                    w[p * n + j] = (float)(q[p * n + j] - zps[g * n + j]) *
                                   scales[g * n + j];
                  }
                std::vector<double> ref, bound;
                referenceGemm(x, w, hasBias ? bias.data() : nullptr, m, n, k,
                              ref, bound);
                // The decode path (m <= 4) factors scale and zero point out of
                // each group's sum (s * (sum x u - z sum x), u = q - qmin):
                // its rounding scales with those unsigned magnitudes.
                if (m <= 4)
                  for (int64_t i = 0; i < m; ++i)
                    for (int64_t j = 0; j < n; ++j)
                      for (int64_t p = 0; p < k; ++p) {
                        int64_t g = p / groupSize;
                        bound[i * n + j] +=
                            1e-5 * std::fabs(x[i * k + p]) *
                            (double)(std::abs(q[p * n + j] - qmin) +
                                     std::abs(zps[g * n + j] - qmin)) *
                            scales[g * n + j];
                      }
                referenceEpilogue(ref, bound, act,
                                  hasResidual ? residual.data() : nullptr);
                ASSERT_TRUE(
                    allWithin(out.get(), ref.data(), bound.data(), m * n));
                ASSERT_TRUE(out.guardIntact());
              }
    }
  }
  setGemvConversionForTesting(-1);
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

/// Row-major contiguous strides of `shape`, with 0 where the operand's dim is
/// 1 and the output's is not (numpy broadcasting, shapes of equal rank).
std::vector<int64_t> broadcastStrides(const std::vector<int64_t> &shape,
                                      const std::vector<int64_t> &outShape) {
  std::vector<int64_t> strides(shape.size());
  int64_t stride = 1;
  for (int64_t d = (int64_t)shape.size() - 1; d >= 0; --d) {
    strides[d] = shape[d] == 1 && outShape[d] != 1 ? 0 : stride;
    stride *= shape[d];
  }
  return strides;
}

int64_t product(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// Element offset of output element `index` in an operand with `strides`.
int64_t offsetOf(int64_t index, const std::vector<int64_t> &dims,
                 const std::vector<int64_t> &strides) {
  int64_t offset = 0;
  for (int64_t d = (int64_t)dims.size() - 1; d >= 0; --d) {
    offset += index % dims[d] * strides[d];
    index /= dims[d];
  }
  return offset;
}

template <typename T, typename R, typename Op>
void checkBinary(Exec &exec, int64_t opcode, int64_t type, int64_t outType,
                 const std::vector<int64_t> &aShape,
                 const std::vector<int64_t> &bShape,
                 const std::vector<int64_t> &outShape, const std::vector<T> &a,
                 const std::vector<T> &b, Op op) {
  auto as = broadcastStrides(aShape, outShape);
  auto bs = broadcastStrides(bShape, outShape);
  std::vector<int64_t> desc = {opcode, type, outType, (int64_t)outShape.size()};
  desc.insert(desc.end(), outShape.begin(), outShape.end());
  desc.insert(desc.end(), as.begin(), as.end());
  desc.insert(desc.end(), bs.begin(), bs.end());
  int64_t count = product(outShape);
  std::vector<R> out(count);
  exec.call(kernelBinary, desc, {a.data(), b.data(), out.data()});
  for (int64_t i = 0; i < count; ++i) {
    R expected = op(a[offsetOf(i, outShape, as)], b[offsetOf(i, outShape, bs)]);
    ASSERT_EQ(out[i], expected) << "opcode " << opcode << " element " << i;
  }
}

TEST_F(CpuKernelsTest, BinaryBroadcast) {
  std::mt19937 rng(6);
  struct Shapes {
    std::vector<int64_t> a, b, out;
  };
  const Shapes shapes[] = {
      {{37}, {37}, {37}},
      {{37}, {1}, {37}},
      {{1}, {37}, {37}},
      {{2, 3, 5}, {1, 3, 1}, {2, 3, 5}},
      {{4, 1, 9}, {1, 6, 9}, {4, 6, 9}},
      {{4, 1, 1}, {1, 6, 9}, {4, 6, 9}},
      {{3, 700}, {3, 700}, {3, 700}},      // rows above the grain
      {{40, 1000}, {1, 1000}, {40, 1000}}, // several parallel chunks
  };
  for (int threads : kThreadCounts) {
    Exec exec(threads);
    for (const Shapes &s : shapes) {
      SCOPED_TRACE("out rank " + std::to_string(s.out.size()) + " size " +
                   std::to_string(product(s.out)) +
                   " threads=" + std::to_string(threads));
      auto fa = randomFloats(rng, product(s.a), -4.0f, 4.0f);
      auto fb = randomFloats(rng, product(s.b), -4.0f, 4.0f);
      fb[0] = fa[0]; // equal elements for the comparisons
      checkBinary<float, float>(exec, kLlmoBinAdd, kLlmoF32, kLlmoF32, s.a, s.b,
                                s.out, fa, fb,
                                [](float x, float y) { return x + y; });
      checkBinary<float, float>(exec, kLlmoBinMul, kLlmoF32, kLlmoF32, s.a, s.b,
                                s.out, fa, fb,
                                [](float x, float y) { return x * y; });
      checkBinary<float, float>(exec, kLlmoBinSub, kLlmoF32, kLlmoF32, s.a, s.b,
                                s.out, fa, fb,
                                [](float x, float y) { return x - y; });
      checkBinary<float, float>(exec, kLlmoBinDiv, kLlmoF32, kLlmoF32, s.a, s.b,
                                s.out, fa, fb,
                                [](float x, float y) { return x / y; });
      checkBinary<float, float>(
          exec, kLlmoBinMax, kLlmoF32, kLlmoF32, s.a, s.b, s.out, fa, fb,
          [](float x, float y) { return std::max(x, y); });
      checkBinary<float, uint8_t>(
          exec, kLlmoBinLess, kLlmoF32, kLlmoBool, s.a, s.b, s.out, fa, fb,
          [](float x, float y) { return (uint8_t)(x < y); });
      checkBinary<float, uint8_t>(
          exec, kLlmoBinEqual, kLlmoF32, kLlmoBool, s.a, s.b, s.out, fa, fb,
          [](float x, float y) { return (uint8_t)(x == y); });
      checkBinary<float, uint8_t>(
          exec, kLlmoBinGreaterEqual, kLlmoF32, kLlmoBool, s.a, s.b, s.out, fa,
          fb, [](float x, float y) { return (uint8_t)(x >= y); });

      auto ia = randomInts<int64_t>(rng, product(s.a), -1000, 1000);
      auto ib = randomInts<int64_t>(rng, product(s.b), -1000, 1000);
      ia[0] = std::numeric_limits<int64_t>::max(); // wraps on add
      for (int64_t &v : ib)
        v = v == 0 ? 7 : v;
      auto wrap = [](uint64_t v) { return (int64_t)v; };
      checkBinary<int64_t, int64_t>(exec, kLlmoBinAdd, kLlmoI64, kLlmoI64, s.a,
                                    s.b, s.out, ia, ib,
                                    [&](int64_t x, int64_t y) {
                                      return wrap((uint64_t)x + (uint64_t)y);
                                    });
      checkBinary<int64_t, int64_t>(exec, kLlmoBinSub, kLlmoI64, kLlmoI64, s.a,
                                    s.b, s.out, ia, ib,
                                    [&](int64_t x, int64_t y) {
                                      return wrap((uint64_t)x - (uint64_t)y);
                                    });
      checkBinary<int64_t, int64_t>(exec, kLlmoBinMul, kLlmoI64, kLlmoI64, s.a,
                                    s.b, s.out, ia, ib,
                                    [&](int64_t x, int64_t y) {
                                      return wrap((uint64_t)x * (uint64_t)y);
                                    });
      checkBinary<int64_t, int64_t>(
          exec, kLlmoBinDiv, kLlmoI64, kLlmoI64, s.a, s.b, s.out, ia, ib,
          [](int64_t x, int64_t y) { return y == -1 ? -x : x / y; });
      checkBinary<int64_t, int64_t>(
          exec, kLlmoBinMin, kLlmoI64, kLlmoI64, s.a, s.b, s.out, ia, ib,
          [](int64_t x, int64_t y) { return std::min(x, y); });
      checkBinary<int64_t, uint8_t>(
          exec, kLlmoBinGreater, kLlmoI64, kLlmoBool, s.a, s.b, s.out, ia, ib,
          [](int64_t x, int64_t y) { return (uint8_t)(x > y); });
      checkBinary<int64_t, uint8_t>(
          exec, kLlmoBinLessEqual, kLlmoI64, kLlmoBool, s.a, s.b, s.out, ia, ib,
          [](int64_t x, int64_t y) { return (uint8_t)(x <= y); });

      auto ba = randomInts<uint8_t>(rng, product(s.a), 0, 1);
      auto bb = randomInts<uint8_t>(rng, product(s.b), 0, 1);
      checkBinary<uint8_t, uint8_t>(
          exec, kLlmoBinAnd, kLlmoBool, kLlmoBool, s.a, s.b, s.out, ba, bb,
          [](uint8_t x, uint8_t y) { return (uint8_t)(x && y); });
      checkBinary<uint8_t, uint8_t>(
          exec, kLlmoBinOr, kLlmoBool, kLlmoBool, s.a, s.b, s.out, ba, bb,
          [](uint8_t x, uint8_t y) { return (uint8_t)(x || y); });
    }
  }
}

TEST_F(CpuKernelsTest, BinaryIntegerEdgeCases) {
  Exec exec(1);
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  std::vector<int64_t> a = {kMin, kMax, kMax, -7, 7, kMin};
  std::vector<int64_t> b = {-1, 1, 2, 2, -2, 1};
  std::vector<int64_t> shape = {6};
  // Division truncates toward zero; kMin / -1 wraps to kMin.
  std::vector<int64_t> quotient(6), sum(6), product(6);
  std::vector<int64_t> desc = {kLlmoBinDiv, kLlmoI64, kLlmoI64, 1, 6, 1, 1};
  exec.call(kernelBinary, desc, {a.data(), b.data(), quotient.data()});
  EXPECT_EQ(quotient,
            (std::vector<int64_t>{kMin, kMax, kMax / 2, -3, -3, kMin}));
  desc[0] = kLlmoBinAdd;
  exec.call(kernelBinary, desc, {a.data(), b.data(), sum.data()});
  EXPECT_EQ(sum, (std::vector<int64_t>{kMax, kMin, kMin + 1, -5, 5, kMin + 1}));
  desc[0] = kLlmoBinMul;
  exec.call(kernelBinary, desc, {a.data(), b.data(), product.data()});
  EXPECT_EQ(product, (std::vector<int64_t>{kMin, kMax, -2, -14, -14, kMin}));
}

struct UnaryCase {
  int64_t opcode;
  const char *name;
  double (*ref)(double);
  float lo, hi;
};

double geluErf(double x) {
  return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
}
double geluTanh(double x) {
  return 0.5 * x *
         (1.0 + std::tanh(std::sqrt(2.0 / 3.14159265358979323846) *
                          (x + 0.044715 * x * x * x)));
}
double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double silu(double x) { return x * sigmoid(x); }
double expRef(double x) { return std::exp(x); }
double erfRef(double x) { return std::erf(x); }
double tanhRef(double x) { return std::tanh(x); }

TEST_F(CpuKernelsTest, UnaryTranscendental) {
  const UnaryCase cases[] = {
      {kLlmoUnExp, "exp", expRef, -87.0f, 88.0f},
      {kLlmoUnExp, "exp small", expRef, -3.0f, 3.0f},
      {kLlmoUnErf, "erf", erfRef, -6.0f, 6.0f},
      {kLlmoUnTanh, "tanh", tanhRef, -12.0f, 12.0f},
      {kLlmoUnTanh, "tanh small", tanhRef, -0.01f, 0.01f},
      {kLlmoUnSigmoid, "sigmoid", sigmoid, -30.0f, 30.0f},
      {kLlmoUnSilu, "silu", silu, -30.0f, 30.0f},
      {kLlmoUnGeluErf, "gelu_erf", geluErf, -10.0f, 10.0f},
      {kLlmoUnGeluTanh, "gelu_tanh", geluTanh, -10.0f, 10.0f},
  };
  for (int threads : kThreadCounts) {
    Exec exec(threads);
    // 1003: vector body plus a scalar tail; 40003: several parallel chunks.
    for (int64_t count : {1, 7, 1003, 40003})
      for (const UnaryCase &c : cases) {
        SCOPED_TRACE(std::string(c.name) + " count=" + std::to_string(count) +
                     " threads=" + std::to_string(threads));
        std::vector<float> in(count);
        for (int64_t i = 0; i < count; ++i)
          in[i] =
              count == 1 ? c.lo : c.lo + (c.hi - c.lo) * (float)i / (count - 1);
        if (count > 10)
          in[count / 2] = 0.0f;
        std::vector<float> out(count);
        exec.call(kernelUnary, {c.opcode, kLlmoF32, count},
                  {in.data(), out.data()});
        std::vector<double> ref(count), bound(count);
        for (int64_t i = 0; i < count; ++i) {
          ref[i] = c.ref(in[i]);
          bound[i] = 1e-6 + 1e-5 * std::fabs(ref[i]);
        }
        ASSERT_TRUE(allWithin(out.data(), ref.data(), bound.data(), count));
      }
  }
}

TEST_F(CpuKernelsTest, UnaryExpExtremes) {
  const float inf = std::numeric_limits<float>::infinity();
  const float maxF = std::numeric_limits<float>::max();
  // 16 values: both the vector body and (with count 19) the scalar tail.
  std::vector<float> in = {inf,    -inf,   1e30f,  -1e30f,  88.5f,
                           100.0f, -88.0f, -90.0f, -100.0f, 89.0f,
                           88.7f,  maxF,   -maxF,  88.3f,   -87.3f,
                           0.0f,   inf,    -inf,   200.0f};
  for (int threads : kThreadCounts) {
    Exec exec(threads);
    std::vector<float> out(in.size());
    exec.call(kernelUnary, {kLlmoUnExp, kLlmoF32, (int64_t)in.size()},
              {in.data(), out.data()});
    for (size_t i = 0; i < in.size(); ++i) {
      SCOPED_TRACE("exp(" + std::to_string(in[i]) +
                   ") = " + std::to_string(out[i]));
      EXPECT_FALSE(std::isnan(out[i]));
      EXPECT_GE(out[i], 0.0f);
      if (in[i] >= 88.5f) // near or past float overflow: huge or +inf
        EXPECT_GE(out[i], 1e38f);
      else if (in[i] <= -88.0f) // underflows
        EXPECT_LE(out[i], 1e-37f);
      else
        EXPECT_NEAR(out[i], std::exp((double)in[i]),
                    1e-5 * std::exp((double)in[i]));
    }
    // exp(-inf) is exactly 0: softmax over masked -inf logits relies on it.
    EXPECT_EQ(out[1], 0.0f);
    EXPECT_EQ(out[17], 0.0f);
    // sigmoid and tanh saturate instead of producing NaN.
    std::vector<float> s(in.size()), t(in.size());
    exec.call(kernelUnary, {kLlmoUnSigmoid, kLlmoF32, (int64_t)in.size()},
              {in.data(), s.data()});
    exec.call(kernelUnary, {kLlmoUnTanh, kLlmoF32, (int64_t)in.size()},
              {in.data(), t.data()});
    for (size_t i = 0; i < in.size(); ++i) {
      EXPECT_NEAR(s[i], sigmoid(in[i]), 1e-6) << "sigmoid(" << in[i] << ")";
      EXPECT_NEAR(t[i], std::tanh((double)in[i]), 1e-6)
          << "tanh(" << in[i] << ")";
    }
  }
}

TEST_F(CpuKernelsTest, UnarySimpleAndInteger) {
  Exec exec(1);
  std::vector<float> in = {-2.5f, -1.0f, -0.0f, 0.25f, 1.0f, 2.5f,
                           4.0f,  9.0f,  16.0f, 0.5f,  3.0f};
  struct Case {
    int64_t opcode;
    double (*ref)(double);
    bool positiveOnly;
  };
  const Case cases[] = {
      {kLlmoUnNeg, [](double x) { return -x; }, false},
      {kLlmoUnAbs, [](double x) { return std::fabs(x); }, false},
      {kLlmoUnLog, [](double x) { return std::log(x); }, true},
      {kLlmoUnSqrt, [](double x) { return std::sqrt(x); }, true},
      {kLlmoUnRsqrt, [](double x) { return 1.0 / std::sqrt(x); }, true},
      {kLlmoUnReciprocal, [](double x) { return 1.0 / x; }, true},
      {kLlmoUnSin, [](double x) { return std::sin(x); }, false},
      {kLlmoUnCos, [](double x) { return std::cos(x); }, false},
      {kLlmoUnRelu, [](double x) { return x < 0 ? 0.0 : x; }, false},
      {kLlmoUnFloor, [](double x) { return std::floor(x); }, false},
  };
  for (const Case &c : cases) {
    std::vector<float> x;
    for (float v : in)
      if (!c.positiveOnly || v > 0)
        x.push_back(v);
    std::vector<float> out(x.size());
    exec.call(kernelUnary, {c.opcode, kLlmoF32, (int64_t)x.size()},
              {x.data(), out.data()});
    for (size_t i = 0; i < x.size(); ++i)
      EXPECT_NEAR(out[i], c.ref(x[i]), 1e-6 + 1e-6 * std::fabs(c.ref(x[i])))
          << "opcode " << c.opcode << " x=" << x[i];
  }
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  std::vector<int64_t> ints = {kMin, -5, 0, 3};
  std::vector<int64_t> out(4);
  exec.call(kernelUnary, {kLlmoUnNeg, kLlmoI64, 4}, {ints.data(), out.data()});
  EXPECT_EQ(out, (std::vector<int64_t>{kMin, 5, 0, -3}));
  exec.call(kernelUnary, {kLlmoUnAbs, kLlmoI64, 4}, {ints.data(), out.data()});
  EXPECT_EQ(out, (std::vector<int64_t>{kMin, 5, 0, 3}));
  exec.call(kernelUnary, {kLlmoUnRelu, kLlmoI64, 4}, {ints.data(), out.data()});
  EXPECT_EQ(out, (std::vector<int64_t>{0, 0, 0, 3}));
  std::vector<uint8_t> bools = {0, 1, 1, 0}, notOut(4);
  exec.call(kernelUnary, {kLlmoUnNot, kLlmoBool, 4},
            {bools.data(), notOut.data()});
  EXPECT_EQ(notOut, (std::vector<uint8_t>{1, 0, 0, 1}));
}

TEST_F(CpuKernelsTest, WhereBroadcast) {
  std::mt19937 rng(7);
  std::vector<int64_t> outShape = {2, 3, 4};
  std::vector<int64_t> cShape = {2, 1, 4}, aShape = {1, 3, 4},
                       bShape = {1, 1, 1};
  auto cs = broadcastStrides(cShape, outShape);
  auto as = broadcastStrides(aShape, outShape);
  auto bs = broadcastStrides(bShape, outShape);
  auto cond = randomInts<uint8_t>(rng, product(cShape), 0, 1);
  auto run = [&](Exec &exec, int64_t elemBytes, const void *a, const void *b,
                 void *out) {
    std::vector<int64_t> desc = {elemBytes, 3};
    for (const auto *v : {&outShape, &cs, &as, &bs})
      desc.insert(desc.end(), v->begin(), v->end());
    exec.call(kernelWhere, desc, {cond.data(), a, b, out});
  };
  for (int threads : kThreadCounts) {
    Exec exec(threads);
    auto a = randomFloats(rng, product(aShape));
    std::vector<float> b = {-99.0f}, out(product(outShape));
    run(exec, 4, a.data(), b.data(), out.data());
    auto ia = randomInts<int64_t>(rng, product(aShape), -1000000000000LL,
                                  1000000000000LL);
    std::vector<int64_t> ib = {-7}, iout(product(outShape));
    run(exec, 8, ia.data(), ib.data(), iout.data());
    for (int64_t i = 0; i < product(outShape); ++i) {
      bool c = cond[offsetOf(i, outShape, cs)];
      EXPECT_EQ(out[i], c ? a[offsetOf(i, outShape, as)] : -99.0f) << i;
      EXPECT_EQ(iout[i], c ? ia[offsetOf(i, outShape, as)] : -7) << i;
    }
  }
}

/// Casts follow the interpreter's evalCast: float -> int truncates toward
/// zero and saturates (NaN -> 0); int -> int wraps; anything -> bool is
/// `!= 0`; u8 is an integer type, not a bool.
TEST_F(CpuKernelsTest, CastInRange) {
  Exec exec(1);
  std::vector<float> f = {-3.75f, -1.0f, -0.5f, 0.0f, 0.5f, 2.5f, 100.99f};
  std::vector<int64_t> i64(f.size());
  exec.call(kernelCast, {kLlmoF32, kLlmoI64, (int64_t)f.size()},
            {f.data(), i64.data()});
  EXPECT_EQ(i64, (std::vector<int64_t>{-3, -1, 0, 0, 0, 2, 100}));
  std::vector<int32_t> i32(f.size());
  exec.call(kernelCast, {kLlmoF32, kLlmoI32, (int64_t)f.size()},
            {f.data(), i32.data()});
  EXPECT_EQ(i32, (std::vector<int32_t>{-3, -1, 0, 0, 0, 2, 100}));
  std::vector<uint8_t> b(f.size());
  exec.call(kernelCast, {kLlmoF32, kLlmoBool, (int64_t)f.size()},
            {f.data(), b.data()});
  EXPECT_EQ(b, (std::vector<uint8_t>{1, 1, 1, 0, 1, 1, 1}));

  std::vector<int64_t> ints = {-5, 0, 1, 4294967297LL, 16777217};
  std::vector<float> fo(ints.size());
  exec.call(kernelCast, {kLlmoI64, kLlmoF32, (int64_t)ints.size()},
            {ints.data(), fo.data()});
  EXPECT_EQ(
      fo, (std::vector<float>{-5.0f, 0.0f, 1.0f, 4294967296.0f, 16777216.0f}));
  std::vector<int32_t> narrowed(ints.size());
  exec.call(kernelCast, {kLlmoI64, kLlmoI32, (int64_t)ints.size()},
            {ints.data(), narrowed.data()});
  EXPECT_EQ(narrowed, (std::vector<int32_t>{-5, 0, 1, 1, 16777217}));
  std::vector<uint8_t> ib(ints.size());
  exec.call(kernelCast, {kLlmoI64, kLlmoBool, (int64_t)ints.size()},
            {ints.data(), ib.data()});
  EXPECT_EQ(ib, (std::vector<uint8_t>{1, 0, 1, 1, 1}));
  std::vector<uint8_t> bools = {0, 1, 1};
  std::vector<float> bf(3);
  exec.call(kernelCast, {kLlmoBool, kLlmoF32, 3}, {bools.data(), bf.data()});
  EXPECT_EQ(bf, (std::vector<float>{0.0f, 1.0f, 1.0f}));
  std::vector<int8_t> s8 = {-128, -1, 0, 127};
  std::vector<int64_t> s8Wide(4);
  exec.call(kernelCast, {kLlmoI8, kLlmoI64, 4}, {s8.data(), s8Wide.data()});
  EXPECT_EQ(s8Wide, (std::vector<int64_t>{-128, -1, 0, 127}));
  std::vector<uint8_t> u8 = {0, 1, 200, 255};
  std::vector<float> u8f(4);
  exec.call(kernelCast, {kLlmoU8, kLlmoF32, 4}, {u8.data(), u8f.data()});
  EXPECT_EQ(u8f, (std::vector<float>{0.0f, 1.0f, 200.0f, 255.0f}));
}

/// Casts to u8 from wider types (ONNX Cast to uint8): u8 is an integer, so
/// 3 stays 3 (interpreter: wrap for ints, saturate for floats).
TEST_F(CpuKernelsTest, CastToU8IsNotBool) {
  Exec exec(1);
  std::vector<int64_t> ints = {0, 3, 200, 255, 256 + 7};
  std::vector<uint8_t> out(ints.size());
  exec.call(kernelCast, {kLlmoI64, kLlmoU8, (int64_t)ints.size()},
            {ints.data(), out.data()});
  EXPECT_EQ(out, (std::vector<uint8_t>{0, 3, 200, 255, 7}));
  std::vector<int32_t> i32 = {0, 3, 200};
  std::vector<uint8_t> out32(3);
  exec.call(kernelCast, {kLlmoI32, kLlmoU8, 3}, {i32.data(), out32.data()});
  EXPECT_EQ(out32, (std::vector<uint8_t>{0, 3, 200}));
  std::vector<float> f = {0.0f, 3.0f, 200.7f};
  std::vector<uint8_t> outF(3);
  exec.call(kernelCast, {kLlmoF32, kLlmoU8, 3}, {f.data(), outF.data()});
  EXPECT_EQ(outF, (std::vector<uint8_t>{0, 3, 200}));
}

/// Out-of-range and NaN floats saturate as in the interpreter's evalCast.
TEST_F(CpuKernelsTest, CastFloatToIntSaturates) {
  Exec exec(1);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> f = {nan, inf, -inf, 1e20f, -1e20f, 3e9f};
  std::vector<int64_t> i64(f.size());
  exec.call(kernelCast, {kLlmoF32, kLlmoI64, (int64_t)f.size()},
            {f.data(), i64.data()});
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(i64,
            (std::vector<int64_t>{0, kMax, kMin, kMax, kMin, 3000000000LL}));
  std::vector<int32_t> i32(f.size());
  exec.call(kernelCast, {kLlmoF32, kLlmoI32, (int64_t)f.size()},
            {f.data(), i32.data()});
  EXPECT_EQ(i32, (std::vector<int32_t>{0, INT32_MAX, INT32_MIN, INT32_MAX,
                                       INT32_MIN, INT32_MAX}));
  std::vector<float> small = {300.0f, -300.0f, 127.9f, -128.9f};
  std::vector<int8_t> i8(small.size());
  exec.call(kernelCast, {kLlmoF32, kLlmoI8, (int64_t)small.size()},
            {small.data(), i8.data()});
  EXPECT_EQ(i8, (std::vector<int8_t>{127, -128, 127, -128}));
}

TEST_F(CpuKernelsTest, GatherNegativeIndices) {
  std::mt19937 rng(8);
  int64_t outer = 3, axisDim = 5, inner = 7;
  auto data = randomFloats(rng, outer * axisDim * inner);
  auto data64 = randomInts<int64_t>(rng, outer * axisDim * inner, -1000, 1000);
  std::vector<int64_t> idx64 = {0, -1, 4, -5, 2, -3, 1};
  std::vector<int32_t> idx32(idx64.begin(), idx64.end());
  int64_t numIndices = idx64.size();
  for (int threads : kThreadCounts) {
    Exec exec(threads);
    std::vector<float> out(outer * numIndices * inner), out32(out.size());
    exec.call(kernelGather, {kLlmoI64, 4, outer, axisDim, inner, numIndices},
              {data.data(), idx64.data(), out.data()});
    exec.call(kernelGather, {kLlmoI32, 4, outer, axisDim, inner, numIndices},
              {data.data(), idx32.data(), out32.data()});
    std::vector<int64_t> outI(out.size());
    exec.call(kernelGather, {kLlmoI64, 8, outer, axisDim, inner, numIndices},
              {data64.data(), idx64.data(), outI.data()});
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < numIndices; ++i)
        for (int64_t j = 0; j < inner; ++j) {
          int64_t index = idx64[i] < 0 ? idx64[i] + axisDim : idx64[i];
          int64_t from = (o * axisDim + index) * inner + j;
          int64_t to = (o * numIndices + i) * inner + j;
          EXPECT_EQ(out[to], data[from]);
          EXPECT_EQ(out32[to], data[from]);
          EXPECT_EQ(outI[to], data64[from]);
        }
  }
}

TEST_F(CpuKernelsTest, StridedCopyTranspose) {
  std::mt19937 rng(9);
  for (int threads : kThreadCounts) {
    Exec exec(threads);
    // [5, 7] -> [7, 5] for 4-, 8- and 1-byte elements.
    int64_t rows = 5, cols = 7;
    auto f = randomFloats(rng, rows * cols);
    std::vector<float> ft(rows * cols);
    exec.call(kernelStridedCopy, {4, 2, cols, rows, 1, cols, rows, 1},
              {f.data(), ft.data()});
    auto i = randomInts<int64_t>(rng, rows * cols, -100, 100);
    std::vector<int64_t> it(rows * cols);
    exec.call(kernelStridedCopy, {8, 2, cols, rows, 1, cols, rows, 1},
              {i.data(), it.data()});
    auto b = randomInts<uint8_t>(rng, rows * cols, 0, 255);
    std::vector<uint8_t> bt(rows * cols);
    exec.call(kernelStridedCopy, {1, 2, cols, rows, 1, cols, rows, 1},
              {b.data(), bt.data()});
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) {
        EXPECT_EQ(ft[c * rows + r], f[r * cols + c]);
        EXPECT_EQ(it[c * rows + r], i[r * cols + c]);
        EXPECT_EQ(bt[c * rows + r], b[r * cols + c]);
      }
    // A rank-3 permutation [2, 3, 4] -> perm (2, 0, 1) -> [4, 2, 3], and a
    // copy into a column slice of a wider destination (concat piece).
    auto x = randomFloats(rng, 24);
    std::vector<float> xt(24);
    exec.call(kernelStridedCopy, {4, 3, 4, 2, 3, 1, 12, 4, 6, 3, 1},
              {x.data(), xt.data()});
    for (int64_t a = 0; a < 2; ++a)
      for (int64_t bb = 0; bb < 3; ++bb)
        for (int64_t c = 0; c < 4; ++c)
          EXPECT_EQ(xt[c * 6 + a * 3 + bb], x[a * 12 + bb * 4 + c]);
    std::vector<float> wide(5 * 10, 0.0f);
    exec.call(kernelStridedCopy, {4, 2, 5, 7, 7, 1, 10, 1},
              {f.data(), wide.data() + 2});
    for (int64_t r = 0; r < 5; ++r)
      for (int64_t c = 0; c < 10; ++c)
        EXPECT_EQ(wide[r * 10 + c], c >= 2 && c < 9 ? f[r * 7 + c - 2] : 0.0f);
  }
}

TEST_F(CpuKernelsTest, LayerNormAndRmsNorm) {
  std::mt19937 rng(10);
  const float epsilon = 1e-5f;
  for (int threads : kThreadCounts) {
    Exec exec(threads);
    for (int64_t rows : {1, 7})
      for (int64_t cols : {1, 5, 8, 37, 768})
        for (int mode = 0; mode < 3; ++mode) { // ln+bias, ln, rms
          bool rms = mode == 2, hasBias = mode == 0;
          SCOPED_TRACE("rows=" + std::to_string(rows) + " cols=" +
                       std::to_string(cols) + " mode=" + std::to_string(mode) +
                       " threads=" + std::to_string(threads));
          auto x = randomFloats(rng, rows * cols, -2.0f, 4.0f);
          auto scale = randomFloats(rng, cols, 0.5f, 1.5f);
          auto bias = randomFloats(rng, cols);
          GuardedOutput out(rows * cols);
          if (rms)
            exec.call(kernelRmsNorm, {rows, cols, bitsOf(epsilon)},
                      {x.data(), scale.data(), out.get()});
          else
            exec.call(kernelLayerNorm, {rows, cols, bitsOf(epsilon), hasBias},
                      {x.data(), scale.data(), hasBias ? bias.data() : nullptr,
                       out.get()});
          // evalNorm: double statistics.
          std::vector<double> ref(rows * cols), bound(rows * cols);
          for (int64_t r = 0; r < rows; ++r) {
            const float *row = x.data() + r * cols;
            double mean = 0, var = 0;
            if (!rms) {
              for (int64_t i = 0; i < cols; ++i)
                mean += row[i];
              mean /= cols;
            }
            for (int64_t i = 0; i < cols; ++i)
              var += (row[i] - mean) * (row[i] - mean);
            var /= cols;
            double inv = 1.0 / std::sqrt(var + (double)epsilon);
            for (int64_t i = 0; i < cols; ++i) {
              double v = (row[i] - mean) * inv * scale[i];
              if (hasBias)
                v += bias[i];
              ref[r * cols + i] = v;
              bound[r * cols + i] = 1e-5 + 1e-5 * std::fabs(v);
            }
          }
          ASSERT_TRUE(
              allWithin(out.get(), ref.data(), bound.data(), rows * cols));
          ASSERT_TRUE(out.guardIntact());
        }
  }
}

TEST_F(CpuKernelsTest, Softmax) {
  std::mt19937 rng(11);
  for (int threads : kThreadCounts) {
    Exec exec(threads);
    for (int64_t outer : {1, 5})
      for (int64_t size : {1, 7, 37, 300})
        for (int64_t inner : {1, 4}) {
          SCOPED_TRACE("outer=" + std::to_string(outer) +
                       " size=" + std::to_string(size) +
                       " inner=" + std::to_string(inner) +
                       " threads=" + std::to_string(threads));
          auto x = randomFloats(rng, outer * size * inner, -8.0f, 8.0f);
          // Masked logits (the -3.4e38 of attention masks): the first slice
          // has every other value masked, the last is masked entirely.
          for (int64_t s = 0; s < size; s += 2)
            for (int64_t i = 0; i < inner; ++i)
              x[s * inner + i] = -3.4e38f;
          if (outer > 1)
            for (int64_t s = 0; s < size; ++s)
              for (int64_t i = 0; i < inner; ++i)
                x[((outer - 1) * size + s) * inner + i] = -3.4e38f;
          std::vector<float> out(x.size());
          exec.call(kernelSoftmax, {outer, size, inner},
                    {x.data(), out.data()});
          // evalSoftmax.
          std::vector<double> ref(x.size()), bound(x.size());
          for (int64_t o = 0; o < outer; ++o)
            for (int64_t i = 0; i < inner; ++i) {
              int64_t base = o * size * inner + i;
              float maxValue = -INFINITY;
              for (int64_t s = 0; s < size; ++s)
                maxValue = std::max(maxValue, x[base + s * inner]);
              double sum = 0;
              for (int64_t s = 0; s < size; ++s)
                sum += std::exp((double)x[base + s * inner] - maxValue);
              for (int64_t s = 0; s < size; ++s) {
                double v =
                    std::exp((double)x[base + s * inner] - maxValue) / sum;
                ref[base + s * inner] = v;
                bound[base + s * inner] = 1e-6 + 1e-5 * v;
              }
            }
          ASSERT_TRUE(
              allWithin(out.data(), ref.data(), bound.data(), x.size()));
        }
  }
}

/// Fused attention over [2, 3] heads against a double reference of
/// evalAttention: scores = float(q . k) * scale (+ mask, broadcast over
/// [batch..., Sq, Sk] with `maskStrides`), softmax over Sk, times V. With
/// kvGroup 3, the three query heads share one key/value head.
void checkAttention(Exec &exec, std::mt19937 &rng, int64_t sq, int64_t sk,
                    int64_t d, int64_t dv, const std::vector<float> &mask,
                    const std::vector<int64_t> &maskStrides,
                    int64_t kvGroup = 1) {
  const std::vector<int64_t> batchDims = {2, 3};
  const int64_t batches = 6, kvBatches = batches / kvGroup;
  auto q = randomFloats(rng, batches * sq * d);
  auto k = randomFloats(rng, kvBatches * sk * d);
  auto v = randomFloats(rng, kvBatches * sk * dv);
  float scale = 1.0f / std::sqrt((float)d);
  bool hasMask = !mask.empty();
  std::vector<int64_t> desc = {batches,       sq,      sk, d, dv,
                               bitsOf(scale), hasMask, 4};
  desc.insert(desc.end(), batchDims.begin(), batchDims.end());
  desc.push_back(sq);
  desc.push_back(sk);
  desc.insert(desc.end(), maskStrides.begin(), maskStrides.end());
  desc.push_back(kvGroup);
  GuardedOutput out(batches * sq * dv);
  exec.call(kernelAttention, desc,
            {q.data(), k.data(), v.data(), hasMask ? mask.data() : nullptr,
             out.get()});
  ASSERT_TRUE(out.guardIntact());
  std::vector<double> ref(batches * sq * dv), bound(ref.size());
  for (int64_t b = 0; b < batches; ++b)
    for (int64_t i = 0; i < sq; ++i) {
      std::vector<double> row(sk);
      double maxValue = -INFINITY;
      for (int64_t j = 0; j < sk; ++j) {
        double dot = 0;
        for (int64_t t = 0; t < d; ++t)
          dot += (double)q[(b * sq + i) * d + t] *
                 k[(b / kvGroup * sk + j) * d + t];
        double s = (float)((float)dot * scale);
        if (hasMask)
          s = (float)(s + mask[b / 3 * maskStrides[0] + b % 3 * maskStrides[1] +
                               i * maskStrides[2] + j * maskStrides[3]]);
        row[j] = s;
        maxValue = std::max(maxValue, s);
      }
      double sum = 0;
      for (double &s : row)
        sum += s = std::exp(s - maxValue);
      for (int64_t c = 0; c < dv; ++c) {
        double acc = 0, mag = 0;
        for (int64_t j = 0; j < sk; ++j) {
          double term = row[j] / sum * v[(b / kvGroup * sk + j) * dv + c];
          acc += term;
          mag += std::fabs(term);
        }
        ref[(b * sq + i) * dv + c] = acc;
        bound[(b * sq + i) * dv + c] = 1e-6 + 1e-5 * mag;
      }
    }
  ASSERT_TRUE(allWithin(out.get(), ref.data(), bound.data(), ref.size()));
}

TEST_F(CpuKernelsTest, Attention) {
  std::mt19937 rng(16);
  enum MaskKind { kNoMask, kSquareMask, kKeyMask };
  for (int threads : kThreadCounts) {
    Exec exec(threads);
    for (int64_t sq : {1, 5, 6, 7})
      for (int64_t sk : {1, 7, 19, 70})
        for (int64_t d : {3, 8, 17})
          for (int64_t dv : {1, 8, 13})
            for (MaskKind maskKind : {kNoMask, kSquareMask, kKeyMask}) {
              SCOPED_TRACE(
                  "Sq=" + std::to_string(sq) + " Sk=" + std::to_string(sk) +
                  " D=" + std::to_string(d) + " Dv=" + std::to_string(dv) +
                  " mask=" + std::to_string(maskKind) +
                  " threads=" + std::to_string(threads));
              // Score dims [2, 3, Sq, Sk]; the mask is [Sq, Sk] (causal) or
              // [2, 1, 1, Sk] (padding), with -3.4e38 for masked entries.
              std::vector<int64_t> maskStrides(4, 0);
              std::vector<float> mask;
              if (maskKind == kSquareMask) {
                maskStrides = {0, 0, sk, 1};
                mask.resize(sq * sk);
                for (int64_t i = 0; i < sq; ++i)
                  for (int64_t j = 0; j < sk; ++j)
                    mask[i * sk + j] = j > i + sk - sq ? -3.4e38f : 0.0f;
              } else if (maskKind == kKeyMask) {
                maskStrides = {sk, 0, 0, 1};
                mask = randomFloats(rng, 2 * sk, -1.0f, 0.0f);
                mask[sk - 1] = -3.4e38f;
                for (int64_t j = 0; j < sk; ++j) // batch 1 fully masked
                  mask[sk + j] = -3.4e38f;
              }
              ASSERT_NO_FATAL_FAILURE(
                  checkAttention(exec, rng, sq, sk, d, dv, mask, maskStrides));
            }
  }
}

/// Causal masks long enough that whole trailing columns are closed for a
/// block of query rows (the kernel skips them): -3.4e38 and -inf, with past
/// keys, a fully closed row, a closed entry of unusual size (-1e25, not
/// skippable) and a per-head mask.
TEST_F(CpuKernelsTest, AttentionSkipsClosedColumns) {
  std::mt19937 rng(25);
  enum Variant { kFinfoMin, kInfinity, kClosedRow, kUnusual, kPerHead };
  for (int threads : kThreadCounts) {
    Exec exec(threads);
    for (auto [sq, sk] : {std::pair<int64_t, int64_t>{40, 40}, {37, 45}})
      for (Variant variant :
           {kFinfoMin, kInfinity, kClosedRow, kUnusual, kPerHead}) {
        SCOPED_TRACE("Sq=" + std::to_string(sq) + " Sk=" + std::to_string(sk) +
                     " variant=" + std::to_string(variant) +
                     " threads=" + std::to_string(threads));
        float closed = variant == kInfinity ? -INFINITY : -3.4e38f;
        int64_t heads = variant == kPerHead ? 6 : 1;
        std::vector<float> mask(heads * sq * sk);
        for (int64_t h = 0; h < heads; ++h)
          for (int64_t i = 0; i < sq; ++i)
            for (int64_t j = 0; j < sk; ++j)
              // Per head, the diagonal moves: head h sees h more keys.
              mask[(h * sq + i) * sk + j] = j > i + sk - sq + h ? closed : 0.0f;
        if (variant == kClosedRow)
          std::fill_n(mask.begin() + 3 * sk, sk, closed);
        if (variant == kUnusual)
          mask[2 * sk + sk - 1] = -1e25f;
        std::vector<int64_t> maskStrides =
            variant == kPerHead
                ? std::vector<int64_t>{3 * sq * sk, sq * sk, sk, 1}
                : std::vector<int64_t>{0, 0, sk, 1};
        ASSERT_NO_FATAL_FAILURE(
            checkAttention(exec, rng, sq, sk, 17, 13, mask, maskStrides));
      }
  }
}

/// Grouped-query attention: three query heads per key/value head, one
/// block of query rows (decode: K scored as stored) and several (K^T shared
/// by the heads of a group).
TEST_F(CpuKernelsTest, AttentionGroupedQuery) {
  std::mt19937 rng(26);
  for (int threads : kThreadCounts) {
    Exec exec(threads);
    for (int64_t sq : {1, 6, 13})
      for (int64_t sk : {5, 40})
        for (bool masked : {false, true}) {
          SCOPED_TRACE("Sq=" + std::to_string(sq) + " Sk=" +
                       std::to_string(sk) + " mask=" + std::to_string(masked) +
                       " threads=" + std::to_string(threads));
          std::vector<float> mask;
          std::vector<int64_t> maskStrides(4, 0);
          if (masked) {
            maskStrides = {0, 0, sk, 1};
            mask.resize(sq * sk);
            for (int64_t i = 0; i < sq; ++i)
              for (int64_t j = 0; j < sk; ++j)
                mask[i * sk + j] = j > i + sk - sq ? -3.4e38f : 0.0f;
          }
          ASSERT_NO_FATAL_FAILURE(
              checkAttention(exec, rng, sq, sk, 19, 11, mask, maskStrides, 3));
        }
  }
}

TEST_F(CpuKernelsTest, Reduce) {
  std::mt19937 rng(12);
  for (int threads : kThreadCounts) {
    Exec exec(threads);
    for (int64_t opcode :
         {kLlmoReduceSum, kLlmoReduceMean, kLlmoReduceMax, kLlmoReduceMin})
      for (int64_t outer : {1, 3, 50})
        for (int64_t size : {1, 10, 333})
          for (int64_t inner : {1, 4}) {
            SCOPED_TRACE("op=" + std::to_string(opcode) +
                         " outer=" + std::to_string(outer) +
                         " size=" + std::to_string(size) +
                         " inner=" + std::to_string(inner));
            auto x = randomFloats(rng, outer * size * inner, -5.0f, 5.0f);
            std::vector<float> out(outer * inner);
            exec.call(kernelReduce, {opcode, outer, size, inner},
                      {x.data(), out.data()});
            for (int64_t o = 0; o < outer; ++o)
              for (int64_t i = 0; i < inner; ++i) {
                double acc = opcode == kLlmoReduceMax   ? -INFINITY
                             : opcode == kLlmoReduceMin ? INFINITY
                                                        : 0.0;
                double mag = 0;
                for (int64_t s = 0; s < size; ++s) {
                  double v = x[(o * size + s) * inner + i];
                  mag += std::fabs(v);
                  if (opcode == kLlmoReduceMax)
                    acc = std::max(acc, v);
                  else if (opcode == kLlmoReduceMin)
                    acc = std::min(acc, v);
                  else
                    acc += v;
                }
                if (opcode == kLlmoReduceMean) {
                  acc /= size;
                  mag /= size;
                }
                if (opcode == kLlmoReduceMax || opcode == kLlmoReduceMin)
                  ASSERT_EQ(out[o * inner + i], (float)acc);
                else
                  ASSERT_NEAR(out[o * inner + i], acc, 1e-6 * mag + 1e-7);
              }
          }
  }
}

//===----------------------------------------------------------------------===//
// Quantize / dequantize (bit-exact)
//===----------------------------------------------------------------------===//

/// Inputs that hit ties (x / scale = n.5), both clamps, NaN and infinities.
std::vector<float> quantizeInputs(std::mt19937 &rng, float scale) {
  auto x = randomFloats(rng, 997, -3.0f, 3.0f);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  for (float special : {0.0f, -0.0f, 0.5f * scale, 1.5f * scale, 2.5f * scale,
                        -0.5f * scale, -2.5f * scale, 1e30f, -1e30f, nan, inf,
                        -inf, 200.0f * scale, -200.0f * scale})
    x.push_back(special);
  return x;
}

TEST_F(CpuKernelsTest, QuantizeDequantizeBitExact) {
  std::mt19937 rng(13);
  Exec exec(1);
  const float scale = 0.0235f;
  auto x = quantizeInputs(rng, scale);
  int64_t count = x.size();
  struct Case {
    int64_t type, zp, qmin, qmax;
  };
  for (Case c : {Case{kLlmoU8, 128, 0, 255}, Case{kLlmoU8, 0, 0, 255},
                 Case{kLlmoU8, 7, 0, 255}, Case{kLlmoI8, 0, -128, 127},
                 Case{kLlmoI8, -3, -128, 127}, Case{kLlmoI8, 0, -127, 127}}) {
    SCOPED_TRACE("type=" + std::to_string(c.type) + " zp=" +
                 std::to_string(c.zp) + " qmin=" + std::to_string(c.qmin));
    std::vector<uint8_t> q(count);
    exec.call(kernelQuantize,
              {count, c.type, bitsOf(scale), c.zp, c.qmin, c.qmax},
              {x.data(), q.data()});
    std::vector<float> back(count), expectedBack(count);
    exec.call(kernelDequantize, {count, c.type, bitsOf(scale), c.zp},
              {q.data(), back.data()});
    for (int64_t i = 0; i < count; ++i) {
      int64_t expected = quantizeValue(x[i], scale, c.zp, c.qmin, c.qmax);
      int64_t got = c.type == kLlmoU8 ? (int64_t)q[i] : (int64_t)(int8_t)q[i];
      ASSERT_EQ(got, expected) << "x=" << x[i] << " (element " << i << ")";
      expectedBack[i] = (float)(expected - c.zp) * scale;
    }
    ASSERT_TRUE(bitEqual(back.data(), expectedBack.data(), count));
  }
  // i32 dequantize (e.g. of a bias).
  std::vector<int32_t> q32 = {-2147483647, -5, 0, 5, 2147483647};
  std::vector<float> out(q32.size());
  exec.call(kernelDequantize, {5, kLlmoI32, bitsOf(scale), 3},
            {q32.data(), out.data()});
  for (size_t i = 0; i < q32.size(); ++i)
    EXPECT_EQ(out[i], (float)((int64_t)q32[i] - 3) * scale);
}

TEST_F(CpuKernelsTest, DynamicQuantizeBitExact) {
  std::mt19937 rng(14);
  Exec exec(1);
  std::vector<std::vector<float>> inputs = {
      randomFloats(rng, 1001, -2.0f, 3.0f),
      randomFloats(rng, 64, 0.5f, 3.0f),   // all positive: lo = 0
      randomFloats(rng, 64, -3.0f, -0.5f), // all negative: hi = 0
      std::vector<float>(33, 0.0f),        // all zeros: scale 1, zp 0
      {-1.0f, 1.0f},
      {7.5f},
  };
  for (const auto &x : inputs) {
    SCOPED_TRACE("count=" + std::to_string(x.size()));
    int64_t count = x.size();
    std::vector<uint8_t> q(count, 0xAB);
    float scale = -1.0f;
    uint8_t zp = 0xCD;
    exec.call(kernelDynamicQuantize, {count},
              {x.data(), q.data(), &scale, &zp});
    // evalDynamicQuantize.
    float lo = 0, hi = 0;
    for (float v : x)
      lo = std::min(lo, v), hi = std::max(hi, v);
    float s = (hi - lo) / 255.0f;
    std::vector<uint8_t> expected(count, 0);
    float expectedScale = 1.0f;
    uint8_t expectedZp = 0;
    if (s != 0) {
      expectedScale = s;
      float z = std::nearbyint(std::min(std::max(0.0f - lo / s, 0.0f), 255.0f));
      expectedZp = (uint8_t)z;
      for (int64_t i = 0; i < count; ++i)
        expected[i] = (uint8_t)quantizeValue(x[i], s, (int64_t)z, 0, 255);
    }
    EXPECT_TRUE(bitEqual(&scale, &expectedScale, 1));
    EXPECT_EQ(zp, expectedZp);
    EXPECT_TRUE(intsEqual(q.data(), expected.data(), count));
  }
}

} // namespace
