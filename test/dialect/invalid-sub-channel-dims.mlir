// Sub-channel quantized dimensions must be dims of the tensor (C2).
// RUN: llmo-opt %s -split-input-file -verify-diagnostics

func.func @listed_dim_out_of_range(%a: tensor<4xf32>) {
  // expected-error @+1 {{'llmo.quantize' op}}
  %0 = llmo.quantize %a : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32:{1:2}, {1.0}>>
  return
}
