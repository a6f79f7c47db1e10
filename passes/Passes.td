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

#endif // LLMO_PASSES
