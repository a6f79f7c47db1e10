//===- QuantUtils.h - Helpers shared by the quantization passes -*- C++ -*-===//
//
// Private to passes/. The decisions of the quantization passes live on the
// ops as attributes:
//   llmo.calib     (on linear/matmul): activation and weight statistics
//   llmo.smooth    (on linear): SmoothQuant alpha and per-channel scales
//   llmo.outliers  (on linear): input channels kept in float
//   llmo.format    (on linear): the weight format chosen for the layer
//   llmo.quant     (on the rewritten op): format, bytes, weight SQNR
//
//===----------------------------------------------------------------------===//

#ifndef LLMO_PASSES_QUANTUTILS_H
#define LLMO_PASSES_QUANTUTILS_H

#include "llmo/Dialect/Llmo.h"
#include "llmo/Interpreter/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <optional>

namespace llmo {

/// The value of a constant operand, or nothing.
inline std::optional<Tensor> constantValue(mlir::Value value) {
  auto constant = value.getDefiningOp<ConstantOp>();
  if (!constant)
    return std::nullopt;
  mlir::FailureOr<Tensor> tensor = tensorFromAttr(constant.getValue());
  if (mlir::failed(tensor))
    return std::nullopt;
  return std::move(*tensor);
}

/// A new constant holding `tensor` with element type `element`.
inline mlir::Value createConstant(mlir::OpBuilder &builder, mlir::Location loc,
                                  const Tensor &tensor, mlir::Type element,
                                  llvm::StringRef blobName) {
  auto type = mlir::RankedTensorType::get(tensor.shape, element);
  return ConstantOp::create(builder, loc,
                            tensorToElementsAttr(tensor, type, blobName));
}

/// A 1-D f32 dense attribute.
inline mlir::DenseElementsAttr floatsAttr(mlir::MLIRContext *ctx,
                                          llvm::ArrayRef<float> values) {
  auto type = mlir::RankedTensorType::get({(int64_t)values.size()},
                                          mlir::Float32Type::get(ctx));
  return mlir::DenseElementsAttr::get(type, values);
}

inline std::vector<float> floatsOf(mlir::Attribute attr) {
  auto dense = llvm::dyn_cast_or_null<mlir::DenseElementsAttr>(attr);
  if (!dense)
    return {};
  auto values = dense.getValues<float>();
  return std::vector<float>(values.begin(), values.end());
}

/// The entry function of a module (@main), or null.
inline mlir::func::FuncOp entryFunction(mlir::ModuleOp module) {
  return module.lookupSymbol<mlir::func::FuncOp>("main");
}

/// Linears whose weight is a constant f32 [K, N]: the ones the passes
/// rescale, quantize or prune.
inline bool hasConstantWeight(LinearOp linear) {
  return linear.getWeight().getDefiningOp<ConstantOp>() &&
         mlir::cast<mlir::RankedTensorType>(linear.getWeight().getType())
             .getElementType()
             .isF32();
}

/// The calibration samples a pass runs on: checks that `dataPath` is set
/// and loads it for @main; on failure emits "<pass>: ..." on the module.
mlir::FailureOr<std::vector<std::vector<Tensor>>>
loadPassSamples(mlir::ModuleOp module, llvm::StringRef pass,
                llvm::StringRef dataPath, unsigned maxSamples);

/// Signal-to-quantization-noise ratio in dB of `approx` against `exact`.
double sqnrDb(llvm::ArrayRef<float> exact, llvm::ArrayRef<float> approx);

/// Result of quantizing a [K, N] weight.
struct QuantizedWeight {
  Tensor values;             // storage integers, shape [K, N]
  std::vector<float> scales; // [N] (per channel) or [K/group, N]
  int64_t group = 0;         // 0: per output channel
  int bits = 8;
  std::vector<float> dequantized; // for error measurement
};

/// Symmetric quantization of a [K, N] weight to `bits` (8 or 4), per
/// output channel (group 0) or in groups of `group` rows along K; `clip`
/// (per output channel, optional) scales each channel's range down.
QuantizedWeight quantizeWeight(const Tensor &weight, int bits, int64_t group,
                               llvm::ArrayRef<float> clip = {});

/// The `!quant.uniform` type of a quantized weight.
mlir::quant::QuantizedType weightQuantType(mlir::MLIRContext *ctx,
                                           const QuantizedWeight &weight,
                                           llvm::ArrayRef<int64_t> shape);

/// A weight storage format: "f32", "w16" (f16), "w8" (i8 per output
/// channel), "w4c" (i4 per output channel) or "w4g<G>" (i4 in groups of G
/// rows of K per output channel).
struct WeightFormat {
  int bits = 32;     // 32, 16, 8 or 4
  int64_t group = 0; // rows of K per scale; 0: the whole column
};

/// Parses a format name; nothing for an unknown one.
std::optional<WeightFormat> parseWeightFormat(llvm::StringRef name);

/// Bytes of a [K, N] weight stored in `format`, scales included.
int64_t weightBytes(llvm::StringRef format, int64_t k, int64_t n);

} // namespace llmo

#endif // LLMO_PASSES_QUANTUTILS_H
