//===- OnnxLoader.cpp - Load ONNX protobufs (exception boundary) ----------===//

#include "OnnxLoader.h"

#include "onnx/defs/parser.h"

#include <fstream>
#include <iterator>
#include <sstream>

namespace llmo {
namespace {

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string directoryOf(const std::string &path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

bool readFile(const std::string &path, std::string &bytes) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return false;
  bytes.assign(std::istreambuf_iterator<char>(file),
               std::istreambuf_iterator<char>());
  return true;
}

/// Replaces external data references of `tensor` by its bytes.
bool inlineExternalData(onnx::TensorProto &tensor, const std::string &dir,
                        std::string &error) {
  if (tensor.data_location() != onnx::TensorProto::EXTERNAL)
    return true;
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &entry : tensor.external_data()) {
    if (entry.key() == "location")
      location = entry.value();
    else if (entry.key() == "offset")
      offset = std::stoll(entry.value());
    else if (entry.key() == "length")
      length = std::stoll(entry.value());
  }
  if (location.empty() || location.find("..") != std::string::npos ||
      location[0] == '/') {
    error = "initializer '" + tensor.name() +
            "' has an invalid external data location '" + location + "'";
    return false;
  }
  std::ifstream file(dir + "/" + location, std::ios::binary);
  if (!file) {
    error = "initializer '" + tensor.name() +
            "': cannot open external data file '" + location + "'";
    return false;
  }
  file.seekg(0, std::ios::end);
  int64_t size = file.tellg();
  // length > size - offset, not offset + length > size: no overflow.
  if (offset < 0 || offset > size || (length >= 0 && length > size - offset)) {
    error = "initializer '" + tensor.name() + "': external data in '" +
            location + "' is shorter than its offset/length";
    return false;
  }
  if (length < 0)
    length = size - offset;
  std::string data(length, '\0');
  file.seekg(offset);
  file.read(&data[0], length);
  if (!file) {
    error = "initializer '" + tensor.name() + "': cannot read external data";
    return false;
  }
  tensor.set_raw_data(std::move(data));
  tensor.clear_external_data();
  tensor.set_data_location(onnx::TensorProto::DEFAULT);
  return true;
}

bool loadUnchecked(const std::string &path, onnx::ModelProto &model,
                   std::string &error) {
  std::string bytes;
  if (!readFile(path, bytes)) {
    error = "cannot open file";
    return false;
  }
  if (endsWith(path, ".onnxtext")) {
    onnx::OnnxParser parser(bytes.c_str());
    onnx::Status status = parser.Parse(model);
    if (!status.IsOK()) {
      error = "cannot parse ONNX text: " + status.ErrorMessage();
      return false;
    }
  } else if (!model.ParseFromString(bytes)) {
    error = "not a valid ONNX protobuf (truncated or corrupt file)";
    return false;
  }
  if (!model.has_graph()) {
    error = "the model has no graph";
    return false;
  }
  std::string dir = directoryOf(path);
  for (auto &tensor : *model.mutable_graph()->mutable_initializer())
    if (!inlineExternalData(tensor, dir, error))
      return false;
  for (auto &node : *model.mutable_graph()->mutable_node())
    for (auto &attr : *node.mutable_attribute())
      if (attr.has_t() && !inlineExternalData(*attr.mutable_t(), dir, error))
        return false;
  return true;
}

} // namespace

bool loadOnnxModel(const std::string &path, onnx::ModelProto &model,
                   std::string &error) {
  try {
    return loadUnchecked(path, model, error);
  } catch (const std::exception &e) {
    error = std::string("cannot load the model: ") + e.what();
  } catch (...) {
    error = "cannot load the model: unknown exception";
  }
  return false;
}

} // namespace llmo
