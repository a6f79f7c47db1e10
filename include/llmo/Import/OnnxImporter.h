//===- OnnxImporter.h - ONNX to llmo IR --------------------------*- C++
//-*-===//
//
// Imports an ONNX model (binary .onnx, with external data, or textual
// .onnxtext) into a `func.func @main` of llmo ops with static shapes.
//
//===----------------------------------------------------------------------===//

#ifndef LLMO_IMPORT_ONNXIMPORTER_H
#define LLMO_IMPORT_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <string>
#include <vector>

namespace llmo {

struct ImportOptions {
  /// Static shapes for graph inputs, overriding the model's (symbolic) dims.
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Run --llmo-raise-composites, canonicalize and CSE after import.
  bool cleanup = true;
};

/// Imports `path`. On failure returns null and sets `error` to a message
/// naming the node, op type and reason (without the "error:" prefix).
mlir::OwningOpRef<mlir::ModuleOp> importOnnxFile(mlir::MLIRContext &context,
                                                 const std::string &path,
                                                 const ImportOptions &options,
                                                 std::string &error);

/// Parses "NAME=1x128" into `options.inputShapes`; false on a bad spec.
bool parseInputShapeSpec(const std::string &spec, ImportOptions &options,
                         std::string &error);

} // namespace llmo

#endif // LLMO_IMPORT_ONNXIMPORTER_H
