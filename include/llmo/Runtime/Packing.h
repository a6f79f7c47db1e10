//===- Packing.h - Compile-time weight layouts of the CPU kernels ---------===//
//
// The code generator packs every linear's weight once, at compile time, into
// the layout its kernel streams; the runtime memory-maps the result. These
// functions are the single definition of those layouts (used by the compiler
// and by the kernel tests). No LLVM dependency.
//
// All layouts split the N output columns into panels of kLlmoPanelN (16)
// columns, zero-padded; each panel's K rows are contiguous so a panel is
// streamed once per row block of the activations.
//
//===----------------------------------------------------------------------===//

#ifndef LLMO_RUNTIME_PACKING_H
#define LLMO_RUNTIME_PACKING_H

#include <cstddef>
#include <cstdint>

namespace llmo::rt {

int64_t numPanels(int64_t n);

/// fp32: panel p holds rows k = 0..K-1 of columns [16p, 16p+16), 16 floats
/// per row.
size_t packedSgemmBytes(int64_t k, int64_t n);
void packSgemm(const float *weight, int64_t k, int64_t n, float *out);

/// int8 for the vpmaddwd kernel: K is padded to even; for every pair of rows
/// (2r, 2r+1) a panel stores 16 columns as interleaved pairs
/// [w(2r,c0), w(2r+1,c0), w(2r,c1), w(2r+1,c1), ...] (32 bytes).
size_t packedInt8Bytes(int64_t k, int64_t n);
void packInt8(const int8_t *weight, int64_t k, int64_t n, int8_t *out);

/// Weight-only quantized (4 or 8 bits), values stored unsigned: u = q - qmin
/// of the signed storage type (q + 8 for i4, q + 128 for i8), so that
/// w = (u - zpu) * scale with zpu = zero_point - qmin kept as a float.
/// Per panel, blocks of R = 32 / bits rows (K padded to a multiple of R):
/// 16 little-endian 32-bit words (64 bytes), word c holding column c with
/// row R b + r of the block in bits [bits r, bits (r + 1)) (padding rows
/// 0), so that the decode kernel extracts a row with a mask, no shuffle.
/// Scales and zero points: [numPanels][numGroups][16] floats, group g
/// covering rows [g*groupSize, (g+1)*groupSize): a panel's parameters are
/// contiguous, read in order as the decode kernel streams the panel.
size_t packedWeightQuantBytes(int64_t k, int64_t n, int bits);
size_t weightQuantParamFloats(int64_t k, int64_t n, int64_t groupSize);
/// `q` is the signed quantized weight [K, N] (one value per element, in
/// [-8, 7] or [-128, 127]); scales/zeroPoints are [numGroups, N] row-major.
void packWeightQuant(const int8_t *q, int64_t k, int64_t n, int bits,
                     uint8_t *out);
void packWeightQuantParams(const float *scales, const int32_t *zeroPoints,
                           int64_t k, int64_t n, int64_t groupSize, int bits,
                           float *outScales, float *outZeroPoints);

/// W4A8 (4-bit weights x per-token int8 activations, kLlmoKernelW4A8Linear)
/// for vpmaddubsw: values stored unsigned, u = q + 8 (q in [-8, 7]). K is
/// padded to a multiple of 4 (padding u = 8, i.e. q = 0). For every quad of
/// rows 4t..4t+3 a panel holds 32 bytes: byte 2c + j has u(4t + j, c) in its
/// low nibble and u(4t + 2 + j, c) in its high nibble, so a mask (and a
/// shift) gives the u8 pairs that vpmaddubsw multiplies with the broadcast
/// activation pairs (x[4t], x[4t+1]) and (x[4t+2], x[4t+3]).
size_t packedW4A8Bytes(int64_t k, int64_t n);
void packW4A8(const int8_t *q, int64_t k, int64_t n, uint8_t *out);
/// Scales [numPanels][numGroups][16] with the 16 columns of a panel in
/// kW4A8ColumnOrder (the order the kernel's widened accumulators come out
/// in); `scales` is [numGroups, N] row-major.
size_t w4a8ScaleFloats(int64_t k, int64_t n, int64_t groupSize);
void packW4A8Scales(const float *scales, int64_t k, int64_t n,
                    int64_t groupSize, float *out);
/// Lane i of the kernel's accumulators holds panel column
/// kW4A8ColumnOrder[i] (unpacklo/hi interleave within 128-bit lanes).
inline constexpr int kW4A8ColumnOrder[16] = {0, 1, 2, 3, 8,  9,  10, 11,
                                             4, 5, 6, 7, 12, 13, 14, 15};

} // namespace llmo::rt

#endif // LLMO_RUNTIME_PACKING_H
