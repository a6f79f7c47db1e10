// RUN: llmo-opt %s -split-input-file --llmo-fuse | FileCheck %s

// Every fused function computes what the original does (float rounding
// only) on random inputs; the compiled code of the fused ops is checked by
// test/codegen/fused-kernels.mlir.
// RUN: rm -rf %t && mkdir -p %t
// RUN: llmo-opt %s --llmo-fuse -o %t/fused.mlir
// DEFINE: %{diff} = %llmopy %S/Inputs/compare_outputs.py --llmo-run llmo-run --rtol 1e-5
// RUN: %{diff} --workdir %t/bert --entry bert_attention --shape q=1x2x5x4:f32 --shape k=1x2x5x4:f32 --shape v=1x2x5x3:f32 --shape mask=1x1x1x5:f32 %s %t/fused.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %{diff} --workdir %t/gqa --entry grouped_query --shape q=1x4x1x4:f32 --shape k=1x2x6x4:f32 --shape v=1x2x6x3:f32 --shape mask=1x1x1x6:f32 %s %t/fused.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %{diff} --workdir %t/gqa-not --entry repeat_not_absorbed --shape q=1x4x2x4:f32 --shape k=1x2x6x4:f32 --shape v=1x2x6x3:f32 %s %t/fused.mlir | FileCheck %s --check-prefix=DIFF3
// RUN: %{diff} --workdir %t/div --entry div_scale_no_mask --shape q=2x3x4:f32 --shape kt=2x4x6:f32 --shape v=2x6x4:f32 %s %t/fused.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %{diff} --workdir %t/qkv --entry qkv --shape x=2x3x8:f32 %s %t/fused.mlir | FileCheck %s --check-prefix=DIFF3
// RUN: %{diff} --workdir %t/ffn --entry ffn_gelu_residual --shape x=2x3x4:f32 %s %t/fused.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %{diff} --workdir %t/conv1d --entry conv1d_reshapes --shape x=2x3x4:f32 %s %t/fused.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %{diff} --workdir %t/swiglu --entry swiglu --shape g=2x3x8:f32 --shape u=2x3x8:f32 %s %t/fused.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %{diff} --workdir %t/rope --entry rope --shape x=1x4x5x8:f32 --shape rot=1x4x5x8:f32 --shape cos=1x1x5x8:f32 --shape sin=1x1x5x8:f32 %s %t/fused.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %{diff} --workdir %t/gelu --entry gelu_tanh_ops --shape x=3x5:f32 %s %t/fused.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %{diff} --workdir %t/int8 --entry int8_epilogue --shape x=2x3x4:f32 %s %t/fused.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %{diff} --workdir %t/w4merge --entry qkv_w4_groups --shape x=3x4:f32 %s %t/fused.mlir | FileCheck %s --check-prefix=DIFF3
// RUN: %{diff} --workdir %t/int8merge --entry int8_projections --shape x=3x2:f32 %s %t/fused.mlir | FileCheck %s --check-prefix=DIFF5
// RUN: %{diff} --workdir %t/mixedmerge --entry mixed_formats --shape x=3x2:f32 %s %t/fused.mlir | FileCheck %s --check-prefix=DIFF4
// DIFF: output0: max abs error {{.*}}, relative {{.*}}
// DIFF-NEXT: PASS
// DIFF3: output2: max abs error {{.*}}, relative {{.*}}
// DIFF3-NEXT: PASS
// DIFF4: output3: max abs error {{.*}}, relative {{.*}}
// DIFF4-NEXT: PASS
// DIFF5: output4: max abs error {{.*}}, relative {{.*}}
// DIFF5-NEXT: PASS

// BERT: scores = q k^T (k transposed by a transpose op) * scale + mask.
// CHECK-LABEL: func.func @bert_attention
// CHECK-SAME: llmo.fused = {attention = 1 : i64, elementwise = 0 : i64, epilogues = 0 : i64, projections = 0 : i64}
// CHECK-NEXT: %[[A:.*]] = llmo.attention %arg0, %arg1, %arg2 mask %arg3 {scale = 5.000000e-01 : f32}
// CHECK-NEXT: return %[[A]]
func.func @bert_attention(%q: tensor<1x2x5x4xf32> {llmo.name = "q"}, %k: tensor<1x2x5x4xf32> {llmo.name = "k"}, %v: tensor<1x2x5x3xf32> {llmo.name = "v"}, %mask: tensor<1x1x1x5xf32> {llmo.name = "mask"}) -> tensor<1x2x5x3xf32> {
  %kt = llmo.transpose %k {perm = array<i64: 0, 1, 3, 2>} : tensor<1x2x5x4xf32> -> tensor<1x2x4x5xf32>
  %s = llmo.matmul %q, %kt : (tensor<1x2x5x4xf32>, tensor<1x2x4x5xf32>) -> tensor<1x2x5x5xf32>
  %c = llmo.constant dense<0.5> : tensor<f32>
  %scaled = llmo.mul %s, %c : (tensor<1x2x5x5xf32>, tensor<f32>) -> tensor<1x2x5x5xf32>
  %masked = llmo.add %scaled, %mask : (tensor<1x2x5x5xf32>, tensor<1x1x1x5xf32>) -> tensor<1x2x5x5xf32>
  %p = llmo.softmax %masked {axis = 3 : i64} : tensor<1x2x5x5xf32>
  %y = llmo.matmul %p, %v : (tensor<1x2x5x5xf32>, tensor<1x2x5x3xf32>) -> tensor<1x2x5x3xf32>
  return %y : tensor<1x2x5x3xf32>
}

// -----

// K^T given directly (no transpose op): a transpose is inserted for the
// key; a division by a constant becomes its reciprocal scale.
// CHECK-LABEL: func.func @div_scale_no_mask
// CHECK: %[[KEY:.*]] = llmo.transpose %{{.*}} {perm = array<i64: 0, 2, 1>} : tensor<2x4x6xf32> -> tensor<2x6x4xf32>
// CHECK-NEXT: llmo.attention %{{.*}}, %[[KEY]], %{{.*}} {scale = 2.500000e-01 : f32} : (tensor<2x3x4xf32>, tensor<2x6x4xf32>, tensor<2x6x4xf32>) -> tensor<2x3x4xf32>
// CHECK-NOT: llmo.softmax
func.func @div_scale_no_mask(%q: tensor<2x3x4xf32> {llmo.name = "q"}, %kt: tensor<2x4x6xf32> {llmo.name = "kt"}, %v: tensor<2x6x4xf32> {llmo.name = "v"}) -> tensor<2x3x4xf32> {
  %s = llmo.matmul %q, %kt : (tensor<2x3x4xf32>, tensor<2x4x6xf32>) -> tensor<2x3x6xf32>
  %c = llmo.constant dense<4.0> : tensor<f32>
  %scaled = llmo.div %s, %c : (tensor<2x3x6xf32>, tensor<f32>) -> tensor<2x3x6xf32>
  %p = llmo.softmax %scaled {axis = 2 : i64} : tensor<2x3x6xf32>
  %y = llmo.matmul %p, %v : (tensor<2x3x6xf32>, tensor<2x6x4xf32>) -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}

// -----

// Grouped-query attention (Hugging Face's repeat_kv): 4 query heads, 2
// key/value heads, each repeated twice by reshape/broadcast/reshape. The
// attention reads the 2 heads; the repeated copies are gone.
// CHECK-LABEL: func.func @grouped_query
// CHECK-SAME: attention = 1 : i64
// CHECK-NEXT: %[[A:.*]] = llmo.attention %arg0, %arg1, %arg2 mask %arg3 {scale = 5.000000e-01 : f32} : (tensor<1x4x1x4xf32>, tensor<1x2x6x4xf32>, tensor<1x2x6x3xf32>, tensor<1x1x1x6xf32>) -> tensor<1x4x1x3xf32>
// CHECK-NEXT: return %[[A]]
func.func @grouped_query(%q: tensor<1x4x1x4xf32> {llmo.name = "q"}, %k: tensor<1x2x6x4xf32> {llmo.name = "k"}, %v: tensor<1x2x6x3xf32> {llmo.name = "v"}, %mask: tensor<1x1x1x6xf32> {llmo.name = "mask"}) -> tensor<1x4x1x3xf32> {
  %k1 = llmo.reshape %k : tensor<1x2x6x4xf32> -> tensor<1x2x1x6x4xf32>
  %k2 = llmo.broadcast %k1 : tensor<1x2x1x6x4xf32> -> tensor<1x2x2x6x4xf32>
  %k3 = llmo.reshape %k2 : tensor<1x2x2x6x4xf32> -> tensor<1x4x6x4xf32>
  %v1 = llmo.reshape %v : tensor<1x2x6x3xf32> -> tensor<1x2x1x6x3xf32>
  %v2 = llmo.broadcast %v1 : tensor<1x2x1x6x3xf32> -> tensor<1x2x2x6x3xf32>
  %v3 = llmo.reshape %v2 : tensor<1x2x2x6x3xf32> -> tensor<1x4x6x3xf32>
  %kt = llmo.transpose %k3 {perm = array<i64: 0, 1, 3, 2>} : tensor<1x4x6x4xf32> -> tensor<1x4x4x6xf32>
  %s = llmo.matmul %q, %kt : (tensor<1x4x1x4xf32>, tensor<1x4x4x6xf32>) -> tensor<1x4x1x6xf32>
  %c = llmo.constant dense<0.5> : tensor<f32>
  %scaled = llmo.mul %s, %c : (tensor<1x4x1x6xf32>, tensor<f32>) -> tensor<1x4x1x6xf32>
  %masked = llmo.add %scaled, %mask : (tensor<1x4x1x6xf32>, tensor<1x1x1x6xf32>) -> tensor<1x4x1x6xf32>
  %p = llmo.softmax %masked {axis = 3 : i64} : tensor<1x4x1x6xf32>
  %y = llmo.matmul %p, %v3 : (tensor<1x4x1x6xf32>, tensor<1x4x6x3xf32>) -> tensor<1x4x1x3xf32>
  return %y : tensor<1x4x1x3xf32>
}

// -----

// Not absorbed: the repeated key is used elsewhere too (its copy must
// exist), and the value is repeated along another axis (not repeat_kv).
// CHECK-LABEL: func.func @repeat_not_absorbed
// CHECK: llmo.attention %{{.*}}, %{{.*}}, %{{.*}} {scale = 1.000000e+00 : f32} : (tensor<1x4x2x4xf32>, tensor<1x4x6x4xf32>, tensor<1x4x6x3xf32>) -> tensor<1x4x2x3xf32>
// CHECK: llmo.attention %{{.*}}, %{{.*}}, %{{.*}} {scale = 1.000000e+00 : f32} : (tensor<1x4x2x4xf32>, tensor<1x4x6x4xf32>, tensor<1x4x6x3xf32>) -> tensor<1x4x2x3xf32>
func.func @repeat_not_absorbed(%q: tensor<1x4x2x4xf32> {llmo.name = "q"}, %k: tensor<1x2x6x4xf32> {llmo.name = "k"}, %v: tensor<1x2x6x3xf32> {llmo.name = "v"}) -> (tensor<1x4x2x3xf32>, tensor<1x4x6x4xf32>, tensor<1x4x2x3xf32>) {
  %k1 = llmo.reshape %k : tensor<1x2x6x4xf32> -> tensor<1x2x1x6x4xf32>
  %k2 = llmo.broadcast %k1 : tensor<1x2x1x6x4xf32> -> tensor<1x2x2x6x4xf32>
  %k3 = llmo.reshape %k2 : tensor<1x2x2x6x4xf32> -> tensor<1x4x6x4xf32>
  %v1 = llmo.reshape %v : tensor<1x2x6x3xf32> -> tensor<1x2x1x6x3xf32>
  %v2 = llmo.broadcast %v1 : tensor<1x2x1x6x3xf32> -> tensor<1x2x2x6x3xf32>
  %v3 = llmo.reshape %v2 : tensor<1x2x2x6x3xf32> -> tensor<1x4x6x3xf32>
  %kt = llmo.transpose %k3 {perm = array<i64: 0, 1, 3, 2>} : tensor<1x4x6x4xf32> -> tensor<1x4x4x6xf32>
  %s = llmo.matmul %q, %kt : (tensor<1x4x2x4xf32>, tensor<1x4x4x6xf32>) -> tensor<1x4x2x6xf32>
  %p = llmo.softmax %s {axis = 3 : i64} : tensor<1x4x2x6xf32>
  %y = llmo.matmul %p, %v3 : (tensor<1x4x2x6xf32>, tensor<1x4x6x3xf32>) -> tensor<1x4x2x3xf32>
  // [1, 2, 6, 1, 3] -> [1, 2, 6, 2, 3] -> [1, 4, 6, 3] interleaves the
  // keys of a head: not a per-head repeat.
  %w1 = llmo.reshape %v : tensor<1x2x6x3xf32> -> tensor<1x2x6x1x3xf32>
  %w2 = llmo.broadcast %w1 : tensor<1x2x6x1x3xf32> -> tensor<1x2x6x2x3xf32>
  %w3 = llmo.reshape %w2 : tensor<1x2x6x2x3xf32> -> tensor<1x4x6x3xf32>
  %k4 = llmo.reshape %k : tensor<1x2x6x4xf32> -> tensor<1x2x1x6x4xf32>
  %k5 = llmo.broadcast %k4 : tensor<1x2x1x6x4xf32> -> tensor<1x2x2x6x4xf32>
  %k6 = llmo.reshape %k5 : tensor<1x2x2x6x4xf32> -> tensor<1x4x6x4xf32>
  %kt2 = llmo.transpose %k6 {perm = array<i64: 0, 1, 3, 2>} : tensor<1x4x6x4xf32> -> tensor<1x4x4x6xf32>
  %s2 = llmo.matmul %q, %kt2 : (tensor<1x4x2x4xf32>, tensor<1x4x4x6xf32>) -> tensor<1x4x2x6xf32>
  %p2 = llmo.softmax %s2 {axis = 3 : i64} : tensor<1x4x2x6xf32>
  %y2 = llmo.matmul %p2, %w3 : (tensor<1x4x2x6xf32>, tensor<1x4x6x3xf32>) -> tensor<1x4x2x3xf32>
  return %y, %k3, %y2 : tensor<1x4x2x3xf32>, tensor<1x4x6x4xf32>, tensor<1x4x2x3xf32>
}

// -----

// The probabilities are used twice: nothing is fused.
// CHECK-LABEL: func.func @probabilities_escape
// CHECK: llmo.softmax
// CHECK-NOT: llmo.attention
func.func @probabilities_escape(%q: tensor<3x4xf32>, %kt: tensor<4x3xf32>, %v: tensor<3x4xf32>) -> (tensor<3x4xf32>, tensor<3x3xf32>) {
  %s = llmo.matmul %q, %kt : (tensor<3x4xf32>, tensor<4x3xf32>) -> tensor<3x3xf32>
  %p = llmo.softmax %s {axis = 1 : i64} : tensor<3x3xf32>
  %y = llmo.matmul %p, %v : (tensor<3x3xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %y, %p : tensor<3x4xf32>, tensor<3x3xf32>
}

// -----

// Softmax over another axis is not attention.
// CHECK-LABEL: func.func @softmax_not_last_axis
// CHECK: llmo.softmax
// CHECK-NOT: llmo.attention
func.func @softmax_not_last_axis(%q: tensor<3x4xf32>, %kt: tensor<4x3xf32>, %v: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %s = llmo.matmul %q, %kt : (tensor<3x4xf32>, tensor<4x3xf32>) -> tensor<3x3xf32>
  %p = llmo.softmax %s {axis = 0 : i64} : tensor<3x3xf32>
  %y = llmo.matmul %p, %v : (tensor<3x3xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

// Q/K/V read the same input: one linear over the concatenated weights (the
// missing bias of K is zeros), then a split.
// CHECK-LABEL: func.func @qkv
// CHECK-SAME: llmo.fused = {attention = 0 : i64, elementwise = 0 : i64, epilogues = 0 : i64, projections = 1 : i64}
// CHECK: %[[W:.*]] = llmo.constant dense_resource<fused_projection> : tensor<8x12xf32>
// CHECK: %[[B:.*]] = llmo.constant dense<{{.*}}> : tensor<12xf32>
// CHECK: %[[L:.*]] = llmo.linear %{{.*}}, %[[W]], %[[B]] : (tensor<2x3x8xf32>, tensor<8x12xf32>, tensor<12xf32>) -> tensor<2x3x12xf32>
// CHECK-NEXT: %[[S:.*]]:3 = llmo.split %[[L]] {axis = 2 : i64} : tensor<2x3x12xf32> -> tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>
// CHECK-NOT: llmo.linear
// CHECK: return %[[S]]#0, %[[S]]#1, %[[S]]#2
func.func @qkv(%x: tensor<2x3x8xf32> {llmo.name = "x"}) -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>) {
  %wq = llmo.constant dense<0.25> : tensor<8x4xf32>
  %wk = llmo.constant dense<-0.5> : tensor<8x4xf32>
  %wv = llmo.constant dense<[[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], [0.0, 1.0, 0.0, 1.0], [0.0, 1.0, 0.0, 1.0], [0.0, 1.0, 0.0, 1.0], [0.0, 1.0, 0.0, 1.0]]> : tensor<8x4xf32>
  %bq = llmo.constant dense<1.0> : tensor<4xf32>
  %bv = llmo.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %q = llmo.linear %x, %wq, %bq : (tensor<2x3x8xf32>, tensor<8x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  %k = llmo.linear %x, %wk : (tensor<2x3x8xf32>, tensor<8x4xf32>) -> tensor<2x3x4xf32>
  %v = llmo.linear %x, %wv, %bv : (tensor<2x3x8xf32>, tensor<8x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %q, %k, %v : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>
}

// -----

// FFN: up + GELU, down + residual add of the block input.
// CHECK-LABEL: func.func @ffn_gelu_residual
// CHECK-SAME: llmo.fused = {attention = 0 : i64, elementwise = 0 : i64, epilogues = 2 : i64, projections = 0 : i64}
// CHECK: %[[H:.*]] = llmo.fused_linear %arg0, %{{.*}} bias %{{.*}} {activation = "gelu"} : (tensor<2x3x4xf32>, tensor<4x8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
// CHECK-NEXT: %[[Y:.*]] = llmo.fused_linear %[[H]], %{{.*}} residual %arg0 : (tensor<2x3x8xf32>, tensor<8x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
// CHECK-NEXT: return %[[Y]]
func.func @ffn_gelu_residual(%x: tensor<2x3x4xf32> {llmo.name = "x"}) -> tensor<2x3x4xf32> {
  %w1 = llmo.constant dense<0.3> : tensor<4x8xf32>
  %b1 = llmo.constant dense<-0.2> : tensor<8xf32>
  %w2 = llmo.constant dense<0.1> : tensor<8x4xf32>
  %h = llmo.linear %x, %w1, %b1 : (tensor<2x3x4xf32>, tensor<4x8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  %g = llmo.gelu %h : tensor<2x3x8xf32>
  %d = llmo.linear %g, %w2 : (tensor<2x3x8xf32>, tensor<8x4xf32>) -> tensor<2x3x4xf32>
  %y = llmo.add %x, %d : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}

// -----

// A linear whose result is also returned keeps its activation separate; a
// broadcasting add is not a residual.
// CHECK-LABEL: func.func @no_epilogue
// CHECK: llmo.linear
// CHECK-NEXT: llmo.silu
// CHECK: llmo.linear
// CHECK-NEXT: llmo.add
// CHECK-NOT: llmo.fused_linear
func.func @no_epilogue(%x: tensor<3x4xf32>, %b: tensor<4xf32>) -> (tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>) {
  %w = llmo.constant dense<0.3> : tensor<4x4xf32>
  %h = llmo.linear %x, %w : (tensor<3x4xf32>, tensor<4x4xf32>) -> tensor<3x4xf32>
  %s = llmo.silu %h : tensor<3x4xf32>
  %w2 = llmo.constant dense<0.2> : tensor<4x4xf32>
  %d = llmo.linear %s, %w2 : (tensor<3x4xf32>, tensor<4x4xf32>) -> tensor<3x4xf32>
  %y = llmo.add %d, %b : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  return %h, %s, %y : tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>
}

// -----

// GPT-2's Conv1D flattens the leading dims around the linear; the reshapes
// are folded so the GELU fuses.
// CHECK-LABEL: func.func @conv1d_reshapes
// CHECK-NOT: llmo.reshape
// CHECK: llmo.fused_linear %{{.*}}, %{{.*}} bias %{{.*}} {activation = "gelu_tanh"} : (tensor<2x3x4xf32>, tensor<4x6xf32>, tensor<6xf32>) -> tensor<2x3x6xf32>
func.func @conv1d_reshapes(%x: tensor<2x3x4xf32> {llmo.name = "x"}) -> tensor<2x3x6xf32> {
  %w = llmo.constant dense<0.3> : tensor<4x6xf32>
  %b = llmo.constant dense<0.1> : tensor<6xf32>
  %flat = llmo.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %h = llmo.linear %flat, %w, %b : (tensor<6x4xf32>, tensor<4x6xf32>, tensor<6xf32>) -> tensor<6x6xf32>
  %r = llmo.reshape %h : tensor<6x6xf32> -> tensor<2x3x6xf32>
  %g = llmo.gelu %r {approximate = "tanh"} : tensor<2x3x6xf32>
  return %g : tensor<2x3x6xf32>
}

// -----

// (e) SwiGLU after the gate/up split: silu and mul become one loop body.
// CHECK-LABEL: func.func @swiglu
// CHECK-SAME: elementwise = 1 : i64
// CHECK: %[[Y:.*]] = llmo.elementwise %arg0, %arg1 : (tensor<2x3x8xf32>, tensor<2x3x8xf32>) -> tensor<2x3x8xf32> {
// CHECK-NEXT: ^bb0(%[[G:.*]]: f32, %[[U:.*]]: f32):
// CHECK-NEXT: %[[N:.*]] = arith.negf %[[G]] : f32
// CHECK-NEXT: %[[E:.*]] = math.exp %[[N]] : f32
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[D:.*]] = arith.addf %[[ONE]], %[[E]] : f32
// CHECK-NEXT: %[[S:.*]] = arith.divf %[[G]], %[[D]] : f32
// CHECK-NEXT: %[[M:.*]] = arith.mulf %[[S]], %[[U]] : f32
// CHECK-NEXT: llmo.yield %[[M]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: return %[[Y]]
func.func @swiglu(%g: tensor<2x3x8xf32> {llmo.name = "g"}, %u: tensor<2x3x8xf32> {llmo.name = "u"}) -> tensor<2x3x8xf32> {
  %s = llmo.silu %g : tensor<2x3x8xf32>
  %y = llmo.mul %s, %u : (tensor<2x3x8xf32>, tensor<2x3x8xf32>) -> tensor<2x3x8xf32>
  return %y : tensor<2x3x8xf32>
}

// -----

// (e) Rotary embedding: broadcast cos/sin tables stay inputs (read through
// broadcasting), a value used twice is one input.
// CHECK-LABEL: func.func @rope
// CHECK: %[[Y:.*]] = llmo.elementwise %arg0, %arg2, %arg1, %arg3 : (tensor<1x4x5x8xf32>, tensor<1x1x5x8xf32>, tensor<1x4x5x8xf32>, tensor<1x1x5x8xf32>) -> tensor<1x4x5x8xf32> {
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[C:.*]]: f32, %[[R:.*]]: f32, %[[S:.*]]: f32):
// CHECK-NEXT: %[[A:.*]] = arith.mulf %[[X]], %[[C]] : f32
// CHECK-NEXT: %[[B:.*]] = arith.mulf %[[R]], %[[S]] : f32
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[A]], %[[B]] : f32
// CHECK-NEXT: %[[SQ:.*]] = arith.mulf %[[SUM]], %[[SUM]] : f32
// CHECK-NEXT: llmo.yield %[[SQ]] : f32
func.func @rope(%x: tensor<1x4x5x8xf32> {llmo.name = "x"}, %rot: tensor<1x4x5x8xf32> {llmo.name = "rot"}, %cos: tensor<1x1x5x8xf32> {llmo.name = "cos"}, %sin: tensor<1x1x5x8xf32> {llmo.name = "sin"}) -> tensor<1x4x5x8xf32> {
  %a = llmo.mul %x, %cos : (tensor<1x4x5x8xf32>, tensor<1x1x5x8xf32>) -> tensor<1x4x5x8xf32>
  %b = llmo.mul %rot, %sin : (tensor<1x4x5x8xf32>, tensor<1x1x5x8xf32>) -> tensor<1x4x5x8xf32>
  %s = llmo.add %a, %b : (tensor<1x4x5x8xf32>, tensor<1x4x5x8xf32>) -> tensor<1x4x5x8xf32>
  %two = llmo.constant dense<2.0> : tensor<f32>
  %y = llmo.pow %s, %two : (tensor<1x4x5x8xf32>, tensor<f32>) -> tensor<1x4x5x8xf32>
  return %y : tensor<1x4x5x8xf32>
}

// -----

// (e) GELU (tanh form) as exported op by op: splat constants move into the
// body, pow by 3 becomes products.
// CHECK-LABEL: func.func @gelu_tanh_ops
// CHECK-NOT: llmo.constant
// CHECK: llmo.elementwise %arg0 : (tensor<3x5xf32>) -> tensor<3x5xf32> {
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32):
// CHECK-NEXT: %[[X2:.*]] = arith.mulf %[[X]], %[[X]] : f32
// CHECK-NEXT: %[[X3:.*]] = arith.mulf %[[X2]], %[[X]] : f32
// CHECK-NEXT: arith.constant 4.471500e-02 : f32
// CHECK: math.tanh
// CHECK: llmo.yield
// CHECK-NOT: llmo.
// CHECK: return
func.func @gelu_tanh_ops(%x: tensor<3x5xf32> {llmo.name = "x"}) -> tensor<3x5xf32> {
  %three = llmo.constant dense<3.0> : tensor<f32>
  %c1 = llmo.constant dense<0.044715> : tensor<f32>
  %c2 = llmo.constant dense<0.7978846> : tensor<f32>
  %one = llmo.constant dense<1.0> : tensor<f32>
  %half = llmo.constant dense<0.5> : tensor<f32>
  %p = llmo.pow %x, %three : (tensor<3x5xf32>, tensor<f32>) -> tensor<3x5xf32>
  %m = llmo.mul %p, %c1 : (tensor<3x5xf32>, tensor<f32>) -> tensor<3x5xf32>
  %a = llmo.add %x, %m : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  %s = llmo.mul %a, %c2 : (tensor<3x5xf32>, tensor<f32>) -> tensor<3x5xf32>
  %t = llmo.tanh %s : tensor<3x5xf32>
  %o = llmo.add %t, %one : (tensor<3x5xf32>, tensor<f32>) -> tensor<3x5xf32>
  %h = llmo.mul %x, %half : (tensor<3x5xf32>, tensor<f32>) -> tensor<3x5xf32>
  %y = llmo.mul %h, %o : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  return %y : tensor<3x5xf32>
}

// -----

// No elementwise fusion: an intermediate used outside the chain, an
// intermediate of a smaller (broadcast) shape, integer ops, a pow that is
// not a square or cube, and single ops.
// CHECK-LABEL: func.func @no_elementwise
// CHECK-SAME: elementwise = 0 : i64
// CHECK-NOT: llmo.elementwise
func.func @no_elementwise(%x: tensor<3x4xf32>, %v: tensor<4xf32>, %i: tensor<3x4xi64>) -> (tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xi64>, tensor<3x4xf32>) {
  %e = llmo.exp %x : tensor<3x4xf32>
  %m = llmo.mul %e, %x : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %small = llmo.neg %v : tensor<4xf32>
  %b = llmo.add %x, %small : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %ia = llmo.add %i, %i : (tensor<3x4xi64>, tensor<3x4xi64>) -> tensor<3x4xi64>
  %ib = llmo.mul %ia, %i : (tensor<3x4xi64>, tensor<3x4xi64>) -> tensor<3x4xi64>
  %half = llmo.constant dense<0.5> : tensor<f32>
  %r = llmo.pow %x, %half : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xf32>
  %rn = llmo.neg %r : tensor<3x4xf32>
  return %e, %m, %b, %ib, %rn : tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xi64>, tensor<3x4xf32>
}

// -----

// The int8 linears take the same epilogue: activation, then residual.
// CHECK-LABEL: func.func @int8_epilogue
// CHECK-SAME: epilogues = 2 : i64
// CHECK: %[[H:.*]] = llmo.dynamic_qlinear %arg0, %{{.*}}, %{{.*}} {activation = "silu"} : (tensor<2x3x4xf32>, tensor<4x4x!quant.uniform<i8:f32, 5.000000e-02>>, tensor<4xf32>) -> tensor<2x3x4xf32>
// CHECK-NEXT: %[[Q:.*]] = llmo.quantize %[[H]]
// CHECK-NEXT: %[[Y:.*]] = llmo.qlinear %[[Q]], %{{.*}} residual %arg0 {activation = "gelu"}
// CHECK-NEXT: return %[[Y]]
func.func @int8_epilogue(%x: tensor<2x3x4xf32> {llmo.name = "x"}) -> tensor<2x3x4xf32> {
  %wi = llmo.constant dense<[[1, -2, 3, -4], [5, 6, -7, 8], [-9, 10, 11, -12], [13, -14, 15, 16]]> : tensor<4x4xi8>
  %w = llmo.storage_cast %wi : tensor<4x4xi8> -> tensor<4x4x!quant.uniform<i8:f32, 0.05>>
  %b = llmo.constant dense<0.1> : tensor<4xf32>
  %h = llmo.dynamic_qlinear %x, %w, %b : (tensor<2x3x4xf32>, tensor<4x4x!quant.uniform<i8:f32, 0.05>>, tensor<4xf32>) -> tensor<2x3x4xf32>
  %s = llmo.silu %h : tensor<2x3x4xf32>
  %q = llmo.quantize %s : tensor<2x3x4xf32> -> tensor<2x3x4x!quant.uniform<u8:f32, 0.02:128>>
  %y = llmo.qlinear %q, %w : (tensor<2x3x4x!quant.uniform<u8:f32, 0.02:128>>, tensor<4x4x!quant.uniform<i8:f32, 0.05>>) -> tensor<2x3x4xf32>
  %g = llmo.gelu %y : tensor<2x3x4xf32>
  %r = llmo.add %g, %x : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %r : tensor<2x3x4xf32>
}

// -----

// Weight-only W4 in groups of 2 rows: the i4 constants and the [K/2, N]
// scale tables are concatenated along N, so one dequantizing GEMM reads
// the input once.
// CHECK-LABEL: func.func @qkv_w4_groups
// CHECK-SAME: projections = 1 : i64
// CHECK-NEXT: %[[C:.*]] = llmo.constant dense<{{\[\[}}1, -2, 3, -4, 5, -6], [7, -8, 0, 1, 2, 3], [-1, 2, -3, 4, -5, 6], [-7, 7, 0, -1, -2, -3]]> : tensor<4x6xi4>
// CHECK-NEXT: %[[Q:.*]] = llmo.storage_cast %[[C]] : tensor<4x6xi4> -> tensor<4x6x!quant.uniform<i4:f32:{0:2, 1:1}, {{\{\{}}1.000000e-01, 2.000000e-01, 3.000000e-01, 4.000000e-01, 5.000000e-01, 6.000000e-01}, {0.699999988, 8.000000e-01, 0.899999976, 1.000000e+00, 1.100000e+00, 1.200000e+00}}>>
// CHECK-NEXT: %[[W:.*]] = llmo.dequantize %[[Q]]
// CHECK-NEXT: %[[B:.*]] = llmo.constant dense<[0.000000e+00, 0.000000e+00, 5.000000e-01, -5.000000e-01, 0.000000e+00, 0.000000e+00]> : tensor<6xf32>
// CHECK-NEXT: %[[L:.*]] = llmo.linear %arg0, %[[W]], %[[B]] {llmo.format = "w4g2", llmo.quant = {format = "w4g2", weight_bytes = 36 : i64, weight_sqnr_db = 2.000000e+01 : f64}} : (tensor<3x4xf32>, tensor<4x6xf32>, tensor<6xf32>) -> tensor<3x6xf32>
// CHECK-NEXT: %[[S:.*]]:3 = llmo.split %[[L]] {axis = 1 : i64}
// CHECK-NEXT: return %[[S]]#0, %[[S]]#1, %[[S]]#2
// (The three original constants, casts and dequantizes are gone.)
func.func @qkv_w4_groups(%x: tensor<3x4xf32> {llmo.name = "x"}) -> (tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>) {
  %cq = llmo.constant dense<[[1, -2], [7, -8], [-1, 2], [-7, 7]]> : tensor<4x2xi4>
  %ck = llmo.constant dense<[[3, -4], [0, 1], [-3, 4], [0, -1]]> : tensor<4x2xi4>
  %cv = llmo.constant dense<[[5, -6], [2, 3], [-5, 6], [-2, -3]]> : tensor<4x2xi4>
  %sq = llmo.storage_cast %cq : tensor<4x2xi4> -> tensor<4x2x!quant.uniform<i4<-8:7>:f32:{0:2, 1:1}, {{0.1, 0.2}, {0.7, 0.8}}>>
  %sk = llmo.storage_cast %ck : tensor<4x2xi4> -> tensor<4x2x!quant.uniform<i4<-8:7>:f32:{0:2, 1:1}, {{0.3, 0.4}, {0.9, 1.0}}>>
  %sv = llmo.storage_cast %cv : tensor<4x2xi4> -> tensor<4x2x!quant.uniform<i4<-8:7>:f32:{0:2, 1:1}, {{0.5, 0.6}, {1.1, 1.2}}>>
  %wq = llmo.dequantize %sq : tensor<4x2x!quant.uniform<i4<-8:7>:f32:{0:2, 1:1}, {{0.1, 0.2}, {0.7, 0.8}}>> -> tensor<4x2xf32>
  %wk = llmo.dequantize %sk : tensor<4x2x!quant.uniform<i4<-8:7>:f32:{0:2, 1:1}, {{0.3, 0.4}, {0.9, 1.0}}>> -> tensor<4x2xf32>
  %wv = llmo.dequantize %sv : tensor<4x2x!quant.uniform<i4<-8:7>:f32:{0:2, 1:1}, {{0.5, 0.6}, {1.1, 1.2}}>> -> tensor<4x2xf32>
  %bk = llmo.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %q = llmo.linear %x, %wq {llmo.format = "w4g2", llmo.quant = {format = "w4g2", weight_bytes = 12 : i64, weight_sqnr_db = 25.0 : f64}} : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
  %k = llmo.linear %x, %wk, %bk {llmo.format = "w4g2", llmo.quant = {format = "w4g2", weight_bytes = 12 : i64, weight_sqnr_db = 20.0 : f64}} : (tensor<3x4xf32>, tensor<4x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %v = llmo.linear %x, %wv {llmo.format = "w4g2", llmo.quant = {format = "w4g2", weight_bytes = 12 : i64, weight_sqnr_db = 30.0 : f64}} : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
  return %q, %k, %v : tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>
}

// -----

// Integer linears: dynamic per-token W8A8 (per-channel scales concatenated)
// and static W8A8 reading one quantized input (per-tensor weights merge
// only with the same scale: the third stays alone).
// CHECK-LABEL: func.func @int8_projections
// CHECK-SAME: projections = 2 : i64
// CHECK-NEXT: llmo.constant dense<{{\[\[}}1, -2, 3, 7, -8], [-4, 5, -6, 9, -10]]> : tensor<2x5xi8>
// CHECK-NEXT: %[[DW:.*]] = llmo.storage_cast %{{.*}} : tensor<2x5xi8> -> tensor<2x5x!quant.uniform<i8<-127:127>:f32:1, {1.000000e-01,2.000000e-01,3.000000e-01,4.000000e-01,5.000000e-01}>>
// CHECK-NEXT: %[[DB:.*]] = llmo.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 0.000000e+00, 0.000000e+00]> : tensor<5xf32>
// CHECK-NEXT: %[[D:.*]] = llmo.dynamic_qlinear %arg0, %[[DW]], %[[DB]] : (tensor<3x2xf32>, tensor<2x5x!quant.uniform<i8<-127:127>:f32:1, {{.*}}>>, tensor<5xf32>) -> tensor<3x5xf32>
// CHECK-NEXT: %[[DS:.*]]:2 = llmo.split %[[D]] {axis = 1 : i64} : tensor<3x5xf32> -> tensor<3x3xf32>, tensor<3x2xf32>
// CHECK-NEXT: %[[X:.*]] = llmo.quantize %arg0
// CHECK-DAG: %[[SW:.*]] = llmo.storage_cast %{{.*}} : tensor<2x4xi8> -> tensor<2x4x!quant.uniform<i8:f32, 5.000000e-02>>
// CHECK-DAG: %[[S:.*]] = llmo.qlinear %[[X]], %[[SW]] : (tensor<3x2x!quant.uniform<i8:f32, 2.500000e-02>>, tensor<2x4x!quant.uniform<i8:f32, 5.000000e-02>>) -> tensor<3x4xf32>
// CHECK-DAG: %[[SS:.*]]:2 = llmo.split %[[S]] {axis = 1 : i64} : tensor<3x4xf32> -> tensor<3x2xf32>, tensor<3x2xf32>
// CHECK-DAG: llmo.constant dense<{{\[\[}}11, -12, -15, 16], [13, 14, 17, -18]]> : tensor<2x4xi8>
// CHECK-DAG: %[[ALONE:.*]] = llmo.qlinear %[[X]], %{{.*}} : (tensor<3x2x!quant.uniform<i8:f32, 2.500000e-02>>, tensor<2x2x!quant.uniform<i8:f32, 1.000000e-01>>) -> tensor<3x2xf32>
// CHECK: return %[[DS]]#0, %[[DS]]#1, %[[SS]]#0, %[[SS]]#1, %[[ALONE]]
func.func @int8_projections(%x: tensor<3x2xf32> {llmo.name = "x"}) -> (tensor<3x3xf32>, tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>) {
  %c1 = llmo.constant dense<[[1, -2, 3], [-4, 5, -6]]> : tensor<2x3xi8>
  %c2 = llmo.constant dense<[[7, -8], [9, -10]]> : tensor<2x2xi8>
  %w1 = llmo.storage_cast %c1 : tensor<2x3xi8> -> tensor<2x3x!quant.uniform<i8<-127:127>:f32:1, {0.1, 0.2, 0.3}>>
  %w2 = llmo.storage_cast %c2 : tensor<2x2xi8> -> tensor<2x2x!quant.uniform<i8<-127:127>:f32:1, {0.4, 0.5}>>
  %b1 = llmo.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %d1 = llmo.dynamic_qlinear %x, %w1, %b1 : (tensor<3x2xf32>, tensor<2x3x!quant.uniform<i8<-127:127>:f32:1, {0.1, 0.2, 0.3}>>, tensor<3xf32>) -> tensor<3x3xf32>
  %d2 = llmo.dynamic_qlinear %x, %w2 : (tensor<3x2xf32>, tensor<2x2x!quant.uniform<i8<-127:127>:f32:1, {0.4, 0.5}>>) -> tensor<3x2xf32>
  %xq = llmo.quantize %x : tensor<3x2xf32> -> tensor<3x2x!quant.uniform<i8:f32, 0.025>>
  %c3 = llmo.constant dense<[[11, -12], [13, 14]]> : tensor<2x2xi8>
  %c4 = llmo.constant dense<[[-15, 16], [17, -18]]> : tensor<2x2xi8>
  %w3 = llmo.storage_cast %c3 : tensor<2x2xi8> -> tensor<2x2x!quant.uniform<i8:f32, 0.05>>
  %w4 = llmo.storage_cast %c4 : tensor<2x2xi8> -> tensor<2x2x!quant.uniform<i8:f32, 0.05>>
  %w5 = llmo.storage_cast %c4 : tensor<2x2xi8> -> tensor<2x2x!quant.uniform<i8:f32, 0.1>>
  %s1 = llmo.qlinear %xq, %w3 : (tensor<3x2x!quant.uniform<i8:f32, 0.025>>, tensor<2x2x!quant.uniform<i8:f32, 0.05>>) -> tensor<3x2xf32>
  %s2 = llmo.qlinear %xq, %w4 : (tensor<3x2x!quant.uniform<i8:f32, 0.025>>, tensor<2x2x!quant.uniform<i8:f32, 0.05>>) -> tensor<3x2xf32>
  %s3 = llmo.qlinear %xq, %w5 : (tensor<3x2x!quant.uniform<i8:f32, 0.025>>, tensor<2x2x!quant.uniform<i8:f32, 0.1>>) -> tensor<3x2xf32>
  return %d1, %d2, %s1, %s2, %s3 : tensor<3x3xf32>, tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>
}

// -----

// Different weight formats on one input stay apart (W4 per channel and W8
// per channel here); the two f16 weights (w16) merge into one f16 constant.
// CHECK-LABEL: func.func @mixed_formats
// CHECK-SAME: projections = 1 : i64
// CHECK-DAG: llmo.linear %arg0, %{{.*}} : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
// CHECK-DAG: llmo.linear %arg0, %{{.*}} : (tensor<3x2xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>
// CHECK-DAG: %[[H:.*]] = llmo.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00, 5.000000e-01], [3.000000e+00, 4.000000e+00, -5.000000e-01]]> : tensor<2x3xf16>
// CHECK-DAG: %[[HC:.*]] = llmo.cast %[[H]] : tensor<2x3xf16> -> tensor<2x3xf32>
// CHECK-DAG: llmo.linear %arg0, %[[HC]] : (tensor<3x2xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>
func.func @mixed_formats(%x: tensor<3x2xf32> {llmo.name = "x"}) -> (tensor<3x2xf32>, tensor<3x3xf32>, tensor<3x2xf32>, tensor<3x1xf32>) {
  %c4 = llmo.constant dense<[[1, -2], [3, -4]]> : tensor<2x2xi4>
  %q4 = llmo.storage_cast %c4 : tensor<2x2xi4> -> tensor<2x2x!quant.uniform<i4<-8:7>:f32:1, {0.1, 0.2}>>
  %w4 = llmo.dequantize %q4 : tensor<2x2x!quant.uniform<i4<-8:7>:f32:1, {0.1, 0.2}>> -> tensor<2x2xf32>
  %c8 = llmo.constant dense<[[1, -2, 3], [3, -4, 5]]> : tensor<2x3xi8>
  %q8 = llmo.storage_cast %c8 : tensor<2x3xi8> -> tensor<2x3x!quant.uniform<i8<-127:127>:f32:1, {0.1, 0.2, 0.3}>>
  %w8 = llmo.dequantize %q8 : tensor<2x3x!quant.uniform<i8<-127:127>:f32:1, {0.1, 0.2, 0.3}>> -> tensor<2x3xf32>
  %h1 = llmo.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf16>
  %h2 = llmo.constant dense<[[0.5], [-0.5]]> : tensor<2x1xf16>
  %f1 = llmo.cast %h1 : tensor<2x2xf16> -> tensor<2x2xf32>
  %f2 = llmo.cast %h2 : tensor<2x1xf16> -> tensor<2x1xf32>
  %a = llmo.linear %x, %w4 : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  %b = llmo.linear %x, %w8 : (tensor<3x2xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>
  %c = llmo.linear %x, %f1 : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  %d = llmo.linear %x, %f2 : (tensor<3x2xf32>, tensor<2x1xf32>) -> tensor<3x1xf32>
  return %a, %b, %c, %d : tensor<3x2xf32>, tensor<3x3xf32>, tensor<3x2xf32>, tensor<3x1xf32>
}

// -----

// An integer linear that already has an epilogue is not merged.
// CHECK-LABEL: func.func @int8_with_epilogue
// CHECK-SAME: projections = 0 : i64
// CHECK-COUNT-2: llmo.dynamic_qlinear
func.func @int8_with_epilogue(%x: tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>) {
  %c = llmo.constant dense<[[1, -2], [3, -4]]> : tensor<2x2xi8>
  %w = llmo.storage_cast %c : tensor<2x2xi8> -> tensor<2x2x!quant.uniform<i8:f32, 0.05>>
  %a = llmo.dynamic_qlinear %x, %w {activation = "relu"} : (tensor<3x2xf32>, tensor<2x2x!quant.uniform<i8:f32, 0.05>>) -> tensor<3x2xf32>
  %b = llmo.dynamic_qlinear %x, %w : (tensor<3x2xf32>, tensor<2x2x!quant.uniform<i8:f32, 0.05>>) -> tensor<3x2xf32>
  return %a, %b : tensor<3x2xf32>, tensor<3x2xf32>
}
