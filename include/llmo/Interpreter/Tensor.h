//===- Tensor.h - Interpreter tensors ----------------------------*- C++
//-*-===//
//
// The reference interpreter's values: a storage dtype, a static shape and
// the elements. Float elements are held as float (f16/bf16 values rounded to
// their type), integer elements as int64_t. Quantized tensors hold their
// storage integers; their parameters come from the op's types.
//
//===----------------------------------------------------------------------===//

#ifndef LLMO_INTERPRETER_TENSOR_H
#define LLMO_INTERPRETER_TENSOR_H

#include "llmo/Support/Npy.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Support/LLVM.h"

#include <cstdint>
#include <string>
#include <vector>

namespace llmo {

enum class DType { F32, F16, BF16, I1, I4, I8, U8, I32, I64 };

bool isFloat(DType dtype);
const char *dtypeName(DType dtype);
/// Inclusive value range of an integer dtype.
int64_t dtypeMin(DType dtype);
int64_t dtypeMax(DType dtype);
/// Wraps an integer into `dtype` (two's complement), as integer arithmetic
/// of that width does.
int64_t wrapToDType(int64_t value, DType dtype);
/// Rounds a float to the precision of `dtype` (nearest even).
float roundToDType(float value, DType dtype);

/// The storage dtype of an element type (the storage type for quantized
/// types); failure for unsupported types.
mlir::FailureOr<DType> dtypeOf(mlir::Type elementType);

struct Tensor {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<float> floats; // used when isFloat(dtype)
  std::vector<int64_t> ints; // used otherwise

  Tensor() = default;
  Tensor(DType dtype, std::vector<int64_t> shape);

  int64_t numElements() const;
  int64_t rank() const { return (int64_t)shape.size(); }
  /// Element i as double, whatever the dtype.
  double get(int64_t i) const {
    return isFloat(dtype) ? (double)floats[i] : (double)ints[i];
  }
  /// Row-major strides of `shape`.
  std::vector<int64_t> strides() const;
};

/// Converts a constant attribute (dense or dense_resource) to a tensor.
mlir::FailureOr<Tensor> tensorFromAttr(mlir::ElementsAttr attr);
/// Converts a tensor to a `dense` attribute of `type`.
mlir::DenseElementsAttr tensorToDenseAttr(const Tensor &tensor,
                                          mlir::RankedTensorType type);
/// The attribute for a constant holding `tensor`: a splat or small `dense`
/// literal, or a `dense_resource` blob named after `blobName` (made unique by
/// the context) for larger ones. i1 and tiny tensors always stay `dense`.
mlir::ElementsAttr tensorToElementsAttr(const Tensor &tensor,
                                        mlir::RankedTensorType type,
                                        llvm::StringRef blobName);
/// Raw little-endian bytes of the tensor in its dtype (i1 as one byte).
std::vector<char> tensorToBytes(const Tensor &tensor);

/// npy conversions; the dtype must match (`error` says why not).
bool tensorFromNpy(const NpyArray &array, DType expected, Tensor &tensor,
                   std::string &error);
NpyArray tensorToNpy(const Tensor &tensor);
/// numpy dtype code of a dtype ("f4", "i8", ...).
const char *npyCode(DType dtype);

} // namespace llmo

#endif // LLMO_INTERPRETER_TENSOR_H
