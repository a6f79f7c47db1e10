//===- InitAll.cpp - Register everything llmo tools need ------------------===//

#include "llmo/InitAll.h"
#include "llmo/Dialect/Llmo.h"
#include "llmo/Passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Transforms/Passes.h"

void llmo::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<llmo::LlmoDialect, mlir::func::FuncDialect,
                  mlir::quant::QuantDialect>();
}

void llmo::registerAllPasses() {
  llmo::registerLlmoPasses();
  llmo::registerLlmoPipelines();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
}
