// GELU/RMSNorm constants are matched up to a few ulps of their own type, so
// f16 and bf16 chains (sqrt(2) = 1.4140625 there) are raised too.
// RUN: llmo-opt %s -split-input-file --llmo-raise-composites | FileCheck %s

// CHECK-LABEL: func.func @gelu_erf_f16
// CHECK-NEXT: %[[G:.*]] = llmo.gelu %arg0 : tensor<2x8xf16>
// CHECK-NEXT: return %[[G]]
func.func @gelu_erf_f16(%x: tensor<2x8xf16>) -> tensor<2x8xf16> {
  %sqrt2 = llmo.constant dense<1.41421354> : tensor<f16>
  %one = llmo.constant dense<1.0> : tensor<f16>
  %half = llmo.constant dense<0.5> : tensor<f16>
  %0 = llmo.div %x, %sqrt2 : (tensor<2x8xf16>, tensor<f16>) -> tensor<2x8xf16>
  %1 = llmo.erf %0 : tensor<2x8xf16>
  %2 = llmo.add %1, %one : (tensor<2x8xf16>, tensor<f16>) -> tensor<2x8xf16>
  %3 = llmo.mul %x, %2 : (tensor<2x8xf16>, tensor<2x8xf16>) -> tensor<2x8xf16>
  %4 = llmo.mul %half, %3 : (tensor<f16>, tensor<2x8xf16>) -> tensor<2x8xf16>
  return %4 : tensor<2x8xf16>
}

// -----

// CHECK-LABEL: func.func @gelu_erf_bf16
// CHECK-NEXT: %[[G:.*]] = llmo.gelu %arg0 : tensor<2x8xbf16>
// CHECK-NEXT: return %[[G]]
func.func @gelu_erf_bf16(%x: tensor<2x8xbf16>) -> tensor<2x8xbf16> {
  %sqrt2 = llmo.constant dense<1.41421354> : tensor<bf16>
  %one = llmo.constant dense<1.0> : tensor<bf16>
  %half = llmo.constant dense<0.5> : tensor<bf16>
  %0 = llmo.div %x, %sqrt2 : (tensor<2x8xbf16>, tensor<bf16>) -> tensor<2x8xbf16>
  %1 = llmo.erf %0 : tensor<2x8xbf16>
  %2 = llmo.add %1, %one : (tensor<2x8xbf16>, tensor<bf16>) -> tensor<2x8xbf16>
  %3 = llmo.mul %x, %2 : (tensor<2x8xbf16>, tensor<2x8xbf16>) -> tensor<2x8xbf16>
  %4 = llmo.mul %half, %3 : (tensor<bf16>, tensor<2x8xbf16>) -> tensor<2x8xbf16>
  return %4 : tensor<2x8xbf16>
}

// -----

// CHECK-LABEL: func.func @gelu_tanh_bf16
// CHECK-NEXT: %[[G:.*]] = llmo.gelu %arg0 {approximate = "tanh"} : tensor<2x8xbf16>
// CHECK-NEXT: return %[[G]]
func.func @gelu_tanh_bf16(%x: tensor<2x8xbf16>) -> tensor<2x8xbf16> {
  %three = llmo.constant dense<3.0> : tensor<bf16>
  %c = llmo.constant dense<0.044715> : tensor<bf16>
  %k = llmo.constant dense<0.797884583> : tensor<bf16>
  %one = llmo.constant dense<1.0> : tensor<bf16>
  %half = llmo.constant dense<0.5> : tensor<bf16>
  %0 = llmo.mul %half, %x : (tensor<bf16>, tensor<2x8xbf16>) -> tensor<2x8xbf16>
  %1 = llmo.pow %x, %three : (tensor<2x8xbf16>, tensor<bf16>) -> tensor<2x8xbf16>
  %2 = llmo.mul %c, %1 : (tensor<bf16>, tensor<2x8xbf16>) -> tensor<2x8xbf16>
  %3 = llmo.add %x, %2 : (tensor<2x8xbf16>, tensor<2x8xbf16>) -> tensor<2x8xbf16>
  %4 = llmo.mul %k, %3 : (tensor<bf16>, tensor<2x8xbf16>) -> tensor<2x8xbf16>
  %5 = llmo.tanh %4 : tensor<2x8xbf16>
  %6 = llmo.add %one, %5 : (tensor<bf16>, tensor<2x8xbf16>) -> tensor<2x8xbf16>
  %7 = llmo.mul %0, %6 : (tensor<2x8xbf16>, tensor<2x8xbf16>) -> tensor<2x8xbf16>
  return %7 : tensor<2x8xbf16>
}
