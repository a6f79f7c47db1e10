// RUN: llmo-opt %s -split-input-file --llmo-lower-to-cpu -verify-diagnostics | FileCheck %s

// A chain of four same-sized values: liveness lets the arena reuse two
// 64-byte slots instead of holding all three intermediates (the output is
// copied into the caller's buffer by the last call).
// CHECK-LABEL: module attributes
// CHECK-SAME: llmo.codegen = {arena_bytes = 128 : i64, arena_bytes_without_reuse = 192 : i64, kernel_calls = 4 : i64, weights_bytes = 0 : i64}
// CHECK-DAG: llvm.mlir.global private constant @llmo_desc_0(dense<[2, 0, 4]> : tensor<3xi64>)
// CHECK-DAG: llvm.mlir.global private constant @llmo_desc_3(dense<16> : tensor<1xi64>)
// CHECK: llvm.func @llmo_entry(%[[CTX:.*]]: !llvm.ptr, %[[KERNELS:.*]]: !llvm.ptr, %{{.*}}: !llvm.ptr, %[[ARENA:.*]]: !llvm.ptr, %[[IO:.*]]: !llvm.ptr)
// The unary kernel (id 3) is loaded from the table and called indirectly.
// CHECK: %[[ID:.*]] = llvm.mlir.constant(3 : i64) : i64
// CHECK-NEXT: %[[SLOT:.*]] = llvm.getelementptr %[[KERNELS]][%[[ID]]] : (!llvm.ptr, i64) -> !llvm.ptr, !llvm.ptr
// CHECK-NEXT: %[[FN:.*]] = llvm.load %[[SLOT]] : !llvm.ptr -> !llvm.ptr
// CHECK-NEXT: llvm.call %[[FN]](%[[CTX]], %{{.*}}, %{{.*}}) : !llvm.ptr, (!llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
// CHECK: llvm.return
// CHECK-NOT: func.func
func.func @main(%x: tensor<4xf32> {llmo.name = "x"}) -> tensor<4xf32> {
  %0 = llmo.exp %x : tensor<4xf32>
  %1 = llmo.neg %0 : tensor<4xf32>
  %2 = llmo.exp %1 : tensor<4xf32>
  return %2 : tensor<4xf32>
}

// -----

// llmo.elementwise becomes generated code: a function lowered from
// linalg.generic on tensors (tiled by 32 on the innermost dim and peeled,
// vectorized, bufferized in place; exp as a polynomial: no libm call, no
// stack buffer), an entry that unpacks the operand array, and a call of the
// loop kernel (id 21) with [extent 5 of the split dim 1, 40 elements per
// index] and the entry's address as operand 0. The 40 columns are one
// 32-wide vector tile and a static 8-wide remainder.
// CHECK-LABEL: module attributes
// CHECK-SAME: kernel_calls = 2 : i64
// CHECK: llvm.func internal @llmo_loop_0(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64) {
// CHECK-NOT: llvm.call
// CHECK-NOT: llvm.alloca
// CHECK: llvm.load %{{.*}} -> vector<32xf32>
// CHECK: llvm.fmul %{{.*}} : vector<32xf32>
// CHECK: llvm.intr.fma(%{{.*}}) : (vector<32xf32>, vector<32xf32>, vector<32xf32>) -> vector<32xf32>
// CHECK: llvm.store %{{.*}} : vector<32xf32>, !llvm.ptr
// CHECK: llvm.load %{{.*}} -> vector<8xf32>
// CHECK: llvm.intr.fma(%{{.*}}) : (vector<8xf32>, vector<8xf32>, vector<8xf32>) -> vector<8xf32>
// CHECK: llvm.store %{{.*}} : vector<8xf32>, !llvm.ptr
// CHECK-NOT: llvm.call
// CHECK-NOT: llvm.alloca
// CHECK: llvm.func internal @llmo_loop_0_entry(%[[OPS:.*]]: !llvm.ptr, %[[BEGIN:.*]]: i64, %[[END:.*]]: i64)
// CHECK-COUNT-3: llvm.load
// CHECK-NEXT: llvm.call @llmo_loop_0(%{{.*}}, %{{.*}}, %{{.*}}, %[[BEGIN]], %[[END]])
// CHECK-DAG: llvm.mlir.global private constant @llmo_desc_0(dense<[5, 40]> : tensor<2xi64>)
// CHECK: llvm.func @llmo_entry
// CHECK: %[[FN:.*]] = llvm.mlir.addressof @llmo_loop_0_entry : !llvm.ptr
// CHECK-NEXT: %[[SLOT0:.*]] = llvm.mlir.constant(0 : i64) : i64
// CHECK-NEXT: %[[P0:.*]] = llvm.getelementptr %{{.*}}[%[[SLOT0]]]
// CHECK-NEXT: llvm.store %[[FN]], %[[P0]]
// CHECK: llvm.mlir.constant(21 : i64) : i64
func.func @main(%x: tensor<1x5x40xf32> {llmo.name = "x"}, %b: tensor<40xf32> {llmo.name = "b"}) -> tensor<1x5x40xf32> {
  %y = llmo.elementwise %x, %b : (tensor<1x5x40xf32>, tensor<40xf32>) -> tensor<1x5x40xf32> {
  ^bb0(%a: f32, %c: f32):
    %0 = arith.mulf %a, %c : f32
    %1 = math.exp %0 : f32
    llmo.yield %1 : f32
  }
  return %y : tensor<1x5x40xf32>
}

// -----

// Linear weights are packed into the weight image (two 16-column panels of
// 3 rows, 384 bytes) and reshapes are free aliases.
// CHECK-LABEL: module attributes
// CHECK-SAME: kernel_calls = 2 : i64, weights_bytes = 384 : i64
// CHECK-DAG: @llmo_desc_0(dense<[2, 20, 3, 0, 0, 0]> : tensor<6xi64>)
func.func @main(%x: tensor<1x2x3xf32> {llmo.name = "x"}) -> tensor<2x20xf32> {
  %w = llmo.constant dense<0.5> : tensor<3x20xf32>
  %y = llmo.linear %x, %w : (tensor<1x2x3xf32>, tensor<3x20xf32>) -> tensor<1x2x20xf32>
  %r = llmo.reshape %y : tensor<1x2x20xf32> -> tensor<2x20xf32>
  return %r : tensor<2x20xf32>
}

// -----

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'llmo.cumsum' op is not supported by the CPU code generator}}
  %0 = llmo.cumsum %x {axis = 0 : i64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{CPU code generation does not support element type 'f16'}}
  %0 = llmo.cast %x : tensor<4xf32> -> tensor<4xf16>
  %1 = llmo.cast %0 : tensor<4xf16> -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// expected-error @+1 {{CPU code generation needs a func.func @main}}
module {
  func.func @other(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}
