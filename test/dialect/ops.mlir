// Round trip of every llmo op: custom form -> print -> re-parse, and the
// generic form (--mlir-print-op-generic) parsed back into the custom form.
// RUN: llmo-opt %s | llmo-opt | FileCheck %s
// RUN: llmo-opt %s --mlir-print-op-generic | llmo-opt | FileCheck %s
// RUN: llmo-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @constant_dense
// CHECK: llmo.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: llmo.constant dense<0.000000e+00> : tensor<2x3xf16>
// CHECK: llmo.constant dense<[1, -2, 3]> : tensor<3xi64>
// CHECK: llmo.constant dense<[true, false]> : tensor<2xi1>
// CHECK: llmo.constant dense<7> : tensor<i32>
// CHECK: llmo.constant dense<255> : tensor<4xui8>
// CHECK: llmo.constant dense<1.000000e+00> : tensor<0xbf16>
// GENERIC-LABEL: "func.func"() <{function_type = () -> (tensor<2xf32>
// GENERIC: "llmo.constant"() <{value = dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>}> : () -> tensor<2xf32>
func.func @constant_dense() -> (tensor<2xf32>, tensor<2x3xf16>, tensor<3xi64>, tensor<2xi1>, tensor<i32>, tensor<4xui8>, tensor<0xbf16>) {
  %0 = llmo.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %1 = llmo.constant dense<0.0> : tensor<2x3xf16>
  %2 = llmo.constant dense<[1, -2, 3]> : tensor<3xi64>
  %3 = llmo.constant dense<[true, false]> : tensor<2xi1>
  %4 = llmo.constant dense<7> : tensor<i32>
  %5 = llmo.constant dense<255> : tensor<4xui8>
  %6 = llmo.constant dense<1.0> : tensor<0xbf16>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<2xf32>, tensor<2x3xf16>, tensor<3xi64>, tensor<2xi1>, tensor<i32>, tensor<4xui8>, tensor<0xbf16>
}

// A discardable attribute is printed in the attr-dict before the value.
// CHECK-LABEL: func.func @constant_attr_dict
// CHECK: llmo.constant {llmo.note = "w"} dense<1.000000e+00> : tensor<4xf32>
func.func @constant_attr_dict() -> tensor<4xf32> {
  %0 = llmo.constant {llmo.note = "w"} dense<1.0> : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @constant_resource
// CHECK: llmo.constant dense_resource<weight_blob> : tensor<2x2xf32>
// CHECK: llmo.constant dense_resource<index_blob> : tensor<2xi64>
func.func @constant_resource() -> (tensor<2x2xf32>, tensor<2xi64>) {
  %0 = llmo.constant dense_resource<weight_blob> : tensor<2x2xf32>
  %1 = llmo.constant dense_resource<index_blob> : tensor<2xi64>
  return %0, %1 : tensor<2x2xf32>, tensor<2xi64>
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @binary
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3xf32>)
// CHECK: llmo.add %[[A]], %[[B]] : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: llmo.sub %[[B]], %[[A]] : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: llmo.mul %[[A]], %[[A]] : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: llmo.div %[[A]], %[[B]] : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: llmo.pow %[[A]], %[[B]] : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: llmo.max %[[A]], %[[B]] : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: llmo.min %[[A]], %[[B]] : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// GENERIC: "llmo.add"(%{{.*}}, %{{.*}}) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
func.func @binary(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = llmo.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = llmo.sub %b, %a : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = llmo.mul %a, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = llmo.div %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %4 = llmo.pow %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %5 = llmo.max %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %6 = llmo.min %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %6 : tensor<2x3xf32>
}

// Integer forms, and broadcasting of size-1 dims on both sides.
// CHECK-LABEL: func.func @binary_int
// CHECK: llmo.add %{{.*}}, %{{.*}} : (tensor<4x1xi32>, tensor<1x5xi32>) -> tensor<4x5xi32>
// CHECK: llmo.div %{{.*}}, %{{.*}} : (tensor<4x1xi64>, tensor<i64>) -> tensor<4x1xi64>
func.func @binary_int(%a: tensor<4x1xi32>, %b: tensor<1x5xi32>, %c: tensor<4x1xi64>, %d: tensor<i64>) -> (tensor<4x5xi32>, tensor<4x1xi64>) {
  %0 = llmo.add %a, %b : (tensor<4x1xi32>, tensor<1x5xi32>) -> tensor<4x5xi32>
  %1 = llmo.div %c, %d : (tensor<4x1xi64>, tensor<i64>) -> tensor<4x1xi64>
  return %0, %1 : tensor<4x5xi32>, tensor<4x1xi64>
}

// CHECK-LABEL: func.func @logical
// CHECK: llmo.and %{{.*}}, %{{.*}} : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
// CHECK: llmo.or %{{.*}}, %{{.*}} : (tensor<4xi1>, tensor<1xi1>) -> tensor<4xi1>
// CHECK: llmo.not %{{.*}} : tensor<4xi1>
func.func @logical(%a: tensor<4xi1>, %b: tensor<1xi1>) -> tensor<4xi1> {
  %0 = llmo.and %a, %a : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %1 = llmo.or %0, %b : (tensor<4xi1>, tensor<1xi1>) -> tensor<4xi1>
  %2 = llmo.not %1 : tensor<4xi1>
  return %2 : tensor<4xi1>
}

// CHECK-LABEL: func.func @compare
// CHECK: llmo.equal %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
// CHECK: llmo.less %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
// CHECK: llmo.less_equal %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
// CHECK: llmo.greater %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
// CHECK: llmo.greater_equal %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
// CHECK: llmo.equal %{{.*}}, %{{.*}} : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi1>
func.func @compare(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %i: tensor<2xi64>) -> (tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2xi1>) {
  %0 = llmo.equal %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %1 = llmo.less %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %2 = llmo.less_equal %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %3 = llmo.greater %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %4 = llmo.greater_equal %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %5 = llmo.equal %i, %i : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi1>
  return %0, %1, %2, %3, %4, %5 : tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2xi1>
}

// CHECK-LABEL: func.func @unary
// CHECK: llmo.neg %{{.*}} : tensor<2x3xf32>
// CHECK: llmo.abs %{{.*}} : tensor<2x3xf32>
// CHECK: llmo.exp %{{.*}} : tensor<2x3xf32>
// CHECK: llmo.log %{{.*}} : tensor<2x3xf32>
// CHECK: llmo.sqrt %{{.*}} : tensor<2x3xf32>
// CHECK: llmo.rsqrt %{{.*}} : tensor<2x3xf32>
// CHECK: llmo.reciprocal %{{.*}} : tensor<2x3xf32>
// CHECK: llmo.tanh %{{.*}} : tensor<2x3xf32>
// CHECK: llmo.erf %{{.*}} : tensor<2x3xf32>
// CHECK: llmo.sigmoid %{{.*}} : tensor<2x3xf32>
// CHECK: llmo.sin %{{.*}} : tensor<2x3xf32>
// CHECK: llmo.cos %{{.*}} : tensor<2x3xf32>
// CHECK: llmo.relu %{{.*}} : tensor<2x3xf32>
// CHECK: llmo.silu %{{.*}} : tensor<2x3xf32>
// CHECK: llmo.floor %{{.*}} : tensor<2x3xf32>
// GENERIC: "llmo.neg"(%{{.*}}) : (tensor<2x3xf32>) -> tensor<2x3xf32>
func.func @unary(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = llmo.neg %a : tensor<2x3xf32>
  %1 = llmo.abs %0 : tensor<2x3xf32>
  %2 = llmo.exp %1 : tensor<2x3xf32>
  %3 = llmo.log %2 : tensor<2x3xf32>
  %4 = llmo.sqrt %3 : tensor<2x3xf32>
  %5 = llmo.rsqrt %4 : tensor<2x3xf32>
  %6 = llmo.reciprocal %5 : tensor<2x3xf32>
  %7 = llmo.tanh %6 : tensor<2x3xf32>
  %8 = llmo.erf %7 : tensor<2x3xf32>
  %9 = llmo.sigmoid %8 : tensor<2x3xf32>
  %10 = llmo.sin %9 : tensor<2x3xf32>
  %11 = llmo.cos %10 : tensor<2x3xf32>
  %12 = llmo.relu %11 : tensor<2x3xf32>
  %13 = llmo.silu %12 : tensor<2x3xf32>
  %14 = llmo.floor %13 : tensor<2x3xf32>
  return %14 : tensor<2x3xf32>
}

// Unary ops on f16, bf16 and integers.
// CHECK-LABEL: func.func @unary_types
// CHECK: llmo.exp %{{.*}} : tensor<4xf16>
// CHECK: llmo.tanh %{{.*}} : tensor<4xbf16>
// CHECK: llmo.neg %{{.*}} : tensor<4xi32>
// CHECK: llmo.abs %{{.*}} : tensor<4xi64>
func.func @unary_types(%a: tensor<4xf16>, %b: tensor<4xbf16>, %c: tensor<4xi32>, %d: tensor<4xi64>) -> (tensor<4xf16>, tensor<4xbf16>, tensor<4xi32>, tensor<4xi64>) {
  %0 = llmo.exp %a : tensor<4xf16>
  %1 = llmo.tanh %b : tensor<4xbf16>
  %2 = llmo.neg %c : tensor<4xi32>
  %3 = llmo.abs %d : tensor<4xi64>
  return %0, %1, %2, %3 : tensor<4xf16>, tensor<4xbf16>, tensor<4xi32>, tensor<4xi64>
}

// The default `approximate = "none"` is elided when printed.
// CHECK-LABEL: func.func @gelu
// CHECK: llmo.gelu %{{.*}} : tensor<2x8xf32>
// CHECK-NOT: approximate = "none"
// CHECK: llmo.gelu %{{.*}} {approximate = "tanh"} : tensor<2x8xf32>
// CHECK: llmo.gelu %{{.*}} : tensor<2x8xbf16>
// GENERIC: "llmo.gelu"(%{{.*}}) <{approximate = "tanh"}> : (tensor<2x8xf32>) -> tensor<2x8xf32>
func.func @gelu(%a: tensor<2x8xf32>, %b: tensor<2x8xbf16>) -> (tensor<2x8xf32>, tensor<2x8xbf16>) {
  %0 = llmo.gelu %a {approximate = "none"} : tensor<2x8xf32>
  %1 = llmo.gelu %0 {approximate = "tanh"} : tensor<2x8xf32>
  %2 = llmo.gelu %b : tensor<2x8xbf16>
  return %1, %2 : tensor<2x8xf32>, tensor<2x8xbf16>
}

// CHECK-LABEL: func.func @where
// CHECK: llmo.where %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x1xi1>, tensor<3xf32>, tensor<f32>) -> tensor<2x3xf32>
// CHECK: llmo.where %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x1xi1>, tensor<2x1xi64>, tensor<2x1xi64>) -> tensor<2x1xi64>
func.func @where(%c: tensor<2x1xi1>, %a: tensor<3xf32>, %b: tensor<f32>, %i: tensor<2x1xi64>) -> (tensor<2x3xf32>, tensor<2x1xi64>) {
  %0 = llmo.where %c, %a, %b : (tensor<2x1xi1>, tensor<3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %1 = llmo.where %c, %i, %i : (tensor<2x1xi1>, tensor<2x1xi64>, tensor<2x1xi64>) -> tensor<2x1xi64>
  return %0, %1 : tensor<2x3xf32>, tensor<2x1xi64>
}

// CHECK-LABEL: func.func @cast
// CHECK: llmo.cast %{{.*}} : tensor<2x3xf32> -> tensor<2x3xf16>
// CHECK: llmo.cast %{{.*}} : tensor<2x3xf16> -> tensor<2x3xi64>
// CHECK: llmo.cast %{{.*}} : tensor<2x3xi64> -> tensor<2x3xi1>
// CHECK: llmo.cast %{{.*}} : tensor<2x3xi1> -> tensor<2x3xbf16>
// CHECK: llmo.cast %{{.*}} : tensor<2x3xbf16> -> tensor<2x3xui8>
func.func @cast(%a: tensor<2x3xf32>) -> tensor<2x3xui8> {
  %0 = llmo.cast %a : tensor<2x3xf32> -> tensor<2x3xf16>
  %1 = llmo.cast %0 : tensor<2x3xf16> -> tensor<2x3xi64>
  %2 = llmo.cast %1 : tensor<2x3xi64> -> tensor<2x3xi1>
  %3 = llmo.cast %2 : tensor<2x3xi1> -> tensor<2x3xbf16>
  %4 = llmo.cast %3 : tensor<2x3xbf16> -> tensor<2x3xui8>
  return %4 : tensor<2x3xui8>
}

//===----------------------------------------------------------------------===//
// Linear algebra and normalization
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @matmul
// CHECK: llmo.matmul %{{.*}}, %{{.*}} : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
// CHECK: llmo.matmul %{{.*}}, %{{.*}} : (tensor<2x1x3x4xf16>, tensor<6x4x5xf16>) -> tensor<2x6x3x5xf16>
func.func @matmul(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>, %c: tensor<2x1x3x4xf16>, %d: tensor<6x4x5xf16>) -> (tensor<3x5xf32>, tensor<2x6x3x5xf16>) {
  %0 = llmo.matmul %a, %b : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  %1 = llmo.matmul %c, %d : (tensor<2x1x3x4xf16>, tensor<6x4x5xf16>) -> tensor<2x6x3x5xf16>
  return %0, %1 : tensor<3x5xf32>, tensor<2x6x3x5xf16>
}

// CHECK-LABEL: func.func @linear
// CHECK: llmo.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x7x4xf32>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<2x7x3xf32>
// CHECK: llmo.linear %{{.*}}, %{{.*}} : (tensor<4xf32>, tensor<4x3xf32>) -> tensor<3xf32>
// GENERIC: "llmo.linear"(%{{.*}}, %{{.*}}, %{{.*}}) : (tensor<2x7x4xf32>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<2x7x3xf32>
// GENERIC: "llmo.linear"(%{{.*}}, %{{.*}}) : (tensor<4xf32>, tensor<4x3xf32>) -> tensor<3xf32>
func.func @linear(%x: tensor<2x7x4xf32>, %w: tensor<4x3xf32>, %b: tensor<3xf32>, %v: tensor<4xf32>) -> (tensor<2x7x3xf32>, tensor<3xf32>) {
  %0 = llmo.linear %x, %w, %b : (tensor<2x7x4xf32>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<2x7x3xf32>
  %1 = llmo.linear %v, %w : (tensor<4xf32>, tensor<4x3xf32>) -> tensor<3xf32>
  return %0, %1 : tensor<2x7x3xf32>, tensor<3xf32>
}

// CHECK-LABEL: func.func @softmax
// CHECK: llmo.softmax %{{.*}} {axis = 2 : i64} : tensor<2x3x4xf32>
// CHECK: llmo.softmax %{{.*}} {axis = 0 : i64} : tensor<2x3x4xf32>
// GENERIC: "llmo.softmax"(%{{.*}}) <{axis = 2 : i64}> : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
func.func @softmax(%a: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = llmo.softmax %a {axis = 2 : i64} : tensor<2x3x4xf32>
  %1 = llmo.softmax %0 {axis = 0 : i64} : tensor<2x3x4xf32>
  return %1 : tensor<2x3x4xf32>
}

// CHECK-LABEL: func.func @layer_norm
// CHECK: llmo.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {axis = 2 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
// CHECK: llmo.layer_norm %{{.*}}, %{{.*}} {axis = 1 : i64, epsilon = 1.000000e-03 : f32} : (tensor<2x3x4xf32>, tensor<3x4xf32>) -> tensor<2x3x4xf32>
// GENERIC: "llmo.layer_norm"(%{{.*}}, %{{.*}}, %{{.*}}) <{axis = 2 : i64, epsilon = 9.99999974E-6 : f32}>
// GENERIC: "llmo.layer_norm"(%{{.*}}, %{{.*}}) <{axis = 1 : i64, epsilon = 1.000000e-03 : f32}>
func.func @layer_norm(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>, %b: tensor<4xf32>, %s2: tensor<3x4xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>) {
  %0 = llmo.layer_norm %x, %s, %b {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  %1 = llmo.layer_norm %x, %s2 {axis = 1 : i64, epsilon = 1.0e-3 : f32} : (tensor<2x3x4xf32>, tensor<3x4xf32>) -> tensor<2x3x4xf32>
  return %0, %1 : tensor<2x3x4xf32>, tensor<2x3x4xf32>
}

// CHECK-LABEL: func.func @rms_norm
// CHECK: llmo.rms_norm %{{.*}}, %{{.*}} {axis = 2 : i64, epsilon = 9.99999997E-7 : f32} : (tensor<2x3x4xf16>, tensor<4xf16>) -> tensor<2x3x4xf16>
func.func @rms_norm(%x: tensor<2x3x4xf16>, %s: tensor<4xf16>) -> tensor<2x3x4xf16> {
  %0 = llmo.rms_norm %x, %s {axis = 2 : i64, epsilon = 1.0e-6 : f32} : (tensor<2x3x4xf16>, tensor<4xf16>) -> tensor<2x3x4xf16>
  return %0 : tensor<2x3x4xf16>
}

//===----------------------------------------------------------------------===//
// Shape and data movement
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reshape
// CHECK: llmo.reshape %{{.*}} : tensor<2x3x4xf32> -> tensor<6x4xf32>
// CHECK: llmo.reshape %{{.*}} : tensor<6x4xf32> -> tensor<24xf32>
// CHECK: llmo.reshape %{{.*}} : tensor<1xi64> -> tensor<i64>
func.func @reshape(%a: tensor<2x3x4xf32>, %i: tensor<1xi64>) -> (tensor<24xf32>, tensor<i64>) {
  %0 = llmo.reshape %a : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %1 = llmo.reshape %0 : tensor<6x4xf32> -> tensor<24xf32>
  %2 = llmo.reshape %i : tensor<1xi64> -> tensor<i64>
  return %1, %2 : tensor<24xf32>, tensor<i64>
}

// CHECK-LABEL: func.func @transpose
// CHECK: llmo.transpose %{{.*}} {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
// GENERIC: "llmo.transpose"(%{{.*}}) <{perm = array<i64: 2, 0, 1>}> : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
func.func @transpose(%a: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = llmo.transpose %a {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// Forward, backward (negative step) and empty slices.
// CHECK-LABEL: func.func @slice
// CHECK: llmo.slice %{{.*}} {starts = array<i64: 0, 1>, steps = array<i64: 1, 2>} : tensor<4x6xf32> -> tensor<4x3xf32>
// CHECK: llmo.slice %{{.*}} {starts = array<i64: 3, 5>, steps = array<i64: -1, -3>} : tensor<4x6xf32> -> tensor<4x2xf32>
// CHECK: llmo.slice %{{.*}} {starts = array<i64: 0, 0>, steps = array<i64: 1, 1>} : tensor<4x6xf32> -> tensor<0x6xf32>
func.func @slice(%a: tensor<4x6xf32>) -> (tensor<4x3xf32>, tensor<4x2xf32>, tensor<0x6xf32>) {
  %0 = llmo.slice %a {starts = array<i64: 0, 1>, steps = array<i64: 1, 2>} : tensor<4x6xf32> -> tensor<4x3xf32>
  %1 = llmo.slice %a {starts = array<i64: 3, 5>, steps = array<i64: -1, -3>} : tensor<4x6xf32> -> tensor<4x2xf32>
  %2 = llmo.slice %a {starts = array<i64: 0, 0>, steps = array<i64: 1, 1>} : tensor<4x6xf32> -> tensor<0x6xf32>
  return %0, %1, %2 : tensor<4x3xf32>, tensor<4x2xf32>, tensor<0x6xf32>
}

// CHECK-LABEL: func.func @concat
// CHECK: llmo.concat %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x1xf32>, tensor<2x3xf32>) -> tensor<2x7xf32>
// CHECK: llmo.concat %{{.*}} {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
// GENERIC: "llmo.concat"(%{{.*}}, %{{.*}}, %{{.*}}) <{axis = 1 : i64}> : (tensor<2x3xf32>, tensor<2x1xf32>, tensor<2x3xf32>) -> tensor<2x7xf32>
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x1xf32>) -> (tensor<2x7xf32>, tensor<2x3xf32>) {
  %0 = llmo.concat %a, %b, %a {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x1xf32>, tensor<2x3xf32>) -> tensor<2x7xf32>
  %1 = llmo.concat %a {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<2x7xf32>, tensor<2x3xf32>
}

// CHECK-LABEL: func.func @split
// CHECK: %{{.*}}:3 = llmo.split %{{.*}} {axis = 1 : i64} : tensor<2x6xf32> -> tensor<2x1xf32>, tensor<2x2xf32>, tensor<2x3xf32>
// CHECK: llmo.split %{{.*}} {axis = 0 : i64} : tensor<2x6xf32> -> tensor<2x6xf32>
// GENERIC: "llmo.split"(%{{.*}}) <{axis = 1 : i64}> : (tensor<2x6xf32>) -> (tensor<2x1xf32>, tensor<2x2xf32>, tensor<2x3xf32>)
func.func @split(%a: tensor<2x6xf32>) -> (tensor<2x1xf32>, tensor<2x2xf32>, tensor<2x3xf32>, tensor<2x6xf32>) {
  %0:3 = llmo.split %a {axis = 1 : i64} : tensor<2x6xf32> -> tensor<2x1xf32>, tensor<2x2xf32>, tensor<2x3xf32>
  %1 = llmo.split %a {axis = 0 : i64} : tensor<2x6xf32> -> tensor<2x6xf32>
  return %0#0, %0#1, %0#2, %1 : tensor<2x1xf32>, tensor<2x2xf32>, tensor<2x3xf32>, tensor<2x6xf32>
}

// CHECK-LABEL: func.func @broadcast
// CHECK: llmo.broadcast %{{.*}} : tensor<3x1xf32> -> tensor<2x3x4xf32>
// CHECK: llmo.broadcast %{{.*}} : tensor<i1> -> tensor<5xi1>
func.func @broadcast(%a: tensor<3x1xf32>, %b: tensor<i1>) -> (tensor<2x3x4xf32>, tensor<5xi1>) {
  %0 = llmo.broadcast %a : tensor<3x1xf32> -> tensor<2x3x4xf32>
  %1 = llmo.broadcast %b : tensor<i1> -> tensor<5xi1>
  return %0, %1 : tensor<2x3x4xf32>, tensor<5xi1>
}

// CHECK-LABEL: func.func @gather
// CHECK: llmo.gather %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<10x8xf32>, tensor<2x3xi64>) -> tensor<2x3x8xf32>
// CHECK: llmo.gather %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<10x8xf32>, tensor<i32>) -> tensor<10xf32>
// GENERIC: "llmo.gather"(%{{.*}}, %{{.*}}) <{axis = 0 : i64}> : (tensor<10x8xf32>, tensor<2x3xi64>) -> tensor<2x3x8xf32>
func.func @gather(%d: tensor<10x8xf32>, %i: tensor<2x3xi64>, %j: tensor<i32>) -> (tensor<2x3x8xf32>, tensor<10xf32>) {
  %0 = llmo.gather %d, %i {axis = 0 : i64} : (tensor<10x8xf32>, tensor<2x3xi64>) -> tensor<2x3x8xf32>
  %1 = llmo.gather %d, %j {axis = 1 : i64} : (tensor<10x8xf32>, tensor<i32>) -> tensor<10xf32>
  return %0, %1 : tensor<2x3x8xf32>, tensor<10xf32>
}

// CHECK-LABEL: func.func @reduce
// CHECK: llmo.reduce_sum %{{.*}} {axes = array<i64: 0, 2>, keepdims = false} : tensor<2x3x4xf32> -> tensor<3xf32>
// CHECK: llmo.reduce_mean %{{.*}} {axes = array<i64: 2>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x3x1xf32>
// CHECK: llmo.reduce_max %{{.*}} {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
// CHECK: llmo.reduce_min %{{.*}} {axes = array<i64: 0, 1, 2>, keepdims = false} : tensor<2x3x4xi64> -> tensor<i64>
// CHECK: llmo.reduce_sum %{{.*}} {axes = array<i64>, keepdims = true} : tensor<2x3x4xi64> -> tensor<2x3x4xi64>
// GENERIC: "llmo.reduce_mean"(%{{.*}}) <{axes = array<i64: 2>, keepdims = true}> : (tensor<2x3x4xf32>) -> tensor<2x3x1xf32>
func.func @reduce(%a: tensor<2x3x4xf32>, %i: tensor<2x3x4xi64>) -> (tensor<3xf32>, tensor<2x3x1xf32>, tensor<2x4xf32>, tensor<i64>, tensor<2x3x4xi64>) {
  %0 = llmo.reduce_sum %a {axes = array<i64: 0, 2>, keepdims = false} : tensor<2x3x4xf32> -> tensor<3xf32>
  %1 = llmo.reduce_mean %a {axes = array<i64: 2>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x3x1xf32>
  %2 = llmo.reduce_max %a {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %3 = llmo.reduce_min %i {axes = array<i64: 0, 1, 2>, keepdims = false} : tensor<2x3x4xi64> -> tensor<i64>
  %4 = llmo.reduce_sum %i {axes = array<i64>, keepdims = true} : tensor<2x3x4xi64> -> tensor<2x3x4xi64>
  return %0, %1, %2, %3, %4 : tensor<3xf32>, tensor<2x3x1xf32>, tensor<2x4xf32>, tensor<i64>, tensor<2x3x4xi64>
}

// CHECK-LABEL: func.func @cumsum
// CHECK: llmo.cumsum %{{.*}} {axis = 1 : i64} : tensor<2x5xi64>
// CHECK: llmo.cumsum %{{.*}} {axis = 0 : i64} : tensor<2x5xf32>
func.func @cumsum(%a: tensor<2x5xi64>, %b: tensor<2x5xf32>) -> (tensor<2x5xi64>, tensor<2x5xf32>) {
  %0 = llmo.cumsum %a {axis = 1 : i64} : tensor<2x5xi64>
  %1 = llmo.cumsum %b {axis = 0 : i64} : tensor<2x5xf32>
  return %0, %1 : tensor<2x5xi64>, tensor<2x5xf32>
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

// Per-tensor: scale 0.5, zero point 1.
// CHECK-LABEL: func.func @quant_per_tensor
// CHECK: %[[Q:.*]] = llmo.quantize %{{.*}} : tensor<2x3xf32> -> tensor<2x3x!quant.uniform<i8:f32, 5.000000e-01:1>>
// CHECK: llmo.dequantize %[[Q]] : tensor<2x3x!quant.uniform<i8:f32, 5.000000e-01:1>> -> tensor<2x3xf32>
// CHECK: %[[S:.*]] = llmo.storage_cast %[[Q]] : tensor<2x3x!quant.uniform<i8:f32, 5.000000e-01:1>> -> tensor<2x3xi8>
// CHECK: llmo.storage_cast %[[S]] : tensor<2x3xi8> -> tensor<2x3x!quant.uniform<i8:f32, 5.000000e-01:1>>
// GENERIC: "llmo.quantize"(%{{.*}}) : (tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32, 5.000000e-01:1>>
func.func @quant_per_tensor(%a: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3x!quant.uniform<i8:f32, 0.5:1>>) {
  %q = llmo.quantize %a : tensor<2x3xf32> -> tensor<2x3x!quant.uniform<i8:f32, 0.5:1>>
  %d = llmo.dequantize %q : tensor<2x3x!quant.uniform<i8:f32, 0.5:1>> -> tensor<2x3xf32>
  %s = llmo.storage_cast %q : tensor<2x3x!quant.uniform<i8:f32, 0.5:1>> -> tensor<2x3xi8>
  %r = llmo.storage_cast %s : tensor<2x3xi8> -> tensor<2x3x!quant.uniform<i8:f32, 0.5:1>>
  return %d, %r : tensor<2x3xf32>, tensor<2x3x!quant.uniform<i8:f32, 0.5:1>>
}

// Per-axis on dim 1, unsigned storage and an f16 expressed type.
// CHECK-LABEL: func.func @quant_per_axis
// CHECK: llmo.quantize %{{.*}} : tensor<3x2xf32> -> tensor<3x2x!quant.uniform<i8:f32:1, {5.000000e-01,2.500000e-01}>>
// CHECK: llmo.dequantize %{{.*}} : tensor<3x2x!quant.uniform<i8:f32:1, {5.000000e-01,2.500000e-01}>> -> tensor<3x2xf32>
// CHECK: llmo.storage_cast %{{.*}} : tensor<3x2x!quant.uniform<i8:f32:1, {5.000000e-01,2.500000e-01}>> -> tensor<3x2xi8>
// CHECK: llmo.quantize %{{.*}} : tensor<2x4xf16> -> tensor<2x4x!quant.uniform<u8:f16:0, {1.000000e+00:128,2.000000e+00:3}>>
// CHECK: llmo.storage_cast %{{.*}} : tensor<2x4x!quant.uniform<u8:f16:0, {1.000000e+00:128,2.000000e+00:3}>> -> tensor<2x4xui8>
func.func @quant_per_axis(%a: tensor<3x2xf32>, %h: tensor<2x4xf16>) -> (tensor<3x2xf32>, tensor<3x2xi8>, tensor<2x4xui8>) {
  %q = llmo.quantize %a : tensor<3x2xf32> -> tensor<3x2x!quant.uniform<i8:f32:1, {0.5, 0.25}>>
  %d = llmo.dequantize %q : tensor<3x2x!quant.uniform<i8:f32:1, {0.5, 0.25}>> -> tensor<3x2xf32>
  %s = llmo.storage_cast %q : tensor<3x2x!quant.uniform<i8:f32:1, {0.5, 0.25}>> -> tensor<3x2xi8>
  %u = llmo.quantize %h : tensor<2x4xf16> -> tensor<2x4x!quant.uniform<u8:f16:0, {1.0:128, 2.0:3}>>
  %v = llmo.storage_cast %u : tensor<2x4x!quant.uniform<u8:f16:0, {1.0:128, 2.0:3}>> -> tensor<2x4xui8>
  return %d, %s, %v : tensor<3x2xf32>, tensor<3x2xi8>, tensor<2x4xui8>
}

// Sub-channel: blocks of 2 along dim 1 of a 1x4 tensor (scales 1x2), and a
// 4x4 tensor blocked 2x2 (scales 2x2) with zero points.
// CHECK-LABEL: func.func @quant_sub_channel
// CHECK: llmo.quantize %{{.*}} : tensor<1x4xf32> -> tensor<1x4x!quant.uniform<i8:f32:{1:2}, {{[{][{]}}1.000000e+00, 2.000000e+00{{[}][}]}}>>
// CHECK: llmo.dequantize %{{.*}} : tensor<1x4x!quant.uniform<i8:f32:{1:2}, {{[{][{]}}1.000000e+00, 2.000000e+00{{[}][}]}}>> -> tensor<1x4xf32>
// CHECK: llmo.storage_cast %{{.*}} : tensor<1x4x!quant.uniform<i8:f32:{1:2}, {{[{][{]}}1.000000e+00, 2.000000e+00{{[}][}]}}>> -> tensor<1x4xi8>
// CHECK: llmo.storage_cast %{{.*}} : tensor<4x4xi8> -> tensor<4x4x!quant.uniform<i8:f32:{0:2, 1:2}, {{[{][{]}}1.000000e+00:1, 2.000000e+00}, {3.000000e+00, 4.000000e+00:-1{{[}][}]}}>>
func.func @quant_sub_channel(%a: tensor<1x4xf32>, %i: tensor<4x4xi8>) -> (tensor<1x4xf32>, tensor<1x4xi8>, tensor<4x4x!quant.uniform<i8:f32:{0:2, 1:2}, {{1.0:1, 2.0}, {3.0, 4.0:-1}}>>) {
  %q = llmo.quantize %a : tensor<1x4xf32> -> tensor<1x4x!quant.uniform<i8:f32:{1:2}, {{1.0, 2.0}}>>
  %d = llmo.dequantize %q : tensor<1x4x!quant.uniform<i8:f32:{1:2}, {{1.0, 2.0}}>> -> tensor<1x4xf32>
  %s = llmo.storage_cast %q : tensor<1x4x!quant.uniform<i8:f32:{1:2}, {{1.0, 2.0}}>> -> tensor<1x4xi8>
  %b = llmo.storage_cast %i : tensor<4x4xi8> -> tensor<4x4x!quant.uniform<i8:f32:{0:2, 1:2}, {{1.0:1, 2.0}, {3.0, 4.0:-1}}>>
  return %d, %s, %b : tensor<1x4xf32>, tensor<1x4xi8>, tensor<4x4x!quant.uniform<i8:f32:{0:2, 1:2}, {{1.0:1, 2.0}, {3.0, 4.0:-1}}>>
}

// i4 and i32 storage and a narrow storage range.
// CHECK-LABEL: func.func @quant_storage_types
// CHECK: llmo.storage_cast %{{.*}} : tensor<4xi4> -> tensor<4x!quant.uniform<i4:f32, 1.250000e-01:-2>>
// CHECK: llmo.quantize %{{.*}} : tensor<4xf32> -> tensor<4x!quant.uniform<i8<-127:127>:f32, 1.000000e-02>>
// CHECK: llmo.quantize %{{.*}} : tensor<4xbf16> -> tensor<4x!quant.uniform<i32:bf16, 2.500000e-01>>
func.func @quant_storage_types(%i: tensor<4xi4>, %a: tensor<4xf32>, %b: tensor<4xbf16>) -> (tensor<4x!quant.uniform<i4:f32, 0.125:-2>>, tensor<4x!quant.uniform<i8<-127:127>:f32, 0.01>>, tensor<4x!quant.uniform<i32:bf16, 0.25>>) {
  %0 = llmo.storage_cast %i : tensor<4xi4> -> tensor<4x!quant.uniform<i4:f32, 0.125:-2>>
  %1 = llmo.quantize %a : tensor<4xf32> -> tensor<4x!quant.uniform<i8<-127:127>:f32, 0.01>>
  %2 = llmo.quantize %b : tensor<4xbf16> -> tensor<4x!quant.uniform<i32:bf16, 0.25>>
  return %0, %1, %2 : tensor<4x!quant.uniform<i4:f32, 0.125:-2>>, tensor<4x!quant.uniform<i8<-127:127>:f32, 0.01>>, tensor<4x!quant.uniform<i32:bf16, 0.25>>
}

// CHECK-LABEL: func.func @dynamic_quantize
// CHECK: llmo.dynamic_quantize %{{.*}} : tensor<2x3xf32> -> tensor<2x3xui8>, tensor<f32>, tensor<ui8>
// GENERIC: "llmo.dynamic_quantize"(%{{.*}}) : (tensor<2x3xf32>) -> (tensor<2x3xui8>, tensor<f32>, tensor<ui8>)
func.func @dynamic_quantize(%a: tensor<2x3xf32>) -> (tensor<2x3xui8>, tensor<f32>, tensor<ui8>) {
  %y, %s, %z = llmo.dynamic_quantize %a : tensor<2x3xf32> -> tensor<2x3xui8>, tensor<f32>, tensor<ui8>
  return %y, %s, %z : tensor<2x3xui8>, tensor<f32>, tensor<ui8>
}

// Scalar, per-row [M] and per-column [N] zero points; batch broadcasting.
// CHECK-LABEL: func.func @matmul_integer
// CHECK: llmo.matmul_integer %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x3xui8>, tensor<3x2xi8>, tensor<ui8>, tensor<i8>) -> tensor<4x2xi32>
// CHECK: llmo.matmul_integer %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<5x4x3xui8>, tensor<3x2xi8>, tensor<4xui8>, tensor<2xi8>) -> tensor<5x4x2xi32>
func.func @matmul_integer(%a: tensor<4x3xui8>, %b: tensor<3x2xi8>, %az: tensor<ui8>, %bz: tensor<i8>, %c: tensor<5x4x3xui8>, %rz: tensor<4xui8>, %cz: tensor<2xi8>) -> (tensor<4x2xi32>, tensor<5x4x2xi32>) {
  %0 = llmo.matmul_integer %a, %b, %az, %bz : (tensor<4x3xui8>, tensor<3x2xi8>, tensor<ui8>, tensor<i8>) -> tensor<4x2xi32>
  %1 = llmo.matmul_integer %c, %b, %rz, %cz : (tensor<5x4x3xui8>, tensor<3x2xi8>, tensor<4xui8>, tensor<2xi8>) -> tensor<5x4x2xi32>
  return %0, %1 : tensor<4x2xi32>, tensor<5x4x2xi32>
}

// A fused elementwise body with broadcast inputs.
// CHECK-LABEL: func.func @elementwise
// CHECK: llmo.elementwise %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32> {
// CHECK-NEXT: ^bb0(%{{.*}}: f32, %{{.*}}: f32):
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: math.exp
// CHECK-NEXT: llmo.yield %{{.*}} : f32
// GENERIC: "llmo.elementwise"
// GENERIC: "llmo.yield"
func.func @elementwise(%a: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %y = llmo.elementwise %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32> {
  ^bb0(%x: f32, %c: f32):
    %0 = arith.mulf %x, %c : f32
    %1 = math.exp %0 : f32
    llmo.yield %1 : f32
  }
  return %y : tensor<4x8xf32>
}

// Attention, multi-head and grouped-query (2 key/value heads for 4 query
// heads).
// CHECK-LABEL: func.func @attention
// CHECK: llmo.attention %{{.*}}, %{{.*}}, %{{.*}} mask %{{.*}} {scale = 5.000000e-01 : f32} : (tensor<1x4x2x8xf32>, tensor<1x4x5x8xf32>, tensor<1x4x5x3xf32>, tensor<1x1x2x5xf32>) -> tensor<1x4x2x3xf32>
// CHECK: llmo.attention %{{.*}}, %{{.*}}, %{{.*}} {scale = 1.000000e+00 : f32} : (tensor<1x4x2x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x3xf32>) -> tensor<1x4x2x3xf32>
// GENERIC: "llmo.attention"
func.func @attention(%q: tensor<1x4x2x8xf32>, %k: tensor<1x4x5x8xf32>, %v: tensor<1x4x5x3xf32>, %m: tensor<1x1x2x5xf32>, %gk: tensor<1x2x5x8xf32>, %gv: tensor<1x2x5x3xf32>) -> (tensor<1x4x2x3xf32>, tensor<1x4x2x3xf32>) {
  %0 = llmo.attention %q, %k, %v mask %m {scale = 0.5 : f32} : (tensor<1x4x2x8xf32>, tensor<1x4x5x8xf32>, tensor<1x4x5x3xf32>, tensor<1x1x2x5xf32>) -> tensor<1x4x2x3xf32>
  %1 = llmo.attention %q, %gk, %gv {scale = 1.0 : f32} : (tensor<1x4x2x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x3xf32>) -> tensor<1x4x2x3xf32>
  return %0, %1 : tensor<1x4x2x3xf32>, tensor<1x4x2x3xf32>
}

// The resource blobs round-trip with their data (4-byte alignment header).
// CHECK: {-#
// CHECK: dialect_resources: {
// CHECK: builtin: {
// CHECK-DAG: weight_blob: "0x040000000000803F000000400000404000008040"
// CHECK-DAG: index_blob: "0x0800000001000000000000000200000000000000"

{-#
  dialect_resources: {
    builtin: {
      weight_blob: "0x040000000000803F000000400000404000008040",
      index_blob: "0x0800000001000000000000000200000000000000"
    }
  }
#-}
