//===- OnnxLoader.h - Load ONNX protobufs (exception boundary) --*- C++ -*-===//
//
// Private to the importer. The loader is compiled with exceptions (ONNX and
// protobuf may throw); nothing escapes it.
//
//===----------------------------------------------------------------------===//

#ifndef LLMO_IMPORT_ONNXLOADER_H
#define LLMO_IMPORT_ONNXLOADER_H

#include "onnx/onnx_pb.h"

#include <string>

namespace llmo {

/// Loads a binary (.onnx) or textual (.onnxtext) model and inlines the data
/// of initializers stored in external files (resolved next to the model).
bool loadOnnxModel(const std::string &path, onnx::ModelProto &model,
                   std::string &error);

} // namespace llmo

#endif // LLMO_IMPORT_ONNXLOADER_H
