//===- Pipelines.cpp - Named llmo pass pipelines --------------------------===//
//
// Pipelines are registered by name so that llmo-opt reproduces exactly what
// the tools run: `llmo-opt --llmo-import-cleanup` is the cleanup that
// llmo-import applies after building the IR.
//
//===----------------------------------------------------------------------===//

#include "llmo/Passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void llmo::buildImportCleanupPipeline(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createRaiseComposites());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void llmo::registerLlmoPipelines() {
  PassPipelineRegistration<>(
      "llmo-import-cleanup",
      "The cleanup llmo-import runs: raise composites, canonicalize, CSE",
      buildImportCleanupPipeline);
}
