// percentile=nan is rejected like any value outside (0, 100].

// RUN: %llmopy -c "import numpy as np; np.savez(r'%t.npz', input0=np.ones((2, 1, 2), np.float32))"
// RUN: not llmo-opt %s --llmo-calibrate="data=%t.npz method=percentile percentile=nan" 2>&1 | FileCheck %s
// CHECK: error: --llmo-calibrate: percentile must be in (0, 100]

func.func @main(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = llmo.constant dense<1.0> : tensor<2x2xf32>
  %y = llmo.linear %x, %w : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
