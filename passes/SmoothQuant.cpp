//===- SmoothQuant.cpp - Migrate activation outliers into weights ---------===//
//
// SmoothQuant (Xiao et al., 2023): activations of LLMs have a few channels
// with large magnitudes that ruin per-tensor int8 activation scales, while
// weights are easy to quantize. Scaling input channel j of the activation
// down by s_j and the matching weight row up by s_j moves that difficulty
// into the weights without changing the float result.
//
//===----------------------------------------------------------------------===//

#include "llmo/Interpreter/Interpreter.h"
#include "llmo/Passes/Passes.h"

#include "QuantUtils.h"

#include "llvm/ADT/MapVector.h"

#include <cmath>

namespace llmo {
#define GEN_PASS_DEF_SMOOTHQUANT
#include "Passes.h.inc"
} // namespace llmo

using namespace mlir;
using namespace llmo;

namespace {

constexpr int64_t kMaxRows = 256;

/// Linears sharing one normalized input.
struct Group {
  Operation *norm; // layer_norm or rms_norm
  SmallVector<LinearOp> linears;
  std::vector<float> actMax; // per input channel
  std::vector<float> rows;   // sampled input rows [R, K], for alpha=auto
};

std::vector<float> smoothingScales(ArrayRef<float> actMax,
                                   ArrayRef<float> weightMax, double alpha) {
  std::vector<float> s(actMax.size(), 1.0f);
  for (size_t j = 0; j < actMax.size(); ++j) {
    if (actMax[j] <= 0 || weightMax[j] <= 0)
      continue;
    double v = std::pow((double)actMax[j], alpha) /
               std::pow((double)weightMax[j], 1.0 - alpha);
    s[j] = (float)std::max(v, 1e-5);
  }
  return s;
}

/// Symmetric per-tensor int8 quantize-dequantize of `values` in place.
void fakeQuantizePerTensor(std::vector<float> &values) {
  float absmax = 0;
  for (float v : values)
    absmax = std::max(absmax, std::fabs(v));
  float scale = absmax > 0 ? absmax / 127.0f : 1.0f;
  for (float &v : values)
    v = std::min(std::max(std::nearbyint(v / scale), -127.0f), 127.0f) * scale;
}

/// Relative W8A8 output error of the group with smoothing scales `s`.
double groupError(const Group &group, ArrayRef<Tensor> weights,
                  ArrayRef<float> s) {
  int64_t k = s.size(), rows = group.rows.size() / k;
  std::vector<float> x = group.rows;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < k; ++j)
      x[r * k + j] /= s[j];
  fakeQuantizePerTensor(x);
  double error = 0, norm = 0;
  for (const Tensor &w : weights) {
    int64_t n = w.shape[1];
    Tensor scaled = w;
    for (int64_t j = 0; j < k; ++j)
      for (int64_t c = 0; c < n; ++c)
        scaled.floats[j * n + c] *= s[j];
    std::vector<float> wq = quantizeWeight(scaled, 8, 0).dequantized;
    std::vector<double> exact(n), approx(n);
    for (int64_t r = 0; r < rows; ++r) {
      std::fill(exact.begin(), exact.end(), 0.0);
      std::fill(approx.begin(), approx.end(), 0.0);
      for (int64_t j = 0; j < k; ++j) {
        double a = group.rows[r * k + j], aq = x[r * k + j];
        const float *wRow = w.floats.data() + j * n;
        const float *qRow = wq.data() + j * n;
        for (int64_t c = 0; c < n; ++c) {
          exact[c] += a * wRow[c];
          approx[c] += aq * qRow[c];
        }
      }
      for (int64_t c = 0; c < n; ++c) {
        error += (exact[c] - approx[c]) * (exact[c] - approx[c]);
        norm += exact[c] * exact[c];
      }
    }
  }
  return norm > 0 ? error / norm : 0.0;
}

struct SmoothQuantPass : llmo::impl::SmoothQuantBase<SmoothQuantPass> {
  using SmoothQuantBase::SmoothQuantBase;

  /// Groups of linears fed by a norm output, in op order.
  SmallVector<Group> findGroups(func::FuncOp func) {
    SmallVector<Group> groups;
    func.walk([&](Operation *norm) {
      if (!isa<LayerNormOp, RmsNormOp>(norm))
        return;
      Group group{norm, {}, {}, {}};
      for (Operation *user : norm->getResult(0).getUsers()) {
        auto linear = dyn_cast<LinearOp>(user);
        if (!linear || linear.getInput() != norm->getResult(0) ||
            !hasConstantWeight(linear))
          continue;
        // Statistics must cover exactly the weight's K input channels.
        auto calib = linear->getAttrOfType<DictionaryAttr>("llmo.calib");
        int64_t k =
            cast<RankedTensorType>(linear.getWeight().getType()).getDimSize(0);
        if (calib && (int64_t)floatsOf(calib.get("input_absmax")).size() == k)
          group.linears.push_back(linear);
      }
      if (group.linears.empty())
        return;
      for (LinearOp linear : group.linears) {
        std::vector<float> actMax =
            floatsOf(linear->getAttrOfType<DictionaryAttr>("llmo.calib")
                         .get("input_absmax"));
        if (group.actMax.empty())
          group.actMax = actMax;
        for (size_t j = 0; j < actMax.size() && j < group.actMax.size(); ++j)
          group.actMax[j] = std::max(group.actMax[j], actMax[j]);
      }
      groups.push_back(std::move(group));
    });
    return groups;
  }

  /// Samples up to kMaxRows rows of every group's input (alpha=auto).
  LogicalResult sampleRows(func::FuncOp func, MutableArrayRef<Group> groups) {
    auto samples = loadPassSamples(getOperation(), "--llmo-smoothquant",
                                   dataPath, maxSamples);
    if (failed(samples))
      return failure();
    DenseMap<Operation *, Group *> byNorm;
    for (Group &group : groups)
      byNorm[group.norm] = &group;
    for (const std::vector<Tensor> &inputs : *samples) {
      auto observer = [&](Operation *op, ArrayRef<const Tensor *>,
                          ArrayRef<Tensor> results) {
        Group *group = byNorm.lookup(op);
        if (!group)
          return;
        const Tensor &t = results[0];
        int64_t k = t.shape.back(), rows = t.numElements() / k;
        for (int64_t r = 0;
             r < rows && (int64_t)group->rows.size() < kMaxRows * k; ++r)
          group->rows.insert(group->rows.end(), t.floats.begin() + r * k,
                             t.floats.begin() + (r + 1) * k);
      };
      if (failed(runFunction(func, inputs, observer)))
        return failure();
    }
    return success();
  }

  void apply(Group &group, ArrayRef<float> s, double alpha) {
    MLIRContext *ctx = &getContext();
    Builder b(ctx);
    int64_t k = s.size();
    std::vector<float> inverse(k);
    for (int64_t j = 0; j < k; ++j)
      inverse[j] = 1.0f / s[j];
    Value normOut = group.norm->getResult(0);
    bool foldIntoNorm = llvm::all_of(normOut.getUsers(), [&](Operation *user) {
      return llvm::is_contained(group.linears, user);
    });
    OpBuilder builder(group.norm);
    Location loc = group.norm->getLoc();
    auto divideConstant = [&](Value param) -> Value {
      std::optional<Tensor> t = constantValue(param);
      if (!t)
        return {};
      for (int64_t j = 0; j < k; ++j)
        t->floats[j] /= s[j];
      return createConstant(builder, loc, *t,
                            getElementTypeOrSelf(param.getType()), "smooth");
    };
    bool folded = false;
    // Folding divides the norm's [K] parameters: only for norms over the
    // last axis alone (multi-axis norms get the explicit mul).
    auto normType = cast<RankedTensorType>(normOut.getType());
    int64_t normAxis = isa<LayerNormOp>(group.norm)
                           ? (int64_t)cast<LayerNormOp>(group.norm).getAxis()
                           : (int64_t)cast<RmsNormOp>(group.norm).getAxis();
    if (normAxis != normType.getRank() - 1)
      foldIntoNorm = false;
    if (foldIntoNorm) {
      // Norm parameters are [K] constants over the last axis.
      if (auto ln = dyn_cast<LayerNormOp>(group.norm)) {
        Value scale = divideConstant(ln.getScale());
        Value bias = ln.getBias() ? divideConstant(ln.getBias()) : Value();
        if (scale && (bias || !ln.getBias())) {
          ln.getScaleMutable().assign(scale);
          if (bias)
            ln.getBiasMutable().assign(bias);
          folded = true;
        }
      } else if (auto rms = dyn_cast<RmsNormOp>(group.norm)) {
        if (Value scale = divideConstant(rms.getScale())) {
          rms.getScaleMutable().assign(scale);
          folded = true;
        }
      }
    }
    Value smoothed = normOut;
    if (!folded) {
      builder.setInsertionPointAfter(group.norm);
      Tensor inv(DType::F32, {k});
      inv.floats = inverse;
      Value invConst =
          createConstant(builder, loc, inv, builder.getF32Type(), "smooth_inv");
      smoothed =
          MulOp::create(builder, loc, normOut.getType(), normOut, invConst);
    }
    for (LinearOp linear : group.linears) {
      OpBuilder at(linear);
      std::optional<Tensor> w = constantValue(linear.getWeight());
      int64_t n = w->shape[1];
      for (int64_t j = 0; j < k; ++j)
        for (int64_t c = 0; c < n; ++c)
          w->floats[j * n + c] *= s[j];
      linear.getWeightMutable().assign(createConstant(
          at, linear.getLoc(), *w, at.getF32Type(), "smoothed_w"));
      linear.getInputMutable().assign(smoothed);
      // Calibration statistics of the (now smoothed) input.
      auto calib = linear->getAttrOfType<DictionaryAttr>("llmo.calib");
      std::vector<float> actMax = floatsOf(calib.get("input_absmax"));
      float oldMax = 0, newMax = 0;
      for (int64_t j = 0; j < k && j < (int64_t)actMax.size(); ++j) {
        oldMax = std::max(oldMax, actMax[j]);
        actMax[j] /= s[j];
        newMax = std::max(newMax, actMax[j]);
      }
      NamedAttrList entries(calib);
      entries.set("input_absmax", floatsAttr(ctx, actMax));
      if (auto clip = calib.getAs<FloatAttr>("input_clip"); clip && oldMax > 0)
        entries.set("input_clip", b.getF32FloatAttr(clip.getValueAsDouble() *
                                                    newMax / oldMax));
      std::vector<float> wMax(n, 0.0f);
      for (int64_t i = 0; i < w->numElements(); ++i)
        wMax[i % n] = std::max(wMax[i % n], std::fabs(w->floats[i]));
      entries.set("weight_absmax", floatsAttr(ctx, wMax));
      linear->setAttr("llmo.calib", entries.getDictionary(ctx));
      linear->setAttr(
          "llmo.smooth",
          b.getDictionaryAttr(
              {b.getNamedAttr("alpha", b.getF64FloatAttr(alpha)),
               b.getNamedAttr("scales", floatsAttr(ctx, s)),
               b.getNamedAttr("folded_into_norm", b.getBoolAttr(folded))}));
    }
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp func = entryFunction(module);
    if (!func) {
      emitError(module.getLoc(),
                "--llmo-smoothquant: the module has no func.func @main");
      return signalPassFailure();
    }
    bool autoAlpha = alpha == "auto";
    double fixedAlpha = 0;
    if (!autoAlpha && (StringRef(alpha).getAsDouble(fixedAlpha) ||
                       fixedAlpha < 0 || fixedAlpha > 1)) {
      emitError(module.getLoc())
          << "--llmo-smoothquant: alpha must be a number in "
             "[0, 1] or auto, not '"
          << alpha << "'";
      return signalPassFailure();
    }
    if (autoAlpha && dataPath.empty()) {
      emitError(module.getLoc(),
                "--llmo-smoothquant: alpha=auto needs data=CALIB.npz");
      return signalPassFailure();
    }
    SmallVector<Group> groups = findGroups(func);
    if (autoAlpha && failed(sampleRows(func, groups)))
      return signalPassFailure();

    for (Group &group : groups) {
      int64_t k = group.actMax.size();
      std::vector<Tensor> weights;
      std::vector<float> weightMax(k, 0.0f);
      for (LinearOp linear : group.linears) {
        weights.push_back(*constantValue(linear.getWeight()));
        const Tensor &w = weights.back();
        int64_t n = w.shape[1];
        for (int64_t i = 0; i < w.numElements(); ++i)
          weightMax[i / n] = std::max(weightMax[i / n], std::fabs(w.floats[i]));
      }
      double chosen = fixedAlpha;
      if (autoAlpha) {
        double bestError = INFINITY;
        for (int step = 0; step <= 10; ++step) {
          double a = step / 10.0;
          double error = groupError(
              group, weights, smoothingScales(group.actMax, weightMax, a));
          if (error < bestError)
            bestError = error, chosen = a;
        }
      }
      apply(group, smoothingScales(group.actMax, weightMax, chosen), chosen);
    }
  }
};

} // namespace
