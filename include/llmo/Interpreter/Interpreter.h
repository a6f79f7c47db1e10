//===- Interpreter.h - llmo reference interpreter ----------------*- C++ -*-===//
//
// Executes llmo IR exactly per docs/Dialect.md. It is the oracle for every
// pass and code generator: simple and obviously right rather than fast.
//
//===----------------------------------------------------------------------===//

#ifndef LLMO_INTERPRETER_INTERPRETER_H
#define LLMO_INTERPRETER_INTERPRETER_H

#include "llmo/Interpreter/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Operation.h"

namespace llmo {

/// Evaluates one llmo op on operand tensors. Emits an error on the op and
/// returns failure on a run-time error (e.g. a gather index out of range).
mlir::FailureOr<std::vector<Tensor>>
evaluateOp(mlir::Operation *op, llvm::ArrayRef<const Tensor *> operands);

/// Runs `func` on `inputs` (checked against the argument types) and returns
/// its results. Values are released after their last use, so peak memory is
/// the weights plus the live activations.
mlir::FailureOr<std::vector<Tensor>> runFunction(mlir::func::FuncOp func,
                                                 std::vector<Tensor> inputs);

} // namespace llmo

#endif // LLMO_INTERPRETER_INTERPRETER_H
