// RUN: llmo-opt %s -split-input-file --llmo-eliminate-pruned | FileCheck %s

// Outputs are unchanged, exactly (the removed terms were zeros): every case
// against its original on random inputs with --rtol 0.
// RUN: rm -rf %t && mkdir -p %t
// RUN: llmo-opt %s --llmo-eliminate-pruned -o %t/pruned.mlir
// DEFINE: %{diff} = %llmopy %S/Inputs/compare_outputs.py --llmo-run llmo-run --rtol 0
// RUN: %{diff} --workdir %t/gelu_down_rows --entry gelu_down_rows --shape x=2x3:f32 %s %t/pruned.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %{diff} --workdir %t/gelu_up_columns --entry gelu_up_columns --shape x=2x3x2:f32 %s %t/pruned.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %{diff} --workdir %t/bias_keeps_neuron --entry bias_keeps_neuron --shape x=2x3:f32 %s %t/pruned.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %{diff} --workdir %t/swiglu --entry swiglu --shape x=3x2:f32 %s %t/pruned.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %{diff} --workdir %t/swiglu_swapped --entry swiglu_swapped --shape x=3x2:f32 %s %t/pruned.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %{diff} --workdir %t/activation_other_user --entry activation_other_user --shape x=2x3:f32 %s %t/pruned.mlir | FileCheck %s --check-prefix=DIFF2
// RUN: %{diff} --workdir %t/up_other_user --entry up_other_user --shape x=2x3:f32 %s %t/pruned.mlir | FileCheck %s --check-prefix=DIFF2
// RUN: %{diff} --workdir %t/relu --entry relu --shape x=2x3:f32 %s %t/pruned.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %{diff} --workdir %t/silu --entry silu --shape x=2x3:f32 %s %t/pruned.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %{diff} --workdir %t/gelu_tanh --entry gelu_tanh --shape x=2x3:f32 %s %t/pruned.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %{diff} --workdir %t/sigmoid_up_column --entry sigmoid_up_column --shape x=2x3:f32 %s %t/pruned.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %{diff} --workdir %t/tanh --entry tanh --shape x=2x3:f32 %s %t/pruned.mlir | FileCheck %s --check-prefix=DIFF
// RUN: %{diff} --workdir %t/chained_ffns --entry chained_ffns --shape x=2x3:f32 %s %t/pruned.mlir | FileCheck %s --check-prefix=DIFF
// DIFF: output0: max abs error 0, relative 0
// DIFF-NEXT: PASS
// DIFF2: output0: max abs error 0, relative 0
// DIFF2-NEXT: output1: max abs error 0, relative 0
// DIFF2-NEXT: PASS

// The module total accumulates over runs: a second run removes nothing and
// keeps the first run's count.
// RUN: llmo-opt %s -split-input-file --llmo-eliminate-pruned --llmo-eliminate-pruned | FileCheck %s --check-prefix=TWICE
// TWICE: module attributes {llmo.pruning = {params_removed = 12 : i64}}
// TWICE-NOT: llmo.pruning
// TWICE-NEXT: func.func @gelu_down_rows
// TWICE: module attributes {llmo.pruning = {params_removed = 12 : i64}}
// TWICE-NEXT: func.func @gelu_up_columns
// TWICE: module attributes {llmo.pruning = {params_removed = 0 : i64}}
// TWICE-NEXT: func.func @bias_keeps_neuron

//===----------------------------------------------------------------------===//
// linear -> act -> linear (act: gelu, relu, silu)
//===----------------------------------------------------------------------===//

// Rows 1 and 3 of the down weight are zero (-0.0 counts): neurons 1 and 3
// are dead whatever the up projection computes. Removed parameters:
// 2 * (3 up rows + 1 up bias) + 2 * 2 down columns = 12.
// CHECK: module attributes {llmo.pruning = {params_removed = 12 : i64}}
// CHECK-LABEL: func.func @gelu_down_rows
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32> {llmo.name = "x"}) -> tensor<2x2xf32>
// CHECK-DAG: %[[B2:.*]] = llmo.constant dense<[5.000000e-01, -5.000000e-01]> : tensor<2xf32>
// CHECK-DAG: %[[W1:.*]] = llmo.constant dense<{{\[}}[1.000000e+00, 5.000000e-01], [2.500000e-01, -2.000000e+00], [-1.000000e+00, 1.000000e+00]]> : tensor<3x2xf32>
// CHECK-DAG: %[[B1:.*]] = llmo.constant dense<[1.000000e-01, 3.000000e-01]> : tensor<2xf32>
// CHECK: %[[H:.*]] = llmo.linear %[[X]], %[[W1]], %[[B1]] : (tensor<2x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
// CHECK: %[[G:.*]] = llmo.gelu %[[H]] : tensor<2x2xf32>
// CHECK: %[[W2:.*]] = llmo.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [-1.000000e+00, 5.000000e-01]]> : tensor<2x2xf32>
// CHECK: %[[Y:.*]] = llmo.linear %[[G]], %[[W2]], %[[B2]] {llmo.pruned = {neurons = 2 : i64, params = 12 : i64}} : (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
// CHECK: return %[[Y]]
func.func @gelu_down_rows(%x: tensor<2x3xf32> {llmo.name = "x"}) -> tensor<2x2xf32> {
  %w1 = llmo.constant dense<[[1.0, -1.0, 0.5, 2.0], [0.25, 1.5, -2.0, 1.0], [-1.0, 0.5, 1.0, -0.5]]> : tensor<3x4xf32>
  %b1 = llmo.constant dense<[0.1, 0.2, 0.3, 0.4]> : tensor<4xf32>
  %w2 = llmo.constant dense<[[1.0, 2.0], [0.0, 0.0], [-1.0, 0.5], [0.0, -0.0]]> : tensor<4x2xf32>
  %b2 = llmo.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %h = llmo.linear %x, %w1, %b1 : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %g = llmo.gelu %h : tensor<2x4xf32>
  %y = llmo.linear %g, %w2, %b2 : (tensor<2x4xf32>, tensor<4x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// Columns 0 and 2 of the up weight and their biases are zero: gelu(0) = 0,
// so neurons 0 and 2 are dead. [B, T, K] input: every intermediate shape
// shrinks from 4 to 2 on the last axis. 2 * (2 + 1) + 2 * 3 = 12.
// CHECK: module attributes {llmo.pruning = {params_removed = 12 : i64}}
// CHECK-LABEL: func.func @gelu_up_columns
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x2xf32> {llmo.name = "x"}) -> tensor<2x3x3xf32>
// CHECK-DAG: %[[W1:.*]] = llmo.constant dense<{{\[}}[1.000000e+00, -2.000000e+00], [5.000000e-01, 3.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[B1:.*]] = llmo.constant dense<[2.500000e-01, -7.500000e-01]> : tensor<2xf32>
// CHECK: %[[H:.*]] = llmo.linear %[[X]], %[[W1]], %[[B1]] : (tensor<2x3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x3x2xf32>
// CHECK: %[[G:.*]] = llmo.gelu %[[H]] : tensor<2x3x2xf32>
// CHECK: %[[W2:.*]] = llmo.constant dense<{{\[}}[4.000000e+00, 5.000000e+00, 6.000000e+00], [1.000000e+01, 1.100000e+01, 1.200000e+01]]> : tensor<2x3xf32>
// CHECK: llmo.linear %[[G]], %[[W2]] {llmo.pruned = {neurons = 2 : i64, params = 12 : i64}} : (tensor<2x3x2xf32>, tensor<2x3xf32>) -> tensor<2x3x3xf32>
func.func @gelu_up_columns(%x: tensor<2x3x2xf32> {llmo.name = "x"}) -> tensor<2x3x3xf32> {
  %w1 = llmo.constant dense<[[0.0, 1.0, 0.0, -2.0], [0.0, 0.5, -0.0, 3.0]]> : tensor<2x4xf32>
  %b1 = llmo.constant dense<[0.0, 0.25, 0.0, -0.75]> : tensor<4xf32>
  %w2 = llmo.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]]> : tensor<4x3xf32>
  %h = llmo.linear %x, %w1, %b1 : (tensor<2x3x2xf32>, tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  %g = llmo.gelu %h : tensor<2x3x4xf32>
  %y = llmo.linear %g, %w2 : (tensor<2x3x4xf32>, tensor<4x3xf32>) -> tensor<2x3x3xf32>
  return %y : tensor<2x3x3xf32>
}

// -----

// Column 1 of the up weight is zero but its bias is not: the neuron
// outputs gelu(0.5) != 0 and must stay.
// CHECK: module attributes {llmo.pruning = {params_removed = 0 : i64}}
// CHECK-LABEL: func.func @bias_keeps_neuron
// CHECK-NOT: llmo.pruned
// CHECK: llmo.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: llmo.gelu %{{.*}} : tensor<2x3xf32>
// CHECK: llmo.linear %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
func.func @bias_keeps_neuron(%x: tensor<2x3xf32> {llmo.name = "x"}) -> tensor<2x2xf32> {
  %w1 = llmo.constant dense<[[1.0, 0.0, 2.0], [-1.0, 0.0, 0.5], [0.5, 0.0, 1.0]]> : tensor<3x3xf32>
  %b1 = llmo.constant dense<[0.0, 0.5, 0.0]> : tensor<3xf32>
  %w2 = llmo.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %h = llmo.linear %x, %w1, %b1 : (tensor<2x3xf32>, tensor<3x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %g = llmo.gelu %h : tensor<2x3xf32>
  %y = llmo.linear %g, %w2 : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// relu: column 0 of the up weight is zero (no bias), row 2 of the down
// weight is zero. 2 * 3 + 2 * 2 = 10.
// CHECK: module attributes {llmo.pruning = {params_removed = 10 : i64}}
// CHECK-LABEL: func.func @relu
// CHECK: %[[H:.*]] = llmo.linear %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
// CHECK: %[[R:.*]] = llmo.relu %[[H]] : tensor<2x2xf32>
// CHECK: %[[W2:.*]] = llmo.constant dense<{{\[}}[3.000000e+00, 4.000000e+00], [7.000000e+00, 8.000000e+00]]> : tensor<2x2xf32>
// CHECK: llmo.linear %[[R]], %[[W2]] {llmo.pruned = {neurons = 2 : i64, params = 10 : i64}}
func.func @relu(%x: tensor<2x3xf32> {llmo.name = "x"}) -> tensor<2x2xf32> {
  %w1 = llmo.constant dense<[[0.0, 1.0, 2.0, -1.0], [0.0, -1.0, 0.5, 1.0], [0.0, 0.5, 1.0, 0.25]]> : tensor<3x4xf32>
  %w2 = llmo.constant dense<[[1.0, 2.0], [3.0, 4.0], [0.0, 0.0], [7.0, 8.0]]> : tensor<4x2xf32>
  %h = llmo.linear %x, %w1 : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %r = llmo.relu %h : tensor<2x4xf32>
  %y = llmo.linear %r, %w2 : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// silu, with a down bias (kept) and a dead neuron from each rule.
// CHECK: module attributes {llmo.pruning = {params_removed = 10 : i64}}
// CHECK-LABEL: func.func @silu
// CHECK: %[[H:.*]] = llmo.linear %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
// CHECK: %[[S:.*]] = llmo.silu %[[H]] : tensor<2x2xf32>
// CHECK: llmo.linear %[[S]], %{{.*}}, %{{.*}} {llmo.pruned = {neurons = 2 : i64, params = 10 : i64}} : (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
func.func @silu(%x: tensor<2x3xf32> {llmo.name = "x"}) -> tensor<2x2xf32> {
  %w1 = llmo.constant dense<[[1.0, 0.0, 2.0, -1.0], [2.0, 0.0, 0.5, 1.0], [-3.0, 0.0, 1.0, 0.25]]> : tensor<3x4xf32>
  %w2 = llmo.constant dense<[[1.0, 2.0], [3.0, 4.0], [0.0, 0.0], [7.0, 8.0]]> : tensor<4x2xf32>
  %b2 = llmo.constant dense<[0.25, 0.5]> : tensor<2xf32>
  %h = llmo.linear %x, %w1 : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %s = llmo.silu %h : tensor<2x4xf32>
  %y = llmo.linear %s, %w2, %b2 : (tensor<2x4xf32>, tensor<4x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// gelu with the tanh approximation is also 0 at 0.
// CHECK: module attributes {llmo.pruning = {params_removed = 5 : i64}}
// CHECK-LABEL: func.func @gelu_tanh
// CHECK: llmo.gelu %{{.*}} {approximate = "tanh"} : tensor<2x3xf32>
// CHECK: llmo.linear {{.*}}{llmo.pruned = {neurons = 1 : i64, params = 5 : i64}} : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
func.func @gelu_tanh(%x: tensor<2x3xf32> {llmo.name = "x"}) -> tensor<2x2xf32> {
  %w1 = llmo.constant dense<[[1.0, 0.0, 2.0, -1.0], [2.0, 0.0, 0.5, 1.0], [-3.0, 0.0, 1.0, 0.25]]> : tensor<3x4xf32>
  %w2 = llmo.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]> : tensor<4x2xf32>
  %h = llmo.linear %x, %w1 : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %g = llmo.gelu %h {approximate = "tanh"} : tensor<2x4xf32>
  %y = llmo.linear %g, %w2 : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// sigmoid(0) = 0.5: a zero up column does not make the neuron dead, so it
// must stay.
// CHECK: module attributes {llmo.pruning = {params_removed = 0 : i64}}
// CHECK-LABEL: func.func @sigmoid_up_column
// CHECK-NOT: llmo.pruned
// CHECK: llmo.sigmoid %{{.*}} : tensor<2x4xf32>
// CHECK: llmo.linear %{{.*}}, %{{.*}} : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
func.func @sigmoid_up_column(%x: tensor<2x3xf32> {llmo.name = "x"}) -> tensor<2x2xf32> {
  %w1 = llmo.constant dense<[[1.0, 0.0, 2.0, -1.0], [2.0, 0.0, 0.5, 1.0], [-3.0, 0.0, 1.0, 0.25]]> : tensor<3x4xf32>
  %w2 = llmo.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]> : tensor<4x2xf32>
  %h = llmo.linear %x, %w1 : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %g = llmo.sigmoid %h : tensor<2x4xf32>
  %y = llmo.linear %g, %w2 : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// tanh is not one of the activations the pass knows. Removing neuron 1 (a
// zero down row) would be valid for any activation, and neuron 0 (a zero
// up column, tanh(0) = 0) too; keeping them is only a missed optimization,
// so only the outputs are checked (DIFF above), not whether it prunes.
// CHECK-LABEL: func.func @tanh
// CHECK: llmo.tanh
func.func @tanh(%x: tensor<2x3xf32> {llmo.name = "x"}) -> tensor<2x2xf32> {
  %w1 = llmo.constant dense<[[0.0, 1.0, 2.0, -1.0], [0.0, -1.0, 0.5, 1.0], [0.0, 0.5, 1.0, 0.25]]> : tensor<3x4xf32>
  %w2 = llmo.constant dense<[[1.0, 2.0], [0.0, 0.0], [5.0, 6.0], [7.0, 8.0]]> : tensor<4x2xf32>
  %h = llmo.linear %x, %w1 : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %t = llmo.tanh %h : tensor<2x4xf32>
  %y = llmo.linear %t, %w2 : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

//===----------------------------------------------------------------------===//
// SwiGLU: linear(mul(silu(linear(x, Wg)), linear(x, Wu)), Wd)
//===----------------------------------------------------------------------===//

// -----

// F = 5. Neuron 0: zero gate column; neuron 2: zero up column; neuron 4:
// zero down row. Neurons 1 and 3 stay. Removed: 3 * 2 (gate) + 3 * 2 (up)
// + 3 * 2 (down) = 18.
// CHECK: module attributes {llmo.pruning = {params_removed = 18 : i64}}
// CHECK-LABEL: func.func @swiglu
// CHECK-SAME: (%[[X:.*]]: tensor<3x2xf32> {llmo.name = "x"}) -> tensor<3x2xf32>
// CHECK-DAG: %[[WG:.*]] = llmo.constant dense<{{\[}}[2.000000e+00, 4.000000e+00], [-2.000000e+00, -4.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[WU:.*]] = llmo.constant dense<{{\[}}[1.200000e+01, 1.400000e+01], [-1.200000e+01, -1.400000e+01]]> : tensor<2x2xf32>
// CHECK-DAG: %[[GATE:.*]] = llmo.linear %[[X]], %[[WG]] : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
// CHECK-DAG: %[[UP:.*]] = llmo.linear %[[X]], %[[WU]] : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
// CHECK: %[[S:.*]] = llmo.silu %[[GATE]] : tensor<3x2xf32>
// CHECK: %[[M:.*]] = llmo.mul %[[S]], %[[UP]] : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
// CHECK: %[[WD:.*]] = llmo.constant dense<{{\[}}[2.000000e-01, 2.500000e-01], [4.000000e-01, 4.500000e-01]]> : tensor<2x2xf32>
// CHECK: %[[Y:.*]] = llmo.linear %[[M]], %[[WD]] {llmo.pruned = {neurons = 3 : i64, params = 18 : i64}} : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
// CHECK: return %[[Y]]
func.func @swiglu(%x: tensor<3x2xf32> {llmo.name = "x"}) -> tensor<3x2xf32> {
  %wg = llmo.constant dense<[[0.0, 2.0, 3.0, 4.0, 5.0], [0.0, -2.0, -3.0, -4.0, -5.0]]> : tensor<2x5xf32>
  %wu = llmo.constant dense<[[11.0, 12.0, 0.0, 14.0, 15.0], [-11.0, -12.0, 0.0, -14.0, -15.0]]> : tensor<2x5xf32>
  %wd = llmo.constant dense<[[0.1, 0.15], [0.2, 0.25], [0.3, 0.35], [0.4, 0.45], [0.0, 0.0]]> : tensor<5x2xf32>
  %gate = llmo.linear %x, %wg : (tensor<3x2xf32>, tensor<2x5xf32>) -> tensor<3x5xf32>
  %up = llmo.linear %x, %wu : (tensor<3x2xf32>, tensor<2x5xf32>) -> tensor<3x5xf32>
  %s = llmo.silu %gate : tensor<3x5xf32>
  %m = llmo.mul %s, %up : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  %y = llmo.linear %m, %wd : (tensor<3x5xf32>, tensor<5x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// The other operand order of the mul, and an up bias: neuron 1's up column
// is zero but its bias is not, so only the zero gate column (neuron 0,
// gate has no bias) removes a neuron. 1 * 2 (gate) + 1 * (2 + 1) (up) +
// 1 * 2 (down) = 7.
// CHECK: module attributes {llmo.pruning = {params_removed = 7 : i64}}
// CHECK-LABEL: func.func @swiglu_swapped
// CHECK: %[[BU:.*]] = llmo.constant dense<[5.000000e-01, 0.000000e+00]> : tensor<2xf32>
// CHECK: %[[UP:.*]] = llmo.linear %{{.*}}, %{{.*}}, %[[BU]] : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
// CHECK: %[[S:.*]] = llmo.silu %{{.*}} : tensor<3x2xf32>
// CHECK: %[[M:.*]] = llmo.mul %[[UP]], %[[S]] : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
// CHECK: llmo.linear %[[M]], %{{.*}} {llmo.pruned = {neurons = 1 : i64, params = 7 : i64}} : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
func.func @swiglu_swapped(%x: tensor<3x2xf32> {llmo.name = "x"}) -> tensor<3x2xf32> {
  %wg = llmo.constant dense<[[0.0, 2.0, 3.0], [0.0, -2.0, -3.0]]> : tensor<2x3xf32>
  %wu = llmo.constant dense<[[11.0, 0.0, 13.0], [-11.0, 0.0, -13.0]]> : tensor<2x3xf32>
  %bu = llmo.constant dense<[1.0, 0.5, 0.0]> : tensor<3xf32>
  %wd = llmo.constant dense<[[0.1, 0.15], [0.2, 0.25], [0.3, 0.35]]> : tensor<3x2xf32>
  %gate = llmo.linear %x, %wg : (tensor<3x2xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>
  %up = llmo.linear %x, %wu, %bu : (tensor<3x2xf32>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<3x3xf32>
  %s = llmo.silu %gate : tensor<3x3xf32>
  %m = llmo.mul %up, %s : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
  %y = llmo.linear %m, %wd : (tensor<3x3xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

//===----------------------------------------------------------------------===//
// Not an FFN the pass may shrink
//===----------------------------------------------------------------------===//

// -----

// The activation's output is also returned: its width is observable, so
// nothing is removed although row 1 of the down weight is zero.
// CHECK: module attributes {llmo.pruning = {params_removed = 0 : i64}}
// CHECK-LABEL: func.func @activation_other_user
// CHECK-NOT: llmo.pruned
// CHECK: llmo.linear %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
// CHECK: llmo.gelu %{{.*}} : tensor<2x3xf32>
// CHECK: llmo.linear %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
func.func @activation_other_user(%x: tensor<2x3xf32> {llmo.name = "x"}) -> (tensor<2x2xf32>, tensor<2x3xf32>) {
  %w1 = llmo.constant dense<[[1.0, 0.0, 2.0], [-1.0, 0.0, 0.5], [0.5, 0.0, 1.0]]> : tensor<3x3xf32>
  %w2 = llmo.constant dense<[[1.0, 2.0], [0.0, 0.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %h = llmo.linear %x, %w1 : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
  %g = llmo.gelu %h : tensor<2x3xf32>
  %y = llmo.linear %g, %w2 : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  return %y, %g : tensor<2x2xf32>, tensor<2x3xf32>
}

// -----

// The up projection's output has another user (a residual-like add).
// CHECK: module attributes {llmo.pruning = {params_removed = 0 : i64}}
// CHECK-LABEL: func.func @up_other_user
// CHECK-NOT: llmo.pruned
// CHECK: llmo.linear %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
// CHECK: llmo.relu %{{.*}} : tensor<2x3xf32>
// CHECK: llmo.linear %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
func.func @up_other_user(%x: tensor<2x3xf32> {llmo.name = "x"}) -> (tensor<2x2xf32>, tensor<2x3xf32>) {
  %w1 = llmo.constant dense<[[1.0, 0.0, 2.0], [-1.0, 0.0, 0.5], [0.5, 0.0, 1.0]]> : tensor<3x3xf32>
  %w2 = llmo.constant dense<[[1.0, 2.0], [0.0, 0.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %h = llmo.linear %x, %w1 : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
  %r = llmo.relu %h : tensor<2x3xf32>
  %y = llmo.linear %r, %w2 : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %z = llmo.add %h, %x : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y, %z : tensor<2x2xf32>, tensor<2x3xf32>
}

// -----

// Two FFNs in a row sharing a linear: %m is FFN 1's down projection and
// FFN 2's up projection, losing rows to the first and columns to the
// second. Each down linear records its own count, the module the total.
// FFN 1 (gelu, 3 -> 3 -> 4): neuron 1 (zero up column) and neuron 2 (zero
//   down row): 2 * 3 + 2 * 4 = 14.
// FFN 2 (relu, on the shrunk %m: 1 -> 4 -> 2): neuron 0 (zero down row)
//   and neuron 3 (zero column of %m): 2 * 1 + 2 * 2 = 6.
// CHECK: module attributes {llmo.pruning = {params_removed = 20 : i64}}
// CHECK-LABEL: func.func @chained_ffns
// CHECK: %[[W1:.*]] = llmo.constant dense<{{\[}}[1.000000e+00], [-1.000000e+00], [5.000000e-01]]> : tensor<3x1xf32>
// CHECK: %[[H:.*]] = llmo.linear %arg0, %[[W1]] : (tensor<2x3xf32>, tensor<3x1xf32>) -> tensor<2x1xf32>
// CHECK: %[[G:.*]] = llmo.gelu %[[H]] : tensor<2x1xf32>
// CHECK: %[[WM:.*]] = llmo.constant dense<{{\[}}[2.000000e+00, 5.000000e-01]]> : tensor<1x2xf32>
// CHECK: %[[M:.*]] = llmo.linear %[[G]], %[[WM]] {llmo.pruned = {neurons = 2 : i64, params = 14 : i64}} : (tensor<2x1xf32>, tensor<1x2xf32>) -> tensor<2x2xf32>
// CHECK: %[[R:.*]] = llmo.relu %[[M]] : tensor<2x2xf32>
// CHECK: %[[W4:.*]] = llmo.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK: %[[Y:.*]] = llmo.linear %[[R]], %[[W4]] {llmo.pruned = {neurons = 2 : i64, params = 6 : i64}} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
// CHECK: return %[[Y]]
func.func @chained_ffns(%x: tensor<2x3xf32> {llmo.name = "x"}) -> tensor<2x2xf32> {
  %w1 = llmo.constant dense<[[1.0, 0.0, 2.0], [-1.0, 0.0, 0.5], [0.5, 0.0, 1.0]]> : tensor<3x3xf32>
  %wm = llmo.constant dense<[[1.0, 2.0, 0.5, 0.0], [3.0, 4.0, -1.0, 0.0], [0.0, 0.0, 0.0, 0.0]]> : tensor<3x4xf32>
  %w4 = llmo.constant dense<[[0.0, 0.0], [1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<4x2xf32>
  %h = llmo.linear %x, %w1 : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
  %g = llmo.gelu %h : tensor<2x3xf32>
  %m = llmo.linear %g, %wm : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %r = llmo.relu %m : tensor<2x4xf32>
  %y = llmo.linear %r, %w4 : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
