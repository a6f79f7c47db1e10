// Calibration data with known values. Every case names its inputs
// (llmo.name), so one .npz serves every split: the pass only reads the
// arrays named after the inputs of the module's @main.
//   pc       [2 samples, 2, 3]  channel |max| [4, 3, 2], min -4, max 3
//   ml, mr   [1 sample, 2, 2]   |max| 6 and 0.5
//   outlier  [1 sample, 250, 4] 999 values 0.25 and one 1000 (channel 1)
//   zeros, w [3 samples, 2, 2], [3 samples, 2, 3]  all 0, all 1
//   heavy    [64 samples, 64, 64] Laplace(0, 1), |max| ~13.5; ones = 1
// RUN: %llmopy -c "import numpy as np; \
// RUN:   pc = np.array([[[1, -2, 0.5], [0.25, 3, -1]], [[-4, 1, 0], [0, 0, 2]]], np.float32); \
// RUN:   ml = np.array([[[1, -6], [2, 3]]], np.float32); \
// RUN:   mr = np.array([[[0.5, 0.125], [-0.25, 0]]], np.float32); \
// RUN:   o = np.full((1, 250, 4), 0.25, np.float32); o[0, 3, 1] = 1000; \
// RUN:   heavy = np.random.default_rng(0).laplace(size=(64, 64, 64)).astype(np.float32); \
// RUN:   np.savez(r'%t.npz', pc=pc, ml=ml, mr=mr, outlier=o, zeros=np.zeros((3, 2, 2), np.float32), \
// RUN:            w=np.ones((3, 2, 3), np.float32), heavy=heavy, ones=np.ones((64, 64, 1), np.float32))"

// RUN: llmo-opt %s -split-input-file --llmo-calibrate=data=%t.npz | FileCheck %s --check-prefixes=CHECK,MINMAX
// RUN: llmo-opt %s -split-input-file --llmo-calibrate="data=%t.npz method=minmax" | FileCheck %s --check-prefixes=CHECK,MINMAX
// RUN: llmo-opt %s -split-input-file --llmo-calibrate="data=%t.npz method=percentile percentile=99" | FileCheck %s --check-prefixes=CHECK,PCT99
// RUN: llmo-opt %s -split-input-file --llmo-calibrate="data=%t.npz method=percentile" | FileCheck %s --check-prefixes=CHECK,PCTDEF
// RUN: llmo-opt %s -split-input-file --llmo-calibrate="data=%t.npz method=mse" | FileCheck %s --check-prefixes=CHECK,MSE
// RUN: llmo-opt %s -split-input-file --llmo-calibrate="data=%t.npz max-samples=1" | FileCheck %s --check-prefix=MAX1
// RUN: llmo-opt %s -split-input-file --llmo-calibrate="data=%t.npz max-samples=100" | FileCheck %s --check-prefixes=CHECK,MINMAX

// --llmo-quantize (w8a8, static) turns the recorded input_clip into the
// activation scale input_clip / 127 and keeps llmo.calib.
// RUN: llmo-opt %s -split-input-file --llmo-calibrate=data=%t.npz --llmo-quantize | FileCheck %s --check-prefix=PIPE
// RUN: llmo-opt %s -split-input-file --llmo-calibrate="data=%t.npz method=percentile percentile=99" --llmo-quantize | FileCheck %s --check-prefix=PIPE99
// PIPE-LABEL: func.func @main(%{{.*}}: tensor<2x3xf32> {llmo.name = "pc"})
// PIPE: llmo.quantize %{{.*}} : tensor<2x3xf32> -> tensor<2x3x!quant.uniform<i8<-127:127>:f32, 0.031496062992125984>>
// PIPE-NEXT: llmo.qlinear {{.*}} {llmo.calib = {input_absmax = dense<[4.000000e+00, 3.000000e+00, 2.000000e+00]> : tensor<3xf32>, input_clip = 4.000000e+00 : f32, {{.*}}}, llmo.quant = {format = "w8a8-static",
// PIPE-LABEL: func.func @main(%{{.*}}: tensor<250x4xf32> {llmo.name = "outlier"})
// PIPE: llmo.quantize %{{.*}} : tensor<250x4xf32> -> tensor<250x4x!quant.uniform<i8<-127:127>:f32, 7.8740157480314963>>
// PIPE99-LABEL: func.func @main(%{{.*}}: tensor<250x4xf32> {llmo.name = "outlier"})
// PIPE99: llmo.quantize %{{.*}} : tensor<250x4xf32> -> tensor<250x4x!quant.uniform<i8<-127:127>:f32, 0.003844734251968504>>
// Each linear of a chain gets its own scale (4 / 127, 8 / 127).
// PIPE-LABEL: func.func @main(%{{.*}}: tensor<2x3xf32> {llmo.name = "pc"}) -> tensor<2x2xf32>
// PIPE: llmo.quantize %{{.*}} : tensor<2x3xf32> -> tensor<2x3x!quant.uniform<i8<-127:127>:f32, 0.031496062992125984>>
// PIPE: llmo.quantize %{{.*}} : tensor<2x3xf32> -> tensor<2x3x!quant.uniform<i8<-127:127>:f32, 0.062992125984251968>>

// Deterministic: the same data gives byte-identical IR (also for the
// two-pass histogram methods).
// RUN: llmo-opt %s -split-input-file --llmo-calibrate="data=%t.npz method=mse" -o %t.mse1.mlir
// RUN: llmo-opt %s -split-input-file --llmo-calibrate="data=%t.npz method=mse" -o %t.mse2.mlir
// RUN: cmp %t.mse1.mlir %t.mse2.mlir
// RUN: llmo-opt %s -split-input-file --llmo-calibrate="data=%t.npz method=percentile percentile=99.5" -o %t.pct1.mlir
// RUN: llmo-opt %s -split-input-file --llmo-calibrate="data=%t.npz method=percentile percentile=99.5" -o %t.pct2.mlir
// RUN: cmp %t.pct1.mlir %t.pct2.mlir

// Errors.
// RUN: not llmo-opt %s -split-input-file --llmo-calibrate 2>&1 | FileCheck %s --check-prefix=ERR-NODATA
// ERR-NODATA: error: --llmo-calibrate needs data=CALIB.npz
// RUN: not llmo-opt %s -split-input-file --llmo-calibrate=data=%t.missing.npz 2>&1 | FileCheck %s --check-prefix=ERR-NOFILE
// ERR-NOFILE: error: --llmo-calibrate: {{.*}}missing.npz: cannot open file
// RUN: %llmopy -c "import numpy as np; np.savez(r'%t.noinput.npz', other=np.ones((2, 2, 3), np.float32))"
// RUN: not llmo-opt %s -split-input-file --llmo-calibrate=data=%t.noinput.npz 2>&1 | FileCheck %s --check-prefix=ERR-NOINPUT
// ERR-NOINPUT: error: --llmo-calibrate: {{.*}}noinput.npz: no array named 'pc' (the model input)
// RUN: %llmopy -c "import numpy as np; np.savez(r'%t.shape.npz', pc=np.ones((2, 3, 2), np.float32))"
// RUN: not llmo-opt %s -split-input-file --llmo-calibrate=data=%t.shape.npz 2>&1 | FileCheck %s --check-prefix=ERR-SHAPE
// ERR-SHAPE: error: --llmo-calibrate: {{.*}}shape.npz: array 'pc' has shape [2,3,2], expected [samples, 2,3]
// A sample without the leading samples dimension.
// RUN: %llmopy -c "import numpy as np; np.savez(r'%t.rank.npz', pc=np.ones((2, 3), np.float32))"
// RUN: not llmo-opt %s -split-input-file --llmo-calibrate=data=%t.rank.npz 2>&1 | FileCheck %s --check-prefix=ERR-RANK
// ERR-RANK: error: --llmo-calibrate: {{.*}}rank.npz: array 'pc' has shape [2,3], expected [samples, 2,3]
// RUN: %llmopy -c "import numpy as np; np.savez(r'%t.dtype.npz', pc=np.ones((2, 2, 3), np.int32))"
// RUN: not llmo-opt %s -split-input-file --llmo-calibrate=data=%t.dtype.npz 2>&1 | FileCheck %s --check-prefix=ERR-DTYPE
// ERR-DTYPE: error: --llmo-calibrate: {{.*}}dtype.npz: array 'pc': dtype is 'i4' but the input is f32
// RUN: %llmopy -c "import numpy as np; np.savez(r'%t.counts.npz', ml=np.ones((2, 2, 2), np.float32), mr=np.ones((3, 2, 2), np.float32))"
// RUN: not llmo-opt %s -split-input-file --llmo-calibrate=data=%t.counts.npz 2>&1 | FileCheck %s --check-prefix=ERR-COUNTS
// ERR-COUNTS: error: --llmo-calibrate: {{.*}}counts.npz: arrays have different sample counts
// RUN: %llmopy -c "import numpy as np; np.savez(r'%t.empty.npz', pc=np.ones((0, 2, 3), np.float32))"
// RUN: not llmo-opt %s -split-input-file --llmo-calibrate=data=%t.empty.npz 2>&1 | FileCheck %s --check-prefix=ERR-EMPTY
// ERR-EMPTY: error: --llmo-calibrate: {{.*}}empty.npz: no samples
// RUN: %llmopy -c "import numpy as np; np.savez_compressed(r'%t.compressed.npz', pc=np.ones((2, 2, 3), np.float32))"
// RUN: not llmo-opt %s -split-input-file --llmo-calibrate=data=%t.compressed.npz 2>&1 | FileCheck %s --check-prefix=ERR-COMPRESSED
// ERR-COMPRESSED: error: --llmo-calibrate: {{.*}}compressed.npz: member 'pc.npy' is compressed (np.savez_compressed); write the calibration data with np.savez
// RUN: not llmo-opt %s -split-input-file --llmo-calibrate="data=%t.npz method=kl" 2>&1 | FileCheck %s --check-prefix=ERR-METHOD
// ERR-METHOD: error: --llmo-calibrate: unknown method 'kl' (expected minmax, percentile or mse)
// RUN: not llmo-opt %s -split-input-file --llmo-calibrate="data=%t.npz method=percentile percentile=0" 2>&1 | FileCheck %s --check-prefix=ERR-PCT
// RUN: not llmo-opt %s -split-input-file --llmo-calibrate="data=%t.npz method=percentile percentile=100.5" 2>&1 | FileCheck %s --check-prefix=ERR-PCT
// RUN: not llmo-opt %s -split-input-file --llmo-calibrate="data=%t.npz method=percentile percentile=-1" 2>&1 | FileCheck %s --check-prefix=ERR-PCT
// ERR-PCT: error: --llmo-calibrate: percentile must be in (0, 100]
// The option is checked whatever the method.
// RUN: not llmo-opt %s -split-input-file --llmo-calibrate="data=%t.npz percentile=101" 2>&1 | FileCheck %s --check-prefix=ERR-PCT
// The option checks come before the data is read.
// RUN: not llmo-opt %s -split-input-file --llmo-calibrate="data=%t.missing.npz method=kl" 2>&1 | FileCheck %s --check-prefix=ERR-METHOD
// RUN: not llmo-opt %s -split-input-file --llmo-calibrate="method=mse percentile=0" 2>&1 | FileCheck %s --check-prefix=ERR-PCT
// RUN: echo 'func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> { return %x : tensor<2xf32> }' > %t.nomain.mlir
// RUN: not llmo-opt %t.nomain.mlir --llmo-calibrate=data=%t.npz 2>&1 | FileCheck %s --check-prefix=ERR-NOMAIN
// ERR-NOMAIN: error: --llmo-calibrate: the module has no func.func @main

// The module records the method and sample count (of its own @main's
// inputs: 2 for the first case).
// MINMAX: module attributes {llmo.calibration = {method = "minmax", percentile = 99.989999999999994 : f64, samples = 2 : i64}}
// PCT99: module attributes {llmo.calibration = {method = "percentile", percentile = 9.900000e+01 : f64, samples = 2 : i64}}
// PCTDEF: module attributes {llmo.calibration = {method = "percentile", percentile = 99.989999999999994 : f64, samples = 2 : i64}}
// MSE: module attributes {llmo.calibration = {method = "mse", percentile = 99.989999999999994 : f64, samples = 2 : i64}}
// MAX1: module attributes {llmo.calibration = {method = "minmax", percentile = 99.989999999999994 : f64, samples = 1 : i64}}

// Per input channel (the last dim of the input, over every sample and
// token) |max|; min and max over everything; per output channel (column of
// the [K, N] weight) |max| of the weight; clip = |max| when every value
// lies in the top bin (all methods).
// CHECK-LABEL: func.func @main(%{{.*}}: tensor<2x3xf32> {llmo.name = "pc"})
// CHECK: llmo.linear
// CHECK-SAME: {llmo.calib = {input_absmax = dense<[4.000000e+00, 3.000000e+00, 2.000000e+00]> : tensor<3xf32>, input_clip = 4.000000e+00 : f32, input_max = 3.000000e+00 : f32, input_min = -4.000000e+00 : f32, weight_absmax = dense<[3.000000e+00, 5.000000e+00, 7.000000e+00]> : tensor<3xf32>}}
// max-samples=1: the first sample only.
// MAX1-LABEL: func.func @main(%{{.*}}: tensor<2x3xf32> {llmo.name = "pc"})
// MAX1: llmo.linear
// MAX1-SAME: {llmo.calib = {input_absmax = dense<[1.000000e+00, 3.000000e+00, 1.000000e+00]> : tensor<3xf32>, input_clip = 3.000000e+00 : f32, input_max = 3.000000e+00 : f32, input_min = -2.000000e+00 : f32, weight_absmax = dense<[3.000000e+00, 5.000000e+00, 7.000000e+00]> : tensor<3xf32>}}
func.func @main(%x: tensor<2x3xf32> {llmo.name = "pc"}) -> tensor<2x3xf32> {
  %w = llmo.constant dense<[[1.0, -5.0, 0.0], [0.5, 2.0, 7.0], [-3.0, 0.25, 1.0]]> : tensor<3x3xf32>
  %y = llmo.linear %x, %w : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// matmul: a per-tensor clip for each operand, no per-channel statistics.
// CHECK-LABEL: func.func @main(%{{.*}}: tensor<2x2xf32> {llmo.name = "ml"}, %{{.*}}: tensor<2x2xf32> {llmo.name = "mr"})
// CHECK: llmo.matmul
// CHECK-SAME: {llmo.calib = {lhs_clip = 6.000000e+00 : f32, rhs_clip = 5.000000e-01 : f32}}
// MAX1-LABEL: func.func @main(%{{.*}}: tensor<2x2xf32> {llmo.name = "ml"}
// MAX1: {llmo.calib = {lhs_clip = 6.000000e+00 : f32, rhs_clip = 5.000000e-01 : f32}}
func.func @main(%a: tensor<2x2xf32> {llmo.name = "ml"}, %b: tensor<2x2xf32> {llmo.name = "mr"}) -> tensor<2x2xf32> {
  %y = llmo.matmul %a, %b : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// One outlier (1000) among 999 values 0.25. minmax clips at 1000. The
// 99th percentile of |x| is 0.25, reported as the upper edge of its
// histogram bin: 1000 / 2048 = 0.48828125. The default percentile
// (99.99: 999.9 of 1000 values) needs the outlier's bin: 1000. mse keeps
// nearly all of the range (clipping the outlier costs more than the
// rounding noise it saves on 999 values): in (990, 1000].
// Only positive inputs: input_min is 0.25, not 0.
// CHECK-LABEL: func.func @main(%{{.*}}: tensor<250x4xf32> {llmo.name = "outlier"})
// CHECK: llmo.linear
// CHECK-SAME: {llmo.calib = {input_absmax = dense<[2.500000e-01, 1.000000e+03, 2.500000e-01, 2.500000e-01]> : tensor<4xf32>,
// MINMAX-SAME: input_clip = 1.000000e+03 : f32,
// PCT99-SAME: input_clip = 0.48828125 : f32,
// PCTDEF-SAME: input_clip = 1.000000e+03 : f32,
// MSE-SAME: input_clip = {{99[0-9]\.[0-9]+}} : f32,
// CHECK-SAME: input_max = 1.000000e+03 : f32, input_min = 2.500000e-01 : f32, weight_absmax = dense<2.000000e+00> : tensor<1xf32>}}
func.func @main(%x: tensor<250x4xf32> {llmo.name = "outlier"}) -> tensor<250x1xf32> {
  %w = llmo.constant dense<-2.0> : tensor<4x1xf32>
  %y = llmo.linear %x, %w : (tensor<250x4xf32>, tensor<4x1xf32>) -> tensor<250x1xf32>
  return %y : tensor<250x1xf32>
}

// -----

// All-zero inputs give zero statistics (and no division by zero in the
// histogram methods); a non-constant weight gives no weight_absmax.
// CHECK-LABEL: func.func @main(%{{.*}}: tensor<2x2xf32> {llmo.name = "zeros"}
// CHECK: llmo.linear
// CHECK-SAME: {llmo.calib = {input_absmax = dense<0.000000e+00> : tensor<2xf32>, input_clip = 0.000000e+00 : f32, input_max = 0.000000e+00 : f32, input_min = 0.000000e+00 : f32}}
func.func @main(%x: tensor<2x2xf32> {llmo.name = "zeros"}, %w: tensor<2x3xf32> {llmo.name = "w"}) -> tensor<2x3xf32> {
  %y = llmo.linear %x, %w : (tensor<2x2xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// Laplace(0, 1) data (262144 values, |max| ~13.5): the 99th percentile of
// |x| is ln(100) = 4.6; the 99.99th ln(10^4) = 9.2 (to sampling noise);
// the int8 MSE-optimal clip for Laplace(0, 1) is ~9.9, well inside the
// range. Every clip is at most |max| and positive.
// CHECK-LABEL: func.func @main(%{{.*}}: tensor<64x64xf32> {llmo.name = "heavy"}
// CHECK: llmo.matmul
// MINMAX-SAME: {llmo.calib = {lhs_clip = {{1[3-9]\.[0-9]+}} : f32, rhs_clip = 1.000000e+00 : f32}}
// PCT99-SAME: {llmo.calib = {lhs_clip = {{4\.[4-8][0-9]*}} : f32, rhs_clip = 1.000000e+00 : f32}}
// PCTDEF-SAME: {llmo.calib = {lhs_clip = {{(8|9|10)\.[0-9]+}} : f32, rhs_clip = 1.000000e+00 : f32}}
// MSE-SAME: {llmo.calib = {lhs_clip = {{(9|10|11)\.[0-9]+}} : f32, rhs_clip = 1.000000e+00 : f32}}
func.func @main(%a: tensor<64x64xf32> {llmo.name = "heavy"}, %b: tensor<64x1xf32> {llmo.name = "ones"}) -> tensor<64x1xf32> {
  %y = llmo.matmul %a, %b : (tensor<64x64xf32>, tensor<64x1xf32>) -> tensor<64x1xf32>
  return %y : tensor<64x1xf32>
}

// -----

// Every linear and matmul executed by @main is annotated, each with its
// own statistics (the second linear sees the first one's output: 2 * x).
// CHECK-LABEL: func.func @main(%{{.*}}: tensor<2x3xf32> {llmo.name = "pc"}) -> tensor<2x2xf32>
// CHECK: llmo.linear
// CHECK-SAME: {llmo.calib = {input_absmax = dense<[4.000000e+00, 3.000000e+00, 2.000000e+00]> : tensor<3xf32>, input_clip = 4.000000e+00 : f32, input_max = 3.000000e+00 : f32, input_min = -4.000000e+00 : f32, weight_absmax = dense<2.000000e+00> : tensor<3xf32>}}
// CHECK: llmo.linear
// CHECK-SAME: {llmo.calib = {input_absmax = dense<[8.000000e+00, 6.000000e+00, 4.000000e+00]> : tensor<3xf32>, input_clip = 8.000000e+00 : f32, input_max = 6.000000e+00 : f32, input_min = -8.000000e+00 : f32, weight_absmax = dense<[1.000000e+00, 5.000000e-01]> : tensor<2xf32>}}
// CHECK: llmo.matmul
// CHECK-SAME: {llmo.calib = {lhs_clip = 8.000000e+00 : f32, rhs_clip = 8.000000e+00 : f32}}
func.func @main(%x: tensor<2x3xf32> {llmo.name = "pc"}) -> tensor<2x2xf32> {
  %w0 = llmo.constant dense<[[2.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 2.0]]> : tensor<3x3xf32>
  %w1 = llmo.constant dense<[[1.0, 0.0], [0.0, 0.5], [-1.0, 0.0]]> : tensor<3x2xf32>
  %h = llmo.linear %x, %w0 : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
  %y = llmo.linear %h, %w1 : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %t = llmo.transpose %h {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %z = llmo.matmul %h, %t : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %r = llmo.add %y, %z : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %r : tensor<2x2xf32>
}
