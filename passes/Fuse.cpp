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

/// Linears with f32 constant weights reading `input` -> one linear + split.
bool mergeProjections(Value input, SmallVector<LinearOp> linears) {
  if (linears.size() < 2)
    return false;
  std::vector<Tensor> weights, biases;
  for (LinearOp linear : linears) {
    auto w = linear.getWeight().getDefiningOp<ConstantOp>();
    if (!w)
      return false;
    FailureOr<Tensor> wt = tensorFromAttr(w.getValue());
    if (failed(wt) || wt->dtype != DType::F32)
      return false;
    weights.push_back(std::move(*wt));
    int64_t n = weights.back().shape[1];
    Tensor bias(DType::F32, {n});
    if (Value b = linear.getBias()) {
      auto bc = b.getDefiningOp<ConstantOp>();
      if (!bc)
        return false;
      FailureOr<Tensor> bt = tensorFromAttr(bc.getValue());
      if (failed(bt) || bt->dtype != DType::F32)
        return false;
      bias = std::move(*bt);
    }
    biases.push_back(std::move(bias));
  }
  int64_t k = weights[0].shape[0], total = 0;
  for (const Tensor &w : weights)
    total += w.shape[1];
  Tensor weight(DType::F32, {k, total}), bias(DType::F32, {total});
  int64_t at = 0;
  bool anyBias = false;
  for (size_t i = 0; i < weights.size(); ++i) {
    int64_t n = weights[i].shape[1];
    for (int64_t r = 0; r < k; ++r)
      std::copy_n(weights[i].floats.begin() + r * n, n,
                  weight.floats.begin() + r * total + at);
    std::copy_n(biases[i].floats.begin(), n, bias.floats.begin() + at);
    anyBias |= (bool)linears[i].getBias();
    at += n;
  }
  // Insert before the first of the linears (all read the same input).
  Operation *first = linears.front();
  for (LinearOp l : linears)
    if (l->isBeforeInBlock(first))
      first = l;
  OpBuilder builder(first);
  Location loc = first->getLoc();
  Type f32 = builder.getF32Type();
  Value w = createConstant(builder, loc, weight, f32, "fused_projection");
  Value b =
      anyBias ? createConstant(builder, loc, bias, f32, "fused_bias") : Value();
  SmallVector<int64_t> shape(typeOf(input).getShape());
  shape.back() = total;
  auto merged = LinearOp::create(
      builder, loc, RankedTensorType::get(shape, f32), input, w, b);
  SmallVector<Type> pieces;
  for (LinearOp l : linears)
    pieces.push_back(l.getResult().getType());
  auto split = SplitOp::create(builder, loc, pieces, merged.getResult(),
                               builder.getI64IntegerAttr(shape.size() - 1));
  for (auto [i, l] : llvm::enumerate(linears)) {
    l.getResult().replaceAllUsesWith(split->getResult(i));
    l->erase();
  }
  return true;
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

/// linear [-> act] [-> add residual] as one fused_linear.
bool fuseEpilogue(LinearOp linear) {
  Value result = linear.getResult();
  Operation *last = linear;
  StringRef activation = "none";
  if (result.hasOneUse()) {
    Operation *user = *result.user_begin();
    if (auto gelu = dyn_cast<GeluOp>(user))
      activation = gelu.getApproximate() == "tanh" ? "gelu_tanh" : "gelu";
    else if (isa<SiluOp>(user))
      activation = "silu";
    else if (isa<ReluOp>(user))
      activation = "relu";
    if (activation != "none") {
      last = user;
      result = user->getResult(0);
    }
  }
  Value residual;
  if (result.hasOneUse())
    if (auto add = dyn_cast<AddOp>(*result.user_begin())) {
      Value other = add.getLhs() == result ? add.getRhs() : add.getLhs();
      if (other != result && typeOf(other) == typeOf(result) &&
          typeOf(add.getResult()) == typeOf(result)) {
        residual = other;
        last = add;
      }
    }
  if (last == linear.getOperation())
    return false;
  OpBuilder builder(last);
  auto fused = FusedLinearOp::create(
      builder, linear.getLoc(), last->getResult(0).getType(), linear.getInput(),
      linear.getWeight(), linear.getBias(), residual,
      builder.getStringAttr(activation));
  // Decisions recorded on the linear (llmo.quant, llmo.calib, ...) stay.
  for (NamedAttribute attr : linear->getDiscardableAttrs())
    fused->setAttr(attr.getName(), attr.getValue());
  last->getResult(0).replaceAllUsesWith(fused.getResult());
  // Erase the chain from its end.
  SmallVector<Operation *> chain;
  for (Operation *op = last; op != linear.getOperation();
       op = op->getOperand(0) == residual ? op->getOperand(1).getDefiningOp()
                                          : op->getOperand(0).getDefiningOp())
    chain.push_back(op);
  chain.push_back(linear);
  for (Operation *op : chain)
    op->erase();
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
    }
    if (this->projections) {
      llvm::MapVector<Value, SmallVector<LinearOp>> byInput;
      func.walk([&](LinearOp op) {
        if (op.getWeight().getDefiningOp<ConstantOp>())
          byInput[op.getInput()].push_back(op);
      });
      for (auto &[input, linears] : byInput)
        projections += mergeProjections(input, linears);
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
             b.getNamedAttr("epilogues", b.getI64IntegerAttr(epilogueCount))}));
  }
};

} // namespace
