//===- EliminatePruned.cpp - Remove structurally pruned FFN neurons -------===//
//
// Structured pruning zeroes whole neurons; the float graph still computes
// them. Removing them shrinks the weights and every intermediate shape.
//
//===----------------------------------------------------------------------===//

#include "llmo/Passes/Passes.h"

#include "QuantUtils.h"

#include "llvm/ADT/MapVector.h"

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
  SmallVector<LinearOp> ups;       // each [K, F]
  SmallVector<Operation *> middle; // activation (and mul): [..., F]
  LinearOp down;                   // [F, K']
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
    for (auto [gateValue, upValue] : {std::pair{mul.getLhs(), mul.getRhs()},
                                      std::pair{mul.getRhs(), mul.getLhs()}}) {
      auto silu = gateValue.getDefiningOp<SiluOp>();
      if (!silu || !singleUseBy(gateValue, mul))
        continue;
      LinearOp gate = prunableLinear(silu.getOperand());
      LinearOp up = prunableLinear(upValue);
      if (!gate || !up || !singleUseBy(gate.getResult(), silu) ||
          !singleUseBy(up.getResult(), mul) || gate.getType() != up.getType() ||
          mul.getType() != up.getType())
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
              w.floats.begin() + (keep[i] + 1) * n, out.floats.begin() + i * n);
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
  ffn.down->setAttr(
      "llmo.pruned",
      b.getDictionaryAttr(
          {b.getNamedAttr("neurons", b.getI64IntegerAttr(removed)),
           b.getNamedAttr("params", b.getI64IntegerAttr(params))}));
  return params;
}

//===----------------------------------------------------------------------===//
// Attention heads
//===----------------------------------------------------------------------===//

/// The ops of one multi-head attention between its packed projections
/// ([..., H*dh]: separate Q, K, V linears) and the output projection, each
/// value with the axis that indexes heads.
struct Attention {
  LinearOp output;                       // input [..., H*dh], weight [H*dh, D]
  SmallVector<LinearOp> sources;         // Q/K/V projections
  llvm::MapVector<Value, int64_t> heads; // value -> head axis
  int64_t numHeads = 0, headDim = 0;
};

/// Collects the attention feeding `output`; nothing if its structure is not
/// one this pass can rewrite (fused QKV, grouped-query, head-mixing ops).
std::optional<Attention> matchAttention(LinearOp output) {
  auto merge = output.getInput().getDefiningOp<ReshapeOp>();
  if (!merge || !hasConstantWeight(output))
    return std::nullopt;
  auto split = cast<RankedTensorType>(merge.getOperand().getType());
  if (split.getRank() < 2 || !merge->hasOneUse())
    return std::nullopt;
  Attention attention;
  attention.output = output;
  attention.numHeads = split.getDimSize(split.getRank() - 2);
  attention.headDim = split.getShape().back();
  if (attention.numHeads < 2 ||
      attention.numHeads * attention.headDim !=
          cast<RankedTensorType>(output.getInput().getType()).getShape().back())
    return std::nullopt;

  SmallVector<std::pair<Value, int64_t>> worklist = {
      {merge.getOperand(), split.getRank() - 2}};
  while (!worklist.empty()) {
    auto [value, axis] = worklist.pop_back_val();
    if (attention.heads.count(value)) {
      if (attention.heads[value] != axis)
        return std::nullopt;
      continue;
    }
    attention.heads[value] = axis;
    Operation *op = value.getDefiningOp();
    if (!op || op->getNumResults() != 1)
      return std::nullopt;
    auto type = cast<RankedTensorType>(value.getType());
    if (auto transpose = dyn_cast<TransposeOp>(op)) {
      worklist.push_back({transpose.getOperand(), transpose.getPerm()[axis]});
    } else if (auto reshape = dyn_cast<ReshapeOp>(op)) {
      // The split of a packed projection: [..., H*dh] -> [..., H, dh].
      auto packed = cast<RankedTensorType>(reshape.getOperand().getType());
      LinearOp source = reshape.getOperand().getDefiningOp<LinearOp>();
      if (!source || !hasConstantWeight(source) || !source->hasOneUse() ||
          axis != type.getRank() - 2 ||
          type.getShape().back() != attention.headDim ||
          packed.getShape().back() != attention.numHeads * attention.headDim ||
          packed.getShape().drop_back() != type.getShape().drop_back(2))
        return std::nullopt;
      attention.sources.push_back(source);
    } else if (isa<MatmulOp>(op)) {
      // Heads are a batch dim of both operands.
      int64_t rank = type.getRank();
      if (axis >= rank - 2)
        return std::nullopt;
      for (Value operand : op->getOperands())
        worklist.push_back({operand, axis});
    } else if (auto softmax = dyn_cast<SoftmaxOp>(op)) {
      if ((int64_t)softmax.getAxis() == axis)
        return std::nullopt;
      worklist.push_back({softmax.getOperand(), axis});
    } else if (isa<AddOp, MulOp, SubOp, DivOp>(op)) {
      // Operands with the full head dim belong to the attention; operands
      // broadcast over heads (masks, scales) stay as they are.
      for (Value operand : op->getOperands()) {
        auto operandType = cast<RankedTensorType>(operand.getType());
        int64_t at = axis - (type.getRank() - operandType.getRank());
        if (at >= 0 && operandType.getDimSize(at) == attention.numHeads)
          worklist.push_back({operand, at});
        else if (at >= 0 && operandType.getDimSize(at) != 1)
          return std::nullopt;
      }
    } else {
      return std::nullopt;
    }
  }
  if (attention.sources.empty())
    return std::nullopt;
  // Nothing outside may read a value whose heads are removed.
  for (auto &[value, axis] : attention.heads)
    for (Operation *user : value.getUsers())
      if (user != merge.getOperation() &&
          !llvm::any_of(user->getResults(),
                        [&](Value r) { return attention.heads.count(r); }))
        return std::nullopt;
  return attention;
}

/// Removes the heads whose output-projection rows are all zero; returns the
/// parameters removed.
int64_t pruneHeads(Attention &attention) {
  Tensor wo = *constantValue(attention.output.getWeight());
  int64_t dh = attention.headDim, n = wo.shape[1];
  SmallVector<int64_t> keepHeads, keptRows;
  for (int64_t h = 0; h < attention.numHeads; ++h) {
    bool zero = true;
    for (int64_t i = h * dh; i < (h + 1) * dh && zero; ++i)
      for (int64_t c = 0; c < n && zero; ++c)
        zero = wo.floats[i * n + c] == 0.0f;
    if (!zero) {
      keepHeads.push_back(h);
      for (int64_t i = h * dh; i < (h + 1) * dh; ++i)
        keptRows.push_back(i);
    }
  }
  int64_t removed = attention.numHeads - (int64_t)keepHeads.size();
  if (removed == 0 || keepHeads.empty())
    return 0;
  int64_t params = 0;
  for (LinearOp source : attention.sources) {
    OpBuilder b(source);
    Tensor w = *constantValue(source.getWeight());
    params += removed * dh * w.shape[0];
    source.getWeightMutable().assign(createConstant(b, source.getLoc(),
                                                    keepColumns(w, keptRows),
                                                    b.getF32Type(), "pruned"));
    if (source.getBias()) {
      Tensor bias = *constantValue(source.getBias());
      Tensor kept(DType::F32, {(int64_t)keptRows.size()});
      for (size_t j = 0; j < keptRows.size(); ++j)
        kept.floats[j] = bias.floats[keptRows[j]];
      params += removed * dh;
      source.getBiasMutable().assign(
          createConstant(b, source.getLoc(), kept, b.getF32Type(), "pruned_b"));
    }
    source.getResult().setType(
        withLastDim(source.getType(), (int64_t)keptRows.size()));
    // The split reshape is in the region: its type is updated below.
  }
  int64_t kept = keepHeads.size();
  for (auto &[value, axis] : attention.heads) {
    auto type = cast<RankedTensorType>(value.getType());
    SmallVector<int64_t> shape(type.getShape());
    shape[axis] = kept;
    value.setType(RankedTensorType::get(shape, type.getElementType()));
  }
  OpBuilder b(attention.output);
  params += removed * dh * n;
  auto merge = attention.output.getInput().getDefiningOp<ReshapeOp>();
  merge.getResult().setType(
      withLastDim(merge.getType(), (int64_t)keptRows.size()));
  attention.output.getWeightMutable().assign(
      createConstant(b, attention.output.getLoc(), keepRows(wo, keptRows),
                     b.getF32Type(), "pruned"));
  attention.output->setAttr(
      "llmo.pruned_heads",
      b.getDictionaryAttr(
          {b.getNamedAttr("heads", b.getI64IntegerAttr(removed)),
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
    SmallVector<Attention> attentions;
    getOperation().walk([&](LinearOp output) {
      if (auto attention = matchAttention(output))
        attentions.push_back(std::move(*attention));
    });
    for (Attention &attention : attentions)
      total += pruneHeads(attention);
    Builder b(&getContext());
    auto previous =
        getOperation()->getAttrOfType<DictionaryAttr>("llmo.pruning");
    if (previous)
      if (auto p = previous.getAs<IntegerAttr>("params_removed"))
        total += p.getInt();
    getOperation()->setAttr(
        "llmo.pruning", b.getDictionaryAttr({b.getNamedAttr(
                            "params_removed", b.getI64IntegerAttr(total))}));
  }
};

} // namespace
