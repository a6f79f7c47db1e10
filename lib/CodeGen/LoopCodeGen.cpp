//===- LoopCodeGen.cpp - Generated loops for fused elementwise ops --------===//
//
// One llmo.elementwise becomes
//
//   func.func private @llmo_loop_N(%in0: memref<...>, ..., %out: memref<...>,
//                                  %begin: index, %end: index) {
//     subviews of the split dimension [begin, end)
//     linalg.generic (broadcast inputs read through projected maps) { body }
//   }
//
// lowered with upstream passes to the LLVM dialect (bare-pointer calling
// convention, so every memref is one pointer), plus an entry
// `llmo_loop_N_entry(ptr operands, i64 begin, i64 end)` that unpacks the
// runtime's operand array. The inner loop is vectorized by LLVM's loop
// vectorizer when the shared object is built (EmitObject.cpp runs the O2
// pipeline); transcendental functions are polynomial approximations, so
// the loop has no libm calls.
//
//===----------------------------------------------------------------------===//

#include "LoopCodeGen.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace llmo {

void LoopCodeGen::loadDialects(MLIRContext *ctx) {
  ctx->loadDialect<affine::AffineDialect, arith::ArithDialect,
                   cf::ControlFlowDialect, func::FuncDialect,
                   linalg::LinalgDialect, LLVM::LLVMDialect, math::MathDialect,
                   memref::MemRefDialect, scf::SCFDialect>();
}

LoopCodeGen::LoopCodeGen(MLIRContext *ctx) {
  loadDialects(ctx);
  module = ModuleOp::create(UnknownLoc::get(ctx));
}

LoopCodeGen::Function LoopCodeGen::addElementwise(ElementwiseOp op) {
  MLIRContext *ctx = op.getContext();
  Location loc = op.getLoc();
  OpBuilder b(ctx);
  b.setInsertionPointToEnd(module->getBody());
  Type f32 = b.getF32Type();

  ArrayRef<int64_t> shape =
      cast<RankedTensorType>(op.getResult().getType()).getShape();
  int64_t rank = (int64_t)shape.size();
  // Split the outermost dimension that is not 1: leading unit dims (batch)
  // would leave nothing to share between threads.
  int64_t split = 0;
  while (split + 1 < rank && shape[split] == 1)
    ++split;
  Function result;
  int64_t total = 1;
  for (int64_t d : shape)
    total *= d;
  result.extent = rank == 0 ? 1 : shape[split];
  result.elementsPerIndex = result.extent == 0 ? 0 : total / result.extent;

  // Every input as the memref of its non-unit dims, read through the
  // projection of the output's iteration space onto them.
  SmallVector<Type> argTypes;
  SmallVector<AffineMap> maps;
  for (Value input : op.getInputs()) {
    ArrayRef<int64_t> in = cast<RankedTensorType>(input.getType()).getShape();
    int64_t offset = rank - (int64_t)in.size();
    SmallVector<int64_t> kept;
    SmallVector<AffineExpr> exprs;
    for (auto [k, size] : llvm::enumerate(in))
      if (size != 1) {
        kept.push_back(size);
        exprs.push_back(b.getAffineDimExpr(offset + (int64_t)k));
      }
    argTypes.push_back(MemRefType::get(kept, f32));
    maps.push_back(AffineMap::get(rank, 0, exprs, ctx));
  }
  argTypes.push_back(MemRefType::get(shape, f32));
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  unsigned numOperands = argTypes.size();
  argTypes.append({b.getIndexType(), b.getIndexType()});

  std::string name = "llmo_loop_" + std::to_string(pending.size());
  auto func =
      func::FuncOp::create(b, loc, name, FunctionType::get(ctx, argTypes, {}));
  func.setPrivate();
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  Value begin = entry->getArgument(numOperands),
        end = entry->getArgument(numOperands + 1);
  Value length = arith::SubIOp::create(b, loc, end, begin);

  // Restrict every operand that is indexed by the split dim to [begin, end).
  SmallVector<Value> operands;
  for (unsigned i = 0; i < numOperands; ++i) {
    Value buffer = entry->getArgument(i);
    std::optional<unsigned> position =
        rank == 0 ? std::nullopt
                  : maps[i].getResultPosition(b.getAffineDimExpr(split));
    if (!position) {
      operands.push_back(buffer);
      continue;
    }
    auto type = cast<MemRefType>(buffer.getType());
    SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0)), sizes,
        strides(type.getRank(), b.getIndexAttr(1));
    for (int64_t size : type.getShape())
      sizes.push_back(b.getIndexAttr(size));
    offsets[*position] = begin;
    sizes[*position] = length;
    operands.push_back(
        memref::SubViewOp::create(b, loc, buffer, offsets, sizes, strides));
  }
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  Block &body = op.getBody().front();
  linalg::GenericOp::create(
      b, loc, TypeRange{}, ValueRange(operands).drop_back(),
      ValueRange{operands.back()}, maps, iterators,
      [&](OpBuilder &nested, Location bodyLoc, ValueRange args) {
        IRMapping mapping;
        for (auto [from, to] : llvm::zip(body.getArguments(), args))
          mapping.map(from, to);
        for (Operation &scalar : body.without_terminator())
          nested.clone(scalar, mapping);
        Value yielded = cast<YieldOp>(body.getTerminator()).getValue();
        linalg::YieldOp::create(nested, bodyLoc,
                                mapping.lookupOrDefault(yielded));
      });
  func::ReturnOp::create(b, loc);

  pending.push_back({name, numOperands});
  result.entry = name + "_entry";
  return result;
}

LogicalResult LoopCodeGen::finalize(ModuleOp target) {
  if (pending.empty())
    return success();
  MLIRContext *ctx = target.getContext();

  // Transcendentals as polynomials (vectorizable, no libm in the artifact).
  {
    RewritePatternSet patterns(ctx);
    populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
      name.consume_front("math.");
      return llvm::is_contained({"exp", "log", "tanh", "erf", "sin", "cos"},
                                name);
    });
    if (failed(applyPatternsGreedily(module.get(), std::move(patterns))))
      return module->emitError("math approximation did not converge");
  }
  PassManager pm(ctx);
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  ConvertFuncToLLVMPassOptions funcOptions;
  funcOptions.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcOptions));
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  if (failed(pm.run(module.get())))
    return module->emitError("lowering the generated loops to the LLVM "
                             "dialect failed");

  // Entries: unpack the operand array and call the bare-pointer function.
  OpBuilder b(ctx);
  b.setInsertionPointToEnd(module->getBody());
  Location loc = module->getLoc();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  Type i64 = b.getI64Type();
  auto voidType = LLVM::LLVMVoidType::get(ctx);
  for (auto &[name, numOperands] : pending) {
    auto callee = module->lookupSymbol<LLVM::LLVMFuncOp>(name);
    if (!callee)
      return module->emitError("generated loop '") << name << "' vanished";
    callee.setLinkage(LLVM::Linkage::Internal);
    callee->removeAttr(SymbolTable::getVisibilityAttrName());
    auto entry = LLVM::LLVMFuncOp::create(
        b, loc, name + "_entry",
        LLVM::LLVMFunctionType::get(voidType, {ptr, i64, i64}),
        LLVM::Linkage::Internal);
    Block *block = entry.addEntryBlock(b);
    OpBuilder eb = OpBuilder::atBlockBegin(block);
    SmallVector<Value> args;
    for (unsigned i = 0; i < numOperands; ++i) {
      Value slot = LLVM::GEPOp::create(eb, loc, ptr, ptr, block->getArgument(0),
                                       ArrayRef<LLVM::GEPArg>{(int32_t)i});
      args.push_back(LLVM::LoadOp::create(eb, loc, ptr, slot));
    }
    args.push_back(block->getArgument(1));
    args.push_back(block->getArgument(2));
    LLVM::CallOp::create(eb, loc, callee, args);
    LLVM::ReturnOp::create(eb, loc, ValueRange{});
  }
  // Move everything (functions and any constants they use) over.
  for (Operation &op : llvm::make_early_inc_range(*module->getBody()))
    op.moveBefore(target.getBody(), target.getBody()->end());
  pending.clear();
  return success();
}

} // namespace llmo
