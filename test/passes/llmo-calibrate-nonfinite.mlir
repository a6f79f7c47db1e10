// Non-finite activations (NaN, inf) carry no range information: every
// calibration method skips them and clips by the finite values.

// RUN: %llmopy -c "import numpy as np; np.savez(r'%t.npz', input0=np.array([[[1.0, -4.0]], [[0.5, float('nan')]]], np.float32))"
// RUN: llmo-opt %s --llmo-calibrate="data=%t.npz method=minmax" | FileCheck %s
// RUN: llmo-opt %s --llmo-calibrate="data=%t.npz method=percentile percentile=100" | FileCheck %s
// RUN: llmo-opt %s --llmo-calibrate="data=%t.npz method=mse" | FileCheck %s --check-prefix=MSE
// CHECK: llmo.calib = {input_absmax = dense<[1.000000e+00, 4.000000e+00]> : tensor<2xf32>, input_clip = 4.000000e+00 : f32, input_max = 1.000000e+00 : f32, input_min = -4.000000e+00 : f32
// MSE: llmo.calib = {input_absmax = dense<[1.000000e+00, 4.000000e+00]> : tensor<2xf32>, input_clip = {{[0-9.e+-]+}} : f32, input_max = 1.000000e+00 : f32, input_min = -4.000000e+00 : f32

func.func @main(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = llmo.constant dense<1.0> : tensor<2x2xf32>
  %y = llmo.linear %x, %w : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
