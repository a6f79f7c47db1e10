// Every mode on the same functions. w8a8 (the default, act=static) reads
// the activation clip from llmo.calib, written by hand here (see
// llmo-calibrate.mlir for the pass that records it).
// RUN: llmo-opt %s -split-input-file --llmo-quantize | FileCheck %s --check-prefixes=CHECK,WO,W8A8
// RUN: llmo-opt %s -split-input-file --llmo-quantize="mode=w8a8 act=static" | FileCheck %s --check-prefixes=CHECK,WO,W8A8
// RUN: llmo-opt %s -split-input-file --llmo-quantize="mode=w8a8 act=dynamic" | FileCheck %s --check-prefixes=CHECK,WO,DYN
// RUN: llmo-opt %s -split-input-file --llmo-quantize=mode=w8a16 | FileCheck %s --check-prefixes=CHECK,WO,W8A16
// RUN: llmo-opt %s -split-input-file --llmo-quantize="mode=w4a16 group-size=32" | FileCheck %s --check-prefixes=CHECK,WO,W4,W4G32
// RUN: llmo-opt %s -split-input-file --llmo-quantize="mode=w4a16 group-size=64" | FileCheck %s --check-prefixes=CHECK,WO,W4,W4G64
// RUN: llmo-opt %s -split-input-file --llmo-quantize="mode=w4a16 group-size=128" | FileCheck %s --check-prefixes=CHECK,WO,W4,W4G128
// RUN: llmo-opt %s -split-input-file --llmo-quantize=mode=w4a16 | FileCheck %s --check-prefixes=CHECK,WO,W4,W4G128
// RUN: llmo-opt %s -split-input-file --llmo-quantize="mode=w4a8 group-size=32" | FileCheck %s --check-prefixes=CHECK,W4A8
// RUN: llmo-opt %s -split-input-file --llmo-quantize="mode=w4a8 group-size=32 act=static" | FileCheck %s --check-prefixes=CHECK,W4A8
// RUN: llmo-opt %s -split-input-file --llmo-quantize=mode=w16 | FileCheck %s --check-prefixes=CHECK,WO,W16
// RUN: llmo-opt %s -split-input-file --llmo-quantize=mode=none | FileCheck %s --check-prefixes=CHECK,WO,NONE
// The output is valid IR that reads back to the same text.
// RUN: llmo-opt %s -split-input-file --llmo-quantize="mode=w4a16 group-size=32" -o %t.w4.mlir
// RUN: llmo-opt %t.w4.mlir -split-input-file | llmo-opt -split-input-file -o %t.w4.round.mlir
// RUN: llmo-opt %t.w4.mlir -split-input-file -o %t.w4.once.mlir
// RUN: cmp %t.w4.once.mlir %t.w4.round.mlir
// Deterministic.
// RUN: llmo-opt %s -split-input-file --llmo-quantize="mode=w4a16 group-size=32" -o %t.w4.again.mlir
// RUN: cmp %t.w4.mlir %t.w4.again.mlir
// RUN: llmo-opt %s -split-input-file --llmo-quantize -o %t.w8a8.mlir
// RUN: llmo-opt %s -split-input-file --llmo-quantize -o %t.w8a8.again.mlir
// RUN: cmp %t.w8a8.mlir %t.w8a8.again.mlir

// Errors on ops: see Inputs/quantize-errors.mlir.
// RUN: llmo-opt %S/Inputs/quantize-errors.mlir -split-input-file --llmo-quantize -verify-diagnostics
// Errors on options.
// RUN: not llmo-opt %s -split-input-file --llmo-quantize=mode=w8 2>&1 | FileCheck %s --check-prefix=ERR-MODE
// RUN: not llmo-opt %s -split-input-file --llmo-quantize=mode=W8A8 2>&1 | FileCheck %s --check-prefix=ERR-MODE
// ERR-MODE: error: --llmo-quantize: unknown mode '{{w8|W8A8}}' (expected w8a8, w8a16, w4a16, w4a8, w16 or none)
// RUN: not llmo-opt %s -split-input-file --llmo-quantize="mode=w8a8 act=none" 2>&1 | FileCheck %s --check-prefix=ERR-ACT
// ERR-ACT: error: --llmo-quantize: act must be static or dynamic, not 'none'
// RUN: not llmo-opt %s -split-input-file --llmo-quantize="mode=w4a16 group-size=0" 2>&1 | FileCheck %s --check-prefix=ERR-GROUP
// RUN: not llmo-opt %s -split-input-file --llmo-quantize="mode=w4a16 group-size=-32" 2>&1 | FileCheck %s --check-prefix=ERR-GROUP
// ERR-GROUP: error: --llmo-quantize: group-size must be positive

//===----------------------------------------------------------------------===//
// A hand-checkable weight
//===----------------------------------------------------------------------===//

// W = [[1.0, -0.5], [0.25, 2.0]] ([K=2, N=2]). Per output channel (column)
// |max| = [1, 2]:
//   i8: scales [1/127, 2/127]; 0.25 * 127 = 31.75 -> 32,
//       -0.5 * 127 / 2 = -31.75 -> -32: [[127, -32], [32, 127]];
//   i4: scales [1/7, 2/7]; 0.25 * 7 = 1.75 -> 2, -0.5 * 7 / 2 = -1.75 -> -2:
//       [[7, -2], [2, 7]]; K = 2 is not a multiple of any group size: one
//       group per channel, per-axis type, recorded as w4c.
// The activation scale is input_clip / 127 = 4 / 127. weight_bytes: i8
// 4 + 4 * 2 scales = 12, i4 4 / 2 + 8 = 10, f16 8. weight_sqnr_db:
// 10 log10(|W|^2 / |W - deq(W)|^2), 200 when exact.
// CHECK-LABEL: func.func @tiny(
// CHECK-SAME: %[[X:.*]]: tensor<2x2xf32>)
// CHECK-DAG: %[[W:.*]] = llmo.constant dense<{{\[\[}}1.000000e+00, -5.000000e-01], [2.500000e-01, 2.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[B:.*]] = llmo.constant dense<[5.000000e-01, -1.000000e+00]> : tensor<2xf32>

// W8A8: %[[WI:.*]] = llmo.constant dense<{{\[\[}}127, -32], [32, 127]]> : tensor<2x2xi8>
// W8A8-NEXT: %[[WQ:.*]] = llmo.storage_cast %[[WI]] : tensor<2x2xi8> -> tensor<2x2x!quant.uniform<i8<-127:127>:f32:1, {0.0078740157186985015,0.015748031437397003}>>
// W8A8-NEXT: %[[XQ:.*]] = llmo.quantize %[[X]] : tensor<2x2xf32> -> tensor<2x2x!quant.uniform<i8<-127:127>:f32, 0.031496062992125984>>
// W8A8-NEXT: %[[Y:.*]] = llmo.qlinear %[[XQ]], %[[WQ]], %[[B]] {llmo.calib = {input_clip = 4.000000e+00 : f32}, llmo.quant = {format = "w8a8-static", weight_bytes = 12 : i64, weight_sqnr_db = 54.38056777465{{[0-9]*}} : f64}} : (tensor<2x2x!quant.uniform<i8<-127:127>:f32, 0.031496062992125984>>, tensor<2x2x!quant.uniform<i8<-127:127>:f32:1, {0.0078740157186985015,0.015748031437397003}>>, tensor<2xf32>) -> tensor<2x2xf32>
// W8A8-NEXT: return %[[Y]]

// DYN: %[[WI:.*]] = llmo.constant dense<{{\[\[}}127, -32], [32, 127]]> : tensor<2x2xi8>
// DYN-NEXT: %[[WQ:.*]] = llmo.storage_cast %[[WI]] : tensor<2x2xi8> -> tensor<2x2x!quant.uniform<i8<-127:127>:f32:1, {0.0078740157186985015,0.015748031437397003}>>
// DYN-NEXT: %[[Y:.*]] = llmo.dynamic_qlinear %[[X]], %[[WQ]], %[[B]] {llmo.calib = {input_clip = 4.000000e+00 : f32}, llmo.quant = {format = "w8a8-dynamic", weight_bytes = 12 : i64, weight_sqnr_db = 54.38056777465{{[0-9]*}} : f64}} : (tensor<2x2xf32>, tensor<2x2x!quant.uniform<i8<-127:127>:f32:1, {0.0078740157186985015,0.015748031437397003}>>, tensor<2xf32>) -> tensor<2x2xf32>
// DYN-NEXT: return %[[Y]]

// W8A16: %[[WI:.*]] = llmo.constant dense<{{\[\[}}127, -32], [32, 127]]> : tensor<2x2xi8>
// W8A16-NEXT: %[[WQ:.*]] = llmo.storage_cast %[[WI]] : tensor<2x2xi8> -> tensor<2x2x!quant.uniform<i8<-127:127>:f32:1, {0.0078740157186985015,0.015748031437397003}>>
// W8A16-NEXT: %[[WD:.*]] = llmo.dequantize %[[WQ]] : tensor<2x2x!quant.uniform<i8<-127:127>:f32:1, {0.0078740157186985015,0.015748031437397003}>> -> tensor<2x2xf32>
// W8A16-NEXT: %[[Y:.*]] = llmo.linear %[[X]], %[[WD]], %[[B]] {llmo.calib = {input_clip = 4.000000e+00 : f32}, llmo.quant = {format = "w8", weight_bytes = 12 : i64, weight_sqnr_db = 54.38056777465{{[0-9]*}} : f64}} : (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
// W8A16-NEXT: return %[[Y]]

// W4: %[[WI:.*]] = llmo.constant dense<{{\[\[}}7, -2], [2, 7]]> : tensor<2x2xi4>
// W4-NEXT: %[[WQ:.*]] = llmo.storage_cast %[[WI]] : tensor<2x2xi4> -> tensor<2x2x!quant.uniform<i4:f32:1, {0.1428571492433548,0.28571429848670959}>>
// W4-NEXT: %[[WD:.*]] = llmo.dequantize %[[WQ]] : tensor<2x2x!quant.uniform<i4:f32:1, {0.1428571492433548,0.28571429848670959}>> -> tensor<2x2xf32>
// W4-NEXT: %[[Y:.*]] = llmo.linear %[[X]], %[[WD]], %[[B]] {llmo.calib = {input_clip = 4.000000e+00 : f32}, llmo.quant = {format = "w4c", weight_bytes = 10 : i64, weight_sqnr_db = 29.20644690775{{[0-9]*}} : f64}} : (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
// W4-NEXT: return %[[Y]]

// W4A8 (act does not apply: always dynamic): the W4 weight, per channel
// here (K = 2), under llmo.dynamic_qlinear.
// W4A8: %[[WI:.*]] = llmo.constant dense<{{\[\[}}7, -2], [2, 7]]> : tensor<2x2xi4>
// W4A8-NEXT: %[[WQ:.*]] = llmo.storage_cast %[[WI]] : tensor<2x2xi4> -> tensor<2x2x!quant.uniform<i4:f32:1, {0.1428571492433548,0.28571429848670959}>>
// W4A8-NEXT: %[[Y:.*]] = llmo.dynamic_qlinear %[[X]], %[[WQ]], %[[B]] {llmo.calib = {input_clip = 4.000000e+00 : f32}, llmo.quant = {format = "w4a8-w4c", weight_bytes = 10 : i64, weight_sqnr_db = 29.20644690775{{[0-9]*}} : f64}} : (tensor<2x2xf32>, tensor<2x2x!quant.uniform<i4:f32:1, {0.1428571492433548,0.28571429848670959}>>, tensor<2xf32>) -> tensor<2x2xf32>
// W4A8-NEXT: return %[[Y]]

// W16: %[[WH:.*]] = llmo.constant dense<{{\[\[}}1.000000e+00, -5.000000e-01], [2.500000e-01, 2.000000e+00]]> : tensor<2x2xf16>
// W16-NEXT: %[[WC:.*]] = llmo.cast %[[WH]] : tensor<2x2xf16> -> tensor<2x2xf32>
// W16-NEXT: %[[Y:.*]] = llmo.linear %[[X]], %[[WC]], %[[B]] {llmo.calib = {input_clip = 4.000000e+00 : f32}, llmo.quant = {format = "w16", weight_bytes = 8 : i64, weight_sqnr_db = 2.000000e+02 : f64}} : (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
// W16-NEXT: return %[[Y]]

// mode=none: unchanged.
// NONE: %[[Y:.*]] = llmo.linear %[[X]], %[[W]], %[[B]] {llmo.calib = {input_clip = 4.000000e+00 : f32}} : (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
// NONE-NEXT: return %[[Y]]
func.func @tiny(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = llmo.constant dense<[[1.0, -0.5], [0.25, 2.0]]> : tensor<2x2xf32>
  %b = llmo.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %y = llmo.linear %x, %w, %b {llmo.calib = {input_clip = 4.0 : f32}} : (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// Rounding ties round half to even, like llmo.quantize: with |max| 127
// (254) the scale is exactly 1 (2), so W / scale is exactly
// [2.5, 3.5, -2.5, 0.5, -0.5, 1.5] -> [2, 4, -2, 0, 0, 2] (half away from
// zero would give [3, 4, -3, 1, -1, 2]).
// CHECK-LABEL: func.func @ties_i8(
// W8A8: llmo.constant dense<{{\[\[}}127, -127], [2, 2], [4, 4], [-2, -2], [0, 0], [0, 0], [2, 2]]> : tensor<7x2xi8>
// W8A8-NEXT: llmo.storage_cast %{{.*}} : tensor<7x2xi8> -> tensor<7x2x!quant.uniform<i8<-127:127>:f32:1, {1.000000e+00,2.000000e+00}>>
// W8A16: llmo.constant dense<{{\[\[}}127, -127], [2, 2], [4, 4], [-2, -2], [0, 0], [0, 0], [2, 2]]> : tensor<7x2xi8>
// W8A16-NEXT: llmo.storage_cast %{{.*}} : tensor<7x2xi8> -> tensor<7x2x!quant.uniform<i8<-127:127>:f32:1, {1.000000e+00,2.000000e+00}>>
func.func @ties_i8(%x: tensor<1x7xf32>) -> tensor<1x2xf32> {
  %w = llmo.constant dense<[[127.0, -254.0], [2.5, 5.0], [3.5, 7.0], [-2.5, -5.0], [0.5, 1.0], [-0.5, -1.0], [1.5, 3.0]]> : tensor<7x2xf32>
  %y = llmo.linear %x, %w {llmo.calib = {input_clip = 1.0 : f32}} : (tensor<1x7xf32>, tensor<7x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// The same for i4: |max| 7 gives scale 1.
// CHECK-LABEL: func.func @ties_i4(
// W4: llmo.constant dense<{{\[\[}}7], [2], [4], [-2], [0], [0], [-7]]> : tensor<7x1xi4>
// W4-NEXT: llmo.storage_cast %{{.*}} : tensor<7x1xi4> -> tensor<7x1x!quant.uniform<i4:f32:1, {1.000000e+00}>>
func.func @ties_i4(%x: tensor<1x7xf32>) -> tensor<1x1xf32> {
  %w = llmo.constant dense<[[7.0], [2.5], [3.5], [-2.5], [0.5], [-0.5], [-7.0]]> : tensor<7x1xf32>
  %y = llmo.linear %x, %w {llmo.calib = {input_clip = 1.0 : f32}} : (tensor<1x7xf32>, tensor<7x1xf32>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}

// -----

// Group-wise i4 on K = 128: W[k] = [(k + 1) / 128, -(k + 1) / 64].
// group-size 32: 4 groups, group g has |max| [(g + 1) / 4, (g + 1) / 2],
// scales [(g + 1) / 28, (g + 1) / 14], sub-channel type {0:32, 1:1};
// row k of group 0 is rne((k + 1) * 28 / 128) = 0, 0, 1, 1, 1, 1, 2, ...
// (the storage is a resource blob, one byte per i4 element).
// group-size 64: 2 groups, scales [(g + 1) / 14, (g + 1) / 7]; rows
// 0, 0, 0, 0, 1, ...
// group-size 128 = K: one group per channel, i.e. per-axis on dim 1, still
// recorded as w4g128.
// weight_bytes = 256 / 2 + 4 * 2 * groups. The SQNR grows as the groups
// shrink.
// CHECK-LABEL: func.func @groups_k128(
// W4G32: %[[WI:.*]] = llmo.constant dense_resource<[[BLOB:[a-z_0-9]+]]> : tensor<128x2xi4>
// W4G32-NEXT: %[[WQ:.*]] = llmo.storage_cast %[[WI]] : tensor<128x2xi4> -> tensor<128x2x!quant.uniform<i4:f32:{0:32, 1:1}, {{\{\{}}0.0357142873, 0.0714285746}, {0.0714285746, 0.142857149}, {0.107142858, 0.214285716}, {0.142857149, 0.285714298}}>>
// W4G32-NEXT: %[[WD:.*]] = llmo.dequantize %[[WQ]] : tensor<128x2x!quant.uniform<i4:f32:{0:32, 1:1}, {{.*}}>> -> tensor<128x2xf32>
// W4G32-NEXT: llmo.linear %{{.*}}, %[[WD]] {llmo.calib = {input_clip = 1.000000e+00 : f32}, llmo.quant = {format = "w4g32", weight_bytes = 160 : i64, weight_sqnr_db = 26.2032297064{{[0-9]*}} : f64}}
// W4A8: llmo.storage_cast %{{.*}} : tensor<128x2xi4> -> tensor<128x2x!quant.uniform<i4:f32:{0:32, 1:1}, {{\{\{}}0.0357142873, 0.0714285746}, {0.0714285746, 0.142857149}, {0.107142858, 0.214285716}, {0.142857149, 0.285714298}}>>
// W4A8-NEXT: llmo.dynamic_qlinear %{{.*}}, %{{.*}} {llmo.calib = {input_clip = 1.000000e+00 : f32}, llmo.quant = {format = "w4a8-w4g32", weight_bytes = 160 : i64, weight_sqnr_db = 26.2032297064{{[0-9]*}} : f64}}
// W4G32: [[BLOB]]: "0x{{[0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F]}}0000000001FF01FF01FF01FF02FE02FE02FE02FE02FE03FD
// W4G64: %[[WI:.*]] = llmo.constant dense_resource<[[BLOB:[a-z_0-9]+]]> : tensor<128x2xi4>
// W4G64-NEXT: %[[WQ:.*]] = llmo.storage_cast %[[WI]] : tensor<128x2xi4> -> tensor<128x2x!quant.uniform<i4:f32:{0:64, 1:1}, {{\{\{}}0.0714285746, 0.142857149}, {0.142857149, 0.285714298}}>>
// W4G64-NEXT: %[[WD:.*]] = llmo.dequantize %[[WQ]]
// W4G64-NEXT: llmo.linear %{{.*}}, %[[WD]] {llmo.calib = {input_clip = 1.000000e+00 : f32}, llmo.quant = {format = "w4g64", weight_bytes = 144 : i64, weight_sqnr_db = 25.0958284908{{[0-9]*}} : f64}}
// W4G64: [[BLOB]]: "0x{{[0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F]}}000000000000000001FF01FF01FF01FF01FF01FF01FF01FF
// W4G128: %[[WI:.*]] = llmo.constant dense_resource<[[BLOB:[a-z_0-9]+]]> : tensor<128x2xi4>
// W4G128-NEXT: %[[WQ:.*]] = llmo.storage_cast %[[WI]] : tensor<128x2xi4> -> tensor<128x2x!quant.uniform<i4:f32:1, {0.1428571492433548,0.28571429848670959}>>
// W4G128-NEXT: %[[WD:.*]] = llmo.dequantize %[[WQ]]
// W4G128-NEXT: llmo.linear %{{.*}}, %[[WD]] {llmo.calib = {input_clip = 1.000000e+00 : f32}, llmo.quant = {format = "w4g128", weight_bytes = 136 : i64, weight_sqnr_db = 22.9727595954{{[0-9]*}} : f64}}
// W4G128: [[BLOB]]: "0x{{[0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F]}}00000000000000000000000000000000000001FF01FF01FF
func.func @groups_k128(%x: tensor<3x128xf32>) -> tensor<3x2xf32> {
  %w = llmo.constant dense<[[0.0078125, -0.015625], [0.015625, -0.03125], [0.0234375, -0.046875], [0.03125, -0.0625], [0.0390625, -0.078125], [0.046875, -0.09375], [0.0546875, -0.109375], [0.0625, -0.125], [0.0703125, -0.140625], [0.078125, -0.15625], [0.0859375, -0.171875], [0.09375, -0.1875], [0.1015625, -0.203125], [0.109375, -0.21875], [0.1171875, -0.234375], [0.125, -0.25], [0.1328125, -0.265625], [0.140625, -0.28125], [0.1484375, -0.296875], [0.15625, -0.3125], [0.1640625, -0.328125], [0.171875, -0.34375], [0.1796875, -0.359375], [0.1875, -0.375], [0.1953125, -0.390625], [0.203125, -0.40625], [0.2109375, -0.421875], [0.21875, -0.4375], [0.2265625, -0.453125], [0.234375, -0.46875], [0.2421875, -0.484375], [0.25, -0.5], [0.2578125, -0.515625], [0.265625, -0.53125], [0.2734375, -0.546875], [0.28125, -0.5625], [0.2890625, -0.578125], [0.296875, -0.59375], [0.3046875, -0.609375], [0.3125, -0.625], [0.3203125, -0.640625], [0.328125, -0.65625], [0.3359375, -0.671875], [0.34375, -0.6875], [0.3515625, -0.703125], [0.359375, -0.71875], [0.3671875, -0.734375], [0.375, -0.75], [0.3828125, -0.765625], [0.390625, -0.78125], [0.3984375, -0.796875], [0.40625, -0.8125], [0.4140625, -0.828125], [0.421875, -0.84375], [0.4296875, -0.859375], [0.4375, -0.875], [0.4453125, -0.890625], [0.453125, -0.90625], [0.4609375, -0.921875], [0.46875, -0.9375], [0.4765625, -0.953125], [0.484375, -0.96875], [0.4921875, -0.984375], [0.5, -1.0], [0.5078125, -1.015625], [0.515625, -1.03125], [0.5234375, -1.046875], [0.53125, -1.0625], [0.5390625, -1.078125], [0.546875, -1.09375], [0.5546875, -1.109375], [0.5625, -1.125], [0.5703125, -1.140625], [0.578125, -1.15625], [0.5859375, -1.171875], [0.59375, -1.1875], [0.6015625, -1.203125], [0.609375, -1.21875], [0.6171875, -1.234375], [0.625, -1.25], [0.6328125, -1.265625], [0.640625, -1.28125], [0.6484375, -1.296875], [0.65625, -1.3125], [0.6640625, -1.328125], [0.671875, -1.34375], [0.6796875, -1.359375], [0.6875, -1.375], [0.6953125, -1.390625], [0.703125, -1.40625], [0.7109375, -1.421875], [0.71875, -1.4375], [0.7265625, -1.453125], [0.734375, -1.46875], [0.7421875, -1.484375], [0.75, -1.5], [0.7578125, -1.515625], [0.765625, -1.53125], [0.7734375, -1.546875], [0.78125, -1.5625], [0.7890625, -1.578125], [0.796875, -1.59375], [0.8046875, -1.609375], [0.8125, -1.625], [0.8203125, -1.640625], [0.828125, -1.65625], [0.8359375, -1.671875], [0.84375, -1.6875], [0.8515625, -1.703125], [0.859375, -1.71875], [0.8671875, -1.734375], [0.875, -1.75], [0.8828125, -1.765625], [0.890625, -1.78125], [0.8984375, -1.796875], [0.90625, -1.8125], [0.9140625, -1.828125], [0.921875, -1.84375], [0.9296875, -1.859375], [0.9375, -1.875], [0.9453125, -1.890625], [0.953125, -1.90625], [0.9609375, -1.921875], [0.96875, -1.9375], [0.9765625, -1.953125], [0.984375, -1.96875], [0.9921875, -1.984375], [1.0, -2.0]]> : tensor<128x2xf32>
  %y = llmo.linear %x, %w {llmo.calib = {input_clip = 1.0 : f32}} : (tensor<3x128xf32>, tensor<128x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// K = 96: a multiple of 32 (3 groups), not of 64 or 128 (one group per
// channel, recorded as w4c: 96 * 2 / 2 + 4 * 2 = 104 bytes).
// CHECK-LABEL: func.func @groups_k96(
// W4G32: llmo.storage_cast %{{.*}} : tensor<96x2xi4> -> tensor<96x2x!quant.uniform<i4:f32:{0:32, 1:1}, {{\{\{}}0.0714285746, 0.0714285746}, {0.0714285746, 0.0714285746}, {0.0714285746, 0.0714285746}}>>
// W4G32: llmo.quant = {format = "w4g32", weight_bytes = 120 : i64, weight_sqnr_db = 2.000000e+02 : f64}
// W4G64: llmo.storage_cast %{{.*}} : tensor<96x2xi4> -> tensor<96x2x!quant.uniform<i4:f32:1, {0.071428574621677399,0.071428574621677399}>>
// W4G64: llmo.quant = {format = "w4c", weight_bytes = 104 : i64, weight_sqnr_db = 2.000000e+02 : f64}
// W4G128: llmo.storage_cast %{{.*}} : tensor<96x2xi4> -> tensor<96x2x!quant.uniform<i4:f32:1, {0.071428574621677399,0.071428574621677399}>>
// W4G128: llmo.quant = {format = "w4c", weight_bytes = 104 : i64, weight_sqnr_db = 2.000000e+02 : f64}
func.func @groups_k96(%x: tensor<3x96xf32>) -> tensor<3x2xf32> {
  %w = llmo.constant dense<0.5> : tensor<96x2xf32>
  %y = llmo.linear %x, %w {llmo.calib = {input_clip = 1.0 : f32}} : (tensor<3x96xf32>, tensor<96x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// f16 rounding: 0.1 is not an f16 (0.0999755859375), 3.0 is:
// SQNR = 10 log10(9.01 / 2.44140625e-5^2) = 101.79 dB.
// CHECK-LABEL: func.func @w16_rounding(
// W16: llmo.constant dense<{{\[\[}}9.997550e-02], [3.000000e+00]]> : tensor<2x1xf16>
// W16: llmo.quant = {format = "w16", weight_bytes = 4 : i64, weight_sqnr_db = 101.7939167{{[0-9]*}} : f64}
func.func @w16_rounding(%x: tensor<1x2xf32>) -> tensor<1x1xf32> {
  %w = llmo.constant dense<[[0.1], [3.0]]> : tensor<2x1xf32>
  %y = llmo.linear %x, %w {llmo.calib = {input_clip = 1.0 : f32}} : (tensor<1x2xf32>, tensor<2x1xf32>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}

// -----

// llmo.format (from --llmo-assign-bitwidth) overrides the mode per layer,
// also under mode=none; activations are quantized only for w8 layers under
// mode=w8a8 (each with its own input_clip), and only for w4 layers under
// mode=w4a8 (dynamic). The other attributes stay.
// CHECK-LABEL: func.func @per_layer_format(
// CHECK-SAME: %[[X:.*]]: tensor<2x2xf32>)
// CHECK: %[[W:.*]] = llmo.constant dense<{{\[\[}}1.000000e+00, -5.000000e-01], [2.500000e-01, 2.000000e+00]]> : tensor<2x2xf32>
// f32: left alone, no llmo.quant.
// CHECK-NEXT: %[[A:.*]] = llmo.linear %[[X]], %[[W]] {llmo.calib = {input_clip = 4.000000e+00 : f32}, llmo.format = "f32"} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
// w16
// CHECK-NEXT: %[[WH:.*]] = llmo.constant dense<{{\[\[}}1.000000e+00, -5.000000e-01], [2.500000e-01, 2.000000e+00]]> : tensor<2x2xf16>
// CHECK-NEXT: %[[WC:.*]] = llmo.cast %[[WH]] : tensor<2x2xf16> -> tensor<2x2xf32>
// CHECK-NEXT: %[[B:.*]] = llmo.linear %[[A]], %[[WC]] {llmo.format = "w16", llmo.quant = {format = "w16", weight_bytes = 8 : i64, weight_sqnr_db = 2.000000e+02 : f64}}
// w4g32 on K = 2: per channel.
// CHECK-NEXT: %[[W4:.*]] = llmo.constant dense<{{\[\[}}7, -2], [2, 7]]> : tensor<2x2xi4>
// CHECK-NEXT: %[[W4Q:.*]] = llmo.storage_cast %[[W4]]
// WO-NEXT: %[[W4D:.*]] = llmo.dequantize %[[W4Q]]
// WO-NEXT: %[[C:.*]] = llmo.linear %[[B]], %[[W4D]] {llmo.format = "w4g32", llmo.quant = {format = "w4c", weight_bytes = 10 : i64,
// W4A8-NEXT: %[[C:.*]] = llmo.dynamic_qlinear %[[B]], %[[W4Q]] {llmo.format = "w4g32", llmo.quant = {format = "w4a8-w4c", weight_bytes = 10 : i64,
// w4c
// CHECK-NEXT: %[[W4C:.*]] = llmo.constant dense<{{\[\[}}7, -2], [2, 7]]> : tensor<2x2xi4>
// CHECK-NEXT: %[[W4CQ:.*]] = llmo.storage_cast %[[W4C]] : tensor<2x2xi4> -> tensor<2x2x!quant.uniform<i4:f32:1, {0.1428571492433548,0.28571429848670959}>>
// WO-NEXT: %[[W4CD:.*]] = llmo.dequantize %[[W4CQ]]
// WO-NEXT: %[[D:.*]] = llmo.linear %[[C]], %[[W4CD]] {llmo.format = "w4c", llmo.quant = {format = "w4c", weight_bytes = 10 : i64,
// W4A8-NEXT: %[[D:.*]] = llmo.dynamic_qlinear %[[C]], %[[W4CQ]] {llmo.format = "w4c", llmo.quant = {format = "w4a8-w4c", weight_bytes = 10 : i64,
// w8: W8A8 with the layer's clip (2 / 127), else dequantize + linear.
// CHECK-NEXT: %[[W8:.*]] = llmo.constant dense<{{\[\[}}127, -32], [32, 127]]> : tensor<2x2xi8>
// CHECK-NEXT: %[[W8Q:.*]] = llmo.storage_cast %[[W8]]
// W8A8-NEXT: %[[DQ:.*]] = llmo.quantize %[[D]] : tensor<2x2xf32> -> tensor<2x2x!quant.uniform<i8<-127:127>:f32, 0.015748031496062992>>
// W8A8-NEXT: %[[E:.*]] = llmo.qlinear %[[DQ]], %[[W8Q]] {llmo.calib = {input_clip = 2.000000e+00 : f32}, llmo.format = "w8", llmo.quant = {format = "w8a8-static",
// DYN-NEXT: %[[E:.*]] = llmo.dynamic_qlinear %[[D]], %[[W8Q]] {llmo.calib = {input_clip = 2.000000e+00 : f32}, llmo.format = "w8", llmo.quant = {format = "w8a8-dynamic",
// W8A16-NEXT: %[[W8D:.*]] = llmo.dequantize %[[W8Q]]
// W8A16-NEXT: %[[E:.*]] = llmo.linear %[[D]], %[[W8D]] {llmo.calib = {input_clip = 2.000000e+00 : f32}, llmo.format = "w8", llmo.quant = {format = "w8",
// W4A8-NEXT: %[[W8D:.*]] = llmo.dequantize %[[W8Q]]
// W4A8-NEXT: %[[E:.*]] = llmo.linear %[[D]], %[[W8D]] {llmo.calib = {input_clip = 2.000000e+00 : f32}, llmo.format = "w8", llmo.quant = {format = "w8",
// NONE-NEXT: %[[W8D:.*]] = llmo.dequantize %[[W8Q]]
// NONE-NEXT: %[[E:.*]] = llmo.linear %[[D]], %[[W8D]] {llmo.calib = {input_clip = 2.000000e+00 : f32}, llmo.format = "w8", llmo.quant = {format = "w8",
// No llmo.format: the mode.
// W8A8: llmo.quantize %[[E]] : tensor<2x2xf32> -> tensor<2x2x!quant.uniform<i8<-127:127>:f32, 0.0078740157480314959>>
// W8A8-NEXT: llmo.qlinear {{.*}} {llmo.calib = {input_clip = 1.000000e+00 : f32}, llmo.quant = {format = "w8a8-static",
// NONE-NEXT: llmo.linear %[[E]], %[[W]] {llmo.calib = {input_clip = 1.000000e+00 : f32}} :
func.func @per_layer_format(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = llmo.constant dense<[[1.0, -0.5], [0.25, 2.0]]> : tensor<2x2xf32>
  %a = llmo.linear %x, %w {llmo.calib = {input_clip = 4.0 : f32}, llmo.format = "f32"} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %b = llmo.linear %a, %w {llmo.format = "w16"} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %c = llmo.linear %b, %w {llmo.format = "w4g32"} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %d = llmo.linear %c, %w {llmo.format = "w4c"} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %e = llmo.linear %d, %w {llmo.calib = {input_clip = 2.0 : f32}, llmo.format = "w8"} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %f = llmo.linear %e, %w {llmo.calib = {input_clip = 1.0 : f32}} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %f : tensor<2x2xf32>
}

// -----

// Not rewritten: a linear whose weight is not a constant, one with an f16
// constant weight, and matmuls.
// CHECK-LABEL: func.func @not_rewritten(
// CHECK-SAME: %[[X:[^:]*]]: tensor<2x2xf32>, %[[WA:[^:]*]]: tensor<2x2xf32>, %[[XH:[^:]*]]: tensor<2x2xf16>)
// CHECK-NEXT: %[[Y:.*]] = llmo.linear %[[X]], %[[WA]] : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
// CHECK-NEXT: %[[WH:.*]] = llmo.constant dense<{{.*}}> : tensor<2x2xf16>
// CHECK-NEXT: %[[YH:.*]] = llmo.linear %[[XH]], %[[WH]] : (tensor<2x2xf16>, tensor<2x2xf16>) -> tensor<2x2xf16>
// CHECK-NEXT: %[[Z:.*]] = llmo.matmul %[[X]], %[[Y]] : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
// CHECK-NEXT: return %[[Z]], %[[YH]]
func.func @not_rewritten(%x: tensor<2x2xf32>, %wa: tensor<2x2xf32>, %xh: tensor<2x2xf16>) -> (tensor<2x2xf32>, tensor<2x2xf16>) {
  %y = llmo.linear %x, %wa : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %wh = llmo.constant dense<[[1.0, -0.5], [0.25, 2.0]]> : tensor<2x2xf16>
  %yh = llmo.linear %xh, %wh : (tensor<2x2xf16>, tensor<2x2xf16>) -> tensor<2x2xf16>
  %z = llmo.matmul %x, %y : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %z, %yh : tensor<2x2xf32>, tensor<2x2xf16>
}

// -----

// A rank-3 input; per-channel weight clipping ratios from --llmo-outliers
// scale the channel's range: column 0 gets |max| 0.5 * 1.0, scale
// 0.5 / 127, so 1.0 saturates to 127 and 0.125 -> 31.75 -> 32. An
// input_clip of 0 gives activation scale 1 (not 0).
// CHECK-LABEL: func.func @rank3_weight_clip(
// W8A8: llmo.constant dense<{{\[\[}}127, -32], [32, 127]]> : tensor<2x2xi8>
// W8A8-NEXT: llmo.storage_cast %{{.*}} : tensor<2x2xi8> -> tensor<2x2x!quant.uniform<i8<-127:127>:f32:1, {0.0039370078593492508,0.015748031437397003}>>
// W8A8-NEXT: llmo.quantize %{{.*}} : tensor<2x3x2xf32> -> tensor<2x3x2x!quant.uniform<i8<-127:127>:f32, 1.000000e+00>>
// W8A8-NEXT: llmo.qlinear {{.*}} {llmo.calib = {input_clip = 0.000000e+00 : f32}, llmo.outliers = {weight_clip = dense<[5.000000e-01, 1.000000e+00]> : tensor<2xf32>}, llmo.quant = {format = "w8a8-static", weight_bytes = 12 : i64, weight_sqnr_db = 13.23{{[0-9]*}} : f64}} : (tensor<2x3x2x!quant.uniform<i8<-127:127>:f32, 1.000000e+00>>, tensor<2x2x!quant.uniform<i8<-127:127>:f32:1, {0.0039370078593492508,0.015748031437397003}>>) -> tensor<2x3x2xf32>
// W8A16: llmo.constant dense<{{\[\[}}127, -32], [32, 127]]> : tensor<2x2xi8>
// W8A16: llmo.linear {{.*}} -> tensor<2x3x2xf32>
func.func @rank3_weight_clip(%x: tensor<2x3x2xf32>) -> tensor<2x3x2xf32> {
  %w = llmo.constant dense<[[1.0, -0.5], [0.125, 2.0]]> : tensor<2x2xf32>
  %y = llmo.linear %x, %w {llmo.calib = {input_clip = 0.0 : f32}, llmo.outliers = {weight_clip = dense<[0.5, 1.0]> : tensor<2xf32>}} : (tensor<2x3x2xf32>, tensor<2x2xf32>) -> tensor<2x3x2xf32>
  return %y : tensor<2x3x2xf32>
}
