// W4A8 (llmo.dynamic_qlinear with i4 weights) through CPU code generation:
// the descriptor of kLlmoKernelW4A8Linear, and the compiled kernel against
// the interpreter on the same inputs (bit-exact without an activation, the
// fp32 epilogue's 1e-5 with one). K = 12 in groups of 4 (three groups, one
// quad each) and per channel; N = 3 (one partial panel); 5 rows.
// RUN: rm -rf %t && mkdir -p %t
// RUN: llmo-opt %s --llmo-lower-to-cpu | FileCheck %s
// CHECK: kernel_calls = 4 : i64
// [M, N, K, group_size, grouped, has_bias, activation, has_residual]
// CHECK-DAG: @llmo_desc_0(dense<[5, 3, 12, 4, 1, 0, 0, 0]> : tensor<8xi64>)
// CHECK-DAG: @llmo_desc_1(dense<[5, 3, 12, 12, 0, 1, 3, 1]> : tensor<8xi64>)
// RUN: llmo-compile %s -o %t/w4a8.llmo
// RUN: %llmopy %S/../passes/Inputs/compare_outputs.py --llmo-run llmo-run --rtol 1e-5 --workdir %t/w --shape input0=5x12:f32 %s %t/w4a8.llmo | FileCheck %s --check-prefix=OUT
// OUT: output0: max abs error 0, relative 0
// OUT-NEXT: output1: max abs error {{.*}}, relative {{.*}}
// OUT-NEXT: PASS
// The kernel reads K in quads: other group sizes are refused at code
// generation, naming the node, and no artifact is written (the interpreter
// runs them: llmo-compile -o X.mlir).
// RUN: not llmo-compile %models/mlp.onnx --quant=w4a8 --group-size=2 -o %t/bad.llmo 2>&1 | FileCheck %s --check-prefix=GROUP
// RUN: test ! -e %t/bad.llmo
// RUN: llmo-compile %models/mlp.onnx --quant=w4a8 --group-size=2 -o %t/group2.mlir
// A K whose quantized row cannot fit the scratch is refused too.
// RUN: llmo-opt %S/Inputs/w4a8-long-k.mlir --llmo-lower-to-cpu -verify-diagnostics
// GROUP: "/0/Gemm"{{.*}}error: CPU code generation of W4A8 needs a group size that is a multiple of 4, not 2

!g = !quant.uniform<i4:f32:{0:4, 1:1}, {{0.1, 0.2, 0.3}, {0.05, 0.5, 0.25}, {0.4, 0.01, 0.125}}>
!c = !quant.uniform<i4:f32:1, {0.1, 0.2, 0.3}>
func.func @main(%x: tensor<5x12xf32>) -> (tensor<5x3xf32>, tensor<5x3xf32>) {
  %wi = llmo.constant dense<[[7, -8, 1], [2, 3, -4], [-8, -8, -8], [0, 5, 6],
                             [1, 1, 1], [-2, 7, 0], [3, -3, 3], [4, 4, -4],
                             [-8, 7, -8], [7, -8, 7], [5, 0, -1], [-6, 2, 2]]> : tensor<12x3xi4>
  %wg = llmo.storage_cast %wi : tensor<12x3xi4> -> tensor<12x3x!g>
  %wc = llmo.storage_cast %wi : tensor<12x3xi4> -> tensor<12x3x!c>
  %b = llmo.constant dense<[0.5, -1.0, 0.25]> : tensor<3xf32>
  %y0 = llmo.dynamic_qlinear %x, %wg : (tensor<5x12xf32>, tensor<12x3x!g>) -> tensor<5x3xf32>
  %y1 = llmo.dynamic_qlinear %x, %wc, %b residual %y0 {activation = "silu"} : (tensor<5x12xf32>, tensor<12x3x!c>, tensor<3xf32>, tensor<5x3xf32>) -> tensor<5x3xf32>
  return %y0, %y1 : tensor<5x3xf32>, tensor<5x3xf32>
}
