//===- Gemm.cpp - fp32 and weight-only-quantized GEMM/GEMV kernels --------===//
//
// One AVX2/FMA microkernel computes up to 6 rows x 16 columns with 12 ymm
// accumulators, broadcasting activations from their row-major rows and
// streaming a 16-column weight panel. The fp32 linear streams panels packed
// at compile time; the weight-quantized linear dequantizes a K block of a
// panel into per-worker scratch (prefill) or dequantizes in registers (M <= 4,
// decode, where the kernel is bound by reading the packed weight).
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"
#include "llmo/Runtime/Packing.h"

#include <algorithm>
#include <immintrin.h>

namespace llmo::rt {
namespace {

inline __m256i tailMask(int64_t count) {
  alignas(32) static const int32_t ones[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                               0,  0,  0,  0,  0,  0,  0,  0};
  return _mm256_loadu_si256(
      (const __m256i *)(ones + 8 - std::clamp<int64_t>(count, 0, 8)));
}

/// Rows [0, MR) of C[:, 0:cols) (+)= A[0:MR, 0:k] * B[0:k, 0:16), B's rows
/// `ldb` floats apart. With `maskedB` only `cols` columns of B are read.
template <int MR, bool maskedB>
void microkernel(const float *a, int64_t lda, const float *b, int64_t ldb,
                 int64_t k, float *c, int64_t ldc, int64_t cols,
                 bool accumulate) {
  __m256 acc0[MR], acc1[MR];
  for (int i = 0; i < MR; ++i)
    acc0[i] = acc1[i] = _mm256_setzero_ps();
  __m256i mask0 = tailMask(cols), mask1 = tailMask(cols - 8);
  for (int64_t p = 0; p < k; ++p, b += ldb) {
    __m256 b0, b1;
    if (maskedB) {
      b0 = _mm256_maskload_ps(b, mask0);
      b1 = _mm256_maskload_ps(b + 8, mask1);
    } else {
      b0 = _mm256_loadu_ps(b);
      b1 = _mm256_loadu_ps(b + 8);
    }
    for (int i = 0; i < MR; ++i) {
      __m256 av = _mm256_broadcast_ss(a + i * lda + p);
      acc0[i] = _mm256_fmadd_ps(av, b0, acc0[i]);
      acc1[i] = _mm256_fmadd_ps(av, b1, acc1[i]);
    }
  }
  for (int i = 0; i < MR; ++i) {
    float *row = c + i * ldc;
    if (cols == 16) {
      if (accumulate) {
        acc0[i] = _mm256_add_ps(acc0[i], _mm256_loadu_ps(row));
        acc1[i] = _mm256_add_ps(acc1[i], _mm256_loadu_ps(row + 8));
      }
      _mm256_storeu_ps(row, acc0[i]);
      _mm256_storeu_ps(row + 8, acc1[i]);
    } else {
      if (accumulate) {
        acc0[i] = _mm256_add_ps(acc0[i], _mm256_maskload_ps(row, mask0));
        acc1[i] = _mm256_add_ps(acc1[i], _mm256_maskload_ps(row + 8, mask1));
      }
      _mm256_maskstore_ps(row, mask0, acc0[i]);
      _mm256_maskstore_ps(row + 8, mask1, acc1[i]);
    }
  }
}

template <bool maskedB>
void gemmTile(const float *a, int64_t lda, const float *b, int64_t ldb,
              int64_t k, float *c, int64_t ldc, int64_t mr, int64_t cols,
              bool accumulate) {
  switch (mr) {
  case 6: return microkernel<6, maskedB>(a, lda, b, ldb, k, c, ldc, cols, accumulate);
  case 5: return microkernel<5, maskedB>(a, lda, b, ldb, k, c, ldc, cols, accumulate);
  case 4: return microkernel<4, maskedB>(a, lda, b, ldb, k, c, ldc, cols, accumulate);
  case 3: return microkernel<3, maskedB>(a, lda, b, ldb, k, c, ldc, cols, accumulate);
  case 2: return microkernel<2, maskedB>(a, lda, b, ldb, k, c, ldc, cols, accumulate);
  default: return microkernel<1, maskedB>(a, lda, b, ldb, k, c, ldc, cols, accumulate);
  }
}

/// out[rows, cols] += bias[cols] (rows `ld` apart).
void addBias(float *out, int64_t ld, int64_t rows, const float *bias,
             int64_t cols) {
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      out[i * ld + j] += bias[j];
}

/// Rows per work item of the panel-parallel GEMMs: whole row blocks, small
/// enough to give every worker several items.
int64_t rowsPerItem(int64_t m, int64_t panels, int threads) {
  int64_t wanted = std::max<int64_t>(1, (4 * threads + panels - 1) / panels);
  int64_t rows = (m + wanted - 1) / wanted;
  rows = (rows + kMr - 1) / kMr * kMr;
  return std::max<int64_t>(kMr, rows);
}

} // namespace

void sgemmPanel(const float *a, int64_t lda, const float *panel, int64_t k,
                float *c, int64_t ldc, int64_t mr, int64_t cols,
                bool accumulate) {
  gemmTile<false>(a, lda, panel, kLlmoPanelN, k, c, ldc, mr, cols, accumulate);
}

void kernelLinearF32(void *ctx, const int64_t *desc, void *const *ops) {
  int64_t m = desc[0], n = desc[1], k = desc[2];
  bool hasBias = desc[3];
  const float *x = (const float *)ops[0], *w = (const float *)ops[1];
  const float *bias = hasBias ? (const float *)ops[2] : nullptr;
  float *out = (float *)ops[3];
  ExecContext &ec = contextOf(ctx);
  int64_t panels = numPanels(n);
  int64_t rows = rowsPerItem(m, panels, ec.pool->numThreads());
  int64_t rowItems = (m + rows - 1) / rows;
  ec.pool->parallelFor(panels * rowItems, 1, [&](int64_t begin, int64_t end,
                                                 int) {
    for (int64_t item = begin; item < end; ++item) {
      int64_t p = item % panels, r0 = item / panels * rows;
      int64_t r1 = std::min(m, r0 + rows);
      int64_t cols = std::min<int64_t>(kLlmoPanelN, n - p * kLlmoPanelN);
      const float *panel = w + p * k * kLlmoPanelN;
      float *cBase = out + p * kLlmoPanelN;
      if (k == 0) {
        for (int64_t i = r0; i < r1; ++i)
          std::fill(cBase + i * n, cBase + i * n + cols, 0.0f);
      }
      for (int64_t k0 = 0; k0 < k; k0 += kKc) {
        int64_t kc = std::min(kKc, k - k0);
        for (int64_t i = r0; i < r1; i += kMr)
          sgemmPanel(x + i * k + k0, k, panel + k0 * kLlmoPanelN, kc,
                     cBase + i * n, n, std::min(kMr, r1 - i), cols, k0 > 0);
      }
      if (bias)
        addBias(cBase + r0 * n, n, r1 - r0, bias + p * kLlmoPanelN, cols);
    }
  });
}

void kernelMatmul(void *ctx, const int64_t *desc, void *const *ops) {
  int64_t batches = desc[0], m = desc[1], n = desc[2], k = desc[3];
  int64_t rank = desc[4];
  const int64_t *dims = desc + 5, *aStrides = dims + rank,
                *bStrides = aStrides + rank;
  const float *a = (const float *)ops[0], *b = (const float *)ops[1];
  float *out = (float *)ops[2];
  ExecContext &ec = contextOf(ctx);
  int64_t rowBlocks = (m + kMr - 1) / kMr;
  ec.pool->parallelFor(batches * rowBlocks, 1, [&](int64_t begin, int64_t end,
                                                   int) {
    for (int64_t item = begin; item < end; ++item) {
      int64_t batch = item / rowBlocks, i = item % rowBlocks * kMr;
      int64_t aOff = 0, bOff = 0, rest = batch;
      for (int64_t d = rank - 1; d >= 0; --d) {
        int64_t index = rest % dims[d];
        rest /= dims[d];
        aOff += index * aStrides[d];
        bOff += index * bStrides[d];
      }
      const float *aRows = a + aOff + i * k, *bMat = b + bOff;
      float *cRows = out + batch * m * n + i * n;
      int64_t mr = std::min(kMr, m - i);
      for (int64_t j = 0; j < n; j += 16) {
        int64_t cols = std::min<int64_t>(16, n - j);
        if (k == 0) {
          for (int64_t r = 0; r < mr; ++r)
            std::fill(cRows + r * n + j, cRows + r * n + j + cols, 0.0f);
          continue;
        }
        for (int64_t k0 = 0; k0 < k; k0 += kKc) {
          int64_t kc = std::min(kKc, k - k0);
          if (cols == 16)
            gemmTile<false>(aRows + k0, k, bMat + k0 * n + j, n, kc, cRows + j,
                            n, mr, cols, k0 > 0);
          else
            gemmTile<true>(aRows + k0, k, bMat + k0 * n + j, n, kc, cRows + j,
                           n, mr, cols, k0 > 0);
        }
      }
    }
  });
}

namespace {

/// Dequantizes row r of a packed panel into 16 floats (lo: cols 0-7, hi:
/// cols 8-15).
template <int bits>
inline void dequantRow(const uint8_t *packedRow, const float *scales,
                       const float *zeroPoints, __m256 &lo, __m256 &hi) {
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
  __m256 qLo = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytesLo));
  __m256 qHi = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytesHi));
  lo = _mm256_mul_ps(_mm256_sub_ps(qLo, _mm256_loadu_ps(zeroPoints)),
                     _mm256_loadu_ps(scales));
  hi = _mm256_mul_ps(_mm256_sub_ps(qHi, _mm256_loadu_ps(zeroPoints + 8)),
                     _mm256_loadu_ps(scales + 8));
}

struct WeightQuantArgs {
  int64_t m, n, k, groupSize, paddedN;
  const float *x;
  const uint8_t *packed;
  const float *scales, *zeroPoints, *bias;
  float *out;
  int64_t rowBytes; // bytes per packed panel row
};

/// Decode path (m <= 4): dequantizes in registers, reading each packed
/// weight byte once.
template <int bits, int MR>
void gemvPanel(const WeightQuantArgs &args, int64_t p) {
  __m256 acc0[MR], acc1[MR];
  for (int i = 0; i < MR; ++i)
    acc0[i] = acc1[i] = _mm256_setzero_ps();
  const uint8_t *panel = args.packed + p * args.k * args.rowBytes;
  for (int64_t r = 0; r < args.k; ++r) {
    int64_t param = (r / args.groupSize) * args.paddedN + p * kLlmoPanelN;
    __m256 w0, w1;
    dequantRow<bits>(panel + r * args.rowBytes, args.scales + param,
                     args.zeroPoints + param, w0, w1);
    for (int i = 0; i < MR; ++i) {
      __m256 xv = _mm256_broadcast_ss(args.x + i * args.k + r);
      acc0[i] = _mm256_fmadd_ps(xv, w0, acc0[i]);
      acc1[i] = _mm256_fmadd_ps(xv, w1, acc1[i]);
    }
  }
  int64_t cols = std::min<int64_t>(kLlmoPanelN, args.n - p * kLlmoPanelN);
  for (int i = 0; i < MR; ++i) {
    alignas(32) float row[16];
    _mm256_store_ps(row, acc0[i]);
    _mm256_store_ps(row + 8, acc1[i]);
    float *dst = args.out + i * args.n + p * kLlmoPanelN;
    for (int64_t j = 0; j < cols; ++j)
      dst[j] = row[j] + (args.bias ? args.bias[p * kLlmoPanelN + j] : 0.0f);
  }
}

template <int bits>
void gemvRows(const WeightQuantArgs &args, int64_t p) {
  switch (args.m) {
  case 4: return gemvPanel<bits, 4>(args, p);
  case 3: return gemvPanel<bits, 3>(args, p);
  case 2: return gemvPanel<bits, 2>(args, p);
  default: return gemvPanel<bits, 1>(args, p);
  }
}

/// Prefill path: dequantizes K blocks of panel p into scratch and runs the
/// fp32 microkernel over rows [r0, r1).
template <int bits>
void gemmPanelRows(const WeightQuantArgs &args, int64_t p, int64_t r0,
                   int64_t r1, float *scratch) {
  const uint8_t *panel = args.packed + p * args.k * args.rowBytes;
  int64_t cols = std::min<int64_t>(kLlmoPanelN, args.n - p * kLlmoPanelN);
  float *cBase = args.out + p * kLlmoPanelN;
  for (int64_t k0 = 0; k0 < args.k; k0 += kKc) {
    int64_t kc = std::min(kKc, args.k - k0);
    for (int64_t r = 0; r < kc; ++r) {
      int64_t row = k0 + r;
      int64_t param = (row / args.groupSize) * args.paddedN + p * kLlmoPanelN;
      __m256 w0, w1;
      dequantRow<bits>(panel + row * args.rowBytes, args.scales + param,
                       args.zeroPoints + param, w0, w1);
      _mm256_storeu_ps(scratch + r * kLlmoPanelN, w0);
      _mm256_storeu_ps(scratch + r * kLlmoPanelN + 8, w1);
    }
    for (int64_t i = r0; i < r1; i += kMr)
      sgemmPanel(args.x + i * args.k + k0, args.k, scratch, kc,
                 cBase + i * args.n, args.n, std::min(kMr, r1 - i), cols,
                 k0 > 0);
  }
  if (args.bias)
    addBias(cBase + r0 * args.n, args.n, r1 - r0,
            args.bias + p * kLlmoPanelN, cols);
}

} // namespace

void kernelWeightQuantLinear(void *ctx, const int64_t *desc,
                             void *const *ops) {
  WeightQuantArgs args;
  args.m = desc[0];
  args.n = desc[1];
  args.k = desc[2];
  int bits = (int)desc[3];
  args.groupSize = desc[4];
  bool hasBias = desc[5];
  args.paddedN = numPanels(args.n) * kLlmoPanelN;
  args.x = (const float *)ops[0];
  args.packed = (const uint8_t *)ops[1];
  args.scales = (const float *)ops[2];
  args.zeroPoints = (const float *)ops[3];
  args.bias = hasBias ? (const float *)ops[4] : nullptr;
  args.out = (float *)ops[5];
  args.rowBytes = bits == 4 ? 8 : 16;
  ExecContext &ec = contextOf(ctx);
  int64_t panels = numPanels(args.n);
  if (args.k == 0) {
    for (int64_t i = 0; i < args.m * args.n; ++i)
      args.out[i] = args.bias ? args.bias[i % args.n] : 0.0f;
    return;
  }
  if (args.m <= 4) {
    ec.pool->parallelFor(panels, 1, [&](int64_t begin, int64_t end, int) {
      for (int64_t p = begin; p < end; ++p)
        bits == 4 ? gemvRows<4>(args, p) : gemvRows<8>(args, p);
    });
    return;
  }
  // Dequantizing is amortized over all the rows of an item, so split rows
  // only when there are too few panels to keep the workers busy.
  int threads = ec.pool->numThreads();
  int64_t rows = panels >= 4 * threads
                     ? args.m
                     : rowsPerItem(args.m, panels, threads);
  int64_t rowItems = (args.m + rows - 1) / rows;
  ec.pool->parallelFor(panels * rowItems, 1, [&](int64_t begin, int64_t end,
                                                 int worker) {
    float *scratch = (float *)ec.workerScratch(worker);
    for (int64_t item = begin; item < end; ++item) {
      int64_t p = item % panels, r0 = item / panels * rows;
      int64_t r1 = std::min(args.m, r0 + rows);
      bits == 4 ? gemmPanelRows<4>(args, p, r0, r1, scratch)
                : gemmPanelRows<8>(args, p, r0, r1, scratch);
    }
  });
}

} // namespace llmo::rt
