//===- Kernels.h - CPU kernels called from generated code -----------------===//
//
// Every kernel has the llmo_kernel_fn signature of KernelAbi.h and reads its
// static shapes from the descriptor. Kernels allocate nothing: temporary
// buffers come from the per-worker scratch of the ExecContext (sized by
// kScratchBytesPerWorker). They are reentrant: all state lives in the
// context of the session that calls them.
//
//===----------------------------------------------------------------------===//

#ifndef LLMO_RUNTIME_CPU_KERNELS_H
#define LLMO_RUNTIME_CPU_KERNELS_H

#include "ThreadPool.h"
#include "llmo/Runtime/KernelAbi.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace llmo::rt {

/// Per-worker scratch: enough for one dequantized weight block
/// (kKc x 16 floats), one quantized activation row block, or the decode
/// GEMV's prescaled activations (worker 0's, read by all workers). The
/// int8 linears may also use all workers' scratch as one buffer (it is
/// contiguous) for every quantized activation row, shared by all workers.
inline constexpr size_t kScratchBytesPerWorker = 1 << 20;
/// K block of the GEMM kernels: rows of a weight panel (32 KB) kept hot in
/// L1/L2 while the row tiles stream past, and 192 packed A rows (384 KB) in
/// L2. 512 rather than 256 halves how often each C tile goes back to memory
/// between K blocks: 3-6 % faster on the benchmark shapes
/// (bench/onednn_compare.cpp's), 1 and 2 threads.
inline constexpr int64_t kKc = 512;
// blockedGemm's scratch: 192 packed rows of A, then one panel block.
static_assert((192 + kLlmoPanelN) * kKc * sizeof(float) <=
              kScratchBytesPerWorker);
/// Row block of the GEMM microkernels.
inline constexpr int64_t kMr = 6;
/// How far ahead of its weight stream the int8 decode kernel (one or two
/// rows of activations: every weight byte is read once) prefetches. The
/// hardware prefetcher alone left W8A8 Llama decode at 20.0 / 11.6 ms (1 /
/// 2 threads) on the benchmark machine; 1 KiB ahead gave 14.7 / 8.7 ms
/// (512 B was slower, 2 KiB the same); reading two panels side by side
/// (int8PanelPair) then gave 11.4 / 6.5 ms. The fp32 decode GEMV
/// (gemvPanels, also two streams) and the W4/W8 GEMV gained nothing from a
/// prefetch (the latter is bound by its conversions).
inline constexpr int64_t kPrefetchBytes = 1024;

struct ExecContext {
  ThreadPool *pool;
  uint8_t *scratch; // numThreads * kScratchBytesPerWorker bytes, 64-aligned
  uint8_t *workerScratch(int worker) const {
    return scratch + (size_t)worker * kScratchBytesPerWorker;
  }
};

inline ExecContext &contextOf(void *ctx) {
  return *static_cast<ExecContext *>(ctx);
}

inline float floatFromBits(int64_t word) {
  uint32_t bits = (uint32_t)word;
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

/// GEMM epilogue on rows x cols of `out` (rows `ld` apart): out = act(out +
/// bias) + residual (residual rows also `ld` apart; bias/residual may be
/// null).
struct Epilogue {
  const float *bias = nullptr;
  int64_t activation = kLlmoActNone;
  const float *residual = nullptr;
};
/// `residualLd`: the residual's row stride when it differs from `ld` (a
/// tile in a buffer of its own).
void applyEpilogue(float *out, int64_t ld, int64_t rows, int64_t cols,
                   const Epilogue &epilogue, int64_t column0, int64_t row0,
                   int64_t residualLd = -1);

/// Per-tensor affine quantization of `count` floats, exactly quantizeToInt
/// (x / scale rounded half to even, + zp, clamped; NaN -> zp), into u8
/// (type kLlmoU8) or i8 bytes.
void quantizeSpan(const float *in, int64_t count, float scale, int64_t zp,
                  int64_t qmin, int64_t qmax, int64_t type, void *out);

/// C[m, n] = A[m, k] B[k, n] for small operands (rows of A, B, C `lda`,
/// `ldb`, `ldc` floats apart) with the fp32 microkernel, unpacked.
void smallGemm(const float *a, int64_t lda, const float *b, int64_t ldb,
               int64_t m, int64_t n, int64_t k, float *c, int64_t ldc);

/// Calls fn(std::integral_constant<int, R>()) with R = mr (1 <= mr <= Max):
/// turns a row count into the template argument of a register-tiled
/// microkernel.
template <int Max, typename Fn> void dispatchRows(int64_t mr, Fn &&fn) {
  if constexpr (Max > 1)
    if (mr >= Max)
      return fn(std::integral_constant<int, Max>());
  if constexpr (Max > 1)
    return dispatchRows<Max - 1>(mr, fn);
  else
    return fn(std::integral_constant<int, 1>());
}

/// docs/Dialect.md's quantize: x / scale in float, rounded half to even,
/// plus the zero point, saturated to [qmin, qmax]; NaN gives the zero point.
inline int64_t quantizeToInt(float x, float scale, int64_t zp, int64_t qmin,
                             int64_t qmax) {
  float rounded = std::nearbyint(x / scale);
  double value = (double)rounded + (double)zp;
  if (std::isnan(value))
    return zp;
  return (int64_t)std::min<double>(std::max<double>(value, qmin), qmax);
}

/// llmo.dynamic_qlinear's activation quantization of one row of `k`
/// floats: s = max|x| / 127 (1 for an all-zero row), q = x / s rounded half
/// to even, clamped to [-127, 127]. Returns s.
template <typename T> float quantizeRowDynamic(const float *x, int64_t k, T *q);
extern template float quantizeRowDynamic<int8_t>(const float *, int64_t,
                                                 int8_t *);
extern template float quantizeRowDynamic<int16_t>(const float *, int64_t,
                                                  int16_t *);

/// The kernel table, indexed by LlmoKernelId.
const llmo_kernel_fn *kernelTable();

// Dense kernels (Gemm.cpp, Int8Gemm.cpp).
void kernelLinearF32(void *, const int64_t *, void *const *);
void kernelMatmul(void *, const int64_t *, void *const *);
void kernelWeightQuantLinear(void *, const int64_t *, void *const *);
void kernelQLinear(void *, const int64_t *, void *const *);
void kernelDynamicQLinear(void *, const int64_t *, void *const *);
void kernelW4A8Linear(void *, const int64_t *, void *const *);
// Elementwise and data movement (Elementwise.cpp).
void kernelCopy(void *, const int64_t *, void *const *);
void kernelStridedCopy(void *, const int64_t *, void *const *);
void kernelBinary(void *, const int64_t *, void *const *);
void kernelUnary(void *, const int64_t *, void *const *);
void kernelWhere(void *, const int64_t *, void *const *);
void kernelCast(void *, const int64_t *, void *const *);
void kernelGather(void *, const int64_t *, void *const *);
void kernelQuantize(void *, const int64_t *, void *const *);
void kernelDequantize(void *, const int64_t *, void *const *);
void kernelDynamicQuantize(void *, const int64_t *, void *const *);
void kernelAttention(void *, const int64_t *, void *const *);
// Normalizations and reductions (Norm.cpp).
void kernelLayerNorm(void *, const int64_t *, void *const *);
void kernelRmsNorm(void *, const int64_t *, void *const *);
void kernelSoftmax(void *, const int64_t *, void *const *);
void kernelNormQuantize(void *, const int64_t *, void *const *);
void kernelLoop(void *, const int64_t *, void *const *);

/// How the W4/W8 decode GEMV converts weights: -1 by CPU vendor (the
/// default: the denormal trick on AMD, cvtdq2ps elsewhere), 0 cvtdq2ps,
/// 1 denormal. Lets the tests cover both paths on any CPU.
void setGemvConversionForTesting(int mode);
void kernelReduce(void *, const int64_t *, void *const *);

} // namespace llmo::rt

#endif
