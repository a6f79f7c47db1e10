#!/usr/bin/env python3
"""Write the small llmo modules of test/codegen/cpu-kernels.test into DIR.

Weights are random (numpy seed 0) and embedded as dense_resource blobs, so
every column and row of a GEMM is distinct. Usage: make_modules.py DIR
"""
import os
import sys

import numpy as np

rng = np.random.default_rng(0)


def blob(name, array):
    data = np.ascontiguousarray(array).tobytes()
    # A resource blob starts with its alignment as a little-endian u32.
    align = max(array.dtype.itemsize, 1)
    return f'      {name}: "0x{align:02X}000000{data.hex().upper()}"'


def module(body, blobs):
    text = body + "\n{-#\n  dialect_resources: {\n    builtin: {\n"
    text += ",\n".join(blob(n, a) for n, a in blobs)
    return text + "\n    }\n  }\n#-}\n"


def scales(rows, cols):
    s = rng.uniform(0.02, 0.1, size=(rows, cols))
    return "{" + ",".join("{" + ",".join(f"{v:.6f}" for v in r) + "}"
                          for r in s) + "}"


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)

    with open(os.path.join(out, "attention.mlir"), "w") as f:
        f.write("""func.func @main(%q: tensor<2x3x7x5xf32> {llmo.name = "q"}, %k: tensor<2x3x9x5xf32> {llmo.name = "k"}, %v: tensor<2x3x9x6xf32> {llmo.name = "v"}, %mask: tensor<2x1x7x9xf32> {llmo.name = "mask"}) -> tensor<2x3x7x6xf32> {
  %y = llmo.attention %q, %k, %v mask %mask {scale = 0.45 : f32} : (tensor<2x3x7x5xf32>, tensor<2x3x9x5xf32>, tensor<2x3x9x6xf32>, tensor<2x1x7x9xf32>) -> tensor<2x3x7x6xf32>
  return %y : tensor<2x3x7x6xf32>
}
""")

    # Grouped-query attention: 6 query heads on 2 key/value heads, one query
    # row (decode: K scored as stored) and 13 (K^T shared by the group).
    with open(os.path.join(out, "attention_gqa.mlir"), "w") as f:
        f.write("""func.func @main(%q1: tensor<2x6x1x5xf32> {llmo.name = "q1"}, %q: tensor<2x6x13x5xf32> {llmo.name = "q"}, %k: tensor<2x2x9x5xf32> {llmo.name = "k"}, %v: tensor<2x2x9x6xf32> {llmo.name = "v"}, %mask: tensor<2x1x13x9xf32> {llmo.name = "mask"}) -> (tensor<2x6x1x6xf32>, tensor<2x6x13x6xf32>) {
  %y1 = llmo.attention %q1, %k, %v {scale = 0.45 : f32} : (tensor<2x6x1x5xf32>, tensor<2x2x9x5xf32>, tensor<2x2x9x6xf32>) -> tensor<2x6x1x6xf32>
  %y = llmo.attention %q, %k, %v mask %mask {scale = 0.45 : f32} : (tensor<2x6x13x5xf32>, tensor<2x2x9x5xf32>, tensor<2x2x9x6xf32>, tensor<2x1x13x9xf32>) -> tensor<2x6x13x6xf32>
  return %y1, %y : tensor<2x6x1x6xf32>, tensor<2x6x13x6xf32>
}
""")

    # K = 300 (two K blocks, three W4 groups of 100), N = 17 (a partial panel),
    # M = 7 (a partial row tile); the last output is a GEMV (M = 1).
    w = rng.standard_normal((300, 17)).astype(np.float32) * 0.1
    q4 = rng.integers(-8, 8, size=(300, 17)).astype(np.int8)
    q8 = rng.integers(-128, 128, size=(300, 17)).astype(np.int8)
    t4 = f"!quant.uniform<i4:f32:{{0:100, 1:1}}, {scales(3, 17)}>"
    axis = ",".join(f"{v:.6f}" for v in rng.uniform(0.001, 0.01, 17))
    t8 = f"!quant.uniform<i8:f32:1, {{{axis}}}>"
    with open(os.path.join(out, "linears.mlir"), "w") as f:
        f.write(module(f"""func.func @main(%x: tensor<7x300xf32> {{llmo.name = "x"}}, %r: tensor<7x17xf32> {{llmo.name = "r"}}) -> (tensor<7x17xf32>, tensor<7x17xf32>, tensor<7x17xf32>, tensor<7x17xf32>, tensor<1x17xf32>, tensor<7x17xf32>) {{
  %w = llmo.constant dense_resource<w> : tensor<300x17xf32>
  %b = llmo.constant dense<0.5> : tensor<17xf32>
  %0 = llmo.linear %x, %w, %b : (tensor<7x300xf32>, tensor<300x17xf32>, tensor<17xf32>) -> tensor<7x17xf32>
  %1 = llmo.fused_linear %x, %w bias %b residual %r {{activation = "gelu"}} : (tensor<7x300xf32>, tensor<300x17xf32>, tensor<17xf32>, tensor<7x17xf32>) -> tensor<7x17xf32>
  %2 = llmo.fused_linear %x, %w {{activation = "silu"}} : (tensor<7x300xf32>, tensor<300x17xf32>) -> tensor<7x17xf32>
  %q = llmo.constant dense_resource<q4> : tensor<300x17xi4>
  %qs = llmo.storage_cast %q : tensor<300x17xi4> -> tensor<300x17x{t4}>
  %qw = llmo.dequantize %qs : tensor<300x17x{t4}> -> tensor<300x17xf32>
  %3 = llmo.fused_linear %x, %qw bias %b residual %r {{activation = "gelu_tanh"}} : (tensor<7x300xf32>, tensor<300x17xf32>, tensor<17xf32>, tensor<7x17xf32>) -> tensor<7x17xf32>
  %x1 = llmo.slice %x {{starts = array<i64: 2, 0>, steps = array<i64: 1, 1>}} : tensor<7x300xf32> -> tensor<1x300xf32>
  %4 = llmo.linear %x1, %qw : (tensor<1x300xf32>, tensor<300x17xf32>) -> tensor<1x17xf32>
  %p = llmo.constant dense_resource<q8> : tensor<300x17xi8>
  %ps = llmo.storage_cast %p : tensor<300x17xi8> -> tensor<300x17x{t8}>
  %pw = llmo.dequantize %ps : tensor<300x17x{t8}> -> tensor<300x17xf32>
  %5 = llmo.fused_linear %x, %pw {{activation = "relu"}} : (tensor<7x300xf32>, tensor<300x17xf32>) -> tensor<7x17xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<7x17xf32>, tensor<7x17xf32>, tensor<7x17xf32>, tensor<7x17xf32>, tensor<1x17xf32>, tensor<7x17xf32>
}}
""", [("w", w), ("q4", q4), ("q8", q8)]))

    # Data movement, elementwise, normalization, reductions.
    gamma = rng.standard_normal(6).astype(np.float32)
    with open(os.path.join(out, "data.mlir"), "w") as f:
        f.write(module("""func.func @main(%x: tensor<2x5x6xf32> {llmo.name = "x"}, %ids: tensor<3x2xi64> {llmo.name = "ids"}, %c: tensor<2x5x6xi1> {llmo.name = "c"}) -> (tensor<2x6x5xf32>, tensor<2x5x6xf32>, tensor<2x3x2x6xf32>, tensor<2x5x6xf32>, tensor<2x5x1xf32>, tensor<2x2x6xf32>, tensor<2x7x6xf32>, tensor<2x5x6xi32>) {
  %g = llmo.constant dense_resource<gamma> : tensor<6xf32>
  %0 = llmo.transpose %x {perm = array<i64: 0, 2, 1>} : tensor<2x5x6xf32> -> tensor<2x6x5xf32>
  %ln = llmo.layer_norm %x, %g, %g {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x5x6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x5x6xf32>
  %rms = llmo.rms_norm %ln, %g {axis = 2 : i64, epsilon = 1.0e-6 : f32} : (tensor<2x5x6xf32>, tensor<6xf32>) -> tensor<2x5x6xf32>
  %sm = llmo.softmax %rms {axis = 1 : i64} : tensor<2x5x6xf32>
  %e = llmo.exp %sm : tensor<2x5x6xf32>
  %z = llmo.constant dense<-1.0> : tensor<f32>
  %1 = llmo.where %c, %e, %z : (tensor<2x5x6xi1>, tensor<2x5x6xf32>, tensor<f32>) -> tensor<2x5x6xf32>
  %2 = llmo.gather %x, %ids {axis = 1 : i64} : (tensor<2x5x6xf32>, tensor<3x2xi64>) -> tensor<2x3x2x6xf32>
  %m = llmo.reduce_mean %x {axes = array<i64: 2>, keepdims = true} : tensor<2x5x6xf32> -> tensor<2x5x1xf32>
  %3 = llmo.sub %x, %m : (tensor<2x5x6xf32>, tensor<2x5x1xf32>) -> tensor<2x5x6xf32>
  %4 = llmo.reduce_max %x {axes = array<i64: 2>, keepdims = true} : tensor<2x5x6xf32> -> tensor<2x5x1xf32>
  %5 = llmo.slice %x {starts = array<i64: 0, 4, 0>, steps = array<i64: 1, -2, 1>} : tensor<2x5x6xf32> -> tensor<2x2x6xf32>
  %6 = llmo.concat %x, %5 {axis = 1 : i64} : (tensor<2x5x6xf32>, tensor<2x2x6xf32>) -> tensor<2x7x6xf32>
  %s = llmo.constant dense<3.0> : tensor<f32>
  %sc = llmo.mul %x, %s : (tensor<2x5x6xf32>, tensor<f32>) -> tensor<2x5x6xf32>
  %7 = llmo.cast %sc : tensor<2x5x6xf32> -> tensor<2x5x6xi32>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<2x6x5xf32>, tensor<2x5x6xf32>, tensor<2x3x2x6xf32>, tensor<2x5x6xf32>, tensor<2x5x1xf32>, tensor<2x2x6xf32>, tensor<2x7x6xf32>, tensor<2x5x6xi32>
}
""", [("gamma", gamma)]))

    # W8A8: static (u8 input with a zero point) and dynamic per-token, plus
    # activation quantize/dequantize and dynamic_quantize.
    wq = rng.integers(-127, 128, size=(19, 11)).astype(np.int8)
    sw = ",".join(f"{v:.6f}" for v in rng.uniform(0.001, 0.02, 11))
    tw = f"!quant.uniform<i8<-127:127>:f32:1, {{{sw}}}>"
    tx = "!quant.uniform<u8:f32, 0.02:131>"
    with open(os.path.join(out, "quant.mlir"), "w") as f:
        f.write(module(f"""func.func @main(%x: tensor<5x19xf32> {{llmo.name = "x"}}) -> (tensor<5x11xf32>, tensor<5x11xf32>, tensor<5x19xf32>, tensor<5x19xui8>, tensor<5x11xf32>, tensor<5x19xf32>) {{
  %w = llmo.constant dense_resource<wq> : tensor<19x11xi8>
  %ws = llmo.storage_cast %w : tensor<19x11xi8> -> tensor<19x11x{tw}>
  %b = llmo.constant dense<0.25> : tensor<11xf32>
  %qx = llmo.quantize %x : tensor<5x19xf32> -> tensor<5x19x{tx}>
  %0 = llmo.qlinear %qx, %ws, %b : (tensor<5x19x{tx}>, tensor<19x11x{tw}>, tensor<11xf32>) -> tensor<5x11xf32>
  %1 = llmo.dynamic_qlinear %x, %ws : (tensor<5x19xf32>, tensor<19x11x{tw}>) -> tensor<5x11xf32>
  %2 = llmo.dequantize %qx : tensor<5x19x{tx}> -> tensor<5x19xf32>
  %3, %s, %z = llmo.dynamic_quantize %x : tensor<5x19xf32> -> tensor<5x19xui8>, tensor<f32>, tensor<ui8>
  // Norm + quantize (one fused kernel in the compiled code).
  %g = llmo.constant dense_resource<gamma> : tensor<19xf32>
  %ln = llmo.layer_norm %x, %g, %g {{axis = 1 : i64, epsilon = 1.0e-5 : f32}} : (tensor<5x19xf32>, tensor<19xf32>, tensor<19xf32>) -> tensor<5x19xf32>
  %qln = llmo.quantize %ln : tensor<5x19xf32> -> tensor<5x19x{tx}>
  %4 = llmo.qlinear %qln, %ws, %b : (tensor<5x19x{tx}>, tensor<19x11x{tw}>, tensor<11xf32>) -> tensor<5x11xf32>
  %rms = llmo.rms_norm %x, %g {{axis = 1 : i64, epsilon = 1.0e-6 : f32}} : (tensor<5x19xf32>, tensor<19xf32>) -> tensor<5x19xf32>
  %qrms = llmo.quantize %rms : tensor<5x19xf32> -> tensor<5x19x!quant.uniform<i8:f32, 0.03:-3>>
  %5 = llmo.dequantize %qrms : tensor<5x19x!quant.uniform<i8:f32, 0.03:-3>> -> tensor<5x19xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<5x11xf32>, tensor<5x11xf32>, tensor<5x19xf32>, tensor<5x19xui8>, tensor<5x11xf32>, tensor<5x19xf32>
}}
""", [("wq", wq), ("gamma", rng.uniform(0.5, 1.5, 19).astype(np.float32))]))

    # Generated loops (llmo.elementwise): every approximated math function,
    # every broadcast form (full, trailing, leading, scalar), a split dim
    # behind a unit batch dim with an odd extent (401 x 90 elements: more than
    # one chunk of the loop kernel, so threads split it), a rank-0 result, 1-D
    # results (the split dim is the vector dim: chunks end in a scalar
    # remainder), and a chain of plain ops that --llmo-fuse turns into one.
    with open(os.path.join(out, "loops.mlir"), "w") as f:
        f.write("""func.func @main(%x: tensor<3x37xf32> {llmo.name = "x"}, %b: tensor<37xf32> {llmo.name = "b"}, %c: tensor<3x1xf32> {llmo.name = "c"}, %s1: tensor<1xf32> {llmo.name = "s"}, %big: tensor<1x401x2x45xf32> {llmo.name = "big"}, %row: tensor<1x1x2x45xf32> {llmo.name = "row"}) -> (tensor<3x37xf32>, tensor<3x37xf32>, tensor<1x401x2x45xf32>, tensor<f32>, tensor<36090xf32>, tensor<37xf32>) {
  %s = llmo.reshape %s1 : tensor<1xf32> -> tensor<f32>
  %0 = llmo.elementwise %x, %b, %c, %s : (tensor<3x37xf32>, tensor<37xf32>, tensor<3x1xf32>, tensor<f32>) -> tensor<3x37xf32> {
  ^bb0(%a0: f32, %a1: f32, %a2: f32, %a3: f32):
    %one = arith.constant 1.0 : f32
    %e = math.exp %a0 : f32
    %t = math.tanh %a1 : f32
    %r = math.erf %a2 : f32
    %ab = math.absf %a0 : f32
    %ab1 = arith.addf %ab, %one : f32
    %l = math.log %ab1 : f32
    %sq = math.sqrt %ab1 : f32
    %sn = math.sin %a0 : f32
    %cs = math.cos %a1 : f32
    %fl = math.floor %a2 : f32
    %mx = arith.maximumf %a0, %a1 : f32
    %mn = arith.minimumf %a1, %a2 : f32
    %gt = arith.cmpf ogt, %a0, %a1 : f32
    %sel = arith.select %gt, %e, %t : f32
    %t1 = arith.addf %sel, %r : f32
    %s2 = arith.subf %t1, %l : f32
    %s3 = arith.addf %s2, %sq : f32
    %s4 = arith.addf %s3, %sn : f32
    %s5 = arith.addf %s4, %cs : f32
    %s6 = arith.addf %s5, %fl : f32
    %s7 = arith.addf %s6, %mx : f32
    %s8 = arith.addf %s7, %mn : f32
    %d = arith.divf %s8, %ab1 : f32
    %y = arith.mulf %d, %a3 : f32
    llmo.yield %y : f32
  }
  %1 = llmo.mul %x, %b : (tensor<3x37xf32>, tensor<37xf32>) -> tensor<3x37xf32>
  %2 = llmo.add %1, %c : (tensor<3x37xf32>, tensor<3x1xf32>) -> tensor<3x37xf32>
  %3 = llmo.gelu %2 {approximate = "tanh"} : tensor<3x37xf32>
  %4 = llmo.sigmoid %3 : tensor<3x37xf32>
  %5 = llmo.mul %4, %x : (tensor<3x37xf32>, tensor<3x37xf32>) -> tensor<3x37xf32>
  %6 = llmo.silu %big : tensor<1x401x2x45xf32>
  %7 = llmo.mul %6, %row : (tensor<1x401x2x45xf32>, tensor<1x1x2x45xf32>) -> tensor<1x401x2x45xf32>
  %8 = llmo.gelu %7 : tensor<1x401x2x45xf32>
  %9 = llmo.elementwise %s : (tensor<f32>) -> tensor<f32> {
  ^bb0(%a: f32):
    %e = math.exp %a : f32
    llmo.yield %e : f32
  }
  %bf = llmo.reshape %big : tensor<1x401x2x45xf32> -> tensor<36090xf32>
  %10 = llmo.elementwise %bf : (tensor<36090xf32>) -> tensor<36090xf32> {
  ^bb0(%a: f32):
    %t = math.tanh %a : f32
    %y = arith.mulf %t, %a : f32
    llmo.yield %y : f32
  }
  %11 = llmo.elementwise %b : (tensor<37xf32>) -> tensor<37xf32> {
  ^bb0(%a: f32):
    %e = math.exp %a : f32
    llmo.yield %e : f32
  }
  return %0, %5, %8, %9, %10, %11 : tensor<3x37xf32>, tensor<3x37xf32>, tensor<1x401x2x45xf32>, tensor<f32>, tensor<36090xf32>, tensor<37xf32>
}
""")

    # The int8 linears with fused epilogues (compiled with --llmo-fuse):
    # dynamic -> SiLU, static -> GELU (tanh) + residual, odd shapes.
    wq2 = rng.integers(-127, 128, size=(37, 37)).astype(np.int8)
    sw2 = ",".join(f"{v:.6f}" for v in rng.uniform(0.001, 0.01, 37))
    tw2 = f"!quant.uniform<i8<-127:127>:f32:1, {{{sw2}}}>"
    tx2 = "!quant.uniform<u8:f32, 0.01:120>"
    with open(os.path.join(out, "int8epilogue.mlir"), "w") as f:
        f.write(module(f"""func.func @main(%x: tensor<7x37xf32> {{llmo.name = "x"}}) -> tensor<7x37xf32> {{
  %w = llmo.constant dense_resource<wq2> : tensor<37x37xi8>
  %ws = llmo.storage_cast %w : tensor<37x37xi8> -> tensor<37x37x{tw2}>
  %b = llmo.constant dense<0.125> : tensor<37xf32>
  %h = llmo.dynamic_qlinear %x, %ws, %b : (tensor<7x37xf32>, tensor<37x37x{tw2}>, tensor<37xf32>) -> tensor<7x37xf32>
  %s = llmo.silu %h : tensor<7x37xf32>
  %q = llmo.quantize %s : tensor<7x37xf32> -> tensor<7x37x{tx2}>
  %y = llmo.qlinear %q, %ws : (tensor<7x37x{tx2}>, tensor<37x37x{tw2}>) -> tensor<7x37xf32>
  %g = llmo.gelu %y {{approximate = "tanh"}} : tensor<7x37xf32>
  %r = llmo.add %x, %g : (tensor<7x37xf32>, tensor<7x37xf32>) -> tensor<7x37xf32>
  return %r : tensor<7x37xf32>
}}
""", [("wq2", wq2)]))


if __name__ == "__main__":
    main()
