//===- Passes.h - llmo passes ------------------------------------*- C++
//-*-===//
//
// Declarations generated from passes/Passes.td: option structs, create
// functions and registration.
//
//===----------------------------------------------------------------------===//

#ifndef LLMO_PASSES_PASSES_H
#define LLMO_PASSES_PASSES_H

#include "llmo/Dialect/Llmo.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace llmo {
#define GEN_PASS_DECL
#include "Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "Passes.h.inc"

/// --llmo-import-cleanup: raise composites, canonicalize, CSE.
void buildImportCleanupPipeline(mlir::OpPassManager &pm);

/// Options of the pipeline llmo-compile runs (--llmo-compile-pipeline).
struct CompilePipelineOptions
    : public mlir::PassPipelineOptions<CompilePipelineOptions> {
  Option<std::string> quant{*this, "quant",
                            llvm::cl::desc("none, w8a8, w8a16, w4a16 or auto"),
                            llvm::cl::init("none")};
  Option<std::string> calibrationData{
      *this, "calibration-data",
      llvm::cl::desc("Calibration .npz (arrays named after the inputs)"),
      llvm::cl::init("")};
  Option<std::string> calibrationMethod{
      *this, "calibration-method", llvm::cl::desc("minmax, percentile or mse"),
      llvm::cl::init("mse")};
  Option<std::string> smoothquantAlpha{*this, "smoothquant-alpha",
                                       llvm::cl::desc("off, a number, or auto"),
                                       llvm::cl::init("0.5")};
  Option<std::string> activations{
      *this, "activations",
      llvm::cl::desc("W8A8 activation scales: static or dynamic (with "
                     "quant=auto, dynamic plans W4A8/W8A8 layers)"),
      llvm::cl::init("static")};
  Option<int64_t> groupSize{*this, "group-size",
                            llvm::cl::desc("W4 group size along K"),
                            llvm::cl::init(128)};
  Option<int64_t> memoryBudget{
      *this, "memory-budget",
      llvm::cl::desc("Weight bytes for quant=auto (0: the size of uniform "
                     "W4)"),
      llvm::cl::init(0)};
  Option<double> outlierThreshold{
      *this, "outlier-threshold",
      llvm::cl::desc("LLM.int8() threshold for W8A8 (0: off)"),
      llvm::cl::init(0.0)};
  Option<bool> fuse{*this, "fuse",
                    llvm::cl::desc("Run --llmo-fuse at the end (attention, "
                                   "projections, epilogues)"),
                    llvm::cl::init(true)};
};

/// The passes llmo-compile runs after import, in order (see docs).
void buildCompilePipeline(mlir::OpPassManager &pm,
                          const CompilePipelineOptions &options);

/// Checks option values; returns an error message or "".
std::string validateCompileOptions(const CompilePipelineOptions &options);

/// Registers the named pipelines above with the pass registry.
void registerLlmoPipelines();
} // namespace llmo

#endif // LLMO_PASSES_PASSES_H
