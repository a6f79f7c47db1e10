//===- Llmo.h - The llmo dialect ---------------------------------*- C++
//-*-===//
//
// Public header of the llmo dialect: the dialect class and its operations.
//
//===----------------------------------------------------------------------===//

#ifndef LLMO_DIALECT_LLMO_H
#define LLMO_DIALECT_LLMO_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace llmo {
/// Whether `type` is a quantized element type llmo implements (see
/// LlmoOps.td, Llmo_QuantType).
bool isSupportedQuantType(mlir::Type type);
} // namespace llmo

#include "LlmoDialect.h.inc"

#define GET_OP_CLASSES
#include "LlmoOps.h.inc"

namespace llmo {

/// Numpy broadcast of two shapes; failure when a pair of dims is neither
/// equal nor 1.
mlir::FailureOr<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> lhs, llvm::ArrayRef<int64_t> rhs);

/// The float type a tensor's elements are expressed in: the element type for
/// float tensors, the expressed type for quantized ones, null otherwise.
mlir::Type getExpressedElementType(mlir::Type tensorType);

} // namespace llmo

#endif // LLMO_DIALECT_LLMO_H
