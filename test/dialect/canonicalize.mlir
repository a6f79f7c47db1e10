// RUN: llmo-opt %s -split-input-file --canonicalize | FileCheck %s

// CHECK-LABEL: func.func @reshape_of_reshape
// CHECK-NEXT: %[[R:.*]] = llmo.reshape %arg0 : tensor<1x3x1x2xf32> -> tensor<3x2xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_of_reshape(%x: tensor<1x3x1x2xf32>) -> tensor<3x2xf32> {
  %0 = llmo.reshape %x : tensor<1x3x1x2xf32> -> tensor<3x1x2xf32>
  %1 = llmo.reshape %0 : tensor<3x1x2xf32> -> tensor<3x2xf32>
  return %1 : tensor<3x2xf32>
}

// -----

// A round trip through reshapes is no reshape at all.
// CHECK-LABEL: func.func @reshape_round_trip
// CHECK-NEXT: return %arg0
func.func @reshape_round_trip(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = llmo.reshape %x : tensor<2x3xf32> -> tensor<6xf32>
  %1 = llmo.reshape %0 : tensor<6xf32> -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_constant
// CHECK-NEXT: %[[C:.*]] = llmo.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-NEXT: return %[[C]]
func.func @reshape_constant() -> tensor<2x2xf32> {
  %c = llmo.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %0 = llmo.reshape %c : tensor<4xf32> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// storage_cast to the quantized type and back is the identity; a cast to
// the same type too.
// CHECK-LABEL: func.func @storage_cast_round_trip
// CHECK-NEXT: return %arg0, %arg1
func.func @storage_cast_round_trip(%x: tensor<4xi8>, %y: tensor<4xf32>) -> (tensor<4xi8>, tensor<4xf32>) {
  %q = llmo.storage_cast %x : tensor<4xi8> -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  %s = llmo.storage_cast %q : tensor<4x!quant.uniform<i8:f32, 0.5>> -> tensor<4xi8>
  %c = llmo.cast %y : tensor<4xf32> -> tensor<4xf32>
  return %s, %c : tensor<4xi8>, tensor<4xf32>
}
