// w16 saturates weights beyond the f16 range to +-65504 instead of storing
// infinities; the SQNR stays finite and the outputs close to float.

// RUN: llmo-opt %s --llmo-quantize=mode=w16 -o %t.w16.mlir
// RUN: FileCheck %s < %t.w16.mlir
// CHECK-NOT: 0x7C00
// CHECK-NOT: 0xFC00
// CHECK: weight_sqnr_db = {{[0-9]}}
// RUN: %llmopy %S/Inputs/compare_outputs.py --llmo-run llmo-run --workdir %t --shape input0=4x2:f32 --metric cosine --min-cosine 0.99 %s %t.w16.mlir

func.func @main(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %w = llmo.constant dense<[[0.5, 1.0], [3.0, 70000.0]]> : tensor<2x2xf32>
  %y = llmo.linear %x, %w : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}
