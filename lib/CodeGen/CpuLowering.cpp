//===- CpuLowering.cpp - llmo ops to kernel calls in the LLVM dialect -----===//
//
// See CpuCodeGen.h for the scheme. The op -> kernel mapping follows the
// descriptor layouts of llmo/Runtime/KernelAbi.h; weights are packed with
// llmo/Runtime/Packing.h, the same code the kernel tests use.
//
//===----------------------------------------------------------------------===//

#include "LoopCodeGen.h"
#include "llmo/CodeGen/CpuCodeGen.h"
#include "llmo/Dialect/Llmo.h"
#include "llmo/Interpreter/Interpreter.h"
#include "llmo/Runtime/KernelAbi.h"
#include "llmo/Runtime/Packing.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <numeric>

using namespace mlir;

namespace llmo {

int64_t planArena(const std::vector<int64_t> &sizes,
                  const std::vector<std::pair<int64_t, int64_t>> &intervals,
                  std::vector<int64_t> &offsets) {
  std::vector<size_t> order(sizes.size());
  std::iota(order.begin(), order.end(), 0);
  // Largest first (ties by definition order, for determinism).
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return sizes[a] > sizes[b]; });
  offsets.assign(sizes.size(), -1);
  std::vector<size_t> placed;
  int64_t total = 0;
  for (size_t id : order) {
    int64_t size = (sizes[id] + 63) / 64 * 64;
    // Live buffers overlapping this one in time, by offset.
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (size_t other : placed)
      if (intervals[other].first <= intervals[id].second &&
          intervals[id].first <= intervals[other].second)
        busy.push_back({offsets[other], (sizes[other] + 63) / 64 * 64});
    std::sort(busy.begin(), busy.end());
    int64_t candidate = 0;
    for (auto [offset, length] : busy) {
      if (candidate + size <= offset)
        break;
      candidate = std::max(candidate, offset + length);
    }
    offsets[id] = candidate;
    total = std::max(total, candidate + size);
    placed.push_back(id);
  }
  return total;
}

namespace {

std::vector<int64_t> contiguousStrides(ArrayRef<int64_t> shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

int64_t numElements(ArrayRef<int64_t> shape) {
  return std::accumulate(shape.begin(), shape.end(), int64_t(1),
                         std::multiplies<int64_t>());
}

/// Strides (in elements) reading `shape` broadcast to `outShape`.
std::vector<int64_t> broadcastStrides(ArrayRef<int64_t> shape,
                                      ArrayRef<int64_t> outShape) {
  std::vector<int64_t> strides(outShape.size(), 0);
  std::vector<int64_t> own = contiguousStrides(shape);
  size_t lead = outShape.size() - shape.size();
  for (size_t d = 0; d < shape.size(); ++d)
    strides[lead + d] = shape[d] == 1 ? 0 : own[d];
  return strides;
}

RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

FailureOr<int64_t> elemCode(Type elementType) {
  FailureOr<DType> dtype = dtypeOf(elementType);
  if (failed(dtype))
    return failure();
  switch (*dtype) {
  case DType::F32:
    return (int64_t)kLlmoF32;
  case DType::I64:
    return (int64_t)kLlmoI64;
  case DType::I32:
    return (int64_t)kLlmoI32;
  case DType::I1:
    return (int64_t)kLlmoBool;
  case DType::I8:
    return (int64_t)kLlmoI8;
  case DType::U8:
    return (int64_t)kLlmoU8;
  default:
    return failure();
  }
}

int64_t elemBytes(int64_t code) {
  return code == kLlmoI64 ? 8 : (code == kLlmoF32 || code == kLlmoI32) ? 4 : 1;
}

const char *manifestDType(int64_t code) {
  switch (code) {
  case kLlmoF32:
    return "f32";
  case kLlmoI64:
    return "i64";
  case kLlmoI32:
    return "i32";
  case kLlmoBool:
    return "bool";
  case kLlmoI8:
    return "i8";
  default:
    return "u8";
  }
}

/// The element size of a manifest dtype name (manifestDType's names).
int64_t manifestDTypeBytes(const std::string &dtype) {
  if (dtype == "i64")
    return 8;
  if (dtype == "f32" || dtype == "i32")
    return 4;
  return 1;
}

int64_t floatBits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return (int64_t)bits;
}

/// A kernel operand before planning: a value (plus a byte offset into it),
/// a piece of the weight image, or null.
struct OperandRef {
  enum Kind { Null, OfValue, Weight, Output, Function } kind = Null;
  Value value;
  int64_t offset = 0; // bytes into the value, or the weight image offset,
                      // or the io slot of an Output
  std::string symbol; // a Function's entry
};

struct KernelCall {
  int64_t kernel;
  std::vector<int64_t> desc;
  std::vector<OperandRef> operands;
  Location loc;
};

struct Buffer {
  int64_t bytes;
  int64_t begin, end;
};

class Lowering {
public:
  Lowering(ModuleOp module, func::FuncOp func)
      : module(module), func(func), loops(module.getContext()) {}

  FailureOr<CpuLowering> run();

private:
  LogicalResult lowerOp(Operation *op, int64_t index);
  LogicalResult lowerLinear(Operation *op, Value input, Value weight,
                            Value bias, Value residual, int64_t activation);
  /// `requantize`: [out_type, scale_bits, zp, qmin, qmax] of a per-tensor
  /// quantize fused into the kernel (written to `output`), or out_type f32.
  LogicalResult lowerQuantizedLinear(Operation *op, Value input, Value weight,
                                     Value bias, Value residual,
                                     int64_t activation, bool dynamic,
                                     std::vector<int64_t> requantize,
                                     Value output);
  /// llmo.dynamic_qlinear with an i4 weight (kLlmoKernelW4A8Linear).
  LogicalResult
  lowerW4A8Linear(Operation *op, Value input,
                  const std::pair<Tensor, quant::QuantizedType> &weight,
                  Value bias, Value residual, int64_t activation, Value output);
  void emitLlvm();

  // Values.
  bool isConstant(Value v) { return constants.count(v); }
  Value root(Value v) {
    auto it = aliasOf.find(v);
    return it == aliasOf.end() ? v : it->second;
  }
  void define(Value v, int64_t index) {
    int64_t code = *elemCode(tensorType(v).getElementType());
    bufferOf[v] = (int64_t)buffers.size();
    buffers.push_back({numElements(tensorType(v).getShape()) * elemBytes(code),
                       index, index});
  }
  OperandRef use(Value v, int64_t byteOffset = 0);
  int64_t addWeight(const void *data, size_t bytes);
  int64_t rawConstant(Value v);
  FailureOr<Tensor> constantTensor(Value v) {
    auto it = constants.find(v);
    if (it == constants.end())
      return failure();
    return it->second;
  }
  /// The storage integers and quantized type behind a weight operand that
  /// is (a storage_cast of) a constant.
  FailureOr<std::pair<Tensor, quant::QuantizedType>> quantWeight(Value w);

  void call(Location loc, int64_t kernel, std::vector<int64_t> desc,
            std::vector<OperandRef> operands) {
    calls.push_back({kernel, std::move(desc), std::move(operands), loc});
  }

  ModuleOp module;
  func::FuncOp func;
  LoopCodeGen loops;
  CpuLowering result;
  int64_t currentIndex = 0;
  llvm::DenseMap<Value, Tensor> constants;
  llvm::DenseMap<Value, Value> aliasOf;
  llvm::DenseMap<Value, int64_t> bufferOf, ioOf;
  std::vector<Buffer> buffers;
  std::vector<KernelCall> calls;
  std::map<std::pair<const void *, int>, int64_t> weightCache;
  std::vector<int64_t> arenaOffsets;
  /// Norms emitted together with the quantize that is their only user.
  llvm::DenseSet<Operation *> normsBeforeQuantize;
  /// Int8 linears whose only user, a per-tensor quantize, they write.
  llvm::DenseSet<Operation *> linearsBeforeQuantize;
};

OperandRef Lowering::use(Value v, int64_t byteOffset) {
  OperandRef ref;
  if (isConstant(v)) {
    ref.kind = OperandRef::Weight;
    ref.offset = rawConstant(v) + byteOffset;
    return ref;
  }
  Value r = root(v);
  ref.kind = OperandRef::OfValue;
  ref.value = r;
  ref.offset = byteOffset;
  auto it = bufferOf.find(r);
  if (it != bufferOf.end())
    buffers[it->second].end = std::max(buffers[it->second].end, currentIndex);
  return ref;
}

int64_t Lowering::addWeight(const void *data, size_t bytes) {
  std::vector<uint8_t> &image = result.weights;
  size_t offset = (image.size() + kLlmoWeightAlign - 1) / kLlmoWeightAlign *
                  kLlmoWeightAlign;
  image.resize(offset + bytes);
  if (bytes)
    std::memcpy(image.data() + offset, data, bytes);
  return (int64_t)offset;
}

int64_t Lowering::rawConstant(Value v) {
  auto key = std::make_pair(v.getAsOpaquePointer(), 0);
  auto it = weightCache.find(key);
  if (it != weightCache.end())
    return it->second;
  std::vector<char> bytes = tensorToBytes(constants.find(v)->second);
  int64_t offset = addWeight(bytes.data(), bytes.size());
  weightCache[key] = offset;
  return offset;
}

FailureOr<std::pair<Tensor, quant::QuantizedType>>
Lowering::quantWeight(Value w) {
  auto qtype = dyn_cast<quant::QuantizedType>(tensorType(w).getElementType());
  if (!qtype)
    return failure();
  Value source = w;
  if (auto cast = w.getDefiningOp<StorageCastOp>())
    source = cast.getOperand();
  FailureOr<Tensor> values = constantTensor(source);
  if (failed(values))
    return failure();
  return std::make_pair(*values, qtype);
}

/// Per-output-channel scales of a [K, N] symmetric weight (per-tensor or
/// per-axis on axis 1); failure for other layouts.
FailureOr<std::vector<float>> channelScales(quant::QuantizedType type,
                                            int64_t n) {
  if (auto uniform = dyn_cast<quant::UniformQuantizedType>(type))
    return std::vector<float>(n, (float)uniform.getScale());
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(type))
    if (perAxis.getQuantizedDimension() == 1)
      return std::vector<float>(perAxis.getScales().begin(),
                                perAxis.getScales().end());
  return failure();
}

LogicalResult Lowering::lowerQuantizedLinear(Operation *op, Value input,
                                             Value weight, Value bias,
                                             Value residual, int64_t activation,
                                             bool dynamic,
                                             std::vector<int64_t> requantize,
                                             Value output) {
  auto w = quantWeight(weight);
  auto wShape = tensorType(weight).getShape();
  int64_t k = wShape[0], n = wShape[1];
  if (dynamic && succeeded(w) && w->second.getStorageTypeIntegralWidth() == 4)
    return lowerW4A8Linear(op, input, *w, bias, residual, activation, output);
  FailureOr<std::vector<float>> scales = failure();
  if (succeeded(w))
    scales = channelScales(w->second, n);
  if (failed(w) || failed(scales) || !w->second.isSigned() ||
      w->second.getStorageTypeIntegralWidth() != 8)
    return op->emitError("CPU code generation needs a constant symmetric i8 "
                         "weight (per-tensor or per-channel on axis 1)");
  int64_t m =
      numElements(tensorType(input).getShape()) / std::max<int64_t>(k, 1);
  std::vector<int8_t> q(w->first.ints.begin(), w->first.ints.end());
  auto key = std::make_pair(weight.getAsOpaquePointer(), 2);
  int64_t packed;
  if (auto it = weightCache.find(key); it != weightCache.end()) {
    packed = it->second;
  } else {
    std::vector<int8_t> buffer(rt::packedInt8Bytes(k, n));
    rt::packInt8(q.data(), k, n, buffer.data());
    packed = addWeight(buffer.data(), buffer.size());
    weightCache[key] = packed;
  }
  int64_t scaleOffset = addWeight(scales->data(), scales->size() * 4);
  OperandRef x = use(input), out;
  OperandRef wRef{OperandRef::Weight, Value(), packed};
  OperandRef sRef{OperandRef::Weight, Value(), scaleOffset};
  OperandRef bRef = bias ? use(bias) : OperandRef();
  OperandRef rRef = residual ? use(residual) : OperandRef();
  define(output, currentIndex);
  out = use(output);
  std::vector<int64_t> desc;
  int64_t kernel;
  if (dynamic) {
    kernel = kLlmoKernelDynamicQLinear;
    desc = {m, n, k, bias ? 1 : 0, activation, residual ? 1 : 0};
  } else {
    kernel = kLlmoKernelQLinear;
    auto inType = cast<quant::UniformQuantizedType>(
        cast<quant::QuantizedType>(tensorType(input).getElementType()));
    desc = {m,
            n,
            k,
            inType.isSigned() ? (int64_t)kLlmoI8 : (int64_t)kLlmoU8,
            inType.getZeroPoint(),
            floatBits((float)inType.getScale()),
            bias ? 1 : 0,
            activation,
            residual ? 1 : 0};
  }
  desc.insert(desc.end(), requantize.begin(), requantize.end());
  call(op->getLoc(), kernel, desc, {x, wRef, sRef, bRef, rRef, out});
  return success();
}

LogicalResult
Lowering::lowerW4A8Linear(Operation *op, Value input,
                          const std::pair<Tensor, quant::QuantizedType> &w,
                          Value bias, Value residual, int64_t activation,
                          Value output) {
  auto wShape = tensorType(op->getOperand(1)).getShape();
  int64_t k = wShape[0], n = wShape[1];
  int64_t groupSize = k;
  bool grouped = false;
  std::vector<float> scales;
  if (auto sub = dyn_cast<quant::UniformQuantizedSubChannelType>(w.second)) {
    grouped = true;
    groupSize = sub.getBlockSizes()[0];
    for (APFloat s : sub.getScales().getValues<APFloat>())
      scales.push_back((float)s.convertToDouble());
    // The kernel reads K in quads of rows; a group must start on one.
    if (groupSize % 4 != 0 && groupSize != k)
      return op->emitError("CPU code generation of W4A8 needs a group size "
                           "that is a multiple of 4, not ")
             << groupSize;
  } else {
    FailureOr<std::vector<float>> channel = channelScales(w.second, n);
    if (failed(channel))
      return op->emitError("CPU code generation needs a constant symmetric "
                           "i4 weight (per-tensor, per-channel on axis 1 or "
                           "in groups along K)");
    scales = std::move(*channel);
  }
  // The kernel keeps a quantized activation row (K bytes, its scale and
  // per-group sums) in the 1 MiB of scratch a single-threaded session has.
  int64_t groups = (k + groupSize - 1) / std::max<int64_t>(groupSize, 1);
  if ((k + 3) / 4 * 4 + 64 + 4 + 4 * groups > (int64_t)(1 << 20))
    return op->emitError("CPU W4A8 keeps a quantized activation row in 1 MiB "
                         "of scratch: K = ")
           << k << " is too long";
  int64_t m =
      numElements(tensorType(input).getShape()) / std::max<int64_t>(k, 1);
  std::vector<int8_t> q(w.first.ints.begin(), w.first.ints.end());
  std::vector<uint8_t> packed(rt::packedW4A8Bytes(k, n));
  rt::packW4A8(q.data(), k, n, packed.data());
  std::vector<float> packedScales(rt::w4a8ScaleFloats(k, n, groupSize));
  rt::packW4A8Scales(scales.data(), k, n, groupSize, packedScales.data());
  OperandRef x = use(input);
  OperandRef wRef{OperandRef::Weight, Value(),
                  addWeight(packed.data(), packed.size())};
  OperandRef sRef{OperandRef::Weight, Value(),
                  addWeight(packedScales.data(), packedScales.size() * 4)};
  OperandRef bRef = bias ? use(bias) : OperandRef();
  OperandRef rRef = residual ? use(residual) : OperandRef();
  define(output, currentIndex);
  call(op->getLoc(), kLlmoKernelW4A8Linear,
       {m, n, k, groupSize, grouped ? 1 : 0, bias ? 1 : 0, activation,
        residual ? 1 : 0},
       {x, wRef, sRef, bRef, rRef, use(output)});
  return success();
}

LogicalResult Lowering::lowerLinear(Operation *op, Value input, Value weight,
                                    Value bias, Value residual,
                                    int64_t activation) {
  Value result = op->getResult(0);
  auto wShape = tensorType(weight).getShape();
  int64_t k = wShape[0], n = wShape[1];
  int64_t m =
      numElements(tensorType(input).getShape()) / std::max<int64_t>(k, 1);
  // Weight-only quantized: linear(x, dequantize(storage_cast(constant))).
  if (auto dq = weight.getDefiningOp<DequantizeOp>()) {
    auto w = quantWeight(dq.getOperand());
    if (succeeded(w) && w->second.isSigned()) {
      int bits = w->second.getStorageTypeIntegralWidth();
      int64_t groupSize = 0;
      std::vector<float> scales;
      std::vector<int32_t> zps;
      auto type = w->second;
      if (auto uniform = dyn_cast<quant::UniformQuantizedType>(type)) {
        groupSize = k;
        scales.assign(n, (float)uniform.getScale());
        zps.assign(n, (int32_t)uniform.getZeroPoint());
      } else if (auto axis =
                     dyn_cast<quant::UniformQuantizedPerAxisType>(type)) {
        if (axis.getQuantizedDimension() == 1) {
          groupSize = k;
          scales.assign(axis.getScales().begin(), axis.getScales().end());
          zps.assign(axis.getZeroPoints().begin(), axis.getZeroPoints().end());
        }
      } else if (auto sub =
                     dyn_cast<quant::UniformQuantizedSubChannelType>(type)) {
        auto shape = sub.getScales().getType().getShape();
        if (shape.size() == 2 && shape[1] == n && k % shape[0] == 0) {
          groupSize = k / shape[0];
          for (APFloat s : sub.getScales().getValues<APFloat>())
            scales.push_back((float)s.convertToDouble());
          for (APInt z : sub.getZeroPoints().getValues<APInt>())
            zps.push_back((int32_t)z.getSExtValue());
        }
      }
      if (groupSize > 0 && (bits == 4 || bits == 8)) {
        std::vector<int8_t> q(w->first.ints.begin(), w->first.ints.end());
        std::vector<uint8_t> packed(rt::packedWeightQuantBytes(k, n, bits));
        rt::packWeightQuant(q.data(), k, n, bits, packed.data());
        size_t params = rt::weightQuantParamFloats(k, n, groupSize);
        std::vector<float> pScales(params), pZps(params);
        rt::packWeightQuantParams(scales.data(), zps.data(), k, n, groupSize,
                                  bits, pScales.data(), pZps.data());
        OperandRef x = use(input);
        OperandRef wRef{OperandRef::Weight, Value(),
                        addWeight(packed.data(), packed.size())};
        OperandRef sRef{OperandRef::Weight, Value(),
                        addWeight(pScales.data(), params * 4)};
        OperandRef zRef{OperandRef::Weight, Value(),
                        addWeight(pZps.data(), params * 4)};
        OperandRef bRef = bias ? use(bias) : OperandRef();
        OperandRef rRef = residual ? use(residual) : OperandRef();
        define(result, currentIndex);
        call(op->getLoc(), kLlmoKernelWeightQuantLinear,
             {m, n, k, bits, groupSize, bias ? 1 : 0, activation,
              residual ? 1 : 0},
             {x, wRef, sRef, zRef, bRef, rRef, use(result)});
        return success();
      }
    }
  }
  FailureOr<Tensor> w = constantTensor(weight);
  if (failed(w))
    return op->emitError("CPU code generation needs a constant weight (or a "
                         "dequantized constant) for a linear");
  auto key = std::make_pair(weight.getAsOpaquePointer(), 1);
  int64_t packed;
  if (auto it = weightCache.find(key); it != weightCache.end()) {
    packed = it->second;
  } else {
    std::vector<float> buffer(rt::packedSgemmBytes(k, n) / 4);
    rt::packSgemm(w->floats.data(), k, n, buffer.data());
    packed = addWeight(buffer.data(), buffer.size() * 4);
    weightCache[key] = packed;
  }
  OperandRef x = use(input);
  OperandRef bRef = bias ? use(bias) : OperandRef();
  OperandRef rRef = residual ? use(residual) : OperandRef();
  define(result, currentIndex);
  call(op->getLoc(), kLlmoKernelLinearF32,
       {m, n, k, bias ? 1 : 0, activation, residual ? 1 : 0},
       {x, OperandRef{OperandRef::Weight, Value(), packed}, bRef, rRef,
        use(result)});
  return success();
}

/// The requantization words of an int8 linear that writes floats.
const std::vector<int64_t> kFloatOutput = {kLlmoF32, 0, 0, 0, 0};

int64_t activationCode(StringRef activation) {
  return llvm::StringSwitch<int64_t>(activation)
      .Case("gelu", kLlmoActGelu)
      .Case("gelu_tanh", kLlmoActGeluTanh)
      .Case("silu", kLlmoActSilu)
      .Case("relu", kLlmoActRelu)
      .Default(kLlmoActNone);
}

std::optional<int64_t> binaryOpcode(Operation *op) {
  return TypeSwitch<Operation *, std::optional<int64_t>>(op)
      .Case([](AddOp) { return kLlmoBinAdd; })
      .Case([](SubOp) { return kLlmoBinSub; })
      .Case([](MulOp) { return kLlmoBinMul; })
      .Case([](DivOp) { return kLlmoBinDiv; })
      .Case([](PowOp) { return kLlmoBinPow; })
      .Case([](MaxOp) { return kLlmoBinMax; })
      .Case([](MinOp) { return kLlmoBinMin; })
      .Case([](AndOp) { return kLlmoBinAnd; })
      .Case([](OrOp) { return kLlmoBinOr; })
      .Case([](EqualOp) { return kLlmoBinEqual; })
      .Case([](LessOp) { return kLlmoBinLess; })
      .Case([](LessEqualOp) { return kLlmoBinLessEqual; })
      .Case([](GreaterOp) { return kLlmoBinGreater; })
      .Case([](GreaterEqualOp) { return kLlmoBinGreaterEqual; })
      .Default([](Operation *) { return std::nullopt; });
}

std::optional<int64_t> unaryOpcode(Operation *op) {
  return TypeSwitch<Operation *, std::optional<int64_t>>(op)
      .Case([](NegOp) { return kLlmoUnNeg; })
      .Case([](AbsOp) { return kLlmoUnAbs; })
      .Case([](ExpOp) { return kLlmoUnExp; })
      .Case([](LogOp) { return kLlmoUnLog; })
      .Case([](SqrtOp) { return kLlmoUnSqrt; })
      .Case([](RsqrtOp) { return kLlmoUnRsqrt; })
      .Case([](ReciprocalOp) { return kLlmoUnReciprocal; })
      .Case([](TanhOp) { return kLlmoUnTanh; })
      .Case([](ErfOp) { return kLlmoUnErf; })
      .Case([](SigmoidOp) { return kLlmoUnSigmoid; })
      .Case([](SinOp) { return kLlmoUnSin; })
      .Case([](CosOp) { return kLlmoUnCos; })
      .Case([](ReluOp) { return kLlmoUnRelu; })
      .Case([](SiluOp) { return kLlmoUnSilu; })
      .Case([](FloorOp) { return kLlmoUnFloor; })
      .Case([](NotOp) { return kLlmoUnNot; })
      .Case([](GeluOp g) {
        return g.getApproximate() == "tanh" ? kLlmoUnGeluTanh : kLlmoUnGeluErf;
      })
      .Default([](Operation *) { return std::nullopt; });
}

/// Whether one normalized row (the trailing dims from the norm's axis) fits
/// the kernels' 1 MiB per-worker scratch.
bool rowFitsScratch(Operation &norm) {
  int64_t axis = isa<LayerNormOp>(norm) ? cast<LayerNormOp>(norm).getAxis()
                                        : cast<RmsNormOp>(norm).getAxis();
  auto shape = tensorType(norm.getResult(0)).getShape();
  return numElements(shape.drop_front(axis)) * 4 <= (int64_t)(1 << 20);
}

/// Whether a dequantize only feeds linear weights (then the linear kernel
/// dequantizes on the fly and the op itself emits nothing).
bool feedsOnlyLinearWeights(DequantizeOp op) {
  if (op->use_empty())
    return false;
  for (OpOperand &use : op->getUses())
    if (!isa<LinearOp, FusedLinearOp>(use.getOwner()) ||
        use.getOperandNumber() != 1)
      return false;
  return true;
}

LogicalResult Lowering::lowerOp(Operation *op, int64_t index) {
  Location loc = op->getLoc();
  for (Value result : op->getResults())
    if (failed(elemCode(tensorType(result).getElementType())))
      return op->emitError("CPU code generation does not support element "
                           "type ")
             << tensorType(result).getElementType() << " (f32, i64, i32, i1, "
             << "i8 and u8 tensors are supported)";

  if (isa<ReshapeOp, StorageCastOp>(op)) {
    aliasOf[op->getResult(0)] = root(op->getOperand(0));
    return success();
  }
  auto outShape = [&](unsigned i = 0) {
    return tensorType(op->getResult(i)).getShape();
  };
  auto code = [&](Value v) {
    return *elemCode(tensorType(v).getElementType());
  };
  auto defineAndUse = [&](unsigned i = 0) {
    define(op->getResult(i), index);
    return use(op->getResult(i));
  };

  if (std::optional<int64_t> opcode = binaryOpcode(op)) {
    Value a = op->getOperand(0), b = op->getOperand(1);
    auto shape = outShape();
    std::vector<int64_t> desc = {*opcode, code(a), code(op->getResult(0)),
                                 (int64_t)shape.size()};
    desc.insert(desc.end(), shape.begin(), shape.end());
    auto as = broadcastStrides(tensorType(a).getShape(), shape);
    auto bs = broadcastStrides(tensorType(b).getShape(), shape);
    desc.insert(desc.end(), as.begin(), as.end());
    desc.insert(desc.end(), bs.begin(), bs.end());
    OperandRef ra = use(a), rb = use(b);
    call(loc, kLlmoKernelBinary, desc, {ra, rb, defineAndUse()});
    return success();
  }
  if (std::optional<int64_t> opcode = unaryOpcode(op)) {
    Value in = op->getOperand(0);
    OperandRef ri = use(in);
    call(loc, kLlmoKernelUnary, {*opcode, code(in), numElements(outShape())},
         {ri, defineAndUse()});
    return success();
  }
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](ElementwiseOp o) -> LogicalResult {
        LoopCodeGen::Function fn = loops.addElementwise(o);
        OperandRef entry;
        entry.kind = OperandRef::Function;
        entry.symbol = fn.entry;
        std::vector<OperandRef> operands = {entry};
        for (Value input : o.getInputs())
          operands.push_back(use(input));
        operands.push_back(defineAndUse());
        call(loc, kLlmoKernelLoop, {fn.extent, fn.elementsPerIndex}, operands);
        return success();
      })
      .Case([&](LinearOp o) -> LogicalResult {
        return lowerLinear(o, o.getInput(), o.getWeight(), o.getBias(), Value(),
                           kLlmoActNone);
      })
      .Case([&](FusedLinearOp o) -> LogicalResult {
        return lowerLinear(o, o.getInput(), o.getWeight(), o.getBias(),
                           o.getResidual(), activationCode(o.getActivation()));
      })
      .Case([&](AttentionOp o) -> LogicalResult {
        auto q = tensorType(o.getQuery()).getShape();
        int64_t rank = q.size(), sq = q[rank - 2], d = q[rank - 1];
        int64_t sk = tensorType(o.getKey()).getDimSize(rank - 2);
        int64_t dv = tensorType(o.getValue()).getDimSize(rank - 1);
        // K^T of a head and 6 rows of scores live in 1 MiB of scratch.
        if ((d + 6) * sk * 4 > (int64_t)(1 << 20))
          return o.emitError("CPU attention keeps K^T and six rows of scores "
                             "in 1 MiB of scratch: Sk = ")
                 << sk << " with D = " << d << " is too long";
        std::vector<int64_t> scores(q.begin(), q.end() - 2);
        scores.push_back(sq);
        scores.push_back(sk);
        std::vector<int64_t> desc = {numElements(q.drop_back(2)),
                                     sq,
                                     sk,
                                     d,
                                     dv,
                                     floatBits(o.getScale().convertToFloat()),
                                     o.getMask() ? 1 : 0,
                                     rank};
        desc.insert(desc.end(), scores.begin(), scores.end());
        std::vector<int64_t> strides(rank, 0);
        if (o.getMask())
          strides =
              broadcastStrides(tensorType(o.getMask()).getShape(), scores);
        desc.insert(desc.end(), strides.begin(), strides.end());
        // Query heads per key/value head (1 for empty batches).
        int64_t kvBatches =
            numElements(tensorType(o.getKey()).getShape().drop_back(2));
        desc.push_back(kvBatches > 0 ? numElements(q.drop_back(2)) / kvBatches
                                     : 1);
        OperandRef rq = use(o.getQuery()), rk = use(o.getKey()),
                   rv = use(o.getValue());
        OperandRef rm = o.getMask() ? use(o.getMask()) : OperandRef();
        call(loc, kLlmoKernelAttention, desc, {rq, rk, rv, rm, defineAndUse()});
        return success();
      })
      .Case([&](QLinearOp o) -> LogicalResult {
        return lowerQuantizedLinear(
            o, o.getInput(), o.getWeight(), o.getBias(), o.getResidual(),
            activationCode(o.getActivation()), /*dynamic=*/false, kFloatOutput,
            o.getResult());
      })
      .Case([&](DynamicQLinearOp o) -> LogicalResult {
        return lowerQuantizedLinear(
            o, o.getInput(), o.getWeight(), o.getBias(), o.getResidual(),
            activationCode(o.getActivation()), /*dynamic=*/true, kFloatOutput,
            o.getResult());
      })
      .Case([&](MatmulOp o) -> LogicalResult {
        auto a = tensorType(o.getLhs()).getShape(),
             b = tensorType(o.getRhs()).getShape(), c = outShape();
        int64_t m = c[c.size() - 2], n = c.back(), k = a.back();
        auto batch = c.drop_back(2);
        std::vector<int64_t> aBatch(a.begin(), a.end() - 2),
            bBatch(b.begin(), b.end() - 2);
        auto as = broadcastStrides(aBatch, batch),
             bs = broadcastStrides(bBatch, batch);
        for (int64_t &s : as)
          s *= m * k;
        for (int64_t &s : bs)
          s *= k * n;
        std::vector<int64_t> desc = {numElements(batch), m, n, k,
                                     (int64_t)batch.size()};
        desc.insert(desc.end(), batch.begin(), batch.end());
        desc.insert(desc.end(), as.begin(), as.end());
        desc.insert(desc.end(), bs.begin(), bs.end());
        OperandRef ra = use(o.getLhs()), rb = use(o.getRhs());
        call(loc, kLlmoKernelMatmul, desc, {ra, rb, defineAndUse()});
        return success();
      })
      .Case([&](LayerNormOp o) -> LogicalResult {
        auto shape = outShape();
        int64_t cols = numElements(shape.drop_front(o.getAxis()));
        OperandRef x = use(o.getInput()), s = use(o.getScale());
        OperandRef b = o.getBias() ? use(o.getBias()) : OperandRef();
        call(loc, kLlmoKernelLayerNorm,
             {numElements(shape) / std::max<int64_t>(cols, 1), cols,
              floatBits(o.getEpsilon().convertToFloat()), o.getBias() ? 1 : 0},
             {x, s, b, defineAndUse()});
        return success();
      })
      .Case([&](RmsNormOp o) -> LogicalResult {
        auto shape = outShape();
        int64_t cols = numElements(shape.drop_front(o.getAxis()));
        OperandRef x = use(o.getInput()), s = use(o.getScale());
        call(loc, kLlmoKernelRmsNorm,
             {numElements(shape) / std::max<int64_t>(cols, 1), cols,
              floatBits(o.getEpsilon().convertToFloat())},
             {x, s, defineAndUse()});
        return success();
      })
      .Case([&](SoftmaxOp o) -> LogicalResult {
        auto shape = outShape();
        int64_t axis = o.getAxis();
        OperandRef x = use(o.getOperand());
        call(loc, kLlmoKernelSoftmax,
             {numElements(shape.take_front(axis)), shape[axis],
              numElements(shape.drop_front(axis + 1))},
             {x, defineAndUse()});
        return success();
      })
      .Case<ReduceSumOp, ReduceMeanOp, ReduceMaxOp, ReduceMinOp>(
          [&](auto o) -> LogicalResult {
            auto in = tensorType(o.getOperand()).getShape();
            ArrayRef<int64_t> axes = o.getAxes();
            bool contiguous = !axes.empty();
            for (size_t i = 1; i < axes.size(); ++i)
              contiguous &= axes[i] == axes[i - 1] + 1;
            if (!contiguous || code(o.getOperand()) != kLlmoF32)
              return o.emitError("CPU code generation reduces f32 tensors over "
                                 "one run of adjacent axes only");
            int64_t opcode = isa<ReduceSumOp>(o)    ? kLlmoReduceSum
                             : isa<ReduceMeanOp>(o) ? kLlmoReduceMean
                             : isa<ReduceMaxOp>(o)  ? kLlmoReduceMax
                                                    : kLlmoReduceMin;
            OperandRef x = use(o.getOperand());
            call(loc, kLlmoKernelReduce,
                 {opcode, numElements(in.take_front(axes.front())),
                  numElements(in.slice(axes.front(), axes.size())),
                  numElements(in.drop_front(axes.back() + 1))},
                 {x, defineAndUse()});
            return success();
          })
      .Case([&](WhereOp o) -> LogicalResult {
        auto shape = outShape();
        std::vector<int64_t> desc = {elemBytes(code(o.getResult())),
                                     (int64_t)shape.size()};
        desc.insert(desc.end(), shape.begin(), shape.end());
        for (Value v : o->getOperands()) {
          auto s = broadcastStrides(tensorType(v).getShape(), shape);
          desc.insert(desc.end(), s.begin(), s.end());
        }
        OperandRef c = use(o->getOperand(0)), a = use(o->getOperand(1)),
                   b = use(o->getOperand(2));
        call(loc, kLlmoKernelWhere, desc, {c, a, b, defineAndUse()});
        return success();
      })
      .Case([&](CastOp o) -> LogicalResult {
        OperandRef x = use(o.getOperand());
        call(loc, kLlmoKernelCast,
             {code(o.getOperand()), code(o.getResult()),
              numElements(outShape())},
             {x, defineAndUse()});
        return success();
      })
      .Case([&](GatherOp o) -> LogicalResult {
        auto data = tensorType(o.getData()).getShape();
        int64_t axis = o.getAxis();
        OperandRef d = use(o.getData()), i = use(o.getIndices());
        call(loc, kLlmoKernelGather,
             {code(o.getIndices()), elemBytes(code(o.getData())),
              numElements(data.take_front(axis)), data[axis],
              numElements(data.drop_front(axis + 1)),
              numElements(tensorType(o.getIndices()).getShape())},
             {d, i, defineAndUse()});
        return success();
      })
      .Case([&](TransposeOp o) -> LogicalResult {
        auto in = tensorType(o.getOperand()).getShape();
        auto shape = outShape();
        auto inStrides = contiguousStrides(in);
        std::vector<int64_t> desc = {elemBytes(code(o.getResult())),
                                     (int64_t)shape.size()};
        desc.insert(desc.end(), shape.begin(), shape.end());
        for (int64_t p : o.getPerm())
          desc.push_back(inStrides[p]);
        auto outStrides = contiguousStrides(shape);
        desc.insert(desc.end(), outStrides.begin(), outStrides.end());
        OperandRef x = use(o.getOperand());
        call(loc, kLlmoKernelStridedCopy, desc, {x, defineAndUse()});
        return success();
      })
      .Case([&](BroadcastOp o) -> LogicalResult {
        auto shape = outShape();
        std::vector<int64_t> desc = {elemBytes(code(o.getResult())),
                                     (int64_t)shape.size()};
        desc.insert(desc.end(), shape.begin(), shape.end());
        auto s = broadcastStrides(tensorType(o.getOperand()).getShape(), shape);
        desc.insert(desc.end(), s.begin(), s.end());
        auto outStrides = contiguousStrides(shape);
        desc.insert(desc.end(), outStrides.begin(), outStrides.end());
        OperandRef x = use(o.getOperand());
        call(loc, kLlmoKernelStridedCopy, desc, {x, defineAndUse()});
        return success();
      })
      .Case([&](SliceOp o) -> LogicalResult {
        auto in = tensorType(o.getOperand()).getShape();
        auto shape = outShape();
        auto inStrides = contiguousStrides(in);
        int64_t bytes = elemBytes(code(o.getResult())), start = 0;
        std::vector<int64_t> desc = {bytes, (int64_t)shape.size()};
        desc.insert(desc.end(), shape.begin(), shape.end());
        for (size_t d = 0; d < shape.size(); ++d) {
          start += o.getStarts()[d] * inStrides[d];
          desc.push_back(o.getSteps()[d] * inStrides[d]);
        }
        auto outStrides = contiguousStrides(shape);
        desc.insert(desc.end(), outStrides.begin(), outStrides.end());
        OperandRef x = use(o.getOperand(), start * bytes);
        call(loc, kLlmoKernelStridedCopy, desc, {x, defineAndUse()});
        return success();
      })
      .Case([&](ConcatOp o) -> LogicalResult {
        auto shape = outShape();
        int64_t axis = o.getAxis(), bytes = elemBytes(code(o.getResult()));
        auto outStrides = contiguousStrides(shape);
        define(o.getResult(), index);
        int64_t at = 0;
        for (Value in : o.getInputs()) {
          auto inShape = tensorType(in).getShape();
          std::vector<int64_t> desc = {bytes, (int64_t)inShape.size()};
          desc.insert(desc.end(), inShape.begin(), inShape.end());
          auto inStrides = contiguousStrides(inShape);
          desc.insert(desc.end(), inStrides.begin(), inStrides.end());
          desc.insert(desc.end(), outStrides.begin(), outStrides.end());
          OperandRef src = use(in);
          call(loc, kLlmoKernelStridedCopy, desc,
               {src, use(o.getResult(), at * outStrides[axis] * bytes)});
          at += inShape[axis];
        }
        return success();
      })
      .Case([&](SplitOp o) -> LogicalResult {
        auto in = tensorType(o.getOperand()).getShape();
        int64_t axis = o.getAxis(), at = 0;
        auto inStrides = contiguousStrides(in);
        for (unsigned i = 0; i < o->getNumResults(); ++i) {
          auto shape = outShape(i);
          int64_t bytes = elemBytes(code(o->getResult(i)));
          std::vector<int64_t> desc = {bytes, (int64_t)shape.size()};
          desc.insert(desc.end(), shape.begin(), shape.end());
          desc.insert(desc.end(), inStrides.begin(), inStrides.end());
          auto outStrides = contiguousStrides(shape);
          desc.insert(desc.end(), outStrides.begin(), outStrides.end());
          OperandRef src = use(o.getOperand(), at * inStrides[axis] * bytes);
          call(loc, kLlmoKernelStridedCopy, desc, {src, defineAndUse(i)});
          at += shape[axis];
        }
        return success();
      })
      .Case([&](QuantizeOp o) -> LogicalResult {
        auto type = dyn_cast<quant::UniformQuantizedType>(
            tensorType(o.getResult()).getElementType());
        if (!type)
          return o.emitError("CPU code generation quantizes activations "
                             "per-tensor only");
        Operation *producer = o.getOperand().getDefiningOp();
        if (producer && linearsBeforeQuantize.contains(producer)) {
          std::vector<int64_t> requantize = {
              code(o.getResult()), floatBits((float)type.getScale()),
              type.getZeroPoint(), type.getStorageTypeMin(),
              type.getStorageTypeMax()};
          if (auto q = dyn_cast<QLinearOp>(producer))
            return lowerQuantizedLinear(
                q, q.getInput(), q.getWeight(), q.getBias(), q.getResidual(),
                activationCode(q.getActivation()), /*dynamic=*/false,
                requantize, o.getResult());
          auto q = cast<DynamicQLinearOp>(producer);
          return lowerQuantizedLinear(
              q, q.getInput(), q.getWeight(), q.getBias(), q.getResidual(),
              activationCode(q.getActivation()), /*dynamic=*/true, requantize,
              o.getResult());
        }
        Operation *norm = producer;
        if (norm && normsBeforeQuantize.contains(norm)) {
          auto layer = dyn_cast<LayerNormOp>(norm);
          auto rmsNorm = dyn_cast<RmsNormOp>(norm);
          Value input = layer ? layer.getInput() : rmsNorm.getInput();
          Value scale = layer ? layer.getScale() : rmsNorm.getScale();
          Value bias = layer ? layer.getBias() : Value();
          int64_t axis = layer ? layer.getAxis() : rmsNorm.getAxis();
          float epsilon = layer ? layer.getEpsilon().convertToFloat()
                                : rmsNorm.getEpsilon().convertToFloat();
          auto shape = outShape();
          int64_t cols = numElements(shape.drop_front(axis));
          OperandRef x = use(input), s = use(scale);
          OperandRef b = bias ? use(bias) : OperandRef();
          call(loc, kLlmoKernelNormQuantize,
               {numElements(shape) / std::max<int64_t>(cols, 1), cols,
                floatBits(epsilon), bias ? 1 : 0, rmsNorm ? 1 : 0,
                code(o.getResult()), floatBits((float)type.getScale()),
                type.getZeroPoint(), type.getStorageTypeMin(),
                type.getStorageTypeMax()},
               {x, s, b, defineAndUse()});
          return success();
        }
        OperandRef x = use(o.getOperand());
        call(loc, kLlmoKernelQuantize,
             {numElements(outShape()), code(o.getResult()),
              floatBits((float)type.getScale()), type.getZeroPoint(),
              type.getStorageTypeMin(), type.getStorageTypeMax()},
             {x, defineAndUse()});
        return success();
      })
      .Case([&](DequantizeOp o) -> LogicalResult {
        auto type = dyn_cast<quant::UniformQuantizedType>(
            tensorType(o.getOperand()).getElementType());
        if (!type || code(o.getOperand()) == kLlmoBool)
          return o.emitError("CPU code generation dequantizes non-constant "
                             "tensors per-tensor only");
        OperandRef x = use(o.getOperand());
        call(loc, kLlmoKernelDequantize,
             {numElements(outShape()), code(o.getOperand()),
              floatBits((float)type.getScale()), type.getZeroPoint()},
             {x, defineAndUse()});
        return success();
      })
      .Case([&](DynamicQuantizeOp o) -> LogicalResult {
        OperandRef x = use(o.getOperand());
        OperandRef y = defineAndUse(0), s = defineAndUse(1),
                   z = defineAndUse(2);
        call(loc, kLlmoKernelDynamicQuantize, {numElements(outShape())},
             {x, y, s, z});
        return success();
      })
      .Default([&](Operation *other) -> LogicalResult {
        return other->emitOpError("is not supported by the CPU code "
                                  "generator");
      });
}

FailureOr<CpuLowering> Lowering::run() {
  Block &body = func.getBody().front();
  for (BlockArgument arg : body.getArguments()) {
    FailureOr<int64_t> c = elemCode(tensorType(arg).getElementType());
    if (failed(c))
      return emitError(arg.getLoc(), "input ")
             << arg.getArgNumber() << " has unsupported element type "
             << tensorType(arg).getElementType();
    IoTensor io;
    auto name =
        func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "llmo.name");
    io.name = name ? name.str() : "input" + std::to_string(arg.getArgNumber());
    io.dtype = manifestDType(*c);
    auto shape = tensorType(arg).getShape();
    io.shape.assign(shape.begin(), shape.end());
    io.ioIndex = arg.getArgNumber();
    ioOf[arg] = io.ioIndex;
    result.inputs.push_back(io);
  }
  int64_t index = 0;
  for (Operation &op : body.without_terminator()) {
    currentIndex = ++index;
    if (auto constant = dyn_cast<ConstantOp>(op)) {
      FailureOr<Tensor> value = tensorFromAttr(constant.getValue());
      if (failed(value))
        return op.emitError("cannot read the constant's value");
      constants[constant.getResult()] = std::move(*value);
      continue;
    }
    if (auto dq = dyn_cast<DequantizeOp>(op);
        dq && feedsOnlyLinearWeights(dq) &&
        succeeded(quantWeight(dq.getOperand())))
      continue; // folded into the linear kernels
    bool allConstant =
        op.getNumOperands() > 0 &&
        llvm::all_of(op.getOperands(), [&](Value v) { return isConstant(v); });
    if (allConstant && !isa<StorageCastOp>(op)) {
      std::vector<const Tensor *> operands;
      for (Value v : op.getOperands())
        operands.push_back(&constants.find(v)->second);
      FailureOr<std::vector<Tensor>> folded = evaluateOp(&op, operands);
      if (failed(folded))
        return failure();
      for (auto [r, t] : llvm::zip(op.getResults(), *folded))
        constants[r] = std::move(t);
      continue;
    }
    if (auto cast = dyn_cast<StorageCastOp>(op); cast && allConstant) {
      // Copy before inserting: insertion may rehash and move the source.
      Tensor value = constants.find(cast.getOperand())->second;
      constants[cast.getResult()] = std::move(value);
      continue;
    }
    // Int8 linear + per-tensor quantize: the kernel requantizes its tiles
    // (the quantize emits it).
    if (isa<QLinearOp, DynamicQLinearOp>(op) && op.hasOneUse() &&
        cast<quant::QuantizedType>(
            tensorType(op.getOperand(1)).getElementType())
                .getStorageTypeIntegralWidth() == 8)
      if (auto quantize = dyn_cast<QuantizeOp>(*op.user_begin());
          quantize && isa<quant::UniformQuantizedType>(
                          tensorType(quantize.getResult()).getElementType())) {
        linearsBeforeQuantize.insert(&op);
        continue;
      }
    // Norm + per-tensor quantize: one kernel, the float row never leaves
    // scratch (the quantize emits it).
    if (isa<LayerNormOp, RmsNormOp>(op) && op.hasOneUse() && rowFitsScratch(op))
      if (auto quantize = dyn_cast<QuantizeOp>(*op.user_begin());
          quantize && isa<quant::UniformQuantizedType>(
                          tensorType(quantize.getResult()).getElementType())) {
        normsBeforeQuantize.insert(&op);
        continue;
      }
    if (failed(lowerOp(&op, index)))
      return failure();
  }
  // Outputs: copied from their buffers into the caller's output slots.
  currentIndex = ++index;
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  int64_t numInputs = body.getNumArguments();
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    FailureOr<int64_t> c = elemCode(tensorType(v).getElementType());
    if (failed(c))
      return ret.emitError("output ") << i << " has unsupported element type "
                                      << tensorType(v).getElementType();
    IoTensor io;
    auto name = func.getResultAttrOfType<StringAttr>(i, "llmo.name");
    io.name = name ? name.str() : "output" + std::to_string(i);
    io.dtype = manifestDType(*c);
    auto shape = tensorType(v).getShape();
    io.shape.assign(shape.begin(), shape.end());
    io.ioIndex = numInputs + i;
    result.outputs.push_back(io);
    OperandRef src = use(v);
    OperandRef dst{OperandRef::Output, Value(), io.ioIndex};
    call(ret.getLoc(), kLlmoKernelCopy, {numElements(shape) * elemBytes(*c)},
         {src, dst});
  }
  // Plan the arena.
  std::vector<int64_t> sizes, offsets;
  std::vector<std::pair<int64_t, int64_t>> intervals;
  for (const Buffer &b : buffers) {
    sizes.push_back(b.bytes);
    intervals.push_back({b.begin, b.end});
    result.unplannedBytes += (b.bytes + 63) / 64 * 64;
  }
  result.arenaBytes = planArena(sizes, intervals, offsets);
  arenaOffsets = offsets;
  if (failed(loops.finalize(module)))
    return failure();
  emitLlvm();
  result.kernelCalls = (int64_t)calls.size();
  return result;
}

void Lowering::emitLlvm() {
  MLIRContext *ctx = module.getContext();
  ctx->getOrLoadDialect<LLVM::LLVMDialect>();
  OpBuilder b(ctx);
  b.setInsertionPointToEnd(module.getBody());
  Location loc = func.getLoc();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  Type i64 = b.getI64Type(), i8 = b.getI8Type();
  auto voidType = LLVM::LLVMVoidType::get(ctx);

  // One constant descriptor per call, in the shared object's rodata.
  std::vector<LLVM::GlobalOp> globals;
  size_t maxOperands = 1;
  for (auto [i, c] : llvm::enumerate(calls)) {
    auto type = LLVM::LLVMArrayType::get(i64, c.desc.size());
    auto value = DenseElementsAttr::get(
        RankedTensorType::get({(int64_t)c.desc.size()}, i64),
        ArrayRef<int64_t>(c.desc));
    globals.push_back(LLVM::GlobalOp::create(
        b, c.loc, type, /*isConstant=*/true, LLVM::Linkage::Private,
        "llmo_desc_" + std::to_string(i), value, /*alignment=*/8));
    maxOperands = std::max(maxOperands, c.operands.size());
  }

  // What the code assumes of the buffers it is given (llmo_layout in
  // KernelAbi.h): the runtime checks the manifest against it at open.
  {
    std::vector<int64_t> layout = {
        result.arenaBytes, (int64_t)result.weights.size(),
        (int64_t)(result.inputs.size() + result.outputs.size())};
    layout.resize(3 + layout[2], 0);
    for (const auto *list : {&result.inputs, &result.outputs})
      for (const IoTensor &io : *list) {
        int64_t bytes = manifestDTypeBytes(io.dtype);
        for (int64_t d : io.shape)
          bytes *= d;
        layout[3 + io.ioIndex] = bytes;
      }
    auto type = LLVM::LLVMArrayType::get(i64, layout.size());
    auto value = DenseElementsAttr::get(
        RankedTensorType::get({(int64_t)layout.size()}, i64),
        ArrayRef<int64_t>(layout));
    LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true,
                           LLVM::Linkage::External, "llmo_layout", value,
                           /*alignment=*/8);
  }

  auto entryType =
      LLVM::LLVMFunctionType::get(voidType, {ptr, ptr, ptr, ptr, ptr});
  auto entry = LLVM::LLVMFuncOp::create(b, loc, "llmo_entry", entryType);
  Block *block = entry.addEntryBlock(b);
  b.setInsertionPointToStart(block);
  Value context = block->getArgument(0), kernels = block->getArgument(1),
        weights = block->getArgument(2), arena = block->getArgument(3),
        io = block->getArgument(4);
  auto constant = [&](int64_t v) -> Value {
    return LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(v));
  };
  auto offsetPtr = [&](Value base, int64_t bytes) -> Value {
    if (bytes == 0)
      return base;
    return LLVM::GEPOp::create(b, loc, ptr, i8, base,
                               ArrayRef<LLVM::GEPArg>{constant(bytes)});
  };
  auto elementPtr = [&](Value base, int64_t index) -> Value {
    return LLVM::GEPOp::create(b, loc, ptr, ptr, base,
                               ArrayRef<LLVM::GEPArg>{constant(index)});
  };
  Value operandArray = LLVM::AllocaOp::create(
      b, loc, ptr, ptr, constant((int64_t)maxOperands), /*alignment=*/8);
  Value null = LLVM::ZeroOp::create(b, loc, ptr);
  int64_t numIo = (int64_t)(result.inputs.size() + result.outputs.size());
  std::vector<Value> ioPointers;
  for (int64_t i = 0; i < numIo; ++i)
    ioPointers.push_back(LLVM::LoadOp::create(b, loc, ptr, elementPtr(io, i)));
  auto kernelType = LLVM::LLVMFunctionType::get(voidType, {ptr, ptr, ptr});

  for (auto [i, c] : llvm::enumerate(calls)) {
    for (auto [j, ref] : llvm::enumerate(c.operands)) {
      Value address = null;
      switch (ref.kind) {
      case OperandRef::Null:
        break;
      case OperandRef::Weight:
        address = offsetPtr(weights, ref.offset);
        break;
      case OperandRef::Output:
        address = ioPointers[ref.offset];
        break;
      case OperandRef::Function:
        address = LLVM::AddressOfOp::create(b, c.loc, ptr, ref.symbol);
        break;
      case OperandRef::OfValue:
        if (auto it = ioOf.find(ref.value); it != ioOf.end())
          address = offsetPtr(ioPointers[it->second], ref.offset);
        else
          address =
              offsetPtr(arena, arenaOffsets[bufferOf.find(ref.value)->second] +
                                   ref.offset);
        break;
      }
      LLVM::StoreOp::create(b, c.loc, address,
                            elementPtr(operandArray, (int64_t)j));
    }
    Value desc = LLVM::AddressOfOp::create(b, c.loc, globals[i]);
    Value kernel =
        LLVM::LoadOp::create(b, c.loc, ptr, elementPtr(kernels, c.kernel));
    LLVM::CallOp::create(b, c.loc, kernelType,
                         ValueRange{kernel, context, desc, operandArray});
  }
  LLVM::ReturnOp::create(b, loc, ValueRange{});
  func.erase();
}

} // namespace

FailureOr<CpuLowering> lowerToCpu(ModuleOp module) {
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main)
    return module.emitError("CPU code generation needs a func.func @main");
  for (Type t :
       llvm::concat<const Type>(main.getArgumentTypes(), main.getResultTypes()))
    if (!isa<RankedTensorType>(t) ||
        !cast<RankedTensorType>(t).hasStaticShape())
      return main.emitError("CPU code generation needs static tensor "
                            "inputs and outputs");
  if (main.getBody().getBlocks().size() != 1)
    return main.emitError("CPU code generation needs a single-block @main");
  Lowering lowering(module, main);
  return lowering.run();
}

} // namespace llmo
