//===- InitAll.h - Register everything llmo tools need ----------*- C++ -*-===//

#ifndef LLMO_INITALL_H
#define LLMO_INITALL_H

#include "mlir/IR/DialectRegistry.h"

namespace llmo {

/// The llmo dialect and the upstream dialects llmo IR uses (func, quant).
void registerAllDialects(mlir::DialectRegistry &registry);

/// All llmo passes and named pipelines, plus the upstream passes the
/// pipelines use (canonicalize, cse).
void registerAllPasses();

} // namespace llmo

#endif // LLMO_INITALL_H
