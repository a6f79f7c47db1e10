// A norm over several axes cannot take per-channel factors in its [3, 2]
// scale: --llmo-smoothquant inserts an explicit mul instead (this once
// divided only part of the scale and changed the float result).
// RUN: llmo-opt %s --llmo-smoothquant | FileCheck %s
// RUN: llmo-opt %s --llmo-smoothquant -o %t.mlir
// RUN: %llmopy %S/Inputs/compare_outputs.py --llmo-run llmo-run --workdir %t.diff --shape x=2x3x2:f32 --rtol 1e-5 %s %t.mlir | FileCheck %s --check-prefix=DIFF
// DIFF: PASS
// CHECK-LABEL: func.func @main
// CHECK: %[[N:.*]] = llmo.rms_norm %arg0, %{{.*}} {axis = 1 : i64
// CHECK: llmo.mul %[[N]]
// CHECK: folded_into_norm = false
func.func @main(%x: tensor<2x3x2xf32> {llmo.name = "x"}) -> tensor<2x3x2xf32> {
  %g = llmo.constant dense<[[1.0, 3.0], [2.0, 2.0], [0.5, 1.5]]> : tensor<3x2xf32>
  %n = llmo.rms_norm %x, %g {axis = 1 : i64, epsilon = 1.0e-6 : f32} : (tensor<2x3x2xf32>, tensor<3x2xf32>) -> tensor<2x3x2xf32>
  %wa = llmo.constant dense<[[1.0, -2.0], [4.0, -1.0]]> : tensor<2x2xf32>
  %a = llmo.linear %n, %wa {llmo.calib = {input_absmax = dense<[8.0, 1.0]> : tensor<2xf32>}} : (tensor<2x3x2xf32>, tensor<2x2xf32>) -> tensor<2x3x2xf32>
  return %a : tensor<2x3x2xf32>
}
