//===- KernelAbi.h - Contract between generated code and the runtime ------===//
//
// The code generator (lib/CodeGen) emits one function per artifact:
//
//   void llmo_entry(void *ctx, const llmo_kernel_fn *kernels,
//                   const uint8_t *weights, uint8_t *arena, void **io);
//
// whose body is straight-line: for every op it computes operand addresses
// (weights + offset, arena + offset, io[i]) and calls
// kernels[kernel_id](ctx, desc, operands) with a constant descriptor `desc`
// (int64 words, layouts below) baked into the shared object. The runtime
// passes its kernel table; the generated code has no other dependency.
//
// It also exports `const int64_t llmo_layout[]` = {arena bytes, weight bytes,
// number of io slots, bytes of io slot 0, 1, ...}: what the code assumes of
// the buffers. The runtime refuses a manifest that disagrees with it (the
// manifest sizes the buffers; the code indexes them).
//
// Floats in descriptors are stored as their IEEE-754 bit patterns in the low
// 32 bits of a word. Shapes are static; strides are in elements.
//
// Bump kLlmoKernelAbiVersion whenever a descriptor or packing changes.
//
//===----------------------------------------------------------------------===//

#ifndef LLMO_RUNTIME_KERNELABI_H
#define LLMO_RUNTIME_KERNELABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*llmo_kernel_fn)(void *ctx, const int64_t *desc,
                               void *const *operands);

enum { kLlmoKernelAbiVersion = 9, kLlmoMaxKernelRank = 8 };

/// x86 CPU features the generated code may be compiled to use, by their
/// LLVM names (which GCC's and Clang's __builtin_cpu_supports share).
/// llmo-compile records the ones its target enables in the manifest
/// (`target.requires`); the runtime refuses an artifact whose list names a
/// feature the running CPU lacks or that it does not know, instead of
/// dying on an illegal instruction.
// clang-format off
#define LLMO_X86_CPU_FEATURES(X)                                               \
  X("sse3") X("ssse3") X("sse4.1") X("sse4.2") X("popcnt") X("avx") X("avx2") \
  X("fma") X("f16c") X("bmi") X("bmi2") X("avxvnni") X("avx512f")             \
  X("avx512bw") X("avx512cd") X("avx512dq") X("avx512vl") X("avx512vnni")     \
  X("avx512bf16") X("avx512vbmi") X("avx512ifma")
// clang-format on

/// A generated loop over indices [begin, end) of its split dimension.
typedef void (*llmo_loop_fn)(void *const *operands, int64_t begin, int64_t end);

// Element type codes inside descriptors.
enum LlmoElemType {
  kLlmoF32 = 0,
  kLlmoI64 = 1,
  kLlmoI32 = 2,
  kLlmoBool = 3,
  kLlmoI8 = 4,
  kLlmoU8 = 5,
};

enum LlmoKernelId {
  // desc: [bytes]                       operands: [src, dst]
  kLlmoKernelCopy = 0,
  // Strided copy of a rank-R box (transpose, broadcast, slice, concat and
  // split pieces).
  // desc: [elem_bytes, R, dims[R], src_strides[R], dst_strides[R]]
  // operands: [src (already offset), dst (already offset)]
  kLlmoKernelStridedCopy = 1,
  // Binary elementwise with broadcasting over the output shape.
  // desc: [opcode, in_type, out_type, R, dims[R], a_strides[R], b_strides[R]]
  // operands: [a, b, out]
  kLlmoKernelBinary = 2,
  // Unary elementwise. desc: [opcode, type, count]  operands: [in, out]
  kLlmoKernelUnary = 3,
  // desc: [elem_bytes, R, dims[R], c_strides[R], a_strides[R], b_strides[R]]
  // operands: [cond (bool), a, b, out]
  kLlmoKernelWhere = 4,
  // desc: [from_type, to_type, count]   operands: [in, out]
  kLlmoKernelCast = 5,
  // out[o, i, j] = data[o, idx[i], j] with negative indices wrapped.
  // desc: [index_type, elem_bytes, outer, axis_dim, inner, num_indices]
  // operands: [data, indices, out]
  kLlmoKernelGather = 6,
  // desc: [rows, cols, epsilon_bits, has_bias]
  // operands: [x, scale, bias (or null), out]
  kLlmoKernelLayerNorm = 7,
  // desc: [rows, cols, epsilon_bits]   operands: [x, scale, out]
  kLlmoKernelRmsNorm = 8,
  // desc: [outer, axis_dim, inner]     operands: [in, out]
  kLlmoKernelSoftmax = 9,
  // desc: [opcode (kLlmoReduce*), outer, axis_dim, inner]  operands: [in, out]
  kLlmoKernelReduce = 10,
  // fp32 linear with a packed weight (packSgemm layout) and a fused
  // epilogue out = act(x w + bias) + residual (LlmoActivation).
  // desc: [M, N, K, has_bias, activation, has_residual]
  // operands: [x, packed_w, bias (or null), residual (or null), out]
  kLlmoKernelLinearF32 = 11,
  // Batched activation x activation matmul with broadcast batch dims.
  // desc: [B, M, N, K, batch_rank, batch_dims[batch_rank],
  //        a_batch_strides[batch_rank], b_batch_strides[batch_rank]]
  // operands: [a, b, out]
  kLlmoKernelMatmul = 12,
  // W8A8 static: quantized input (per-tensor zero point zx and scale sx),
  // with the epilogue of kLlmoKernelLinearF32 on the float result, then
  // optionally requantized per tensor (out_type kLlmoU8/kLlmoI8 with
  // q_scale_bits, q_zp, qmin, qmax; kLlmoF32: float output).
  // desc: [M, N, K, input_type (kLlmoI8|kLlmoU8), zx, sx_bits, has_bias,
  //        activation, has_residual, out_type, q_scale_bits, q_zp, qmin,
  //        qmax]
  // operands: [qx, packed_w (LlmoPackInt8), w_scales[N] f32, bias,
  //            residual, out]
  kLlmoKernelQLinear = 13,
  // W8A8 with per-row dynamic symmetric activation scales; epilogue and
  // requantization as kLlmoKernelQLinear.
  // desc: [M, N, K, has_bias, activation, has_residual, out_type,
  //        q_scale_bits, q_zp, qmin, qmax]
  // operands: [x f32, packed_w (LlmoPackInt8), w_scales[N], bias, residual,
  //            out]
  kLlmoKernelDynamicQLinear = 14,
  // Weight-only quantized linear (W8A16 / W4A16, per-channel or group-wise)
  // with the same epilogue as kLlmoKernelLinearF32.
  // desc: [M, N, K, bits (4|8), group_size, has_bias, activation,
  //        has_residual]
  // operands: [x, packed_w (packWeightQuant), scales, zero_points, bias,
  //            residual, out]
  kLlmoKernelWeightQuantLinear = 15,
  // Per-tensor affine quantize. desc: [count, out_type, scale_bits, zp, qmin,
  // qmax]  operands: [in f32, out]
  kLlmoKernelQuantize = 16,
  // desc: [count, in_type, scale_bits, zp]  operands: [in, out f32]
  kLlmoKernelDequantize = 17,
  // desc: [count]  operands: [in f32, out u8, scale f32[1], zero_point u8[1]]
  kLlmoKernelDynamicQuantize = 18,
  // Fused attention, six query rows at a time (their scores and K^T stay
  // in per-worker scratch). desc: [B, Sq, Sk, D, Dv, scale_bits, has_mask, R,
  // score_dims[R], mask_strides[R], kv_group] with R = rank of the scores
  // ([batch..., Sq, Sk], B = product of the batch dims). Query head b reads
  // key/value head b / kv_group (grouped-query attention; 1: one each).
  // operands: [q, k, v, mask (or null), out]
  kLlmoKernelAttention = 19,
  // Layer/RMS normalization followed by per-tensor quantization, one row at
  // a time (the float row stays in scratch).
  // desc: [rows, cols, epsilon_bits, has_bias, rms, out_type, scale_bits, zp,
  //        qmin, qmax]
  // operands: [x, scale, bias (or null), out (i8/u8)]
  kLlmoKernelNormQuantize = 20,
  // A loop the code generator emitted itself (llmo.elementwise), run on
  // slices of its split dimension: fn(&operands[1], begin, end) with fn =
  // operands[0] of type llmo_loop_fn.
  // desc: [extent, elements_per_index]   operands: [fn, inputs..., out]
  kLlmoKernelLoop = 21,
  // W4A8: 4-bit symmetric weights (per channel, or in groups of group_size
  // rows of K) x per-row dynamic int8 activations, llmo.dynamic_qlinear's
  // arithmetic (docs/Dialect.md): exact i32 sums per group; grouped = 1
  // sums f32(acc_g) * sw[g, n] over the groups in order, then multiplies by
  // the row scale; grouped = 0 (one group) gives f32(acc) * (s * sw[n]).
  // Then the epilogue of kLlmoKernelLinearF32.
  // desc: [M, N, K, group_size, grouped, has_bias, activation, has_residual]
  // operands: [x f32, packed_w (packW4A8), scales (packW4A8Scales), bias,
  //            residual, out]
  kLlmoKernelW4A8Linear = 22,
  kLlmoNumKernels = 23,
};

enum LlmoActivation {
  kLlmoActNone,
  kLlmoActGelu,
  kLlmoActGeluTanh,
  kLlmoActSilu,
  kLlmoActRelu,
};

enum LlmoBinaryOpcode {
  kLlmoBinAdd,
  kLlmoBinSub,
  kLlmoBinMul,
  kLlmoBinDiv,
  kLlmoBinPow,
  kLlmoBinMax,
  kLlmoBinMin,
  kLlmoBinAnd,
  kLlmoBinOr,
  kLlmoBinEqual,
  kLlmoBinLess,
  kLlmoBinLessEqual,
  kLlmoBinGreater,
  kLlmoBinGreaterEqual,
};

enum LlmoUnaryOpcode {
  kLlmoUnNeg,
  kLlmoUnAbs,
  kLlmoUnExp,
  kLlmoUnLog,
  kLlmoUnSqrt,
  kLlmoUnRsqrt,
  kLlmoUnReciprocal,
  kLlmoUnTanh,
  kLlmoUnErf,
  kLlmoUnSigmoid,
  kLlmoUnSin,
  kLlmoUnCos,
  kLlmoUnRelu,
  kLlmoUnSilu,
  kLlmoUnFloor,
  kLlmoUnNot,
  kLlmoUnGeluErf,
  kLlmoUnGeluTanh,
};

enum LlmoReduceOpcode {
  kLlmoReduceSum,
  kLlmoReduceMean,
  kLlmoReduceMax,
  kLlmoReduceMin,
};

// Weight packing. All packed weights are split into panels of kLlmoPanelN
// output columns (N padded with zero columns to a multiple of it).
enum {
  kLlmoPanelN = 16,
  // Offsets of the packed pieces are aligned to this many bytes.
  kLlmoWeightAlign = 64,
};

#ifdef __cplusplus
} // extern "C"
#endif

#endif // LLMO_RUNTIME_KERNELABI_H
