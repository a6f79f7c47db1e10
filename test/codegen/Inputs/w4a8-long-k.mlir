// A W4A8 linear whose activation row (K = 2^20 int8 values) cannot fit the
// kernel's 1 MiB of scratch (used by test/codegen/w4a8.mlir).
!c = !quant.uniform<i4:f32:1, {0.5}>
func.func @main(%x: tensor<1x1048576xf32>) -> tensor<1x1xf32> {
  %wi = llmo.constant dense<1> : tensor<1048576x1xi4>
  %w = llmo.storage_cast %wi : tensor<1048576x1xi4> -> tensor<1048576x1x!c>
  // expected-error @+1 {{CPU W4A8 keeps a quantized activation row in 1 MiB of scratch: K = 1048576 is too long}}
  %y = llmo.dynamic_qlinear %x, %w : (tensor<1x1048576xf32>, tensor<1048576x1x!c>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}
