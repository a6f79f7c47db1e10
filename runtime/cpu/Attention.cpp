//===- Attention.cpp - Fused scaled dot-product attention -----------------===//
//
// One work item is one query row of one (batch, head): its Sk scores live in
// the worker's scratch (L1/L2), are turned into probabilities in place and
// immediately reduced against V, so the Sq x Sk score matrix is never
// written to memory.
//
// Key columns that the mask closes for every row of an item (a causal mask's
// upper triangle) are neither scored nor multiplied with V: their
// probabilities are exactly 0 (see maskedTail), so the result is the same
// bit for bit and causal prefill does about half the work.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"
#include "VectorMath.h"

#include <algorithm>
#include <cmath>
#include <immintrin.h>

namespace llmo::rt {
namespace {

/// A mask value at or below this closes a column (-inf, or the -3.4e38 of
/// torch.finfo(float32).min that Hugging Face exports add).
constexpr float kClosed = -1e30f;
/// A row's max score comes from an open column, one at or above this.
constexpr float kOpen = -1e20f;

/// The columns [0, n) an item of rows [i0, i0 + rows) must score: n - 1 is
/// the last column some row does not close, rounded up to a multiple of 8
/// so the softmax's vector loop and scalar tail split the columns as
/// before. Closed columns past it are skipped only when every row also has
/// an open column: then each skipped score is at most kClosed + |q.k|
/// scale and the row's max at least kOpen - |q.k| scale, so exp(score -
/// max) is exactly 0 in float (for |q.k| scale < 1e29), adds nothing to
/// the sum and multiplies V by 0. Otherwise (a fully closed row, unusual
/// mask values) all Sk columns are scored.
int64_t scoredColumns(const float *mask, int64_t rowStride, int64_t colStride,
                      int64_t i0, int64_t rows, int64_t sk) {
  if (colStride == 0)
    return sk;
  int64_t extent = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const float *row = mask + (i0 + r) * rowStride;
    int64_t j = sk - 1;
    while (j >= 0 && row[j * colStride] <= kClosed)
      --j;
    if (j < 0 || !(row[j * colStride] >= kOpen))
      return sk;
    extent = std::max(extent, j + 1);
  }
  return std::min(sk, (extent + 7) / 8 * 8);
}

/// scores[r * ldScores + j] = q_r . k_j for rows r < rows and keys j < n,
/// reading K row-major as it is: when a head has only one block of query
/// rows (decode), transposing K for the GEMM would cost more than the
/// products themselves. Four keys at a time share the reduction.
void directScores(const float *q, const float *k, int64_t d, int64_t rows,
                  int64_t n, float *scores, int64_t ldScores) {
  int64_t body = d / 8 * 8;
  for (int64_t r = 0; r < rows; ++r) {
    const float *qr = q + r * d;
    float *out = scores + r * ldScores;
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) {
      const float *k0 = k + j * d;
      __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
      for (int64_t t = 0; t < body; t += 8) {
        __m256 qv = _mm256_loadu_ps(qr + t);
        a0 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k0 + t), a0);
        a1 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k0 + d + t), a1);
        a2 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k0 + 2 * d + t), a2);
        a3 = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k0 + 3 * d + t), a3);
      }
      __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(a0, a1), _mm256_hadd_ps(a2, a3));
      __m128 sums =
          _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
      alignas(16) float four[4];
      _mm_store_ps(four, sums);
      for (int64_t t = body; t < d; ++t)
        for (int c = 0; c < 4; ++c)
          four[c] += qr[t] * k0[c * d + t];
      for (int c = 0; c < 4; ++c)
        out[j + c] = four[c];
    }
    for (; j < n; ++j) {
      const float *kj = k + j * d;
      __m256 a = _mm256_setzero_ps();
      for (int64_t t = 0; t < body; t += 8)
        a = _mm256_fmadd_ps(_mm256_loadu_ps(qr + t), _mm256_loadu_ps(kj + t),
                            a);
      alignas(32) float lanes[8];
      _mm256_store_ps(lanes, a);
      float sum = 0;
      for (float lane : lanes)
        sum += lane;
      for (int64_t t = body; t < d; ++t)
        sum += qr[t] * kj[t];
      out[j] = sum;
    }
  }
}

} // namespace

void kernelAttention(void *ctx, const int64_t *desc, void *const *ops) {
  int64_t batches = desc[0], sq = desc[1], sk = desc[2], d = desc[3],
          dv = desc[4];
  float scale = floatFromBits(desc[5]);
  bool hasMask = desc[6];
  int64_t rank = desc[7];
  const int64_t *dims = desc + 8, *maskStrides = dims + rank;
  int64_t kvGroup = maskStrides[rank]; // query heads per key/value head
  const float *q = (const float *)ops[0], *k = (const float *)ops[1],
              *v = (const float *)ops[2];
  const float *mask = hasMask ? (const float *)ops[3] : nullptr;
  float *out = (float *)ops[4];
  ExecContext &ec = contextOf(ctx);
  // Work item: up to kMr query rows of one (batch, head). Their scores
  // (kMr x Sk) live in scratch next to K^T of the head (transposed once per
  // head and worker), so both products run on the GEMM microkernel and the
  // Sq x Sk matrix never exists in memory.
  int64_t blocks = (sq + kMr - 1) / kMr;
  // One block per head: score against K as stored (no transpose to reuse).
  bool direct = blocks == 1;
  ec.pool->parallelFor(
      batches * blocks, 1, [&](int64_t begin, int64_t end, int worker) {
        float *kT = (float *)ec.workerScratch(worker);
        float *scores = kT + d * sk;
        int64_t head = -1; // the key head whose K^T is in scratch
        for (int64_t item = begin; item < end; ++item) {
          int64_t b = item / blocks, i0 = item % blocks * kMr;
          int64_t rows = std::min(kMr, sq - i0);
          int64_t kvHead = b / kvGroup;
          const float *kb = k + kvHead * sk * d, *vb = v + kvHead * sk * dv;
          if (!direct && kvHead != head) {
            for (int64_t j = 0; j < sk; ++j)
              for (int64_t t = 0; t < d; ++t)
                kT[t * sk + j] = kb[j * d + t];
            head = kvHead;
          }
          int64_t maskBase = 0;
          if (mask) {
            int64_t rest = b;
            for (int64_t dim = rank - 3; dim >= 0; --dim) {
              maskBase += (rest % dims[dim]) * maskStrides[dim];
              rest /= dims[dim];
            }
          }
          // Columns [n, sk) are closed for every row: not scored.
          int64_t n =
              mask ? scoredColumns(mask + maskBase, maskStrides[rank - 2],
                                   maskStrides[rank - 1], i0, rows, sk)
                   : sk;
          if (direct)
            directScores(q + (b * sq + i0) * d, kb, d, rows, n, scores, sk);
          else
            smallGemm(q + (b * sq + i0) * d, d, kT, sk, rows, n, d, scores, sk);
          __m256 sv = _mm256_set1_ps(scale);
          for (int64_t r = 0; r < rows; ++r) {
            float *row = scores + r * sk;
            const float *maskRow =
                mask ? mask + maskBase + (i0 + r) * maskStrides[rank - 2]
                     : nullptr;
            int64_t ms = mask ? maskStrides[rank - 1] : 0;
            __m256 mx = _mm256_set1_ps(-INFINITY);
            int64_t j = 0;
            for (; j + 8 <= n; j += 8) {
              __m256 s = _mm256_mul_ps(_mm256_loadu_ps(row + j), sv);
              if (maskRow)
                s = _mm256_add_ps(s, ms == 1 ? _mm256_loadu_ps(maskRow + j)
                                             : _mm256_set1_ps(maskRow[0]));
              _mm256_storeu_ps(row + j, s);
              mx = _mm256_max_ps(mx, s);
            }
            alignas(32) float lanes[8];
            _mm256_store_ps(lanes, mx);
            float maxValue = -INFINITY;
            for (float lane : lanes)
              maxValue = std::max(maxValue, lane);
            for (; j < n; ++j) {
              float s = row[j] * scale;
              if (maskRow)
                s += maskRow[j * ms];
              row[j] = s;
              maxValue = std::max(maxValue, s);
            }
            __m256 m = _mm256_set1_ps(maxValue), acc = _mm256_setzero_ps();
            for (j = 0; j + 8 <= n; j += 8) {
              __m256 e = expPs(_mm256_sub_ps(_mm256_loadu_ps(row + j), m));
              _mm256_storeu_ps(row + j, e);
              acc = _mm256_add_ps(acc, e);
            }
            _mm256_store_ps(lanes, acc);
            float sum = 0;
            for (float lane : lanes)
              sum += lane;
            for (; j < n; ++j)
              sum += row[j] = std::exp(row[j] - maxValue);
            // Normalizing the probabilities first keeps P @ V a plain GEMM.
            __m256 inv = _mm256_set1_ps(1.0f / sum);
            for (j = 0; j + 8 <= n; j += 8)
              _mm256_storeu_ps(row + j,
                               _mm256_mul_ps(_mm256_loadu_ps(row + j), inv));
            for (; j < n; ++j)
              row[j] *= 1.0f / sum;
          }
          smallGemm(scores, sk, vb, dv, rows, dv, n, out + (b * sq + i0) * dv,
                    dv);
        }
      });
}

} // namespace llmo::rt
