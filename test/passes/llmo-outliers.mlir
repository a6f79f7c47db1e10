// RUN: llmo-opt %s -split-input-file --llmo-outliers | FileCheck %s
// RUN: llmo-opt %s -split-input-file --llmo-outliers="threshold=100" | FileCheck %s --check-prefix=HIGH
// RUN: not llmo-opt %s -split-input-file --llmo-outliers="threshold=0" 2>&1 | FileCheck %s --check-prefix=BAD
// The float function is unchanged by the split (interpreter differential).
// RUN: llmo-opt %s --llmo-outliers -o %t.mlir
// RUN: %llmopy %S/Inputs/compare_outputs.py --llmo-run llmo-run --workdir %t.diff --entry split --shape input0=4x3:f32 --rtol 1e-6 %s %t.mlir | FileCheck %s --check-prefix=DIFF
// DIFF: PASS

// Channel 1 (calibrated |x| 20 > 6) is split off into a w16 linear; the int8
// part keeps channels 0 and 2 with their own statistics.
// CHECK-LABEL: func.func @split
// CHECK: %[[REST:.*]] = llmo.constant dense<[0, 2]> : tensor<2xi64>
// CHECK: %[[XLOW:.*]] = llmo.gather %arg0, %[[REST]] {axis = 1 : i64}
// CHECK: %[[OUT:.*]] = llmo.constant dense<1> : tensor<1xi64>
// CHECK: %[[XHIGH:.*]] = llmo.gather %arg0, %[[OUT]] {axis = 1 : i64}
// CHECK: %[[WLOW:.*]] = llmo.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [5.000000e+00, 6.000000e+00]]> : tensor<2x2xf32>
// CHECK: %[[WHIGH:.*]] = llmo.constant dense<{{\[}}[3.000000e+00, 4.000000e+00]]> : tensor<1x2xf32>
// CHECK: %[[LOW:.*]] = llmo.linear %[[XLOW]], %[[WLOW]]
// CHECK-SAME: input_absmax = dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>, input_clip = 2.000000e+00 : f32
// CHECK-SAME: llmo.outliers = {channels = 1 : i64, indices = array<i64: 1>, threshold = 6.000000e+00 : f64, weight_clip = dense<
// CHECK: %[[HIPART:.*]] = llmo.linear %[[XHIGH]], %[[WHIGH]] {llmo.format = "w16"}
// CHECK: %[[SUM:.*]] = llmo.add %[[LOW]], %[[HIPART]]
// CHECK: return %[[SUM]]
// HIGH-LABEL: func.func @split
// HIGH-NOT: llmo.gather
// HIGH: llmo.outliers = {channels = 0 : i64, threshold = 1.000000e+02 : f64, weight_clip
// BAD: error: --llmo-outliers: threshold must be positive
func.func @split(%x: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %w = llmo.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %y = llmo.linear %x, %w {llmo.calib = {input_absmax = dense<[1.0, 20.0, 2.0]> : tensor<3xf32>, input_clip = 20.0 : f32}} : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// Without calibration statistics nothing happens.
// CHECK-LABEL: func.func @uncalibrated
// CHECK-NOT: llmo.gather
// CHECK-NOT: llmo.outliers
func.func @uncalibrated(%x: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %w = llmo.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %y = llmo.linear %x, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// When every channel is an outlier nothing is split (no int8 part would be
// left); weight clipping is still searched: a lone large weight is worth
// clipping below 1.0 only when it lowers the total error.
// CHECK-LABEL: func.func @all_outliers
// CHECK-NOT: llmo.gather
// CHECK: llmo.outliers = {channels = 0 : i64, threshold = 6.000000e+00 : f64, weight_clip = dense<1.000000e+00> : tensor<1xf32>}
func.func @all_outliers(%x: tensor<4x2xf32>) -> tensor<4x1xf32> {
  %w = llmo.constant dense<[[1.0], [1.0]]> : tensor<2x1xf32>
  %y = llmo.linear %x, %w {llmo.calib = {input_absmax = dense<[10.0, 20.0]> : tensor<2xf32>, input_clip = 20.0 : f32}} : (tensor<4x2xf32>, tensor<2x1xf32>) -> tensor<4x1xf32>
  return %y : tensor<4x1xf32>
}
