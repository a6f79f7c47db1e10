//===- LoopCodeGen.h - Generated loops for fused elementwise ops -*- C++
//-*-===//
//
// llmo.elementwise bodies are compiled, not interpreted by a runtime kernel:
// each becomes a linalg.generic on tensors, lowered through upstream MLIR
// (math polynomial approximations, tiling, vectorization, One-Shot
// Bufferize, vector/scf/memref/arith/func -> LLVM dialect) into a function
// that the runtime's kLlmoKernelLoop calls on slices of the outermost
// non-unit dimension, one slice per worker thread.
//
//===----------------------------------------------------------------------===//

#ifndef LLMO_LIB_CODEGEN_LOOPCODEGEN_H
#define LLMO_LIB_CODEGEN_LOOPCODEGEN_H

#include "llmo/Dialect/Llmo.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <string>

namespace llmo {

class LoopCodeGen {
public:
  explicit LoopCodeGen(mlir::MLIRContext *ctx);

  struct Function {
    /// Symbol of the entry, `void(void *const *operands, int64_t begin,
    /// int64_t end)`; operands are the inputs then the output.
    std::string entry;
    /// Extent of the split dimension and elements per index of it.
    int64_t extent = 1, elementsPerIndex = 1;
  };

  /// Adds the function computing `op` (inputs and output as contiguous
  /// row-major buffers).
  Function addElementwise(ElementwiseOp op);

  /// Lowers every added function to the LLVM dialect and moves them into
  /// `target`.
  mlir::LogicalResult finalize(mlir::ModuleOp target);

  static void loadDialects(mlir::MLIRContext *ctx);

private:
  /// Tiles every linalg.generic (vector width innermost), peels the
  /// remainder and vectorizes the static tiles.
  mlir::LogicalResult tileAndVectorize();
  /// Empty-tensor elimination and One-Shot Bufferize, in place.
  mlir::LogicalResult bufferize();

  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::vector<std::pair<std::string, unsigned>> pending; // name, operands
};

} // namespace llmo

#endif // LLMO_LIB_CODEGEN_LOOPCODEGEN_H
