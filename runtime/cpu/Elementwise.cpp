//===- Elementwise.cpp - elementwise, data movement and quantize kernels --===//

#include "Kernels.h"
#include "VectorMath.h"

#include <algorithm>
#include <cmath>
#include <immintrin.h>
#include <limits>

namespace llmo::rt {
namespace {

/// Calls fn(outerIndex, offsets...) for every row of a rank-R iteration space
/// (all dims but the innermost), with the per-operand element offsets of the
/// row's first element; rows are spread over the pool.
template <int NumOperands, typename Fn>
void forEachRow(void *ctx, int64_t rank, const int64_t *dims,
                const int64_t *const strides[NumOperands], Fn fn) {
  int64_t rows = 1;
  for (int64_t d = 0; d + 1 < rank; ++d)
    rows *= dims[d];
  int64_t inner = rank ? dims[rank - 1] : 1;
  int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(inner, 1));
  contextOf(ctx).pool->parallelFor(
      rows, grain, [&](int64_t begin, int64_t end, int) {
        for (int64_t row = begin; row < end; ++row) {
          int64_t offsets[NumOperands] = {};
          int64_t rest = row;
          for (int64_t d = rank - 2; d >= 0; --d) {
            int64_t index = rest % dims[d];
            rest /= dims[d];
            for (int j = 0; j < NumOperands; ++j)
              offsets[j] += index * strides[j][d];
          }
          fn(row, offsets);
        }
      });
}

template <typename T> T wrapAdd(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return (T)((U)a + (U)b);
}
template <typename T> T wrapSub(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return (T)((U)a - (U)b);
}
template <typename T> T wrapMul(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return (T)((U)a * (U)b);
}

template <typename T, typename R, typename Op>
void binaryTyped(void *ctx, int64_t rank, const int64_t *dims,
                 const int64_t *aStrides, const int64_t *bStrides,
                 const void *aData, const void *bData, void *outData, Op op) {
  const T *a = (const T *)aData, *b = (const T *)bData;
  R *out = (R *)outData;
  int64_t inner = rank ? dims[rank - 1] : 1;
  int64_t as = rank ? aStrides[rank - 1] : 0,
          bs = rank ? bStrides[rank - 1] : 0;
  const int64_t *strides[2] = {aStrides, bStrides};
  forEachRow<2>(ctx, rank, dims, strides, [&](int64_t row, int64_t *off) {
    const T *ar = a + off[0], *br = b + off[1];
    R *o = out + row * inner;
    if (as == 1 && bs == 1)
      for (int64_t i = 0; i < inner; ++i)
        o[i] = op(ar[i], br[i]);
    else if (as == 1 && bs == 0)
      for (int64_t i = 0; i < inner; ++i)
        o[i] = op(ar[i], br[0]);
    else if (as == 0 && bs == 1)
      for (int64_t i = 0; i < inner; ++i)
        o[i] = op(ar[0], br[i]);
    else
      for (int64_t i = 0; i < inner; ++i)
        o[i] = op(ar[i * as], br[i * bs]);
  });
}

template <typename T>
void binaryArith(void *ctx, int64_t opcode, int64_t rank, const int64_t *dims,
                 const int64_t *as, const int64_t *bs, void *const *ops) {
  auto run = [&](auto op) {
    binaryTyped<T, T>(ctx, rank, dims, as, bs, ops[0], ops[1], ops[2], op);
  };
  auto compare = [&](auto op) {
    binaryTyped<T, uint8_t>(ctx, rank, dims, as, bs, ops[0], ops[1], ops[2],
                            op);
  };
  constexpr bool isFloat = std::is_floating_point_v<T>;
  switch (opcode) {
  case kLlmoBinAdd:
    if constexpr (isFloat)
      return run([](T x, T y) { return x + y; });
    else
      return run([](T x, T y) { return wrapAdd(x, y); });
  case kLlmoBinSub:
    if constexpr (isFloat)
      return run([](T x, T y) { return x - y; });
    else
      return run([](T x, T y) { return wrapSub(x, y); });
  case kLlmoBinMul:
    if constexpr (isFloat)
      return run([](T x, T y) { return x * y; });
    else
      return run([](T x, T y) { return wrapMul(x, y); });
  case kLlmoBinDiv:
    if constexpr (isFloat)
      return run([](T x, T y) { return x / y; });
    else
      return run([](T x, T y) -> T {
        if (y == 0)
          return 0; // rejected by the interpreter; defined here
        if (y == -1)
          return wrapSub((T)0, x);
        return x / y;
      });
  case kLlmoBinPow:
    return run([](T x, T y) { return (T)std::pow((double)x, (double)y); });
  case kLlmoBinMax:
    return run([](T x, T y) { return std::max(x, y); });
  case kLlmoBinMin:
    return run([](T x, T y) { return std::min(x, y); });
  case kLlmoBinAnd:
    return run([](T x, T y) { return (T)(x && y); });
  case kLlmoBinOr:
    return run([](T x, T y) { return (T)(x || y); });
  case kLlmoBinEqual:
    return compare([](T x, T y) { return (uint8_t)(x == y); });
  case kLlmoBinLess:
    return compare([](T x, T y) { return (uint8_t)(x < y); });
  case kLlmoBinLessEqual:
    return compare([](T x, T y) { return (uint8_t)(x <= y); });
  case kLlmoBinGreater:
    return compare([](T x, T y) { return (uint8_t)(x > y); });
  case kLlmoBinGreaterEqual:
    return compare([](T x, T y) { return (uint8_t)(x >= y); });
  }
}

float gelu(float x) {
  return 0.5f * x * (1.0f + std::erf(x / std::sqrt(2.0f)));
}

/// Applies a vector function to 8 floats at a time, scalar `tail` fallback.
template <typename VecFn, typename ScalarFn>
void mapFloats(void *ctx, const float *in, float *out, int64_t count, VecFn vec,
               ScalarFn scalar) {
  contextOf(ctx).pool->parallelFor(
      (count + 7) / 8, 2048, [&](int64_t begin, int64_t end, int) {
        int64_t i = begin * 8, stop = std::min(count, end * 8);
        for (; i + 8 <= stop; i += 8)
          _mm256_storeu_ps(out + i, vec(_mm256_loadu_ps(in + i)));
        for (; i < stop; ++i)
          out[i] = scalar(in[i]);
      });
}

template <typename T>
void unaryInt(int64_t opcode, const T *in, T *out, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    T x = in[i];
    switch (opcode) {
    case kLlmoUnNeg:
      out[i] = wrapSub((T)0, x);
      break;
    case kLlmoUnAbs:
      out[i] = x < 0 ? wrapSub((T)0, x) : x;
      break;
    case kLlmoUnRelu:
      out[i] = x < 0 ? 0 : x;
      break;
    case kLlmoUnNot:
      out[i] = !x;
      break;
    default:
      out[i] = x;
      break;
    }
  }
}

/// As the interpreter's cast: to bool is `!= 0`; float to integer rounds
/// toward zero and saturates (NaN -> 0); integer to integer wraps.
template <typename From, typename To>
void castTyped(const void *in, void *out, int64_t count, bool toBool) {
  const From *src = (const From *)in;
  To *dst = (To *)out;
  for (int64_t i = 0; i < count; ++i) {
    From x = src[i];
    if (toBool) {
      dst[i] = (To)(x != 0);
    } else if constexpr (std::is_floating_point_v<From> &&
                         !std::is_floating_point_v<To>) {
      double v = std::trunc((double)x);
      if (std::isnan(v))
        dst[i] = 0;
      else if (v <= (double)std::numeric_limits<To>::min())
        dst[i] = std::numeric_limits<To>::min();
      else if (v >= (double)std::numeric_limits<To>::max())
        dst[i] = std::numeric_limits<To>::max();
      else
        dst[i] = (To)v;
    } else if constexpr (!std::is_floating_point_v<To>) {
      using U = std::make_unsigned_t<To>;
      dst[i] = (To)(U)(uint64_t)(int64_t)x; // two's-complement wrap
    } else {
      dst[i] = (To)x;
    }
  }
}

template <typename From>
void castFrom(int64_t to, const void *in, void *out, int64_t count) {
  switch (to) {
  case kLlmoF32:
    return castTyped<From, float>(in, out, count, false);
  case kLlmoI64:
    return castTyped<From, int64_t>(in, out, count, false);
  case kLlmoI32:
    return castTyped<From, int32_t>(in, out, count, false);
  case kLlmoBool:
    return castTyped<From, uint8_t>(in, out, count, true);
  case kLlmoI8:
    return castTyped<From, int8_t>(in, out, count, false);
  case kLlmoU8:
    return castTyped<From, uint8_t>(in, out, count, false);
  }
}

} // namespace

void kernelCopy(void *, const int64_t *desc, void *const *ops) {
  if (ops[0] != ops[1])
    std::memmove(ops[1], ops[0], (size_t)desc[0]);
}

void kernelStridedCopy(void *ctx, const int64_t *desc, void *const *ops) {
  int64_t elemBytes = desc[0], rank = desc[1];
  const int64_t *dims = desc + 2, *src = dims + rank, *dst = src + rank;
  const int64_t *strides[2] = {src, dst};
  int64_t inner = rank ? dims[rank - 1] : 1;
  int64_t ss = rank ? src[rank - 1] : 1, ds = rank ? dst[rank - 1] : 1;
  const uint8_t *in = (const uint8_t *)ops[0];
  uint8_t *out = (uint8_t *)ops[1];
  forEachRow<2>(ctx, rank, dims, strides, [&](int64_t, int64_t *off) {
    const uint8_t *s = in + off[0] * elemBytes;
    uint8_t *d = out + off[1] * elemBytes;
    if (ss == 1 && ds == 1) {
      std::memcpy(d, s, inner * elemBytes);
    } else if (elemBytes == 4) {
      for (int64_t i = 0; i < inner; ++i)
        std::memcpy(d + i * ds * 4, s + i * ss * 4, 4);
    } else {
      for (int64_t i = 0; i < inner; ++i)
        std::memcpy(d + i * ds * elemBytes, s + i * ss * elemBytes, elemBytes);
    }
  });
}

void kernelBinary(void *ctx, const int64_t *desc, void *const *ops) {
  int64_t opcode = desc[0], type = desc[1], rank = desc[3];
  const int64_t *dims = desc + 4, *as = dims + rank, *bs = as + rank;
  switch (type) {
  case kLlmoF32:
    return binaryArith<float>(ctx, opcode, rank, dims, as, bs, ops);
  case kLlmoI64:
    return binaryArith<int64_t>(ctx, opcode, rank, dims, as, bs, ops);
  case kLlmoI32:
    return binaryArith<int32_t>(ctx, opcode, rank, dims, as, bs, ops);
  case kLlmoI8:
    return binaryArith<int8_t>(ctx, opcode, rank, dims, as, bs, ops);
  case kLlmoBool:
  case kLlmoU8:
    return binaryArith<uint8_t>(ctx, opcode, rank, dims, as, bs, ops);
  }
}

void kernelUnary(void *ctx, const int64_t *desc, void *const *ops) {
  int64_t opcode = desc[0], type = desc[1], count = desc[2];
  if (type != kLlmoF32) {
    switch (type) {
    case kLlmoI64:
      return unaryInt((int64_t)opcode, (const int64_t *)ops[0],
                      (int64_t *)ops[1], count);
    case kLlmoI32:
      return unaryInt((int64_t)opcode, (const int32_t *)ops[0],
                      (int32_t *)ops[1], count);
    case kLlmoI8:
      return unaryInt((int64_t)opcode, (const int8_t *)ops[0], (int8_t *)ops[1],
                      count);
    default:
      return unaryInt((int64_t)opcode, (const uint8_t *)ops[0],
                      (uint8_t *)ops[1], count);
    }
  }
  const float *in = (const float *)ops[0];
  float *out = (float *)ops[1];
  const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f);
  switch (opcode) {
  case kLlmoUnExp:
    return mapFloats(ctx, in, out, count, expPs,
                     [](float x) { return std::exp(x); });
  case kLlmoUnErf:
    return mapFloats(ctx, in, out, count, erfPs,
                     [](float x) { return std::erf(x); });
  case kLlmoUnTanh:
    return mapFloats(ctx, in, out, count, tanhPs,
                     [](float x) { return std::tanh(x); });
  case kLlmoUnSigmoid:
    return mapFloats(ctx, in, out, count, sigmoidPs,
                     [](float x) { return 1.0f / (1.0f + std::exp(-x)); });
  case kLlmoUnSilu:
    return mapFloats(
        ctx, in, out, count,
        [](__m256 x) { return _mm256_mul_ps(x, sigmoidPs(x)); },
        [](float x) { return x / (1.0f + std::exp(-x)); });
  case kLlmoUnGeluErf:
    return mapFloats(
        ctx, in, out, count,
        [&](__m256 x) {
          __m256 e =
              erfPs(_mm256_mul_ps(x, _mm256_set1_ps(0.70710678118654752f)));
          return _mm256_mul_ps(_mm256_mul_ps(half, x), _mm256_add_ps(one, e));
        },
        gelu);
  case kLlmoUnGeluTanh:
    return mapFloats(
        ctx, in, out, count,
        [&](__m256 x) {
          __m256 x3 = _mm256_mul_ps(_mm256_mul_ps(x, x), x);
          __m256 inner =
              _mm256_mul_ps(_mm256_set1_ps(0.7978845608028654f),
                            _mm256_fmadd_ps(_mm256_set1_ps(0.044715f), x3, x));
          return _mm256_mul_ps(_mm256_mul_ps(half, x),
                               _mm256_add_ps(one, tanhPs(inner)));
        },
        [](float x) {
          return 0.5f * x *
                 (1.0f +
                  std::tanh(0.7978845608028654f * (x + 0.044715f * x * x * x)));
        });
  default:
    break;
  }
  contextOf(ctx).pool->parallelFor(count, 8192, [&](int64_t b, int64_t e, int) {
    for (int64_t i = b; i < e; ++i) {
      float x = in[i];
      float y = x;
      switch (opcode) {
      case kLlmoUnNeg:
        y = -x;
        break;
      case kLlmoUnAbs:
        y = std::fabs(x);
        break;
      case kLlmoUnLog:
        y = std::log(x);
        break;
      case kLlmoUnSqrt:
        y = std::sqrt(x);
        break;
      case kLlmoUnRsqrt:
        y = 1.0f / std::sqrt(x);
        break;
      case kLlmoUnReciprocal:
        y = 1.0f / x;
        break;
      case kLlmoUnSin:
        y = std::sin(x);
        break;
      case kLlmoUnCos:
        y = std::cos(x);
        break;
      case kLlmoUnRelu:
        y = x < 0 ? 0.0f : x;
        break;
      case kLlmoUnFloor:
        y = std::floor(x);
        break;
      }
      out[i] = y;
    }
  });
}

void kernelWhere(void *ctx, const int64_t *desc, void *const *ops) {
  int64_t elemBytes = desc[0], rank = desc[1];
  const int64_t *dims = desc + 2, *cs = dims + rank, *as = cs + rank,
                *bs = as + rank;
  const int64_t *strides[3] = {cs, as, bs};
  int64_t inner = rank ? dims[rank - 1] : 1;
  const uint8_t *cond = (const uint8_t *)ops[0];
  const uint8_t *a = (const uint8_t *)ops[1], *b = (const uint8_t *)ops[2];
  uint8_t *out = (uint8_t *)ops[3];
  int64_t ci = rank ? cs[rank - 1] : 0, ai = rank ? as[rank - 1] : 0,
          bi = rank ? bs[rank - 1] : 0;
  forEachRow<3>(ctx, rank, dims, strides, [&](int64_t row, int64_t *off) {
    for (int64_t i = 0; i < inner; ++i) {
      bool c = cond[off[0] + i * ci];
      const uint8_t *src = c ? a + (off[1] + i * ai) * elemBytes
                             : b + (off[2] + i * bi) * elemBytes;
      std::memcpy(out + (row * inner + i) * elemBytes, src, elemBytes);
    }
  });
}

void kernelCast(void *, const int64_t *desc, void *const *ops) {
  int64_t from = desc[0], to = desc[1], count = desc[2];
  switch (from) {
  case kLlmoF32:
    return castFrom<float>(to, ops[0], ops[1], count);
  case kLlmoI64:
    return castFrom<int64_t>(to, ops[0], ops[1], count);
  case kLlmoI32:
    return castFrom<int32_t>(to, ops[0], ops[1], count);
  case kLlmoI8:
    return castFrom<int8_t>(to, ops[0], ops[1], count);
  default:
    return castFrom<uint8_t>(to, ops[0], ops[1], count);
  }
}

void kernelGather(void *ctx, const int64_t *desc, void *const *ops) {
  int64_t indexType = desc[0], elemBytes = desc[1], outer = desc[2],
          axisDim = desc[3], inner = desc[4], numIndices = desc[5];
  const uint8_t *data = (const uint8_t *)ops[0];
  uint8_t *out = (uint8_t *)ops[2];
  size_t rowBytes = inner * elemBytes;
  contextOf(ctx).pool->parallelFor(
      outer * numIndices, 64, [&](int64_t begin, int64_t end, int) {
        for (int64_t item = begin; item < end; ++item) {
          int64_t o = item / numIndices, i = item % numIndices;
          int64_t index = indexType == kLlmoI64 ? ((const int64_t *)ops[1])[i]
                                                : ((const int32_t *)ops[1])[i];
          if (index < 0)
            index += axisDim;
          index = std::clamp<int64_t>(index, 0, axisDim - 1);
          std::memcpy(out + item * rowBytes,
                      data + (o * axisDim + index) * rowBytes, rowBytes);
        }
      });
}

void quantizeSpan(const float *in, int64_t count, float scale, int64_t zp,
                  int64_t qmin, int64_t qmax, int64_t type, void *out) {
  const __m256 sv = _mm256_set1_ps(scale), zv = _mm256_set1_ps((float)zp),
               lo = _mm256_set1_ps((float)qmin),
               hi = _mm256_set1_ps((float)qmax);
  int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    __m256 x = _mm256_loadu_ps(in + i);
    // Rounded quotients beyond +-2^24 saturate either way, so adding the
    // zero point in float is exact wherever it matters.
    __m256 v = _mm256_add_ps(
        _mm256_round_ps(_mm256_div_ps(x, sv),
                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC),
        zv);
    v = _mm256_min_ps(_mm256_max_ps(v, lo), hi);
    v = _mm256_blendv_ps(v, zv, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
    __m256i q = _mm256_cvtps_epi32(v);
    __m128i words = _mm_packs_epi32(_mm256_castsi256_si128(q),
                                    _mm256_extracti128_si256(q, 1));
    __m128i bytes = type == kLlmoU8 ? _mm_packus_epi16(words, words)
                                    : _mm_packs_epi16(words, words);
    _mm_storel_epi64((__m128i *)((uint8_t *)out + i), bytes);
  }
  for (; i < count; ++i) {
    int64_t q = quantizeToInt(in[i], scale, zp, qmin, qmax);
    if (type == kLlmoU8)
      ((uint8_t *)out)[i] = (uint8_t)q;
    else
      ((int8_t *)out)[i] = (int8_t)q;
  }
}

void kernelQuantize(void *ctx, const int64_t *desc, void *const *ops) {
  int64_t count = desc[0], type = desc[1], zp = desc[3], qmin = desc[4],
          qmax = desc[5];
  float scale = floatFromBits(desc[2]);
  const float *in = (const float *)ops[0];
  uint8_t *out = (uint8_t *)ops[1];
  contextOf(ctx).pool->parallelFor(
      (count + 8191) / 8192, 1, [&](int64_t begin, int64_t end, int) {
        int64_t i0 = begin * 8192, i1 = std::min(count, end * 8192);
        quantizeSpan(in + i0, i1 - i0, scale, zp, qmin, qmax, type, out + i0);
      });
}

void kernelDequantize(void *, const int64_t *desc, void *const *ops) {
  int64_t count = desc[0], type = desc[1], zp = desc[3];
  float scale = floatFromBits(desc[2]);
  float *out = (float *)ops[1];
  for (int64_t i = 0; i < count; ++i) {
    int64_t q = type == kLlmoU8    ? ((const uint8_t *)ops[0])[i]
                : type == kLlmoI32 ? ((const int32_t *)ops[0])[i]
                                   : ((const int8_t *)ops[0])[i];
    out[i] = (float)(q - zp) * scale;
  }
}

void kernelDynamicQuantize(void *, const int64_t *desc, void *const *ops) {
  int64_t count = desc[0];
  const float *in = (const float *)ops[0];
  uint8_t *out = (uint8_t *)ops[1];
  float lo = 0, hi = 0;
  for (int64_t i = 0; i < count; ++i)
    lo = std::min(lo, in[i]), hi = std::max(hi, in[i]);
  float s = (hi - lo) / 255.0f;
  if (s == 0) {
    *(float *)ops[2] = 1.0f;
    *(uint8_t *)ops[3] = 0;
    std::memset(out, 0, count);
    return;
  }
  float zp = std::nearbyint(std::min(std::max(0.0f - lo / s, 0.0f), 255.0f));
  *(float *)ops[2] = s;
  *(uint8_t *)ops[3] = (uint8_t)zp;
  for (int64_t i = 0; i < count; ++i)
    out[i] = (uint8_t)quantizeToInt(in[i], s, (int64_t)zp, 0, 255);
}

void kernelLoop(void *ctx, const int64_t *desc, void *const *ops) {
  int64_t extent = desc[0], perIndex = desc[1];
  auto fn = reinterpret_cast<llmo_loop_fn>(ops[0]);
  // About 32K elements per chunk: enough to amortize the dispatch, small
  // enough to share rows between workers.
  int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(1, perIndex));
  contextOf(ctx).pool->parallelFor(
      extent, grain,
      [&](int64_t begin, int64_t end, int) { fn(ops + 1, begin, end); });
}

} // namespace llmo::rt
