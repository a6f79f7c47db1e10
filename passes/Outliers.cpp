//===- Outliers.cpp - LLM.int8()-style decomposition, weight clipping -----===//
//
// A handful of input channels with huge magnitudes stretch a per-tensor
// int8 activation scale until the other channels round to zero. LLM.int8()
// (Dettmers et al., 2022) computes those channels in 16-bit and the rest in
// int8; this pass performs that split on the IR, so that --llmo-quantize
// quantizes the int8 part with statistics of its own channels.
//
//===----------------------------------------------------------------------===//

#include "llmo/Passes/Passes.h"

#include "QuantUtils.h"

#include <cmath>

namespace llmo {
#define GEN_PASS_DEF_OUTLIERS
#include "Passes.h.inc"
} // namespace llmo

using namespace mlir;
using namespace llmo;

namespace {

/// Per output channel, the clip ratio minimizing int8 symmetric error.
std::vector<float> searchWeightClip(const Tensor &w) {
  int64_t k = w.shape[0], n = w.shape[1];
  std::vector<float> best(n, 1.0f);
  for (int64_t c = 0; c < n; ++c) {
    float absmax = 0;
    for (int64_t i = 0; i < k; ++i)
      absmax = std::max(absmax, std::fabs(w.floats[i * n + c]));
    if (absmax == 0)
      continue;
    double bestError = INFINITY;
    for (int step = 0; step <= 10; ++step) {
      float ratio = 1.0f - 0.05f * step;
      float scale = absmax * ratio / 127.0f;
      double error = 0;
      for (int64_t i = 0; i < k; ++i) {
        float v = w.floats[i * n + c];
        float q =
            std::min(std::max(std::nearbyint(v / scale), -127.0f), 127.0f);
        error += (v - q * scale) * (v - q * scale);
      }
      if (error < bestError)
        bestError = error, best[c] = ratio;
    }
  }
  return best;
}

Tensor selectRows(const Tensor &w, ArrayRef<int64_t> rows) {
  int64_t n = w.shape[1];
  Tensor out(DType::F32, {(int64_t)rows.size(), n});
  for (size_t i = 0; i < rows.size(); ++i)
    std::copy(w.floats.begin() + rows[i] * n,
              w.floats.begin() + (rows[i] + 1) * n, out.floats.begin() + i * n);
  return out;
}

struct OutliersPass : llmo::impl::OutliersBase<OutliersPass> {
  using OutliersBase::OutliersBase;

  /// Gathers `channels` of the last axis of `x`.
  Value gatherChannels(OpBuilder &b, Location loc, Value x,
                       ArrayRef<int64_t> channels) {
    auto type = cast<RankedTensorType>(x.getType());
    Tensor indices(DType::I64, {(int64_t)channels.size()});
    indices.ints.assign(channels.begin(), channels.end());
    Value idx = createConstant(b, loc, indices, b.getI64Type(), "channels");
    SmallVector<int64_t> shape(type.getShape());
    shape.back() = channels.size();
    return GatherOp::create(b, loc,
                            RankedTensorType::get(shape, type.getElementType()),
                            x, idx, b.getI64IntegerAttr(type.getRank() - 1));
  }

  void runOnOperation() override {
    if (threshold <= 0) {
      emitError(getOperation().getLoc(),
                "--llmo-outliers: threshold must be positive");
      return signalPassFailure();
    }
    MLIRContext *ctx = &getContext();
    Builder attrs(ctx);
    SmallVector<LinearOp> linears;
    getOperation().walk([&](LinearOp linear) {
      if (hasConstantWeight(linear) &&
          linear->getAttrOfType<DictionaryAttr>("llmo.calib") &&
          !linear->hasAttr("llmo.outliers"))
        linears.push_back(linear);
    });
    for (LinearOp linear : linears) {
      auto calib = linear->getAttrOfType<DictionaryAttr>("llmo.calib");
      std::vector<float> actMax = floatsOf(calib.get("input_absmax"));
      Tensor w = *constantValue(linear.getWeight());
      int64_t k = w.shape[0];
      if ((int64_t)actMax.size() != k)
        continue;
      SmallVector<int64_t> outliers, rest;
      for (int64_t j = 0; j < k; ++j)
        (actMax[j] > threshold ? outliers : rest).push_back(j);
      if (rest.empty())
        outliers.clear(); // Nothing would be left for int8.

      NamedAttrList record;
      record.set("channels", attrs.getI64IntegerAttr(outliers.size()));
      record.set("threshold", attrs.getF64FloatAttr(threshold));
      if (!outliers.empty())
        record.set("indices", attrs.getDenseI64ArrayAttr(outliers));

      LinearOp low = linear;
      if (!outliers.empty()) {
        OpBuilder b(linear);
        Location loc = linear.getLoc();
        auto resultType = cast<RankedTensorType>(linear.getType());
        Value xLow = gatherChannels(b, loc, linear.getInput(), rest);
        Value xHigh = gatherChannels(b, loc, linear.getInput(), outliers);
        Value wLow = createConstant(b, loc, selectRows(w, rest), b.getF32Type(),
                                    "int8_part");
        Value wHigh = createConstant(b, loc, selectRows(w, outliers),
                                     b.getF32Type(), "outlier_part");
        low =
            LinearOp::create(b, loc, resultType, xLow, wLow, linear.getBias());
        auto high = LinearOp::create(b, loc, resultType, xHigh, wHigh, Value());
        high->setAttr("llmo.format", attrs.getStringAttr("w16"));
        Value sum = AddOp::create(b, loc, resultType, low, high);
        // The int8 part keeps the statistics of its own channels.
        std::vector<float> lowMax;
        float clipMax = 0;
        for (int64_t j : rest) {
          lowMax.push_back(actMax[j]);
          clipMax = std::max(clipMax, actMax[j]);
        }
        NamedAttrList lowCalib(calib);
        lowCalib.set("input_absmax", floatsAttr(ctx, lowMax));
        float oldClip =
            calib.getAs<FloatAttr>("input_clip")
                ? calib.getAs<FloatAttr>("input_clip").getValueAsDouble()
                : clipMax;
        lowCalib.set("input_clip",
                     attrs.getF32FloatAttr(std::min(oldClip, clipMax)));
        low->setAttr("llmo.calib", lowCalib.getDictionary(ctx));
        for (NamedAttribute a : linear->getDiscardableAttrs())
          if (a.getName() != "llmo.calib")
            low->setAttr(a.getName(), a.getValue());
        linear.replaceAllUsesWith(sum);
        linear.erase();
        w = selectRows(w, rest);
      }
      if (clipSearch)
        record.set("weight_clip", floatsAttr(ctx, searchWeightClip(w)));
      low->setAttr("llmo.outliers", record.getDictionary(ctx));
    }
  }
};

} // namespace
