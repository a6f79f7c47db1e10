// --llmo-quantize refuses IR that --llmo-fuse has already rewritten: a
// fused linear with a float weight would otherwise stay float without a
// word (calibration, SmoothQuant and the bit-width plan only see
// llmo.linear). Without quantization (mode=none) fused IR passes through.
// RUN: llmo-opt %s -split-input-file --llmo-quantize=mode=w4a16 -verify-diagnostics
// RUN: llmo-opt %s -split-input-file --llmo-quantize="mode=w8a8 act=dynamic" -verify-diagnostics
// RUN: llmo-opt %s -split-input-file --llmo-quantize=mode=none | FileCheck %s

// CHECK-LABEL: func.func @fused_float_weight
// CHECK: llmo.fused_linear
func.func @fused_float_weight(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %w = llmo.constant dense<0.5> : tensor<4x4xf32>
  // expected-error @+1 {{--llmo-quantize: this fused linear has a float weight, and fused ops are not quantized; quantize the unfused IR (llmo-compile --fuse=false writes it), then fuse}}
  %y = llmo.fused_linear %x, %w residual %x {activation = "gelu"} : (tensor<2x4xf32>, tensor<4x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// A fused linear whose weight is already quantized (dequantized constant)
// is left as it is.
// CHECK-LABEL: func.func @fused_quantized_weight
// CHECK: llmo.fused_linear
func.func @fused_quantized_weight(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %c = llmo.constant dense<[[1, -2], [3, -4]]> : tensor<2x2xi8>
  %q = llmo.storage_cast %c : tensor<2x2xi8> -> tensor<2x2x!quant.uniform<i8<-127:127>:f32:1, {0.1, 0.2}>>
  %w = llmo.dequantize %q : tensor<2x2x!quant.uniform<i8<-127:127>:f32:1, {0.1, 0.2}>> -> tensor<2x2xf32>
  %y = llmo.fused_linear %x, %w {activation = "silu"} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
