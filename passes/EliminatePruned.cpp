//===- EliminatePruned.cpp - Remove structurally pruned FFN neurons -------===//
//
// Structured pruning zeroes whole neurons; the float graph still computes
// them. Removing them shrinks the weights and every intermediate shape.
//
//===----------------------------------------------------------------------===//

#include "llmo/Passes/Passes.h"

#include "QuantUtils.h"

namespace llmo {
#define GEN_PASS_DEF_ELIMINATEPRUNED
#include "Passes.h.inc"
} // namespace llmo

using namespace mlir;
using namespace llmo;

namespace {

/// One FFN: up projections (one, or gate and up for SwiGLU), the ops between
/// them and the down projection, which all have width F on the last axis.
struct Ffn {
  SmallVector<LinearOp> ups;      // each [K, F]
  SmallVector<Operation *> middle; // activation (and mul): [..., F]
  LinearOp down;                  // [F, K']
  bool swiglu = false;
};

bool isZeroAtZero(Operation *op) { return isa<GeluOp, ReluOp, SiluOp>(op); }

bool singleUseBy(Value value, Operation *user) {
  return value.hasOneUse() && *value.getUsers().begin() == user;
}

LinearOp prunableLinear(Value value) {
  auto linear = value.getDefiningOp<LinearOp>();
  if (!linear || !hasConstantWeight(linear) ||
      (linear.getBias() && !linear.getBias().getDefiningOp<ConstantOp>()))
    return {};
  return linear;
}

/// Matches an FFN ending at `down`.
std::optional<Ffn> matchFfn(LinearOp down) {
  if (!hasConstantWeight(down))
    return std::nullopt;
  Value h = down.getInput();
  Operation *producer = h.getDefiningOp();
  if (!producer || !singleUseBy(h, down))
    return std::nullopt;
  Ffn ffn;
  ffn.down = down;
  if (isZeroAtZero(producer)) {
    LinearOp up = prunableLinear(producer->getOperand(0));
    if (!up || !singleUseBy(up.getResult(), producer))
      return std::nullopt;
    ffn.ups = {up};
    ffn.middle = {producer};
    return ffn;
  }
  if (auto mul = dyn_cast<MulOp>(producer)) {
    for (auto [gateValue, upValue] :
         {std::pair{mul.getLhs(), mul.getRhs()},
          std::pair{mul.getRhs(), mul.getLhs()}}) {
      auto silu = gateValue.getDefiningOp<SiluOp>();
      if (!silu || !singleUseBy(gateValue, mul))
        continue;
      LinearOp gate = prunableLinear(silu.getOperand());
      LinearOp up = prunableLinear(upValue);
      if (!gate || !up || !singleUseBy(gate.getResult(), silu) ||
          !singleUseBy(up.getResult(), mul) ||
          gate.getType() != up.getType() || mul.getType() != up.getType())
        continue;
      ffn.ups = {gate, up};
      ffn.middle = {silu, mul};
      ffn.swiglu = true;
      return ffn;
    }
  }
  return std::nullopt;
}

/// Whether column f of a [K, F] weight (and its bias) is zero.
bool columnIsZero(const Tensor &w, const std::optional<Tensor> &bias,
                  int64_t f) {
  int64_t k = w.shape[0], n = w.shape[1];
  if (bias && bias->floats[f] != 0.0f)
    return false;
  for (int64_t i = 0; i < k; ++i)
    if (w.floats[i * n + f] != 0.0f)
      return false;
  return true;
}

Tensor keepColumns(const Tensor &w, ArrayRef<int64_t> keep) {
  int64_t k = w.shape[0], n = w.shape[1];
  Tensor out(w.dtype, {k, (int64_t)keep.size()});
  for (int64_t i = 0; i < k; ++i)
    for (size_t j = 0; j < keep.size(); ++j)
      out.floats[i * keep.size() + j] = w.floats[i * n + keep[j]];
  return out;
}

Tensor keepRows(const Tensor &w, ArrayRef<int64_t> keep) {
  int64_t n = w.shape[1];
  Tensor out(w.dtype, {(int64_t)keep.size(), n});
  for (size_t i = 0; i < keep.size(); ++i)
    std::copy(w.floats.begin() + keep[i] * n,
              w.floats.begin() + (keep[i] + 1) * n,
              out.floats.begin() + i * n);
  return out;
}

RankedTensorType withLastDim(Type type, int64_t dim) {
  auto ranked = cast<RankedTensorType>(type);
  SmallVector<int64_t> shape(ranked.getShape());
  shape.back() = dim;
  return RankedTensorType::get(shape, ranked.getElementType());
}

/// Removes the dead neurons of `ffn`; returns the parameters removed.
int64_t prune(Ffn &ffn) {
  Tensor down = *constantValue(ffn.down.getWeight());
  int64_t f = down.shape[0];
  std::vector<Tensor> ups;
  std::vector<std::optional<Tensor>> biases;
  for (LinearOp up : ffn.ups) {
    ups.push_back(*constantValue(up.getWeight()));
    biases.push_back(up.getBias() ? constantValue(up.getBias())
                                  : std::optional<Tensor>());
  }
  SmallVector<int64_t> keep;
  for (int64_t j = 0; j < f; ++j) {
    bool downRowZero = true;
    for (int64_t c = 0; c < down.shape[1] && downRowZero; ++c)
      downRowZero = down.floats[j * down.shape[1] + c] == 0.0f;
    // A gated product is zero when either factor is; a single activation
    // (0 at 0) is zero when its input is.
    bool inputZero = false;
    for (size_t u = 0; u < ups.size(); ++u)
      inputZero = inputZero || columnIsZero(ups[u], biases[u], j);
    if (!downRowZero && !inputZero)
      keep.push_back(j);
  }
  int64_t removed = f - (int64_t)keep.size();
  if (removed == 0 || keep.empty())
    return 0;

  int64_t params = 0;
  int64_t newF = keep.size();
  for (size_t u = 0; u < ffn.ups.size(); ++u) {
    LinearOp up = ffn.ups[u];
    OpBuilder b(up);
    params += removed * (ups[u].shape[0] + (biases[u] ? 1 : 0));
    up.getWeightMutable().assign(createConstant(
        b, up.getLoc(), keepColumns(ups[u], keep), b.getF32Type(), "pruned"));
    if (biases[u]) {
      Tensor bias(DType::F32, {newF});
      for (int64_t j = 0; j < newF; ++j)
        bias.floats[j] = biases[u]->floats[keep[j]];
      up.getBiasMutable().assign(
          createConstant(b, up.getLoc(), bias, b.getF32Type(), "pruned_b"));
    }
    up.getResult().setType(withLastDim(up.getType(), newF));
  }
  for (Operation *op : ffn.middle)
    op->getResult(0).setType(withLastDim(op->getResult(0).getType(), newF));
  OpBuilder b(ffn.down);
  params += removed * down.shape[1];
  ffn.down.getWeightMutable().assign(createConstant(
      b, ffn.down.getLoc(), keepRows(down, keep), b.getF32Type(), "pruned"));
  ffn.down->setAttr("llmo.pruned",
                    b.getDictionaryAttr(
                        {b.getNamedAttr("neurons", b.getI64IntegerAttr(removed)),
                         b.getNamedAttr("params", b.getI64IntegerAttr(params))}));
  return params;
}

struct EliminatePrunedPass
    : llmo::impl::EliminatePrunedBase<EliminatePrunedPass> {
  void runOnOperation() override {
    SmallVector<Ffn> ffns;
    getOperation().walk([&](LinearOp down) {
      if (auto ffn = matchFfn(down))
        ffns.push_back(*ffn);
    });
    int64_t total = 0;
    for (Ffn &ffn : ffns)
      total += prune(ffn);
    Builder b(&getContext());
    auto previous =
        getOperation()->getAttrOfType<DictionaryAttr>("llmo.pruning");
    if (previous)
      if (auto p = previous.getAs<IntegerAttr>("params_removed"))
        total += p.getInt();
    getOperation()->setAttr(
        "llmo.pruning",
        b.getDictionaryAttr({b.getNamedAttr("params_removed",
                                            b.getI64IntegerAttr(total))}));
  }
};

} // namespace
