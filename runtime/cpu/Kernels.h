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

#include <cstdint>
#include <cstring>

namespace llmo::rt {

/// Per-worker scratch: enough for one dequantized weight block
/// (kKc x 16 floats) or one quantized activation row block.
inline constexpr size_t kScratchBytesPerWorker = 1 << 20;
/// K block of the GEMM kernels (rows of a weight panel kept hot in L1/L2).
inline constexpr int64_t kKc = 256;
/// Row block of the GEMM microkernels.
inline constexpr int64_t kMr = 6;

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

/// The kernel table, indexed by LlmoKernelId.
const llmo_kernel_fn *kernelTable();

// Dense kernels (Gemm.cpp, Int8Gemm.cpp).
void kernelLinearF32(void *, const int64_t *, void *const *);
void kernelMatmul(void *, const int64_t *, void *const *);
void kernelWeightQuantLinear(void *, const int64_t *, void *const *);
void kernelQLinear(void *, const int64_t *, void *const *);
void kernelDynamicQLinear(void *, const int64_t *, void *const *);
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
// Normalizations and reductions (Norm.cpp).
void kernelLayerNorm(void *, const int64_t *, void *const *);
void kernelRmsNorm(void *, const int64_t *, void *const *);
void kernelSoftmax(void *, const int64_t *, void *const *);
void kernelReduce(void *, const int64_t *, void *const *);

/// C[m, 0:16) (+)= sum over k of A[m, k] * panel[k, 0:16) for rows [0, mr)
/// (mr <= kMr) with A's rows `lda` apart; `accumulate` adds to C, else
/// overwrites; `cols` <= 16 columns are stored. Shared by the fp32 and the
/// weight-quantized GEMMs.
void sgemmPanel(const float *a, int64_t lda, const float *panel, int64_t k,
                float *c, int64_t ldc, int64_t mr, int64_t cols,
                bool accumulate);

} // namespace llmo::rt

#endif
