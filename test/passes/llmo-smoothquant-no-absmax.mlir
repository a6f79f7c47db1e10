// Statistics without input_absmax (or of the wrong length) leave the linear
// alone (this once crashed).
// RUN: llmo-opt %s --llmo-smoothquant | FileCheck %s
// CHECK-LABEL: func.func @main
// CHECK-NOT: llmo.smooth
func.func @main(%x: tensor<3x4xf32> {llmo.name = "x"}) -> tensor<3x4xf32> {
  %g = llmo.constant dense<[1.0, 3.0, 1.0, 1.0]> : tensor<4xf32>
  %n = llmo.rms_norm %x, %g {axis = 1 : i64, epsilon = 1.0e-6 : f32} : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %wa = llmo.constant dense<1.0> : tensor<4x4xf32>
  %a = llmo.linear %n, %wa {llmo.calib = {input_clip = 1.0 : f32}} : (tensor<3x4xf32>, tensor<4x4xf32>) -> tensor<3x4xf32>
  return %a : tensor<3x4xf32>
}
