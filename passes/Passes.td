//===- Passes.td - llmo passes -----------------------------*- tablegen -*-===//
//
// Every llmo pass is declared here, with its options; each pass lives in its
// own file named after it and has a test in test/passes/<flag>.mlir.
//
//===----------------------------------------------------------------------===//

#ifndef LLMO_PASSES
#define LLMO_PASSES

include "mlir/Pass/PassBase.td"

def RaiseComposites : Pass<"llmo-raise-composites", "mlir::func::FuncOp"> {
  let summary = "Raise decomposed LayerNorm, RMSNorm, GELU, SiLU and linear "
                "bias subgraphs";
  let description = [{
    Exporters at older opsets (and RMSNorm and GELU at every opset) emit
    these as chains of elementwise ops and reductions. This pass matches
    the chains that PyTorch and Hugging Face exporters produce and replaces
    each with one `llmo.layer_norm`, `llmo.rms_norm`, `llmo.gelu` or
    `llmo.silu`, so that later passes see one op per concept (SmoothQuant
    folds into norm scales; fusion sees one activation). A chain is only
    raised when its constants match (1/sqrt(2), 0.5, exponent 2, epsilon
    read from the graph) and norm scale/bias are constants over the last
    axis. Intermediate values with other users keep their original ops.
    A constant bias added to a bias-less `llmo.linear` is folded into it.
  }];
  let dependentDialects = ["::llmo::LlmoDialect"];
}

def Calibrate : Pass<"llmo-calibrate", "mlir::ModuleOp"> {
  let summary = "Record activation and weight statistics from calibration data";
  let description = [{
    Runs @main on the reference interpreter over every sample of `data` (an
    .npz whose arrays are named after the model inputs, each
    [samples, *input shape]) and records on every `llmo.linear` and
    `llmo.matmul` an `llmo.calib` dictionary:

    - linear: `input_absmax` (per input channel K), `input_min`,
      `input_max`, `input_clip` (per-tensor clipping range chosen by
      `method`), `weight_absmax` (per output channel, constant weights);
    - matmul: `lhs_clip`, `rhs_clip` (per tensor).

    Methods: `minmax` (clip = abs-max), `percentile` (the `percentile`-th
    percentile of |x|), `mse` (the clip minimizing the int8 symmetric
    quantization MSE over a 2048-bin histogram of |x|). The module gets
    `llmo.calibration = {method, samples, percentile}`. Deterministic: the
    same data gives the same IR.
  }];
  let options = [
    Option<"dataPath", "data", "std::string", "\"\"",
           "Calibration .npz (arrays named after the model inputs)">,
    Option<"method", "method", "std::string", "\"minmax\"",
           "Clipping method: minmax, percentile or mse">,
    Option<"percentile", "percentile", "double", "99.99",
           "Percentile of |x| for method=percentile">,
    Option<"maxSamples", "max-samples", "unsigned", "0",
           "Use at most this many samples (0: all)">,
  ];
  let dependentDialects = ["::llmo::LlmoDialect"];
}

def Quantize : Pass<"llmo-quantize", "mlir::ModuleOp"> {
  let summary = "Materialize quantized formats on linears";
  let description = [{
    Rewrites every `llmo.linear` with a constant f32 weight [K, N] into its
    quantized form. The format is the layer's `llmo.format` attribute (set
    by --llmo-assign-bitwidth) when present, else `mode`:

    - `w8a8`: weights symmetric i8 per output channel (narrow range
      [-127, 127]); activations per-tensor static (`act=static`, scale
      input_clip / 127 from --llmo-calibrate) giving `llmo.quantize` +
      `llmo.qlinear`, or per-token dynamic (`act=dynamic`) giving
      `llmo.dynamic_qlinear`.
    - `w8a16` (`w8`): i8 per-channel weights, float activations:
      `llmo.linear(x, dequantize(storage_cast(i8 constant)))`.
    - `w4a16` (`w4g<G>`): i4 weights in groups of `group-size` rows of K
      per output channel (sub-channel type {0:G, 1:1}), float activations.
      K not divisible by the group size falls back to one group per
      channel (recorded as `w4c`).
    - `w4a8` (`w4g<G>` weights): the w4a16 weights with per-token dynamic
      int8 activations, giving `llmo.dynamic_qlinear` with an i4 weight
      (`act` does not apply: W4A8 is always dynamic). Layers that the
      bit-width plan gives another format keep it (w8 stays W8A16, as it
      does under w4a16). Group sizes that are not a multiple of 4 cannot be
      compiled for the CPU (its kernel reads K in quads).
    - `w4c`: i4 weights, one scale per output channel.
    - `w16`: f16 weights cast to f32.
    - `f32`: left as is.

    A layer whose `llmo.activations` attribute is `"dynamic"` (set by
    --llmo-assign-bitwidth activations=dynamic) gets per-token dynamic int8
    activations if its format is w8 (W8A8 dynamic, whatever `act` says) or
    w4 (W4A8), whatever the mode; other formats ignore it. Any other value
    is an error naming the layer.

    Per-channel weight clipping ratios from --llmo-outliers
    (`llmo.outliers.weight_clip`) are applied. Every rewritten op gets
    `llmo.quant = {format, weight_bytes, weight_sqnr_db}`.
  }];
  let options = [
    Option<"mode", "mode", "std::string", "\"w8a8\"",
           "Default format: w8a8, w8a16, w4a16, w4a8, w16 or none">,
    Option<"act", "act", "std::string", "\"static\"",
           "Activation quantization for w8a8: static or dynamic">,
    Option<"groupSize", "group-size", "int64_t", "128",
           "Group size along K for w4a16 (32, 64, 128, ...)">,
  ];
  let dependentDialects = ["::llmo::LlmoDialect", "::mlir::quant::QuantDialect"];
}

def SmoothQuant : Pass<"llmo-smoothquant", "mlir::ModuleOp"> {
  let summary = "Migrate activation outliers into weights (SmoothQuant)";
  let description = [{
    For every group of linears that share one input produced by a
    `llmo.layer_norm` or `llmo.rms_norm` (Q/K/V; gate/up; an FFN's first
    linear), with calibration statistics (`llmo.calib`, from
    --llmo-calibrate), computes per input channel j

        s_j = max|X_j|^alpha / max|W_j|^(1 - alpha)

    (max|W_j| over all the group's weights' row j), multiplies the weights'
    rows by s and divides the norm's scale and bias by s. When the norm's
    output has other users (a residual, as in post-norm BERT), an
    `llmo.mul` by 1/s is inserted in front of the group instead, which the
    code generators fuse with the quantization of the activation. In float
    the model is unchanged.

    `alpha` is a number in [0, 1] or `auto`: per group, the alpha in
    {0, 0.1, ..., 1} minimizing that group's W8A8 output error (per-tensor
    activation, per-channel weight quantization) on up to 256 rows of its
    calibration inputs (needs `data`). Each linear records
    `llmo.smooth = {alpha, scales}`; its `llmo.calib` input statistics are
    divided by s (the clip keeps its ratio to the abs-max).
  }];
  let options = [
    Option<"alpha", "alpha", "std::string", "\"0.5\"",
           "Migration strength in [0, 1], or auto">,
    Option<"dataPath", "data", "std::string", "\"\"",
           "Calibration .npz, needed by alpha=auto">,
    Option<"maxSamples", "max-samples", "unsigned", "0",
           "Use at most this many samples for alpha=auto (0: all)">,
  ];
  let dependentDialects = ["::llmo::LlmoDialect"];
}

def EliminatePruned : Pass<"llmo-eliminate-pruned", "mlir::ModuleOp"> {
  let summary = "Physically remove pruned FFN neurons and attention heads";
  let description = [{
    Finds FFN neurons that cannot contribute to the output and removes them
    from the weights, shrinking the intermediate shapes:

    - `linear(act(linear(x, W1, b1)), W2, b2)` with act one of gelu, relu,
      silu (all 0 at 0): neuron f is dead when row f of W2 is zero, or when
      column f of W1 and b1[f] are zero;
    - SwiGLU `linear(mul(silu(linear(x, Wg)), linear(x, Wu)), W2)`: dead
      when row f of W2 is zero, or column f of Wg or of Wu (and its bias)
      is zero.

    - attention heads: a head whose rows of the output projection are all
      zero is removed from the Q/K/V projections (their columns and
      biases), every attention op's head dim (reshapes, transposes, score
      and context matmuls, scaling, masking, softmax) and the output
      projection's rows. Handled when Q, K and V are separate linears
      whose heads reach the output projection through those ops only (MHA
      as BERT exports it); fused QKV (GPT-2's c_attn + split), grouped-
      query attention and rotary embeddings are not rewritten yet.

    Intermediate values must have no other users. Outputs are unchanged
    (exactly: the removed terms were zeros). The down linear records
    `llmo.pruned = {neurons, params}`, the output projection
    `llmo.pruned_heads = {heads, params}`; the module records the total
    `llmo.pruning = {params_removed}`. Hidden channels are not handled.
  }];
  let dependentDialects = ["::llmo::LlmoDialect"];
}

def AssignBitwidth : Pass<"llmo-assign-bitwidth", "mlir::ModuleOp"> {
  let summary = "Choose a weight format per layer under a memory budget";
  let description = [{
    Measures each linear's sensitivity: the model's output error (relative
    squared error of all outputs, summed over the calibration samples) when
    only that layer's weight is quantized to each candidate format. Then
    chooses one format per layer minimizing the total predicted error under
    the weight-memory budget by dynamic programming over the multiple-choice
    knapsack: exact when the weights total at most 4096 bytes; larger
    models use a grid of 4096 byte steps (sizes rounded up), and the plan
    is checked in real bytes, so the budget always holds. Sets `llmo.format` on each linear
    (read by --llmo-quantize) and records
    `llmo.bitwidth = {format, predicted_error, bytes, errors}`; the module
    gets `llmo.bitwidth_plan = {budget, bytes, predicted_error}` (and
    `activations = "dynamic"` when planned so).

    `budget` is in bytes; 0 means the size of uniform W4 (group-size), so
    the plan shows what mixing formats gains at W4's memory: cheaper
    per-channel i4 on insensitive layers pays for w8/w4g32 on sensitive
    ones.

    `activations=dynamic` plans for int8 activations as well: a w4 or w8
    candidate is measured as the op --llmo-quantize will make of it
    (`llmo.dynamic_qlinear`: W4A8 or W8A8 with per-token dynamic scales,
    run on the interpreter), so the errors include the activation
    rounding, and the chosen w4/w8 layers get `llmo.activations =
    "dynamic"`. w16 and f32 layers keep float activations. The default,
    `none`, plans weight-only formats.
  }];
  let options = [
    Option<"dataPath", "data", "std::string", "\"\"",
           "Calibration .npz (arrays named after the model inputs)">,
    Option<"budget", "budget", "int64_t", "0",
           "Weight bytes (0: the size of uniform W4)">,
    Option<"formats", "formats", "std::string",
           "\"w4c,w4,w4g32,w8,w16\"",
           "Candidate formats: w4c (i4 per channel), w4 (= w4g<group-size>), "
           "w4g<G>, w8, w16, f32">,
    Option<"groupSize", "group-size", "int64_t", "128",
           "Group size along K of w4">,
    Option<"maxSamples", "max-samples", "unsigned", "4",
           "Calibration samples used per measurement (0: all)">,
    Option<"activations", "activations", "std::string", "\"none\"",
           "none (weight-only formats) or dynamic (int8 per-token "
           "activations on w4 and w8 layers)">,
  ];
  let dependentDialects = ["::llmo::LlmoDialect"];
}

def Outliers : Pass<"llmo-outliers", "mlir::ModuleOp"> {
  let summary = "LLM.int8()-style outlier decomposition and weight clipping";
  let description = [{
    For every `llmo.linear` with calibration statistics (`llmo.calib`) and a
    constant weight:

    - Input channels whose calibrated abs-max exceeds `threshold` (6.0 as
      in LLM.int8()) are split off: the linear becomes
      `linear(gather(x, rest), W[rest]) + linear(gather(x, outliers),
      W[outliers])`; the outlier part is marked `llmo.format = "w16"`
      (kept in 16-bit, activations in float), the rest gets the input
      statistics of its channels only, so int8 scales are not stretched
      by the outliers. Linears where every channel is an outlier are left
      alone.
    - With `clip-search`, each output channel's weight range is searched
      over ratios {1.0, 0.95, ..., 0.5} for the smallest int8 symmetric
      quantization error; --llmo-quantize applies the ratios.

    Records `llmo.outliers = {channels, threshold, indices, weight_clip}`.
  }];
  let options = [
    Option<"threshold", "threshold", "double", "6.0",
           "Calibrated |x| above which an input channel is an outlier">,
    Option<"clipSearch", "clip-search", "bool", "true",
           "Search per-channel weight clipping ratios">,
  ];
  let dependentDialects = ["::llmo::LlmoDialect"];
}

def Fuse : Pass<"llmo-fuse", "mlir::func::FuncOp"> {
  let summary = "Fuse attention, sibling projections and linear epilogues";
  let description = [{
    Rewrites, in this order (each can be switched off):

    - `attention`: `matmul(q, k^T)`, an optional scalar `mul`/`div`, an
      optional additive mask, `softmax` over the last axis and `matmul(., v)`
      (every intermediate used once) become one `llmo.attention`; a
      transpose producing `k^T` is absorbed, and so are a key and value
      repeated per query head (`reshape` to [..., Hkv, 1, S, D],
      `broadcast` to [..., Hkv, G, S, D], `reshape` to [..., Hkv * G, S,
      D], Hugging Face's `repeat_kv`): the attention reads the Hkv heads
      (grouped-query attention) instead of copies.
    - `projections`: projections that read the same input (Q/K/V, gate/up)
      become one op over the weights concatenated along N, followed by
      `llmo.split` into the original results. This applies to `llmo.linear`
      with an f32 constant weight, an f16 one (`w16`) or a dequantized one
      (`w8`, `w4c`, `w4g<G>`: the integer constants and the per-channel or
      per-group scales are concatenated), and to `llmo.qlinear` /
      `llmo.dynamic_qlinear` without an epilogue (per-channel weight scales
      concatenated; per-tensor weights only with equal scales). Only
      projections of one op kind and one weight format merge; biases are
      concatenated, zeros standing in for a missing one.
    - `epilogues`: a linear whose only use is `gelu`/`silu`/`relu` and/or
      whose only use is an `add` of a same-shaped tensor becomes
      `llmo.fused_linear` with that activation and residual; after
      `llmo.qlinear`/`llmo.dynamic_qlinear` the chain becomes their own
      `activation`/`residual`.
    - `elementwise`: chains of f32 elementwise ops (add, mul, silu, gelu,
      exp, ... and `pow` by 2 or 3) whose intermediates have the chain
      result's shape and are used only inside the chain become one
      `llmo.elementwise` with a scalar `arith`/`math` body; splat constants
      move into the body, other operands broadcast.

    Records `llmo.fused = {attention, projections, epilogues, elementwise}`
    counts on the
    function. Float results are unchanged up to float rounding (tested to
    1e-5 against the unfused IR).
  }];
  let options = [
    Option<"attention", "attention", "bool", "true", "Fuse attention">,
    Option<"projections", "projections", "bool", "true",
           "Merge linears that share an input">,
    Option<"epilogues", "epilogues", "bool", "true",
           "Fuse activations and residual adds into linears">,
    Option<"elementwise", "elementwise", "bool", "true",
           "Fuse chains of elementwise ops into llmo.elementwise">,
  ];
  let dependentDialects = ["::llmo::LlmoDialect", "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
}

def LowerToCpu : Pass<"llmo-lower-to-cpu", "mlir::ModuleOp"> {
  let summary = "Lower @main to the LLVM dialect entry of a CPU artifact";
  let description = [{
    What `llmo-compile -o X.llmo` runs before LLVM code generation (see
    docs/Runtime.md): `func.func @main` becomes `llvm.func @llmo_entry`, a
    straight-line sequence of calls into the runtime's kernel table with
    constant descriptors (`llvm.mlir.global`s) and operand addresses at
    constant offsets of the weight image and the activation arena (planned
    by liveness). The packed weight image itself is only kept by
    llmo-compile; this pass records its size and the plan as
    `llmo.codegen = {arena_bytes, arena_bytes_without_reuse, kernel_calls,
    weights_bytes}` on the module, for inspection and tests.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // LLMO_PASSES
