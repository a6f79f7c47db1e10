// A small model: x -> L1 [16x32] -> gelu -> L2 [32x16] -> + x -> L3 [16x8]
// (large weights, straight to output 0) and x -> L4 [16x4] (small weights,
// output 1). group-size=8, so the candidates are w4c, w4 (= w4g8), w4g32
// (only L2 has K divisible by 32; the others fall back to per channel), w8,
// w16. Every weight fits in 2432 bytes of w16, so the byte grid of the
// knapsack is 1 byte and the plan must be the exact optimum, which
// check_bitwidth_plan.py verifies by brute force over the recorded errors.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %llmopy -c "import numpy as np; np.savez(r'%t/calib.npz', x=np.random.default_rng(0).standard_normal((6, 4, 16)).astype(np.float32))"
// DEFINE: %{opts} = data=%t/calib.npz group-size=8
// DEFINE: %{check} = %llmopy %S/Inputs/check_bitwidth_plan.py

// Default budget (0): the size of uniform W4 = w4g8 everywhere:
// L1 256 + 4*32*2, L2 256 + 4*16*4, L3 64 + 4*8*2, L4 32 + 4*4*2 = 1216.
// RUN: llmo-opt %s --llmo-assign-bitwidth="%{opts}" -o %t/default.mlir
// RUN: FileCheck %s < %t/default.mlir
// RUN: %{check} --budget 1216 %t/default.mlir | FileCheck %s --check-prefix=OPT
// RUN: llmo-opt %s --llmo-assign-bitwidth="%{opts} budget=0" | cmp - %t/default.mlir
// Deterministic.
// RUN: llmo-opt %s --llmo-assign-bitwidth="%{opts}" | cmp - %t/default.mlir
// CHECK: module attributes {llmo.bitwidth_plan = {budget = 1216 : i64, bytes = {{[0-9]+}} : i64, predicted_error = {{.*}} : f64}}
// CHECK-COUNT-4: llmo.linear {{.*}}{llmo.bitwidth = {bytes = {{[0-9]+}} : i64, errors = {w16 = {{[-+.0-9eE]+}} : f64, w4c = {{[-+.0-9eE]+}} : f64, w4g32 = {{[-+.0-9eE]+}} : f64, w4g8 = {{[-+.0-9eE]+}} : f64, w8 = {{[-+.0-9eE]+}} : f64}, format = "{{w16|w4c|w4g32|w4g8|w8}}", predicted_error = {{[-+.0-9eE]+}} : f64}, llmo.format = "{{w16|w4c|w4g32|w4g8|w8}}"}
// OPT-COUNT-4: layer
// OPT: plan: {{[0-9]+}} <= 1216 bytes; optimum over 625 plans
// OPT: PASS

// Tighter and looser budgets.
// RUN: llmo-opt %s --llmo-assign-bitwidth="%{opts} budget=1000" -o %t/b1000.mlir
// RUN: %{check} --budget 1000 %t/b1000.mlir | FileCheck %s --check-prefix=OPT1000
// OPT1000: PASS
// RUN: llmo-opt %s --llmo-assign-bitwidth="%{opts} budget=900" -o %t/b900.mlir
// RUN: %{check} --budget 900 %t/b900.mlir | FileCheck %s --check-prefix=OPT900
// OPT900: PASS
// RUN: llmo-opt %s --llmo-assign-bitwidth="%{opts} budget=1700" -o %t/b1700.mlir
// RUN: %{check} --budget 1700 %t/b1700.mlir | FileCheck %s --check-prefix=OPT1700
// OPT1700: PASS
// A budget that fits everything: each layer gets its least-error format,
// w16 (f16 rounding is far below 8-bit quantization error).
// RUN: llmo-opt %s --llmo-assign-bitwidth="%{opts} budget=100000" -o %t/generous.mlir
// RUN: %{check} --budget 100000 --argmin %t/generous.mlir | FileCheck %s --check-prefix=OPTALL
// RUN: FileCheck %s --check-prefix=GENEROUS < %t/generous.mlir
// OPTALL: plan: 2432 <= 100000 bytes
// OPTALL: PASS
// GENEROUS: module attributes {llmo.bitwidth_plan = {budget = 100000 : i64, bytes = 2432 : i64,
// GENEROUS-COUNT-4: format = "w16", predicted_error = {{.*}}, llmo.format = "w16"}
// With f32 among the candidates, f32 (error 0) wins everywhere.
// RUN: llmo-opt %s --llmo-assign-bitwidth="%{opts} budget=100000 formats=w8,f32" | FileCheck %s --check-prefix=F32
// F32: module attributes {llmo.bitwidth_plan = {budget = 100000 : i64, bytes = 4864 : i64, predicted_error = 0.000000e+00 : f64}}
// F32-COUNT-4: {llmo.bitwidth = {bytes = {{[0-9]+}} : i64, errors = {f32 = 0.000000e+00 : f64, w8 = {{.*}} : f64}, format = "f32", predicted_error = 0.000000e+00 : f64}, llmo.format = "f32"}

// Only w4 (= w4g8): the plan is uniform W4 and fills the default budget
// exactly; each layer's bytes are its w4g8 size.
// RUN: llmo-opt %s --llmo-assign-bitwidth="%{opts} formats=w4" -o %t/w4.mlir
// RUN: FileCheck %s --check-prefix=W4 < %t/w4.mlir
// RUN: %{check} --budget 1216 %t/w4.mlir | FileCheck %s --check-prefix=OPTW4
// W4: module attributes {llmo.bitwidth_plan = {budget = 1216 : i64, bytes = 1216 : i64,
// W4: {llmo.bitwidth = {bytes = 512 : i64, errors = {w4g8 = {{.*}}}, format = "w4g8", {{.*}}llmo.format = "w4g8"} : (tensor<4x16xf32>, tensor<16x32xf32>)
// W4: {llmo.bitwidth = {bytes = 512 : i64, errors = {w4g8 = {{.*}}}, format = "w4g8", {{.*}}llmo.format = "w4g8"} : (tensor<4x32xf32>, tensor<32x16xf32>)
// W4: {llmo.bitwidth = {bytes = 128 : i64, errors = {w4g8 = {{.*}}}, format = "w4g8", {{.*}}llmo.format = "w4g8"} : (tensor<4x16xf32>, tensor<16x8xf32>)
// W4: {llmo.bitwidth = {bytes = 64 : i64, errors = {w4g8 = {{.*}}}, format = "w4g8", {{.*}}llmo.format = "w4g8"} : (tensor<4x16xf32>, tensor<16x4xf32>)
// OPTW4: optimum over 1 plans
// OPTW4: PASS
// RUN: llmo-opt %s --llmo-assign-bitwidth="%{opts} formats=w4c,w8" -o %t/w4c_w8.mlir
// RUN: %{check} --budget 1216 %t/w4c_w8.mlir | FileCheck %s --check-prefix=OPTW4CW8
// OPTW4CW8: optimum over 16 plans
// OPTW4CW8: PASS

// --llmo-quantize materializes the chosen formats (whatever --mode says),
// with the same byte counts.
// RUN: llmo-opt %t/b1000.mlir --llmo-quantize=mode=w8a16 | FileCheck %s --check-prefix=QUANT
// QUANT: llmo.bitwidth = {bytes = [[B:[0-9]+]] : i64, {{.*}}, format = "[[F:[a-z0-9]+]]", predicted_error = {{[^}]*}}}, llmo.format = "[[F]]", llmo.quant = {format = "[[F]]", weight_bytes = [[B]] : i64
// QUANT: llmo.bitwidth = {bytes = [[B:[0-9]+]] : i64, {{.*}}, format = "[[F:[a-z0-9]+]]", predicted_error = {{[^}]*}}}, llmo.format = "[[F]]", llmo.quant = {format = "[[F]]", weight_bytes = [[B]] : i64
// QUANT: llmo.bitwidth = {bytes = [[B:[0-9]+]] : i64, {{.*}}, format = "[[F:[a-z0-9]+]]", predicted_error = {{[^}]*}}}, llmo.format = "[[F]]", llmo.quant = {format = "[[F]]", weight_bytes = [[B]] : i64
// QUANT: llmo.bitwidth = {bytes = [[B:[0-9]+]] : i64, {{.*}}, format = "[[F:[a-z0-9]+]]", predicted_error = {{[^}]*}}}, llmo.format = "[[F]]", llmo.quant = {format = "[[F]]", weight_bytes = [[B]] : i64

// activations=dynamic: w4/w8 candidates are measured as W4A8 / W8A8 with
// per-token dynamic int8 activations (llmo.dynamic_qlinear on the
// interpreter); the chosen w4/w8 layers get llmo.activations = "dynamic".
// check_trial_error.py rebuilds a layer's single-layer model with
// --llmo-quantize and runs it: the recorded error must be that model's
// (so a weight-only trial would fail: its errors differ, see WO-ERR).
// RUN: llmo-opt %s --llmo-assign-bitwidth="%{opts} activations=dynamic" -o %t/dyn.mlir
// RUN: FileCheck %s --check-prefix=DYN < %t/dyn.mlir
// RUN: %{check} --budget 1216 %t/dyn.mlir | FileCheck %s --check-prefix=OPT
// DEFINE: %{trial} = %llmopy %S/Inputs/check_trial_error.py --llmo-opt llmo-opt --llmo-run llmo-run --data %t/calib.npz
// RUN: %{trial} --workdir %t/t0 --layer 0 --format w4c %t/dyn.mlir %s | FileCheck %s --check-prefix=TRIAL
// RUN: %{trial} --workdir %t/t1 --layer 1 --format w4g8 %t/dyn.mlir %s | FileCheck %s --check-prefix=TRIAL
// RUN: %{trial} --workdir %t/t2 --layer 1 --format w8 %t/dyn.mlir %s | FileCheck %s --check-prefix=TRIAL
// RUN: %{trial} --workdir %t/t3 --layer 2 --format w4g32 %t/dyn.mlir %s | FileCheck %s --check-prefix=TRIAL
// RUN: %{trial} --workdir %t/t4 --layer 3 --format w16 %t/dyn.mlir %s | FileCheck %s --check-prefix=TRIAL
// The weight-only plan's errors are those of weight-only models.
// RUN: %{trial} --workdir %t/t5 --layer 1 --format w8 %t/default.mlir %s | FileCheck %s --check-prefix=TRIAL
// RUN: %{trial} --workdir %t/t6 --layer 0 --format w4c %t/default.mlir %s | FileCheck %s --check-prefix=TRIAL
// TRIAL: PASS
// The dynamic trials' errors are not the weight-only ones.
// RUN: sed 's/llmo.activations = "dynamic", //' %t/dyn.mlir > %t/dyn-wo.mlir
// RUN: not %{trial} --workdir %t/t8 --layer 1 --format w8 %t/dyn-wo.mlir %s --rtol 1e-3 | FileCheck %s --check-prefix=WO-ERR
// WO-ERR: FAIL: the recorded error is not the quantized model's
// DYN: module attributes {llmo.bitwidth_plan = {activations = "dynamic", budget = 1216 : i64,
// DYN-COUNT-4: {llmo.activations = "dynamic", llmo.bitwidth = {{.*}}llmo.format = "w{{4|8}}
// DYN: return
// w16 and f32 layers keep float activations.
// RUN: llmo-opt %s --llmo-assign-bitwidth="%{opts} activations=dynamic formats=w16,f32 budget=100000" | FileCheck %s --check-prefix=DYN-FLOAT
// DYN-FLOAT-NOT: llmo.activations
// DYN-FLOAT: llmo.format = "f32"
// DYN-FLOAT-NOT: llmo.activations
// --llmo-quantize (any mode) turns the planned w4 layers into W4A8 and w8
// layers into W8A8 dynamic, with the plan's byte counts.
// RUN: llmo-opt %t/dyn.mlir --llmo-quantize=mode=w8a16 | FileCheck %s --check-prefix=QUANT-DYN
// RUN: llmo-opt %t/dyn.mlir --llmo-quantize=mode=w4a16 | FileCheck %s --check-prefix=QUANT-DYN
// QUANT-DYN-LABEL: func.func @main
// QUANT-DYN-COUNT-4: llmo.dynamic_qlinear {{.*}}llmo.quant = {format = "{{w4a8-w4[cg0-9]+|w8a8-dynamic}}"
// QUANT-DYN-NOT: llmo.linear
// QUANT-DYN: return

// Errors.
// DEFINE: %{status} = %llmopy %S/../tools/Inputs/exit_status.py
// The smallest plan is w4c everywhere: 384 + 320 + 96 + 48 = 848 bytes.
// RUN: %{status} -- llmo-opt %s --llmo-assign-bitwidth="%{opts} budget=847" | FileCheck %s --check-prefix=ERR-FIT
// ERR-FIT: error: --llmo-assign-bitwidth: no plan fits in 847 bytes of weights
// ERR-FIT-NOT: llmo.linear
// ERR-FIT: exit status: 1
// RUN: llmo-opt %s --llmo-assign-bitwidth="%{opts} budget=848" | FileCheck %s --check-prefix=FIT848
// FIT848: bitwidth_plan = {budget = 848 : i64, bytes = 848 : i64,
// RUN: %{status} -- llmo-opt %s --llmo-assign-bitwidth="%{opts} formats=w4c,w3" | FileCheck %s --check-prefix=ERR-FORMAT
// ERR-FORMAT: error: --llmo-assign-bitwidth: unknown format 'w3' (expected w4, w4c, w4g<G>, w8, w16, f32)
// ERR-FORMAT: exit status: 1
// RUN: %{status} -- llmo-opt %s --llmo-assign-bitwidth="%{opts} formats=w4g0" | FileCheck %s --check-prefix=ERR-G0
// ERR-G0: error: --llmo-assign-bitwidth: unknown format 'w4g0' (expected w4, w4c, w4g<G>, w8, w16, f32)
// ERR-G0: exit status: 1
// RUN: %{status} -- llmo-opt %s --llmo-assign-bitwidth="%{opts} budget=-1" | FileCheck %s --check-prefix=ERR-BUDGET
// ERR-BUDGET: error: --llmo-assign-bitwidth: group-size must be positive and budget non-negative
// RUN: %{status} -- llmo-opt %s --llmo-assign-bitwidth="%{opts} group-size=0" | FileCheck %s --check-prefix=ERR-GROUP
// RUN: %{status} -- llmo-opt %s --llmo-assign-bitwidth="%{opts} activations=static" | FileCheck %s --check-prefix=ERR-ACT
// ERR-ACT: error: --llmo-assign-bitwidth: activations must be none or dynamic, not 'static'
// ERR-ACT: exit status: 1
// ERR-GROUP: error: --llmo-assign-bitwidth: group-size must be positive and budget non-negative
// Repeated formats count once (the recorded errors stay a valid dictionary).
// RUN: llmo-opt %s --llmo-assign-bitwidth="%{opts} formats=w8,w8,w4g8,w4 group-size=8 budget=100000" | llmo-opt | FileCheck %s --check-prefix=DUP
// DUP: errors = {w4g8 = {{[^,]*}}, w8 = {{[^,}]*}}}
// ERR-BUDGET: exit status: 1
// RUN: %{status} -- llmo-opt %s --llmo-assign-bitwidth | FileCheck %s --check-prefix=ERR-NODATA
// RUN: %{status} -- llmo-opt %s --llmo-assign-bitwidth=budget=5000 | FileCheck %s --check-prefix=ERR-NODATA
// ERR-NODATA: error: --llmo-assign-bitwidth needs data=CALIB.npz
// ERR-NODATA-NOT: llmo.linear
// ERR-NODATA: exit status: 1
// RUN: %{status} -- llmo-opt %s --llmo-assign-bitwidth=data=%t/missing.npz | FileCheck %s --check-prefix=ERR-NOFILE
// ERR-NOFILE: error: --llmo-assign-bitwidth: {{.*}}missing.npz: cannot open file
// ERR-NOFILE: exit status: 1
// RUN: echo 'func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> { return %x : tensor<2xf32> }' > %t/nomain.mlir
// RUN: %{status} -- llmo-opt %t/nomain.mlir --llmo-assign-bitwidth=data=%t/calib.npz | FileCheck %s --check-prefix=ERR-NOMAIN
// ERR-NOMAIN: error: --llmo-assign-bitwidth: {{(the module has )?}}no func.func @main
// ERR-NOMAIN: exit status: 1

func.func @main(%x: tensor<4x16xf32> {llmo.name = "x"}) -> (tensor<4x8xf32>, tensor<4x4xf32>) {
  %w1 = llmo.constant dense<[[0.00, 0.07, -0.07, -0.22, -0.11, -0.25, 0.02, 0.34, -0.12, -0.16, 0.12, 0.09, 0.03, -0.23, -0.01, 0.17, -0.34, -0.11, -0.48, -0.32, -0.46, -0.06, -0.32, 0.07, 0.04, -0.05, -0.63, -0.13, -0.01, 0.03, -0.38, -0.12], [-0.24, -0.20, 0.27, -0.20, -0.01, 0.22, -0.15, -0.03, 0.03, 0.02, -0.31, 0.02, 0.34, -0.39, 0.21, 0.03, -0.16, 0.50, 0.19, -0.30, 0.02, 0.14, -0.05, 0.17, -0.02, 0.17, 0.36, -0.17, 0.05, -0.12, 0.03, -0.30], [-0.14, -0.05, 0.22, 0.29, -0.33, -0.20, 0.16, -0.50, -0.12, -0.02, 0.31, 0.17, -0.08, -0.09, -0.06, 0.38, -0.11, -0.08, 0.09, -0.03, -0.05, -0.28, 0.00, -0.11, 0.29, 0.16, -0.01, 0.17, -0.08, 0.26, 0.00, 0.15], [-0.32, 0.09, -0.42, -0.51, -0.08, -0.22, 0.04, 0.56, -0.21, -0.16, 0.05, 0.12, -0.04, -0.05, 0.18, 0.13, -0.26, -0.02, 0.01, -0.26, 0.06, -0.21, 0.24, 0.05, 0.02, -0.15, -0.03, -0.50, -0.28, 0.09, -0.53, 0.21], [-0.44, 0.19, -0.21, 0.19, 0.03, -0.38, 0.31, 0.36, -0.02, -0.07, -0.04, -0.24, 0.27, -0.14, -0.01, -0.20, -0.16, -0.32, 0.31, -0.04, 0.24, 0.00, -0.17, -0.08, -0.14, 0.00, -0.09, -0.07, -0.34, -0.20, 0.41, -0.17], [-0.26, 0.08, 0.35, -0.36, -0.05, -0.16, -0.44, 0.18, -0.01, 0.02, -0.19, 0.11, -0.13, -0.04, -0.28, -0.30, 0.33, -0.13, 0.07, -0.01, -0.11, -0.13, 0.16, -0.08, -0.04, 0.01, 0.29, 0.17, 0.10, -0.14, -0.35, 0.24], [0.24, -0.04, 0.14, 0.20, 0.21, 0.23, -0.11, 0.38, -0.31, 0.22, 0.12, 0.22, 0.47, 0.37, -0.29, -0.42, 0.20, -0.25, 0.00, 0.21, -0.41, -0.53, 0.06, 0.01, -0.06, 0.01, -0.22, -0.38, -0.04, -0.24, -0.41, 0.13], [-0.02, 0.10, -0.25, -0.16, -0.25, -0.22, 0.05, -0.20, 0.09, 0.08, 0.51, -0.35, 0.22, -0.02, 0.00, -0.36, -0.12, 0.19, -0.02, 0.02, -0.07, 0.29, -0.01, -0.55, -0.17, -0.49, -0.81, -0.13, 0.33, 0.01, -0.29, -0.24], [0.28, 0.04, 0.01, -0.01, 0.01, 0.20, 0.14, 0.05, -0.26, 0.13, -0.17, 0.27, -0.32, -0.03, 0.00, -0.33, 0.43, 0.37, -0.12, 0.19, 0.09, -0.65, 0.06, -0.02, 0.02, -0.27, -0.07, -0.04, 0.30, 0.08, 0.00, 0.38], [-0.14, -0.10, -0.45, 0.39, 0.24, 0.23, 0.17, 0.03, 0.05, -0.06, -0.05, 0.01, 0.38, 0.14, -0.01, -0.14, -0.16, 0.40, 0.13, 0.02, -0.09, -0.28, -0.02, 0.22, -0.10, -0.06, -0.06, 0.03, -0.40, -0.06, -0.21, 0.22], [-0.19, 0.14, 0.38, -0.08, -0.15, 0.05, 0.00, -0.25, 0.12, 0.50, -0.06, -0.05, -0.26, 0.08, -0.31, -0.28, 0.32, -0.23, 0.27, 0.38, 0.06, 0.14, 0.49, -0.05, -0.15, -0.34, 0.01, 0.37, 0.24, -0.24, -0.21, -0.13], [0.07, -0.05, 0.05, 0.07, -0.07, -0.01, 0.05, -0.02, 0.13, 0.47, 0.15, 0.01, -0.42, 0.10, -0.49, -0.35, 0.21, 0.18, -0.04, -0.43, -0.09, -0.17, 0.16, 0.56, 0.05, -0.19, -0.29, -0.01, -0.04, -0.29, 0.03, -0.29], [0.28, 0.27, 0.27, -0.12, 0.13, -0.03, -0.10, -0.08, -0.32, -0.36, 0.20, -0.05, 0.05, 0.25, -0.43, -0.20, 0.04, 0.10, -0.09, 0.26, 0.05, -0.30, -0.23, 0.20, 0.12, -0.47, 0.34, 0.15, 0.34, -0.10, -0.07, -0.28], [0.63, -0.04, 0.40, -0.16, 0.04, -0.42, -0.10, 0.25, -0.31, 0.27, 0.08, -0.26, -0.13, -0.11, -0.01, -0.13, -0.21, -0.08, -0.26, -0.32, -0.01, 0.22, -0.38, 0.00, -0.16, -0.24, 0.21, -0.13, 0.37, -0.19, 0.10, -0.06], [-0.19, 0.15, -0.04, 0.15, -0.01, -0.27, -0.03, 0.01, 0.24, -0.23, -0.01, -0.43, 0.16, -0.27, -0.45, -0.01, 0.28, -0.38, -0.27, -0.19, -0.28, 0.09, -0.20, -0.18, 0.15, -0.19, 0.11, -0.24, -0.30, -0.46, 0.47, -0.08], [0.06, -0.01, 0.04, 0.01, 0.48, -0.26, -0.39, -0.25, -0.33, 0.19, 0.21, -0.24, -0.35, -0.09, 0.35, -0.70, 0.13, -0.27, 0.26, -0.27, -0.07, -0.38, -0.24, 0.35, 0.21, -0.10, -0.22, -0.47, -0.10, -0.01, -0.02, -0.02]]> : tensor<16x32xf32>
  %w2 = llmo.constant dense<[[-0.28, -0.02, -0.01, 0.32, 0.47, -0.03, -0.19, -0.02, -0.15, -0.19, -0.01, -0.26, 0.15, -0.03, 0.06, -0.05], [-0.18, -0.24, -0.06, -0.14, 0.06, 0.00, -0.34, 0.02, -0.34, -0.15, -0.07, -0.52, 0.02, 0.04, -0.04, -0.11], [-0.09, -0.24, -0.07, -0.14, 0.02, -0.30, 0.06, 0.04, -0.04, -0.11, 0.14, -0.42, 0.12, 0.06, 0.07, 0.10], [-0.16, -0.06, 0.16, 0.11, 0.05, -0.38, 0.13, 0.29, 0.25, 0.06, -0.39, 0.24, -0.04, -0.63, 0.09, -0.37], [-0.32, -0.16, 0.32, -0.09, 0.07, 0.44, 0.40, -0.03, -0.06, -0.32, -0.17, 0.11, 0.10, 0.03, 0.25, -0.19], [-0.01, 0.18, 0.15, 0.27, 0.10, -0.08, 0.09, -0.25, -0.41, 0.15, -0.01, 0.08, -0.42, -0.09, -0.15, -0.22], [-0.56, -0.08, 0.22, 0.10, -0.15, 0.00, 0.19, -0.69, -0.03, 0.14, 0.17, 0.43, 0.28, 0.08, 0.08, 0.20], [-0.13, -0.01, 0.23, 0.49, -0.04, -0.01, 0.05, 0.34, -0.01, 0.37, -0.24, -0.05, -0.05, 0.20, 0.26, -0.38], [-0.23, 0.08, -0.16, -0.38, 0.26, 0.12, 0.12, -0.12, 0.26, -0.06, 0.27, -0.23, -0.21, 0.05, -0.18, 0.17], [0.07, -0.23, 0.02, -0.09, 0.23, -0.16, -0.11, 0.30, 0.56, 0.50, 0.02, 0.05, 0.38, -0.03, -0.24, 0.03], [0.11, -0.21, -0.41, -0.36, 0.17, -0.19, -0.04, 0.05, 0.15, -0.08, 0.12, -0.22, -0.09, -0.26, 0.28, -0.01], [-0.18, -0.09, -0.06, 0.18, -0.40, -0.26, -0.09, 0.63, 0.24, -0.03, 0.18, 0.51, -0.06, -0.09, 0.30, 0.12], [0.17, -0.13, 0.48, 0.43, 0.14, 0.17, -0.51, 0.16, -0.05, 0.11, 0.17, -0.09, -0.42, 0.09, -0.19, -0.08], [-0.15, -0.09, -0.58, 0.30, 0.06, 0.28, 0.49, 0.01, -0.45, -0.22, -0.30, -0.13, 0.02, -0.50, 0.09, -0.38], [0.07, -0.03, -0.08, -0.02, -0.13, -0.15, -0.42, -0.01, 0.46, 0.50, 0.33, 0.18, -0.17, 0.36, -0.01, -0.02], [-0.07, 0.02, -0.11, -0.02, -0.27, -0.09, 0.57, -0.02, -0.06, 0.13, 0.18, -0.28, -0.05, 0.23, 0.07, 0.03], [0.39, -0.17, 0.02, -0.13, 0.37, -0.49, -0.17, -0.13, 0.17, 0.15, 0.35, -0.39, 0.19, -0.07, -0.17, 0.13], [-0.23, -0.52, -0.09, -0.37, -0.16, 0.09, 0.08, 0.40, -0.05, -0.38, -0.19, -0.23, -0.30, 0.11, -0.16, -0.49], [0.17, -0.03, 0.09, 0.03, 0.16, 0.01, 0.31, 0.11, 0.10, 0.10, -0.36, -0.04, -0.06, 0.05, -0.34, 0.41], [0.03, -0.30, -0.43, -0.07, -0.02, -0.18, 0.02, -0.16, 0.14, -0.18, -0.01, 0.24, 0.64, -0.25, -0.12, -0.21], [0.20, -0.29, -0.12, -0.01, -0.24, -0.24, -0.12, -0.53, -0.36, -0.10, 0.04, -0.05, -0.44, -0.12, 0.20, 0.14], [-0.02, -0.22, 0.16, -0.14, -0.29, -0.20, 0.36, 0.06, 0.29, -0.12, 0.23, -0.15, -0.04, 0.62, 0.19, -0.13], [-0.02, 0.08, 0.30, -0.12, -0.44, -0.07, 0.00, 0.03, 0.33, 0.08, 0.20, -0.28, 0.22, 0.52, 0.19, 0.06], [0.04, 0.45, -0.23, -0.03, 0.12, 0.19, -0.11, 0.08, -0.07, 0.03, -0.03, -0.29, -0.01, 0.22, -0.24, -0.06], [0.17, -0.27, 0.05, -0.27, 0.28, 0.58, 0.51, -0.05, 0.19, 0.03, 0.03, 0.39, -0.33, 0.26, -0.01, 0.35], [0.05, -0.17, 0.07, 0.18, 0.01, 0.12, -0.13, -0.53, 0.23, 0.17, 0.04, 0.02, 0.26, -0.11, -0.18, -0.05], [0.30, -0.35, 0.30, -0.16, -0.28, 0.32, -0.02, -0.33, -0.09, 0.23, 0.30, -0.11, 0.10, 0.18, -0.16, 0.09], [-0.01, -0.13, -0.12, 0.02, 0.01, -0.14, -0.11, 0.28, 0.05, 0.22, 0.30, 0.15, 0.57, -0.21, 0.20, -0.08], [0.46, 0.43, -0.49, -0.24, 0.17, 0.20, 0.18, -0.02, 0.11, 0.16, -0.02, 0.26, -0.56, 0.16, -0.26, 0.24], [-0.06, -0.22, 0.09, -0.23, -0.23, -0.39, -0.01, 0.12, 0.26, -0.04, 0.26, 0.00, -0.02, 0.14, 0.26, -0.09], [-0.06, -0.04, 0.02, -0.23, 0.26, -0.10, 0.12, -0.21, 0.09, 0.10, -0.11, 0.51, 0.09, 0.44, 0.24, -0.17], [-0.10, 0.11, 0.02, 0.01, -0.07, -0.45, -0.06, -0.55, 0.09, -0.18, -0.18, -0.05, 0.07, -0.36, -0.44, -0.27]]> : tensor<32x16xf32>
  %w3 = llmo.constant dense<[[-4.08, -1.93, 3.18, -2.11, 1.30, -2.74, 0.60, -0.64], [-0.12, 1.14, 3.51, 0.39, 0.25, -1.95, 1.17, -0.49], [1.66, -0.09, 3.48, -3.97, -0.59, 1.76, -0.70, -1.58], [-0.53, -2.76, 0.24, 4.88, 2.29, -2.22, -1.75, -0.81], [2.01, -1.64, -1.38, 1.77, 1.73, -0.75, -2.24, -3.10], [-1.40, -4.46, 1.50, -1.26, 0.96, 3.74, 2.35, -2.30], [1.74, 2.32, -1.49, -1.91, -0.22, -3.20, 2.94, -4.81], [-2.21, -0.54, -0.45, 0.33, 0.54, -0.43, 2.27, -4.28], [0.00, -1.43, 0.27, 0.44, -1.82, -1.28, 1.59, 0.70], [-1.36, 4.08, 4.62, -2.92, 0.60, 5.02, 1.57, 0.44], [-0.42, -1.08, -0.43, -1.10, 1.49, -0.80, -0.88, -2.40], [-0.10, -1.79, -0.36, 2.08, 0.73, 1.01, 0.71, 0.12], [-0.25, -0.62, 1.52, -2.17, 2.68, 0.07, -1.50, -0.98], [-1.35, 0.32, -1.44, 2.28, -1.56, -4.55, -1.46, -4.02], [-0.08, 2.12, 1.30, -2.68, -1.52, 3.56, 0.64, 0.01], [2.11, 4.91, 2.59, 0.28, 0.71, 1.23, -1.23, -2.12]]> : tensor<16x8xf32>
  %w4 = llmo.constant dense<[[0.01, -0.09, -0.01, 0.01], [0.23, -0.09, -0.01, -0.02], [0.04, 0.10, -0.05, -0.08], [-0.16, -0.09, 0.05, 0.00], [-0.10, -0.04, 0.00, 0.05], [-0.06, -0.03, -0.18, -0.12], [0.16, -0.22, -0.03, 0.02], [-0.04, -0.08, -0.01, 0.00], [-0.01, -0.19, -0.01, -0.09], [-0.05, 0.02, 0.06, 0.09], [-0.05, 0.09, 0.12, 0.11], [0.14, -0.01, -0.02, 0.08], [-0.14, 0.02, -0.05, -0.04], [-0.17, -0.09, 0.00, 0.09], [0.10, -0.01, -0.02, -0.08], [0.04, -0.02, 0.06, 0.18]]> : tensor<16x4xf32>
  %h = llmo.linear %x, %w1 : (tensor<4x16xf32>, tensor<16x32xf32>) -> tensor<4x32xf32>
  %a = llmo.gelu %h : tensor<4x32xf32>
  %m = llmo.linear %a, %w2 : (tensor<4x32xf32>, tensor<32x16xf32>) -> tensor<4x16xf32>
  %r = llmo.add %m, %x : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = llmo.linear %r, %w3 : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  %z = llmo.linear %x, %w4 : (tensor<4x16xf32>, tensor<16x4xf32>) -> tensor<4x4xf32>
  return %y, %z : tensor<4x8xf32>, tensor<4x4xf32>
}
