// llmo values are statically shaped tensors (docs/Dialect.md 1.1): dynamic
// dims are rejected by the op type constraints.
// RUN: llmo-opt %s -split-input-file -verify-diagnostics

func.func @dynamic_add(%a: tensor<?x4xf32>) {
  // expected-error @+1 {{'llmo.add' op}}
  %0 = llmo.add %a, %a : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @dynamic_reshape(%a: tensor<?x4xf32>) {
  // expected-error @+1 {{'llmo.reshape' op}}
  %0 = llmo.reshape %a : tensor<?x4xf32> -> tensor<4x?xf32>
  return
}

// -----

func.func @dynamic_matmul(%a: tensor<?x4xf32>, %b: tensor<4x?xf32>) {
  // expected-error @+1 {{'llmo.matmul' op}}
  %0 = llmo.matmul %a, %b : (tensor<?x4xf32>, tensor<4x?xf32>) -> tensor<?x?xf32>
  return
}
