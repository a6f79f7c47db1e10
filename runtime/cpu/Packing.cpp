//===- Packing.cpp - Compile-time weight layouts --------------------------===//

#include "llmo/Runtime/Packing.h"
#include "llmo/Runtime/KernelAbi.h"

#include <cstring>

namespace llmo::rt {

int64_t numPanels(int64_t n) { return (n + kLlmoPanelN - 1) / kLlmoPanelN; }

size_t packedSgemmBytes(int64_t k, int64_t n) {
  return (size_t)numPanels(n) * k * kLlmoPanelN * sizeof(float);
}

void packSgemm(const float *weight, int64_t k, int64_t n, float *out) {
  for (int64_t p = 0; p < numPanels(n); ++p)
    for (int64_t r = 0; r < k; ++r)
      for (int64_t c = 0; c < kLlmoPanelN; ++c) {
        int64_t col = p * kLlmoPanelN + c;
        *out++ = col < n ? weight[r * n + col] : 0.0f;
      }
}

size_t packedInt8Bytes(int64_t k, int64_t n) {
  return (size_t)numPanels(n) * ((k + 1) / 2) * 2 * kLlmoPanelN;
}

void packInt8(const int8_t *weight, int64_t k, int64_t n, int8_t *out) {
  auto at = [&](int64_t r, int64_t col) -> int8_t {
    return r < k && col < n ? weight[r * n + col] : 0;
  };
  for (int64_t p = 0; p < numPanels(n); ++p)
    for (int64_t r = 0; r < k; r += 2)
      for (int64_t c = 0; c < kLlmoPanelN; ++c) {
        int64_t col = p * kLlmoPanelN + c;
        *out++ = at(r, col);
        *out++ = at(r + 1, col);
      }
}

size_t packedWeightQuantBytes(int64_t k, int64_t n, int bits) {
  int64_t rows = 32 / bits;
  return (size_t)numPanels(n) * ((k + rows - 1) / rows * 64);
}

size_t weightQuantParamFloats(int64_t k, int64_t n, int64_t groupSize) {
  int64_t groups = (k + groupSize - 1) / groupSize;
  return (size_t)groups * numPanels(n) * kLlmoPanelN;
}

void packWeightQuant(const int8_t *q, int64_t k, int64_t n, int bits,
                     uint8_t *out) {
  int offset = bits == 4 ? 8 : 128;
  auto at = [&](int64_t r, int64_t col) -> uint8_t {
    return col < n ? (uint8_t)(q[r * n + col] + offset) : (uint8_t)offset;
  };
  // Blocks of 32 / bits rows, 16 little-endian words each; rows past K
  // stay 0.
  int rows = 32 / bits;
  uint32_t field = (1u << bits) - 1;
  for (int64_t p = 0; p < numPanels(n); ++p)
    for (int64_t b = 0; b < (k + rows - 1) / rows; ++b)
      for (int c = 0; c < kLlmoPanelN; ++c) {
        uint32_t word = 0;
        for (int r = 0; r < rows && b * rows + r < k; ++r)
          word |= (at(b * rows + r, p * kLlmoPanelN + c) & field) << (bits * r);
        for (int byte = 0; byte < 4; ++byte)
          *out++ = (uint8_t)(word >> (8 * byte));
      }
}

void packWeightQuantParams(const float *scales, const int32_t *zeroPoints,
                           int64_t k, int64_t n, int64_t groupSize, int bits,
                           float *outScales, float *outZeroPoints) {
  int64_t groups = (k + groupSize - 1) / groupSize;
  int offset = bits == 4 ? 8 : 128;
  for (int64_t p = 0; p < numPanels(n); ++p)
    for (int64_t g = 0; g < groups; ++g)
      for (int c = 0; c < kLlmoPanelN; ++c) {
        int64_t col = p * kLlmoPanelN + c;
        bool real = col < n;
        *outScales++ = real ? scales[g * n + col] : 0.0f;
        *outZeroPoints++ =
            (float)((real ? zeroPoints[g * n + col] : 0) + offset);
      }
}

size_t packedW4A8Bytes(int64_t k, int64_t n) {
  return (size_t)numPanels(n) * ((k + 3) / 4) * 32;
}

void packW4A8(const int8_t *q, int64_t k, int64_t n, uint8_t *out) {
  auto at = [&](int64_t r, int64_t col) -> uint8_t {
    return r < k && col < n ? (uint8_t)(q[r * n + col] + 8) : (uint8_t)8;
  };
  for (int64_t p = 0; p < numPanels(n); ++p)
    for (int64_t t = 0; t < (k + 3) / 4; ++t)
      for (int c = 0; c < kLlmoPanelN; ++c)
        for (int j = 0; j < 2; ++j) {
          int64_t col = p * kLlmoPanelN + c;
          *out++ = (uint8_t)((at(4 * t + j, col) & 15) |
                             (at(4 * t + 2 + j, col) & 15) << 4);
        }
}

size_t w4a8ScaleFloats(int64_t k, int64_t n, int64_t groupSize) {
  int64_t groups = (k + groupSize - 1) / groupSize;
  return (size_t)numPanels(n) * groups * kLlmoPanelN;
}

void packW4A8Scales(const float *scales, int64_t k, int64_t n,
                    int64_t groupSize, float *out) {
  int64_t groups = (k + groupSize - 1) / groupSize;
  for (int64_t p = 0; p < numPanels(n); ++p)
    for (int64_t g = 0; g < groups; ++g)
      for (int i = 0; i < kLlmoPanelN; ++i) {
        int64_t col = p * kLlmoPanelN + kW4A8ColumnOrder[i];
        *out++ = col < n ? scales[g * n + col] : 0.0f;
      }
}

} // namespace llmo::rt
