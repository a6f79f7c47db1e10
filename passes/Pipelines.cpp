//===- Pipelines.cpp - Named llmo pass pipelines --------------------------===//
//
// Pipelines are registered by name so that llmo-opt reproduces exactly what
// the tools run: `llmo-opt --llmo-import-cleanup` is the cleanup llmo-import
// applies after building the IR, and `llmo-opt --llmo-compile-pipeline=...`
// is what llmo-compile runs.
//
//===----------------------------------------------------------------------===//

#include "llmo/Passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void llmo::buildImportCleanupPipeline(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createRaiseComposites());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

std::string
llmo::validateCompileOptions(const CompilePipelineOptions &options) {
  StringRef quant = options.quant;
  if (quant != "none" && quant != "w8a8" && quant != "w8a16" &&
      quant != "w4a16" && quant != "w4a8" && quant != "auto")
    return "--quant must be none, w8a8, w8a16, w4a16, w4a8 or auto, not '" +
           options.quant + "'";
  StringRef alpha = options.smoothquantAlpha;
  double value;
  if (alpha != "off" && alpha != "auto" &&
      (alpha.getAsDouble(value) || value < 0 || value > 1))
    return "--smoothquant-alpha must be off, auto or a number in [0, 1], "
           "not '" +
           options.smoothquantAlpha + "'";
  bool needsData =
      quant == "auto" ||
      (quant == "w8a8" && (options.activations == "static" || alpha != "off"));
  if (needsData && options.calibrationData.empty())
    return "--quant=" + options.quant +
           " needs --calibration-data=CALIB.npz (use --quant=w8a8 "
           "--smoothquant-alpha=off with dynamic activations, or a "
           "weight-only format, to compile without data)";
  if (options.activations != "static" && options.activations != "dynamic")
    return "activations must be static or dynamic";
  if (options.groupSize <= 0)
    return "--group-size must be positive";
  return "";
}

void llmo::buildCompilePipeline(OpPassManager &pm,
                                const CompilePipelineOptions &options) {
  pm.addPass(createEliminatePruned());
  pm.addPass(createCanonicalizerPass());
  StringRef quant = options.quant;
  if (quant != "none") {
    bool haveData = !options.calibrationData.empty();
    CalibrateOptions calibrate;
    calibrate.dataPath = options.calibrationData;
    calibrate.method = options.calibrationMethod;
    bool smooth = options.smoothquantAlpha != "off" &&
                  (quant == "w8a8" || quant == "auto") && haveData;
    if (haveData)
      pm.addPass(createCalibrate(calibrate));
    if (smooth) {
      SmoothQuantOptions smoothOptions;
      smoothOptions.alpha = options.smoothquantAlpha;
      smoothOptions.dataPath = options.calibrationData;
      pm.addPass(createSmoothQuant(smoothOptions));
      pm.addPass(createCanonicalizerPass());
      // Statistics of the smoothed activations.
      pm.addPass(createCalibrate(calibrate));
    }
    if (options.outlierThreshold > 0 && haveData &&
        (quant == "w8a8" || quant == "auto")) {
      OutliersOptions outliers;
      outliers.threshold = options.outlierThreshold;
      pm.addPass(createOutliers(outliers));
    }
    QuantizeOptions quantize;
    quantize.mode = quant.str();
    quantize.act = options.activations;
    quantize.groupSize = options.groupSize;
    if (quant == "auto") {
      AssignBitwidthOptions assign;
      assign.dataPath = options.calibrationData;
      assign.budget = options.memoryBudget;
      assign.groupSize = options.groupSize;
      // Static activation scales are not planned per layer: auto is
      // weight-only unless activations are dynamic.
      assign.activations =
          options.activations == "dynamic" ? "dynamic" : "none";
      pm.addPass(createAssignBitwidth(assign));
      quantize.mode = "w8a16";
    }
    pm.addPass(createQuantize(quantize));
  }
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  if (options.fuse)
    pm.addNestedPass<func::FuncOp>(createFuse());
}

void llmo::registerLlmoPipelines() {
  PassPipelineRegistration<>(
      "llmo-import-cleanup",
      "The cleanup llmo-import runs: raise composites, canonicalize, CSE",
      buildImportCleanupPipeline);
  PassPipelineRegistration<CompilePipelineOptions>(
      "llmo-compile-pipeline",
      "What llmo-compile runs after import: pruning elimination, "
      "calibration, SmoothQuant, bit-width assignment, quantization, "
      "fusion",
      buildCompilePipeline);
}
