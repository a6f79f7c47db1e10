//===- Fuse.cpp - Attention, projection and epilogue fusion ---------------===//
//
// Pattern matching on the use-def chains of @main-like functions. Each
// rewrite only fires when every intermediate value has one use, so no work
// is duplicated and the unfused ops die.
//
//===----------------------------------------------------------------------===//

#include "QuantUtils.h"
#include "llmo/Dialect/Llmo.h"
#include "llmo/Interpreter/Tensor.h"
#include "llmo/Passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

namespace llmo {
#define GEN_PASS_DEF_FUSE
#include "Passes.h.inc"
} // namespace llmo

using namespace mlir;
using namespace llmo;

namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// The value of a one-element f32 constant.
std::optional<float> scalarConstant(Value v) {
  auto constant = v.getDefiningOp<ConstantOp>();
  if (!constant || typeOf(v).getNumElements() != 1)
    return std::nullopt;
  FailureOr<Tensor> t = tensorFromAttr(constant.getValue());
  if (failed(t) || !isFloat(t->dtype))
    return std::nullopt;
  return t->floats[0];
}

/// softmax(matmul(q, kT) [* c | / c] [+ mask]) then matmul(., v).
bool fuseAttention(SoftmaxOp softmax) {
  auto scoresType = typeOf(softmax.getResult());
  int64_t rank = scoresType.getRank();
  if (rank < 2 || (int64_t)softmax.getAxis() != rank - 1 ||
      !softmax->hasOneUse())
    return false;
  auto pv = dyn_cast<MatmulOp>(*softmax->user_begin());
  if (!pv || pv.getLhs() != softmax.getResult())
    return false;
  Value scores = softmax.getOperand();
  Value mask;
  Operation *addOp = nullptr, *scaleOp = nullptr, *transposeOp = nullptr;
  if (auto add = scores.getDefiningOp<AddOp>(); add && add->hasOneUse()) {
    for (int i = 0; i < 2; ++i) {
      Value other = add->getOperand(1 - i);
      auto producer = add->getOperand(i).getDefiningOp();
      if (producer && isa<MatmulOp, MulOp, DivOp>(producer) &&
          typeOf(add.getResult()) == typeOf(add->getOperand(i))) {
        mask = other;
        scores = add->getOperand(i);
        addOp = add;
        break;
      }
    }
  }
  float scale = 1.0f;
  if (auto mul = scores.getDefiningOp<MulOp>(); mul && mul->hasOneUse()) {
    for (int i = 0; i < 2; ++i)
      if (auto c = scalarConstant(mul->getOperand(1 - i));
          c && mul->getOperand(i).getDefiningOp<MatmulOp>()) {
        scale = *c;
        scores = mul->getOperand(i);
        scaleOp = mul;
        break;
      }
  } else if (auto div = scores.getDefiningOp<DivOp>();
             div && div->hasOneUse()) {
    if (auto c = scalarConstant(div.getRhs());
        c && *c != 0 && div.getLhs().getDefiningOp<MatmulOp>()) {
      scale = 1.0f / *c;
      scores = div.getLhs();
      scaleOp = div;
    }
  }
  auto qk = scores.getDefiningOp<MatmulOp>();
  if (!qk || !qk->hasOneUse() || typeOf(qk.getResult()) != scoresType)
    return false;
  Value q = qk.getLhs(), kT = qk.getRhs(), v = pv.getRhs();
  auto qType = typeOf(q), kTType = typeOf(kT), vType = typeOf(v);
  if (qType.getRank() != rank || kTType.getRank() != rank ||
      vType.getRank() != rank ||
      qType.getShape().drop_back(2) != scoresType.getShape().drop_back(2) ||
      kTType.getShape().drop_back(2) != scoresType.getShape().drop_back(2) ||
      vType.getShape().drop_back(2) != scoresType.getShape().drop_back(2))
    return false; // broadcast batch dims: left to the matmuls
  if (mask) {
    auto b = broadcastShapes(typeOf(mask).getShape(), scoresType.getShape());
    if (failed(b) || ArrayRef<int64_t>(*b) != scoresType.getShape())
      return false;
  }

  OpBuilder builder(pv);
  Location loc = pv.getLoc();
  // key = kT with its last two dims swapped, absorbing a transpose.
  SmallVector<int64_t> perm;
  Value source = kT;
  if (auto transpose = kT.getDefiningOp<TransposeOp>();
      transpose && transpose->hasOneUse()) {
    perm.assign(transpose.getPerm().begin(), transpose.getPerm().end());
    source = transpose.getOperand();
    transposeOp = transpose;
  } else {
    for (int64_t i = 0; i < rank; ++i)
      perm.push_back(i);
  }
  std::swap(perm[rank - 1], perm[rank - 2]);
  bool identity = true;
  for (int64_t i = 0; i < rank; ++i)
    identity &= perm[i] == i;
  Value key = source;
  if (!identity) {
    SmallVector<int64_t> shape;
    for (int64_t p : perm)
      shape.push_back(typeOf(source).getDimSize(p));
    key = TransposeOp::create(
        builder, loc, RankedTensorType::get(shape, qType.getElementType()),
        source, builder.getDenseI64ArrayAttr(perm));
  }
  auto attention =
      AttentionOp::create(builder, loc, pv.getResult().getType(), q, key, v,
                          mask, builder.getF32FloatAttr(scale));
  pv.getResult().replaceAllUsesWith(attention.getResult());
  // Erase the now-dead chain, users first.
  for (Operation *op : {(Operation *)pv, (Operation *)softmax, addOp, scaleOp,
                        (Operation *)qk, transposeOp})
    if (op && op->use_empty())
      op->erase();
  return true;
}

/// The [..., Hkv, S, D] tensor that `repeated` repeats per query head, as
/// Hugging Face's repeat_kv exports it: reshape to [..., Hkv, 1, S, D],
/// broadcast to [..., Hkv, G, S, D], reshape to [..., Hkv * G, S, D]
/// (each op used once). Null if `repeated` is not that.
Value repeatedSource(Value repeated, int64_t &group) {
  auto collapse = repeated.getDefiningOp<ReshapeOp>();
  if (!collapse || !collapse->hasOneUse())
    return {};
  auto broadcast = collapse.getOperand().getDefiningOp<BroadcastOp>();
  if (!broadcast || !broadcast->hasOneUse())
    return {};
  auto expand = broadcast.getOperand().getDefiningOp<ReshapeOp>();
  if (!expand || !expand->hasOneUse())
    return {};
  Value source = expand.getOperand();
  ArrayRef<int64_t> src = typeOf(source).getShape(),
                    grown = typeOf(expand.getResult()).getShape(),
                    wide = typeOf(broadcast.getResult()).getShape(),
                    out = typeOf(repeated).getShape();
  int64_t rank = src.size();
  if (rank < 3 || (int64_t)grown.size() != rank + 1 ||
      (int64_t)wide.size() != rank + 1 || (int64_t)out.size() != rank)
    return {};
  // [..., Hkv, S, D] -> [..., Hkv, 1, S, D] -> [..., Hkv, G, S, D].
  SmallVector<int64_t> expected(src.begin(), src.end());
  expected.insert(expected.begin() + rank - 2, 1);
  if (ArrayRef<int64_t>(expected) != grown)
    return {};
  group = wide[rank - 2];
  expected[rank - 2] = group;
  if (ArrayRef<int64_t>(expected) != wide)
    return {};
  // -> [..., Hkv * G, S, D].
  SmallVector<int64_t> merged(src.begin(), src.end());
  merged[rank - 3] *= group;
  if (ArrayRef<int64_t>(merged) != out)
    return {};
  return source;
}

/// An attention whose key and value are repeated per query head (by the
/// same factor) reads the unrepeated tensors instead: grouped-query
/// attention without writing the repeated copies.
bool absorbRepeatedKeyValue(AttentionOp attention) {
  int64_t keyGroup = 0, valueGroup = 0;
  Value key = repeatedSource(attention.getKey(), keyGroup);
  Value value = repeatedSource(attention.getValue(), valueGroup);
  if (!key || !value || keyGroup != valueGroup || keyGroup < 2)
    return false;
  Value oldKey = attention.getKey(), oldValue = attention.getValue();
  attention.getKeyMutable().assign(key);
  attention.getValueMutable().assign(value);
  // The reshape, broadcast, reshape chains (one use each) are now dead.
  for (Value repeated : {oldKey, oldValue})
    for (Value v = repeated; v != key && v != value;) {
      Operation *op = v.getDefiningOp();
      v = op->getOperand(0);
      op->erase();
    }
  return true;
}

/// Where a projection's weight comes from: the constant behind it and the
/// ops between (nothing, an f16 cast, or storage_cast + dequantize for a
/// weight-only format, storage_cast alone for the integer linears).
struct WeightSource {
  enum Kind { Float, Half, Dequantized, Quantized } kind;
  Tensor values;              // the constant, [K, N]
  Type element;               // the constant's element type
  quant::QuantizedType qtype; // Dequantized / Quantized
};

FailureOr<WeightSource> weightSource(Value weight) {
  WeightSource source;
  Value constant = weight;
  if (auto dq = weight.getDefiningOp<DequantizeOp>()) {
    auto storage = dq.getOperand().getDefiningOp<StorageCastOp>();
    if (!storage)
      return failure();
    source.kind = WeightSource::Dequantized;
    source.qtype = cast<quant::QuantizedType>(
        typeOf(storage.getResult()).getElementType());
    constant = storage.getOperand();
  } else if (auto storage = weight.getDefiningOp<StorageCastOp>()) {
    source.kind = WeightSource::Quantized;
    source.qtype = dyn_cast<quant::QuantizedType>(
        typeOf(storage.getResult()).getElementType());
    if (!source.qtype)
      return failure();
    constant = storage.getOperand();
  } else if (auto cast = weight.getDefiningOp<CastOp>()) {
    source.kind = WeightSource::Half;
    constant = cast.getOperand();
    if (!typeOf(constant).getElementType().isF16())
      return failure();
  } else {
    source.kind = WeightSource::Float;
  }
  std::optional<Tensor> values = constantValue(constant);
  if (!values || values->rank() != 2)
    return failure();
  source.element = typeOf(constant).getElementType();
  if (source.kind == WeightSource::Float && !source.element.isF32())
    return failure();
  source.values = std::move(*values);
  return source;
}

/// Two weights can share a merged constant when everything but the
/// per-output-channel parameters agrees. Per-tensor quantization only
/// merges with an identical type (one scale for the whole merged weight).
bool mergeable(const WeightSource &a, const WeightSource &b) {
  if (a.kind != b.kind || a.element != b.element ||
      a.values.shape[0] != b.values.shape[0])
    return false;
  if (!a.qtype)
    return true;
  if (a.qtype.getStorageType() != b.qtype.getStorageType() ||
      a.qtype.getExpressedType() != b.qtype.getExpressedType() ||
      a.qtype.getFlags() != b.qtype.getFlags() ||
      a.qtype.getStorageTypeMin() != b.qtype.getStorageTypeMin() ||
      a.qtype.getStorageTypeMax() != b.qtype.getStorageTypeMax())
    return false;
  if (isa<quant::UniformQuantizedType>(a.qtype))
    return a.qtype == b.qtype;
  if (auto axisA = dyn_cast<quant::UniformQuantizedPerAxisType>(a.qtype)) {
    auto axisB = dyn_cast<quant::UniformQuantizedPerAxisType>(b.qtype);
    return axisB && axisA.getQuantizedDimension() == 1 &&
           axisB.getQuantizedDimension() == 1;
  }
  auto subA = dyn_cast<quant::UniformQuantizedSubChannelType>(a.qtype);
  auto subB = dyn_cast<quant::UniformQuantizedSubChannelType>(b.qtype);
  return subA && subB &&
         subA.getQuantizedDimensions() == subB.getQuantizedDimensions() &&
         subA.getBlockSizes() == subB.getBlockSizes() &&
         subA.getScales().getType().getRank() == 2 &&
         subA.getScales().getType().getDimSize(0) ==
             subB.getScales().getType().getDimSize(0);
}

/// The weights of `sources` ([K, N_i] each) side by side along N.
Tensor concatColumns(ArrayRef<WeightSource> sources) {
  const Tensor &first = sources.front().values;
  int64_t k = first.shape[0], total = 0;
  for (const WeightSource &s : sources)
    total += s.values.shape[1];
  Tensor result(first.dtype, {k, total});
  bool isFloatTensor = isFloat(result.dtype);
  int64_t at = 0;
  for (const WeightSource &s : sources) {
    const Tensor &part = s.values;
    int64_t n = part.shape[1];
    for (int64_t r = 0; r < k; ++r) {
      if (isFloatTensor)
        std::copy_n(part.floats.begin() + r * n, n,
                    result.floats.begin() + r * total + at);
      else
        std::copy_n(part.ints.begin() + r * n, n,
                    result.ints.begin() + r * total + at);
    }
    at += n;
  }
  return result;
}

/// The quantized type of the merged weight: per-channel parameters
/// concatenated in the order of `sources`.
quant::QuantizedType mergedQuantType(ArrayRef<WeightSource> sources) {
  quant::QuantizedType first = sources[0].qtype;
  if (isa<quant::UniformQuantizedType>(first))
    return first;
  if (auto axis = dyn_cast<quant::UniformQuantizedPerAxisType>(first)) {
    SmallVector<double> scales;
    SmallVector<int64_t> zeros;
    for (const WeightSource &s : sources) {
      auto a = cast<quant::UniformQuantizedPerAxisType>(s.qtype);
      llvm::append_range(scales, a.getScales());
      llvm::append_range(zeros, a.getZeroPoints());
    }
    return quant::UniformQuantizedPerAxisType::get(
        axis.getFlags(), axis.getStorageType(), axis.getExpressedType(), scales,
        zeros, 1, axis.getStorageTypeMin(), axis.getStorageTypeMax());
  }
  auto sub = cast<quant::UniformQuantizedSubChannelType>(first);
  int64_t groups = sub.getScales().getType().getDimSize(0), total = 0;
  for (const WeightSource &s : sources)
    total += cast<quant::UniformQuantizedSubChannelType>(s.qtype)
                 .getScales()
                 .getType()
                 .getDimSize(1);
  SmallVector<APFloat> scales(groups * total, APFloat(0.0f));
  SmallVector<APInt> zeros(groups * total);
  int64_t at = 0;
  for (const WeightSource &s : sources) {
    auto part = cast<quant::UniformQuantizedSubChannelType>(s.qtype);
    int64_t n = part.getScales().getType().getDimSize(1);
    auto partScales = llvm::to_vector(part.getScales().getValues<APFloat>());
    auto partZeros = llvm::to_vector(part.getZeroPoints().getValues<APInt>());
    for (int64_t g = 0; g < groups; ++g)
      for (int64_t j = 0; j < n; ++j) {
        scales[g * total + at + j] = partScales[g * n + j];
        zeros[g * total + at + j] = partZeros[g * n + j];
      }
    at += n;
  }
  auto scaleType = RankedTensorType::get(
      {groups, total}, sub.getScales().getType().getElementType());
  auto zeroType = RankedTensorType::get(
      {groups, total}, sub.getZeroPoints().getType().getElementType());
  return quant::UniformQuantizedSubChannelType::get(
      sub.getFlags(), sub.getStorageType(), sub.getExpressedType(),
      DenseElementsAttr::get(scaleType, scales),
      DenseElementsAttr::get(zeroType, zeros), sub.getQuantizedDimensions(),
      sub.getBlockSizes(), sub.getStorageTypeMin(), sub.getStorageTypeMax());
}

/// The merged weight operand, built the way the originals were.
Value buildMergedWeight(OpBuilder &builder, Location loc,
                        ArrayRef<WeightSource> sources) {
  Tensor values = concatColumns(sources);
  const WeightSource &first = sources[0];
  Value constant =
      createConstant(builder, loc, values, first.element, "fused_projection");
  Type f32 = builder.getF32Type();
  switch (first.kind) {
  case WeightSource::Float:
    return constant;
  case WeightSource::Half:
    return CastOp::create(builder, loc,
                          RankedTensorType::get(values.shape, f32), constant);
  case WeightSource::Dequantized:
  case WeightSource::Quantized: {
    Value quantized = StorageCastOp::create(
        builder, loc,
        RankedTensorType::get(values.shape, mergedQuantType(sources)),
        constant);
    if (first.kind == WeightSource::Quantized)
      return quantized;
    return DequantizeOp::create(
        builder, loc, RankedTensorType::get(values.shape, f32), quantized);
  }
  }
  llvm_unreachable("unknown weight source");
}

/// Bias of a projection as a tensor ([N] zeros when it has none).
std::optional<Tensor> biasValue(Value bias, int64_t n) {
  if (!bias) {
    Tensor zeros(DType::F32, {n});
    return zeros;
  }
  std::optional<Tensor> value = constantValue(bias);
  if (!value || value->dtype != DType::F32 || value->numElements() != n)
    return std::nullopt;
  return value;
}

Value biasOf(Operation *op) {
  return TypeSwitch<Operation *, Value>(op)
      .Case<LinearOp, QLinearOp, DynamicQLinearOp>(
          [](auto linear) { return linear.getBias(); })
      .Default([](Operation *) { return Value(); });
}

/// A projection that may be merged: a linear of any weight format, or an
/// integer linear that has no epilogue yet.
bool isMergeCandidate(Operation *op) {
  if (isa<LinearOp>(op))
    return true;
  return TypeSwitch<Operation *, bool>(op)
      .Case<QLinearOp, DynamicQLinearOp>([](auto linear) {
        return !linear.getResidual() && linear.getActivation() == "none";
      })
      .Default([](Operation *) { return false; });
}

/// The merged op's `llmo.quant`: the format of the parts, their bytes
/// summed and the worst SQNR.
void recordMergedQuant(Operation *merged, ArrayRef<Operation *> group) {
  Builder b(merged->getContext());
  if (auto format = group.front()->getAttr("llmo.format"))
    merged->setAttr("llmo.format", format);
  auto firstQuant = group.front()->getAttrOfType<DictionaryAttr>("llmo.quant");
  if (!firstQuant)
    return;
  int64_t bytes = 0;
  double sqnr = INFINITY;
  for (Operation *op : group) {
    auto quant = op->getAttrOfType<DictionaryAttr>("llmo.quant");
    if (!quant)
      return;
    if (auto value = quant.getAs<IntegerAttr>("weight_bytes"))
      bytes += value.getInt();
    if (auto value = quant.getAs<FloatAttr>("weight_sqnr_db"))
      sqnr = std::min(sqnr, value.getValueAsDouble());
  }
  merged->setAttr(
      "llmo.quant",
      b.getDictionaryAttr(
          {b.getNamedAttr("format", firstQuant.get("format")),
           b.getNamedAttr("weight_bytes", b.getI64IntegerAttr(bytes)),
           b.getNamedAttr("weight_sqnr_db", b.getF64FloatAttr(sqnr))}));
}

/// Erases the ops that produced `value` (dequantize, storage_cast, cast,
/// constant) as far as nothing else uses them.
void eraseDeadChain(Value value) {
  while (Operation *op = value.getDefiningOp()) {
    if (!op->use_empty() ||
        !isa<DequantizeOp, StorageCastOp, CastOp, ConstantOp>(op))
      return;
    value = op->getNumOperands() ? op->getOperand(0) : Value();
    op->erase();
    if (!value)
      return;
  }
}

/// Merges `group` (one op kind, one input, mergeable weights with constant
/// or no biases) into one op over the concatenated weight + llmo.split.
void mergeGroup(ArrayRef<Operation *> group, ArrayRef<WeightSource> sources,
                ArrayRef<Tensor> biases) {
  Operation *first = group.front();
  for (Operation *op : group)
    if (op->isBeforeInBlock(first))
      first = op;
  OpBuilder builder(first);
  Location loc = first->getLoc();
  Type f32 = builder.getF32Type();
  Value weight = buildMergedWeight(builder, loc, sources);
  Value bias;
  if (llvm::any_of(group, [](Operation *op) { return (bool)biasOf(op); })) {
    Tensor merged(DType::F32, {0});
    for (const Tensor &part : biases)
      llvm::append_range(merged.floats, part.floats);
    merged.shape = {(int64_t)merged.floats.size()};
    bias = createConstant(builder, loc, merged, f32, "fused_bias");
  }
  Value input = first->getOperand(0);
  SmallVector<int64_t> shape(typeOf(first->getResult(0)).getShape());
  shape.back() = typeOf(weight).getDimSize(1);
  auto type = RankedTensorType::get(shape, f32);
  Operation *merged =
      TypeSwitch<Operation *, Operation *>(group.front())
          .Case([&](LinearOp) {
            return LinearOp::create(builder, loc, type, input, weight, bias);
          })
          .Case([&](QLinearOp) {
            return QLinearOp::create(builder, loc, type, input, weight, bias,
                                     /*residual=*/Value(), "none");
          })
          .Case([&](DynamicQLinearOp) {
            return DynamicQLinearOp::create(builder, loc, type, input, weight,
                                            bias, /*residual=*/Value(), "none");
          });
  recordMergedQuant(merged, group);
  SmallVector<Type> pieces;
  for (Operation *op : group)
    pieces.push_back(op->getResult(0).getType());
  auto split = SplitOp::create(builder, loc, pieces, merged->getResult(0),
                               builder.getI64IntegerAttr(shape.size() - 1));
  for (auto [i, op] : llvm::enumerate(group)) {
    Value oldWeight = op->getOperand(1);
    op->getResult(0).replaceAllUsesWith(split->getResult(i));
    op->erase();
    eraseDeadChain(oldWeight);
  }
}

/// Projections of one kind reading `input`: merges each set whose weights
/// can share one constant. Returns the number of merged ops created.
int64_t mergeProjections(ArrayRef<Operation *> projections) {
  struct Part {
    Operation *op;
    WeightSource source;
    Tensor bias;
  };
  SmallVector<SmallVector<Part>> sets;
  for (Operation *op : projections) {
    FailureOr<WeightSource> source = weightSource(op->getOperand(1));
    if (failed(source))
      continue;
    std::optional<Tensor> bias = biasValue(biasOf(op), source->values.shape[1]);
    if (!bias)
      continue;
    auto set = llvm::find_if(sets, [&](const SmallVector<Part> &s) {
      return mergeable(s.front().source, *source);
    });
    size_t index = set - sets.begin();
    if (set == sets.end())
      sets.emplace_back();
    sets[index].push_back(Part{op, std::move(*source), std::move(*bias)});
  }
  int64_t merged = 0;
  for (SmallVector<Part> &set : sets) {
    if (set.size() < 2)
      continue;
    SmallVector<Operation *> group;
    SmallVector<WeightSource> sources;
    SmallVector<Tensor> biases;
    for (Part &part : set) {
      group.push_back(part.op);
      sources.push_back(std::move(part.source));
      biases.push_back(std::move(part.bias));
    }
    mergeGroup(group, sources, biases);
    ++merged;
  }
  return merged;
}

/// reshape(linear(reshape(x))) where the reshapes only flatten and restore
/// the leading dims (GPT-2's Conv1D) -> linear(x), so epilogues can fuse.
bool foldLeadingReshapes(LinearOp linear) {
  auto in = linear.getInput().getDefiningOp<ReshapeOp>();
  Value result = linear.getResult();
  if (!in || !result.hasOneUse())
    return false;
  auto out = dyn_cast<ReshapeOp>(*result.user_begin());
  if (!out)
    return false;
  auto source = typeOf(in.getOperand()), target = typeOf(out.getResult());
  int64_t k = typeOf(linear.getWeight()).getDimSize(0);
  int64_t n = typeOf(linear.getWeight()).getDimSize(1);
  if (source.getRank() < 1 || source.getShape().back() != k ||
      target.getRank() != source.getRank() || target.getShape().back() != n ||
      source.getShape().drop_back() != target.getShape().drop_back())
    return false;
  OpBuilder builder(out);
  auto replacement =
      LinearOp::create(builder, linear.getLoc(), target, in.getOperand(),
                       linear.getWeight(), linear.getBias());
  replacement->setAttrs(linear->getAttrs());
  out.getResult().replaceAllUsesWith(replacement.getResult());
  out->erase();
  linear->erase();
  if (in->use_empty())
    in->erase();
  return true;
}

/// The epilogue that can follow a linear: its only user an activation
/// and/or then an add of a same-typed tensor.
struct EpilogueChain {
  Operation *last = nullptr;
  StringRef activation = "none";
  Value residual;
};

EpilogueChain findEpilogue(Operation *linear) {
  EpilogueChain chain;
  chain.last = linear;
  Value result = linear->getResult(0);
  if (result.hasOneUse()) {
    Operation *user = *result.user_begin();
    if (auto gelu = dyn_cast<GeluOp>(user))
      chain.activation = gelu.getApproximate() == "tanh" ? "gelu_tanh" : "gelu";
    else if (isa<SiluOp>(user))
      chain.activation = "silu";
    else if (isa<ReluOp>(user))
      chain.activation = "relu";
    if (chain.activation != "none") {
      chain.last = user;
      result = user->getResult(0);
    }
  }
  if (result.hasOneUse())
    if (auto add = dyn_cast<AddOp>(*result.user_begin())) {
      Value other = add.getLhs() == result ? add.getRhs() : add.getLhs();
      if (other != result && typeOf(other) == typeOf(result) &&
          typeOf(add.getResult()) == typeOf(result)) {
        chain.residual = other;
        chain.last = add;
      }
    }
  return chain;
}

/// Replaces the chain by `fused` and erases it.
void replaceEpilogueChain(Operation *linear, const EpilogueChain &chain,
                          Operation *fused) {
  // Decisions recorded on the linear (llmo.quant, llmo.calib, ...) stay.
  for (NamedAttribute attr : linear->getDiscardableAttrs())
    fused->setAttr(attr.getName(), attr.getValue());
  chain.last->getResult(0).replaceAllUsesWith(fused->getResult(0));
  SmallVector<Operation *> ops;
  for (Operation *op = chain.last; op != linear;
       op = op->getOperand(0) == chain.residual
                ? op->getOperand(1).getDefiningOp()
                : op->getOperand(0).getDefiningOp())
    ops.push_back(op);
  ops.push_back(linear);
  for (Operation *op : ops)
    op->erase();
}

/// linear [-> act] [-> add residual] as one fused_linear.
bool fuseEpilogue(LinearOp linear) {
  EpilogueChain chain = findEpilogue(linear);
  if (chain.last == linear.getOperation())
    return false;
  OpBuilder builder(chain.last);
  auto fused = FusedLinearOp::create(
      builder, linear.getLoc(), chain.last->getResult(0).getType(),
      linear.getInput(), linear.getWeight(), linear.getBias(), chain.residual,
      builder.getStringAttr(chain.activation));
  replaceEpilogueChain(linear, chain, fused);
  return true;
}

/// The same for the int8 linears, which carry their epilogue themselves.
template <typename QOp> bool fuseQuantizedEpilogue(QOp linear) {
  if (linear.getResidual() || linear.getActivation() != "none")
    return false;
  EpilogueChain chain = findEpilogue(linear);
  if (chain.last == linear.getOperation())
    return false;
  OpBuilder builder(chain.last);
  auto fused =
      QOp::create(builder, linear.getLoc(), chain.last->getResult(0).getType(),
                  linear.getInput(), linear.getWeight(), linear.getBias(),
                  chain.residual, chain.activation);
  replaceEpilogueChain(linear, chain, fused);
  return true;
}

/// The f32 splat value of a constant, if it is one.
std::optional<float> splatConstant(Value v) {
  auto constant = v.getDefiningOp<ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
  if (!dense || !dense.isSplat() || !dense.getElementType().isF32())
    return scalarConstant(v);
  return dense.getSplatValue<float>();
}

bool isF32Tensor(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.getElementType().isF32();
}

/// Elementwise llmo ops that have a scalar f32 form below.
bool isFusibleElementwise(Operation *op) {
  if (op->getNumResults() != 1 || !isF32Tensor(op->getResult(0)) ||
      !llvm::all_of(op->getOperands(), isF32Tensor))
    return false;
  if (auto pow = dyn_cast<PowOp>(op)) {
    // x^2 and x^3 (GELU-tanh and RMS norm exports) become products; other
    // exponents stay unfused.
    std::optional<float> e = splatConstant(pow.getRhs());
    return e && (*e == 2.0f || *e == 3.0f);
  }
  return isa<AddOp, SubOp, MulOp, DivOp, MaxOp, MinOp, NegOp, AbsOp, ExpOp,
             LogOp, SqrtOp, RsqrtOp, ReciprocalOp, TanhOp, ErfOp, SigmoidOp,
             SinOp, CosOp, ReluOp, SiluOp, FloorOp, GeluOp>(op);
}

/// The scalar form of one elementwise op, following its definition in
/// docs/Dialect.md (and the interpreter's evaluation order).
Value buildScalar(OpBuilder &b, Location loc, Operation *op,
                  ArrayRef<Value> x) {
  auto c = [&](float v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  };
  auto add = [&](Value l, Value r) -> Value {
    return arith::AddFOp::create(b, loc, l, r);
  };
  auto mul = [&](Value l, Value r) -> Value {
    return arith::MulFOp::create(b, loc, l, r);
  };
  auto div = [&](Value l, Value r) -> Value {
    return arith::DivFOp::create(b, loc, l, r);
  };
  auto expNeg = [&](Value v) -> Value {
    return math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, v));
  };
  return TypeSwitch<Operation *, Value>(op)
      .Case([&](AddOp) { return add(x[0], x[1]); })
      .Case([&](SubOp) -> Value {
        return arith::SubFOp::create(b, loc, x[0], x[1]);
      })
      .Case([&](MulOp) { return mul(x[0], x[1]); })
      .Case([&](DivOp) { return div(x[0], x[1]); })
      .Case([&](MaxOp) -> Value {
        return arith::MaximumFOp::create(b, loc, x[0], x[1]);
      })
      .Case([&](MinOp) -> Value {
        return arith::MinimumFOp::create(b, loc, x[0], x[1]);
      })
      .Case([&](PowOp p) {
        Value square = mul(x[0], x[0]);
        return *splatConstant(p.getRhs()) == 2.0f ? square : mul(square, x[0]);
      })
      .Case([&](NegOp) -> Value { return arith::NegFOp::create(b, loc, x[0]); })
      .Case([&](AbsOp) -> Value { return math::AbsFOp::create(b, loc, x[0]); })
      .Case([&](ExpOp) -> Value { return math::ExpOp::create(b, loc, x[0]); })
      .Case([&](LogOp) -> Value { return math::LogOp::create(b, loc, x[0]); })
      .Case([&](SqrtOp) -> Value { return math::SqrtOp::create(b, loc, x[0]); })
      .Case([&](RsqrtOp) {
        Value root = math::SqrtOp::create(b, loc, x[0]);
        return div(c(1.0f), root);
      })
      .Case([&](ReciprocalOp) { return div(c(1.0f), x[0]); })
      .Case([&](TanhOp) -> Value { return math::TanhOp::create(b, loc, x[0]); })
      .Case([&](ErfOp) -> Value { return math::ErfOp::create(b, loc, x[0]); })
      .Case([&](SigmoidOp) {
        Value e = expNeg(x[0]);
        Value denominator = add(c(1.0f), e);
        return div(c(1.0f), denominator);
      })
      .Case([&](SinOp) -> Value { return math::SinOp::create(b, loc, x[0]); })
      .Case([&](CosOp) -> Value { return math::CosOp::create(b, loc, x[0]); })
      .Case([&](ReluOp) -> Value {
        return arith::MaximumFOp::create(b, loc, x[0], c(0.0f));
      })
      .Case([&](SiluOp) {
        Value e = expNeg(x[0]);
        Value denominator = add(c(1.0f), e);
        return div(x[0], denominator);
      })
      .Case(
          [&](FloorOp) -> Value { return math::FloorOp::create(b, loc, x[0]); })
      .Case([&](GeluOp g) {
        // One op per statement: the IR order must not depend on the C++
        // compiler's argument evaluation order.
        Value half = mul(c(0.5f), x[0]);
        Value transformed;
        if (g.getApproximate() == "tanh") {
          Value cube = mul(c(0.044715f), x[0]);
          cube = mul(cube, x[0]);
          cube = mul(cube, x[0]);
          Value sum = add(x[0], cube);
          Value inner = mul(c(std::sqrt(2.0f / (float)M_PI)), sum);
          transformed = math::TanhOp::create(b, loc, inner);
        } else {
          Value scaled = div(x[0], c(std::sqrt(2.0f)));
          transformed = math::ErfOp::create(b, loc, scaled);
        }
        Value onePlus = add(c(1.0f), transformed);
        return mul(half, onePlus);
      })
      .Default([](Operation *) { return Value(); });
}

/// Grows a group backwards from `root` over elementwise producers whose
/// every use is inside the group and whose result has the root's shape (so
/// nothing is recomputed), then replaces it with one llmo.elementwise.
bool fuseElementwiseChain(Operation *root,
                          llvm::DenseSet<Operation *> &grouped) {
  ArrayRef<int64_t> shape = typeOf(root->getResult(0)).getShape();
  llvm::SetVector<Operation *> group;
  group.insert(root);
  for (size_t i = 0; i < group.size(); ++i)
    for (Value operand : group[i]->getOperands()) {
      Operation *producer = operand.getDefiningOp();
      if (!producer || group.contains(producer) || grouped.count(producer) ||
          !isFusibleElementwise(producer) ||
          typeOf(operand).getShape() != shape ||
          !llvm::all_of(producer->getUsers(),
                        [&](Operation *u) { return group.contains(u); }))
        continue;
      group.insert(producer);
    }
  if (group.size() < 2)
    return false;
  SmallVector<Operation *> members(group.begin(), group.end());
  llvm::sort(members,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });

  llvm::MapVector<Value, unsigned> inputs;
  for (Operation *member : members)
    for (Value operand : member->getOperands()) {
      Operation *producer = operand.getDefiningOp();
      if ((producer && group.contains(producer)) || splatConstant(operand) ||
          inputs.count(operand))
        continue;
      unsigned index = inputs.size();
      inputs[operand] = index;
    }
  OpBuilder b(root);
  Location loc = root->getLoc();
  SmallVector<Value> inputValues;
  for (auto &entry : inputs)
    inputValues.push_back(entry.first);
  auto fused =
      ElementwiseOp::create(b, loc, root->getResult(0).getType(), inputValues);
  SmallVector<Type> argTypes(inputValues.size(), b.getF32Type());
  SmallVector<Location> argLocs(inputValues.size(), loc);
  Block *body = b.createBlock(&fused.getBody(), {}, argTypes, argLocs);
  llvm::DenseMap<Value, Value> scalarOf;
  for (auto &[value, index] : inputs)
    scalarOf[value] = body->getArgument(index);
  for (Operation *member : members) {
    SmallVector<Value> scalars;
    for (auto [i, operand] : llvm::enumerate(member->getOperands())) {
      if (Value s = scalarOf.lookup(operand)) {
        scalars.push_back(s);
        continue;
      }
      if (isa<PowOp>(member) && i == 1) { // the exponent becomes products
        scalars.push_back(Value());
        continue;
      }
      Value constant = arith::ConstantOp::create(
          b, member->getLoc(), b.getF32FloatAttr(*splatConstant(operand)));
      scalars.push_back(constant);
    }
    scalarOf[member->getResult(0)] =
        buildScalar(b, member->getLoc(), member, scalars);
  }
  YieldOp::create(b, loc, scalarOf.lookup(root->getResult(0)));
  root->getResult(0).replaceAllUsesWith(fused.getResult());
  for (Operation *member : llvm::reverse(members)) {
    grouped.insert(member);
    member->erase();
  }
  return true;
}

struct FusePass : llmo::impl::FuseBase<FusePass> {
  using FuseBase::FuseBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    int64_t attentions = 0, projections = 0, epilogueCount = 0;
    if (attention) {
      SmallVector<SoftmaxOp> softmaxes;
      func.walk([&](SoftmaxOp op) { softmaxes.push_back(op); });
      for (SoftmaxOp op : softmaxes)
        attentions += fuseAttention(op);
      SmallVector<AttentionOp> formed;
      func.walk([&](AttentionOp op) { formed.push_back(op); });
      for (AttentionOp op : formed)
        absorbRepeatedKeyValue(op);
    }
    if (this->projections) {
      // Keyed by input and op kind: a linear and an integer linear reading
      // the same value do not merge.
      llvm::MapVector<std::pair<Value, OperationName>, SmallVector<Operation *>>
          byInput;
      func.walk([&](Operation *op) {
        if (isMergeCandidate(op))
          byInput[{op->getOperand(0), op->getName()}].push_back(op);
      });
      for (auto &[key, ops] : byInput)
        projections += mergeProjections(ops);
    }
    if (epilogues) {
      SmallVector<LinearOp> reshaped;
      func.walk([&](LinearOp op) { reshaped.push_back(op); });
      for (LinearOp op : reshaped)
        foldLeadingReshapes(op);
      SmallVector<LinearOp> linears;
      func.walk([&](LinearOp op) { linears.push_back(op); });
      for (LinearOp op : linears)
        epilogueCount += fuseEpilogue(op);
      SmallVector<Operation *> quantized;
      func.walk([&](Operation *op) {
        if (isa<QLinearOp, DynamicQLinearOp>(op))
          quantized.push_back(op);
      });
      for (Operation *op : quantized) {
        if (auto q = dyn_cast<QLinearOp>(op))
          epilogueCount += fuseQuantizedEpilogue(q);
        else
          epilogueCount += fuseQuantizedEpilogue(cast<DynamicQLinearOp>(op));
      }
    }
    int64_t chains = 0;
    if (elementwise) {
      SmallVector<Operation *> candidates;
      func.walk([&](Operation *op) {
        if (isFusibleElementwise(op))
          candidates.push_back(op);
      });
      // Roots first: a chain grows backwards from its last op.
      llvm::DenseSet<Operation *> grouped;
      for (Operation *op : llvm::reverse(candidates))
        if (!grouped.count(op))
          chains += fuseElementwiseChain(op, grouped);
    }
    // Constants only the fused ops read (scales, unmerged weights) are dead.
    SmallVector<ConstantOp> constants;
    func.walk([&](ConstantOp op) { constants.push_back(op); });
    for (ConstantOp op : constants)
      if (op->use_empty())
        op->erase();
    Builder b(func.getContext());
    func->setAttr(
        "llmo.fused",
        b.getDictionaryAttr(
            {b.getNamedAttr("attention", b.getI64IntegerAttr(attentions)),
             b.getNamedAttr("projections", b.getI64IntegerAttr(projections)),
             b.getNamedAttr("epilogues", b.getI64IntegerAttr(epilogueCount)),
             b.getNamedAttr("elementwise", b.getI64IntegerAttr(chains))}));
  }
};

} // namespace
