//===- ToolSupport.h - Shared helpers of the llmo tools ----------*- C++
//-*-===//

#ifndef LLMO_SUPPORT_TOOLSUPPORT_H
#define LLMO_SUPPORT_TOOLSUPPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <string>

namespace llmo {

/// Prints "error: <message>" to stderr and returns exit status 1.
int reportError(const std::string &message);

/// Parses a .mlir or .mlirbc file; on failure sets `error`.
mlir::OwningOpRef<mlir::ModuleOp> loadModule(mlir::MLIRContext &context,
                                             const std::string &path,
                                             std::string &error);

/// Writes `module` as text (.mlir) or bytecode (.mlirbc, chosen by the
/// extension), or to stdout for "-". The file appears only once complete.
bool writeModule(mlir::ModuleOp module, const std::string &path,
                 std::string &error);

} // namespace llmo

#endif // LLMO_SUPPORT_TOOLSUPPORT_H
