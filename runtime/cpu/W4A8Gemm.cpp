//===- W4A8Gemm.cpp - 4-bit weights x dynamic int8 activations ------------===//
//
// llmo.dynamic_qlinear with an i4 weight. The activations are quantized per
// row to int8 (as for W8A8 dynamic) and multiplied with the unsigned weight
// nibbles u = q + 8 by vpmaddubsw: 32 products per instruction, twice
// vpmaddwd's, which is what lets a decode step stream 4-bit weights near
// the memory bandwidth (W4A16 has to turn every weight into a float and
// spend one FMA on it; see docs/Runtime.md).
//
// Exactness: a vpmaddubsw pair sum is at most 2 * 15 * 127 = 3810, so eight
// steps (32 rows of K) add up exactly in i16 before they are widened to
// i32. The offset is removed once per group: sum x (u - 8) = sum x u -
// 8 sum x, with the activation sums of every group computed when the row is
// quantized. The i32 group sums are then exact, and the float arithmetic is
// docs/Dialect.md's, in the same order, so the result equals the
// interpreter's bit for bit.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"
#include "llmo/Runtime/Packing.h"

#include <algorithm>
#include <cstring>
#include <immintrin.h>

namespace llmo::rt {
namespace {

/// Rows of activations per microkernel call: one weight load and extraction
/// feeds MR rows.
constexpr int kW4A8Mr = 3;
/// Quads of K (4 rows each) accumulated in i16 before widening (see above).
constexpr int64_t kWindowQuads = 8;

struct W4A8Args {
  int64_t m, n, k, quads, groupSize, groups;
  bool grouped;
  const uint8_t *packed;
  const float *scales, *bias;
  float *out;
  Epilogue epilogue;
};

/// Quantized activation rows of one row block: int8 rows padded to 4 * quads
/// (zeros), their scales and 8 * (sum of the row over each group).
struct RowBlock {
  int8_t *rows;
  float *scales;
  int32_t *offsetSums; // [row][group]
  int64_t stride;      // bytes between rows
};

int64_t alignedRowBytes(const W4A8Args &args, int64_t rows) {
  return (rows * args.quads * 4 + 63) / 64 * 64;
}

size_t rowBlockBytes(const W4A8Args &args, int64_t rows) {
  return alignedRowBytes(args, rows) +
         rows * (sizeof(float) + args.groups * sizeof(int32_t));
}

RowBlock rowBlockAt(uint8_t *base, const W4A8Args &args, int64_t rows) {
  RowBlock block;
  block.stride = args.quads * 4;
  block.rows = (int8_t *)base;
  block.scales = (float *)(base + alignedRowBytes(args, rows));
  block.offsetSums = (int32_t *)(block.scales + rows);
  return block;
}

void quantizeRows(const W4A8Args &args, const float *x, const RowBlock &block,
                  int64_t first, int64_t count) {
  for (int64_t r = first; r < first + count; ++r) {
    int8_t *q = block.rows + r * block.stride;
    block.scales[r] = quantizeRowDynamic(x + r * args.k, args.k, q);
    std::memset(q + args.k, 0, block.stride - args.k);
    for (int64_t g = 0; g < args.groups; ++g) {
      int64_t begin = g * args.groupSize;
      int64_t end = std::min(args.k, begin + args.groupSize);
      int32_t sum = 0;
      for (int64_t i = begin; i < end; ++i)
        sum += q[i];
      block.offsetSums[r * args.groups + g] = 8 * sum;
    }
  }
}

inline __m256i broadcastPair(const int8_t *at) {
  int16_t pair;
  std::memcpy(&pair, at, sizeof(pair));
  return _mm256_set1_epi16(pair);
}

/// MR rows x the 16 columns of panel p, written to dst (rows `ld` apart)
/// before the epilogue: f32 results in panel column order.
template <int MR>
void w4a8Microkernel(const W4A8Args &args, const RowBlock &block, int64_t row0,
                     int64_t p, float *dst, int64_t ld, int64_t cols) {
  const __m256i nibble = _mm256_set1_epi8(0x0F), ones = _mm256_set1_epi16(1);
  const uint8_t *panel = args.packed + p * args.quads * 32;
  const float *panelScales = args.scales + p * args.groups * kLlmoPanelN;
  const int8_t *rows[MR];
#pragma GCC unroll 4
  for (int r = 0; r < MR; ++r)
    rows[r] = block.rows + (row0 + r) * block.stride;
  // Per-row sums over the groups so far (lane order kW4A8ColumnOrder).
  __m256 ya[MR], yb[MR];
  __m256i acc32a[MR], acc32b[MR];
#pragma GCC unroll 4
  for (int r = 0; r < MR; ++r)
    ya[r] = yb[r] = _mm256_setzero_ps();
  int64_t groupQuads = args.groups == 1 ? args.quads : args.groupSize / 4;
  for (int64_t g = 0; g < args.groups; ++g) {
    int64_t q0 = g * groupQuads, q1 = std::min(args.quads, q0 + groupQuads);
#pragma GCC unroll 4
    for (int r = 0; r < MR; ++r)
      acc32a[r] = acc32b[r] = _mm256_setzero_si256();
    for (int64_t w = q0; w < q1; w += kWindowQuads) {
      __m256i lo16[MR], hi16[MR];
#pragma GCC unroll 4
      for (int r = 0; r < MR; ++r)
        lo16[r] = hi16[r] = _mm256_setzero_si256();
      auto step = [&](int64_t q, bool prefetch) {
        if (prefetch)
          _mm_prefetch(
              reinterpret_cast<const char *>(panel + q * 32 + kPrefetchBytes),
              _MM_HINT_T0);
        __m256i v = _mm256_loadu_si256((const __m256i *)(panel + q * 32));
        __m256i lo = _mm256_and_si256(v, nibble);
        __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble);
#pragma GCC unroll 4
        for (int r = 0; r < MR; ++r) {
          lo16[r] = _mm256_add_epi16(
              lo16[r],
              _mm256_maddubs_epi16(lo, broadcastPair(rows[r] + 4 * q)));
          hi16[r] = _mm256_add_epi16(
              hi16[r],
              _mm256_maddubs_epi16(hi, broadcastPair(rows[r] + 4 * q + 2)));
        }
      };
      if (w + kWindowQuads <= q1) {
        // A full window, unrolled (a variable trip count left GCC with a
        // loop and a branch per quad: ~15 % slower decode).
#pragma GCC unroll 8
        for (int i = 0; i < kWindowQuads; ++i)
          step(w + i, MR <= 2 && i % 2 == 0);
      } else {
        for (int64_t q = w; q < q1; ++q)
          step(q, false);
      }
#pragma GCC unroll 4
      for (int r = 0; r < MR; ++r) {
        acc32a[r] = _mm256_add_epi32(
            acc32a[r],
            _mm256_madd_epi16(_mm256_unpacklo_epi16(lo16[r], hi16[r]), ones));
        acc32b[r] = _mm256_add_epi32(
            acc32b[r],
            _mm256_madd_epi16(_mm256_unpackhi_epi16(lo16[r], hi16[r]), ones));
      }
    }
    const float *s = panelScales + g * kLlmoPanelN;
    __m256 sa = _mm256_loadu_ps(s), sb = _mm256_loadu_ps(s + 8);
#pragma GCC unroll 4
    for (int r = 0; r < MR; ++r) {
      __m256i offset =
          _mm256_set1_epi32(block.offsetSums[(row0 + r) * args.groups + g]);
      __m256 da = _mm256_cvtepi32_ps(_mm256_sub_epi32(acc32a[r], offset));
      __m256 db = _mm256_cvtepi32_ps(_mm256_sub_epi32(acc32b[r], offset));
      if (args.grouped) {
        // Separate multiply and add: the interpreter's rounding.
        ya[r] = _mm256_add_ps(ya[r], _mm256_mul_ps(da, sa));
        yb[r] = _mm256_add_ps(yb[r], _mm256_mul_ps(db, sb));
      } else {
        ya[r] = da;
        yb[r] = db;
      }
    }
  }
  const float *s = panelScales;
#pragma GCC unroll 4
  for (int r = 0; r < MR; ++r) {
    __m256 rowScale = _mm256_set1_ps(block.scales[row0 + r]);
    __m256 a, b;
    if (args.grouped) {
      a = _mm256_mul_ps(ya[r], rowScale);
      b = _mm256_mul_ps(yb[r], rowScale);
    } else {
      a = _mm256_mul_ps(ya[r], _mm256_mul_ps(rowScale, _mm256_loadu_ps(s)));
      b = _mm256_mul_ps(yb[r], _mm256_mul_ps(rowScale, _mm256_loadu_ps(s + 8)));
    }
    alignas(32) float lanes[16];
    _mm256_store_ps(lanes, a);
    _mm256_store_ps(lanes + 8, b);
    float *row = dst + r * ld;
    for (int i = 0; i < kLlmoPanelN; ++i)
      if (kW4A8ColumnOrder[i] < cols)
        row[kW4A8ColumnOrder[i]] = lanes[i];
  }
}

void w4a8Tile(const W4A8Args &args, const RowBlock &block, int64_t blockRow0,
              int64_t r0, int64_t mr, int64_t p) {
  int64_t col0 = p * kLlmoPanelN;
  int64_t cols = std::min<int64_t>(kLlmoPanelN, args.n - col0);
  float *dst = args.out + (blockRow0 + r0) * args.n + col0;
  dispatchRows<kW4A8Mr>(mr, [&](auto count) {
    w4a8Microkernel<decltype(count)::value>(args, block, r0, p, dst, args.n,
                                            cols);
  });
  // Bias, activation and residual while the tile is in L1.
  Epilogue epilogue = args.epilogue;
  epilogue.bias = args.bias;
  applyEpilogue(dst, args.n, mr, cols, epilogue, col0, blockRow0 + r0);
}

} // namespace

void kernelW4A8Linear(void *ctx, const int64_t *desc, void *const *ops) {
  W4A8Args args;
  args.m = desc[0];
  args.n = desc[1];
  args.k = desc[2];
  args.groupSize = desc[3];
  args.grouped = desc[4] != 0;
  args.quads = (args.k + 3) / 4;
  args.groups =
      args.grouped ? (args.k + args.groupSize - 1) / args.groupSize : 1;
  if (!args.grouped)
    args.groupSize = args.k;
  args.packed = (const uint8_t *)ops[1];
  args.scales = (const float *)ops[2];
  args.bias = desc[5] ? (const float *)ops[3] : nullptr;
  args.epilogue = {nullptr, desc[6], desc[7] ? (const float *)ops[4] : nullptr};
  args.out = (float *)ops[5];
  const float *x = (const float *)ops[0];

  ExecContext &ec = contextOf(ctx);
  int threads = ec.pool->numThreads();
  int64_t panels = numPanels(args.n);
  // Row blocks small enough that a block's int8 rows stay in L2 while every
  // panel of the weight streams past them, and that fit in the scratch of
  // all workers together (shared by them).
  int64_t rowBytes = (int64_t)rowBlockBytes(args, 1);
  int64_t blockRows = std::clamp<int64_t>(
      (256 << 10) / rowBytes / kW4A8Mr * kW4A8Mr, kW4A8Mr, 512);
  blockRows = std::min(blockRows, args.m);
  while (blockRows > 1 &&
         rowBlockBytes(args, blockRows) > threads * kScratchBytesPerWorker)
    --blockRows;
  RowBlock block = rowBlockAt(ec.scratch, args, blockRows);
  for (int64_t b0 = 0; b0 < args.m; b0 += blockRows) {
    int64_t rows = std::min(blockRows, args.m - b0);
    const float *xBlock = x + b0 * args.k;
    if (rows == 1)
      quantizeRows(args, xBlock, block, 0, 1);
    else
      ec.pool->parallelFor(rows, 1, [&](int64_t begin, int64_t end, int) {
        quantizeRows(args, xBlock, block, begin, end - begin);
      });
    ec.pool->parallelFor(panels, 1, [&](int64_t begin, int64_t end, int) {
      for (int64_t p = begin; p < end; ++p)
        for (int64_t r = 0; r < rows; r += kW4A8Mr)
          w4a8Tile(args, block, b0, r, std::min<int64_t>(kW4A8Mr, rows - r), p);
    });
  }
}

} // namespace llmo::rt
