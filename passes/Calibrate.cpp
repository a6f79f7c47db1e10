//===- Calibrate.cpp - Activation statistics from calibration data --------===//
//
// Runs the model on the reference interpreter over the calibration samples
// and records, per linear/matmul, the statistics that SmoothQuant, outlier
// handling and quantization decide from (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "llmo/Interpreter/Interpreter.h"
#include "llmo/Passes/Passes.h"

#include "QuantUtils.h"

#include <cmath>
#include <map>

namespace llmo {
#define GEN_PASS_DEF_CALIBRATE
#include "Passes.h.inc"
} // namespace llmo

using namespace mlir;
using namespace llmo;

namespace {

constexpr int kBins = 2048;

/// Statistics of one observed tensor (an op operand).
struct Observed {
  std::vector<float> channelAbsmax; // per last-dim channel (linear inputs)
  float absmax = 0, min = INFINITY, max = -INFINITY;
  std::vector<double> histogram; // of |x| over [0, absmax], second pass
};

void observeRange(Observed &stats, const Tensor &t, bool perChannel) {
  int64_t channels = t.shape.empty() ? 1 : t.shape.back();
  if (perChannel && stats.channelAbsmax.empty())
    stats.channelAbsmax.assign(channels, 0.0f);
  // Non-finite values (NaN, inf) carry no range information: skipped.
  for (int64_t i = 0; i < t.numElements(); ++i) {
    float v = t.floats[i], a = std::fabs(v);
    if (!std::isfinite(v))
      continue;
    stats.absmax = std::max(stats.absmax, a);
    stats.min = std::min(stats.min, v);
    stats.max = std::max(stats.max, v);
    if (perChannel)
      stats.channelAbsmax[i % channels] =
          std::max(stats.channelAbsmax[i % channels], a);
  }
}

void observeHistogram(Observed &stats, const Tensor &t) {
  if (stats.histogram.empty())
    stats.histogram.assign(kBins, 0.0);
  if (stats.absmax <= 0)
    return;
  for (float v : t.floats) {
    if (!std::isfinite(v))
      continue;
    int bin = (int)(std::fabs(v) / stats.absmax * kBins);
    stats.histogram[std::min(bin, kBins - 1)] += 1;
  }
}

/// The clipping range of |x| by `method` (see Passes.td).
float chooseClip(const Observed &stats, StringRef method, double percentile) {
  if (method == "minmax" || stats.absmax <= 0)
    return stats.absmax;
  double total = 0;
  for (double c : stats.histogram)
    total += c;
  double binWidth = stats.absmax / kBins;
  if (method == "percentile") {
    double target = total * percentile / 100.0, seen = 0;
    for (int b = 0; b < kBins; ++b) {
      seen += stats.histogram[b];
      if (seen >= target)
        return (float)((b + 1) * binWidth);
    }
    return stats.absmax;
  }
  // mse: expected int8 symmetric quantization error for clip c: clipped
  // values cost (|x| - c)^2, the rest the rounding noise (c/127)^2 / 12.
  double bestError = INFINITY, bestClip = stats.absmax;
  for (int candidate = kBins / 64; candidate <= kBins; candidate += 8) {
    double clip = candidate * binWidth, step = clip / 127.0, error = 0;
    for (int b = 0; b < kBins; ++b) {
      double center = (b + 0.5) * binWidth;
      error += stats.histogram[b] * (center > clip
                                         ? (center - clip) * (center - clip)
                                         : step * step / 12.0);
    }
    if (error < bestError)
      bestError = error, bestClip = clip;
  }
  return (float)bestClip;
}

struct CalibratePass : llmo::impl::CalibrateBase<CalibratePass> {
  using CalibrateBase::CalibrateBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (method != "minmax" && method != "percentile" && method != "mse") {
      emitError(module.getLoc())
          << "--llmo-calibrate: unknown method '" << method
          << "' (expected minmax, percentile or mse)";
      return signalPassFailure();
    }
    if (!(percentile > 0 && percentile <= 100)) {
      emitError(module.getLoc(),
                "--llmo-calibrate: percentile must be in (0, 100]");
      return signalPassFailure();
    }
    auto samples =
        loadPassSamples(module, "--llmo-calibrate", dataPath, maxSamples);
    if (failed(samples))
      return signalPassFailure();
    func::FuncOp func = entryFunction(module);

    // Observed operands, keyed by (op, operand index), in op order.
    std::map<std::pair<Operation *, unsigned>, Observed> stats;
    auto isTarget = [](Operation *op) { return isa<LinearOp, MatmulOp>(op); };
    for (int pass = 0; pass < (method == "minmax" ? 1 : 2); ++pass) {
      for (const std::vector<Tensor> &inputs : *samples) {
        auto observer = [&](Operation *op, ArrayRef<const Tensor *> operands,
                            ArrayRef<Tensor>) {
          if (!isTarget(op))
            return;
          unsigned count = isa<MatmulOp>(op) ? 2 : 1;
          for (unsigned i = 0; i < count; ++i) {
            Observed &s = stats[{op, i}];
            if (pass == 0)
              observeRange(s, *operands[i], isa<LinearOp>(op));
            else
              observeHistogram(s, *operands[i]);
          }
        };
        if (failed(runFunction(func, inputs, observer)))
          return signalPassFailure();
      }
    }

    MLIRContext *ctx = &getContext();
    Builder b(ctx);
    func.walk([&](Operation *op) {
      if (!isTarget(op) || !stats.count({op, 0}))
        return;
      SmallVector<NamedAttribute> entries;
      if (auto linear = dyn_cast<LinearOp>(op)) {
        const Observed &s = stats[{op, 0}];
        entries.push_back(
            b.getNamedAttr("input_absmax", floatsAttr(ctx, s.channelAbsmax)));
        entries.push_back(
            b.getNamedAttr("input_min", b.getF32FloatAttr(s.min)));
        entries.push_back(
            b.getNamedAttr("input_max", b.getF32FloatAttr(s.max)));
        entries.push_back(b.getNamedAttr(
            "input_clip",
            b.getF32FloatAttr(chooseClip(s, method, percentile))));
        if (auto weight = constantValue(linear.getWeight());
            weight && weight->dtype == DType::F32) {
          int64_t n = weight->shape[1];
          std::vector<float> absmax(n, 0.0f);
          for (int64_t i = 0; i < weight->numElements(); ++i)
            absmax[i % n] =
                std::max(absmax[i % n], std::fabs(weight->floats[i]));
          entries.push_back(
              b.getNamedAttr("weight_absmax", floatsAttr(ctx, absmax)));
        }
      } else {
        entries.push_back(b.getNamedAttr(
            "lhs_clip",
            b.getF32FloatAttr(chooseClip(stats[{op, 0}], method, percentile))));
        entries.push_back(b.getNamedAttr(
            "rhs_clip",
            b.getF32FloatAttr(chooseClip(stats[{op, 1}], method, percentile))));
      }
      op->setAttr("llmo.calib", b.getDictionaryAttr(entries));
    });
    module->setAttr(
        "llmo.calibration",
        b.getDictionaryAttr(
            {b.getNamedAttr("method", b.getStringAttr(method)),
             b.getNamedAttr("samples", b.getI64IntegerAttr(samples->size())),
             b.getNamedAttr("percentile", b.getF64FloatAttr(percentile))}));
  }
};

} // namespace
