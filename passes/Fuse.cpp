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
