// RUN: llmo-opt %s -split-input-file --llmo-raise-composites | FileCheck %s

// Interpreter differential: every raised case computes the same values as
// its original chain (same random inputs, relative error <= 1e-5).
// RUN: llmo-opt %s --llmo-raise-composites -o %t.raised.mlir
// RUN: %llmopy %S/Inputs/compare_outputs.py --llmo-run llmo-run --workdir %t/gelu_erf --entry gelu_erf --shape input0=2x8:f32 %s %t.raised.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %llmopy %S/Inputs/compare_outputs.py --llmo-run llmo-run --workdir %t/gelu_erf_swapped --entry gelu_erf_swapped --shape input0=2x8:f32 %s %t.raised.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %llmopy %S/Inputs/compare_outputs.py --llmo-run llmo-run --workdir %t/gelu_erf_half_x --entry gelu_erf_half_x --shape input0=2x8:f32 %s %t.raised.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %llmopy %S/Inputs/compare_outputs.py --llmo-run llmo-run --workdir %t/gelu_erf_x_half --entry gelu_erf_x_half --shape input0=2x8:f32 %s %t.raised.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %llmopy %S/Inputs/compare_outputs.py --llmo-run llmo-run --workdir %t/gelu_erf_shared_intermediate --entry gelu_erf_shared_intermediate --shape input0=2x8:f32 %s %t.raised.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %llmopy %S/Inputs/compare_outputs.py --llmo-run llmo-run --workdir %t/gelu_tanh --entry gelu_tanh --shape input0=2x8:f32 %s %t.raised.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %llmopy %S/Inputs/compare_outputs.py --llmo-run llmo-run --workdir %t/gelu_tanh_swapped --entry gelu_tanh_swapped --shape input0=2x8:f32 %s %t.raised.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %llmopy %S/Inputs/compare_outputs.py --llmo-run llmo-run --workdir %t/silu --entry silu --shape input0=2x8:f32 %s %t.raised.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %llmopy %S/Inputs/compare_outputs.py --llmo-run llmo-run --workdir %t/silu_swapped --entry silu_swapped --shape input0=2x8:f32 %s %t.raised.mlir | FileCheck %s --check-prefix=DIFF
// f16: the chain rounds to f16 after every op, llmo.silu once (1 ulp = 2^-10).
// RUN: %llmopy %S/Inputs/compare_outputs.py --llmo-run llmo-run --workdir %t/silu_f16 --entry silu_f16 --shape input0=4:f16 --rtol 1e-3 %s %t.raised.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %llmopy %S/Inputs/compare_outputs.py --llmo-run llmo-run --workdir %t/rms_norm_reciprocal --entry rms_norm_reciprocal --shape input0=2x4x8:f32 %s %t.raised.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %llmopy %S/Inputs/compare_outputs.py --llmo-run llmo-run --workdir %t/rms_norm_div --entry rms_norm_div --shape input0=2x4x8:f32 %s %t.raised.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %llmopy %S/Inputs/compare_outputs.py --llmo-run llmo-run --workdir %t/rms_norm_rsqrt --entry rms_norm_rsqrt --shape input0=2x4x8:f32 %s %t.raised.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %llmopy %S/Inputs/compare_outputs.py --llmo-run llmo-run --workdir %t/layer_norm --entry layer_norm --shape input0=2x4x8:f32 %s %t.raised.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %llmopy %S/Inputs/compare_outputs.py --llmo-run llmo-run --workdir %t/layer_norm_flat_params --entry layer_norm_flat_params --shape input0=4x8:f32 %s %t.raised.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %llmopy %S/Inputs/compare_outputs.py --llmo-run llmo-run --workdir %t/layer_norm_shared_mean --entry layer_norm_shared_mean --shape input0=2x4x8:f32 %s %t.raised.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %llmopy %S/Inputs/compare_outputs.py --llmo-run llmo-run --workdir %t/rms_norm_resource_scale --entry rms_norm_resource_scale --shape input0=2x4x4:f32 %s %t.raised.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %llmopy %S/Inputs/compare_outputs.py --llmo-run llmo-run --workdir %t/linear_bias --entry linear_bias --shape input0=2x3x4:f32 %s %t.raised.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %llmopy %S/Inputs/compare_outputs.py --llmo-run llmo-run --workdir %t/linear_bias_swapped --entry linear_bias_swapped --shape input0=3x4:f32 %s %t.raised.mlir | FileCheck %s --check-prefix=DIFF
// DIFF: output0: max abs error
// DIFF: PASS

//===----------------------------------------------------------------------===//
// GELU, erf form
//===----------------------------------------------------------------------===//

// 0.5 * (x * (1 + erf(x / sqrt(2))))
// CHECK-LABEL: func.func @gelu_erf
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>)
// CHECK-NEXT: %[[G:.*]] = llmo.gelu %[[X]] : tensor<2x8xf32>
// CHECK-NEXT: return %[[G]]
func.func @gelu_erf(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %sqrt2 = llmo.constant dense<1.41421354> : tensor<f32>
  %one = llmo.constant dense<1.0> : tensor<f32>
  %half = llmo.constant dense<0.5> : tensor<f32>
  %0 = llmo.div %x, %sqrt2 : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %1 = llmo.erf %0 : tensor<2x8xf32>
  %2 = llmo.add %1, %one : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %3 = llmo.mul %x, %2 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %4 = llmo.mul %half, %3 : (tensor<f32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %4 : tensor<2x8xf32>
}

// -----

// The other operand order of every commutative op, and x * (1/sqrt(2)).
// CHECK-LABEL: func.func @gelu_erf_swapped
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>)
// CHECK-NEXT: %[[G:.*]] = llmo.gelu %[[X]] : tensor<2x8xf32>
// CHECK-NEXT: return %[[G]]
func.func @gelu_erf_swapped(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %rsqrt2 = llmo.constant dense<0.707106769> : tensor<1xf32>
  %one = llmo.constant dense<1.0> : tensor<1xf32>
  %half = llmo.constant dense<0.5> : tensor<1x1xf32>
  %0 = llmo.mul %rsqrt2, %x : (tensor<1xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %1 = llmo.erf %0 : tensor<2x8xf32>
  %2 = llmo.add %one, %1 : (tensor<1xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %3 = llmo.mul %2, %x : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %4 = llmo.mul %3, %half : (tensor<2x8xf32>, tensor<1x1xf32>) -> tensor<2x8xf32>
  return %4 : tensor<2x8xf32>
}

// -----

// (0.5 * x) * (1 + erf(x / sqrt(2)))
// CHECK-LABEL: func.func @gelu_erf_half_x
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>)
// CHECK-NEXT: %[[G:.*]] = llmo.gelu %[[X]] : tensor<2x8xf32>
// CHECK-NEXT: return %[[G]]
func.func @gelu_erf_half_x(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %sqrt2 = llmo.constant dense<1.41421354> : tensor<f32>
  %one = llmo.constant dense<1.0> : tensor<f32>
  %half = llmo.constant dense<0.5> : tensor<f32>
  %0 = llmo.mul %half, %x : (tensor<f32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %1 = llmo.div %x, %sqrt2 : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %2 = llmo.erf %1 : tensor<2x8xf32>
  %3 = llmo.add %2, %one : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %4 = llmo.mul %0, %3 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %4 : tensor<2x8xf32>
}

// -----

// (1 + erf(x * (1/sqrt(2)))) * (x * 0.5)
// CHECK-LABEL: func.func @gelu_erf_x_half
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>)
// CHECK-NEXT: %[[G:.*]] = llmo.gelu %[[X]] : tensor<2x8xf32>
// CHECK-NEXT: return %[[G]]
func.func @gelu_erf_x_half(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %rsqrt2 = llmo.constant dense<0.707106769> : tensor<f32>
  %one = llmo.constant dense<1.0> : tensor<f32>
  %half = llmo.constant dense<0.5> : tensor<f32>
  %0 = llmo.mul %x, %half : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %1 = llmo.mul %x, %rsqrt2 : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %2 = llmo.erf %1 : tensor<2x8xf32>
  %3 = llmo.add %one, %2 : (tensor<f32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %4 = llmo.mul %3, %0 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %4 : tensor<2x8xf32>
}

// -----

// An intermediate value with another user keeps its op; only the root is
// replaced.
// CHECK-LABEL: func.func @gelu_erf_shared_intermediate
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>)
// CHECK: %[[E:.*]] = llmo.erf
// CHECK: %[[G:.*]] = llmo.gelu %[[X]] : tensor<2x8xf32>
// CHECK: return %[[G]], %[[E]]
func.func @gelu_erf_shared_intermediate(%x: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %sqrt2 = llmo.constant dense<1.41421354> : tensor<f32>
  %one = llmo.constant dense<1.0> : tensor<f32>
  %half = llmo.constant dense<0.5> : tensor<f32>
  %0 = llmo.div %x, %sqrt2 : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %1 = llmo.erf %0 : tensor<2x8xf32>
  %2 = llmo.add %1, %one : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %3 = llmo.mul %x, %2 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %4 = llmo.mul %half, %3 : (tensor<f32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %4, %1 : tensor<2x8xf32>, tensor<2x8xf32>
}

// -----

// Negative: 0.4 instead of 0.5.
// CHECK-LABEL: func.func @gelu_erf_wrong_half
// CHECK-NOT: llmo.gelu
// CHECK: llmo.erf
// CHECK: return
func.func @gelu_erf_wrong_half(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %sqrt2 = llmo.constant dense<1.41421354> : tensor<f32>
  %one = llmo.constant dense<1.0> : tensor<f32>
  %half = llmo.constant dense<0.4> : tensor<f32>
  %0 = llmo.div %x, %sqrt2 : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %1 = llmo.erf %0 : tensor<2x8xf32>
  %2 = llmo.add %1, %one : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %3 = llmo.mul %x, %2 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %4 = llmo.mul %half, %3 : (tensor<f32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %4 : tensor<2x8xf32>
}

// -----

// Negative: divided by 2 instead of sqrt(2).
// CHECK-LABEL: func.func @gelu_erf_wrong_divisor
// CHECK-NOT: llmo.gelu
// CHECK: return
func.func @gelu_erf_wrong_divisor(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %two = llmo.constant dense<2.0> : tensor<f32>
  %one = llmo.constant dense<1.0> : tensor<f32>
  %half = llmo.constant dense<0.5> : tensor<f32>
  %0 = llmo.div %x, %two : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %1 = llmo.erf %0 : tensor<2x8xf32>
  %2 = llmo.add %1, %one : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %3 = llmo.mul %x, %2 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %4 = llmo.mul %half, %3 : (tensor<f32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %4 : tensor<2x8xf32>
}

// -----

// Negative: erf of one value, multiplied by another.
// CHECK-LABEL: func.func @gelu_erf_two_inputs
// CHECK-NOT: llmo.gelu
// CHECK: return
func.func @gelu_erf_two_inputs(%x: tensor<2x8xf32>, %y: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %sqrt2 = llmo.constant dense<1.41421354> : tensor<f32>
  %one = llmo.constant dense<1.0> : tensor<f32>
  %half = llmo.constant dense<0.5> : tensor<f32>
  %0 = llmo.div %y, %sqrt2 : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %1 = llmo.erf %0 : tensor<2x8xf32>
  %2 = llmo.add %1, %one : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %3 = llmo.mul %x, %2 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %4 = llmo.mul %half, %3 : (tensor<f32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %4 : tensor<2x8xf32>
}

// -----

// Negative: the constant 0.5 broadcasts x to a larger shape, so the chain is
// not an elementwise function of x.
// CHECK-LABEL: func.func @gelu_erf_broadcasting_constant
// CHECK-NOT: llmo.gelu
// CHECK: return
func.func @gelu_erf_broadcasting_constant(%x: tensor<8xf32>) -> tensor<2x8xf32> {
  %sqrt2 = llmo.constant dense<1.41421354> : tensor<f32>
  %one = llmo.constant dense<1.0> : tensor<f32>
  %half = llmo.constant dense<0.5> : tensor<2x8xf32>
  %0 = llmo.div %x, %sqrt2 : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %1 = llmo.erf %0 : tensor<8xf32>
  %2 = llmo.add %1, %one : (tensor<8xf32>, tensor<f32>) -> tensor<8xf32>
  %3 = llmo.mul %x, %2 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %4 = llmo.mul %half, %3 : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %4 : tensor<2x8xf32>
}

//===----------------------------------------------------------------------===//
// GELU, tanh form
//===----------------------------------------------------------------------===//

// -----

// (0.5 * x) * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * pow(x, 3))))
// CHECK-LABEL: func.func @gelu_tanh
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>)
// CHECK-NEXT: %[[G:.*]] = llmo.gelu %[[X]] {approximate = "tanh"} : tensor<2x8xf32>
// CHECK-NEXT: return %[[G]]
func.func @gelu_tanh(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %three = llmo.constant dense<3.0> : tensor<f32>
  %c = llmo.constant dense<0.044715> : tensor<f32>
  %k = llmo.constant dense<0.797884583> : tensor<f32>
  %one = llmo.constant dense<1.0> : tensor<f32>
  %half = llmo.constant dense<0.5> : tensor<f32>
  %0 = llmo.mul %half, %x : (tensor<f32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %1 = llmo.pow %x, %three : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %2 = llmo.mul %c, %1 : (tensor<f32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %3 = llmo.add %x, %2 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %4 = llmo.mul %k, %3 : (tensor<f32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %5 = llmo.tanh %4 : tensor<2x8xf32>
  %6 = llmo.add %one, %5 : (tensor<f32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %7 = llmo.mul %0, %6 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %7 : tensor<2x8xf32>
}

// -----

// The same with every commutative op's operands swapped.
// CHECK-LABEL: func.func @gelu_tanh_swapped
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>)
// CHECK-NEXT: %[[G:.*]] = llmo.gelu %[[X]] {approximate = "tanh"} : tensor<2x8xf32>
// CHECK-NEXT: return %[[G]]
func.func @gelu_tanh_swapped(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %three = llmo.constant dense<3.0> : tensor<f32>
  %c = llmo.constant dense<0.044715> : tensor<f32>
  %k = llmo.constant dense<0.797884583> : tensor<f32>
  %one = llmo.constant dense<1.0> : tensor<f32>
  %half = llmo.constant dense<0.5> : tensor<f32>
  %0 = llmo.mul %x, %half : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %1 = llmo.pow %x, %three : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %2 = llmo.mul %1, %c : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %3 = llmo.add %2, %x : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %4 = llmo.mul %3, %k : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %5 = llmo.tanh %4 : tensor<2x8xf32>
  %6 = llmo.add %5, %one : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %7 = llmo.mul %6, %0 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %7 : tensor<2x8xf32>
}

// -----

// Negative: 0.4 instead of 0.5.
// CHECK-LABEL: func.func @gelu_tanh_wrong_half
// CHECK-NOT: llmo.gelu
// CHECK: llmo.tanh
// CHECK: return
func.func @gelu_tanh_wrong_half(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %three = llmo.constant dense<3.0> : tensor<f32>
  %c = llmo.constant dense<0.044715> : tensor<f32>
  %k = llmo.constant dense<0.797884583> : tensor<f32>
  %one = llmo.constant dense<1.0> : tensor<f32>
  %half = llmo.constant dense<0.4> : tensor<f32>
  %0 = llmo.mul %half, %x : (tensor<f32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %1 = llmo.pow %x, %three : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %2 = llmo.mul %c, %1 : (tensor<f32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %3 = llmo.add %x, %2 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %4 = llmo.mul %k, %3 : (tensor<f32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %5 = llmo.tanh %4 : tensor<2x8xf32>
  %6 = llmo.add %one, %5 : (tensor<f32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %7 = llmo.mul %0, %6 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %7 : tensor<2x8xf32>
}

// -----

// Negative: cubic coefficient 0.05 instead of 0.044715.
// CHECK-LABEL: func.func @gelu_tanh_wrong_cubic
// CHECK-NOT: llmo.gelu
// CHECK: return
func.func @gelu_tanh_wrong_cubic(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %three = llmo.constant dense<3.0> : tensor<f32>
  %c = llmo.constant dense<0.05> : tensor<f32>
  %k = llmo.constant dense<0.797884583> : tensor<f32>
  %one = llmo.constant dense<1.0> : tensor<f32>
  %half = llmo.constant dense<0.5> : tensor<f32>
  %0 = llmo.mul %half, %x : (tensor<f32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %1 = llmo.pow %x, %three : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %2 = llmo.mul %c, %1 : (tensor<f32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %3 = llmo.add %x, %2 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %4 = llmo.mul %k, %3 : (tensor<f32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %5 = llmo.tanh %4 : tensor<2x8xf32>
  %6 = llmo.add %one, %5 : (tensor<f32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %7 = llmo.mul %0, %6 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %7 : tensor<2x8xf32>
}

// -----

// Negative: pow(x, 2) instead of pow(x, 3).
// CHECK-LABEL: func.func @gelu_tanh_square
// CHECK-NOT: llmo.gelu
// CHECK: return
func.func @gelu_tanh_square(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %three = llmo.constant dense<2.0> : tensor<f32>
  %c = llmo.constant dense<0.044715> : tensor<f32>
  %k = llmo.constant dense<0.797884583> : tensor<f32>
  %one = llmo.constant dense<1.0> : tensor<f32>
  %half = llmo.constant dense<0.5> : tensor<f32>
  %0 = llmo.mul %half, %x : (tensor<f32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %1 = llmo.pow %x, %three : (tensor<2x8xf32>, tensor<f32>) -> tensor<2x8xf32>
  %2 = llmo.mul %c, %1 : (tensor<f32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %3 = llmo.add %x, %2 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %4 = llmo.mul %k, %3 : (tensor<f32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %5 = llmo.tanh %4 : tensor<2x8xf32>
  %6 = llmo.add %one, %5 : (tensor<f32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  %7 = llmo.mul %0, %6 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %7 : tensor<2x8xf32>
}

//===----------------------------------------------------------------------===//
// SiLU
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @silu
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>)
// CHECK-NEXT: %[[S:.*]] = llmo.silu %[[X]] : tensor<2x8xf32>
// CHECK-NEXT: return %[[S]]
func.func @silu(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = llmo.sigmoid %x : tensor<2x8xf32>
  %1 = llmo.mul %x, %0 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %1 : tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func.func @silu_swapped
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>)
// CHECK-NEXT: %[[S:.*]] = llmo.silu %[[X]] : tensor<2x8xf32>
// CHECK-NEXT: return %[[S]]
func.func @silu_swapped(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = llmo.sigmoid %x : tensor<2x8xf32>
  %1 = llmo.mul %0, %x : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %1 : tensor<2x8xf32>
}

// -----

// SiLU of f16 keeps its element type.
// CHECK-LABEL: func.func @silu_f16
// CHECK: llmo.silu %{{.*}} : tensor<4xf16>
func.func @silu_f16(%x: tensor<4xf16>) -> tensor<4xf16> {
  %0 = llmo.sigmoid %x : tensor<4xf16>
  %1 = llmo.mul %0, %x : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xf16>
  return %1 : tensor<4xf16>
}

// -----

// Negative: x * sigmoid(y).
// CHECK-LABEL: func.func @silu_two_inputs
// CHECK-NOT: llmo.silu
// CHECK: llmo.sigmoid
// CHECK: llmo.mul
func.func @silu_two_inputs(%x: tensor<2x8xf32>, %y: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = llmo.sigmoid %y : tensor<2x8xf32>
  %1 = llmo.mul %x, %0 : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %1 : tensor<2x8xf32>
}

// -----

// Negative: x broadcasts against sigmoid(x') of another shape.
// CHECK-LABEL: func.func @silu_broadcast
// CHECK-NOT: llmo.silu
// CHECK: return
func.func @silu_broadcast(%x: tensor<1x8xf32>, %y: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = llmo.sigmoid %y : tensor<2x8xf32>
  %1 = llmo.mul %x, %0 : (tensor<1x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return %1 : tensor<2x8xf32>
}

//===----------------------------------------------------------------------===//
// RMSNorm
//===----------------------------------------------------------------------===//

// -----

// scale * (x * reciprocal(sqrt(mean(pow(x, 2)) + eps)))
// CHECK-LABEL: func.func @rms_norm_reciprocal
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>)
// CHECK: %[[W:.*]] = llmo.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e-01, 2.500000e-01, -1.000000e+00, 0.000000e+00]> : tensor<8xf32>
// CHECK: %[[N:.*]] = llmo.rms_norm %[[X]], %[[W]] {axis = 2 : i64, epsilon = 9.99999997E-7 : f32} : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
// CHECK-NEXT: return %[[N]]
func.func @rms_norm_reciprocal(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %two = llmo.constant dense<2.0> : tensor<f32>
  %eps = llmo.constant dense<1.0e-6> : tensor<f32>
  %w = llmo.constant dense<[1.0, 2.0, 3.0, 4.0, 0.5, 0.25, -1.0, 0.0]> : tensor<8xf32>
  %0 = llmo.pow %x, %two : (tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
  %1 = llmo.reduce_mean %0 {axes = array<i64: 2>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %2 = llmo.add %1, %eps : (tensor<2x4x1xf32>, tensor<f32>) -> tensor<2x4x1xf32>
  %3 = llmo.sqrt %2 : tensor<2x4x1xf32>
  %4 = llmo.reciprocal %3 : tensor<2x4x1xf32>
  %5 = llmo.mul %x, %4 : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %6 = llmo.mul %w, %5 : (tensor<8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %6 : tensor<2x4x8xf32>
}

// -----

// (x * div(1, sqrt(eps + mean(x * x)))) * scale, scale of shape [1, 1, D]:
// the [1, 1, D] constant is reshaped (and folded) to [D].
// CHECK-LABEL: func.func @rms_norm_div
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>)
// CHECK: %[[W:.*]] = llmo.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00]> : tensor<8xf32>
// CHECK: %[[N:.*]] = llmo.rms_norm %[[X]], %[[W]] {axis = 2 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
// CHECK-NEXT: return %[[N]]
func.func @rms_norm_div(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %one = llmo.constant dense<1.0> : tensor<f32>
  %eps = llmo.constant dense<1.0e-5> : tensor<1x1x1xf32>
  %w = llmo.constant dense<[[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]]]> : tensor<1x1x8xf32>
  %0 = llmo.mul %x, %x : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %1 = llmo.reduce_mean %0 {axes = array<i64: 2>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %2 = llmo.add %eps, %1 : (tensor<1x1x1xf32>, tensor<2x4x1xf32>) -> tensor<2x4x1xf32>
  %3 = llmo.sqrt %2 : tensor<2x4x1xf32>
  %4 = llmo.div %one, %3 : (tensor<f32>, tensor<2x4x1xf32>) -> tensor<2x4x1xf32>
  %5 = llmo.mul %x, %4 : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %6 = llmo.mul %5, %w : (tensor<2x4x8xf32>, tensor<1x1x8xf32>) -> tensor<2x4x8xf32>
  return %6 : tensor<2x4x8xf32>
}

// -----

// scale * (rsqrt(mean(pow(x, 2)) + eps) * x)
// CHECK-LABEL: func.func @rms_norm_rsqrt
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>)
// CHECK: %[[N:.*]] = llmo.rms_norm %[[X]], %{{.*}} {axis = 2 : i64, epsilon = 9.99999997E-7 : f32} : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
// CHECK-NEXT: return %[[N]]
func.func @rms_norm_rsqrt(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %two = llmo.constant dense<2.0> : tensor<f32>
  %eps = llmo.constant dense<1.0e-6> : tensor<f32>
  %w = llmo.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf32>
  %0 = llmo.pow %x, %two : (tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
  %1 = llmo.reduce_mean %0 {axes = array<i64: 2>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %2 = llmo.add %1, %eps : (tensor<2x4x1xf32>, tensor<f32>) -> tensor<2x4x1xf32>
  %3 = llmo.rsqrt %2 : tensor<2x4x1xf32>
  %4 = llmo.mul %3, %x : (tensor<2x4x1xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %5 = llmo.mul %w, %4 : (tensor<8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %5 : tensor<2x4x8xf32>
}

// -----

// Negative: the mean is over axis 1, not the last axis.
// CHECK-LABEL: func.func @rms_norm_mean_not_last_axis
// CHECK-NOT: llmo.rms_norm
// CHECK: llmo.reduce_mean
// CHECK: return
func.func @rms_norm_mean_not_last_axis(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %two = llmo.constant dense<2.0> : tensor<f32>
  %eps = llmo.constant dense<1.0e-6> : tensor<f32>
  %w = llmo.constant dense<1.5> : tensor<8xf32>
  %0 = llmo.pow %x, %two : (tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
  %1 = llmo.reduce_mean %0 {axes = array<i64: 1>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x1x8xf32>
  %2 = llmo.add %1, %eps : (tensor<2x1x8xf32>, tensor<f32>) -> tensor<2x1x8xf32>
  %3 = llmo.rsqrt %2 : tensor<2x1x8xf32>
  %4 = llmo.mul %x, %3 : (tensor<2x4x8xf32>, tensor<2x1x8xf32>) -> tensor<2x4x8xf32>
  %5 = llmo.mul %w, %4 : (tensor<8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %5 : tensor<2x4x8xf32>
}

// -----

// Negative: the squared value is not the multiplied value.
// CHECK-LABEL: func.func @rms_norm_different_x
// CHECK-NOT: llmo.rms_norm
// CHECK: return
func.func @rms_norm_different_x(%x: tensor<2x4x8xf32>, %y: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %two = llmo.constant dense<2.0> : tensor<f32>
  %eps = llmo.constant dense<1.0e-6> : tensor<f32>
  %w = llmo.constant dense<1.5> : tensor<8xf32>
  %0 = llmo.pow %y, %two : (tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
  %1 = llmo.reduce_mean %0 {axes = array<i64: 2>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %2 = llmo.add %1, %eps : (tensor<2x4x1xf32>, tensor<f32>) -> tensor<2x4x1xf32>
  %3 = llmo.rsqrt %2 : tensor<2x4x1xf32>
  %4 = llmo.mul %x, %3 : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %5 = llmo.mul %w, %4 : (tensor<8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %5 : tensor<2x4x8xf32>
}

// -----

// Negative: x * y with y != x is not a square.
// CHECK-LABEL: func.func @rms_norm_not_square
// CHECK-NOT: llmo.rms_norm
// CHECK: return
func.func @rms_norm_not_square(%x: tensor<2x4x8xf32>, %y: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %eps = llmo.constant dense<1.0e-6> : tensor<f32>
  %w = llmo.constant dense<1.5> : tensor<8xf32>
  %0 = llmo.mul %x, %y : (tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  %1 = llmo.reduce_mean %0 {axes = array<i64: 2>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %2 = llmo.add %1, %eps : (tensor<2x4x1xf32>, tensor<f32>) -> tensor<2x4x1xf32>
  %3 = llmo.rsqrt %2 : tensor<2x4x1xf32>
  %4 = llmo.mul %x, %3 : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %5 = llmo.mul %w, %4 : (tensor<8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %5 : tensor<2x4x8xf32>
}

// -----

// Negative: pow(x, 3).
// CHECK-LABEL: func.func @rms_norm_cube
// CHECK-NOT: llmo.rms_norm
// CHECK: return
func.func @rms_norm_cube(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %three = llmo.constant dense<3.0> : tensor<f32>
  %eps = llmo.constant dense<1.0e-6> : tensor<f32>
  %w = llmo.constant dense<1.5> : tensor<8xf32>
  %0 = llmo.pow %x, %three : (tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
  %1 = llmo.reduce_mean %0 {axes = array<i64: 2>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %2 = llmo.add %1, %eps : (tensor<2x4x1xf32>, tensor<f32>) -> tensor<2x4x1xf32>
  %3 = llmo.rsqrt %2 : tensor<2x4x1xf32>
  %4 = llmo.mul %x, %3 : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %5 = llmo.mul %w, %4 : (tensor<8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %5 : tensor<2x4x8xf32>
}

// -----

// Negative: the scale is not a constant.
// CHECK-LABEL: func.func @rms_norm_scale_not_constant
// CHECK-NOT: llmo.rms_norm
// CHECK: return
func.func @rms_norm_scale_not_constant(%x: tensor<2x4x8xf32>, %w: tensor<8xf32>) -> tensor<2x4x8xf32> {
  %two = llmo.constant dense<2.0> : tensor<f32>
  %eps = llmo.constant dense<1.0e-6> : tensor<f32>
  %0 = llmo.pow %x, %two : (tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
  %1 = llmo.reduce_mean %0 {axes = array<i64: 2>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %2 = llmo.add %1, %eps : (tensor<2x4x1xf32>, tensor<f32>) -> tensor<2x4x1xf32>
  %3 = llmo.rsqrt %2 : tensor<2x4x1xf32>
  %4 = llmo.mul %x, %3 : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %5 = llmo.mul %w, %4 : (tensor<8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %5 : tensor<2x4x8xf32>
}

// -----

// Negative: a per-row [4, 1] scale is not a scale over the last axis.
// CHECK-LABEL: func.func @rms_norm_scale_not_last_axis
// CHECK-NOT: llmo.rms_norm
// CHECK: return
func.func @rms_norm_scale_not_last_axis(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %two = llmo.constant dense<2.0> : tensor<f32>
  %eps = llmo.constant dense<1.0e-6> : tensor<f32>
  %w = llmo.constant dense<[[1.0], [2.0], [3.0], [4.0]]> : tensor<4x1xf32>
  %0 = llmo.pow %x, %two : (tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
  %1 = llmo.reduce_mean %0 {axes = array<i64: 2>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %2 = llmo.add %1, %eps : (tensor<2x4x1xf32>, tensor<f32>) -> tensor<2x4x1xf32>
  %3 = llmo.rsqrt %2 : tensor<2x4x1xf32>
  %4 = llmo.mul %x, %3 : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %5 = llmo.mul %w, %4 : (tensor<4x1xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %5 : tensor<2x4x8xf32>
}

// -----

// Negative: sqrt without the reciprocal (x * sqrt(...)).
// CHECK-LABEL: func.func @rms_norm_no_inverse
// CHECK-NOT: llmo.rms_norm
// CHECK: return
func.func @rms_norm_no_inverse(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %two = llmo.constant dense<2.0> : tensor<f32>
  %eps = llmo.constant dense<1.0e-6> : tensor<f32>
  %w = llmo.constant dense<1.5> : tensor<8xf32>
  %0 = llmo.pow %x, %two : (tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
  %1 = llmo.reduce_mean %0 {axes = array<i64: 2>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %2 = llmo.add %1, %eps : (tensor<2x4x1xf32>, tensor<f32>) -> tensor<2x4x1xf32>
  %3 = llmo.sqrt %2 : tensor<2x4x1xf32>
  %4 = llmo.mul %x, %3 : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %5 = llmo.mul %w, %4 : (tensor<8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %5 : tensor<2x4x8xf32>
}

//===----------------------------------------------------------------------===//
// LayerNorm (opset < 17 export)
//===----------------------------------------------------------------------===//

// -----

// ((x - mean(x)) / sqrt(mean(pow(x - mean(x), 2)) + eps)) * scale + bias
// with [1, 1, D] scale and bias constants.
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>)
// CHECK-DAG: %[[W:.*]] = llmo.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00]> : tensor<8xf32>
// CHECK-DAG: %[[B:.*]] = llmo.constant dense<[-1.000000e+00, -2.000000e+00, -3.000000e+00, -4.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<8xf32>
// CHECK: %[[N:.*]] = llmo.layer_norm %[[X]], %[[W]], %[[B]] {axis = 2 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
// CHECK-NEXT: return %[[N]]
func.func @layer_norm(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %two = llmo.constant dense<2.0> : tensor<f32>
  %eps = llmo.constant dense<1.0e-5> : tensor<f32>
  %w = llmo.constant dense<[[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]]]> : tensor<1x1x8xf32>
  %b = llmo.constant dense<[[[-1.0, -2.0, -3.0, -4.0, 1.0, 2.0, 3.0, 4.0]]]> : tensor<1x1x8xf32>
  %0 = llmo.reduce_mean %x {axes = array<i64: 2>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %1 = llmo.sub %x, %0 : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %2 = llmo.pow %1, %two : (tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
  %3 = llmo.reduce_mean %2 {axes = array<i64: 2>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %4 = llmo.add %3, %eps : (tensor<2x4x1xf32>, tensor<f32>) -> tensor<2x4x1xf32>
  %5 = llmo.sqrt %4 : tensor<2x4x1xf32>
  %6 = llmo.div %1, %5 : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %7 = llmo.mul %6, %w : (tensor<2x4x8xf32>, tensor<1x1x8xf32>) -> tensor<2x4x8xf32>
  %8 = llmo.add %7, %b : (tensor<2x4x8xf32>, tensor<1x1x8xf32>) -> tensor<2x4x8xf32>
  return %8 : tensor<2x4x8xf32>
}

// -----

// [D] scale and bias, swapped commutative operands and a mul(c, c) square.
// CHECK-LABEL: func.func @layer_norm_flat_params
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK: %[[N:.*]] = llmo.layer_norm %[[X]], %{{.*}}, %{{.*}} {axis = 1 : i64, epsilon = 9.99999996E-13 : f32} : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT: return %[[N]]
func.func @layer_norm_flat_params(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %eps = llmo.constant dense<1.0e-12> : tensor<f32>
  %w = llmo.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf32>
  %b = llmo.constant dense<0.5> : tensor<8xf32>
  %0 = llmo.reduce_mean %x {axes = array<i64: 1>, keepdims = true} : tensor<4x8xf32> -> tensor<4x1xf32>
  %1 = llmo.sub %x, %0 : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %2 = llmo.mul %1, %1 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %3 = llmo.reduce_mean %2 {axes = array<i64: 1>, keepdims = true} : tensor<4x8xf32> -> tensor<4x1xf32>
  %4 = llmo.add %eps, %3 : (tensor<f32>, tensor<4x1xf32>) -> tensor<4x1xf32>
  %5 = llmo.sqrt %4 : tensor<4x1xf32>
  %6 = llmo.div %1, %5 : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %7 = llmo.mul %w, %6 : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %8 = llmo.add %b, %7 : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %8 : tensor<4x8xf32>
}

// -----

// The centered value also feeds another user: it stays, LayerNorm is raised.
// CHECK-LABEL: func.func @layer_norm_shared_mean
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>)
// CHECK: %[[C:.*]] = llmo.sub %[[X]]
// CHECK: %[[N:.*]] = llmo.layer_norm %[[X]]
// CHECK: return %[[N]], %[[C]]
func.func @layer_norm_shared_mean(%x: tensor<2x4x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x8xf32>) {
  %two = llmo.constant dense<2.0> : tensor<f32>
  %eps = llmo.constant dense<1.0e-5> : tensor<f32>
  %w = llmo.constant dense<2.0> : tensor<1x1x8xf32>
  %b = llmo.constant dense<0.5> : tensor<1x1x8xf32>
  %0 = llmo.reduce_mean %x {axes = array<i64: 2>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %1 = llmo.sub %x, %0 : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %2 = llmo.pow %1, %two : (tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
  %3 = llmo.reduce_mean %2 {axes = array<i64: 2>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %4 = llmo.add %3, %eps : (tensor<2x4x1xf32>, tensor<f32>) -> tensor<2x4x1xf32>
  %5 = llmo.sqrt %4 : tensor<2x4x1xf32>
  %6 = llmo.div %1, %5 : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %7 = llmo.mul %6, %w : (tensor<2x4x8xf32>, tensor<1x1x8xf32>) -> tensor<2x4x8xf32>
  %8 = llmo.add %7, %b : (tensor<2x4x8xf32>, tensor<1x1x8xf32>) -> tensor<2x4x8xf32>
  return %8, %1 : tensor<2x4x8xf32>, tensor<2x4x8xf32>
}

// -----

// Negative: the means are over axis 1, not the last axis.
// CHECK-LABEL: func.func @layer_norm_mean_not_last_axis
// CHECK-NOT: llmo.layer_norm
// CHECK: return
func.func @layer_norm_mean_not_last_axis(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %two = llmo.constant dense<2.0> : tensor<f32>
  %eps = llmo.constant dense<1.0e-5> : tensor<f32>
  %w = llmo.constant dense<2.0> : tensor<8xf32>
  %b = llmo.constant dense<0.5> : tensor<8xf32>
  %0 = llmo.reduce_mean %x {axes = array<i64: 1>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x1x8xf32>
  %1 = llmo.sub %x, %0 : (tensor<2x4x8xf32>, tensor<2x1x8xf32>) -> tensor<2x4x8xf32>
  %2 = llmo.pow %1, %two : (tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
  %3 = llmo.reduce_mean %2 {axes = array<i64: 1>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x1x8xf32>
  %4 = llmo.add %3, %eps : (tensor<2x1x8xf32>, tensor<f32>) -> tensor<2x1x8xf32>
  %5 = llmo.sqrt %4 : tensor<2x1x8xf32>
  %6 = llmo.div %1, %5 : (tensor<2x4x8xf32>, tensor<2x1x8xf32>) -> tensor<2x4x8xf32>
  %7 = llmo.mul %6, %w : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  %8 = llmo.add %7, %b : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return %8 : tensor<2x4x8xf32>
}

// -----

// Negative: the variance is taken of x, not of x - mean(x).
// CHECK-LABEL: func.func @layer_norm_uncentered_variance
// CHECK-NOT: llmo.layer_norm
// CHECK: return
func.func @layer_norm_uncentered_variance(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %two = llmo.constant dense<2.0> : tensor<f32>
  %eps = llmo.constant dense<1.0e-5> : tensor<f32>
  %w = llmo.constant dense<2.0> : tensor<8xf32>
  %b = llmo.constant dense<0.5> : tensor<8xf32>
  %0 = llmo.reduce_mean %x {axes = array<i64: 2>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %1 = llmo.sub %x, %0 : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %2 = llmo.pow %x, %two : (tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
  %3 = llmo.reduce_mean %2 {axes = array<i64: 2>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %4 = llmo.add %3, %eps : (tensor<2x4x1xf32>, tensor<f32>) -> tensor<2x4x1xf32>
  %5 = llmo.sqrt %4 : tensor<2x4x1xf32>
  %6 = llmo.div %1, %5 : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %7 = llmo.mul %6, %w : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  %8 = llmo.add %7, %b : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return %8 : tensor<2x4x8xf32>
}

// -----

// Negative: x minus the mean of another value.
// CHECK-LABEL: func.func @layer_norm_other_mean
// CHECK-NOT: llmo.layer_norm
// CHECK: return
func.func @layer_norm_other_mean(%x: tensor<2x4x8xf32>, %y: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %two = llmo.constant dense<2.0> : tensor<f32>
  %eps = llmo.constant dense<1.0e-5> : tensor<f32>
  %w = llmo.constant dense<2.0> : tensor<8xf32>
  %b = llmo.constant dense<0.5> : tensor<8xf32>
  %0 = llmo.reduce_mean %y {axes = array<i64: 2>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %1 = llmo.sub %x, %0 : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %2 = llmo.pow %1, %two : (tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
  %3 = llmo.reduce_mean %2 {axes = array<i64: 2>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %4 = llmo.add %3, %eps : (tensor<2x4x1xf32>, tensor<f32>) -> tensor<2x4x1xf32>
  %5 = llmo.sqrt %4 : tensor<2x4x1xf32>
  %6 = llmo.div %1, %5 : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %7 = llmo.mul %6, %w : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  %8 = llmo.add %7, %b : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return %8 : tensor<2x4x8xf32>
}

// -----

// Negative: the scale is a function argument.
// CHECK-LABEL: func.func @layer_norm_scale_not_constant
// CHECK-NOT: llmo.layer_norm
// CHECK: return
func.func @layer_norm_scale_not_constant(%x: tensor<2x4x8xf32>, %w: tensor<8xf32>) -> tensor<2x4x8xf32> {
  %two = llmo.constant dense<2.0> : tensor<f32>
  %eps = llmo.constant dense<1.0e-5> : tensor<f32>
  %b = llmo.constant dense<0.5> : tensor<8xf32>
  %0 = llmo.reduce_mean %x {axes = array<i64: 2>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %1 = llmo.sub %x, %0 : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %2 = llmo.pow %1, %two : (tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
  %3 = llmo.reduce_mean %2 {axes = array<i64: 2>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %4 = llmo.add %3, %eps : (tensor<2x4x1xf32>, tensor<f32>) -> tensor<2x4x1xf32>
  %5 = llmo.sqrt %4 : tensor<2x4x1xf32>
  %6 = llmo.div %1, %5 : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %7 = llmo.mul %6, %w : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  %8 = llmo.add %7, %b : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return %8 : tensor<2x4x8xf32>
}

// -----

// Negative: the bias is a function argument.
// CHECK-LABEL: func.func @layer_norm_bias_not_constant
// CHECK-NOT: llmo.layer_norm
// CHECK: return
func.func @layer_norm_bias_not_constant(%x: tensor<2x4x8xf32>, %b: tensor<8xf32>) -> tensor<2x4x8xf32> {
  %two = llmo.constant dense<2.0> : tensor<f32>
  %eps = llmo.constant dense<1.0e-5> : tensor<f32>
  %w = llmo.constant dense<2.0> : tensor<8xf32>
  %0 = llmo.reduce_mean %x {axes = array<i64: 2>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %1 = llmo.sub %x, %0 : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %2 = llmo.pow %1, %two : (tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
  %3 = llmo.reduce_mean %2 {axes = array<i64: 2>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %4 = llmo.add %3, %eps : (tensor<2x4x1xf32>, tensor<f32>) -> tensor<2x4x1xf32>
  %5 = llmo.sqrt %4 : tensor<2x4x1xf32>
  %6 = llmo.div %1, %5 : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %7 = llmo.mul %6, %w : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  %8 = llmo.add %7, %b : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return %8 : tensor<2x4x8xf32>
}

// -----

// Negative: epsilon is not a constant.
// CHECK-LABEL: func.func @layer_norm_eps_not_constant
// CHECK-NOT: llmo.layer_norm
// CHECK: return
func.func @layer_norm_eps_not_constant(%x: tensor<2x4x8xf32>, %eps: tensor<f32>) -> tensor<2x4x8xf32> {
  %two = llmo.constant dense<2.0> : tensor<f32>
  %w = llmo.constant dense<2.0> : tensor<8xf32>
  %b = llmo.constant dense<0.5> : tensor<8xf32>
  %0 = llmo.reduce_mean %x {axes = array<i64: 2>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %1 = llmo.sub %x, %0 : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %2 = llmo.pow %1, %two : (tensor<2x4x8xf32>, tensor<f32>) -> tensor<2x4x8xf32>
  %3 = llmo.reduce_mean %2 {axes = array<i64: 2>, keepdims = true} : tensor<2x4x8xf32> -> tensor<2x4x1xf32>
  %4 = llmo.add %3, %eps : (tensor<2x4x1xf32>, tensor<f32>) -> tensor<2x4x1xf32>
  %5 = llmo.sqrt %4 : tensor<2x4x1xf32>
  %6 = llmo.div %1, %5 : (tensor<2x4x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  %7 = llmo.mul %6, %w : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  %8 = llmo.add %7, %b : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return %8 : tensor<2x4x8xf32>
}

//===----------------------------------------------------------------------===//
// Linear bias
//===----------------------------------------------------------------------===//

// -----

// linear(x, w) + b with a constant [N] bias.
// CHECK-LABEL: func.func @linear_bias
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-DAG: %[[W:.*]] = llmo.constant dense<{{.*}}> : tensor<4x5xf32>
// CHECK-DAG: %[[B:.*]] = llmo.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00]> : tensor<5xf32>
// CHECK: %[[L:.*]] = llmo.linear %[[X]], %[[W]], %[[B]] : (tensor<2x3x4xf32>, tensor<4x5xf32>, tensor<5xf32>) -> tensor<2x3x5xf32>
// CHECK-NEXT: return %[[L]]
func.func @linear_bias(%x: tensor<2x3x4xf32>) -> tensor<2x3x5xf32> {
  %w = llmo.constant dense<[[1.0, 0.5, -1.0, 2.0, 0.0], [0.25, 1.0, 1.0, -2.0, 3.0], [-0.5, 2.0, 0.0, 1.0, 1.0], [1.5, -1.0, 0.5, 0.0, -3.0]]> : tensor<4x5xf32>
  %b = llmo.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0]> : tensor<5xf32>
  %0 = llmo.linear %x, %w : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  %1 = llmo.add %0, %b : (tensor<2x3x5xf32>, tensor<5xf32>) -> tensor<2x3x5xf32>
  return %1 : tensor<2x3x5xf32>
}

// -----

// b + linear(x, w) with a [1, N] bias: the bias is reshaped (folded) to [N].
// CHECK-LABEL: func.func @linear_bias_swapped
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>)
// CHECK-DAG: %[[B:.*]] = llmo.constant dense<[-1.000000e+00, 0.000000e+00, 1.000000e+00, 2.000000e+00, 5.000000e-01]> : tensor<5xf32>
// CHECK: %[[L:.*]] = llmo.linear %[[X]], %{{.*}}, %[[B]] : (tensor<3x4xf32>, tensor<4x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
// CHECK-NEXT: return %[[L]]
func.func @linear_bias_swapped(%x: tensor<3x4xf32>) -> tensor<3x5xf32> {
  %w = llmo.constant dense<[[1.0, 0.5, -1.0, 2.0, 0.0], [0.25, 1.0, 1.0, -2.0, 3.0], [-0.5, 2.0, 0.0, 1.0, 1.0], [1.5, -1.0, 0.5, 0.0, -3.0]]> : tensor<4x5xf32>
  %b = llmo.constant dense<[[-1.0, 0.0, 1.0, 2.0, 0.5]]> : tensor<1x5xf32>
  %0 = llmo.linear %x, %w : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  %1 = llmo.add %b, %0 : (tensor<1x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  return %1 : tensor<3x5xf32>
}

// -----

// Negative: the bias is a function argument.
// CHECK-LABEL: func.func @linear_bias_not_constant
// CHECK: llmo.linear %{{.*}}, %{{.*}} : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
// CHECK: llmo.add
func.func @linear_bias_not_constant(%x: tensor<3x4xf32>, %b: tensor<5xf32>) -> tensor<3x5xf32> {
  %w = llmo.constant dense<1.0> : tensor<4x5xf32>
  %0 = llmo.linear %x, %w : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  %1 = llmo.add %0, %b : (tensor<3x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  return %1 : tensor<3x5xf32>
}

// -----

// Negative: the linear already has a bias.
// CHECK-LABEL: func.func @linear_bias_already_biased
// CHECK: llmo.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<3x4xf32>, tensor<4x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
// CHECK: llmo.add
func.func @linear_bias_already_biased(%x: tensor<3x4xf32>) -> tensor<3x5xf32> {
  %w = llmo.constant dense<1.0> : tensor<4x5xf32>
  %b0 = llmo.constant dense<0.5> : tensor<5xf32>
  %b = llmo.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0]> : tensor<5xf32>
  %0 = llmo.linear %x, %w, %b0 : (tensor<3x4xf32>, tensor<4x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  %1 = llmo.add %0, %b : (tensor<3x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  return %1 : tensor<3x5xf32>
}

// -----

// Negative: the bias-less linear has another user.
// CHECK-LABEL: func.func @linear_bias_shared
// CHECK: %[[L:.*]] = llmo.linear %{{.*}}, %{{.*}} : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
// CHECK: %[[A:.*]] = llmo.add %[[L]]
// CHECK: return %[[A]], %[[L]]
func.func @linear_bias_shared(%x: tensor<3x4xf32>) -> (tensor<3x5xf32>, tensor<3x5xf32>) {
  %w = llmo.constant dense<1.0> : tensor<4x5xf32>
  %b = llmo.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0]> : tensor<5xf32>
  %0 = llmo.linear %x, %w : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  %1 = llmo.add %0, %b : (tensor<3x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  return %1, %0 : tensor<3x5xf32>, tensor<3x5xf32>
}

// -----

// Negative: a [M, N] constant is not a per-column bias.
// CHECK-LABEL: func.func @linear_bias_per_element
// CHECK: llmo.linear %{{.*}}, %{{.*}} : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
// CHECK: llmo.add
func.func @linear_bias_per_element(%x: tensor<3x4xf32>) -> tensor<3x5xf32> {
  %w = llmo.constant dense<1.0> : tensor<4x5xf32>
  %b = llmo.constant dense<2.0> : tensor<3x5xf32>
  %0 = llmo.linear %x, %w : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  %1 = llmo.add %0, %b : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  return %1 : tensor<3x5xf32>
}

// -----

// Negative: a [1, 1, N] bias broadcasts the [M, N] result to [1, M, N].
// CHECK-LABEL: func.func @linear_bias_broadcasts_result
// CHECK: llmo.linear %{{.*}}, %{{.*}} : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
// CHECK: llmo.add
func.func @linear_bias_broadcasts_result(%x: tensor<3x4xf32>) -> tensor<1x3x5xf32> {
  %w = llmo.constant dense<1.0> : tensor<4x5xf32>
  %b = llmo.constant dense<2.0> : tensor<1x1x5xf32>
  %0 = llmo.linear %x, %w : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  %1 = llmo.add %0, %b : (tensor<3x5xf32>, tensor<1x1x5xf32>) -> tensor<1x3x5xf32>
  return %1 : tensor<1x3x5xf32>
}

// -----

// A dense_resource [1, 1, D] scale (as the importer makes for weights) is
// reshaped to [D] by an explicit llmo.reshape (no folding of resources).
// CHECK-LABEL: func.func @rms_norm_resource_scale
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x4xf32>)
// CHECK: %[[W:.*]] = llmo.constant dense_resource<rms_scale> : tensor<1x1x4xf32>
// CHECK: %[[F:.*]] = llmo.reshape %[[W]] : tensor<1x1x4xf32> -> tensor<4xf32>
// CHECK: %[[N:.*]] = llmo.rms_norm %[[X]], %[[F]] {axis = 2 : i64, epsilon = 9.99999997E-7 : f32} : (tensor<2x4x4xf32>, tensor<4xf32>) -> tensor<2x4x4xf32>
// CHECK-NEXT: return %[[N]]
func.func @rms_norm_resource_scale(%x: tensor<2x4x4xf32>) -> tensor<2x4x4xf32> {
  %two = llmo.constant dense<2.0> : tensor<f32>
  %eps = llmo.constant dense<1.0e-6> : tensor<f32>
  %w = llmo.constant dense_resource<rms_scale> : tensor<1x1x4xf32>
  %0 = llmo.pow %x, %two : (tensor<2x4x4xf32>, tensor<f32>) -> tensor<2x4x4xf32>
  %1 = llmo.reduce_mean %0 {axes = array<i64: 2>, keepdims = true} : tensor<2x4x4xf32> -> tensor<2x4x1xf32>
  %2 = llmo.add %1, %eps : (tensor<2x4x1xf32>, tensor<f32>) -> tensor<2x4x1xf32>
  %3 = llmo.rsqrt %2 : tensor<2x4x1xf32>
  %4 = llmo.mul %x, %3 : (tensor<2x4x4xf32>, tensor<2x4x1xf32>) -> tensor<2x4x4xf32>
  %5 = llmo.mul %4, %w : (tensor<2x4x4xf32>, tensor<1x1x4xf32>) -> tensor<2x4x4xf32>
  return %5 : tensor<2x4x4xf32>
}

{-#
  dialect_resources: {
    builtin: {
      rms_scale: "0x040000000000803F000000400000404000008040"
    }
  }
#-}
