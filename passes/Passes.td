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
      K not divisible by the group size falls back to one group (per
      channel).
    - `w16`: f16 weights cast to f32.
    - `f32`: left as is.

    Per-channel weight clipping ratios from --llmo-outliers
    (`llmo.outliers.weight_clip`) are applied. Every rewritten op gets
    `llmo.quant = {format, weight_bytes, weight_sqnr_db}`.
  }];
  let options = [
    Option<"mode", "mode", "std::string", "\"w8a8\"",
           "Default format: w8a8, w8a16, w4a16, w16 or none">,
    Option<"act", "act", "std::string", "\"static\"",
           "Activation quantization for w8a8: static or dynamic">,
    Option<"groupSize", "group-size", "int64_t", "128",
           "Group size along K for w4a16 (32, 64, 128, ...)">,
  ];
  let dependentDialects = ["::llmo::LlmoDialect", "::mlir::quant::QuantDialect"];
}

#endif // LLMO_PASSES
