//===- Int8Gemm.cpp - W8A8 linear kernels (static and dynamic) ------------===//
//
// Activations are widened to i16 with their zero point subtracted (|v| <=
// 255) and multiplied with i8 weights by vpmaddwd: each instruction forms
// 16 exact products and adds adjacent pairs into 8 i32 lanes. The sum of
// two products is at most 2 * 255 * 128 < 2^31, so every step is exact and
// the i32 accumulation wraps exactly as docs/Dialect.md specifies. (u8 x s8
// vpmaddubsw would form twice as many products per instruction but
// saturates its i16 pair sums, which breaks bit-exactness; see
// docs/Runtime.md.)
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"
#include "llmo/Runtime/Packing.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <immintrin.h>

namespace llmo::rt {
namespace {

struct Int8Args {
  int64_t m, n, k, paddedK;
  const int8_t *packed;
  const float *weightScales, *bias;
  float *out;
  Epilogue epilogue; // activation and residual (the bias is added above)
  // Requantized output (outType kLlmoU8/kLlmoI8; kLlmoF32: `out` as is).
  int64_t outType = kLlmoF32, zp = 0, qmin = 0, qmax = 0;
  float qScale = 1;
  uint8_t *qout = nullptr;
};

/// Columns [col0, col0 + cols) (cols <= 16) of one output row from its i32
/// accumulators: acc * (rowScale * sw[n]) + bias[n].
void storeInt8Row(const Int8Args &args, float rowScale, int64_t col0,
                  int64_t cols, __m256i acc0, __m256i acc1, float *dst) {
  alignas(32) float sw[16] = {}, bias[16] = {};
  std::copy(args.weightScales + col0, args.weightScales + col0 + cols, sw);
  if (args.bias)
    std::copy(args.bias + col0, args.bias + col0 + cols, bias);
  __m256 rs = _mm256_set1_ps(rowScale);
  __m256 s0 = _mm256_mul_ps(rs, _mm256_load_ps(sw));
  __m256 s1 = _mm256_mul_ps(rs, _mm256_load_ps(sw + 8));
  __m256 y0 = _mm256_mul_ps(_mm256_cvtepi32_ps(acc0), s0);
  __m256 y1 = _mm256_mul_ps(_mm256_cvtepi32_ps(acc1), s1);
  if (args.bias) {
    y0 = _mm256_add_ps(y0, _mm256_load_ps(bias));
    y1 = _mm256_add_ps(y1, _mm256_load_ps(bias + 8));
  }
  if (cols == 16) {
    _mm256_storeu_ps(dst, y0);
    _mm256_storeu_ps(dst + 8, y1);
    return;
  }
  alignas(32) float row[16];
  _mm256_store_ps(row, y0);
  _mm256_store_ps(row + 8, y1);
  std::copy(row, row + cols, dst);
}

/// Decode (MR <= 2 rows): two adjacent full panels p and p + 1 at once, so
/// the core reads two weight streams (one stream reads ~13 GB/s on the
/// benchmark machine, two ~18 GB/s). Same arithmetic as int8Microkernel.
template <int MR>
void int8PanelPair(const Int8Args &args, const int16_t *rows,
                   const float *rowScales, int64_t p, float *out,
                   int64_t ldOut) {
  __m256i acc[MR][4];
  // The constant loops are unrolled so that GCC keeps these arrays in
  // registers (at -O2 it left them in memory).
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 8
    for (int j = 0; j < 4; ++j)
      acc[i][j] = _mm256_setzero_si256();
  int64_t panelBytes = args.paddedK * kLlmoPanelN;
  const int8_t *panel = args.packed + p * panelBytes;
  for (int64_t kp = 0; kp < args.paddedK; kp += 2, panel += 32) {
    __m256i w[4];
#pragma GCC unroll 8
    for (int q = 0; q < 2; ++q) {
      const int8_t *block = panel + q * panelBytes;
      _mm_prefetch(reinterpret_cast<const char *>(
                       reinterpret_cast<uintptr_t>(block) + kPrefetchBytes),
                   _MM_HINT_T0);
      w[2 * q] = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)block));
      w[2 * q + 1] =
          _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(block + 16)));
    }
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      int32_t pair;
      std::memcpy(&pair, rows + i * args.paddedK + kp, sizeof(pair));
      __m256i xv = _mm256_set1_epi32(pair);
#pragma GCC unroll 8
      for (int j = 0; j < 4; ++j)
        acc[i][j] = _mm256_add_epi32(acc[i][j], _mm256_madd_epi16(xv, w[j]));
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 8
    for (int q = 0; q < 2; ++q)
      storeInt8Row(args, rowScales[i], (p + q) * kLlmoPanelN, kLlmoPanelN,
                   acc[i][2 * q], acc[i][2 * q + 1], out + i * ldOut + 16 * q);
}

/// Rows [0, MR) x 16 columns of panel p: acc = x16[rows] . panel, then the
/// float epilogue acc * (rowScale * sw[n]) + bias[n].
template <int MR>
void int8Microkernel(const Int8Args &args, const int16_t *rows,
                     const float *rowScales, int64_t p, float *out,
                     int64_t ldOut) {
  // Named accumulators (not an array): GCC keeps them in registers.
  __m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00,
          c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00,
          c50 = c00, c51 = c00;
  const int16_t *x0 = rows, *x1 = rows + args.paddedK,
                *x2 = rows + 2 * args.paddedK, *x3 = rows + 3 * args.paddedK,
                *x4 = rows + 4 * args.paddedK, *x5 = rows + 5 * args.paddedK;
  const int8_t *panel = args.packed + p * args.paddedK * kLlmoPanelN;
  for (int64_t kp = 0; kp < args.paddedK; kp += 2, panel += 32) {
    // Decode: one stream of weights read once (see kPrefetchBytes). The
    // address may lie past the weights (a prefetch never faults); it is
    // formed as an integer, not by pointer arithmetic out of bounds.
    if constexpr (MR <= 2)
      _mm_prefetch(reinterpret_cast<const char *>(
                       reinterpret_cast<uintptr_t>(panel) + kPrefetchBytes),
                   _MM_HINT_T0);
    __m256i w0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)panel));
    __m256i w1 =
        _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(panel + 16)));
#define LLMO_MADD_ROW(i)                                                       \
  if constexpr (MR > i) {                                                      \
    int32_t pair;                                                              \
    std::memcpy(&pair, x##i + kp, sizeof(pair));                               \
    __m256i xv = _mm256_set1_epi32(pair);                                      \
    c##i##0 = _mm256_add_epi32(c##i##0, _mm256_madd_epi16(xv, w0));            \
    c##i##1 = _mm256_add_epi32(c##i##1, _mm256_madd_epi16(xv, w1));            \
  }
    LLMO_MADD_ROW(0)
    LLMO_MADD_ROW(1)
    LLMO_MADD_ROW(2)
    LLMO_MADD_ROW(3)
    LLMO_MADD_ROW(4)
    LLMO_MADD_ROW(5)
#undef LLMO_MADD_ROW
  }
  int64_t col0 = p * kLlmoPanelN;
  int64_t cols = std::min<int64_t>(kLlmoPanelN, args.n - col0);
  auto store = [&](int i, __m256i acc0, __m256i acc1) {
    storeInt8Row(args, rowScales[i], col0, cols, acc0, acc1, out + i * ldOut);
  };
  store(0, c00, c01);
  if constexpr (MR > 1)
    store(1, c10, c11);
  if constexpr (MR > 2)
    store(2, c20, c21);
  if constexpr (MR > 3)
    store(3, c30, c31);
  if constexpr (MR > 4)
    store(4, c40, c41);
  if constexpr (MR > 5)
    store(5, c50, c51);
}

/// Rows [row0, row0 + mr) of panel p, or of the full panels p and p + 1
/// with `pair` (decode, mr <= 2).
void int8Tile(const Int8Args &args, const int16_t *rows, const float *rowScales,
              int64_t p, int64_t row0, int64_t mr, bool pair = false) {
  int64_t col0 = p * kLlmoPanelN;
  int64_t cols = std::min<int64_t>((pair ? 2 : 1) * kLlmoPanelN, args.n - col0);
  // A requantized tile goes through a float tile on the stack.
  alignas(32) float tile[kMr * 2 * kLlmoPanelN];
  bool requantize = args.outType != kLlmoF32;
  float *dst = requantize ? tile : args.out + row0 * args.n + col0;
  int64_t ld = requantize ? 2 * kLlmoPanelN : args.n;
  if (pair)
    dispatchRows<2>(mr, [&](auto count) {
      int8PanelPair<decltype(count)::value>(args, rows, rowScales, p, dst, ld);
    });
  else
    dispatchRows<kMr>(mr, [&](auto count) {
      int8Microkernel<decltype(count)::value>(args, rows, rowScales, p, dst,
                                              ld);
    });
  // The fused activation and residual while the tile is still in L1.
  applyEpilogue(dst, ld, mr, cols, args.epilogue, col0, row0, args.n);
  if (requantize)
    for (int64_t r = 0; r < mr; ++r)
      quantizeSpan(tile + r * ld, cols, args.qScale, args.zp, args.qmin,
                   args.qmax, args.outType,
                   args.qout + (row0 + r) * args.n + col0);
}

/// Runs the GEMM with `prepare(r0, r1, rows16, rowScales)` filling the i16
/// activation rows [r0, r1) (zero-padded to paddedK) and their scales.
template <typename Prepare>
void runInt8(void *ctx, const Int8Args &args, const Prepare &prepare) {
  ExecContext &ec = contextOf(ctx);
  int threads = ec.pool->numThreads();
  int64_t panels = numPanels(args.n);
  // Rows per item: bounded by the worker scratch, a multiple of kMr.
  size_t rowBytes = args.paddedK * sizeof(int16_t) + sizeof(float);
  int64_t fit = std::max<int64_t>(1, kScratchBytesPerWorker / rowBytes);
  int64_t rows = std::min<int64_t>(args.m, std::min<int64_t>(fit, 96));
  if (rows > kMr)
    rows = rows / kMr * kMr;
  int64_t rowItems = (args.m + rows - 1) / rows;
  int64_t groups = std::min<int64_t>(
      panels, std::max<int64_t>(1, (4 * threads + rowItems - 1) / rowItems));
  int64_t panelsPerGroup = (panels + groups - 1) / groups;
  groups = (panels + panelsPerGroup - 1) / panelsPerGroup;
  // Every item of a row block needs that block's i16 rows. When all rows
  // fit in the scratch of all workers together (encoders: M = 128), they
  // are prepared once, in parallel, before the GEMM; otherwise each item
  // prepares its own block (again for every panel group: for prefill that
  // is ~1 % of an item, for M = 128 with dynamic quantization it was up to
  // ~20 %).
  size_t sharedBytes = args.m * rowBytes;
  bool shared = groups > 1 && args.m > 2 &&
                sharedBytes <= threads * kScratchBytesPerWorker;
  int16_t *sharedRows = (int16_t *)ec.scratch;
  float *sharedScales = (float *)(sharedRows + args.m * args.paddedK);
  if (shared)
    ec.pool->parallelFor(
        (args.m + kMr - 1) / kMr, 1, [&](int64_t begin, int64_t end, int) {
          int64_t r0 = begin * kMr, r1 = std::min(args.m, end * kMr);
          prepare(r0, r1, sharedRows + r0 * args.paddedK, sharedScales + r0);
        });
  ec.pool->parallelFor(
      rowItems * groups, 1, [&](int64_t begin, int64_t end, int worker) {
        int16_t *rows16 = (int16_t *)ec.workerScratch(worker);
        float *rowScales = (float *)(rows16 + rows * args.paddedK);
        for (int64_t item = begin; item < end; ++item) {
          int64_t r0 = item / groups * rows, r1 = std::min(args.m, r0 + rows);
          int64_t p0 = item % groups * panelsPerGroup;
          int64_t p1 = std::min(panels, p0 + panelsPerGroup);
          if (shared) {
            rows16 = sharedRows + r0 * args.paddedK;
            rowScales = sharedScales + r0;
          } else {
            prepare(r0, r1, rows16, rowScales);
          }
          for (int64_t p = p0; p < p1; ++p) {
            if (r1 - r0 <= 2 && p + 2 <= p1 &&
                (p + 2) * kLlmoPanelN <= args.n) {
              int8Tile(args, rows16, rowScales, p, r0, r1 - r0, true);
              ++p;
              continue;
            }
            for (int64_t i = r0; i < r1; i += kMr)
              int8Tile(args, rows16 + (i - r0) * args.paddedK,
                       rowScales + (i - r0), p, i, std::min(kMr, r1 - i));
          }
        }
      });
}

Int8Args int8Args(const int64_t *desc, void *const *ops, int64_t biasIndex) {
  Int8Args args;
  args.m = desc[0];
  args.n = desc[1];
  args.k = desc[2];
  args.paddedK = (args.k + 1) / 2 * 2;
  args.packed = (const int8_t *)ops[1];
  args.weightScales = (const float *)ops[2];
  args.bias = (const float *)ops[biasIndex];
  args.out = (float *)ops[biasIndex + 2];
  args.qout = (uint8_t *)ops[biasIndex + 2];
  return args;
}

/// The requantization words [out_type, scale_bits, zp, qmin, qmax].
void setRequantize(Int8Args &args, const int64_t *words) {
  args.outType = words[0];
  args.qScale = floatFromBits(words[1]);
  args.zp = words[2];
  args.qmin = words[3];
  args.qmax = words[4];
}

} // namespace

void kernelQLinear(void *ctx, const int64_t *desc, void *const *ops) {
  Int8Args args = int8Args(desc, ops, 3);
  bool isUnsigned = desc[3] == kLlmoU8;
  int64_t zx = desc[4];
  float sx = floatFromBits(desc[5]);
  if (!desc[6])
    args.bias = nullptr;
  args.epilogue = {nullptr, desc[7], desc[8] ? (const float *)ops[4] : nullptr};
  setRequantize(args, desc + 9);
  const void *qx = ops[0];
  runInt8(ctx, args,
          [&](int64_t r0, int64_t r1, int16_t *rows16, float *rowScales) {
            for (int64_t r = r0; r < r1; ++r) {
              int16_t *dst = rows16 + (r - r0) * args.paddedK;
              if (isUnsigned) {
                const uint8_t *src = (const uint8_t *)qx + r * args.k;
                for (int64_t c = 0; c < args.k; ++c)
                  dst[c] = (int16_t)(src[c] - zx);
              } else {
                const int8_t *src = (const int8_t *)qx + r * args.k;
                for (int64_t c = 0; c < args.k; ++c)
                  dst[c] = (int16_t)(src[c] - zx);
              }
              if (args.k != args.paddedK)
                dst[args.k] = 0;
              rowScales[r - r0] = sx;
            }
          });
}

void kernelDynamicQLinear(void *ctx, const int64_t *desc, void *const *ops) {
  Int8Args args = int8Args(desc, ops, 3);
  if (!desc[3])
    args.bias = nullptr;
  args.epilogue = {nullptr, desc[4], desc[5] ? (const float *)ops[4] : nullptr};
  setRequantize(args, desc + 6);
  const float *x = (const float *)ops[0];
  runInt8(ctx, args,
          [&](int64_t r0, int64_t r1, int16_t *rows16, float *rowScales) {
            for (int64_t r = r0; r < r1; ++r) {
              int16_t *dst = rows16 + (r - r0) * args.paddedK;
              rowScales[r - r0] =
                  quantizeRowDynamic(x + r * args.k, args.k, dst);
              if (args.k != args.paddedK)
                dst[args.k] = 0;
            }
          });
}

template <typename T>
float quantizeRowDynamic(const float *src, int64_t k, T *dst) {
  float absMax = 0;
  for (int64_t c = 0; c < k; ++c)
    absMax = std::max(absMax, std::fabs(src[c]));
  float s = absMax == 0 ? 1.0f : absMax / 127.0f;
  __m256 sv = _mm256_set1_ps(s);
  __m256 lo = _mm256_set1_ps(-127.0f), hi = _mm256_set1_ps(127.0f);
  int64_t c = 0;
  for (; c + 8 <= k; c += 8) {
    __m256 q = _mm256_round_ps(_mm256_div_ps(_mm256_loadu_ps(src + c), sv),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    // NaN quantizes to 0, as in the interpreter (max/min would give -127).
    q = _mm256_and_ps(q, _mm256_cmp_ps(q, q, _CMP_ORD_Q));
    q = _mm256_min_ps(_mm256_max_ps(q, lo), hi);
    __m256i qi = _mm256_cvtps_epi32(q);
    __m128i packed = _mm_packs_epi32(_mm256_castsi256_si128(qi),
                                     _mm256_extracti128_si256(qi, 1));
    if constexpr (sizeof(T) == 2)
      _mm_storeu_si128((__m128i *)(dst + c), packed);
    else
      _mm_storel_epi64((__m128i *)(dst + c), _mm_packs_epi16(packed, packed));
  }
  for (; c < k; ++c) {
    float q = std::nearbyint(src[c] / s);
    dst[c] = std::isnan(q) ? 0 : (T)std::clamp(q, -127.0f, 127.0f);
  }
  return s;
}

template float quantizeRowDynamic<int8_t>(const float *, int64_t, int8_t *);
template float quantizeRowDynamic<int16_t>(const float *, int64_t, int16_t *);

} // namespace llmo::rt
