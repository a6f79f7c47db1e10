//===- Passes.h - llmo passes ------------------------------------*- C++ -*-===//
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

/// Registers the named pipelines above with the pass registry.
void registerLlmoPipelines();
} // namespace llmo

#endif // LLMO_PASSES_PASSES_H
