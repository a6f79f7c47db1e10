//===- LlmoOps.cpp - llmo op verifiers and folders ------------------------===//
//
// Verifier messages cite the constraint labels of docs/Dialect.md.
//
//===----------------------------------------------------------------------===//

#include "llmo/Dialect/Llmo.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace llmo;

FailureOr<SmallVector<int64_t>> llmo::broadcastShapes(ArrayRef<int64_t> lhs,
                                                      ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t l = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t r = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (l != r && l != 1 && r != 1)
      return failure();
    result[i] = l == 1 ? r : l;
  }
  return result;
}

bool llmo::isSupportedQuantType(Type type) {
  if (!isa<quant::UniformQuantizedType, quant::UniformQuantizedPerAxisType,
           quant::UniformQuantizedSubChannelType>(type))
    return false;
  auto quant = cast<quant::QuantizedType>(type);
  unsigned width = quant.getStorageTypeIntegralWidth();
  bool storageOk =
      width == 8 || ((width == 4 || width == 32) && quant.isSigned());
  Type expressed = quant.getExpressedType();
  return storageOk &&
         (expressed.isF32() || expressed.isF16() || expressed.isBF16());
}

Type llmo::getExpressedElementType(Type type) {
  Type element = getElementTypeOrSelf(type);
  if (auto quant = dyn_cast<quant::QuantizedType>(element))
    return quant.getExpressedType();
  return isa<FloatType>(element) ? element : Type();
}

static RankedTensorType rankedType(Value value) {
  return cast<RankedTensorType>(value.getType());
}

static LogicalResult verifyAxis(Operation *op, int64_t axis, int64_t rank,
                                StringRef label = "C1") {
  if (axis < 0 || axis >= rank)
    return op->emitOpError() << "axis " << axis << " is out of range [0, "
                             << rank << ") (" << label << ")";
  return success();
}

/// Result shape of broadcasting all operands; checks against the result.
static LogicalResult verifyBroadcastResult(Operation *op) {
  SmallVector<int64_t> shape;
  for (Value operand : op->getOperands()) {
    auto broadcast = broadcastShapes(shape, rankedType(operand).getShape());
    if (failed(broadcast))
      return op->emitOpError() << "operand shapes are not broadcastable (C1)";
    shape = *broadcast;
  }
  if (rankedType(op->getResult(0)).getShape() != ArrayRef<int64_t>(shape))
    return op->emitOpError()
           << "result shape does not equal the broadcast of the operand "
              "shapes (C1)";
  return success();
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

// `llmo.constant attr-dict <typed elements attr>`: the type is the value's.
ParseResult ConstantOp::parse(OpAsmParser &parser, OperationState &result) {
  ElementsAttr value;
  if (parser.parseOptionalAttrDict(result.attributes) ||
      parser.parseAttribute(value, "value", result.attributes))
    return failure();
  result.addTypes(value.getType());
  return success();
}

void ConstantOp::print(OpAsmPrinter &printer) {
  printer.printOptionalAttrDict((*this)->getAttrs(), {"value"});
  printer << ' ';
  printer.printAttribute(getValue());
}

LogicalResult ConstantOp::verify() {
  if (getValue().getType() != getType())
    return emitOpError("value type does not equal the result type");
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

template <typename OpTy>
static LogicalResult verifyBinary(OpTy op, bool boolResult) {
  Type lhs = rankedType(op.getLhs()).getElementType();
  Type rhs = rankedType(op.getRhs()).getElementType();
  if (lhs != rhs)
    return op.emitOpError() << "operand element types differ: " << lhs << " vs "
                            << rhs << " (C2)";
  Type result = rankedType(op.getResult()).getElementType();
  if (!boolResult && result != lhs)
    return op.emitOpError("result element type differs from the operands (C2)");
  return verifyBroadcastResult(op);
}

#define LLMO_BINARY_VERIFIER(OP, BOOL)                                         \
  LogicalResult OP::verify() { return verifyBinary(*this, BOOL); }
LLMO_BINARY_VERIFIER(AddOp, false)
LLMO_BINARY_VERIFIER(SubOp, false)
LLMO_BINARY_VERIFIER(MulOp, false)
LLMO_BINARY_VERIFIER(DivOp, false)
LLMO_BINARY_VERIFIER(PowOp, false)
LLMO_BINARY_VERIFIER(MaxOp, false)
LLMO_BINARY_VERIFIER(MinOp, false)
LLMO_BINARY_VERIFIER(AndOp, false)
LLMO_BINARY_VERIFIER(OrOp, false)
LLMO_BINARY_VERIFIER(EqualOp, true)
LLMO_BINARY_VERIFIER(LessOp, true)
LLMO_BINARY_VERIFIER(LessEqualOp, true)
LLMO_BINARY_VERIFIER(GreaterOp, true)
LLMO_BINARY_VERIFIER(GreaterEqualOp, true)
#undef LLMO_BINARY_VERIFIER

LogicalResult GeluOp::verify() {
  if (getApproximate() != "none" && getApproximate() != "tanh")
    return emitOpError("approximate must be \"none\" or \"tanh\" (C1)");
  return success();
}

LogicalResult WhereOp::verify() {
  if (rankedType(getLhs()).getElementType() !=
          rankedType(getRhs()).getElementType() ||
      rankedType(getLhs()).getElementType() !=
          rankedType(getResult()).getElementType())
    return emitOpError("value operands and result must share the element "
                       "type (C2)");
  return verifyBroadcastResult(*this);
}

LogicalResult CastOp::verify() {
  // Element types are plain (ODS); quantized tensors use quantize/dequantize.
  if (rankedType(getOperand()).getShape() != rankedType(getResult()).getShape())
    return emitOpError("operand and result shapes differ (C1)");
  return success();
}

OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getOperand().getType() == getType())
    return getOperand();
  return {};
}

//===----------------------------------------------------------------------===//
// Linear algebra and normalization
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::verify() {
  auto lhs = rankedType(getLhs()), rhs = rankedType(getRhs());
  if (lhs.getRank() < 2 || rhs.getRank() < 2)
    return emitOpError("operands must have rank >= 2 (C1)");
  if (lhs.getElementType() != rhs.getElementType() ||
      lhs.getElementType() != rankedType(getResult()).getElementType())
    return emitOpError("operand and result element types must match (C2)");
  int64_t k = lhs.getShape().back();
  if (rhs.getShape()[rhs.getRank() - 2] != k)
    return emitOpError() << "contraction dims differ: lhs K = " << k
                         << ", rhs K = " << rhs.getShape()[rhs.getRank() - 2]
                         << " (C1)";
  auto batch =
      broadcastShapes(lhs.getShape().drop_back(2), rhs.getShape().drop_back(2));
  if (failed(batch))
    return emitOpError("batch dims are not broadcastable (C1)");
  SmallVector<int64_t> expected = *batch;
  expected.push_back(lhs.getShape()[lhs.getRank() - 2]);
  expected.push_back(rhs.getShape().back());
  if (rankedType(getResult()).getShape() != ArrayRef<int64_t>(expected))
    return emitOpError("result shape must be [batch..., M, N] (C1)");
  return success();
}

LogicalResult LinearOp::verify() {
  auto input = rankedType(getInput()), weight = rankedType(getWeight());
  Type element = input.getElementType();
  if (weight.getElementType() != element ||
      rankedType(getResult()).getElementType() != element ||
      (getBias() && rankedType(getBias()).getElementType() != element))
    return emitOpError("operands and result must share the element type (C2)");
  if (weight.getRank() != 2)
    return emitOpError("weight must be [K, N] (C1)");
  if (input.getRank() < 1 || input.getShape().back() != weight.getDimSize(0))
    return emitOpError() << "input's last dim must equal weight K = "
                         << weight.getDimSize(0) << " (C1)";
  if (getBias() &&
      (rankedType(getBias()).getRank() != 1 ||
       rankedType(getBias()).getDimSize(0) != weight.getDimSize(1)))
    return emitOpError("bias must be [N] (C1)");
  SmallVector<int64_t> expected(input.getShape());
  expected.back() = weight.getDimSize(1);
  if (rankedType(getResult()).getShape() != ArrayRef<int64_t>(expected))
    return emitOpError("result shape must be [..., N] (C1)");
  return success();
}

LogicalResult FusedLinearOp::verify() {
  auto input = rankedType(getInput()), weight = rankedType(getWeight());
  auto result = rankedType(getResult());
  Type element = input.getElementType();
  if (weight.getElementType() != element ||
      result.getElementType() != element ||
      (getBias() && rankedType(getBias()).getElementType() != element) ||
      (getResidual() && rankedType(getResidual()).getElementType() != element))
    return emitOpError("operands and result must share the element type (C2)");
  if (weight.getRank() != 2 || input.getRank() < 1 ||
      input.getShape().back() != weight.getDimSize(0))
    return emitOpError(
        "weight must be [K, N] with K the input's last dim (C1)");
  if (getBias() &&
      (rankedType(getBias()).getRank() != 1 ||
       rankedType(getBias()).getDimSize(0) != weight.getDimSize(1)))
    return emitOpError("bias must be [N] (C1)");
  SmallVector<int64_t> expected(input.getShape());
  expected.back() = weight.getDimSize(1);
  if (result.getShape() != ArrayRef<int64_t>(expected))
    return emitOpError("result shape must be [..., N] (C1)");
  if (getResidual() &&
      rankedType(getResidual()).getShape() != result.getShape())
    return emitOpError("residual must have the result's shape (C1)");
  if (!llvm::is_contained({"none", "gelu", "gelu_tanh", "silu", "relu"},
                          getActivation()))
    return emitOpError("activation must be none, gelu, gelu_tanh, silu or "
                       "relu (C1)");
  return success();
}

LogicalResult AttentionOp::verify() {
  auto q = rankedType(getQuery()), k = rankedType(getKey()),
       v = rankedType(getValue()), y = rankedType(getResult());
  int64_t rank = q.getRank();
  if (rank < 2 || k.getRank() != rank || v.getRank() != rank ||
      y.getRank() != rank)
    return emitOpError("query, key, value and result must have one rank >= 2 "
                       "(C1)");
  auto batch = q.getShape().drop_back(2);
  auto kvBatch = k.getShape().drop_back(2);
  bool grouped = rank > 2 && batch.drop_back() == kvBatch.drop_back() &&
                 kvBatch.back() > 0 && batch.back() % kvBatch.back() == 0;
  if ((kvBatch != batch && !grouped) || v.getShape().drop_back(2) != kvBatch)
    return emitOpError("key and value must share the query's batch dims, "
                       "but for a head count that divides the query's (C1)");
  int64_t sq = q.getDimSize(rank - 2), d = q.getDimSize(rank - 1),
          sk = k.getDimSize(rank - 2);
  if (k.getDimSize(rank - 1) != d || v.getDimSize(rank - 2) != sk)
    return emitOpError("key must be [..., Sk, D] and value [..., Sk, Dv] (C1)");
  SmallVector<int64_t> expected(batch);
  expected.append({sq, v.getDimSize(rank - 1)});
  if (y.getShape() != ArrayRef<int64_t>(expected))
    return emitOpError("result must be [..., Sq, Dv] (C1)");
  if (getMask()) {
    SmallVector<int64_t> scores(batch);
    scores.append({sq, sk});
    auto b = broadcastShapes(rankedType(getMask()).getShape(), scores);
    if (failed(b) || ArrayRef<int64_t>(*b) != ArrayRef<int64_t>(scores))
      return emitOpError("mask must broadcast to [..., Sq, Sk] (C1)");
  }
  return success();
}

LogicalResult ElementwiseOp::verify() {
  ArrayRef<int64_t> shape = rankedType(getResult()).getShape();
  for (auto [i, input] : llvm::enumerate(getInputs())) {
    auto b = broadcastShapes(rankedType(input).getShape(), shape);
    if (failed(b) || ArrayRef<int64_t>(*b) != shape)
      return emitOpError("input ")
             << i << " does not broadcast to the result shape (C1)";
  }
  Block &body = getBody().front();
  if (body.getNumArguments() != getInputs().size())
    return emitOpError("body must have one block argument per input (C1)");
  for (BlockArgument arg : body.getArguments())
    if (!arg.getType().isF32())
      return emitOpError("body arguments must be f32 scalars (C1)");
  for (Operation &op : body.without_terminator()) {
    // The scalar ops the interpreter (the reference) and the code generator
    // both implement.
    if (!isa<arith::ConstantOp, arith::AddFOp, arith::SubFOp, arith::MulFOp,
             arith::DivFOp, arith::NegFOp, arith::MaximumFOp, arith::MinimumFOp,
             arith::MaxNumFOp, arith::MinNumFOp, arith::CmpFOp, arith::SelectOp,
             math::ExpOp, math::LogOp, math::SqrtOp, math::RsqrtOp,
             math::TanhOp, math::ErfOp, math::AbsFOp, math::FloorOp,
             math::SinOp, math::CosOp, math::PowFOp, math::FmaOp>(op))
      return op.emitOpError("is not allowed in an llmo.elementwise body: see "
                            "the scalar ops of docs/Dialect.md 5b.3 (C1)");
    for (Type t : llvm::concat<Type>(op.getOperandTypes(), op.getResultTypes()))
      if (!t.isF32() && !t.isInteger(1))
        return op.emitOpError("in an llmo.elementwise body must work on f32 "
                              "(or i1) scalars (C1)");
  }
  if (!isa<YieldOp>(body.back()))
    return emitOpError("body must end in llmo.yield (C1)");
  return success();
}

LogicalResult SoftmaxOp::verify() {
  return verifyAxis(*this, getAxis(), rankedType(getOperand()).getRank());
}

static LogicalResult verifyNormParam(Operation *op, Value input, Value param,
                                     int64_t axis, StringRef name) {
  auto inputType = rankedType(input);
  if (failed(verifyAxis(op, axis, inputType.getRank())))
    return failure();
  if (rankedType(param).getShape() != inputType.getShape().drop_front(axis))
    return op->emitOpError() << name
                             << " must have the shape of the normalized dims "
                                "(C1)";
  if (rankedType(param).getElementType() != inputType.getElementType())
    return op->emitOpError()
           << name << " must have the input's element type (C1)";
  return success();
}

LogicalResult LayerNormOp::verify() {
  if (failed(
          verifyNormParam(*this, getInput(), getScale(), getAxis(), "scale")) ||
      (getBias() && failed(verifyNormParam(*this, getInput(), getBias(),
                                           getAxis(), "bias"))))
    return failure();
  if (getInput().getType() != getResult().getType())
    return emitOpError("result type must equal the input type");
  return success();
}

LogicalResult RmsNormOp::verify() {
  if (failed(
          verifyNormParam(*this, getInput(), getScale(), getAxis(), "scale")))
    return failure();
  if (getInput().getType() != getResult().getType())
    return emitOpError("result type must equal the input type");
  return success();
}

//===----------------------------------------------------------------------===//
// Shape and data movement
//===----------------------------------------------------------------------===//

static LogicalResult verifySameElementType(Operation *op, Value a, Value b) {
  Type element = rankedType(a).getElementType();
  if (element != rankedType(b).getElementType())
    return op->emitOpError("operand and result element types must match (C2)");
  // Moving data of a per-axis or block-quantized tensor would move the
  // channels away from their scales.
  if (isa<quant::QuantizedType>(element) &&
      !isa<quant::UniformQuantizedType>(element))
    return op->emitOpError("only per-tensor quantized tensors can be moved by "
                           "data movement ops (C3)");
  return success();
}

LogicalResult ReshapeOp::verify() {
  if (rankedType(getOperand()).getNumElements() !=
      rankedType(getResult()).getNumElements())
    return emitOpError() << "element count changes from "
                         << rankedType(getOperand()).getNumElements() << " to "
                         << rankedType(getResult()).getNumElements() << " (C1)";
  return verifySameElementType(*this, getOperand(), getResult());
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getOperand().getType() == getType())
    return getOperand();
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getOperand()))
    return dense.reshape(getType());
  // reshape(reshape(x)) is one reshape of x (row-major data never moves).
  if (auto producer = getOperand().getDefiningOp<ReshapeOp>()) {
    if (producer.getOperand().getType() == getType())
      return producer.getOperand();
    getOperandMutable().assign(producer.getOperand());
    return getResult();
  }
  return {};
}

LogicalResult TransposeOp::verify() {
  auto input = rankedType(getOperand());
  ArrayRef<int64_t> perm = getPerm();
  if ((int64_t)perm.size() != input.getRank())
    return emitOpError("perm must have one entry per dim (C1)");
  SmallVector<bool> seen(perm.size(), false);
  SmallVector<int64_t> expected;
  for (int64_t p : perm) {
    if (p < 0 || p >= input.getRank() || seen[p])
      return emitOpError("perm must be a permutation of [0, rank) (C1)");
    seen[p] = true;
    expected.push_back(input.getDimSize(p));
  }
  if (rankedType(getResult()).getShape() != ArrayRef<int64_t>(expected))
    return emitOpError("result shape must be the permuted operand shape (C1)");
  return verifySameElementType(*this, getOperand(), getResult());
}

LogicalResult SliceOp::verify() {
  auto input = rankedType(getOperand());
  ArrayRef<int64_t> starts = getStarts(), steps = getSteps();
  if ((int64_t)starts.size() != input.getRank() ||
      (int64_t)steps.size() != input.getRank())
    return emitOpError("starts and steps need one entry per dim (C1)");
  for (int64_t d = 0; d < input.getRank(); ++d) {
    int64_t size = input.getDimSize(d),
            count = rankedType(getResult()).getDimSize(d);
    if (steps[d] == 0)
      return emitOpError() << "step of dim " << d << " is zero (C1)";
    if (count == 0)
      continue;
    int64_t last = starts[d] + (count - 1) * steps[d];
    if (starts[d] < 0 || starts[d] >= size || last < 0 || last >= size)
      return emitOpError() << "dim " << d << " selects elements outside [0, "
                           << size << ") (C1)";
  }
  return verifySameElementType(*this, getOperand(), getResult());
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("needs at least one input");
  auto result = rankedType(getResult());
  if (failed(verifyAxis(*this, getAxis(), result.getRank())))
    return failure();
  int64_t total = 0;
  if (isa<quant::QuantizedType>(result.getElementType()) &&
      !isa<quant::UniformQuantizedType>(result.getElementType()))
    return emitOpError("only per-tensor quantized tensors can be "
                       "concatenated (C5)");
  for (Value input : getInputs()) {
    auto type = rankedType(input);
    if (type.getRank() != result.getRank() ||
        type.getElementType() != result.getElementType())
      return emitOpError("inputs must have the result's rank and element type");
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (d != (int64_t)getAxis() && type.getDimSize(d) != result.getDimSize(d))
        return emitOpError()
               << "input dim " << d << " differs from the result (C1)";
    total += type.getDimSize(getAxis());
  }
  if (total != result.getDimSize(getAxis()))
    return emitOpError("result size along axis must be the sum of the inputs");
  return success();
}

LogicalResult SplitOp::verify() {
  auto input = rankedType(getOperand());
  if (failed(verifyAxis(*this, getAxis(), input.getRank())))
    return failure();
  int64_t total = 0;
  if (isa<quant::QuantizedType>(input.getElementType()) &&
      !isa<quant::UniformQuantizedType>(input.getElementType()))
    return emitOpError("only per-tensor quantized tensors can be split (C4)");
  for (Value result : getResults()) {
    auto type = rankedType(result);
    if (type.getRank() != input.getRank() ||
        type.getElementType() != input.getElementType())
      return emitOpError(
          "results must have the operand's rank and element type");
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (d != (int64_t)getAxis() && type.getDimSize(d) != input.getDimSize(d))
        return emitOpError()
               << "result dim " << d << " differs from the operand (C1)";
    total += type.getDimSize(getAxis());
  }
  if (total != input.getDimSize(getAxis()))
    return emitOpError("result sizes along axis must sum to the operand's");
  return success();
}

LogicalResult BroadcastOp::verify() {
  auto broadcast = broadcastShapes(rankedType(getOperand()).getShape(),
                                   rankedType(getResult()).getShape());
  if (failed(broadcast) ||
      ArrayRef<int64_t>(*broadcast) != rankedType(getResult()).getShape())
    return emitOpError("operand does not broadcast to the result shape (C1)");
  return verifySameElementType(*this, getOperand(), getResult());
}

LogicalResult GatherOp::verify() {
  auto data = rankedType(getData());
  if (failed(verifyAxis(*this, getAxis(), data.getRank())))
    return failure();
  SmallVector<int64_t> expected(data.getShape().take_front(getAxis()));
  llvm::append_range(expected, rankedType(getIndices()).getShape());
  llvm::append_range(expected, data.getShape().drop_front(getAxis() + 1));
  if (rankedType(getResult()).getShape() != ArrayRef<int64_t>(expected))
    return emitOpError("result shape must be data[:axis] + indices + "
                       "data[axis+1:] (C1)");
  return verifySameElementType(*this, getData(), getResult());
}

template <typename OpTy> static LogicalResult verifyReduce(OpTy op) {
  auto input = rankedType(op.getOperand());
  SmallVector<int64_t> expected;
  ArrayRef<int64_t> axes = op.getAxes();
  for (size_t i = 0; i < axes.size(); ++i)
    if (axes[i] < 0 || axes[i] >= input.getRank() ||
        (i > 0 && axes[i] <= axes[i - 1]))
      return op.emitOpError("axes must be sorted, distinct and in [0, rank) "
                            "(C1)");
  for (int64_t d = 0; d < input.getRank(); ++d) {
    if (!llvm::is_contained(axes, d))
      expected.push_back(input.getDimSize(d));
    else if (op.getKeepdims())
      expected.push_back(1);
  }
  if (rankedType(op.getResult()).getShape() != ArrayRef<int64_t>(expected))
    return op.emitOpError("result shape does not match axes/keepdims (C1)");
  return verifySameElementType(op, op.getOperand(), op.getResult());
}

LogicalResult ReduceSumOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceMeanOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceMaxOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceMinOp::verify() { return verifyReduce(*this); }

LogicalResult CumSumOp::verify() {
  return verifyAxis(*this, getAxis(), rankedType(getOperand()).getRank());
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

/// Checks that a quantized type's per-axis or block structure fits `shape`.
static LogicalResult verifyQuantLayout(Operation *op,
                                       quant::QuantizedType quantType,
                                       ArrayRef<int64_t> shape) {
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(quantType)) {
    int32_t axis = perAxis.getQuantizedDimension();
    if (axis >= (int64_t)shape.size())
      return op->emitOpError()
             << "per-axis quantized dimension " << axis
             << " is out of range for rank " << shape.size() << " (C2)";
    if ((int64_t)perAxis.getScales().size() != shape[axis])
      return op->emitOpError()
             << "per-axis type has " << perAxis.getScales().size()
             << " scales but dim " << axis << " has size " << shape[axis]
             << " (C2)";
  }
  if (auto blocked =
          dyn_cast<quant::UniformQuantizedSubChannelType>(quantType)) {
    auto dims = blocked.getQuantizedDimensions();
    auto sizes = blocked.getBlockSizes();
    auto scaleShape = blocked.getScales().getType().getShape();
    if (scaleShape.size() != shape.size())
      return op->emitOpError() << "sub-channel scales have rank "
                               << scaleShape.size() << " but the tensor has "
                               << "rank " << shape.size() << " (C2)";
    for (int32_t dim : dims)
      if (dim < 0 || dim >= (int64_t)shape.size())
        return op->emitOpError()
               << "sub-channel quantized dimension " << dim
               << " is out of range for rank " << shape.size() << " (C2)";
    for (size_t d = 0; d < shape.size(); ++d) {
      // A listed dim has its block size; an unlisted one is one block.
      int64_t block = shape[d];
      for (auto [dim, size] : llvm::zip(dims, sizes))
        if (dim == (int32_t)d)
          block = size;
      if (block <= 0 || shape[d] % block != 0 ||
          scaleShape[d] != shape[d] / block)
        return op->emitOpError()
               << "sub-channel block size " << block << " on dim " << d
               << " does not tile the tensor shape " << shape[d]
               << " with scale dim " << scaleShape[d] << " (C2)";
    }
  }
  return success();
}

static LogicalResult verifyQuantPair(Operation *op, Value floatValue,
                                     Value quantValue) {
  auto floatType = rankedType(floatValue), quantTensor = rankedType(quantValue);
  if (floatType.getShape() != quantTensor.getShape())
    return op->emitOpError("operand and result shapes differ (C1)");
  auto quantType = cast<quant::QuantizedType>(quantTensor.getElementType());
  if (quantType.getExpressedType() != floatType.getElementType())
    return op->emitOpError()
           << "quantized expressed type " << quantType.getExpressedType()
           << " differs from the float type " << floatType.getElementType()
           << " (C1)";
  return verifyQuantLayout(op, quantType, floatType.getShape());
}

LogicalResult QuantizeOp::verify() {
  return verifyQuantPair(*this, getOperand(), getResult());
}

LogicalResult DequantizeOp::verify() {
  return verifyQuantPair(*this, getResult(), getOperand());
}

OpFoldResult DequantizeOp::fold(FoldAdaptor) {
  // dequantize(quantize(x)) is not an identity (it rounds), so only the
  // storage-cast round trip folds; see StorageCastOp::fold.
  return {};
}

LogicalResult StorageCastOp::verify() {
  auto from = rankedType(getOperand()), to = rankedType(getResult());
  if (from.getShape() != to.getShape())
    return emitOpError("operand and result shapes differ (C1)");
  auto fromQuant = dyn_cast<quant::QuantizedType>(from.getElementType());
  auto toQuant = dyn_cast<quant::QuantizedType>(to.getElementType());
  if (!fromQuant == !toQuant)
    return emitOpError("exactly one side must be quantized (C1)");
  auto quant = fromQuant ? fromQuant : toQuant;
  Type storage = fromQuant ? to.getElementType() : from.getElementType();
  auto storageInt = dyn_cast<IntegerType>(storage);
  if (!storageInt ||
      storageInt.getWidth() != quant.getStorageTypeIntegralWidth() ||
      storageInt.isUnsigned() == quant.isSigned())
    return emitOpError() << "integer type " << storage
                         << " is not the storage type of " << quant << " (C1)";
  return verifyQuantLayout(*this, quant, to.getShape());
}

OpFoldResult StorageCastOp::fold(FoldAdaptor) {
  if (auto producer = getOperand().getDefiningOp<StorageCastOp>())
    if (producer.getOperand().getType() == getType())
      return producer.getOperand();
  return {};
}

LogicalResult DynamicQuantizeOp::verify() {
  if (rankedType(getOperand()).getShape() != rankedType(getResult()).getShape())
    return emitOpError("operand and result shapes differ (C1)");
  return success();
}

LogicalResult MatmulIntegerOp::verify() {
  auto lhs = rankedType(getLhs()), rhs = rankedType(getRhs());
  if (lhs.getRank() < 2 || rhs.getRank() < 2)
    return emitOpError("operands must have rank >= 2 (C1)");
  int64_t m = lhs.getDimSize(lhs.getRank() - 2), k = lhs.getShape().back();
  int64_t n = rhs.getShape().back();
  if (rhs.getDimSize(rhs.getRank() - 2) != k)
    return emitOpError("contraction dims differ (C1)");
  if (rankedType(getLhsZeroPoint()).getElementType() != lhs.getElementType() ||
      rankedType(getRhsZeroPoint()).getElementType() != rhs.getElementType())
    return emitOpError("zero points must have their operand's type (C1)");
  int64_t lhsZp = rankedType(getLhsZeroPoint()).getNumElements();
  int64_t rhsZp = rankedType(getRhsZeroPoint()).getNumElements();
  if ((lhsZp != 1 && lhsZp != m) || (rhsZp != 1 && rhsZp != n))
    return emitOpError("zero points must be scalars, per-row [M] (lhs) or "
                       "per-column [N] (rhs) (C1)");
  auto batch =
      broadcastShapes(lhs.getShape().drop_back(2), rhs.getShape().drop_back(2));
  if (failed(batch))
    return emitOpError("batch dims are not broadcastable (C1)");
  SmallVector<int64_t> expected = *batch;
  expected.push_back(m);
  expected.push_back(n);
  if (rankedType(getResult()).getShape() != ArrayRef<int64_t>(expected))
    return emitOpError("result shape must be [batch..., M, N] (C1)");
  return success();
}

/// Shared checks of qlinear/dynamic_qlinear: a symmetric i8 weight [K, N]
/// quantized per tensor or per output channel, input [..., K], bias [N],
/// result [..., N] in the expressed type.
static LogicalResult verifyQuantizedLinear(Operation *op, Value input,
                                           Value weight, Value bias,
                                           Value result, bool allowInt4) {
  auto inputType = rankedType(input), weightType = rankedType(weight);
  if (weightType.getRank() != 2)
    return op->emitOpError("weight must be [K, N] (C1)");
  auto weightQuant = cast<quant::QuantizedType>(weightType.getElementType());
  unsigned width = weightQuant.getStorageTypeIntegralWidth();
  if (!weightQuant.isSigned() || (width != 8 && !(allowInt4 && width == 4)))
    return op->emitOpError(allowInt4 ? "weight storage must be i8 or i4 (C1)"
                                     : "weight storage must be i8 (C1)");
  if (auto sub = dyn_cast<quant::UniformQuantizedSubChannelType>(weightQuant)) {
    // W4A8: groups of G rows of K per output channel.
    auto scalesShape = sub.getScales().getType().getShape();
    int64_t k = weightType.getDimSize(0), n = weightType.getDimSize(1);
    if (width != 4 || sub.getQuantizedDimensions().size() != 2 ||
        sub.getQuantizedDimensions()[0] != 0 ||
        sub.getQuantizedDimensions()[1] != 1 || sub.getBlockSizes()[1] != 1 ||
        scalesShape.size() != 2 || scalesShape[1] != n ||
        sub.getBlockSizes()[0] <= 0 ||
        scalesShape[0] * sub.getBlockSizes()[0] != k)
      return op->emitOpError("sub-channel weights must be i4 in groups of G "
                             "rows along K, one scale per group and output "
                             "channel ([K/G, N]) (C1)");
    if (llvm::any_of(sub.getZeroPoints().getValues<APInt>(),
                     [](const APInt &z) { return !z.isZero(); }))
      return op->emitOpError("weights must be symmetric (C1)");
  } else if (auto perAxis =
                 dyn_cast<quant::UniformQuantizedPerAxisType>(weightQuant)) {
    if (perAxis.getQuantizedDimension() != 1 ||
        llvm::any_of(perAxis.getZeroPoints(), [](int64_t z) { return z; }))
      return op->emitOpError("per-axis weights must be symmetric and "
                             "quantized along axis 1 (C1)");
  } else if (auto uniform =
                 dyn_cast<quant::UniformQuantizedType>(weightQuant)) {
    if (uniform.getZeroPoint() != 0)
      return op->emitOpError("weights must be symmetric (C1)");
  } else {
    return op->emitOpError(allowInt4 ? "weights must be per-tensor, per-axis "
                                       "or sub-channel (C1)"
                                     : "weights must be per-tensor or "
                                       "per-axis (C1)");
  }
  if (inputType.getRank() < 1 ||
      inputType.getShape().back() != weightType.getDimSize(0))
    return op->emitOpError("input's last dim must equal weight K (C1)");
  Type expressed = weightQuant.getExpressedType();
  if (bias && (rankedType(bias).getRank() != 1 ||
               rankedType(bias).getDimSize(0) != weightType.getDimSize(1) ||
               rankedType(bias).getElementType() != expressed))
    return op->emitOpError("bias must be [N] in the expressed type (C1)");
  SmallVector<int64_t> expected(inputType.getShape());
  expected.back() = weightType.getDimSize(1);
  if (rankedType(result).getShape() != ArrayRef<int64_t>(expected) ||
      rankedType(result).getElementType() != expressed)
    return op->emitOpError("result must be [..., N] in the expressed type "
                           "(C1)");
  return success();
}

/// The optional epilogue of the linears: activation, then residual.
static LogicalResult verifyEpilogue(Operation *op, StringRef activation,
                                    Value residual, Value result) {
  if (residual && rankedType(residual) != rankedType(result))
    return op->emitOpError("residual must have the result's type (C1)");
  if (!llvm::is_contained({"none", "gelu", "gelu_tanh", "silu", "relu"},
                          activation))
    return op->emitOpError("activation must be none, gelu, gelu_tanh, silu "
                           "or relu (C1)");
  return success();
}

LogicalResult QLinearOp::verify() {
  auto inputQuant = dyn_cast<quant::UniformQuantizedType>(
      rankedType(getInput()).getElementType());
  if (!inputQuant || inputQuant.getStorageTypeIntegralWidth() != 8)
    return emitOpError("input must be per-tensor 8-bit quantized (C1)");
  if (failed(verifyQuantizedLinear(*this, getInput(), getWeight(), getBias(),
                                   getResult(), /*allowInt4=*/false)))
    return failure();
  return verifyEpilogue(*this, getActivation(), getResidual(), getResult());
}

LogicalResult DynamicQLinearOp::verify() {
  if (failed(verifyQuantizedLinear(*this, getInput(), getWeight(), getBias(),
                                   getResult(), /*allowInt4=*/true)))
    return failure();
  return verifyEpilogue(*this, getActivation(), getResidual(), getResult());
}

#define GET_OP_CLASSES
#include "LlmoOps.cpp.inc"
