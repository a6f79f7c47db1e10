//===- Tensor.cpp - Interpreter tensors and their conversions -------------===//

#include "llmo/Interpreter/Tensor.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/APFloat.h"

#include <cstring>

using namespace mlir;

namespace llmo {

bool isFloat(DType dtype) {
  return dtype == DType::F32 || dtype == DType::F16 || dtype == DType::BF16;
}

const char *dtypeName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "f32";
  case DType::F16:
    return "f16";
  case DType::BF16:
    return "bf16";
  case DType::I1:
    return "i1";
  case DType::I4:
    return "i4";
  case DType::I8:
    return "i8";
  case DType::U8:
    return "ui8";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  }
  return "?";
}

const char *npyCode(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "f4";
  case DType::F16:
    return "f2";
  case DType::BF16:
    return "";
  case DType::I1:
    return "b1";
  case DType::I4:
    return "i1";
  case DType::I8:
    return "i1";
  case DType::U8:
    return "u1";
  case DType::I32:
    return "i4";
  case DType::I64:
    return "i8";
  }
  return "";
}

int64_t dtypeMin(DType dtype) {
  switch (dtype) {
  case DType::I1:
    return 0;
  case DType::I4:
    return -8;
  case DType::I8:
    return -128;
  case DType::U8:
    return 0;
  case DType::I32:
    return INT32_MIN;
  default:
    return INT64_MIN;
  }
}

int64_t dtypeMax(DType dtype) {
  switch (dtype) {
  case DType::I1:
    return 1;
  case DType::I4:
    return 7;
  case DType::I8:
    return 127;
  case DType::U8:
    return 255;
  case DType::I32:
    return INT32_MAX;
  default:
    return INT64_MAX;
  }
}

int64_t wrapToDType(int64_t value, DType dtype) {
  switch (dtype) {
  case DType::I1:
    return value & 1;
  case DType::I4: // Sign-extend the low nibble (no shifts of negatives).
    return (int64_t)((value & 0xf) ^ 0x8) - 8;
  case DType::I8:
    return (int8_t)(uint8_t)value;
  case DType::U8:
    return (uint8_t)value;
  case DType::I32:
    return (int32_t)(uint32_t)value;
  default:
    return value;
  }
}

float roundToDType(float value, DType dtype) {
  if (dtype == DType::F32)
    return value;
  bool losesInfo;
  APFloat converted(value);
  converted.convert(dtype == DType::F16 ? APFloat::IEEEhalf()
                                        : APFloat::BFloat(),
                    APFloat::rmNearestTiesToEven, &losesInfo);
  converted.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven,
                    &losesInfo);
  return converted.convertToFloat();
}

FailureOr<DType> dtypeOf(Type type) {
  if (auto quantType = dyn_cast<quant::QuantizedType>(type)) {
    // Quant storage types are signless; signedness is a flag of the type.
    unsigned width = quantType.getStorageTypeIntegralWidth();
    if (width == 8)
      return quantType.isSigned() ? DType::I8 : DType::U8;
    if (width == 4 && quantType.isSigned())
      return DType::I4;
    if (width == 32 && quantType.isSigned())
      return DType::I32;
    return failure();
  }
  if (type.isF32())
    return DType::F32;
  if (type.isF16())
    return DType::F16;
  if (type.isBF16())
    return DType::BF16;
  if (auto intType = dyn_cast<IntegerType>(type)) {
    switch (intType.getWidth()) {
    case 1:
      return DType::I1;
    case 4:
      if (!intType.isUnsigned())
        return DType::I4;
      break;
    case 8:
      return intType.isUnsigned() ? DType::U8 : DType::I8;
    case 32:
      if (!intType.isUnsigned())
        return DType::I32;
      break;
    case 64:
      if (!intType.isUnsigned())
        return DType::I64;
      break;
    }
  }
  return failure();
}

Tensor::Tensor(DType dtype, std::vector<int64_t> shape)
    : dtype(dtype), shape(std::move(shape)) {
  if (isFloat(dtype))
    floats.assign(numElements(), 0.0f);
  else
    ints.assign(numElements(), 0);
}

int64_t Tensor::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

std::vector<int64_t> Tensor::strides() const {
  std::vector<int64_t> result(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    result[i] = result[i + 1] * shape[i + 1];
  return result;
}

/// Fills `tensor` from little-endian bytes in its dtype.
static void fillFromBytes(Tensor &tensor, const char *data) {
  int64_t n = tensor.numElements();
  if (n == 0)
    return;
  switch (tensor.dtype) {
  case DType::F32:
    std::memcpy(tensor.floats.data(), data, n * sizeof(float));
    return;
  case DType::F16:
  case DType::BF16:
    for (int64_t i = 0; i < n; ++i) {
      uint16_t bits;
      std::memcpy(&bits, data + 2 * i, 2);
      if (tensor.dtype == DType::BF16) {
        uint32_t wide = (uint32_t)bits << 16;
        std::memcpy(&tensor.floats[i], &wide, 4);
      } else {
        APFloat half(APFloat::IEEEhalf(), APInt(16, bits));
        tensor.floats[i] = half.convertToFloat();
      }
    }
    return;
  case DType::I1:
  case DType::U8:
    for (int64_t i = 0; i < n; ++i)
      tensor.ints[i] = (uint8_t)data[i];
    return;
  case DType::I4:
  case DType::I8:
    for (int64_t i = 0; i < n; ++i)
      tensor.ints[i] = (int8_t)data[i];
    return;
  case DType::I32:
    for (int64_t i = 0; i < n; ++i) {
      int32_t v;
      std::memcpy(&v, data + 4 * i, 4);
      tensor.ints[i] = v;
    }
    return;
  case DType::I64:
    std::memcpy(tensor.ints.data(), data, n * sizeof(int64_t));
    return;
  }
}

static int byteWidth(DType dtype) {
  switch (dtype) {
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::F16:
  case DType::BF16:
    return 2;
  case DType::I64:
    return 8;
  default:
    return 1;
  }
}

std::vector<char> tensorToBytes(const Tensor &tensor) {
  int64_t n = tensor.numElements();
  std::vector<char> bytes(n * byteWidth(tensor.dtype));
  for (int64_t i = 0; i < n; ++i) {
    char *out = bytes.data() + i * byteWidth(tensor.dtype);
    switch (tensor.dtype) {
    case DType::F32:
      std::memcpy(out, &tensor.floats[i], 4);
      break;
    case DType::F16:
    case DType::BF16: {
      APFloat value(tensor.floats[i]);
      bool losesInfo;
      value.convert(tensor.dtype == DType::F16 ? APFloat::IEEEhalf()
                                               : APFloat::BFloat(),
                    APFloat::rmNearestTiesToEven, &losesInfo);
      uint16_t bits = value.bitcastToAPInt().getZExtValue();
      std::memcpy(out, &bits, 2);
      break;
    }
    case DType::I32: {
      int32_t v = (int32_t)tensor.ints[i];
      std::memcpy(out, &v, 4);
      break;
    }
    case DType::I64:
      std::memcpy(out, &tensor.ints[i], 8);
      break;
    default:
      *out = (char)tensor.ints[i];
      break;
    }
  }
  return bytes;
}

FailureOr<Tensor> tensorFromAttr(ElementsAttr attr) {
  auto type = cast<ShapedType>(attr.getType());
  FailureOr<DType> dtype = dtypeOf(type.getElementType());
  if (failed(dtype))
    return failure();
  Tensor tensor(*dtype, std::vector<int64_t>(type.getShape().begin(),
                                             type.getShape().end()));
  int64_t n = tensor.numElements();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    // i1 is not stored as resources; i4 blobs hold one byte per element.
    if (!blob || *dtype == DType::I1)
      return failure();
    ArrayRef<char> data = blob->getData();
    if ((int64_t)data.size() != n * byteWidth(*dtype))
      return failure();
    fillFromBytes(tensor, data.data());
    if (*dtype == DType::I4)
      for (int64_t v : tensor.ints)
        if (v < -8 || v > 7)
          return failure();
    return tensor;
  }
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (!dense)
    return failure();
  if (isFloat(*dtype)) {
    if (*dtype == DType::F32 && !dense.isSplat()) {
      auto values = dense.getValues<float>();
      std::copy(values.begin(), values.end(), tensor.floats.begin());
    } else {
      int64_t i = 0;
      for (APFloat value : dense.getValues<APFloat>())
        tensor.floats[i++] = value.convertToFloat();
    }
  } else {
    bool isUnsigned = type.getElementType().isUnsignedInteger() ||
                      type.getElementType().isInteger(1);
    int64_t i = 0;
    for (APInt value : dense.getValues<APInt>())
      tensor.ints[i++] =
          isUnsigned ? (int64_t)value.getZExtValue() : value.getSExtValue();
  }
  (void)n;
  return tensor;
}

DenseElementsAttr tensorToDenseAttr(const Tensor &tensor,
                                    RankedTensorType type) {
  Type element = type.getElementType();
  if (tensor.dtype == DType::F32)
    return DenseElementsAttr::get(type, ArrayRef<float>(tensor.floats));
  if (isFloat(tensor.dtype)) {
    const llvm::fltSemantics &semantics =
        cast<FloatType>(element).getFloatSemantics();
    SmallVector<APFloat> values;
    for (float f : tensor.floats) {
      APFloat value(f);
      bool losesInfo;
      value.convert(semantics, APFloat::rmNearestTiesToEven, &losesInfo);
      values.push_back(value);
    }
    return DenseElementsAttr::get(type, values);
  }
  if (tensor.dtype == DType::I1) {
    SmallVector<bool> values(tensor.ints.begin(), tensor.ints.end());
    return DenseElementsAttr::get(type, values);
  }
  unsigned width = element.getIntOrFloatBitWidth();
  SmallVector<APInt> values;
  for (int64_t v : tensor.ints)
    values.push_back(APInt(width, (uint64_t)v, /*isSigned=*/true,
                           /*implicitTrunc=*/true));
  return DenseElementsAttr::get(type, values);
}

ElementsAttr tensorToElementsAttr(const Tensor &tensor, RankedTensorType type,
                                  StringRef blobName) {
  int64_t n = tensor.numElements();
  bool splat = n > 0;
  for (int64_t i = 1; i < n && splat; ++i)
    splat = tensor.get(i) == tensor.get(0);
  if (splat && n > 1) {
    Tensor one = tensor;
    one.shape = {};
    if (isFloat(one.dtype))
      one.floats.resize(1);
    else
      one.ints.resize(1);
    auto scalar = tensorToDenseAttr(
        one, RankedTensorType::get({}, type.getElementType()));
    return DenseElementsAttr::get(type, scalar.getValues<Attribute>()[0]);
  }
  if (n <= 64 || tensor.dtype == DType::I1)
    return tensorToDenseAttr(tensor, type);
  std::vector<char> bytes = tensorToBytes(tensor);
  std::string name = blobName.empty() ? "cst" : blobName.str();
  for (char &c : name)
    if (!isalnum((unsigned char)c) && c != '_' && c != '.')
      c = '_';
  return DenseResourceElementsAttr::get(
      type, name,
      HeapAsmResourceBlob::allocateAndCopyWithAlign(
          ArrayRef<char>(bytes.data(), bytes.size()), alignof(uint64_t)));
}

bool tensorFromNpy(const NpyArray &array, DType expected, Tensor &tensor,
                   std::string &error) {
  if (array.dtype != npyCode(expected) || expected == DType::I4 ||
      expected == DType::BF16) {
    error = std::string("dtype is '") + array.dtype + "' but the input is " +
            dtypeName(expected) + " (expected numpy dtype '" +
            npyCode(expected) + "')";
    return false;
  }
  tensor = Tensor(expected, array.shape);
  fillFromBytes(tensor, array.data.data());
  return true;
}

NpyArray tensorToNpy(const Tensor &tensor) {
  NpyArray array;
  array.dtype = npyCode(tensor.dtype);
  array.shape = tensor.shape;
  if (tensor.dtype == DType::BF16) {
    // numpy has no bf16: widen to f32.
    array.dtype = "f4";
    array.data.resize(tensor.floats.size() * 4);
    std::memcpy(array.data.data(), tensor.floats.data(), array.data.size());
    return array;
  }
  array.data = tensorToBytes(tensor);
  return array;
}

} // namespace llmo
