//===- Interpreter.h - llmo reference interpreter ----------------*- C++
//-*-===//
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

/// Called after every executed op with its operand and result tensors
/// (calibration observes activations this way).
using OpObserver = llvm::function_ref<void(
    mlir::Operation *, llvm::ArrayRef<const Tensor *>, llvm::ArrayRef<Tensor>)>;

/// Runs `func` on `inputs` (checked against the argument types) and returns
/// its results. Values are released after their last use, so peak memory is
/// the weights plus the live activations.
mlir::FailureOr<std::vector<Tensor>> runFunction(mlir::func::FuncOp func,
                                                 std::vector<Tensor> inputs,
                                                 OpObserver observer = {});

/// The name of argument/result `index` of `func`: its `llmo.name`, else
/// "input<i>"/"output<i>".
std::string valueName(mlir::func::FuncOp func, unsigned index, bool isResult);

/// Loads calibration samples for `func` from an .npz whose arrays are named
/// after the inputs, each [samples, *input shape]. At most `maxSamples`
/// (0: all). On failure sets `error`.
mlir::FailureOr<std::vector<std::vector<Tensor>>>
loadSamples(mlir::func::FuncOp func, const std::string &npzPath,
            unsigned maxSamples, std::string &error);

} // namespace llmo

#endif // LLMO_INTERPRETER_INTERPRETER_H
