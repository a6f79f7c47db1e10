//===- RaiseComposites.cpp - Raise decomposed norms and activations -------===//
//
// Matches the elementwise chains that PyTorch's exporter emits for
// LayerNorm (opset < 17), RMSNorm, GELU (erf and tanh forms) and SiLU, and
// replaces each with the single llmo op, so later passes see one op per
// concept.
//
//===----------------------------------------------------------------------===//

#include "llmo/Passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <optional>

namespace llmo {
#define GEN_PASS_DEF_RAISECOMPOSITES
#include "Passes.h.inc"
} // namespace llmo

using namespace mlir;
using namespace llmo;

namespace {

/// The value of a constant whose elements are all equal, as a double.
std::optional<double> splatValue(Value value) {
  auto constant = value.getDefiningOp<ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
  if (!dense || !dense.isSplat())
    return std::nullopt;
  if (isa<FloatType>(dense.getElementType()))
    return dense.getSplatValue<APFloat>().convertToDouble();
  if (isa<IntegerType>(dense.getElementType()))
    return (double)dense.getSplatValue<APInt>().getSExtValue();
  return std::nullopt;
}

/// Whether `value` is a splat constant equal to `expected` up to a relative
/// `tolerance`, widened to a few ulps of the constant's type so that f16 and
/// bf16 renderings of sqrt(2) etc. match.
bool isSplat(Value value, double expected, double tolerance = 1e-6) {
  std::optional<double> actual = splatValue(value);
  if (!actual)
    return false;
  Type element = getElementTypeOrSelf(value.getType());
  if (auto floatType = dyn_cast<FloatType>(element))
    tolerance = std::max(
        tolerance,
        4.0 * std::ldexp(1.0, 1 - (int)floatType.getFPMantissaWidth()));
  return std::abs(*actual - expected) <=
         tolerance * std::max(std::abs(expected), 1e-30);
}

/// For a commutative binary op, the operand that is not `known`, or null.
template <typename OpTy> Value otherOperand(OpTy op, Value known) {
  if (op.getLhs() == known)
    return op.getRhs();
  if (op.getRhs() == known)
    return op.getLhs();
  return {};
}

/// Tries both operand orders of a commutative op: calls `match(a, b)` with
/// (lhs, rhs) and then (rhs, lhs); returns the first success.
template <typename OpTy, typename Fn> bool matchEitherOrder(OpTy op, Fn match) {
  return match(op.getLhs(), op.getRhs()) || match(op.getRhs(), op.getLhs());
}

bool isLastAxisMean(ReduceMeanOp mean) {
  if (!mean)
    return false;
  auto type = cast<RankedTensorType>(mean.getOperand().getType());
  return mean.getKeepdims() && mean.getAxes().size() == 1 &&
         mean.getAxes()[0] == type.getRank() - 1;
}

/// Whether a norm's scale or bias (or a linear's bias) is a constant of
/// shape [dim] or [1, ..., 1, dim].
bool isNormParam(Value param, int64_t dim) {
  auto type = cast<RankedTensorType>(param.getType());
  return param.getDefiningOp<ConstantOp>() && type.getNumElements() == dim &&
         type.getShape().back() == dim;
}

/// A norm parameter (see isNormParam) as a 1-D value.
Value asNormParam(PatternRewriter &rewriter, Location loc, Value param,
                  int64_t dim) {
  auto type = cast<RankedTensorType>(param.getType());
  auto flat = RankedTensorType::get({dim}, type.getElementType());
  if (type == flat)
    return param;
  return ReshapeOp::create(rewriter, loc, flat, param);
}

/// 1 / sqrt(v) written as reciprocal(sqrt), div(1, sqrt) or rsqrt: returns v.
Value matchInverseSqrt(Value value) {
  if (auto rsqrt = value.getDefiningOp<RsqrtOp>())
    return rsqrt.getOperand();
  Value sqrtValue;
  if (auto reciprocal = value.getDefiningOp<ReciprocalOp>())
    sqrtValue = reciprocal.getOperand();
  else if (auto div = value.getDefiningOp<DivOp>();
           div && isSplat(div.getLhs(), 1.0))
    sqrtValue = div.getRhs();
  if (auto sqrt = sqrtValue ? sqrtValue.getDefiningOp<SqrtOp>() : SqrtOp())
    return sqrt.getOperand();
  return {};
}

/// mean(pow(v, 2)) + eps over the last axis: returns v and eps.
std::optional<std::pair<Value, double>> matchMeanSquarePlusEps(Value value) {
  auto add = value.getDefiningOp<AddOp>();
  if (!add)
    return std::nullopt;
  std::optional<std::pair<Value, double>> result;
  matchEitherOrder(add, [&](Value meanValue, Value epsValue) {
    auto mean = meanValue.getDefiningOp<ReduceMeanOp>();
    std::optional<double> eps = splatValue(epsValue);
    if (!mean || !eps || !isLastAxisMean(mean))
      return false;
    Value squared = mean.getOperand();
    if (auto pow = squared.getDefiningOp<PowOp>();
        pow && isSplat(pow.getRhs(), 2.0)) {
      result = {pow.getLhs(), *eps};
      return true;
    }
    if (auto mul = squared.getDefiningOp<MulOp>();
        mul && mul.getLhs() == mul.getRhs()) {
      result = {mul.getLhs(), *eps};
      return true;
    }
    return false;
  });
  return result;
}

/// GELU, erf form: 0.5 * (x * (1 + erf(x / sqrt(2)))) in any operand order,
/// and also (0.5 * x) * (1 + erf(...)).
struct RaiseGeluErf : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MulOp root,
                                PatternRewriter &rewriter) const override {
    Value x;
    auto matchErfTerm = [&](Value term, Value expectedX) {
      auto add = term.getDefiningOp<AddOp>();
      if (!add)
        return false;
      return matchEitherOrder(add, [&](Value erfValue, Value one) {
        auto erf = erfValue.getDefiningOp<ErfOp>();
        if (!erf || !isSplat(one, 1.0))
          return false;
        Value scaled = erf.getOperand();
        Value candidate;
        if (auto div = scaled.getDefiningOp<DivOp>();
            div && isSplat(div.getRhs(), std::sqrt(2.0)))
          candidate = div.getLhs();
        else if (auto mul = scaled.getDefiningOp<MulOp>())
          matchEitherOrder(mul, [&](Value v, Value c) {
            if (!isSplat(c, 1.0 / std::sqrt(2.0)))
              return false;
            candidate = v;
            return true;
          });
        if (!candidate || (expectedX && candidate != expectedX))
          return false;
        x = candidate;
        return true;
      });
    };
    bool matched = matchEitherOrder(root, [&](Value inner, Value half) {
      if (isSplat(half, 0.5)) {
        // 0.5 * (x * (1 + erf))
        auto mul = inner.getDefiningOp<MulOp>();
        return mul && matchEitherOrder(mul, [&](Value xv, Value term) {
                 return matchErfTerm(term, xv);
               });
      }
      // (x * 0.5) * (1 + erf)
      auto halfX = inner.getDefiningOp<MulOp>();
      if (!halfX)
        return false;
      return matchEitherOrder(halfX, [&](Value xv, Value c) {
        return isSplat(c, 0.5) && matchErfTerm(half, xv);
      });
    });
    if (!matched || x.getType() != root.getType())
      return failure();
    rewriter.replaceOpWithNewOp<GeluOp>(root, root.getType(), x,
                                        rewriter.getStringAttr("none"));
    return success();
  }
};

/// GELU, tanh form (HF gelu_new):
///   (0.5 * x) * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * pow(x, 3)))).
struct RaiseGeluTanh : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MulOp root,
                                PatternRewriter &rewriter) const override {
    Value x;
    auto matchCubicInner = [&](Value value, Value expectedX) {
      // x + 0.044715 * pow(x, 3)
      auto add = value.getDefiningOp<AddOp>();
      return add && matchEitherOrder(add, [&](Value xv, Value cubic) {
               if (xv != expectedX)
                 return false;
               auto mul = cubic.getDefiningOp<MulOp>();
               return mul && matchEitherOrder(mul, [&](Value p, Value c) {
                        auto pow = p.getDefiningOp<PowOp>();
                        return isSplat(c, 0.044715) && pow &&
                               pow.getLhs() == xv && isSplat(pow.getRhs(), 3);
                      });
             });
    };
    auto matchTanhTerm = [&](Value term, Value expectedX) {
      auto add = term.getDefiningOp<AddOp>();
      return add && matchEitherOrder(add, [&](Value tanhValue, Value one) {
               auto tanh = tanhValue.getDefiningOp<TanhOp>();
               if (!tanh || !isSplat(one, 1.0))
                 return false;
               auto mul = tanh.getOperand().getDefiningOp<MulOp>();
               return mul && matchEitherOrder(mul, [&](Value c, Value inner) {
                        return isSplat(c, std::sqrt(2.0 / M_PI)) &&
                               matchCubicInner(inner, expectedX);
                      });
             });
    };
    bool matched = matchEitherOrder(root, [&](Value halfXValue, Value term) {
      auto halfX = halfXValue.getDefiningOp<MulOp>();
      return halfX && matchEitherOrder(halfX, [&](Value xv, Value c) {
               if (!isSplat(c, 0.5) || !matchTanhTerm(term, xv))
                 return false;
               x = xv;
               return true;
             });
    });
    if (!matched || x.getType() != root.getType())
      return failure();
    rewriter.replaceOpWithNewOp<GeluOp>(root, root.getType(), x,
                                        rewriter.getStringAttr("tanh"));
    return success();
  }
};

/// SiLU: x * sigmoid(x).
struct RaiseSilu : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MulOp root,
                                PatternRewriter &rewriter) const override {
    Value x;
    bool matched = matchEitherOrder(root, [&](Value xv, Value sig) {
      auto sigmoid = sig.getDefiningOp<SigmoidOp>();
      if (!sigmoid || sigmoid.getOperand() != xv)
        return false;
      x = xv;
      return true;
    });
    if (!matched || x.getType() != root.getType())
      return failure();
    rewriter.replaceOpWithNewOp<SiluOp>(root, root.getType(), x);
    return success();
  }
};

/// RMSNorm: scale * (x * invsqrt(mean(x^2) + eps)), any operand order.
struct RaiseRmsNorm : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MulOp root,
                                PatternRewriter &rewriter) const override {
    Value x, scale;
    double eps = 0;
    bool matched = matchEitherOrder(root, [&](Value normalized, Value w) {
      auto mul = normalized.getDefiningOp<MulOp>();
      return mul && matchEitherOrder(mul, [&](Value xv, Value inv) {
               Value meanSq = matchInverseSqrt(inv);
               if (!meanSq)
                 return false;
               auto inner = matchMeanSquarePlusEps(meanSq);
               if (!inner || inner->first != xv)
                 return false;
               x = xv, scale = w, eps = inner->second;
               return true;
             });
    });
    if (!matched || x.getType() != root.getType())
      return failure();
    auto type = cast<RankedTensorType>(x.getType());
    if (!isNormParam(scale, type.getShape().back()))
      return failure();
    Value flatScale =
        asNormParam(rewriter, root.getLoc(), scale, type.getShape().back());
    rewriter.replaceOpWithNewOp<RmsNormOp>(
        root, type, x, flatScale,
        rewriter.getI64IntegerAttr(type.getRank() - 1),
        rewriter.getF32FloatAttr(eps));
    return success();
  }
};

/// LayerNorm: ((x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps)) * scale
/// + bias, the opset < 17 export of torch.nn.LayerNorm.
struct RaiseLayerNorm : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp root,
                                PatternRewriter &rewriter) const override {
    Value x, scale, bias;
    double eps = 0;
    bool matched = matchEitherOrder(root, [&](Value scaled, Value b) {
      auto mul = scaled.getDefiningOp<MulOp>();
      return mul && matchEitherOrder(mul, [&](Value normalized, Value w) {
               auto div = normalized.getDefiningOp<DivOp>();
               if (!div)
                 return false;
               auto centered = div.getLhs().getDefiningOp<SubOp>();
               auto sqrt = div.getRhs().getDefiningOp<SqrtOp>();
               if (!centered || !sqrt)
                 return false;
               auto mean = centered.getRhs().getDefiningOp<ReduceMeanOp>();
               if (!mean || !isLastAxisMean(mean) ||
                   mean.getOperand() != centered.getLhs())
                 return false;
               auto inner = matchMeanSquarePlusEps(sqrt.getOperand());
               if (!inner || inner->first != centered.getResult())
                 return false;
               x = centered.getLhs(), scale = w, bias = b, eps = inner->second;
               return true;
             });
    });
    if (!matched || x.getType() != root.getType())
      return failure();
    auto type = cast<RankedTensorType>(x.getType());
    int64_t dim = type.getShape().back();
    if (!isNormParam(scale, dim) || !isNormParam(bias, dim))
      return failure();
    Value flatScale = asNormParam(rewriter, root.getLoc(), scale, dim);
    Value flatBias = asNormParam(rewriter, root.getLoc(), bias, dim);
    rewriter.replaceOpWithNewOp<LayerNormOp>(
        root, type, x, flatScale, flatBias,
        rewriter.getI64IntegerAttr(type.getRank() - 1),
        rewriter.getF32FloatAttr(eps));
    return success();
  }
};

/// Linear bias: linear(x, w) + b with b a constant [N] (or [1, ..., N])
/// becomes linear(x, w, b), the form quantization and fusion expect.
struct FoldLinearBias : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp root,
                                PatternRewriter &rewriter) const override {
    LinearOp linear;
    Value bias;
    matchEitherOrder(root, [&](Value l, Value b) {
      auto candidate = l.getDefiningOp<LinearOp>();
      if (!candidate || candidate.getBias() || !candidate->hasOneUse())
        return false;
      linear = candidate, bias = b;
      return true;
    });
    if (!linear || linear.getType() != root.getType())
      return failure();
    int64_t n = cast<RankedTensorType>(linear.getType()).getShape().back();
    if (!isNormParam(bias, n) || getElementTypeOrSelf(bias.getType()) !=
                                     getElementTypeOrSelf(linear.getType()))
      return failure();
    Value flatBias = asNormParam(rewriter, root.getLoc(), bias, n);
    rewriter.replaceOpWithNewOp<LinearOp>(
        root, root.getType(), linear.getInput(), linear.getWeight(), flatBias);
    rewriter.eraseOp(linear);
    return success();
  }
};

struct RaiseCompositesPass
    : llmo::impl::RaiseCompositesBase<RaiseCompositesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<RaiseGeluErf, RaiseGeluTanh, RaiseSilu, RaiseRmsNorm,
                 RaiseLayerNorm, FoldLinearBias>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
