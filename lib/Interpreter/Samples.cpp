//===- Samples.cpp - Calibration samples from .npz ------------------------===//

#include "llmo/Interpreter/Interpreter.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace llmo {

std::string valueName(func::FuncOp func, unsigned index, bool isResult) {
  auto attr = isResult
                  ? func.getResultAttrOfType<StringAttr>(index, "llmo.name")
                  : func.getArgAttrOfType<StringAttr>(index, "llmo.name");
  if (attr)
    return attr.str();
  return (isResult ? "output" : "input") + std::to_string(index);
}

static std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

FailureOr<std::vector<std::vector<Tensor>>>
loadSamples(func::FuncOp func, const std::string &npzPath, unsigned maxSamples,
            std::string &error) {
  std::vector<std::pair<std::string, NpyArray>> arrays;
  if (!readNpz(npzPath, arrays, error)) {
    error = npzPath + ": " + error;
    return failure();
  }
  std::vector<std::vector<Tensor>> samples;
  int64_t count = -1;
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    std::string name = valueName(func, i, false);
    auto it = std::find_if(arrays.begin(), arrays.end(),
                           [&](auto &entry) { return entry.first == name; });
    if (it == arrays.end()) {
      error = npzPath + ": no array named '" + name + "' (the model input)";
      return failure();
    }
    auto type = cast<RankedTensorType>(func.getArgument(i).getType());
    FailureOr<DType> dtype = dtypeOf(type.getElementType());
    const NpyArray &array = it->second;
    std::vector<int64_t> expected(type.getShape().begin(),
                                  type.getShape().end());
    if (failed(dtype) || array.shape.size() != expected.size() + 1 ||
        !std::equal(expected.begin(), expected.end(),
                    array.shape.begin() + 1)) {
      error = npzPath + ": array '" + name + "' has shape " +
              shapeString(array.shape) + ", expected [samples, " +
              shapeString(expected).substr(1);
      return failure();
    }
    Tensor all;
    if (!tensorFromNpy(array, *dtype, all, error)) {
      error = npzPath + ": array '" + name + "': " + error;
      return failure();
    }
    if (count >= 0 && array.shape[0] != count) {
      error = npzPath + ": arrays have different sample counts";
      return failure();
    }
    count = array.shape[0];
    int64_t n = maxSamples ? std::min<int64_t>(count, maxSamples) : count;
    samples.resize(n);
    int64_t per = all.numElements() / std::max<int64_t>(count, 1);
    for (int64_t s = 0; s < n; ++s) {
      Tensor t(*dtype, expected);
      if (isFloat(t.dtype))
        std::copy(all.floats.begin() + s * per,
                  all.floats.begin() + (s + 1) * per, t.floats.begin());
      else
        std::copy(all.ints.begin() + s * per, all.ints.begin() + (s + 1) * per,
                  t.ints.begin());
      samples[s].push_back(std::move(t));
    }
  }
  if (samples.empty()) {
    error = npzPath + ": no samples";
    return failure();
  }
  return samples;
}

} // namespace llmo
