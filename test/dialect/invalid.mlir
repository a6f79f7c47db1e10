// One case per verifier error of dialects/llmo/LlmoOps.cpp, plus a few
// ODS type constraints and parser errors.
// RUN: llmo-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

func.func @constant_type_mismatch() -> tensor<3xf32> {
  // expected-error @+1 {{'llmo.constant' op value type does not equal the result type}}
  %0 = "llmo.constant"() <{value = dense<1.0> : tensor<2xf32>}> : () -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @constant_not_elements() {
  // expected-error @+1 {{invalid kind of attribute specified}}
  %0 = llmo.constant 1.0 : f32
  return
}

// -----

func.func @constant_vector() {
  // expected-error @+1 {{'llmo.constant' op result #0 must be statically shaped tensor of}}
  %0 = llmo.constant dense<1.0> : vector<4xf32>
  return
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

// -----

func.func @binary_not_broadcastable(%a: tensor<2x3xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{'llmo.add' op operand shapes are not broadcastable (C1)}}
  %0 = llmo.add %a, %b : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @binary_wrong_result_shape(%a: tensor<2x1xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'llmo.mul' op result shape does not equal the broadcast of the operand shapes (C1)}}
  %0 = llmo.mul %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x1xf32>
  return
}

// -----

func.func @binary_result_rank(%a: tensor<3xf32>) {
  // expected-error @+1 {{'llmo.sub' op result shape does not equal the broadcast of the operand shapes (C1)}}
  %0 = llmo.sub %a, %a : (tensor<3xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  return
}

// -----

func.func @binary_element_types(%a: tensor<3xf32>, %b: tensor<3xi32>) {
  // expected-error @+1 {{'llmo.div' op operand element types differ: 'f32' vs 'i32' (C2)}}
  %0 = llmo.div %a, %b : (tensor<3xf32>, tensor<3xi32>) -> tensor<3xf32>
  return
}

// -----

func.func @binary_result_element_type(%a: tensor<3xf32>) {
  // expected-error @+1 {{'llmo.pow' op result element type differs from the operands (C2)}}
  %0 = llmo.pow %a, %a : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf16>
  return
}

// -----

func.func @compare_element_types(%a: tensor<3xf32>, %b: tensor<3xf16>) {
  // expected-error @+1 {{'llmo.less' op operand element types differ: 'f32' vs 'f16' (C2)}}
  %0 = llmo.less %a, %b : (tensor<3xf32>, tensor<3xf16>) -> tensor<3xi1>
  return
}

// -----

func.func @compare_not_broadcastable(%a: tensor<3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'llmo.greater_equal' op operand shapes are not broadcastable (C1)}}
  %0 = llmo.greater_equal %a, %b : (tensor<3xf32>, tensor<4xf32>) -> tensor<4xi1>
  return
}

// -----

func.func @compare_result_not_bool(%a: tensor<3xf32>) {
  // expected-error @+1 {{'llmo.equal' op result #0 must be statically shaped tensor of 1-bit signless integer values}}
  %0 = llmo.equal %a, %a : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @unary_type_mismatch(%a: tensor<3xf32>) {
  // expected-error @+1 {{'llmo.exp' op requires the same type for all operands and results}}
  %0 = "llmo.exp"(%a) : (tensor<3xf32>) -> tensor<3xf16>
  return
}

// -----

func.func @unranked(%a: tensor<*xf32>) {
  // expected-error @+1 {{'llmo.neg' op operand #0 must be statically shaped tensor of}}
  %0 = "llmo.neg"(%a) : (tensor<*xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @not_float(%a: tensor<4xf32>) {
  // expected-error @+1 {{'llmo.not' op operand #0 must be statically shaped tensor of 1-bit signless integer values}}
  %0 = llmo.not %a : tensor<4xf32>
  return
}

// -----

func.func @exp_integer(%a: tensor<4xi32>) {
  // expected-error @+1 {{'llmo.exp' op operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type values}}
  %0 = llmo.exp %a : tensor<4xi32>
  return
}

// -----

func.func @exp_f64(%a: tensor<4xf64>) {
  // expected-error @+1 {{'llmo.exp' op operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type values}}
  %0 = llmo.exp %a : tensor<4xf64>
  return
}

// -----

func.func @neg_unsigned(%a: tensor<4xui8>) {
  // expected-error @+1 {{'llmo.neg' op operand #0 must be statically shaped tensor of}}
  %0 = llmo.neg %a : tensor<4xui8>
  return
}

// -----

func.func @add_quantized(%a: tensor<4x!quant.uniform<i8:f32, 0.5:1>>) {
  // expected-error @+1 {{'llmo.add' op operand #0 must be statically shaped tensor of}}
  %0 = llmo.add %a, %a : (tensor<4x!quant.uniform<i8:f32, 0.5:1>>, tensor<4x!quant.uniform<i8:f32, 0.5:1>>) -> tensor<4x!quant.uniform<i8:f32, 0.5:1>>
  return
}

// -----

func.func @add_i16(%a: tensor<4xi16>) {
  // expected-error @+1 {{'llmo.add' op operand #0 must be statically shaped tensor of}}
  %0 = llmo.add %a, %a : (tensor<4xi16>, tensor<4xi16>) -> tensor<4xi16>
  return
}

// -----

func.func @gelu_bad_approximate(%a: tensor<3xf32>) {
  // expected-error @+1 {{'llmo.gelu' op approximate must be "none" or "tanh" (C1)}}
  %0 = llmo.gelu %a {approximate = "erf"} : tensor<3xf32>
  return
}

// -----

func.func @gelu_integer(%a: tensor<3xi32>) {
  // expected-error @+1 {{'llmo.gelu' op operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type values}}
  %0 = llmo.gelu %a : tensor<3xi32>
  return
}

// -----

func.func @where_element_types(%c: tensor<3xi1>, %a: tensor<3xf32>, %b: tensor<3xf16>) {
  // expected-error @+1 {{'llmo.where' op value operands and result must share the element type (C2)}}
  %0 = llmo.where %c, %a, %b : (tensor<3xi1>, tensor<3xf32>, tensor<3xf16>) -> tensor<3xf32>
  return
}

// -----

func.func @where_result_element_type(%c: tensor<3xi1>, %a: tensor<3xf32>) {
  // expected-error @+1 {{'llmo.where' op value operands and result must share the element type (C2)}}
  %0 = llmo.where %c, %a, %a : (tensor<3xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xi32>
  return
}

// -----

func.func @where_not_broadcastable(%c: tensor<2xi1>, %a: tensor<3xf32>) {
  // expected-error @+1 {{'llmo.where' op operand shapes are not broadcastable (C1)}}
  %0 = llmo.where %c, %a, %a : (tensor<2xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @where_result_shape(%c: tensor<2x1xi1>, %a: tensor<3xf32>) {
  // expected-error @+1 {{'llmo.where' op result shape does not equal the broadcast of the operand shapes (C1)}}
  %0 = llmo.where %c, %a, %a : (tensor<2x1xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @where_condition_not_bool(%c: tensor<3xi8>, %a: tensor<3xf32>) {
  // expected-error @+1 {{'llmo.where' op operand #0 must be statically shaped tensor of 1-bit signless integer values}}
  %0 = llmo.where %c, %a, %a : (tensor<3xi8>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @cast_shape(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'llmo.cast' op operand and result shapes differ (C1)}}
  %0 = llmo.cast %a : tensor<2x3xf32> -> tensor<3x2xi32>
  return
}

// -----

// (C2) is unreachable once cast's ODS types exclude quantized and index
// element types (then the generated type check fires): accept either.
func.func @cast_quantized(%a: tensor<3xf32>) {
  // expected-error-re @+1 {{'llmo.cast' op {{(casts only between float and integer types; use quantize/dequantize for quantized tensors \(C2\)|result #0 must be statically shaped tensor of)}}}}
  %0 = llmo.cast %a : tensor<3xf32> -> tensor<3x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

func.func @cast_from_index(%a: tensor<3xindex>) {
  // expected-error-re @+1 {{'llmo.cast' op {{(casts only between float and integer types|operand #0 must be statically shaped tensor of)}}}}
  %0 = llmo.cast %a : tensor<3xindex> -> tensor<3xi64>
  return
}

//===----------------------------------------------------------------------===//
// Linear algebra and normalization
//===----------------------------------------------------------------------===//

// -----

func.func @matmul_rank(%a: tensor<4xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{'llmo.matmul' op operands must have rank >= 2 (C1)}}
  %0 = llmo.matmul %a, %b : (tensor<4xf32>, tensor<4x5xf32>) -> tensor<5xf32>
  return
}

// -----

func.func @matmul_element_types(%a: tensor<3x4xf32>, %b: tensor<4x5xf16>) {
  // expected-error @+1 {{'llmo.matmul' op operand and result element types must match (C2)}}
  %0 = llmo.matmul %a, %b : (tensor<3x4xf32>, tensor<4x5xf16>) -> tensor<3x5xf32>
  return
}

// -----

func.func @matmul_result_element_type(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{'llmo.matmul' op operand and result element types must match (C2)}}
  %0 = llmo.matmul %a, %b : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xbf16>
  return
}

// -----

func.func @matmul_contraction(%a: tensor<3x4xf32>, %b: tensor<5x6xf32>) {
  // expected-error @+1 {{'llmo.matmul' op contraction dims differ: lhs K = 4, rhs K = 5 (C1)}}
  %0 = llmo.matmul %a, %b : (tensor<3x4xf32>, tensor<5x6xf32>) -> tensor<3x6xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<2x3x4xf32>, %b: tensor<3x4x5xf32>) {
  // expected-error @+1 {{'llmo.matmul' op batch dims are not broadcastable (C1)}}
  %0 = llmo.matmul %a, %b : (tensor<2x3x4xf32>, tensor<3x4x5xf32>) -> tensor<2x3x5xf32>
  return
}

// -----

func.func @matmul_result_shape(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{'llmo.matmul' op result shape must be [batch..., M, N] (C1)}}
  %0 = llmo.matmul %a, %b : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<5x3xf32>
  return
}

// -----

func.func @matmul_integer_types(%a: tensor<3x4xi8>, %b: tensor<4x5xi8>) {
  // expected-error @+1 {{'llmo.matmul' op operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type values}}
  %0 = llmo.matmul %a, %b : (tensor<3x4xi8>, tensor<4x5xi8>) -> tensor<3x5xi8>
  return
}

// -----

func.func @linear_weight_rank(%x: tensor<2x4xf32>, %w: tensor<4x3x1xf32>) {
  // expected-error @+1 {{'llmo.linear' op weight must be [K, N] (C1)}}
  %0 = llmo.linear %x, %w : (tensor<2x4xf32>, tensor<4x3x1xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @linear_k(%x: tensor<2x5xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{'llmo.linear' op input's last dim must equal weight K = 4 (C1)}}
  %0 = llmo.linear %x, %w : (tensor<2x5xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @linear_scalar_input(%x: tensor<f32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{'llmo.linear' op input's last dim must equal weight K = 4 (C1)}}
  %0 = llmo.linear %x, %w : (tensor<f32>, tensor<4x3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @linear_bias_shape(%x: tensor<2x4xf32>, %w: tensor<4x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'llmo.linear' op bias must be [N] (C1)}}
  %0 = llmo.linear %x, %w, %b : (tensor<2x4xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @linear_bias_rank(%x: tensor<2x4xf32>, %w: tensor<4x3xf32>, %b: tensor<1x3xf32>) {
  // expected-error @+1 {{'llmo.linear' op bias must be [N] (C1)}}
  %0 = llmo.linear %x, %w, %b : (tensor<2x4xf32>, tensor<4x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @linear_result_shape(%x: tensor<2x4xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{'llmo.linear' op result shape must be [..., N] (C1)}}
  %0 = llmo.linear %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @linear_element_types(%x: tensor<2x4xf32>, %w: tensor<4x3xf16>) {
  // expected-error @+1 {{'llmo.linear' op operands and result must share the element type (C2)}}
  %0 = llmo.linear %x, %w : (tensor<2x4xf32>, tensor<4x3xf16>) -> tensor<2x3xf32>
  return
}

// -----

func.func @linear_bias_element_type(%x: tensor<2x4xf16>, %w: tensor<4x3xf16>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'llmo.linear' op operands and result must share the element type (C2)}}
  %0 = llmo.linear %x, %w, %b : (tensor<2x4xf16>, tensor<4x3xf16>, tensor<3xf32>) -> tensor<2x3xf16>
  return
}

// -----

func.func @linear_result_element_type(%x: tensor<2x4xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{'llmo.linear' op operands and result must share the element type (C2)}}
  %0 = llmo.linear %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xbf16>
  return
}

// -----

func.func @softmax_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'llmo.softmax' op axis 2 is out of range [0, 2) (C1)}}
  %0 = llmo.softmax %a {axis = 2 : i64} : tensor<2x3xf32>
  return
}

// -----

func.func @softmax_negative_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'llmo.softmax' op axis -1 is out of range [0, 2) (C1)}}
  %0 = llmo.softmax %a {axis = -1 : i64} : tensor<2x3xf32>
  return
}

// -----

func.func @softmax_missing_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'llmo.softmax' op requires attribute 'axis'}}
  %0 = llmo.softmax %a : tensor<2x3xf32>
  return
}

// -----

func.func @layer_norm_axis(%x: tensor<2x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{'llmo.layer_norm' op axis 2 is out of range [0, 2) (C1)}}
  %0 = llmo.layer_norm %x, %s {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @layer_norm_scale_shape(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{'llmo.layer_norm' op scale must have the shape of the normalized dims (C1)}}
  %0 = llmo.layer_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @layer_norm_bias_shape(%x: tensor<2x4xf32>, %s: tensor<4xf32>, %b: tensor<1x4xf32>) {
  // expected-error @+1 {{'llmo.layer_norm' op bias must have the shape of the normalized dims (C1)}}
  %0 = llmo.layer_norm %x, %s, %b {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4xf32>, tensor<4xf32>, tensor<1x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @layer_norm_scale_element_type(%x: tensor<2x4xf32>, %s: tensor<4xf16>) {
  // expected-error @+1 {{'llmo.layer_norm' op scale must have the input's element type (C1)}}
  %0 = llmo.layer_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4xf32>, tensor<4xf16>) -> tensor<2x4xf32>
  return
}

// -----

func.func @layer_norm_bias_element_type(%x: tensor<2x4xf32>, %s: tensor<4xf32>, %b: tensor<4xbf16>) {
  // expected-error @+1 {{'llmo.layer_norm' op bias must have the input's element type (C1)}}
  %0 = llmo.layer_norm %x, %s, %b {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xbf16>) -> tensor<2x4xf32>
  return
}

// -----

func.func @layer_norm_result_type(%x: tensor<2x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{'llmo.layer_norm' op result type must equal the input type}}
  %0 = llmo.layer_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf16>
  return
}

// -----

func.func @layer_norm_epsilon_type(%x: tensor<2x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{'llmo.layer_norm' op attribute 'epsilon' failed to satisfy constraint: 32-bit float attribute}}
  %0 = llmo.layer_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f64} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @rms_norm_axis(%x: tensor<2x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{'llmo.rms_norm' op axis -1 is out of range [0, 2) (C1)}}
  %0 = llmo.rms_norm %x, %s {axis = -1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @rms_norm_scale_shape(%x: tensor<2x4xf32>, %s: tensor<2x4xf32>) {
  // expected-error @+1 {{'llmo.rms_norm' op scale must have the shape of the normalized dims (C1)}}
  %0 = llmo.rms_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @rms_norm_scale_element_type(%x: tensor<2x4xf16>, %s: tensor<4xf32>) {
  // expected-error @+1 {{'llmo.rms_norm' op scale must have the input's element type (C1)}}
  %0 = llmo.rms_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4xf16>, tensor<4xf32>) -> tensor<2x4xf16>
  return
}

// -----

func.func @rms_norm_result_type(%x: tensor<2x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{'llmo.rms_norm' op result type must equal the input type}}
  %0 = llmo.rms_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<1x2x4xf32>
  return
}

//===----------------------------------------------------------------------===//
// Shape and data movement
//===----------------------------------------------------------------------===//

// -----

func.func @reshape_count(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'llmo.reshape' op element count changes from 6 to 8 (C1)}}
  %0 = llmo.reshape %a : tensor<2x3xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @reshape_element_type(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'llmo.reshape' op operand and result element types must match}}
  %0 = llmo.reshape %a : tensor<2x3xf32> -> tensor<6xi32>
  return
}

// -----

func.func @transpose_perm_size(%a: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'llmo.transpose' op perm must have one entry per dim (C1)}}
  %0 = llmo.transpose %a {perm = array<i64: 1, 0>} : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  return
}

// -----

func.func @transpose_perm_repeated(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'llmo.transpose' op perm must be a permutation of [0, rank) (C1)}}
  %0 = llmo.transpose %a {perm = array<i64: 1, 1>} : tensor<2x3xf32> -> tensor<3x3xf32>
  return
}

// -----

func.func @transpose_perm_range(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'llmo.transpose' op perm must be a permutation of [0, rank) (C1)}}
  %0 = llmo.transpose %a {perm = array<i64: 0, 2>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @transpose_perm_negative(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'llmo.transpose' op perm must be a permutation of [0, rank) (C1)}}
  %0 = llmo.transpose %a {perm = array<i64: -1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  return
}

// -----

func.func @transpose_result_shape(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'llmo.transpose' op result shape must be the permuted operand shape (C1)}}
  %0 = llmo.transpose %a {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @transpose_element_type(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'llmo.transpose' op operand and result element types must match}}
  %0 = llmo.transpose %a {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf16>
  return
}

// -----

func.func @slice_entries(%a: tensor<4x6xf32>) {
  // expected-error @+1 {{'llmo.slice' op starts and steps need one entry per dim (C1)}}
  %0 = llmo.slice %a {starts = array<i64: 0>, steps = array<i64: 1, 1>} : tensor<4x6xf32> -> tensor<4x6xf32>
  return
}

// -----

func.func @slice_zero_step(%a: tensor<4x6xf32>) {
  // expected-error @+1 {{'llmo.slice' op step of dim 1 is zero (C1)}}
  %0 = llmo.slice %a {starts = array<i64: 0, 0>, steps = array<i64: 1, 0>} : tensor<4x6xf32> -> tensor<4x6xf32>
  return
}

// -----

func.func @slice_past_end(%a: tensor<4x6xf32>) {
  // expected-error @+1 {{'llmo.slice' op dim 1 selects elements outside [0, 6) (C1)}}
  %0 = llmo.slice %a {starts = array<i64: 0, 1>, steps = array<i64: 1, 2>} : tensor<4x6xf32> -> tensor<4x4xf32>
  return
}

// -----

func.func @slice_negative_start(%a: tensor<4x6xf32>) {
  // expected-error @+1 {{'llmo.slice' op dim 0 selects elements outside [0, 4) (C1)}}
  %0 = llmo.slice %a {starts = array<i64: -1, 0>, steps = array<i64: 1, 1>} : tensor<4x6xf32> -> tensor<1x6xf32>
  return
}

// -----

func.func @slice_before_begin(%a: tensor<4x6xf32>) {
  // expected-error @+1 {{'llmo.slice' op dim 0 selects elements outside [0, 4) (C1)}}
  %0 = llmo.slice %a {starts = array<i64: 1, 0>, steps = array<i64: -1, 1>} : tensor<4x6xf32> -> tensor<3x6xf32>
  return
}

// -----

func.func @slice_element_type(%a: tensor<4x6xf32>) {
  // expected-error @+1 {{'llmo.slice' op operand and result element types must match}}
  %0 = llmo.slice %a {starts = array<i64: 0, 0>, steps = array<i64: 1, 1>} : tensor<4x6xf32> -> tensor<4x6xi32>
  return
}

// -----

func.func @concat_no_inputs() {
  // expected-error @+1 {{'llmo.concat' op needs at least one input}}
  %0 = llmo.concat {axis = 0 : i64} : () -> tensor<2xf32>
  return
}

// -----

func.func @concat_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'llmo.concat' op axis 2 is out of range [0, 2) (C1)}}
  %0 = llmo.concat %a, %a {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_rank(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'llmo.concat' op inputs must have the result's rank and element type}}
  %0 = llmo.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_element_type(%a: tensor<2x3xf32>, %b: tensor<2x3xf16>) {
  // expected-error @+1 {{'llmo.concat' op inputs must have the result's rank and element type}}
  %0 = llmo.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x3xf16>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_other_dim(%a: tensor<2x3xf32>, %b: tensor<3x3xf32>) {
  // expected-error @+1 {{'llmo.concat' op input dim 0 differs from the result (C1)}}
  %0 = llmo.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_sum(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'llmo.concat' op result size along axis must be the sum of the inputs}}
  %0 = llmo.concat %a, %a {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x7xf32>
  return
}

// -----

func.func @split_axis(%a: tensor<2x6xf32>) {
  // expected-error @+1 {{'llmo.split' op axis 3 is out of range [0, 2) (C1)}}
  %0:2 = llmo.split %a {axis = 3 : i64} : tensor<2x6xf32> -> tensor<2x3xf32>, tensor<2x3xf32>
  return
}

// -----

func.func @split_rank(%a: tensor<2x6xf32>) {
  // expected-error @+1 {{'llmo.split' op results must have the operand's rank and element type}}
  %0:2 = llmo.split %a {axis = 1 : i64} : tensor<2x6xf32> -> tensor<2x3xf32>, tensor<2x3x1xf32>
  return
}

// -----

func.func @split_element_type(%a: tensor<2x6xf32>) {
  // expected-error @+1 {{'llmo.split' op results must have the operand's rank and element type}}
  %0:2 = llmo.split %a {axis = 1 : i64} : tensor<2x6xf32> -> tensor<2x3xf32>, tensor<2x3xi8>
  return
}

// -----

func.func @split_other_dim(%a: tensor<2x6xf32>) {
  // expected-error @+1 {{'llmo.split' op result dim 0 differs from the operand (C1)}}
  %0:2 = llmo.split %a {axis = 1 : i64} : tensor<2x6xf32> -> tensor<2x3xf32>, tensor<1x3xf32>
  return
}

// -----

func.func @split_sum(%a: tensor<2x6xf32>) {
  // expected-error @+1 {{'llmo.split' op result sizes along axis must sum to the operand's}}
  %0:2 = llmo.split %a {axis = 1 : i64} : tensor<2x6xf32> -> tensor<2x3xf32>, tensor<2x2xf32>
  return
}

// -----

func.func @broadcast_shape(%a: tensor<3xf32>) {
  // expected-error @+1 {{'llmo.broadcast' op operand does not broadcast to the result shape (C1)}}
  %0 = llmo.broadcast %a : tensor<3xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @broadcast_shrink(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'llmo.broadcast' op operand does not broadcast to the result shape (C1)}}
  %0 = llmo.broadcast %a : tensor<2x3xf32> -> tensor<3xf32>
  return
}

// -----

func.func @broadcast_element_type(%a: tensor<3xf32>) {
  // expected-error @+1 {{'llmo.broadcast' op operand and result element types must match}}
  %0 = llmo.broadcast %a : tensor<3xf32> -> tensor<2x3xi1>
  return
}

// -----

func.func @gather_axis(%d: tensor<4x5xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{'llmo.gather' op axis 2 is out of range [0, 2) (C1)}}
  %0 = llmo.gather %d, %i {axis = 2 : i64} : (tensor<4x5xf32>, tensor<2xi64>) -> tensor<4x5x2xf32>
  return
}

// -----

func.func @gather_result_shape(%d: tensor<4x5xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{'llmo.gather' op result shape must be data[:axis] + indices + data[axis+1:] (C1)}}
  %0 = llmo.gather %d, %i {axis = 0 : i64} : (tensor<4x5xf32>, tensor<2xi64>) -> tensor<5x2xf32>
  return
}

// -----

func.func @gather_element_type(%d: tensor<4x5xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{'llmo.gather' op operand and result element types must match}}
  %0 = llmo.gather %d, %i {axis = 0 : i64} : (tensor<4x5xf32>, tensor<2xi64>) -> tensor<2x5xf16>
  return
}

// -----

func.func @gather_index_type(%d: tensor<4x5xf32>, %i: tensor<2xi8>) {
  // expected-error @+1 {{'llmo.gather' op operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = llmo.gather %d, %i {axis = 0 : i64} : (tensor<4x5xf32>, tensor<2xi8>) -> tensor<2x5xf32>
  return
}

// -----

func.func @transpose_per_axis(%q: tensor<2x3x!quant.uniform<i8:f32:1, {0.5, 0.25, 0.125}>>) {
  // expected-error @+1 {{'llmo.transpose' op only per-tensor quantized tensors can be moved by data movement ops (C3)}}
  %0 = llmo.transpose %q {perm = array<i64: 1, 0>} : tensor<2x3x!quant.uniform<i8:f32:1, {0.5, 0.25, 0.125}>> -> tensor<3x2x!quant.uniform<i8:f32:1, {0.5, 0.25, 0.125}>>
  return
}

// -----

func.func @reshape_sub_channel(%q: tensor<1x4x!quant.uniform<i8:f32:{1:2}, {{1.0, 2.0}}>>) {
  // expected-error @+1 {{'llmo.reshape' op only per-tensor quantized tensors can be moved by data movement ops (C3)}}
  %0 = llmo.reshape %q : tensor<1x4x!quant.uniform<i8:f32:{1:2}, {{1.0, 2.0}}>> -> tensor<4x1x!quant.uniform<i8:f32:{1:2}, {{1.0, 2.0}}>>
  return
}

// -----

func.func @reduce_axes_unsorted(%a: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'llmo.reduce_sum' op axes must be sorted, distinct and in [0, rank) (C1)}}
  %0 = llmo.reduce_sum %a {axes = array<i64: 2, 0>, keepdims = false} : tensor<2x3x4xf32> -> tensor<3xf32>
  return
}

// -----

func.func @reduce_axes_repeated(%a: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'llmo.reduce_mean' op axes must be sorted, distinct and in [0, rank) (C1)}}
  %0 = llmo.reduce_mean %a {axes = array<i64: 1, 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  return
}

// -----

func.func @reduce_axes_range(%a: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'llmo.reduce_max' op axes must be sorted, distinct and in [0, rank) (C1)}}
  %0 = llmo.reduce_max %a {axes = array<i64: 3>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return
}

// -----

func.func @reduce_axes_negative(%a: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'llmo.reduce_min' op axes must be sorted, distinct and in [0, rank) (C1)}}
  %0 = llmo.reduce_min %a {axes = array<i64: -1>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x3x1xf32>
  return
}

// -----

func.func @reduce_keepdims_shape(%a: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'llmo.reduce_sum' op result shape does not match axes/keepdims (C1)}}
  %0 = llmo.reduce_sum %a {axes = array<i64: 2>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @reduce_no_keepdims_shape(%a: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'llmo.reduce_mean' op result shape does not match axes/keepdims (C1)}}
  %0 = llmo.reduce_mean %a {axes = array<i64: 2>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x3x1xf32>
  return
}

// -----

func.func @reduce_element_type(%a: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'llmo.reduce_max' op operand and result element types must match}}
  %0 = llmo.reduce_max %a {axes = array<i64: 2>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x3xi64>
  return
}

// -----

func.func @cumsum_axis(%a: tensor<2x3xi64>) {
  // expected-error @+1 {{'llmo.cumsum' op axis 2 is out of range [0, 2) (C1)}}
  %0 = llmo.cumsum %a {axis = 2 : i64} : tensor<2x3xi64>
  return
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

// -----

func.func @quantize_shape(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'llmo.quantize' op operand and result shapes differ (C1)}}
  %0 = llmo.quantize %a : tensor<2x3xf32> -> tensor<3x2x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

func.func @quantize_expressed_type(%a: tensor<2x3xf16>) {
  // expected-error @+1 {{'llmo.quantize' op quantized expressed type 'f32' differs from the float type 'f16' (C1)}}
  %0 = llmo.quantize %a : tensor<2x3xf16> -> tensor<2x3x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

func.func @quantize_to_int(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'llmo.quantize' op result #0 must be statically shaped tensor of}}
  %0 = llmo.quantize %a : tensor<2x3xf32> -> tensor<2x3xi8>
  return
}

// -----

func.func @quantize_unsupported_storage(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'llmo.quantize' op result #0 must be statically shaped tensor of supported !quant.uniform type values}}
  %0 = llmo.quantize %a : tensor<2x3xf32> -> tensor<2x3x!quant.uniform<i16:f32, 0.5>>
  return
}

// -----

func.func @dequantize_unsigned_i4(%q: tensor<2x3x!quant.uniform<u4:f32, 0.5>>) {
  // expected-error @+1 {{'llmo.dequantize' op operand #0 must be statically shaped tensor of supported !quant.uniform type values}}
  %0 = llmo.dequantize %q : tensor<2x3x!quant.uniform<u4:f32, 0.5>> -> tensor<2x3xf32>
  return
}

// -----

func.func @quantize_per_axis_dim(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'llmo.quantize' op per-axis quantized dimension 2 is out of range for rank 2 (C2)}}
  %0 = llmo.quantize %a : tensor<2x3xf32> -> tensor<2x3x!quant.uniform<i8:f32:2, {0.5, 0.25}>>
  return
}

// -----

func.func @quantize_per_axis_count(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'llmo.quantize' op per-axis type has 2 scales but dim 1 has size 3 (C2)}}
  %0 = llmo.quantize %a : tensor<2x3xf32> -> tensor<2x3x!quant.uniform<i8:f32:1, {0.5, 0.25}>>
  return
}

// -----

func.func @quantize_sub_channel_remainder(%a: tensor<1x5xf32>) {
  // expected-error @+1 {{'llmo.quantize' op sub-channel block size 2 on dim 1 does not tile the tensor shape 5 with scale dim 2 (C2)}}
  %0 = llmo.quantize %a : tensor<1x5xf32> -> tensor<1x5x!quant.uniform<i8:f32:{1:2}, {{1.0, 2.0}}>>
  return
}

// -----

func.func @quantize_sub_channel_scale_count(%a: tensor<1x6xf32>) {
  // expected-error @+1 {{'llmo.quantize' op sub-channel block size 2 on dim 1 does not tile the tensor shape 6 with scale dim 2 (C2)}}
  %0 = llmo.quantize %a : tensor<1x6xf32> -> tensor<1x6x!quant.uniform<i8:f32:{1:2}, {{1.0, 2.0}}>>
  return
}

// -----

// Block dim 1 of a rank-1 tensor (with a rank-2 scale tensor).
func.func @quantize_sub_channel_dim_range(%a: tensor<4xf32>) {
  // expected-error @+1 {{'llmo.quantize' op sub-channel scales have rank 2 but the tensor has rank 1 (C2)}}
  %0 = llmo.quantize %a : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32:{1:2}, {{1.0, 2.0}}>>
  return
}

// -----

func.func @quantize_sub_channel_scale_rank(%a: tensor<4x3xf32>) {
  // expected-error @+1 {{'llmo.quantize' op sub-channel scales have rank 1 but the tensor has rank 2 (C2)}}
  %0 = llmo.quantize %a : tensor<4x3xf32> -> tensor<4x3x!quant.uniform<i8:f32:{0:2}, {1.0, 2.0}>>
  return
}

// -----

// An unlisted dim is one block: its scale dim must be 1.
func.func @dequantize_sub_channel_unlisted_dim(%q: tensor<4x3x!quant.uniform<i8:f32:{0:2}, {{1.0, 2.0}, {3.0, 4.0}}>>) {
  // expected-error @+1 {{'llmo.dequantize' op sub-channel block size 3 on dim 1 does not tile the tensor shape 3 with scale dim 2 (C2)}}
  %0 = llmo.dequantize %q : tensor<4x3x!quant.uniform<i8:f32:{0:2}, {{1.0, 2.0}, {3.0, 4.0}}>> -> tensor<4x3xf32>
  return
}

// -----

func.func @dequantize_shape(%q: tensor<2x3x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'llmo.dequantize' op operand and result shapes differ (C1)}}
  %0 = llmo.dequantize %q : tensor<2x3x!quant.uniform<i8:f32, 0.5>> -> tensor<6xf32>
  return
}

// -----

func.func @dequantize_expressed_type(%q: tensor<2x3x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'llmo.dequantize' op quantized expressed type 'f32' differs from the float type 'bf16' (C1)}}
  %0 = llmo.dequantize %q : tensor<2x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3xbf16>
  return
}

// -----

func.func @dequantize_per_axis_count(%q: tensor<3x2x!quant.uniform<i8:f32:0, {0.5, 0.25}>>) {
  // expected-error @+1 {{'llmo.dequantize' op per-axis type has 2 scales but dim 0 has size 3 (C2)}}
  %0 = llmo.dequantize %q : tensor<3x2x!quant.uniform<i8:f32:0, {0.5, 0.25}>> -> tensor<3x2xf32>
  return
}

// -----

func.func @storage_cast_shape(%a: tensor<2x3xi8>) {
  // expected-error @+1 {{'llmo.storage_cast' op operand and result shapes differ (C1)}}
  %0 = llmo.storage_cast %a : tensor<2x3xi8> -> tensor<6x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

func.func @storage_cast_neither_quantized(%a: tensor<2x3xi8>) {
  // expected-error @+1 {{'llmo.storage_cast' op exactly one side must be quantized (C1)}}
  %0 = llmo.storage_cast %a : tensor<2x3xi8> -> tensor<2x3xi8>
  return
}

// -----

func.func @storage_cast_both_quantized(%a: tensor<2x3x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'llmo.storage_cast' op exactly one side must be quantized (C1)}}
  %0 = llmo.storage_cast %a : tensor<2x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3x!quant.uniform<i8:f32, 0.25>>
  return
}

// -----

func.func @storage_cast_width(%a: tensor<2x3xi32>) {
  // expected-error @+1 {{'llmo.storage_cast' op integer type 'i32' is not the storage type of '!quant.uniform<i8:f32, 5.000000e-01>' (C1)}}
  %0 = llmo.storage_cast %a : tensor<2x3xi32> -> tensor<2x3x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

func.func @storage_cast_signedness(%a: tensor<2x3xui8>) {
  // expected-error @+1 {{'llmo.storage_cast' op integer type 'ui8' is not the storage type of '!quant.uniform<i8:f32, 5.000000e-01>' (C1)}}
  %0 = llmo.storage_cast %a : tensor<2x3xui8> -> tensor<2x3x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

func.func @storage_cast_unsigned_from_signless(%a: tensor<2x3xi8>) {
  // expected-error @+1 {{'llmo.storage_cast' op integer type 'i8' is not the storage type of '!quant.uniform<u8:f32, 5.000000e-01>' (C1)}}
  %0 = llmo.storage_cast %a : tensor<2x3xi8> -> tensor<2x3x!quant.uniform<u8:f32, 0.5>>
  return
}

// -----

func.func @storage_cast_to_float(%q: tensor<2x3x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{'llmo.storage_cast' op integer type 'f32' is not the storage type of '!quant.uniform<i8:f32, 5.000000e-01>' (C1)}}
  %0 = llmo.storage_cast %q : tensor<2x3x!quant.uniform<i8:f32, 0.5>> -> tensor<2x3xf32>
  return
}

// -----

func.func @storage_cast_per_axis_count(%a: tensor<2x3xi8>) {
  // expected-error @+1 {{'llmo.storage_cast' op per-axis type has 2 scales but dim 1 has size 3 (C2)}}
  %0 = llmo.storage_cast %a : tensor<2x3xi8> -> tensor<2x3x!quant.uniform<i8:f32:1, {0.5, 0.25}>>
  return
}

// -----

func.func @storage_cast_sub_channel(%q: tensor<1x6x!quant.uniform<i8:f32:{1:4}, {{1.0, 2.0}}>>) {
  // expected-error @+1 {{'llmo.storage_cast' op sub-channel block size 4 on dim 1 does not tile the tensor shape 6 with scale dim 2 (C2)}}
  %0 = llmo.storage_cast %q : tensor<1x6x!quant.uniform<i8:f32:{1:4}, {{1.0, 2.0}}>> -> tensor<1x6xi8>
  return
}

// -----

func.func @dynamic_quantize_shape(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'llmo.dynamic_quantize' op operand and result shapes differ (C1)}}
  %y, %s, %z = llmo.dynamic_quantize %a : tensor<2x3xf32> -> tensor<3x2xui8>, tensor<f32>, tensor<ui8>
  return
}

// -----

func.func @dynamic_quantize_signed(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'llmo.dynamic_quantize' op result #0 must be statically shaped tensor of 8-bit unsigned integer values}}
  %y, %s, %z = llmo.dynamic_quantize %a : tensor<2x3xf32> -> tensor<2x3xi8>, tensor<f32>, tensor<ui8>
  return
}

// -----

func.func @dynamic_quantize_scale_rank(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'llmo.dynamic_quantize' op result #1 must be 0D tensor of 32-bit float values}}
  %y, %s, %z = llmo.dynamic_quantize %a : tensor<2x3xf32> -> tensor<2x3xui8>, tensor<1xf32>, tensor<ui8>
  return
}

// -----

func.func @matmul_integer_rank(%a: tensor<3xi8>, %b: tensor<3x2xi8>, %z: tensor<i8>) {
  // expected-error @+1 {{'llmo.matmul_integer' op operands must have rank >= 2 (C1)}}
  %0 = llmo.matmul_integer %a, %b, %z, %z : (tensor<3xi8>, tensor<3x2xi8>, tensor<i8>, tensor<i8>) -> tensor<2xi32>
  return
}

// -----

func.func @matmul_integer_contraction(%a: tensor<4x3xi8>, %b: tensor<4x2xi8>, %z: tensor<i8>) {
  // expected-error @+1 {{'llmo.matmul_integer' op contraction dims differ (C1)}}
  %0 = llmo.matmul_integer %a, %b, %z, %z : (tensor<4x3xi8>, tensor<4x2xi8>, tensor<i8>, tensor<i8>) -> tensor<4x2xi32>
  return
}

// -----

func.func @matmul_integer_zero_point_type(%a: tensor<4x3xui8>, %b: tensor<3x2xi8>, %z: tensor<i8>) {
  // expected-error @+1 {{'llmo.matmul_integer' op zero points must have their operand's type (C1)}}
  %0 = llmo.matmul_integer %a, %b, %z, %z : (tensor<4x3xui8>, tensor<3x2xi8>, tensor<i8>, tensor<i8>) -> tensor<4x2xi32>
  return
}

// -----

func.func @matmul_integer_lhs_zero_points(%a: tensor<4x3xi8>, %b: tensor<3x2xi8>, %lz: tensor<3xi8>, %rz: tensor<i8>) {
  // expected-error @+1 {{'llmo.matmul_integer' op zero points must be scalars, per-row [M] (lhs) or per-column [N] (rhs) (C1)}}
  %0 = llmo.matmul_integer %a, %b, %lz, %rz : (tensor<4x3xi8>, tensor<3x2xi8>, tensor<3xi8>, tensor<i8>) -> tensor<4x2xi32>
  return
}

// -----

func.func @matmul_integer_rhs_zero_points(%a: tensor<4x3xi8>, %b: tensor<3x2xi8>, %lz: tensor<i8>, %rz: tensor<4xi8>) {
  // expected-error @+1 {{'llmo.matmul_integer' op zero points must be scalars, per-row [M] (lhs) or per-column [N] (rhs) (C1)}}
  %0 = llmo.matmul_integer %a, %b, %lz, %rz : (tensor<4x3xi8>, tensor<3x2xi8>, tensor<i8>, tensor<4xi8>) -> tensor<4x2xi32>
  return
}

// -----

func.func @matmul_integer_batch(%a: tensor<2x4x3xi8>, %b: tensor<3x3x2xi8>, %z: tensor<i8>) {
  // expected-error @+1 {{'llmo.matmul_integer' op batch dims are not broadcastable (C1)}}
  %0 = llmo.matmul_integer %a, %b, %z, %z : (tensor<2x4x3xi8>, tensor<3x3x2xi8>, tensor<i8>, tensor<i8>) -> tensor<2x4x2xi32>
  return
}

// -----

func.func @matmul_integer_result_shape(%a: tensor<4x3xi8>, %b: tensor<3x2xi8>, %z: tensor<i8>) {
  // expected-error @+1 {{'llmo.matmul_integer' op result shape must be [batch..., M, N] (C1)}}
  %0 = llmo.matmul_integer %a, %b, %z, %z : (tensor<4x3xi8>, tensor<3x2xi8>, tensor<i8>, tensor<i8>) -> tensor<1x4x2xi32>
  return
}

// -----

func.func @matmul_integer_result_type(%a: tensor<4x3xi8>, %b: tensor<3x2xi8>, %z: tensor<i8>) {
  // expected-error @+1 {{'llmo.matmul_integer' op result #0 must be statically shaped tensor of 32-bit signless integer values}}
  %0 = llmo.matmul_integer %a, %b, %z, %z : (tensor<4x3xi8>, tensor<3x2xi8>, tensor<i8>, tensor<i8>) -> tensor<4x2xi64>
  return
}

// -----

//===----------------------------------------------------------------------===//
// llmo.elementwise
//===----------------------------------------------------------------------===//

func.func @elementwise_bad_broadcast(%a: tensor<4x8xf32>, %b: tensor<3xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'llmo.elementwise' op input 1 does not broadcast to the result shape (C1)}}
  %y = llmo.elementwise %a, %b : (tensor<4x8xf32>, tensor<3xf32>) -> tensor<4x8xf32> {
  ^bb0(%x: f32, %c: f32):
    %0 = arith.mulf %x, %c : f32
    llmo.yield %0 : f32
  }
  return %y : tensor<4x8xf32>
}

// -----

func.func @elementwise_wider_input(%a: tensor<2x4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'llmo.elementwise' op input 0 does not broadcast to the result shape (C1)}}
  %y = llmo.elementwise %a : (tensor<2x4x8xf32>) -> tensor<4x8xf32> {
  ^bb0(%x: f32):
    llmo.yield %x : f32
  }
  return %y : tensor<4x8xf32>
}

// -----

func.func @elementwise_arg_count(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'llmo.elementwise' op body must have one block argument per input (C1)}}
  %y = llmo.elementwise %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: f32):
    llmo.yield %x : f32
  }
  return %y : tensor<4xf32>
}

// -----

func.func @elementwise_arg_type(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'llmo.elementwise' op body arguments must be f32 scalars (C1)}}
  %y = llmo.elementwise %a : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: f16):
    %c = arith.constant 1.0 : f32
    llmo.yield %c : f32
  }
  return %y : tensor<4xf32>
}

// -----

func.func @elementwise_foreign_op(%a: tensor<4xf32>) -> tensor<4xf32> {
  %y = llmo.elementwise %a : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: f32):
    // expected-error @+1 {{'func.call' op is not allowed in an llmo.elementwise body: see the scalar ops of docs/Dialect.md 5b.3 (C1)}}
    %0 = func.call @f(%x) : (f32) -> f32
    llmo.yield %0 : f32
  }
  return %y : tensor<4xf32>
}
func.func private @f(f32) -> f32

// -----

func.func @elementwise_unlisted_math(%a: tensor<4xf32>) -> tensor<4xf32> {
  %y = llmo.elementwise %a : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: f32):
    // expected-error @+1 {{'math.atan' op is not allowed in an llmo.elementwise body: see the scalar ops of docs/Dialect.md 5b.3 (C1)}}
    %0 = math.atan %x : f32
    llmo.yield %0 : f32
  }
  return %y : tensor<4xf32>
}

// -----

func.func @elementwise_integer_body(%a: tensor<4xf32>) -> tensor<4xf32> {
  %y = llmo.elementwise %a : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: f32):
    // expected-error @+1 {{'arith.constant' op in an llmo.elementwise body must work on f32 (or i1) scalars (C1)}}
    %0 = arith.constant 1.0 : f64
    llmo.yield %x : f32
  }
  return %y : tensor<4xf32>
}

// -----

func.func @elementwise_yield_type(%a: tensor<4xf32>) -> tensor<4xf32> {
  %y = llmo.elementwise %a : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: f32):
    %0 = arith.cmpf ogt, %x, %x : f32
    // expected-error @+1 {{'llmo.yield' op operand #0 must be 32-bit float}}
    "llmo.yield"(%0) : (i1) -> ()
  }
  return %y : tensor<4xf32>
}

// -----

func.func @yield_outside(%a: f32) {
  // expected-error @+1 {{'llmo.yield' op expects parent op 'llmo.elementwise'}}
  llmo.yield %a : f32
}

// -----

func.func @qlinear_bad_activation(%x: tensor<2x4xf32>, %wi: tensor<4x3xi8>) -> tensor<2x3xf32> {
  %w = llmo.storage_cast %wi : tensor<4x3xi8> -> tensor<4x3x!quant.uniform<i8:f32, 0.1>>
  // expected-error @+1 {{'llmo.dynamic_qlinear' op activation must be none, gelu, gelu_tanh, silu or relu (C1)}}
  %y = llmo.dynamic_qlinear %x, %w {activation = "tanh"} : (tensor<2x4xf32>, tensor<4x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

func.func @qlinear_bad_residual(%q: tensor<2x4x!quant.uniform<u8:f32, 0.02:128>>, %wi: tensor<4x3xi8>, %r: tensor<3xf32>) -> tensor<2x3xf32> {
  %w = llmo.storage_cast %wi : tensor<4x3xi8> -> tensor<4x3x!quant.uniform<i8:f32, 0.1>>
  // expected-error @+1 {{'llmo.qlinear' op residual must have the result's type (C1)}}
  %y = llmo.qlinear %q, %w residual %r : (tensor<2x4x!quant.uniform<u8:f32, 0.02:128>>, tensor<4x3x!quant.uniform<i8:f32, 0.1>>, tensor<3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// Static W8A8 has no 4-bit form (W4A8 is dynamic_qlinear's).
func.func @qlinear_i4_weight(%q: tensor<2x4x!quant.uniform<i8:f32, 0.02>>, %wi: tensor<4x3xi4>) -> tensor<2x3xf32> {
  %w = llmo.storage_cast %wi : tensor<4x3xi4> -> tensor<4x3x!quant.uniform<i4:f32:1, {0.1, 0.2, 0.3}>>
  // expected-error @+1 {{'llmo.qlinear' op weight storage must be i8 (C1)}}
  %y = llmo.qlinear %q, %w : (tensor<2x4x!quant.uniform<i8:f32, 0.02>>, tensor<4x3x!quant.uniform<i4:f32:1, {0.1, 0.2, 0.3}>>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

func.func @dynamic_qlinear_u8_weight(%x: tensor<2x4xf32>, %w: tensor<4x3x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'llmo.dynamic_qlinear' op weight storage must be i8 or i4 (C1)}}
  %y = llmo.dynamic_qlinear %x, %w : (tensor<2x4xf32>, tensor<4x3x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

func.func @dynamic_qlinear_i8_groups(%x: tensor<2x4xf32>, %wi: tensor<4x2xi8>) -> tensor<2x2xf32> {
  %w = llmo.storage_cast %wi : tensor<4x2xi8> -> tensor<4x2x!quant.uniform<i8:f32:{0:2, 1:1}, {{0.1, 0.2}, {0.3, 0.4}}>>
  // expected-error @+1 {{'llmo.dynamic_qlinear' op sub-channel weights must be i4 in groups of G rows along K, one scale per group and output channel ([K/G, N]) (C1)}}
  %y = llmo.dynamic_qlinear %x, %w : (tensor<2x4xf32>, tensor<4x2x!quant.uniform<i8:f32:{0:2, 1:1}, {{0.1, 0.2}, {0.3, 0.4}}>>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// Blocks along N are not groups along K.
func.func @dynamic_qlinear_blocks_along_n(%x: tensor<2x4xf32>, %wi: tensor<4x2xi4>) -> tensor<2x2xf32> {
  %w = llmo.storage_cast %wi : tensor<4x2xi4> -> tensor<4x2x!quant.uniform<i4:f32:{0:2, 1:2}, {{0.1}, {0.3}}>>
  // expected-error @+1 {{'llmo.dynamic_qlinear' op sub-channel weights must be i4 in groups of G rows along K}}
  %y = llmo.dynamic_qlinear %x, %w : (tensor<2x4xf32>, tensor<4x2x!quant.uniform<i4:f32:{0:2, 1:2}, {{0.1}, {0.3}}>>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @dynamic_qlinear_asymmetric_groups(%x: tensor<2x4xf32>, %wi: tensor<4x2xi4>) -> tensor<2x2xf32> {
  %w = llmo.storage_cast %wi : tensor<4x2xi4> -> tensor<4x2x!quant.uniform<i4:f32:{0:2, 1:1}, {{0.1, 0.2:1}, {0.3, 0.4}}>>
  // expected-error @+1 {{'llmo.dynamic_qlinear' op weights must be symmetric (C1)}}
  %y = llmo.dynamic_qlinear %x, %w : (tensor<2x4xf32>, tensor<4x2x!quant.uniform<i4:f32:{0:2, 1:1}, {{0.1, 0.2:1}, {0.3, 0.4}}>>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

//===----------------------------------------------------------------------===//
// llmo.attention
//===----------------------------------------------------------------------===//

// -----

func.func @attention_rank(%q: tensor<4xf32>, %k: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'llmo.attention' op query, key, value and result must have one rank >= 2 (C1)}}
  %y = llmo.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// 3 key heads do not divide 4 query heads.
func.func @attention_heads_not_dividing(%q: tensor<1x4x2x8xf32>, %k: tensor<1x3x5x8xf32>, %v: tensor<1x3x5x8xf32>) -> tensor<1x4x2x8xf32> {
  // expected-error @+1 {{'llmo.attention' op key and value must share the query's batch dims, but for a head count that divides the query's (C1)}}
  %y = llmo.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<1x4x2x8xf32>, tensor<1x3x5x8xf32>, tensor<1x3x5x8xf32>) -> tensor<1x4x2x8xf32>
  return %y : tensor<1x4x2x8xf32>
}

// -----

// Grouping is over the heads (the last batch dim) only.
func.func @attention_batch_grouped(%q: tensor<4x2x2x8xf32>, %k: tensor<2x2x5x8xf32>, %v: tensor<2x2x5x8xf32>) -> tensor<4x2x2x8xf32> {
  // expected-error @+1 {{'llmo.attention' op key and value must share the query's batch dims, but for a head count that divides the query's (C1)}}
  %y = llmo.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<4x2x2x8xf32>, tensor<2x2x5x8xf32>, tensor<2x2x5x8xf32>) -> tensor<4x2x2x8xf32>
  return %y : tensor<4x2x2x8xf32>
}

// -----

// Key and value must have the same heads.
func.func @attention_value_heads(%q: tensor<1x4x2x8xf32>, %k: tensor<1x2x5x8xf32>, %v: tensor<1x4x5x8xf32>) -> tensor<1x4x2x8xf32> {
  // expected-error @+1 {{'llmo.attention' op key and value must share the query's batch dims, but for a head count that divides the query's (C1)}}
  %y = llmo.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<1x4x2x8xf32>, tensor<1x2x5x8xf32>, tensor<1x4x5x8xf32>) -> tensor<1x4x2x8xf32>
  return %y : tensor<1x4x2x8xf32>
}

// -----

func.func @attention_key_width(%q: tensor<1x4x2x8xf32>, %k: tensor<1x2x5x6xf32>, %v: tensor<1x2x5x8xf32>) -> tensor<1x4x2x8xf32> {
  // expected-error @+1 {{'llmo.attention' op key must be [..., Sk, D] and value [..., Sk, Dv] (C1)}}
  %y = llmo.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<1x4x2x8xf32>, tensor<1x2x5x6xf32>, tensor<1x2x5x8xf32>) -> tensor<1x4x2x8xf32>
  return %y : tensor<1x4x2x8xf32>
}

// -----

func.func @attention_result(%q: tensor<1x4x2x8xf32>, %k: tensor<1x2x5x8xf32>, %v: tensor<1x2x5x3xf32>) -> tensor<1x4x2x8xf32> {
  // expected-error @+1 {{'llmo.attention' op result must be [..., Sq, Dv] (C1)}}
  %y = llmo.attention %q, %k, %v {scale = 1.0 : f32} : (tensor<1x4x2x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x3xf32>) -> tensor<1x4x2x8xf32>
  return %y : tensor<1x4x2x8xf32>
}

// -----

func.func @attention_mask(%q: tensor<1x4x2x8xf32>, %k: tensor<1x2x5x8xf32>, %v: tensor<1x2x5x8xf32>, %m: tensor<1x1x1x4xf32>) -> tensor<1x4x2x8xf32> {
  // expected-error @+1 {{'llmo.attention' op mask must broadcast to [..., Sq, Sk] (C1)}}
  %y = llmo.attention %q, %k, %v mask %m {scale = 1.0 : f32} : (tensor<1x4x2x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>, tensor<1x1x1x4xf32>) -> tensor<1x4x2x8xf32>
  return %y : tensor<1x4x2x8xf32>
}
