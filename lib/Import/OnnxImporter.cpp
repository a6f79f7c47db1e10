//===- OnnxImporter.cpp - ONNX to llmo IR ---------------------------------===//
//
// Walks the ONNX graph in order and emits one or a few llmo ops per node,
// computing static result types as it goes. Shape computations (Shape,
// Gather, Concat, Range, ... on known values) are folded on the spot with
// the reference interpreter, so exporter-emitted Shape chains become
// constants and Reshape/Expand targets are known.
//
//===----------------------------------------------------------------------===//

#include "llmo/Import/OnnxImporter.h"
#include "OnnxLoader.h"

#include "llmo/Dialect/Llmo.h"
#include "llmo/Interpreter/Interpreter.h"
#include "llmo/Passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <set>

using namespace mlir;

namespace llmo {
namespace {

/// The most elements a tensor the importer creates itself may have (a
/// folded constant, ConstantOfShape, Range): 2^28, 1 GiB of f32. Shape
/// chains fold tiny tensors; a larger one means a malformed model or a
/// --input-shape far beyond anything the graph was made for.
constexpr int64_t kMaxCreatedElements = int64_t(1) << 28;

/// The number of elements of `shape`, or nullopt when a dim is negative or
/// the product exceeds `limit` (checked without overflowing).
std::optional<int64_t> boundedElements(llvm::ArrayRef<int64_t> shape,
                                       int64_t limit) {
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return std::nullopt;
    if (d != 0 && count > limit / d)
      return std::nullopt;
    count *= d;
  }
  return count;
}

using NodeProto = onnx::NodeProto;

/// Element type of an ONNX TensorProto data type, or null.
Type elementTypeOf(MLIRContext *ctx, int dataType) {
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
    return Float32Type::get(ctx);
  case onnx::TensorProto::FLOAT16:
    return Float16Type::get(ctx);
  case onnx::TensorProto::BFLOAT16:
    return BFloat16Type::get(ctx);
  case onnx::TensorProto::UINT8:
    return IntegerType::get(ctx, 8, IntegerType::Unsigned);
  case onnx::TensorProto::INT8:
    return IntegerType::get(ctx, 8);
  case onnx::TensorProto::INT32:
    return IntegerType::get(ctx, 32);
  case onnx::TensorProto::INT64:
    return IntegerType::get(ctx, 64);
  case onnx::TensorProto::BOOL:
    return IntegerType::get(ctx, 1);
  case 22 /* INT4, opset 21; newer than Debian's onnx.proto */:
    return IntegerType::get(ctx, 4);
  default:
    return {};
  }
}

std::string dataTypeName(int dataType) {
  if (onnx::TensorProto_DataType_IsValid(dataType))
    return onnx::TensorProto_DataType_Name(
        (onnx::TensorProto_DataType)dataType);
  return "type " + std::to_string(dataType);
}

std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

class Importer {
public:
  Importer(MLIRContext &ctx, const onnx::ModelProto &model,
           const std::string &path, const ImportOptions &options)
      : ctx(ctx), builder(&ctx), model(model), path(path), options(options) {}

  OwningOpRef<ModuleOp> run(std::string &errorOut);

private:
  // Diagnostics ------------------------------------------------------------
  LogicalResult fail(const NodeProto &node, const Twine &reason) {
    if (error.empty())
      error = "node '" + (node.name().empty() ? "<unnamed>" : node.name()) +
              "' (" + node.op_type() + "): " + reason.str();
    return failure();
  }

  // Values -------------------------------------------------------------------
  RankedTensorType typeOf(Value v) {
    return cast<RankedTensorType>(v.getType());
  }
  ArrayRef<int64_t> shapeOf(Value v) { return typeOf(v).getShape(); }
  Type elemOf(Value v) { return typeOf(v).getElementType(); }
  RankedTensorType tensorType(ArrayRef<int64_t> shape, Type element) {
    return RankedTensorType::get(shape, element);
  }

  /// The value of `v` if it is a constant.
  const Tensor *known(Value v) {
    auto constant = v ? v.getDefiningOp<ConstantOp>() : ConstantOp();
    if (!constant)
      return nullptr;
    auto it = constants.find(v.getAsOpaquePointer());
    if (it != constants.end())
      return &it->second;
    FailureOr<Tensor> tensor = tensorFromAttr(constant.getValue());
    if (failed(tensor))
      return nullptr;
    return &(constants[v.getAsOpaquePointer()] = std::move(*tensor));
  }

  /// A weight: a constant, or the dequantized constant of a QDQ model.
  bool isWeight(Value v) {
    if (known(v))
      return true;
    auto dequantize = v.getDefiningOp<DequantizeOp>();
    auto storage = dequantize
                       ? dequantize.getOperand().getDefiningOp<StorageCastOp>()
                       : StorageCastOp();
    return storage && known(storage.getOperand());
  }

  /// Integer contents of a constant input (shapes, axes, starts, ...).
  FailureOr<std::vector<int64_t>> knownInts(const NodeProto &node, Value v,
                                            StringRef what) {
    const Tensor *t = known(v);
    if (!t || isFloat(t->dtype)) {
      (void)fail(node, "input '" + what.str() +
                           "' must be a constant (or computable from shapes) "
                           "integer tensor");
      return failure();
    }
    return t->ints;
  }

  Value constant(const Tensor &tensor, Type element, StringRef name = "");
  Value scalarConstant(double value, Type element) {
    Tensor t(*dtypeOf(element), {});
    if (isFloat(t.dtype))
      t.floats[0] = roundToDType((float)value, t.dtype);
    else
      t.ints[0] = (int64_t)value;
    return constant(t, element);
  }
  FailureOr<Tensor> tensorFromProto(const onnx::TensorProto &proto);

  /// Folds `op` into constants when all its operands are constants and it is
  /// not a quantization op (those carry the model's quantization decisions).
  SmallVector<Value> finish(Operation *op);
  Value finish1(Operation *op) { return finish(op)[0]; }

  /// A rank-0 constant of `like`'s element type, which broadcasts to it.
  Value scalarBroadcast(double value, Value like) {
    return scalarConstant(value, elemOf(like));
  }
  static void copyFirst(const Tensor &src, Tensor &dst, int64_t i) {
    if (isFloat(src.dtype))
      dst.floats[i] = src.floats[0];
    else
      dst.ints[i] = src.ints[0];
  }

  template <typename OpTy, typename... Args>
  Value create(Type type, Args &&...args) {
    return finish1(
        OpTy::create(builder, loc, type, std::forward<Args>(args)...));
  }

  FailureOr<Value> broadcastBinary(const NodeProto &node, StringRef opType,
                                   Value lhs, Value rhs);
  Value reshape(Value v, ArrayRef<int64_t> shape) {
    if (shapeOf(v) == shape)
      return v;
    return create<ReshapeOp>(tensorType(shape, elemOf(v)), v);
  }
  Value castTo(Value v, Type element) {
    if (elemOf(v) == element)
      return v;
    return create<CastOp>(tensorType(shapeOf(v), element), v);
  }
  Value transpose(Value v, ArrayRef<int64_t> perm) {
    SmallVector<int64_t> shape;
    for (int64_t p : perm)
      shape.push_back(shapeOf(v)[p]);
    return create<TransposeOp>(tensorType(shape, elemOf(v)), v,
                               builder.getDenseI64ArrayAttr(perm));
  }

  // Quantization helpers -----------------------------------------------------
  FailureOr<quant::QuantizedType>
  quantType(const NodeProto &node, ArrayRef<int64_t> shape, Type storage,
            Value scale, Value zeroPoint, int64_t axis, int64_t blockSize);

  // Node import
  // ----------------------------------------------------------------
  LogicalResult importNode(const NodeProto &node);
  LogicalResult checkOpsetForm(const NodeProto &node);
  LogicalResult checkDeclaredOutput(const onnx::ValueInfoProto &output,
                                    Value value, std::string &errorOut);
  using Handler = std::function<LogicalResult(
      const NodeProto &, ArrayRef<Value>, SmallVectorImpl<Value> &)>;
  void registerHandlers();

  MLIRContext &ctx;
  OpBuilder builder;
  Location loc = UnknownLoc::get(&ctx);
  const onnx::ModelProto &model;
  std::string path;
  const ImportOptions &options;
  int64_t opset = 0;
  std::string error;
  const NodeProto *currentNode = nullptr;
  std::map<std::string, Value> values;
  std::map<const void *, Tensor> constants;
  llvm::StringMap<Handler> handlers;
};

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

const onnx::AttributeProto *findAttr(const NodeProto &node, StringRef name) {
  for (const auto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

int64_t attrInt(const NodeProto &node, StringRef name, int64_t def) {
  const auto *attr = findAttr(node, name);
  return attr ? attr->i() : def;
}

float attrFloat(const NodeProto &node, StringRef name, float def) {
  const auto *attr = findAttr(node, name);
  return attr ? attr->f() : def;
}

std::string attrString(const NodeProto &node, StringRef name, StringRef def) {
  const auto *attr = findAttr(node, name);
  return attr ? attr->s() : def.str();
}

std::optional<std::vector<int64_t>> attrInts(const NodeProto &node,
                                             StringRef name) {
  const auto *attr = findAttr(node, name);
  if (!attr)
    return std::nullopt;
  return std::vector<int64_t>(attr->ints().begin(), attr->ints().end());
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

FailureOr<Tensor> Importer::tensorFromProto(const onnx::TensorProto &proto) {
  Type element = elementTypeOf(&ctx, proto.data_type());
  if (!element)
    return failure();
  DType dtype = *dtypeOf(element);
  std::vector<int64_t> dims(proto.dims().begin(), proto.dims().end());
  // Dims are checked before anything is allocated; the data then bounds
  // the size (raw bytes, or typed values, must match the dims exactly).
  std::optional<int64_t> count =
      boundedElements(dims, std::numeric_limits<int64_t>::max() / 16);
  if (!count)
    return failure();
  int64_t n = *count;
  int64_t stored = proto.has_raw_data()
                       ? (int64_t)proto.raw_data().size()
                       : proto.float_data_size() + proto.int64_data_size() +
                             proto.int32_data_size() +
                             proto.double_data_size() +
                             proto.uint64_data_size();
  // At least half a byte per element (i4), one value per typed element.
  if (proto.has_raw_data() ? n > stored * 2 : n > stored)
    return failure();
  Tensor t(dtype, std::move(dims));
  if (proto.has_raw_data()) {
    const std::string &raw = proto.raw_data();
    int64_t width = dtype == DType::I4
                        ? 0
                        : (int64_t)tensorToBytes(Tensor(dtype, {})).size();
    if (dtype == DType::I4) {
      if ((int64_t)raw.size() != (n + 1) / 2)
        return failure();
      for (int64_t i = 0; i < n; ++i) {
        uint8_t byte = raw[i / 2];
        t.ints[i] = wrapToDType(i % 2 ? byte >> 4 : byte & 0xf, DType::I4);
      }
      return t;
    }
    if ((int64_t)raw.size() != n * width)
      return failure();
    NpyArray array;
    array.dtype = npyCode(dtype);
    array.shape = t.shape;
    array.data.assign(raw.begin(), raw.end());
    if (dtype == DType::BF16) {
      for (int64_t i = 0; i < n; ++i) {
        uint32_t bits = (uint32_t)(uint8_t)raw[2 * i] |
                        ((uint32_t)(uint8_t)raw[2 * i + 1] << 8);
        bits <<= 16;
        std::memcpy(&t.floats[i], &bits, 4);
      }
      return t;
    }
    std::string ignored;
    if (!tensorFromNpy(array, dtype, t, ignored))
      return failure();
    return t;
  }
  switch (proto.data_type()) {
  case onnx::TensorProto::FLOAT:
    if (proto.float_data_size() != n)
      return failure();
    for (int64_t i = 0; i < n; ++i)
      t.floats[i] = proto.float_data(i);
    return t;
  case onnx::TensorProto::INT64:
    if (proto.int64_data_size() != n)
      return failure();
    for (int64_t i = 0; i < n; ++i)
      t.ints[i] = proto.int64_data(i);
    return t;
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
    if (proto.int32_data_size() != n)
      return failure();
    for (int64_t i = 0; i < n; ++i) {
      uint16_t bits = proto.int32_data(i);
      if (dtype == DType::BF16) {
        uint32_t wide = (uint32_t)bits << 16;
        std::memcpy(&t.floats[i], &wide, 4);
      } else {
        t.floats[i] =
            llvm::APFloat(llvm::APFloat::IEEEhalf(), llvm::APInt(16, bits))
                .convertToFloat();
      }
    }
    return t;
  default:
    if (dtype == DType::I4) {
      if (proto.int32_data_size() != (n + 1) / 2)
        return failure();
      for (int64_t i = 0; i < n; ++i) {
        uint8_t byte = proto.int32_data(i / 2);
        t.ints[i] = wrapToDType(i % 2 ? byte >> 4 : byte & 0xf, DType::I4);
      }
      return t;
    }
    if (proto.int32_data_size() != n)
      return failure();
    for (int64_t i = 0; i < n; ++i)
      t.ints[i] = wrapToDType(proto.int32_data(i), dtype);
    return t;
  }
}

Value Importer::constant(const Tensor &tensor, Type element, StringRef name) {
  ElementsAttr attr =
      tensorToElementsAttr(tensor, tensorType(tensor.shape, element), name);
  Value v = ConstantOp::create(builder, loc, attr);
  constants[v.getAsOpaquePointer()] = tensor;
  return v;
}

SmallVector<Value> Importer::finish(Operation *op) {
  SmallVector<Value> results(op->getResults());
  if (isa<ConstantOp, QuantizeOp, DequantizeOp, StorageCastOp,
          DynamicQuantizeOp>(op))
    return results;
  std::vector<const Tensor *> operands;
  for (Value operand : op->getOperands()) {
    const Tensor *t = known(operand);
    if (!t)
      return results;
    operands.push_back(t);
  }
  // The interpreter assumes verified ops (a float softmax, integer
  // operands of a bitwise op): an op the verifier rejects is left for the
  // module's verification, which reports it naming the node.
  {
    ScopedDiagnosticHandler quiet(&ctx, [](Diagnostic &) { return success(); });
    if (failed(mlir::verify(op, /*verifyRecursively=*/false)))
      return results;
  }
  for (Value result : op->getResults())
    if (!boundedElements(cast<RankedTensorType>(result.getType()).getShape(),
                         kMaxCreatedElements)) {
      (void)fail(
          *currentNode,
          "its constant result " +
              shapeString(cast<RankedTensorType>(result.getType()).getShape()) +
              " would have more than 2^28 elements (a malformed shape, "
              "or an --input-shape too large)");
      return results;
    }
  // A constant computation that fails (e.g. an integer division by zero)
  // fails the import rather than leaving a graph that fails at run time.
  std::string diagnostic;
  FailureOr<std::vector<Tensor>> folded;
  {
    ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &diag) {
      diagnostic = diag.str();
      return success();
    });
    folded = evaluateOp(op, operands);
  }
  if (failed(folded)) {
    if (error.empty())
      (void)fail(*currentNode,
                 "evaluating constant inputs failed: " + diagnostic);
    return results;
  }
  SmallVector<Value> constantsOut;
  for (auto [result, tensor] : llvm::zip(op->getResults(), *folded))
    constantsOut.push_back(constant(
        tensor, cast<RankedTensorType>(result.getType()).getElementType()));
  op->erase();
  return constantsOut;
}

FailureOr<Value> Importer::broadcastBinary(const NodeProto &node,
                                           StringRef opType, Value lhs,
                                           Value rhs) {
  if (elemOf(lhs) != elemOf(rhs))
    return fail(node, "operand element types differ");
  auto shape = broadcastShapes(shapeOf(lhs), shapeOf(rhs));
  if (failed(shape))
    return fail(node, "shapes " + shapeString(shapeOf(lhs)) + " and " +
                          shapeString(shapeOf(rhs)) + " are not broadcastable");
  auto type = tensorType(*shape, elemOf(lhs));
  auto boolType = tensorType(*shape, builder.getI1Type());
  static const llvm::StringMap<std::function<Operation *(
      OpBuilder &, Location, Type, Type, Value, Value)>>
      builders = {
#define LLMO_BIN(NAME, OP, BOOL)                                               \
  {                                                                            \
    NAME, [](OpBuilder &b, Location l, Type t, Type bt, Value x, Value y) {    \
      return OP::create(b, l, BOOL ? bt : t, x, y).getOperation();             \
    }                                                                          \
  }
          LLMO_BIN("Add", AddOp, false),
          LLMO_BIN("Sub", SubOp, false),
          LLMO_BIN("Mul", MulOp, false),
          LLMO_BIN("Div", DivOp, false),
          LLMO_BIN("Pow", PowOp, false),
          LLMO_BIN("Max", MaxOp, false),
          LLMO_BIN("Min", MinOp, false),
          LLMO_BIN("Sum", AddOp, false),
          LLMO_BIN("And", AndOp, false),
          LLMO_BIN("Or", OrOp, false),
          LLMO_BIN("Equal", EqualOp, true),
          LLMO_BIN("Less", LessOp, true),
          LLMO_BIN("LessOrEqual", LessEqualOp, true),
          LLMO_BIN("Greater", GreaterOp, true),
          LLMO_BIN("GreaterOrEqual", GreaterEqualOp, true),
#undef LLMO_BIN
      };
  return finish1(
      builders.lookup(opType)(builder, loc, type, boolType, lhs, rhs));
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

FailureOr<quant::QuantizedType>
Importer::quantType(const NodeProto &node, ArrayRef<int64_t> shape,
                    Type storage, Value scale, Value zeroPoint, int64_t axis,
                    int64_t blockSize) {
  const Tensor *scales = known(scale);
  if (!scales || !isFloat(scales->dtype))
    return fail(node, "the scale must be a constant float tensor");
  const Tensor *zps = zeroPoint ? known(zeroPoint) : nullptr;
  if (zeroPoint && !zps)
    return fail(node, "the zero point must be a constant");
  if (zps && zps->numElements() != scales->numElements())
    return fail(node, "scale and zero point have different sizes");
  if (zps && isFloat(zps->dtype))
    return fail(node, "the zero point must be an integer tensor");
  auto intType = dyn_cast<IntegerType>(storage);
  if (!intType || intType.getWidth() > 16)
    return fail(node, "the quantized values must be 4-, 8- or 16-bit "
                      "integers");
  bool isSigned = !intType.isUnsigned();
  unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
  Type storageType = IntegerType::get(&ctx, intType.getWidth());
  Type expressed = elemOf(scale);
  int64_t qmin = quant::QuantizedType::getDefaultMinimumForInteger(
      isSigned, intType.getWidth());
  int64_t qmax = quant::QuantizedType::getDefaultMaximumForInteger(
      isSigned, intType.getWidth());
  auto zpAt = [&](int64_t i) { return zps ? zps->ints[i] : 0; };
  for (int64_t i = 0; i < scales->numElements(); ++i)
    if (!(scales->floats[i] > 0) || !std::isfinite(scales->floats[i]))
      return fail(node, "scales must be positive and finite");
  int64_t rank = shape.size();
  if (axis < 0)
    axis += rank;
  if (scales->numElements() == 1 && blockSize == 0)
    return cast<quant::QuantizedType>(quant::UniformQuantizedType::get(
        flags, storageType, expressed, scales->floats[0], zpAt(0), qmin, qmax));
  if (axis < 0 || axis >= rank)
    return fail(node, "axis is out of range");
  if (blockSize == 0) {
    if (scales->rank() != 1 || scales->shape[0] != shape[axis])
      return fail(node, "per-axis scale has shape " +
                            shapeString(scales->shape) + " but dim " +
                            std::to_string(axis) + " has size " +
                            std::to_string(shape[axis]));
    SmallVector<double> s(scales->floats.begin(), scales->floats.end());
    SmallVector<int64_t> z;
    for (int64_t i = 0; i < scales->numElements(); ++i)
      z.push_back(zpAt(i));
    return cast<quant::QuantizedType>(quant::UniformQuantizedPerAxisType::get(
        flags, storageType, expressed, s, z, axis, qmin, qmax));
  }
  // Blocked (opset 21): scale has the input's shape with dim `axis` divided
  // by the block size.
  if (scales->rank() != rank)
    return fail(node, "blocked scale must have the input's rank");
  for (int64_t d = 0; d < rank; ++d) {
    int64_t expected = d == axis ? shape[d] / blockSize : shape[d];
    if (d == axis && shape[d] % blockSize != 0)
      return fail(node, "block_size " + std::to_string(blockSize) +
                            " does not divide dim " + std::to_string(d) +
                            " (size " + std::to_string(shape[d]) +
                            "): partial blocks are not supported");
    if (scales->shape[d] != expected)
      return fail(node, "blocked scale shape " + shapeString(scales->shape) +
                            " does not match the input shape");
  }
  auto scaleType = tensorType(scales->shape, expressed);
  auto zpType = tensorType(scales->shape, storageType);
  SmallVector<APFloat> sv;
  SmallVector<APInt> zv;
  for (int64_t i = 0; i < scales->numElements(); ++i) {
    sv.push_back(APFloat(scales->floats[i]));
    zv.push_back(APInt(intType.getWidth(), zpAt(i), isSigned));
  }
  SmallVector<int32_t> dims;
  SmallVector<int64_t> blocks;
  // Upstream's convention: a dim not listed is one block (scale dim 1), so
  // every dim with more than one scale is listed with its block size.
  for (int64_t d = 0; d < rank; ++d) {
    if (scales->shape[d] != 1 || d == axis) {
      dims.push_back(d);
      blocks.push_back(shape[d] / scales->shape[d]);
    }
  }
  return cast<quant::QuantizedType>(quant::UniformQuantizedSubChannelType::get(
      flags, storageType, expressed, DenseElementsAttr::get(scaleType, sv),
      DenseElementsAttr::get(zpType, zv), dims, blocks, qmin, qmax));
}

//===----------------------------------------------------------------------===//
// Handlers
//===----------------------------------------------------------------------===//

int64_t normAxis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

void Importer::registerHandlers() {
  using Outs = SmallVectorImpl<Value>;
  auto &h = handlers;

  for (StringRef name :
       {"Add", "Sub", "Mul", "Div", "Max", "Min", "Sum", "And", "Or", "Equal",
        "Less", "LessOrEqual", "Greater", "GreaterOrEqual"})
    h[name] = [this, name](const NodeProto &n, ArrayRef<Value> in, Outs &out) {
      if (in.empty() || !in[0])
        return fail(n, "expects at least one input");
      bool variadic = name == "Max" || name == "Min" || name == "Sum";
      if (!variadic && in.size() != 2)
        return fail(n, "expects 2 inputs, got " + std::to_string(in.size()));
      Value acc = in[0];
      for (auto [i, next] : llvm::enumerate(in.drop_front())) {
        if (!next)
          return fail(n, "input " + std::to_string(i + 1) +
                             " is missing (empty name)");
        FailureOr<Value> v = broadcastBinary(n, name, acc, next);
        if (failed(v))
          return failure();
        acc = *v;
      }
      out.push_back(acc);
      return success();
    };
  h["Pow"] = [this](const NodeProto &n, ArrayRef<Value> in, Outs &out) {
    // An integer base with a float exponent is computed in float and
    // truncated back (as onnxruntime does); otherwise the exponent takes
    // the base's type.
    if (isa<IntegerType>(elemOf(in[0])) && isa<FloatType>(elemOf(in[1]))) {
      FailureOr<Value> v =
          broadcastBinary(n, "Pow", castTo(in[0], elemOf(in[1])), in[1]);
      if (failed(v))
        return failure();
      out.push_back(castTo(*v, elemOf(in[0])));
      return success();
    }
    FailureOr<Value> v =
        broadcastBinary(n, "Pow", in[0], castTo(in[1], elemOf(in[0])));
    if (failed(v))
      return failure();
    out.push_back(*v);
    return success();
  };

#define LLMO_UNARY(NAME, OP)                                                   \
  h[NAME] = [this](const NodeProto &n, ArrayRef<Value> in, Outs &out) {        \
    out.push_back(create<OP>(in[0].getType(), in[0]));                         \
    return success();                                                          \
  };
  LLMO_UNARY("Neg", NegOp)
  LLMO_UNARY("Abs", AbsOp)
  LLMO_UNARY("Exp", ExpOp)
  LLMO_UNARY("Log", LogOp)
  LLMO_UNARY("Sqrt", SqrtOp)
  LLMO_UNARY("Reciprocal", ReciprocalOp)
  LLMO_UNARY("Tanh", TanhOp)
  LLMO_UNARY("Erf", ErfOp)
  LLMO_UNARY("Sigmoid", SigmoidOp)
  LLMO_UNARY("Sin", SinOp)
  LLMO_UNARY("Cos", CosOp)
  LLMO_UNARY("Relu", ReluOp)
  LLMO_UNARY("Floor", FloorOp)
  LLMO_UNARY("Not", NotOp)
#undef LLMO_UNARY

  h["Gelu"] = [this](const NodeProto &n, ArrayRef<Value> in, Outs &out) {
    std::string approx = attrString(n, "approximate", "none");
    if (approx != "none" && approx != "tanh")
      return fail(n, "unknown approximate '" + approx + "'");
    out.push_back(
        create<GeluOp>(in[0].getType(), in[0], builder.getStringAttr(approx)));
    return success();
  };
  auto passThrough = [](const NodeProto &n, ArrayRef<Value> in, Outs &out) {
    out.push_back(in[0]);
    return success();
  };
  h["Identity"] = passThrough;
  h["Dropout"] = [this](const NodeProto &n, ArrayRef<Value> in, Outs &out) {
    // Inference: identity. The mask output is not supported (importNode
    // reports a used second output).
    if (in.size() > 2 && in[2]) {
      const Tensor *training = known(in[2]);
      if (!training || training->get(0) != 0)
        return fail(n, "training_mode must be a constant false");
    }
    out.push_back(in[0]);
    return success();
  };

  h["Where"] = [this](const NodeProto &n, ArrayRef<Value> in, Outs &out) {
    if (!elemOf(in[0]).isInteger(1))
      return fail(n, "the condition must be bool");
    if (elemOf(in[1]) != elemOf(in[2]))
      return fail(n, "value inputs have different element types");
    auto s = broadcastShapes(shapeOf(in[0]), shapeOf(in[1]));
    if (succeeded(s))
      s = broadcastShapes(*s, shapeOf(in[2]));
    if (failed(s))
      return fail(n, "input shapes are not broadcastable");
    out.push_back(
        create<WhereOp>(tensorType(*s, elemOf(in[1])), in[0], in[1], in[2]));
    return success();
  };
  h["Cast"] = [this](const NodeProto &n, ArrayRef<Value> in, Outs &out) {
    int64_t to = attrInt(n, "to", 0);
    Type element = elementTypeOf(&ctx, to);
    if (!element || element.isInteger(4))
      return fail(n, "unsupported target type " + dataTypeName(to));
    out.push_back(castTo(in[0], element));
    return success();
  };
  h["CastLike"] = [this](const NodeProto &n, ArrayRef<Value> in, Outs &out) {
    out.push_back(castTo(in[0], elemOf(in[1])));
    return success();
  };

  h["Constant"] = [this](const NodeProto &n, ArrayRef<Value>, Outs &out) {
    if (const auto *attr = findAttr(n, "value")) {
      FailureOr<Tensor> t = tensorFromProto(attr->t());
      if (failed(t))
        return fail(n, "unsupported or malformed tensor value (" +
                           dataTypeName(attr->t().data_type()) + ")");
      out.push_back(constant(*t, elementTypeOf(&ctx, attr->t().data_type()),
                             n.output(0)));
      return success();
    }
    Tensor t;
    Type element;
    if (const auto *attr = findAttr(n, "value_float")) {
      t = Tensor(DType::F32, {});
      t.floats[0] = attr->f();
      element = builder.getF32Type();
    } else if (const auto *attr = findAttr(n, "value_int")) {
      t = Tensor(DType::I64, {});
      t.ints[0] = attr->i();
      element = builder.getI64Type();
    } else if (const auto *attr = findAttr(n, "value_floats")) {
      t = Tensor(DType::F32, {(int64_t)attr->floats_size()});
      std::copy(attr->floats().begin(), attr->floats().end(), t.floats.begin());
      element = builder.getF32Type();
    } else if (const auto *attr = findAttr(n, "value_ints")) {
      t = Tensor(DType::I64, {(int64_t)attr->ints_size()});
      std::copy(attr->ints().begin(), attr->ints().end(), t.ints.begin());
      element = builder.getI64Type();
    } else {
      return fail(n, "unsupported Constant attribute (sparse or string)");
    }
    out.push_back(constant(t, element));
    return success();
  };
  h["ConstantOfShape"] = [this](const NodeProto &n, ArrayRef<Value> in,
                                Outs &out) {
    auto shape = knownInts(n, in[0], "shape");
    if (failed(shape))
      return failure();
    Tensor value(DType::F32, {1});
    Type element = builder.getF32Type();
    if (const auto *attr = findAttr(n, "value")) {
      FailureOr<Tensor> t = tensorFromProto(attr->t());
      if (failed(t) || t->numElements() != 1)
        return fail(n, "'value' must be a one-element tensor");
      value = *t;
      element = elementTypeOf(&ctx, attr->t().data_type());
    }
    if (!boundedElements(*shape, kMaxCreatedElements))
      return fail(n, "shape " + shapeString(*shape) +
                         " has a negative dim or more than 2^28 elements");
    Tensor t(value.dtype, *shape);
    for (int64_t i = 0; i < t.numElements(); ++i)
      copyFirst(value, t, i);
    out.push_back(constant(t, element));
    return success();
  };
  h["Shape"] = [this](const NodeProto &n, ArrayRef<Value> in, Outs &out) {
    int64_t rank = shapeOf(in[0]).size();
    int64_t start = attrInt(n, "start", 0), end = attrInt(n, "end", rank);
    start = std::clamp<int64_t>(normAxis(start, rank), 0, rank);
    end = std::clamp<int64_t>(normAxis(end, rank), 0, rank);
    Tensor t(DType::I64, {std::max<int64_t>(end - start, 0)});
    for (int64_t i = start; i < end; ++i)
      t.ints[i - start] = shapeOf(in[0])[i];
    out.push_back(constant(t, builder.getI64Type()));
    return success();
  };
  h["Size"] = [this](const NodeProto &n, ArrayRef<Value> in, Outs &out) {
    Tensor t(DType::I64, {});
    t.ints[0] = typeOf(in[0]).getNumElements();
    out.push_back(constant(t, builder.getI64Type()));
    return success();
  };
  h["Range"] = [this](const NodeProto &n, ArrayRef<Value> in, Outs &out) {
    const Tensor *s = known(in[0]), *l = known(in[1]), *d = known(in[2]);
    if (!s || !l || !d)
      return fail(n, "start, limit and delta must be constants (or "
                     "computable from static shapes)");
    if (s->numElements() != 1 || l->numElements() != 1 || d->numElements() != 1)
      return fail(n, "start, limit and delta must be scalars");
    double start = s->get(0), limit = l->get(0), delta = d->get(0);
    if (delta == 0)
      return fail(n, "delta is zero");
    double steps = std::ceil((limit - start) / delta);
    if (!(steps <= (double)kMaxCreatedElements))
      return fail(n, "the range would have more than 2^28 elements");
    int64_t count = std::max<int64_t>((int64_t)steps, 0);
    Tensor t(s->dtype, {count});
    for (int64_t i = 0; i < count; ++i) {
      if (isFloat(t.dtype))
        t.floats[i] = (float)(start + i * delta);
      else
        t.ints[i] = (int64_t)start + i * (int64_t)delta;
    }
    out.push_back(constant(t, elemOf(in[0])));
    return success();
  };

  h["MatMul"] = [this](const NodeProto &n, ArrayRef<Value> in, Outs &out) {
    Value a = in[0], b = in[1];
    if (!isa<FloatType>(elemOf(a)) || elemOf(a) != elemOf(b))
      return fail(n, "operands must be float tensors of one type");
    if (shapeOf(a).empty() || shapeOf(b).empty())
      return fail(n, "operands must have rank >= 1, not " +
                         shapeString(shapeOf(a)) + " x " +
                         shapeString(shapeOf(b)));
    bool aVec = shapeOf(a).size() == 1, bVec = shapeOf(b).size() == 1;
    if (aVec)
      a = reshape(a, {1, shapeOf(a)[0]});
    if (bVec)
      b = reshape(b, {shapeOf(b)[0], 1});
    int64_t k = shapeOf(a).back();
    if (shapeOf(b)[shapeOf(b).size() - 2] != k)
      return fail(n, "contraction dims differ: " + shapeString(shapeOf(a)) +
                         " x " + shapeString(shapeOf(b)));
    Value result;
    if (shapeOf(b).size() == 2 && isWeight(b)) {
      SmallVector<int64_t> shape(shapeOf(a));
      shape.back() = shapeOf(b)[1];
      result = create<LinearOp>(tensorType(shape, elemOf(a)), a, b, Value());
    } else {
      auto batch =
          broadcastShapes(shapeOf(a).drop_back(2), shapeOf(b).drop_back(2));
      if (failed(batch))
        return fail(n, "batch dims are not broadcastable");
      SmallVector<int64_t> shape = *batch;
      shape.push_back(shapeOf(a)[shapeOf(a).size() - 2]);
      shape.push_back(shapeOf(b).back());
      result = create<MatmulOp>(tensorType(shape, elemOf(a)), a, b);
    }
    SmallVector<int64_t> shape(shapeOf(result));
    if (aVec)
      shape.erase(shape.end() - 2);
    if (bVec)
      shape.pop_back();
    out.push_back(reshape(result, shape));
    return success();
  };
  h["Gemm"] = [this](const NodeProto &n, ArrayRef<Value> in, Outs &out) {
    Value a = in[0], b = in[1], c = in.size() > 2 ? in[2] : Value();
    if (shapeOf(a).size() != 2 || shapeOf(b).size() != 2)
      return fail(n, "A and B must be 2-D");
    if (attrInt(n, "transA", 0))
      a = transpose(a, {1, 0});
    if (attrInt(n, "transB", 0))
      b = transpose(b, {1, 0});
    if (shapeOf(a)[1] != shapeOf(b)[0])
      return fail(n, "contraction dims differ");
    float alpha = attrFloat(n, "alpha", 1.0f),
          beta = attrFloat(n, "beta", 1.0f);
    int64_t m = shapeOf(a)[0], nn = shapeOf(b)[1];
    auto resultType = tensorType({m, nn}, elemOf(a));
    if (alpha != 1.0f)
      b = create<MulOp>(b.getType(), b, scalarBroadcast(alpha, b));
    if (c && beta != 1.0f)
      c = create<MulOp>(c.getType(), c, scalarBroadcast(beta, c));
    bool biasFits = c && known(c) && typeOf(c).getNumElements() == nn &&
                    shapeOf(c).back() == nn;
    Value bias = biasFits ? reshape(c, {nn}) : Value();
    Value result = isWeight(b) ? create<LinearOp>(resultType, a, b, bias)
                               : create<MatmulOp>(resultType, a, b);
    if (c && !biasFits) {
      FailureOr<Value> sum = broadcastBinary(n, "Add", result, c);
      if (failed(sum))
        return failure();
      result = *sum;
    } else if (bias && !isWeight(b)) {
      FailureOr<Value> sum = broadcastBinary(n, "Add", result, bias);
      if (failed(sum))
        return failure();
      result = *sum;
    }
    out.push_back(result);
    return success();
  };

  h["Softmax"] = [this](const NodeProto &n, ArrayRef<Value> in, Outs &out) {
    int64_t rank = shapeOf(in[0]).size();
    int64_t axis = normAxis(attrInt(n, "axis", -1), rank);
    if (axis < 0 || axis >= rank)
      return fail(n, "axis out of range");
    out.push_back(create<SoftmaxOp>(in[0].getType(), in[0],
                                    builder.getI64IntegerAttr(axis)));
    return success();
  };
  h["LayerNormalization"] = [this](const NodeProto &n, ArrayRef<Value> in,
                                   Outs &out) {
    if (n.output_size() > 1 && !n.output(1).empty())
      return fail(n, "the Mean and InvStdDev outputs are not supported");
    int64_t rank = shapeOf(in[0]).size();
    int64_t axis = normAxis(attrInt(n, "axis", -1), rank);
    if (axis < 0 || axis >= rank)
      return fail(n, "axis out of range");
    auto paramShape = shapeOf(in[0]).drop_front(axis);
    auto fit = [&](Value p) -> Value {
      if (!p || shapeOf(p) == paramShape)
        return p;
      auto s = broadcastShapes(shapeOf(p), paramShape);
      if (failed(s) || ArrayRef<int64_t>(*s) != paramShape)
        return {};
      return create<BroadcastOp>(tensorType(paramShape, elemOf(p)), p);
    };
    Value scale = fit(in[1]);
    Value bias = in.size() > 2 ? fit(in[2]) : Value();
    if (!scale || (in.size() > 2 && in[2] && !bias))
      return fail(n, "scale/bias do not broadcast to the normalized shape");
    out.push_back(create<LayerNormOp>(
        in[0].getType(), in[0], scale, bias, builder.getI64IntegerAttr(axis),
        builder.getF32FloatAttr(attrFloat(n, "epsilon", 1e-5f))));
    return success();
  };

  h["Reshape"] = [this](const NodeProto &n, ArrayRef<Value> in, Outs &out) {
    auto target = knownInts(n, in[1], "shape");
    if (failed(target))
      return failure();
    bool allowZero = attrInt(n, "allowzero", 0);
    SmallVector<int64_t> shape;
    int64_t inferred = -1, known = 1;
    for (size_t i = 0; i < target->size(); ++i) {
      int64_t d = (*target)[i];
      if (d == 0 && !allowZero) {
        if (i >= shapeOf(in[0]).size())
          return fail(n, "0 in the target shape copies a dim that the input "
                         "does not have");
        d = shapeOf(in[0])[i];
      }
      if (d == -1) {
        if (inferred >= 0)
          return fail(n, "more than one -1 in the target shape");
        inferred = i;
      } else if (d < 0) {
        return fail(n, "negative dim in the target shape");
      } else {
        if (d != 0 && known > std::numeric_limits<int64_t>::max() / d)
          return fail(n, "the target shape " + shapeString(*target) +
                             " has too many elements");
        known *= d;
      }
      shape.push_back(d);
    }
    int64_t total = typeOf(in[0]).getNumElements();
    if (inferred >= 0) {
      if (known == 0 || total % known != 0)
        return fail(n, "cannot infer -1 in " + shapeString(*target) +
                           " for input " + shapeString(shapeOf(in[0])));
      shape[inferred] = total / known;
    }
    if (typeOf(in[0]).getNumElements() !=
        tensorType(shape, elemOf(in[0])).getNumElements())
      return fail(n, "cannot reshape " + shapeString(shapeOf(in[0])) + " to " +
                         shapeString(shape));
    out.push_back(reshape(in[0], shape));
    return success();
  };
  auto axesInputOrAttr =
      [this](const NodeProto &n, ArrayRef<Value> in,
             size_t index) -> FailureOr<std::optional<std::vector<int64_t>>> {
    if (in.size() > index && in[index]) {
      auto axes = knownInts(n, in[index], "axes");
      if (failed(axes))
        return failure();
      return std::optional<std::vector<int64_t>>(*axes);
    }
    return attrInts(n, "axes");
  };
  h["Unsqueeze"] = [this, axesInputOrAttr](const NodeProto &n,
                                           ArrayRef<Value> in, Outs &out) {
    auto axes = axesInputOrAttr(n, in, 1);
    if (failed(axes))
      return failure();
    if (!*axes)
      return fail(n, "missing axes");
    int64_t rank = shapeOf(in[0]).size() + (*axes)->size();
    std::vector<bool> inserted(rank, false);
    for (int64_t a : **axes) {
      a = normAxis(a, rank);
      if (a < 0 || a >= rank || inserted[a])
        return fail(n, "invalid axes");
      inserted[a] = true;
    }
    SmallVector<int64_t> shape;
    size_t next = 0;
    for (int64_t d = 0; d < rank; ++d)
      shape.push_back(inserted[d] ? 1 : shapeOf(in[0])[next++]);
    out.push_back(reshape(in[0], shape));
    return success();
  };
  h["Squeeze"] = [this, axesInputOrAttr](const NodeProto &n, ArrayRef<Value> in,
                                         Outs &out) {
    auto axes = axesInputOrAttr(n, in, 1);
    if (failed(axes))
      return failure();
    int64_t rank = shapeOf(in[0]).size();
    std::vector<bool> removed(rank, false);
    if (*axes) {
      for (int64_t a : **axes) {
        a = normAxis(a, rank);
        if (a < 0 || a >= rank || shapeOf(in[0])[a] != 1)
          return fail(n,
                      "axis " + std::to_string(a) + " is not a dim of size 1");
        removed[a] = true;
      }
    } else {
      for (int64_t d = 0; d < rank; ++d)
        removed[d] = shapeOf(in[0])[d] == 1;
    }
    SmallVector<int64_t> shape;
    for (int64_t d = 0; d < rank; ++d)
      if (!removed[d])
        shape.push_back(shapeOf(in[0])[d]);
    out.push_back(reshape(in[0], shape));
    return success();
  };
  h["Flatten"] = [this](const NodeProto &n, ArrayRef<Value> in, Outs &out) {
    int64_t rank = shapeOf(in[0]).size();
    int64_t axis = normAxis(attrInt(n, "axis", 1), rank);
    if (axis < 0 || axis > rank)
      return fail(n, "axis out of range");
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d)
      outer *= shapeOf(in[0])[d];
    out.push_back(reshape(in[0], {outer, typeOf(in[0]).getNumElements() /
                                             std::max<int64_t>(outer, 1)}));
    return success();
  };
  h["Transpose"] = [this](const NodeProto &n, ArrayRef<Value> in, Outs &out) {
    int64_t rank = shapeOf(in[0]).size();
    std::vector<int64_t> perm;
    if (auto p = attrInts(n, "perm"))
      perm = *p;
    else
      for (int64_t d = rank - 1; d >= 0; --d)
        perm.push_back(d);
    std::vector<bool> seen(rank, false);
    if ((int64_t)perm.size() != rank)
      return fail(n, "perm must have one entry per dim");
    for (int64_t &p : perm) {
      p = normAxis(p, rank);
      if (p < 0 || p >= rank || seen[p])
        return fail(n, "perm is not a permutation");
      seen[p] = true;
    }
    out.push_back(transpose(in[0], perm));
    return success();
  };
  h["Slice"] = [this](const NodeProto &n, ArrayRef<Value> in, Outs &out) {
    auto starts = knownInts(n, in[1], "starts");
    auto ends = knownInts(n, in[2], "ends");
    if (failed(starts) || failed(ends))
      return failure();
    int64_t rank = shapeOf(in[0]).size();
    std::vector<int64_t> axes, steps(starts->size(), 1);
    if (in.size() > 3 && in[3]) {
      auto a = knownInts(n, in[3], "axes");
      if (failed(a))
        return failure();
      axes = *a;
    } else {
      for (size_t i = 0; i < starts->size(); ++i)
        axes.push_back(i);
    }
    if (in.size() > 4 && in[4]) {
      auto s = knownInts(n, in[4], "steps");
      if (failed(s))
        return failure();
      steps = *s;
    }
    if (axes.size() != starts->size() || ends->size() != starts->size() ||
        steps.size() != starts->size())
      return fail(n, "starts, ends, axes and steps differ in length");
    SmallVector<int64_t> st(rank, 0), sp(rank, 1), shape(shapeOf(in[0]));
    for (size_t i = 0; i < axes.size(); ++i) {
      int64_t a = normAxis(axes[i], rank);
      if (a < 0 || a >= rank)
        return fail(n, "axis out of range");
      int64_t dim = shapeOf(in[0])[a], step = steps[i];
      if (step == 0)
        return fail(n, "step is zero");
      int64_t s = (*starts)[i], e = (*ends)[i];
      s = s < 0 ? s + dim : s;
      e = e < 0 ? e + dim : e;
      if (step > 0) {
        s = std::clamp<int64_t>(s, 0, dim);
        e = std::clamp<int64_t>(e, 0, dim);
      } else {
        s = std::clamp<int64_t>(s, 0, dim - 1);
        e = std::clamp<int64_t>(e, -1, dim - 1);
      }
      int64_t count =
          step > 0 ? (e - s + step - 1) / step : (s - e + (-step) - 1) / -step;
      count = std::max<int64_t>(count, 0);
      st[a] = count ? s : 0;
      sp[a] = step;
      shape[a] = count;
    }
    out.push_back(create<SliceOp>(tensorType(shape, elemOf(in[0])), in[0],
                                  builder.getDenseI64ArrayAttr(st),
                                  builder.getDenseI64ArrayAttr(sp)));
    return success();
  };
  h["Concat"] = [this](const NodeProto &n, ArrayRef<Value> in, Outs &out) {
    // Empty inputs contribute nothing (but their sizes along the axis, when
    // every input is empty).
    SmallVector<Value> inputs;
    for (Value v : in)
      if (v && typeOf(v).getNumElements() > 0)
        inputs.push_back(v);
    int64_t rank = shapeOf(in[0]).size();
    int64_t axis = normAxis(attrInt(n, "axis", 0), rank);
    if (axis < 0 || axis >= rank)
      return fail(n, "axis out of range");
    if (inputs.empty()) {
      SmallVector<int64_t> shape(shapeOf(in[0]));
      shape[axis] = 0;
      for (Value v : in)
        if (v) {
          if (shapeOf(v).size() != (size_t)rank)
            return fail(n, "inputs differ in rank");
          shape[axis] += shapeOf(v)[axis];
        }
      out.push_back(
          constant(Tensor(*dtypeOf(elemOf(in[0])),
                          std::vector<int64_t>(shape.begin(), shape.end())),
                   elemOf(in[0])));
      return success();
    }
    if (inputs.size() == 1) {
      out.push_back(inputs[0]);
      return success();
    }
    SmallVector<int64_t> shape(shapeOf(inputs[0]));
    shape[axis] = 0;
    for (Value v : inputs) {
      if (shapeOf(v).size() != (size_t)rank || elemOf(v) != elemOf(inputs[0]))
        return fail(n, "inputs differ in rank or element type");
      shape[axis] += shapeOf(v)[axis];
    }
    out.push_back(create<ConcatOp>(tensorType(shape, elemOf(inputs[0])), inputs,
                                   builder.getI64IntegerAttr(axis)));
    return success();
  };
  h["Split"] = [this](const NodeProto &n, ArrayRef<Value> in, Outs &out) {
    int64_t rank = shapeOf(in[0]).size();
    int64_t axis = normAxis(attrInt(n, "axis", 0), rank);
    if (axis < 0 || axis >= rank)
      return fail(n, "axis out of range");
    int64_t dim = shapeOf(in[0])[axis], parts = n.output_size();
    std::vector<int64_t> sizes;
    if (in.size() > 1 && in[1]) {
      auto s = knownInts(n, in[1], "split");
      if (failed(s))
        return failure();
      sizes = *s;
    } else if (auto s = attrInts(n, "split")) {
      sizes = *s;
    } else {
      int64_t chunk = (dim + parts - 1) / parts;
      for (int64_t i = 0; i < parts; ++i)
        sizes.push_back(std::min(chunk, dim - i * chunk));
    }
    int64_t total = 0;
    SmallVector<Type> types;
    for (int64_t s : sizes) {
      SmallVector<int64_t> shape(shapeOf(in[0]));
      shape[axis] = s;
      total += s;
      types.push_back(tensorType(shape, elemOf(in[0])));
    }
    if (total != dim || (int64_t)sizes.size() != parts)
      return fail(n, "split sizes do not match the input dim or outputs");
    auto split = SplitOp::create(builder, loc, types, in[0],
                                 builder.getI64IntegerAttr(axis));
    for (Value v : finish(split))
      out.push_back(v);
    return success();
  };
  h["Expand"] = [this](const NodeProto &n, ArrayRef<Value> in, Outs &out) {
    auto target = knownInts(n, in[1], "shape");
    if (failed(target))
      return failure();
    for (int64_t d : *target)
      if (d < 0)
        return fail(n,
                    "negative dim in the target shape " + shapeString(*target));
    auto shape = broadcastShapes(shapeOf(in[0]), *target);
    if (failed(shape))
      return fail(n, "cannot expand " + shapeString(shapeOf(in[0])) + " to " +
                         shapeString(*target));
    if (ArrayRef<int64_t>(*shape) == shapeOf(in[0]))
      out.push_back(in[0]);
    else
      out.push_back(
          create<BroadcastOp>(tensorType(*shape, elemOf(in[0])), in[0]));
    return success();
  };
  h["Gather"] = [this](const NodeProto &n, ArrayRef<Value> in, Outs &out) {
    int64_t rank = shapeOf(in[0]).size();
    int64_t axis = normAxis(attrInt(n, "axis", 0), rank);
    if (axis < 0 || axis >= rank)
      return fail(n, "axis out of range");
    if (!elemOf(in[1]).isInteger(64) && !elemOf(in[1]).isInteger(32))
      return fail(n, "indices must be int32 or int64");
    if (const Tensor *idx = known(in[1]))
      for (int64_t v : idx->ints)
        if (v < -shapeOf(in[0])[axis] || v >= shapeOf(in[0])[axis])
          return fail(n, "index " + std::to_string(v) + " is out of range");
    SmallVector<int64_t> shape(shapeOf(in[0]).take_front(axis));
    llvm::append_range(shape, shapeOf(in[1]));
    llvm::append_range(shape, shapeOf(in[0]).drop_front(axis + 1));
    out.push_back(create<GatherOp>(tensorType(shape, elemOf(in[0])), in[0],
                                   in[1], builder.getI64IntegerAttr(axis)));
    return success();
  };
  auto reduce = [this, axesInputOrAttr](auto opTag) {
    using OpTy = decltype(opTag);
    return [this, axesInputOrAttr](const NodeProto &n, ArrayRef<Value> in,
                                   Outs &out) -> LogicalResult {
      auto axesOr = axesInputOrAttr(n, in, 1);
      if (failed(axesOr))
        return failure();
      int64_t rank = shapeOf(in[0]).size();
      bool keepdims = attrInt(n, "keepdims", 1);
      std::vector<int64_t> axes;
      if (*axesOr && !(*axesOr)->empty()) {
        for (int64_t a : **axesOr) {
          a = normAxis(a, rank);
          if (a < 0 || a >= rank)
            return fail(n, "axis out of range");
          axes.push_back(a);
        }
      } else if (attrInt(n, "noop_with_empty_axes", 0)) {
        out.push_back(in[0]);
        return success();
      } else {
        for (int64_t d = 0; d < rank; ++d)
          axes.push_back(d);
      }
      std::sort(axes.begin(), axes.end());
      axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
      SmallVector<int64_t> shape;
      for (int64_t d = 0; d < rank; ++d) {
        bool reduced = llvm::is_contained(axes, d);
        if (!reduced)
          shape.push_back(shapeOf(in[0])[d]);
        else if (keepdims)
          shape.push_back(1);
      }
      out.push_back(create<OpTy>(tensorType(shape, elemOf(in[0])), in[0],
                                 builder.getDenseI64ArrayAttr(axes),
                                 builder.getBoolAttr(keepdims)));
      return success();
    };
  };
  h["ReduceSum"] = reduce(ReduceSumOp());
  h["ReduceMean"] = reduce(ReduceMeanOp());
  h["ReduceMax"] = reduce(ReduceMaxOp());
  h["ReduceMin"] = reduce(ReduceMinOp());
  h["CumSum"] = [this](const NodeProto &n, ArrayRef<Value> in, Outs &out) {
    if (attrInt(n, "exclusive", 0) || attrInt(n, "reverse", 0))
      return fail(n, "exclusive and reverse are not supported");
    auto axis = knownInts(n, in[1], "axis");
    if (failed(axis))
      return failure();
    if (axis->size() != 1)
      return fail(n, "axis must hold one value, not " +
                         std::to_string(axis->size()));
    int64_t rank = shapeOf(in[0]).size();
    int64_t a = normAxis((*axis)[0], rank);
    if (a < 0 || a >= rank)
      return fail(n, "axis out of range");
    out.push_back(
        create<CumSumOp>(in[0].getType(), in[0], builder.getI64IntegerAttr(a)));
    return success();
  };

  // Quantization
  // ---------------------------------------------------------------
  h["QuantizeLinear"] = [this](const NodeProto &n, ArrayRef<Value> in,
                               Outs &out) {
    if (!attrInt(n, "saturate", 1))
      return fail(n, "saturate=0 is not supported");
    Value zp = in.size() > 2 ? in[2] : Value();
    Type storage = zp ? elemOf(zp) : Type();
    if (!storage) {
      int64_t dt = attrInt(n, "output_dtype", onnx::TensorProto::UINT8);
      storage =
          elementTypeOf(&ctx, dt ? dt : (int64_t)onnx::TensorProto::UINT8);
    }
    if (!storage || !isa<IntegerType>(storage) || storage.isInteger(1) ||
        storage.isInteger(64))
      return fail(n, "unsupported quantized type (int8, uint8, int4, int32 "
                     "are supported)");
    if (!isa<FloatType>(elemOf(in[0])) || elemOf(in[0]) != elemOf(in[1]))
      return fail(n, "input and scale must be float of one type");
    auto qtype = quantType(n, shapeOf(in[0]), storage, in[1], zp,
                           attrInt(n, "axis", 1), attrInt(n, "block_size", 0));
    if (failed(qtype))
      return failure();
    Value q = create<QuantizeOp>(tensorType(shapeOf(in[0]), *qtype), in[0]);
    out.push_back(
        create<StorageCastOp>(tensorType(shapeOf(in[0]), storage), q));
    return success();
  };
  h["DequantizeLinear"] = [this](const NodeProto &n, ArrayRef<Value> in,
                                 Outs &out) {
    Value zp = in.size() > 2 ? in[2] : Value();
    Type storage = elemOf(in[0]);
    if (!isa<IntegerType>(storage) || storage.isInteger(1) ||
        storage.isInteger(64))
      return fail(n, "unsupported quantized input type");
    if (!isa<FloatType>(elemOf(in[1])))
      return fail(n, "scale must be float");
    auto qtype = quantType(n, shapeOf(in[0]), storage, in[1], zp,
                           attrInt(n, "axis", 1), attrInt(n, "block_size", 0));
    if (failed(qtype))
      return failure();
    Value q = create<StorageCastOp>(tensorType(shapeOf(in[0]), *qtype), in[0]);
    out.push_back(
        create<DequantizeOp>(tensorType(shapeOf(in[0]), elemOf(in[1])), q));
    return success();
  };
  h["DynamicQuantizeLinear"] = [this](const NodeProto &n, ArrayRef<Value> in,
                                      Outs &out) {
    if (!elemOf(in[0]).isF32())
      return fail(n, "input must be float32");
    Type u8 = IntegerType::get(&ctx, 8, IntegerType::Unsigned);
    auto op = DynamicQuantizeOp::create(
        builder, loc, tensorType(shapeOf(in[0]), u8),
        tensorType({}, builder.getF32Type()), tensorType({}, u8), in[0]);
    for (Value v : finish(op))
      out.push_back(v);
    return success();
  };
  h["MatMulInteger"] = [this](const NodeProto &n, ArrayRef<Value> in,
                              Outs &out) {
    Value a = in[0], b = in[1];
    for (Value v : {a, b})
      if (shapeOf(v).size() < 2)
        return fail(n, "1-D operands are not supported");
    auto zeroOf = [&](Value v) {
      Tensor t(*dtypeOf(elemOf(v)), {});
      return constant(t, elemOf(v));
    };
    Value azp = in.size() > 2 && in[2] ? in[2] : zeroOf(a);
    Value bzp = in.size() > 3 && in[3] ? in[3] : zeroOf(b);
    auto batch =
        broadcastShapes(shapeOf(a).drop_back(2), shapeOf(b).drop_back(2));
    if (failed(batch) || shapeOf(a).back() != shapeOf(b)[shapeOf(b).size() - 2])
      return fail(n, "operand shapes do not match");
    SmallVector<int64_t> shape = *batch;
    shape.push_back(shapeOf(a)[shapeOf(a).size() - 2]);
    shape.push_back(shapeOf(b).back());
    auto op = MatmulIntegerOp::create(
        builder, loc, tensorType(shape, builder.getI32Type()), a, b, azp, bzp);
    if (failed(verify(op)))
      return fail(n, "invalid zero points (see the diagnostic above)");
    out.push_back(finish1(op));
    return success();
  };
  h["QLinearMatMul"] = [this](const NodeProto &n, ArrayRef<Value> in,
                              Outs &out) {
    // Normalized into dequantize -> matmul -> quantize (the QDQ form).
    int64_t ra = shapeOf(in[0]).size(), rb = shapeOf(in[3]).size();
    if (ra < 2 || rb < 2)
      return fail(n, "1-D operands are not supported");
    auto dq = [&](Value x, Value s, Value z, int64_t axis) -> FailureOr<Value> {
      auto qtype = quantType(n, shapeOf(x), elemOf(x), s, z, axis, 0);
      if (failed(qtype))
        return failure();
      Value q = create<StorageCastOp>(tensorType(shapeOf(x), *qtype), x);
      return create<DequantizeOp>(tensorType(shapeOf(x), elemOf(s)), q);
    };
    auto a = dq(in[0], in[1], in[2], ra - 2);
    auto b = dq(in[3], in[4], in[5], rb - 1);
    if (failed(a) || failed(b))
      return failure();
    auto batch =
        broadcastShapes(shapeOf(*a).drop_back(2), shapeOf(*b).drop_back(2));
    if (failed(batch) ||
        shapeOf(*a).back() != shapeOf(*b)[shapeOf(*b).size() - 2])
      return fail(n, "operand shapes do not match");
    SmallVector<int64_t> shape = *batch;
    shape.push_back(shapeOf(*a)[ra - 2]);
    shape.push_back(shapeOf(*b).back());
    Value y = create<MatmulOp>(tensorType(shape, elemOf(*a)), *a, *b);
    auto qtype = quantType(n, shape, elemOf(in[7]), in[6], in[7], 0, 0);
    if (failed(qtype))
      return failure();
    Value q = create<QuantizeOp>(tensorType(shape, *qtype), y);
    out.push_back(create<StorageCastOp>(tensorType(shape, elemOf(in[7])), q));
    return success();
  };
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

/// The first opset (default domain) that defines each op llmo imports and
/// ONNX added after opset 13, the lowest llmo imports.
const llvm::StringMap<int64_t> &opsetSince() {
  static const llvm::StringMap<int64_t> since = {
      {"CastLike", 15}, {"LayerNormalization", 17}, {"Gelu", 20}};
  return since;
}

/// Attributes and inputs that exist only in some opsets: a model that uses
/// one outside them is malformed (onnxruntime refuses it too), and guessing
/// what the exporter meant could import a different computation.
LogicalResult Importer::checkOpsetForm(const NodeProto &node) {
  StringRef op = node.op_type();
  bool axesInput = node.input_size() > 1 && !node.input(1).empty();
  auto removed = [&](StringRef attr, int64_t inOpset, StringRef now) {
    return fail(node, "attribute '" + attr + "' is not defined in opset " +
                          Twine(opset) + " (removed in opset " +
                          Twine(inOpset) + ": " + now + ")");
  };
  if (op == "ReduceMean" || op == "ReduceMax" || op == "ReduceMin") {
    if (opset >= 18 && findAttr(node, "axes"))
      return removed("axes", 18, "axes is the second input");
    if (opset < 18 && axesInput)
      return fail(node, "takes axes as an input only from opset 18; the "
                        "model imports opset " +
                            Twine(opset) + " (use the 'axes' attribute)");
  }
  if ((op == "ReduceSum" || op == "Squeeze" || op == "Unsqueeze") &&
      findAttr(node, "axes"))
    return removed("axes", 13, "axes is the second input");
  if (op == "Split" && findAttr(node, "split"))
    return removed("split", 13, "the sizes are the second input");
  // Attributes added to an op after opset 13.
  struct AddedAttr {
    StringRef op, attr;
    int64_t since;
  };
  static const AddedAttr added[] = {{"Reshape", "allowzero", 14},
                                    {"Shape", "start", 15},
                                    {"Shape", "end", 15},
                                    {"Split", "num_outputs", 18},
                                    {"QuantizeLinear", "saturate", 19},
                                    {"QuantizeLinear", "block_size", 21},
                                    {"QuantizeLinear", "output_dtype", 21},
                                    {"DequantizeLinear", "block_size", 21}};
  for (const AddedAttr &a : added)
    if (op == a.op && opset < a.since && findAttr(node, a.attr))
      return fail(node, "attribute '" + a.attr +
                            "' is defined only from opset " + Twine(a.since) +
                            "; the model imports opset " + Twine(opset));
  return success();
}

/// A graph output whose declared element type or fixed dims differ from
/// what the graph computes is a malformed model (or a wrong
/// --input-shape): refusing it beats handing the caller a tensor other
/// than the one the model promises.
LogicalResult Importer::checkDeclaredOutput(const onnx::ValueInfoProto &output,
                                            Value value,
                                            std::string &errorOut) {
  if (!output.type().has_tensor_type())
    return success();
  const auto &declared = output.type().tensor_type();
  auto type = cast<RankedTensorType>(value.getType());
  std::string computed;
  llvm::raw_string_ostream os(computed);
  os << type;
  if (declared.elem_type() != 0) {
    Type element = elementTypeOf(&ctx, declared.elem_type());
    if (element != type.getElementType()) {
      errorOut = "graph output '" + output.name() + "' is declared as " +
                 dataTypeName(declared.elem_type()) +
                 " but the graph computes " + computed;
      return failure();
    }
  }
  if (!declared.has_shape())
    return success();
  const auto &shape = declared.shape();
  bool rankDiffers = shape.dim_size() != type.getRank();
  for (int d = 0; !rankDiffers && d < shape.dim_size(); ++d)
    rankDiffers = shape.dim(d).has_dim_value() &&
                  shape.dim(d).dim_value() != type.getDimSize(d);
  if (rankDiffers) {
    std::string dims;
    for (int d = 0; d < shape.dim_size(); ++d)
      dims += (d ? "x" : "") + (shape.dim(d).has_dim_value()
                                    ? std::to_string(shape.dim(d).dim_value())
                                    : std::string("?"));
    errorOut = "graph output '" + output.name() + "' is declared with shape [" +
               dims + "] but the graph computes " + computed;
    return failure();
  }
  return success();
}

LogicalResult Importer::importNode(const NodeProto &node) {
  loc = NameLoc::get(
      builder.getStringAttr(node.name().empty() ? node.op_type() : node.name()),
      FileLineColLoc::get(&ctx, path, 0, 0));
  SmallVector<Value> inputs;
  for (const std::string &name : node.input()) {
    if (name.empty()) {
      inputs.push_back(Value());
      continue;
    }
    auto it = values.find(name);
    if (it == values.end())
      return fail(node, "input '" + name + "' is not defined");
    inputs.push_back(it->second);
  }
  if (failed(checkOpsetForm(node)))
    return failure();
  const Handler &handler = handlers[node.op_type()];
  // Required inputs per op (the rest are optional); default one.
  static const llvm::StringMap<int> requiredInputs = {{"Constant", 0},
                                                      {"Pow", 2},
                                                      {"Add", 2},
                                                      {"Sub", 2},
                                                      {"Mul", 2},
                                                      {"Div", 2},
                                                      {"And", 2},
                                                      {"Or", 2},
                                                      {"Equal", 2},
                                                      {"Less", 2},
                                                      {"LessOrEqual", 2},
                                                      {"Greater", 2},
                                                      {"GreaterOrEqual", 2},
                                                      {"Where", 3},
                                                      {"CastLike", 2},
                                                      {"Range", 3},
                                                      {"MatMul", 2},
                                                      {"Gemm", 2},
                                                      {"LayerNormalization", 2},
                                                      {"Reshape", 2},
                                                      {"Slice", 3},
                                                      {"Expand", 2},
                                                      {"Gather", 2},
                                                      {"CumSum", 2},
                                                      {"QuantizeLinear", 2},
                                                      {"DequantizeLinear", 2},
                                                      {"MatMulInteger", 2},
                                                      {"QLinearMatMul", 8}};
  auto required = requiredInputs.find(node.op_type());
  int needed = required == requiredInputs.end() ? 1 : required->second;
  if ((int)inputs.size() < needed)
    return fail(node, "expects at least " + std::to_string(needed) +
                          " inputs, got " + std::to_string(inputs.size()));
  for (int i = 0; i < needed; ++i)
    if (!inputs[i])
      return fail(node, "required input " + std::to_string(i) + " is missing");
  // Variadic ops: every listed input is used.
  static const std::set<std::string> allInputs = {"Sum", "Max", "Min", "Mean",
                                                  "Concat"};
  if (allInputs.count(node.op_type()))
    for (size_t i = 0; i < inputs.size(); ++i)
      if (!inputs[i])
        return fail(node,
                    "input " + std::to_string(i) + " is missing (empty name)");
  if (node.output_size() < 1)
    return fail(node, "has no outputs");
  SmallVector<Value> outputs;
  currentNode = &node;
  if (failed(handler(node, inputs, outputs)) || !error.empty())
    return failure();
  for (int i = 0; i < node.output_size(); ++i) {
    if (node.output(i).empty())
      continue;
    if (i >= (int)outputs.size())
      return fail(node, "output " + std::to_string(i) + " ('" + node.output(i) +
                            "') is not supported");
    values[node.output(i)] = outputs[i];
  }
  return success();
}

OwningOpRef<ModuleOp> Importer::run(std::string &errorOut) {
  const onnx::GraphProto &graph = model.graph();
  for (const auto &import : model.opset_import())
    if (import.domain().empty() || import.domain() == "ai.onnx")
      opset = import.version();
  if (opset < 13 || opset > 21) {
    errorOut = "opset " + std::to_string(opset) +
               " is not supported (llmo imports opsets 13 to 21)";
    return {};
  }
  registerHandlers();

  // One error listing every unsupported op, and every op the model's opset
  // does not define yet, before doing any work.
  using NodesByOp = std::map<std::string, std::vector<std::string>>;
  NodesByOp unsupported, tooNew;
  for (const auto &node : graph.node()) {
    bool defaultDomain = node.domain().empty() || node.domain() == "ai.onnx";
    std::string name = node.name().empty() ? "<unnamed>" : node.name();
    auto since = opsetSince().find(node.op_type());
    if (defaultDomain && since != opsetSince().end() && opset < since->second)
      tooNew[node.op_type()].push_back(name);
    else if (!defaultDomain || !handlers.count(node.op_type()))
      unsupported[(defaultDomain ? "" : node.domain() + ".") + node.op_type()]
          .push_back(name);
  }
  // "OP (nodes: 'a' 'b' and 3 more); ..."; `label` adds to "OP (".
  auto listNodes = [](std::string msg, const NodesByOp &ops,
                      auto label) -> std::string {
    for (auto &[op, names] : ops) {
      msg += " " + op + " (" + label(op) + "nodes:";
      for (size_t i = 0; i < names.size() && i < 5; ++i)
        msg += " '" + names[i] + "'";
      if (names.size() > 5)
        msg += " and " + std::to_string(names.size() - 5) + " more";
      msg += ");";
    }
    msg.pop_back();
    return msg;
  };
  std::string opsError;
  if (!unsupported.empty())
    opsError = listNodes("unsupported ONNX ops:", unsupported,
                         [](const std::string &) { return std::string(); });
  if (!tooNew.empty())
    opsError += (opsError.empty() ? "" : "; ") +
                listNodes("ONNX ops not defined in opset " +
                              std::to_string(opset) + ":",
                          tooNew, [](const std::string &op) {
                            return "defined from opset " +
                                   std::to_string(opsetSince().lookup(op)) +
                                   "; ";
                          });
  if (!opsError.empty()) {
    errorOut = opsError;
    return {};
  }

  OwningOpRef<ModuleOp> module =
      ModuleOp::create(FileLineColLoc::get(&ctx, path, 0, 0));
  (*module)->setAttr("llmo.source", builder.getStringAttr(path));
  (*module)->setAttr("llmo.opset", builder.getI64IntegerAttr(opset));
  builder.setInsertionPointToEnd(module->getBody());

  // Graph inputs (initializers may also be listed as inputs by old exporters).
  std::set<std::string> initializerNames;
  for (const auto &init : graph.initializer())
    initializerNames.insert(init.name());
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  for (const auto &input : graph.input()) {
    if (initializerNames.count(input.name()))
      continue;
    if (!input.type().has_tensor_type()) {
      errorOut = "input '" + input.name() + "' is not a tensor";
      return {};
    }
    const auto &tensorType = input.type().tensor_type();
    Type element = elementTypeOf(&ctx, tensorType.elem_type());
    if (!element || element.isInteger(4)) {
      errorOut = "input '" + input.name() + "' has unsupported element type " +
                 dataTypeName(tensorType.elem_type());
      return {};
    }
    SmallVector<int64_t> shape;
    auto fixed = options.inputShapes.find(input.name());
    if (fixed != options.inputShapes.end()) {
      if (tensorType.has_shape() &&
          tensorType.shape().dim_size() != (int)fixed->second.size()) {
        errorOut = "--input-shape for '" + input.name() + "' has rank " +
                   std::to_string(fixed->second.size()) +
                   " but the model input has rank " +
                   std::to_string(tensorType.shape().dim_size());
        return {};
      }
      for (size_t d = 0; d < fixed->second.size(); ++d) {
        if (tensorType.has_shape() &&
            tensorType.shape().dim(d).has_dim_value() &&
            tensorType.shape().dim(d).dim_value() != fixed->second[d]) {
          errorOut = "--input-shape for '" + input.name() + "' sets dim " +
                     std::to_string(d) + " to " +
                     std::to_string(fixed->second[d]) +
                     " but the model fixes it to " +
                     std::to_string(tensorType.shape().dim(d).dim_value());
          return {};
        }
      }
      shape.assign(fixed->second.begin(), fixed->second.end());
    } else {
      if (!tensorType.has_shape()) {
        errorOut = "input '" + input.name() +
                   "' has no shape: pass --input-shape " + input.name() +
                   "=DxD...";
        return {};
      }
      for (int d = 0; d < tensorType.shape().dim_size(); ++d) {
        const auto &dim = tensorType.shape().dim(d);
        if (!dim.has_dim_value() || dim.dim_value() < 0) {
          errorOut = "input '" + input.name() + "' dim " + std::to_string(d) +
                     (dim.has_dim_param() ? " ('" + dim.dim_param() + "')"
                                          : std::string()) +
                     " is symbolic: fix it with --input-shape " + input.name() +
                     "=...";
          return {};
        }
        shape.push_back(dim.dim_value());
      }
    }
    if (llvm::is_contained(argNames, input.name())) {
      errorOut = "two graph inputs are named '" + input.name() + "'";
      return {};
    }
    argTypes.push_back(RankedTensorType::get(shape, element));
    argNames.push_back(input.name());
  }
  for (auto &[name, shape] : options.inputShapes)
    if (!llvm::is_contained(argNames, name)) {
      errorOut = "--input-shape names '" + name + "', which is not an input";
      return {};
    }

  auto func = func::FuncOp::create(builder, module->getLoc(), "main",
                                   builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (size_t i = 0; i < argNames.size(); ++i) {
    func.setArgAttr(i, "llmo.name", builder.getStringAttr(argNames[i]));
    values[argNames[i]] = entry->getArgument(i);
  }
  builder.setInsertionPointToStart(entry);

  for (const auto &init : graph.initializer()) {
    loc = NameLoc::get(builder.getStringAttr(init.name()));
    FailureOr<Tensor> t = tensorFromProto(init);
    Type element = elementTypeOf(&ctx, init.data_type());
    if (failed(t) || !element) {
      errorOut = "initializer '" + init.name() + "': unsupported type " +
                 dataTypeName(init.data_type()) + " or malformed data";
      return {};
    }
    values[init.name()] = constant(*t, element, init.name());
  }

  for (const auto &node : graph.node()) {
    if (failed(importNode(node))) {
      errorOut = error;
      return {};
    }
  }

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const auto &output : graph.output()) {
    auto it = values.find(output.name());
    if (it == values.end()) {
      errorOut = "graph output '" + output.name() + "' is not produced";
      return {};
    }
    if (failed(checkDeclaredOutput(output, it->second, errorOut)))
      return {};
    results.push_back(it->second);
    resultTypes.push_back(it->second.getType());
  }
  func::ReturnOp::create(builder, module->getLoc(), results);
  func.setFunctionType(builder.getFunctionType(argTypes, resultTypes));
  for (int i = 0; i < graph.output_size(); ++i)
    func.setResultAttr(i, "llmo.name",
                       builder.getStringAttr(graph.output(i).name()));

  // Collect diagnostics (from verification or passes) into the message.
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &diag) {
    llvm::raw_string_ostream os(diagnostics);
    os << diag.getLocation() << ": " << diag.str() << "\n";
    return success();
  });
  if (failed(verify(*module))) {
    errorOut = "the imported IR does not verify:\n" + diagnostics;
    return {};
  }
  if (options.cleanup) {
    PassManager pm(&ctx);
    buildImportCleanupPipeline(pm);
    if (failed(pm.run(*module))) {
      errorOut = "post-import cleanup failed:\n" + diagnostics;
      return {};
    }
  }
  return module;
}

} // namespace

OwningOpRef<ModuleOp> importOnnxFile(MLIRContext &context,
                                     const std::string &path,
                                     const ImportOptions &options,
                                     std::string &error) {
  context.loadDialect<LlmoDialect, func::FuncDialect, quant::QuantDialect>();
  onnx::ModelProto model;
  if (!loadOnnxModel(path, model, error))
    return {};
  Importer importer(context, model, path, options);
  return importer.run(error);
}

bool parseInputShapeSpec(const std::string &spec, ImportOptions &options,
                         std::string &error) {
  size_t eq = spec.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
    error = "bad --input-shape '" + spec + "': expected NAME=D1xD2x...";
    return false;
  }
  std::vector<int64_t> dims;
  StringRef rest = StringRef(spec).drop_front(eq + 1);
  if (rest != "scalar") {
    SmallVector<StringRef> parts;
    rest.split(parts, 'x');
    for (StringRef part : parts) {
      int64_t d;
      if (part.getAsInteger(10, d) || d < 0 || d > (int64_t(1) << 32)) {
        error = "bad --input-shape '" + spec + "': '" + part.str() +
                "' is not a dimension";
        return false;
      }
      dims.push_back(d);
    }
  }
  options.inputShapes[spec.substr(0, eq)] = dims;
  return true;
}

} // namespace llmo
