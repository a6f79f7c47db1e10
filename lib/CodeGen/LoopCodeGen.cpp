//===- LoopCodeGen.cpp - Generated loops for fused elementwise ops --------===//
//
// One llmo.elementwise becomes
//
//   func.func private @llmo_loop_N(%in0: memref<...>, ..., %out: memref<...>,
//                                  %begin: index, %end: index) {
//     tensors of the inputs (bufferization.to_tensor), sliced to rows
//     [begin, end) of the split dimension (tensor.extract_slice)
//     linalg.generic on tensors (broadcast inputs read through projected
//     maps) into a tensor.empty
//     bufferization.materialize_in_destination into the output's subview
//   }
//
// and goes through upstream MLIR the way a tensor compiler does:
//   1. math polynomial approximations (no libm call remains);
//   2. tiling (scf::tileUsingSCF): 1 on every outer non-unit dim, the vector
//      width on the innermost one; the innermost loop is peeled so that the
//      main tiles are static;
//   3. unit dims folded (rank-reducing slices) and every static tile
//      vectorized (linalg::vectorize -> 1-D vector.transfer_read/write and
//      vector arith/math); a dynamic remainder stays scalar;
//   4. empty-tensor elimination and One-Shot Bufferize: the tensors become
//      subviews of the argument memrefs, with no allocation or copy;
//   5. vector, scf, affine, memref, math, arith, func, cf -> LLVM dialect
//      (bare-pointer calling convention, so every memref is one pointer).
// An entry `llmo_loop_N_entry(ptr operands, i64 begin, i64 end)` unpacks the
// runtime's operand array.
//
//===----------------------------------------------------------------------===//

#include "LoopCodeGen.h"

#include "llmo/CodeGen/CpuCodeGen.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Transforms.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Linalg/Transforms/SubsetInsertionOpInterfaceImpl.h"
#include "mlir/Dialect/Linalg/Transforms/TilingInterfaceImpl.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/SubsetInsertionOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/Transforms/SubsetOpInterfaceImpl.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace llmo {

/// Floats per tile of the generated loops: four 256-bit AVX2 registers per
/// value, so that the polynomial approximations have independent chains to
/// hide FMA latency (measured on SwiGLU and rotary chains: 32 was 18%
/// faster than 8 and than LLVM's own vectorization of the scalar loops; 16
/// and 64 were in between).
constexpr int64_t kVectorWidth = 32;

void registerCpuCodeGenDialects(DialectRegistry &registry) {
  registry.insert<affine::AffineDialect, arith::ArithDialect,
                  bufferization::BufferizationDialect, cf::ControlFlowDialect,
                  func::FuncDialect, linalg::LinalgDialect, LLVM::LLVMDialect,
                  math::MathDialect, memref::MemRefDialect, scf::SCFDialect,
                  tensor::TensorDialect, vector::VectorDialect>();
  // Tiling, empty-tensor elimination and bufferization work through
  // interfaces that the dialects attach as external models.
  linalg::registerTilingInterfaceExternalModels(registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  linalg::registerSubsetOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerSubsetOpInterfaceExternalModels(registry);
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  vector::registerBufferizableOpInterfaceExternalModels(registry);
  vector::registerSubsetOpInterfaceExternalModels(registry);
}

void LoopCodeGen::loadDialects(MLIRContext *ctx) {
  DialectRegistry registry;
  registerCpuCodeGenDialects(registry);
  ctx->appendDialectRegistry(registry);
  ctx->loadAllAvailableDialects();
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

  // Every operand as a tensor restricted to [begin, end) of the split dim
  // where its map reads it; the output as the memref subview the result
  // is materialized into.
  SmallVector<Value> inputs;
  Value outputView;
  SmallVector<OpFoldResult> outputSizes;
  for (unsigned i = 0; i < numOperands; ++i) {
    Value buffer = entry->getArgument(i);
    auto type = cast<MemRefType>(buffer.getType());
    std::optional<unsigned> position =
        rank == 0 ? std::nullopt
                  : maps[i].getResultPosition(b.getAffineDimExpr(split));
    SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0)), sizes,
        strides(type.getRank(), b.getIndexAttr(1));
    for (int64_t size : type.getShape())
      sizes.push_back(b.getIndexAttr(size));
    if (position) {
      offsets[*position] = begin;
      sizes[*position] = length;
    }
    if (i + 1 == numOperands) {
      outputView = position ? memref::SubViewOp::create(b, loc, buffer, offsets,
                                                        sizes, strides)
                                  .getResult()
                            : buffer;
      outputSizes = sizes;
      continue;
    }
    Value tensor = bufferization::ToTensorOp::create(
        b, loc, RankedTensorType::get(type.getShape(), f32), buffer,
        /*restrict=*/true, /*writable=*/false);
    if (position)
      tensor = tensor::ExtractSliceOp::create(b, loc, tensor, offsets, sizes,
                                              strides);
    inputs.push_back(tensor);
  }
  Value init = tensor::EmptyOp::create(b, loc, outputSizes, f32);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  Block &body = op.getBody().front();
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nested, Location bodyLoc, ValueRange args) {
        IRMapping mapping;
        for (auto [from, to] : llvm::zip(body.getArguments(), args))
          mapping.map(from, to);
        for (Operation &scalar : body.without_terminator())
          nested.clone(scalar, mapping);
        Value yielded = cast<YieldOp>(body.getTerminator()).getValue();
        linalg::YieldOp::create(nested, bodyLoc,
                                mapping.lookupOrDefault(yielded));
      });
  bufferization::MaterializeInDestinationOp::create(
      b, loc, Type(), generic.getResult(0), outputView, /*restrict=*/true,
      /*writable=*/true);
  func::ReturnOp::create(b, loc);

  pending.push_back({name, numOperands});
  result.entry = name + "_entry";
  return result;
}

/// Canonicalization patterns of every loaded dialect and op.
static void addCanonicalizations(MLIRContext *ctx,
                                 RewritePatternSet &patterns) {
  for (Dialect *dialect : ctx->getLoadedDialects())
    dialect->getCanonicalizationPatterns(patterns);
  for (RegisteredOperationName op : ctx->getRegisteredOperations())
    op.getCanonicalizationPatterns(patterns, ctx);
}

LogicalResult LoopCodeGen::tileAndVectorize() {
  MLIRContext *ctx = module->getContext();
  IRRewriter rewriter(ctx);
  SmallVector<linalg::GenericOp> generics;
  module->walk([&](linalg::GenericOp op) { generics.push_back(op); });
  for (linalg::GenericOp generic : generics) {
    SmallVector<int64_t> ranges = generic.getStaticLoopRanges();
    if (ranges.empty())
      continue; // rank 0: vectorized as it is
    // Unit dims stay untiled; outer dims go one index at a time; the
    // innermost dim goes a vector at a time.
    SmallVector<OpFoldResult> tileSizes;
    for (auto [d, range] : llvm::enumerate(ranges)) {
      int64_t size = range == 1 ? 0 : 1;
      if (d + 1 == ranges.size() && range != 1)
        size = kVectorWidth;
      tileSizes.push_back(rewriter.getIndexAttr(size));
    }
    scf::SCFTilingOptions options;
    options.setLoopType(scf::SCFTilingOptions::LoopType::ForOp)
        .setTileSizes(tileSizes);
    rewriter.setInsertionPoint(generic);
    FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(generic.getOperation()), options);
    if (failed(tiled))
      return generic.emitError("tiling a generated loop failed");
    rewriter.replaceOp(generic, tiled->replacements);
    // Peel the vector loop: full tiles get static sizes, the remainder
    // (if any) its own loop.
    if (ranges.back() != 1 && !tiled->loops.empty()) {
      auto inner = cast<scf::ForOp>(tiled->loops.back().getOperation());
      scf::ForOp remainder;
      (void)scf::peelForLoopAndSimplifyBounds(rewriter, inner, remainder);
    }
  }
  // Static tile sizes into the types, unit dims dropped (1-D vectors).
  {
    RewritePatternSet patterns(ctx);
    linalg::ControlDropUnitDims control;
    control.rankReductionStrategy =
        linalg::ControlDropUnitDims::RankReductionStrategy::ExtractInsertSlice;
    linalg::populateFoldUnitExtentDimsPatterns(patterns, control);
    addCanonicalizations(ctx, patterns);
    if (failed(applyPatternsGreedily(module.get(), std::move(patterns))))
      return module->emitError("simplifying the tiled loops did not converge");
  }
  generics.clear();
  module->walk([&](linalg::GenericOp op) { generics.push_back(op); });
  for (linalg::GenericOp generic : generics) {
    // A dynamic remainder (the split dim innermost) stays a scalar loop.
    if (llvm::any_of(generic->getOperandTypes(), [](Type type) {
          return !cast<ShapedType>(type).hasStaticShape();
        }))
      continue;
    rewriter.setInsertionPoint(generic);
    FailureOr<linalg::VectorizationResult> vectorized =
        linalg::vectorize(rewriter, generic);
    if (failed(vectorized))
      return generic.emitError("vectorizing a generated loop failed");
    rewriter.replaceOp(generic, vectorized->replacements);
  }
  RewritePatternSet patterns(ctx);
  addCanonicalizations(ctx, patterns);
  if (failed(applyPatternsGreedily(module.get(), std::move(patterns))))
    return module->emitError("simplifying the vector loops did not converge");
  return success();
}

LogicalResult LoopCodeGen::bufferize() {
  MLIRContext *ctx = module->getContext();
  IRRewriter rewriter(ctx);
  // The tensor.empty of each result becomes the output's subview, so the
  // loops write the output in place.
  if (failed(bufferization::eliminateEmptyTensors(rewriter, module.get())))
    return module->emitError("empty tensor elimination failed");
  bufferization::OneShotBufferizationOptions options;
  bufferization::BufferizationState state;
  if (failed(bufferization::runOneShotBufferize(module.get(), options, state)))
    return module->emitError("bufferizing the generated loops failed");
  // In-place slices leave copies of a subview onto an equal one: after
  // canonicalization and CSE they are copies of a value onto itself.
  PassManager pm(ctx);
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  if (failed(pm.run(module.get())))
    return module->emitError("simplifying the bufferized loops failed");
  SmallVector<memref::CopyOp> selfCopies;
  module->walk([&](memref::CopyOp copy) {
    if (copy.getSource() == copy.getTarget())
      selfCopies.push_back(copy);
  });
  for (memref::CopyOp copy : selfCopies)
    copy->erase();
  bool allocates = false;
  module->walk([&](Operation *op) {
    allocates |= isa<memref::AllocOp, memref::AllocaOp, memref::CopyOp>(op);
  });
  // Every value should have been written in place; a buffer here would be
  // a silent slowdown (and an allocation the runtime does not plan).
  if (allocates)
    return module->emitError("bufferizing the generated loops left an "
                             "allocation or a copy");
  return success();
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
  if (failed(tileAndVectorize()))
    return failure();
  if (failed(bufferize()))
    return failure();

  PassManager pm(ctx);
  pm.addPass(createConvertVectorToSCFPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertVectorToLLVMPass());
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
