//===- LowerToCpu.cpp - --llmo-lower-to-cpu -------------------------------===//
//
// The pass form of llmo::lowerToCpu (lib/CodeGen), so that the generated
// LLVM dialect can be inspected and tested with llmo-opt.
//
//===----------------------------------------------------------------------===//

#include "llmo/CodeGen/CpuCodeGen.h"
#include "llmo/Passes/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"

namespace llmo {
#define GEN_PASS_DEF_LOWERTOCPU
#include "Passes.h.inc"
} // namespace llmo

using namespace mlir;

namespace {

struct LowerToCpuPass : llmo::impl::LowerToCpuBase<LowerToCpuPass> {
  void getDependentDialects(DialectRegistry &registry) const override {
    llmo::registerCpuCodeGenDialects(registry);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<llmo::CpuLowering> lowering = llmo::lowerToCpu(module);
    if (failed(lowering))
      return signalPassFailure();
    Builder b(module.getContext());
    module->setAttr(
        "llmo.codegen",
        b.getDictionaryAttr(
            {b.getNamedAttr("arena_bytes",
                            b.getI64IntegerAttr(lowering->arenaBytes)),
             b.getNamedAttr("arena_bytes_without_reuse",
                            b.getI64IntegerAttr(lowering->unplannedBytes)),
             b.getNamedAttr("kernel_calls",
                            b.getI64IntegerAttr(lowering->kernelCalls)),
             b.getNamedAttr(
                 "weights_bytes",
                 b.getI64IntegerAttr((int64_t)lowering->weights.size()))}));
  }
};

} // namespace
