//===- Norm.cpp - layer/RMS normalization, softmax and reductions ---------===//
//
// Row statistics are accumulated in 8 float lanes (two passes for the
// variance, as the interpreter does), which stays within 1e-6 relative of
// its double accumulation for the row lengths of transformer layers.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"
#include "VectorMath.h"

#include <algorithm>
#include <cmath>
#include <immintrin.h>

namespace llmo::rt {
namespace {

float horizontalSum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

float horizontalMax(__m256 v) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

/// sum((row[i] - center)^2) or sum(row[i]) when `squares` is false.
float rowSum(const float *row, int64_t n, float center, bool squares) {
  __m256 acc = _mm256_setzero_ps(), c = _mm256_set1_ps(center);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_loadu_ps(row + i);
    if (squares) {
      v = _mm256_sub_ps(v, c);
      acc = _mm256_fmadd_ps(v, v, acc);
    } else {
      acc = _mm256_add_ps(acc, v);
    }
  }
  float sum = horizontalSum(acc);
  for (; i < n; ++i)
    sum += squares ? (row[i] - center) * (row[i] - center) : row[i];
  return sum;
}

/// One row of layer (or RMS) normalization into dst.
void normalizeRow(const float *row, int64_t cols, float epsilon,
                  const float *scale, const float *bias, bool rms, float *dst) {
  float mean = rms ? 0.0f : rowSum(row, cols, 0, false) / (float)cols;
  float var = rowSum(row, cols, mean, true) / (float)cols;
  float inv = (float)(1.0 / std::sqrt((double)var + (double)epsilon));
  __m256 m = _mm256_set1_ps(mean), iv = _mm256_set1_ps(inv);
  int64_t i = 0;
  for (; i + 8 <= cols; i += 8) {
    __m256 v = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(row + i), m), iv);
    v = _mm256_mul_ps(v, _mm256_loadu_ps(scale + i));
    if (bias)
      v = _mm256_add_ps(v, _mm256_loadu_ps(bias + i));
    _mm256_storeu_ps(dst + i, v);
  }
  for (; i < cols; ++i)
    dst[i] = (row[i] - mean) * inv * scale[i] + (bias ? bias[i] : 0.0f);
}

void normalize(void *ctx, const int64_t *desc, void *const *ops, bool rms) {
  int64_t rows = desc[0], cols = desc[1];
  float epsilon = floatFromBits(desc[2]);
  bool hasBias = !rms && desc[3];
  const float *x = (const float *)ops[0], *scale = (const float *)ops[1];
  const float *bias = hasBias ? (const float *)ops[2] : nullptr;
  float *out = (float *)ops[rms ? 2 : 3];
  contextOf(ctx).pool->parallelFor(
      rows, 4, [&](int64_t begin, int64_t end, int) {
        for (int64_t r = begin; r < end; ++r)
          normalizeRow(x + r * cols, cols, epsilon, scale, bias, rms,
                       out + r * cols);
      });
}

} // namespace

void kernelLayerNorm(void *ctx, const int64_t *desc, void *const *ops) {
  normalize(ctx, desc, ops, /*rms=*/false);
}

void kernelRmsNorm(void *ctx, const int64_t *desc, void *const *ops) {
  normalize(ctx, desc, ops, /*rms=*/true);
}

void kernelNormQuantize(void *ctx, const int64_t *desc, void *const *ops) {
  int64_t rows = desc[0], cols = desc[1];
  float epsilon = floatFromBits(desc[2]);
  bool rms = desc[4];
  const float *bias = !rms && desc[3] ? (const float *)ops[2] : nullptr;
  bool isUnsigned = desc[5] == kLlmoU8;
  float qscale = floatFromBits(desc[6]);
  int64_t zp = desc[7], qmin = desc[8], qmax = desc[9];
  const float *x = (const float *)ops[0], *scale = (const float *)ops[1];
  ExecContext &ec = contextOf(ctx);
  ec.pool->parallelFor(rows, 4, [&](int64_t begin, int64_t end, int worker) {
    float *normalized = (float *)ec.workerScratch(worker);
    for (int64_t r = begin; r < end; ++r) {
      normalizeRow(x + r * cols, cols, epsilon, scale, bias, rms, normalized);
      for (int64_t i = 0; i < cols; ++i) {
        int64_t q = quantizeToInt(normalized[i], qscale, zp, qmin, qmax);
        if (isUnsigned)
          ((uint8_t *)ops[3])[r * cols + i] = (uint8_t)q;
        else
          ((int8_t *)ops[3])[r * cols + i] = (int8_t)q;
      }
    }
  });
}

void kernelSoftmax(void *ctx, const int64_t *desc, void *const *ops) {
  int64_t outer = desc[0], size = desc[1], inner = desc[2];
  const float *in = (const float *)ops[0];
  float *out = (float *)ops[1];
  contextOf(ctx).pool->parallelFor(
      outer * inner, 4, [&](int64_t begin, int64_t end, int) {
        for (int64_t item = begin; item < end; ++item) {
          int64_t o = item / inner, i = item % inner;
          const float *row = in + o * size * inner + i;
          float *dst = out + o * size * inner + i;
          if (inner == 1) {
            __m256 mx = _mm256_set1_ps(-INFINITY);
            int64_t s = 0;
            for (; s + 8 <= size; s += 8)
              mx = _mm256_max_ps(mx, _mm256_loadu_ps(row + s));
            float maxValue = horizontalMax(mx);
            for (; s < size; ++s)
              maxValue = std::max(maxValue, row[s]);
            __m256 m = _mm256_set1_ps(maxValue), acc = _mm256_setzero_ps();
            for (s = 0; s + 8 <= size; s += 8) {
              __m256 e = expPs(_mm256_sub_ps(_mm256_loadu_ps(row + s), m));
              _mm256_storeu_ps(dst + s, e);
              acc = _mm256_add_ps(acc, e);
            }
            float sum = horizontalSum(acc);
            for (; s < size; ++s)
              sum += dst[s] = std::exp(row[s] - maxValue);
            __m256 inv = _mm256_set1_ps(1.0f / sum);
            for (s = 0; s + 8 <= size; s += 8)
              _mm256_storeu_ps(dst + s,
                               _mm256_mul_ps(_mm256_loadu_ps(dst + s), inv));
            for (; s < size; ++s)
              dst[s] /= sum;
            continue;
          }
          float maxValue = -INFINITY;
          for (int64_t s = 0; s < size; ++s)
            maxValue = std::max(maxValue, row[s * inner]);
          float sum = 0;
          for (int64_t s = 0; s < size; ++s)
            sum += dst[s * inner] = std::exp(row[s * inner] - maxValue);
          for (int64_t s = 0; s < size; ++s)
            dst[s * inner] /= sum;
        }
      });
}

void kernelReduce(void *ctx, const int64_t *desc, void *const *ops) {
  int64_t opcode = desc[0], outer = desc[1], size = desc[2], inner = desc[3];
  const float *in = (const float *)ops[0];
  float *out = (float *)ops[1];
  contextOf(ctx).pool->parallelFor(
      outer * inner, 16, [&](int64_t begin, int64_t end, int) {
        for (int64_t item = begin; item < end; ++item) {
          int64_t o = item / inner, i = item % inner;
          const float *row = in + o * size * inner + i;
          double acc = opcode == kLlmoReduceMax   ? -INFINITY
                       : opcode == kLlmoReduceMin ? INFINITY
                                                  : 0.0;
          for (int64_t s = 0; s < size; ++s) {
            double v = row[s * inner];
            if (opcode == kLlmoReduceMax)
              acc = std::max(acc, v);
            else if (opcode == kLlmoReduceMin)
              acc = std::min(acc, v);
            else
              acc += v;
          }
          if (opcode == kLlmoReduceMean && size)
            acc /= size;
          out[item] = (float)acc;
        }
      });
}

const llmo_kernel_fn *kernelTable() {
  static const llmo_kernel_fn table[kLlmoNumKernels] = {kernelCopy,
                                                        kernelStridedCopy,
                                                        kernelBinary,
                                                        kernelUnary,
                                                        kernelWhere,
                                                        kernelCast,
                                                        kernelGather,
                                                        kernelLayerNorm,
                                                        kernelRmsNorm,
                                                        kernelSoftmax,
                                                        kernelReduce,
                                                        kernelLinearF32,
                                                        kernelMatmul,
                                                        kernelQLinear,
                                                        kernelDynamicQLinear,
                                                        kernelWeightQuantLinear,
                                                        kernelQuantize,
                                                        kernelDequantize,
                                                        kernelDynamicQuantize,
                                                        kernelAttention,
                                                        kernelNormQuantize,
                                                        kernelLoop,
                                                        kernelW4A8Linear};
  return table;
}

} // namespace llmo::rt
