//===- Gemm.cpp - fp32 and weight-only-quantized GEMM/GEMV kernels --------===//
//
// One AVX2/FMA microkernel computes up to 6 rows x 16 columns with 12 ymm
// accumulators, broadcasting activations from their row-major rows and
// streaming a 16-column weight panel. The fp32 linear streams panels packed
// at compile time; the weight-quantized linear dequantizes a K block of a
// panel into per-worker scratch (prefill) or converts the weights in
// registers (M <= 4, decode, bound by that conversion).
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"
#include "VectorMath.h"
#include "llmo/Runtime/Packing.h"

#include <algorithm>
#include <atomic>
#include <immintrin.h>

namespace llmo::rt {
namespace {

inline __m256i tailMask(int64_t count) {
  alignas(32) static const int32_t ones[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                               0,  0,  0,  0,  0,  0,  0,  0};
  return _mm256_loadu_si256(
      (const __m256i *)(ones + 8 - std::clamp<int64_t>(count, 0, 8)));
}

inline __m256 activate(__m256 v, int64_t activation) {
  const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f);
  switch (activation) {
  case kLlmoActGelu: {
    __m256 e = erfPs(_mm256_mul_ps(v, _mm256_set1_ps(0.70710678118654752f)));
    return _mm256_mul_ps(_mm256_mul_ps(half, v), _mm256_add_ps(one, e));
  }
  case kLlmoActGeluTanh: {
    __m256 v3 = _mm256_mul_ps(_mm256_mul_ps(v, v), v);
    __m256 inner =
        _mm256_mul_ps(_mm256_set1_ps(0.7978845608028654f),
                      _mm256_fmadd_ps(_mm256_set1_ps(0.044715f), v3, v));
    return _mm256_mul_ps(_mm256_mul_ps(half, v),
                         _mm256_add_ps(one, tanhPs(inner)));
  }
  case kLlmoActSilu:
    return _mm256_mul_ps(v, sigmoidPs(v));
  case kLlmoActRelu:
    return _mm256_max_ps(v, _mm256_setzero_ps());
  default:
    return v;
  }
}

/// The epilogue of a tile's last K block: applied to the accumulators
/// before they are stored. C's element (i, j) is output (row0 + i, col0 + j).
struct TileEpilogue {
  const Epilogue *epilogue;
  int64_t row0, col0, ld;
};

/// Rows [0, MR) of C[:, 0:cols) (+)= A[0:MR, 0:k] * B[0:k, 0:16), B's rows
/// `ldb` floats apart. With `maskedB` only `cols` columns of B are read.
/// The 12 accumulators are named variables (not an array) so that GCC keeps
/// them in registers instead of spilling them every iteration.
template <int MR, bool maskedB, bool packedA>
void microkernel(const float *a, int64_t lda, const float *b, int64_t ldb,
                 int64_t k, float *c, int64_t ldc, int64_t cols,
                 bool accumulate, const TileEpilogue *tile) {
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00,
         c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00,
         c51 = c00;
  __m256i mask0 = tailMask(cols), mask1 = tailMask(cols - 8);
  const float *a0 = a, *a1 = a + lda, *a2 = a + 2 * lda, *a3 = a + 3 * lda,
              *a4 = a + 4 * lda, *a5 = a + 5 * lda;
  // The C tile is read (accumulate) and written only after the K loop; its
  // lines are often out of L2 by then (a large GEMM's C block is revisited
  // once per K block), so they are fetched while the FMAs run.
  for (int i = 0; i < MR; ++i)
    __builtin_prefetch(c + i * ldc, 1, 3);
  for (int64_t p = 0; p < k; ++p, b += ldb) {
    __m256 b0, b1;
    if constexpr (maskedB) {
      b0 = _mm256_maskload_ps(b, mask0);
      b1 = _mm256_maskload_ps(b + 8, mask1);
    } else {
      b0 = _mm256_loadu_ps(b);
      b1 = _mm256_loadu_ps(b + 8);
    }
    // Packed A: the kMr rows of column p are adjacent (one stream).
#define LLMO_FMA_ROW(i)                                                        \
  if constexpr (MR > i) {                                                      \
    __m256 av = _mm256_broadcast_ss(packedA ? a + p * kMr + i : a##i + p);     \
    c##i##0 = _mm256_fmadd_ps(av, b0, c##i##0);                                \
    c##i##1 = _mm256_fmadd_ps(av, b1, c##i##1);                                \
  }
    LLMO_FMA_ROW(0)
    LLMO_FMA_ROW(1)
    LLMO_FMA_ROW(2)
    LLMO_FMA_ROW(3)
    LLMO_FMA_ROW(4)
    LLMO_FMA_ROW(5)
#undef LLMO_FMA_ROW
  }
  auto finish = [&](int i, __m256 &v0, __m256 &v1) {
    const Epilogue &e = *tile->epilogue;
    const float *res =
        e.residual ? e.residual + (tile->row0 + i) * tile->ld + tile->col0
                   : nullptr;
    if (cols == 16) {
      if (e.bias) {
        v0 = _mm256_add_ps(v0, _mm256_loadu_ps(e.bias + tile->col0));
        v1 = _mm256_add_ps(v1, _mm256_loadu_ps(e.bias + tile->col0 + 8));
      }
      v0 = activate(v0, e.activation);
      v1 = activate(v1, e.activation);
      if (res) {
        v0 = _mm256_add_ps(v0, _mm256_loadu_ps(res));
        v1 = _mm256_add_ps(v1, _mm256_loadu_ps(res + 8));
      }
      return;
    }
    if (e.bias) {
      v0 = _mm256_add_ps(v0, _mm256_maskload_ps(e.bias + tile->col0, mask0));
      v1 =
          _mm256_add_ps(v1, _mm256_maskload_ps(e.bias + tile->col0 + 8, mask1));
    }
    v0 = activate(v0, e.activation);
    v1 = activate(v1, e.activation);
    if (res) {
      v0 = _mm256_add_ps(v0, _mm256_maskload_ps(res, mask0));
      v1 = _mm256_add_ps(v1, _mm256_maskload_ps(res + 8, mask1));
    }
  };
  auto store = [&](int i, __m256 v0, __m256 v1) {
    float *row = c + i * ldc;
    if (cols == 16) {
      if (accumulate) {
        v0 = _mm256_add_ps(v0, _mm256_loadu_ps(row));
        v1 = _mm256_add_ps(v1, _mm256_loadu_ps(row + 8));
      }
      if (tile)
        finish(i, v0, v1);
      _mm256_storeu_ps(row, v0);
      _mm256_storeu_ps(row + 8, v1);
    } else {
      if (accumulate) {
        v0 = _mm256_add_ps(v0, _mm256_maskload_ps(row, mask0));
        v1 = _mm256_add_ps(v1, _mm256_maskload_ps(row + 8, mask1));
      }
      if (tile)
        finish(i, v0, v1);
      _mm256_maskstore_ps(row, mask0, v0);
      _mm256_maskstore_ps(row + 8, mask1, v1);
    }
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

template <bool maskedB, bool packedA = false>
void gemmTile(const float *a, int64_t lda, const float *b, int64_t ldb,
              int64_t k, float *c, int64_t ldc, int64_t mr, int64_t cols,
              bool accumulate, const TileEpilogue *tile = nullptr) {
  dispatchRows<kMr>(mr, [&](auto rows) {
    microkernel<decltype(rows)::value, maskedB, packedA>(
        a, lda, b, ldb, k, c, ldc, cols, accumulate, tile);
  });
}

/// Decode: rows [0, MR) of C[:, 0:16 * P) = A[0:MR, 0:k] x P whole,
/// adjacent, full 16-column panels (`panelFloats` apart), packed A as for
/// the microkernel. One core streams a single sequential weight stream at
/// ~13 GB/s on the benchmark machine but two or four interleaved ones at
/// ~18-19 GB/s, so decode reads P panels side by side. Each column keeps
/// the microkernel's single in-order FMA chain and the epilogue is the
/// same arithmetic, so the result is bit-identical to gemmTile's.
template <int MR, int P>
void gemvPanels(const float *a, const float *b, int64_t panelFloats, int64_t k,
                float *c, int64_t ldc, const Epilogue &epilogue, int64_t row0,
                int64_t col0) {
  __m256 acc[MR][2 * P];
  // The constant loops are unrolled so that GCC keeps these arrays in
  // registers (at -O2 it left them in memory).
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 8
    for (int j = 0; j < 2 * P; ++j)
      acc[i][j] = _mm256_setzero_ps();
  for (int64_t p = 0; p < k; ++p, b += kLlmoPanelN) {
    __m256 av[MR];
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i)
      av[i] = _mm256_broadcast_ss(a + p * kMr + i);
#pragma GCC unroll 8
    for (int q = 0; q < P; ++q) {
      __m256 b0 = _mm256_loadu_ps(b + q * panelFloats);
      __m256 b1 = _mm256_loadu_ps(b + q * panelFloats + 8);
#pragma GCC unroll 8
      for (int i = 0; i < MR; ++i) {
        acc[i][2 * q] = _mm256_fmadd_ps(av[i], b0, acc[i][2 * q]);
        acc[i][2 * q + 1] = _mm256_fmadd_ps(av[i], b1, acc[i][2 * q + 1]);
      }
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 8
    for (int j = 0; j < 2 * P; ++j)
      _mm256_storeu_ps(c + i * ldc + 8 * j, acc[i][j]);
  applyEpilogue(c, ldc, MR, 16 * P, epilogue, col0, row0);
}

/// Panels gemvPanels reads side by side.
constexpr int64_t kGemvPanels = 2;

void gemvStreams(const float *packedA, const float *panels, int64_t k, float *c,
                 int64_t ldc, int64_t rows, const Epilogue &epilogue,
                 int64_t row0, int64_t col0) {
  if (rows == 1)
    gemvPanels<1, kGemvPanels>(packedA, panels, k * kLlmoPanelN, k, c, ldc,
                               epilogue, row0, col0);
  else
    gemvPanels<2, kGemvPanels>(packedA, panels, k * kLlmoPanelN, k, c, ldc,
                               epilogue, row0, col0);
}

/// Copies rows [0, rows) x columns [0, kc) of A (rows `lda` apart) into
/// blocks of kMr rows, column-interleaved: out[blk][p][i] = A[blk*kMr+i][p].
void packA(const float *a, int64_t lda, int64_t rows, int64_t kc, float *out) {
  for (int64_t r0 = 0; r0 < rows; r0 += kMr, out += kc * kMr) {
    int64_t mr = std::min(kMr, rows - r0);
    for (int64_t p = 0; p < kc; ++p)
      for (int64_t i = 0; i < kMr; ++i)
        out[p * kMr + i] = i < mr ? a[(r0 + i) * lda + p] : 0.0f;
  }
}

} // namespace

namespace {} // namespace

void applyEpilogue(float *out, int64_t ld, int64_t rows, int64_t cols,
                   const Epilogue &e, int64_t column0, int64_t row0,
                   int64_t residualLd) {
  if (!e.bias && e.activation == kLlmoActNone && !e.residual)
    return;
  if (residualLd < 0)
    residualLd = ld;
  for (int64_t i = 0; i < rows; ++i) {
    float *row = out + i * ld;
    const float *res =
        e.residual ? e.residual + (row0 + i) * residualLd + column0 : nullptr;
    // Masked AVX stores are microcoded on AMD cores: full vectors, then a
    // scalar-width tail through a small buffer.
    int64_t j = 0;
    for (; j + 8 <= cols; j += 8) {
      __m256 v = _mm256_loadu_ps(row + j);
      if (e.bias)
        v = _mm256_add_ps(v, _mm256_loadu_ps(e.bias + column0 + j));
      v = activate(v, e.activation);
      if (res)
        v = _mm256_add_ps(v, _mm256_loadu_ps(res + j));
      _mm256_storeu_ps(row + j, v);
    }
    if (j < cols) {
      alignas(32) float tail[8] = {}, biasTail[8] = {}, resTail[8] = {};
      int64_t n = cols - j;
      std::copy(row + j, row + cols, tail);
      if (e.bias)
        std::copy(e.bias + column0 + j, e.bias + column0 + cols, biasTail);
      if (res)
        std::copy(res + j, res + cols, resTail);
      __m256 v = _mm256_add_ps(_mm256_load_ps(tail), _mm256_load_ps(biasTail));
      v = _mm256_add_ps(activate(v, e.activation), _mm256_load_ps(resTail));
      _mm256_store_ps(tail, v);
      std::copy(tail, tail + n, row + j);
    }
  }
}

namespace {

/// C[m, n] = A[m, k] x W (+ bias) where W is streamed as 16-column panels:
/// panelBlock(p, k0, kc, scratch) returns rows [k0, k0 + kc) of panel p as
/// kc x 16 floats (the packed weight itself, or a dequantized copy in
/// `scratch`). Work items are a block of rows (packed once per K block into
/// worker scratch) times a group of panels; a panel's K block (16 KB) stays
/// in L1 while the row blocks stream past it.
template <typename PanelBlock>
void blockedGemm(ExecContext &ec, int64_t m, int64_t n, int64_t k,
                 const float *x, const Epilogue &epilogue, float *out,
                 const PanelBlock &panelBlock, int64_t kBlock = kKc,
                 const float *contiguousPanels = nullptr) {
  int64_t panels = numPanels(n);
  int threads = ec.pool->numThreads();
  int64_t rows = std::min<int64_t>((m + kMr - 1) / kMr * kMr, 192);
  int64_t rowItems = (m + rows - 1) / rows;
  // Every item packs its rows of A again. With one row block (encoders at
  // seq 128, decode) that packing is a large share of an item, so the panels
  // are split only once per thread; with several row blocks, into about four
  // items per thread for balance.
  int64_t groups =
      rowItems == 1
          ? std::min<int64_t>(panels, threads)
          : std::min<int64_t>(
                panels,
                std::max<int64_t>(1, (4 * threads + rowItems - 1) / rowItems));
  int64_t perGroup = (panels + groups - 1) / groups;
  groups = (panels + perGroup - 1) / perGroup;
  ec.pool->parallelFor(
      rowItems * groups, 1, [&](int64_t begin, int64_t end, int worker) {
        float *packed = (float *)ec.workerScratch(worker);
        float *panelScratch = packed + 192 * kKc;
        for (int64_t item = begin; item < end; ++item) {
          int64_t r0 = item / groups * rows, r1 = std::min(m, r0 + rows);
          int64_t p0 = item % groups * perGroup;
          int64_t p1 = std::min(panels, p0 + perGroup);
          if (k == 0)
            for (int64_t p = p0; p < p1; ++p) {
              int64_t cols =
                  std::min<int64_t>(kLlmoPanelN, n - p * kLlmoPanelN);
              for (int64_t i = r0; i < r1; ++i)
                std::fill(out + i * n + p * kLlmoPanelN,
                          out + i * n + p * kLlmoPanelN + cols, 0.0f);
              applyEpilogue(out + r0 * n + p * kLlmoPanelN, n, r1 - r0, cols,
                            epilogue, p * kLlmoPanelN, r0);
            }
          // Decode with the panels in one array: whole panels, several
          // weight streams at once (gemvPanels).
          bool streamPanels = contiguousPanels && r1 - r0 <= 2 && kBlock >= k;
          for (int64_t k0 = 0; k0 < k; k0 += kBlock) {
            int64_t kc = std::min(kBlock, k - k0);
            packA(x + r0 * k + k0, k, r1 - r0, kc, packed);
            for (int64_t p = p0; p < p1; ++p) {
              int64_t cols =
                  std::min<int64_t>(kLlmoPanelN, n - p * kLlmoPanelN);
              if (streamPanels && p + kGemvPanels <= p1 &&
                  (p + kGemvPanels) * kLlmoPanelN <= n) {
                gemvStreams(packed, contiguousPanels + p * k * kLlmoPanelN, k,
                            out + r0 * n + p * kLlmoPanelN, n, r1 - r0,
                            epilogue, r0, p * kLlmoPanelN);
                p += kGemvPanels - 1;
                continue;
              }
              const float *panel = panelBlock(p, k0, kc, panelScratch);
              bool last = k0 + kc == k;
              for (int64_t i = r0; i < r1; i += kMr) {
                // The last K block applies the epilogue in registers.
                TileEpilogue tile{&epilogue, i, p * kLlmoPanelN, n};
                gemmTile<false, true>(
                    packed + (i - r0) * kc, 0, panel, kLlmoPanelN, kc,
                    out + i * n + p * kLlmoPanelN, n, std::min(kMr, r1 - i),
                    cols, k0 > 0, last ? &tile : nullptr);
              }
            }
          }
        }
      });
}

} // namespace

void kernelLinearF32(void *ctx, const int64_t *desc, void *const *ops) {
  int64_t m = desc[0], n = desc[1], k = desc[2];
  const float *w = (const float *)ops[1];
  Epilogue epilogue{desc[3] ? (const float *)ops[2] : nullptr, desc[4],
                    desc[5] ? (const float *)ops[3] : nullptr};
  // One row tile (decode): the GEMM only streams W, so each panel is read
  // whole, front to back (K blocks would hop between panels 16 KB at a time
  // and restart the hardware prefetcher's streams on every hop).
  int64_t kBlock = m <= kMr && k <= 192 * kKc / kMr ? k : kKc;
  blockedGemm(
      contextOf(ctx), m, n, k, (const float *)ops[0], epilogue, (float *)ops[4],
      [&](int64_t p, int64_t k0, int64_t, float *) {
        return w + (p * k + k0) * kLlmoPanelN;
      },
      kBlock, w);
}

void smallGemm(const float *a, int64_t lda, const float *b, int64_t ldb,
               int64_t m, int64_t n, int64_t k, float *c, int64_t ldc) {
  for (int64_t i = 0; i < m; i += kMr)
    for (int64_t j = 0; j < n; j += 16) {
      int64_t cols = std::min<int64_t>(16, n - j), mr = std::min(kMr, m - i);
      if (k == 0) {
        for (int64_t r = 0; r < mr; ++r)
          std::fill(c + (i + r) * ldc + j, c + (i + r) * ldc + j + cols, 0.0f);
      } else if (cols == 16) {
        gemmTile<false>(a + i * lda, lda, b + j, ldb, k, c + i * ldc + j, ldc,
                        mr, cols, false);
      } else {
        gemmTile<true>(a + i * lda, lda, b + j, ldb, k, c + i * ldc + j, ldc,
                       mr, cols, false);
      }
    }
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
  ec.pool->parallelFor(
      batches * rowBlocks, 1, [&](int64_t begin, int64_t end, int) {
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
                gemmTile<false>(aRows + k0, k, bMat + k0 * n + j, n, kc,
                                cRows + j, n, mr, cols, k0 > 0);
              else
                gemmTile<true>(aRows + k0, k, bMat + k0 * n + j, n, kc,
                               cRows + j, n, mr, cols, k0 > 0);
            }
          }
        }
      });
}

namespace {

/// Bytes of one packed weight-only quantized panel (see Packing.h): 64
/// bytes per block of 32 / bits rows.
inline int64_t weightQuantPanelBytes(int64_t k, int bits) {
  int64_t rows = 32 / bits;
  return (k + rows - 1) / rows * 64;
}

/// The stored (unsigned) values of row `row` of a packed panel as floats
/// (lo: cols 0-7, hi: cols 8-15).
template <int bits>
inline void loadRow(const uint8_t *panel, int64_t row, __m256 &lo, __m256 &hi) {
  // Word c of the row's block holds the row in bits bits * (row % rows).
  constexpr int rows = 32 / bits;
  const __m256i *words = (const __m256i *)(panel + row / rows * 64);
  __m128i shift = _mm_cvtsi32_si128((int)(row % rows) * bits);
  __m256i field = _mm256_set1_epi32((1 << bits) - 1);
  lo = _mm256_cvtepi32_ps(_mm256_and_si256(
      _mm256_srl_epi32(_mm256_loadu_si256(words), shift), field));
  hi = _mm256_cvtepi32_ps(_mm256_and_si256(
      _mm256_srl_epi32(_mm256_loadu_si256(words + 1), shift), field));
}

/// Dequantizes row `row` of a packed panel, (u - zp) * scale: 16 floats
/// (lo: cols 0-7, hi: cols 8-15).
template <int bits>
inline void dequantRow(const uint8_t *panel, int64_t row, const float *scales,
                       const float *zeroPoints, __m256 &lo, __m256 &hi) {
  loadRow<bits>(panel, row, lo, hi);
  lo = _mm256_mul_ps(_mm256_sub_ps(lo, _mm256_loadu_ps(zeroPoints)),
                     _mm256_loadu_ps(scales));
  hi = _mm256_mul_ps(_mm256_sub_ps(hi, _mm256_loadu_ps(zeroPoints + 8)),
                     _mm256_loadu_ps(scales + 8));
}

struct WeightQuantArgs {
  int64_t m, n, k, groupSize, numGroups;
  const float *x;
  const uint8_t *packed;
  const float *scales, *zeroPoints;
  Epilogue epilogue;
  float *out;
  int64_t panelBytes; // bytes per packed panel
};

/// Sum of x[0:count) (horizontal, in float).
inline float sumOf(const float *x, int64_t count) {
  __m256 s0 = _mm256_setzero_ps(), s1 = s0;
  int64_t i = 0;
  for (; i + 16 <= count; i += 16) {
    s0 = _mm256_add_ps(s0, _mm256_loadu_ps(x + i));
    s1 = _mm256_add_ps(s1, _mm256_loadu_ps(x + i + 8));
  }
  s0 = _mm256_add_ps(s0, s1);
  __m128 h =
      _mm_add_ps(_mm256_castps256_ps128(s0), _mm256_extractf128_ps(s0, 1));
  h = _mm_add_ps(h, _mm_movehl_ps(h, h));
  h = _mm_add_ss(h, _mm_movehdup_ps(h));
  float sum = _mm_cvtss_f32(h);
  for (; i < count; ++i)
    sum += x[i];
  return sum;
}

/// The decode GEMVs are bound by turning packed weights into floats, so
/// neither converts with an int-to-float instruction where it can avoid it:
///  - denormal (used on AMD, where FMA takes denormal operands at full
///    speed): a weight u is placed in the low 24 bits of a zeroed float
///    lane, whose value is then exactly pattern * 2^-149 (bit patterns below
///    2^24 are linear across the denormal boundary). The activations are
///    prescaled so that the products are normal floats; the group epilogue
///    scales the sums back.
///  - integer (elsewhere: Intel cores take a microcode assist on denormal
///    operands): the same lanes go through cvtdq2ps, and the activations get
///    a further 2^-149 so that everything else is shared.
/// Per group the scale and zero point are factored out of the sum:
///   sum_k x_k (u_k - z) s = s (sum_k x_k u_k - z sum_k x_k),
/// so the inner loops only extract and multiply-add (the reassociation
/// stays within the 1e-5 float tolerance the compiled code is held to).
std::atomic<int> gemvConversionOverride{-1};

bool useDenormalConversion() {
  int mode = gemvConversionOverride.load(std::memory_order_relaxed);
  if (mode >= 0)
    return mode == 1;
  static const bool amd = __builtin_cpu_is("amd");
  return amd;
}

struct GemvInputs {
  const float *x;     // prescaled activations (layout per kernel)
  const float *xSums; // [m][numGroups] group sums of the unscaled x
  // The group sums are multiplied by unit * unit2 (two factors so that
  // each stays a finite float).
  float unit, unit2;
};

/// Group sums of x: sums[i][g] (m x numGroups).
void groupSums(const WeightQuantArgs &args, float *sums) {
  int64_t numGroups = args.numGroups;
  for (int64_t i = 0; i < args.m; ++i) {
    const float *x = args.x + i * args.k;
    for (int64_t g = 0; g < numGroups; ++g) {
      int64_t g0 = g * args.groupSize;
      sums[i * numGroups + g] =
          sumOf(x + g0, std::min(args.groupSize, args.k - g0));
    }
  }
}

/// max |x| over the m x k activations.
float maxAbsOf(const WeightQuantArgs &args) {
  float maxAbs = 0.0f;
  for (int64_t i = 0; i < args.m * args.k; ++i)
    maxAbs = std::max(maxAbs, std::fabs(args.x[i]));
  return maxAbs;
}

/// Adds the group's sum_k x_k u_k (d0: cols 0-7, d1: 8-15) to acc as
/// s (d - z sum_k x_k).
inline void finishGroup(const WeightQuantArgs &args, const GemvInputs &in,
                        int64_t g, int64_t p, int i, __m256 d0, __m256 d1,
                        __m256 *acc) {
  int64_t numGroups = args.numGroups;
  int64_t param = (p * args.numGroups + g) * kLlmoPanelN;
  const float *scales = args.scales + param, *zps = args.zeroPoints + param;
  __m256 unit = _mm256_set1_ps(in.unit), unit2 = _mm256_set1_ps(in.unit2);
  d0 = _mm256_mul_ps(_mm256_mul_ps(d0, unit), unit2);
  d1 = _mm256_mul_ps(_mm256_mul_ps(d1, unit), unit2);
  __m256 xs = _mm256_broadcast_ss(in.xSums + i * numGroups + g);
  acc[0] =
      _mm256_fmadd_ps(_mm256_loadu_ps(scales),
                      _mm256_fnmadd_ps(_mm256_loadu_ps(zps), xs, d0), acc[0]);
  acc[1] = _mm256_fmadd_ps(_mm256_loadu_ps(scales + 8),
                           _mm256_fnmadd_ps(_mm256_loadu_ps(zps + 8), xs, d1),
                           acc[1]);
}

/// Stores the MR output rows of panel p and applies the epilogue.
template <int MR>
void storeGemvRows(const WeightQuantArgs &args, int64_t p,
                   __m256 (&acc)[MR][2]) {
  int64_t cols = std::min<int64_t>(kLlmoPanelN, args.n - p * kLlmoPanelN);
  for (int i = 0; i < MR; ++i) {
    alignas(32) float row[16];
    _mm256_store_ps(row, acc[i][0]);
    _mm256_store_ps(row + 8, acc[i][1]);
    float *dst = args.out + i * args.n + p * kLlmoPanelN;
    std::copy(row, row + cols, dst);
    applyEpilogue(dst, args.n, 1, cols, args.epilogue, p * kLlmoPanelN, i);
  }
}

//===-- The masked-block GEMV ---------------------------------------------===//
//
// A panel's block of 32 / bits rows is 16 words, one per column, with row r
// of the block in bits [bits r, bits (r + 1)). Masking a word leaves
// u * 2^(bits r); the rows whose field ends above bit 24 (4 bits: rows 6
// and 7; 8 bits: row 3) are first shifted down by 24, so the pattern is
// always below 2^24. No shuffle and, in denormal mode, no conversion: per
// block and 16 columns two loads, one and per row, two shifts and two FMAs
// per row. The activation of row r is prescaled by 2^-(bits r') (r' the
// field's position after any shift) and pre-broadcast to 8 lanes, so the
// FMAs take it with a plain load. (The layout this replaced, bytes of
// columns moved into lanes by two vpshufb per row, streamed ~4.5 GB/s (4
// bits) and ~8 GB/s (8 bits) on one core of the benchmark machine.)

template <int bits> struct MaskedBlock {
  static constexpr int rows = 32 / bits;
  // Rows extracted before the shift by 24.
  static constexpr int lowRows = 24 / bits;
  static constexpr int position(int r) { return r % lowRows; }
  static constexpr int mask(int r) {
    return ((1 << bits) - 1) << (bits * position(r));
  }
};

/// The activations of one kernel call: [m][kPadded][8] floats.
template <int bits> inline int64_t gemvInputFloats(int64_t m, int64_t k) {
  constexpr int rows = MaskedBlock<bits>::rows;
  return m * ((k + rows - 1) / rows * rows) * 8;
}

/// Fills `xb` ([m][kPadded][8]) with the prescaled, broadcast activations
/// (zero past K) and `sums` with their group sums.
template <int bits>
GemvInputs prepareGemv(const WeightQuantArgs &args, bool denormal, float *xb,
                       float *sums) {
  using Block = MaskedBlock<bits>;
  groupSums(args, sums);
  float maxAbs = maxAbsOf(args);
  // The largest |x| * 2^xShift is ~2^117: every product x' u 2^(bits r')
  // 2^-149 (at most 2^117 * 2^24 * 2^-149 = 2^-8) and their sums stay
  // normal and finite; the unit 2^(149 - xShift) is applied as two factors.
  int xShift =
      maxAbs > 0.0f && std::isfinite(maxAbs) ? 116 - std::ilogb(maxAbs) : 0;
  int unitShift = 149 - xShift;
  // Row r of a block gets 2^(xShift - bits r'), times 2^-149 for the
  // integer conversion: exact power-of-two factors, applied in double so
  // that the factor itself never under- or overflows.
  double factors[Block::rows];
  for (int r = 0; r < Block::rows; ++r)
    factors[r] = std::ldexp(1.0, xShift - bits * Block::position(r) -
                                     (denormal ? 0 : 149));
  int64_t kPadded = gemvInputFloats<bits>(1, args.k) / 8;
  for (int64_t i = 0; i < args.m; ++i)
    for (int64_t k = 0; k < kPadded; ++k) {
      float value = k < args.k ? (float)((double)args.x[i * args.k + k] *
                                         factors[k % Block::rows])
                               : 0.0f;
      std::fill_n(xb + (i * kPadded + k) * 8, 8, value);
    }
  return {xb, sums, std::ldexp(1.0f, unitShift / 2),
          std::ldexp(1.0f, unitShift - unitShift / 2)};
}

/// The lanes of a masked word as floats: the bit pattern itself (denormal)
/// or its integer value.
template <bool denormal> inline __m256 laneValues(__m256i masked) {
  if constexpr (denormal)
    return _mm256_castsi256_ps(masked);
  else
    return _mm256_cvtepi32_ps(masked);
}

template <int bits, int MR, bool denormal>
void gemvPanel(const WeightQuantArgs &args, const GemvInputs &in, int64_t p) {
  using Block = MaskedBlock<bits>;
  // Independent FMA chains per output row and half panel: enough to cover
  // the FMA latency with a single activation row.
  // Three chains per half for 4 bits leave the 16 registers for the six
  // masks (four chains spill one: ~5 % slower on one core).
  constexpr int kChains = MR == 1 ? (bits == 4 ? 3 : 4) : MR == 2 ? 2 : 1;
  // Masks and activations are held in registers: folded into the and and
  // the FMAs as memory operands they would double the loads, and on a core
  // with two 128-bit load ports those, not the FMAs, bound the loop.
  __m256i masks[Block::lowRows];
#pragma GCC unroll 8
  for (int j = 0; j < Block::lowRows; ++j) {
    masks[j] = _mm256_set1_epi32(Block::mask(j));
    asm("" : "+x"(masks[j]));
  }
  __m256 acc[MR][2];
  for (int i = 0; i < MR; ++i)
    acc[i][0] = acc[i][1] = _mm256_setzero_ps();
  const uint8_t *panel = args.packed + p * args.panelBytes;
  int64_t kPadded = gemvInputFloats<bits>(1, args.k) / 8;
  for (int64_t g = 0; g < args.numGroups; ++g) {
    // Groups start on blocks (the caller checks); the last block of the
    // last group runs past K over zero activations.
    int64_t b0 = g * args.groupSize / Block::rows;
    int64_t b1 =
        (std::min(args.k, (g + 1) * args.groupSize) + Block::rows - 1) /
        Block::rows;
    __m256 part[MR][2][kChains];
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i)
#pragma GCC unroll 8
      for (int h = 0; h < 2; ++h)
#pragma GCC unroll 8
        for (int c = 0; c < kChains; ++c)
          part[i][h][c] = _mm256_setzero_ps();
    for (int64_t b = b0; b < b1; ++b) {
      const uint8_t *block = panel + b * 64;
      _mm_prefetch(reinterpret_cast<const char *>(
                       reinterpret_cast<uintptr_t>(block) + kPrefetchBytes),
                   _MM_HINT_T0);
      __m256i v0 = _mm256_loadu_si256((const __m256i *)block);
      __m256i v1 = _mm256_loadu_si256((const __m256i *)(block + 32));
      const float *xr = in.x + b * Block::rows * 8;
#pragma GCC unroll 8
      for (int r = 0; r < Block::rows; ++r) {
        if (r > 0 && r % Block::lowRows == 0) {
          v0 = _mm256_srli_epi32(v0, Block::lowRows * bits);
          v1 = _mm256_srli_epi32(v1, Block::lowRows * bits);
        }
        __m256i w0 = v0, w1 = v1;
        // After the shift the last row's field is the only bits left.
        if (r != Block::rows - 1 || Block::position(r) != 0) {
          w0 = _mm256_and_si256(v0, masks[Block::position(r)]);
          w1 = _mm256_and_si256(v1, masks[Block::position(r)]);
        }
        __m256 u0 = laneValues<denormal>(w0), u1 = laneValues<denormal>(w1);
#pragma GCC unroll 8
        for (int i = 0; i < MR; ++i) {
          __m256 xv = _mm256_load_ps(xr + i * kPadded * 8 + r * 8);
          asm("" : "+x"(xv));
          part[i][0][r % kChains] =
              _mm256_fmadd_ps(xv, u0, part[i][0][r % kChains]);
          part[i][1][r % kChains] =
              _mm256_fmadd_ps(xv, u1, part[i][1][r % kChains]);
        }
      }
    }
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      __m256 d0 = part[i][0][0], d1 = part[i][1][0];
#pragma GCC unroll 8
      for (int c = 1; c < kChains; ++c) {
        d0 = _mm256_add_ps(d0, part[i][0][c]);
        d1 = _mm256_add_ps(d1, part[i][1][c]);
      }
      finishGroup(args, in, g, p, i, d0, d1, acc[i]);
    }
  }
  storeGemvRows<MR>(args, p, acc);
}

template <int bits, bool denormal>
void gemvRows(const WeightQuantArgs &args, const GemvInputs &in, int64_t p) {
  dispatchRows<4>(args.m, [&](auto rows) {
    gemvPanel<bits, decltype(rows)::value, denormal>(args, in, p);
  });
}

/// Dequantizes rows [k0, k0 + kc) of panel p into `out` (kc x 16 floats).
template <int bits>
void dequantPanelBlock(const WeightQuantArgs &args, int64_t p, int64_t k0,
                       int64_t kc, float *out) {
  const uint8_t *panel = args.packed + p * args.panelBytes;
  for (int64_t r = 0; r < kc; ++r) {
    int64_t row = k0 + r;
    int64_t param = (p * args.numGroups + row / args.groupSize) * kLlmoPanelN;
    __m256 w0, w1;
    dequantRow<bits>(panel, row, args.scales + param, args.zeroPoints + param,
                     w0, w1);
    _mm256_storeu_ps(out + r * kLlmoPanelN, w0);
    _mm256_storeu_ps(out + r * kLlmoPanelN + 8, w1);
  }
}

} // namespace

void setGemvConversionForTesting(int mode) {
  gemvConversionOverride.store(mode, std::memory_order_relaxed);
}

void kernelWeightQuantLinear(void *ctx, const int64_t *desc, void *const *ops) {
  WeightQuantArgs args;
  args.m = desc[0];
  args.n = desc[1];
  args.k = desc[2];
  int bits = (int)desc[3];
  args.groupSize = desc[4];
  args.numGroups = (args.k + args.groupSize - 1) / args.groupSize;
  args.x = (const float *)ops[0];
  args.packed = (const uint8_t *)ops[1];
  args.scales = (const float *)ops[2];
  args.zeroPoints = (const float *)ops[3];
  args.epilogue = {desc[5] ? (const float *)ops[4] : nullptr, desc[6],
                   desc[7] ? (const float *)ops[5] : nullptr};
  args.out = (float *)ops[6];
  args.panelBytes = weightQuantPanelBytes(args.k, bits);
  ExecContext &ec = contextOf(ctx);
  int64_t panels = numPanels(args.n);
  if (args.k == 0) {
    std::fill(args.out, args.out + args.m * args.n, 0.0f);
    applyEpilogue(args.out, args.n, args.m, args.n, args.epilogue, 0, 0);
    return;
  }
  int64_t numGroups = args.numGroups;
  // Decode (m <= 4): the GEMV, with the prepared activations in worker 0's
  // scratch (read by all workers). Groups must start on its row blocks.
  size_t gemvFloats = bits == 4 ? gemvInputFloats<4>(args.m, args.k)
                                : gemvInputFloats<8>(args.m, args.k);
  bool gemv = args.m <= 4 &&
              (gemvFloats + args.m * numGroups) * sizeof(float) <=
                  kScratchBytesPerWorker &&
              (numGroups == 1 || args.groupSize % (32 / bits) == 0);
  if (gemv) {
    float *prepared = (float *)ec.workerScratch(0);
    float *sums = prepared + gemvFloats;
    bool denormal = useDenormalConversion();
    GemvInputs in = bits == 4 ? prepareGemv<4>(args, denormal, prepared, sums)
                              : prepareGemv<8>(args, denormal, prepared, sums);
    ec.pool->parallelFor(panels, 1, [&](int64_t begin, int64_t end, int) {
      if (!denormal) {
        for (int64_t p = begin; p < end; ++p)
          bits == 4 ? gemvRows<4, false>(args, in, p)
                    : gemvRows<8, false>(args, in, p);
        return;
      }
      // The denormal weight lanes must not read as zero (DAZ, MXCSR bit 6,
      // is per thread and may be set by the host application).
      unsigned csr = _mm_getcsr();
      if (csr & 0x40)
        _mm_setcsr(csr & ~0x40u);
      for (int64_t p = begin; p < end; ++p)
        bits == 4 ? gemvRows<4, true>(args, in, p)
                  : gemvRows<8, true>(args, in, p);
      if (csr & 0x40)
        _mm_setcsr(csr);
    });
    return;
  }
  blockedGemm(ec, args.m, args.n, args.k, args.x, args.epilogue, args.out,
              [&](int64_t p, int64_t k0, int64_t kc, float *scratch) {
                bits == 4 ? dequantPanelBlock<4>(args, p, k0, kc, scratch)
                          : dequantPanelBlock<8>(args, p, k0, kc, scratch);
                return (const float *)scratch;
              });
}

} // namespace llmo::rt
