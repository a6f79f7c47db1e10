//===- AssignBitwidth.cpp - Per-layer weight formats under a budget -------===//
//
// Sensitivity is measured end to end on the interpreter (only one layer
// quantized at a time); the plan is the exact optimum of the additive error
// model under the byte budget (multiple-choice knapsack by DP).
//
//===----------------------------------------------------------------------===//

#include "llmo/Interpreter/Interpreter.h"
#include "llmo/Passes/Passes.h"

#include "QuantUtils.h"

#include "llvm/ADT/StringExtras.h"

#include <cmath>

namespace llmo {
#define GEN_PASS_DEF_ASSIGNBITWIDTH
#include "Passes.h.inc"
} // namespace llmo

using namespace mlir;
using namespace llmo;

namespace {

constexpr int64_t kGridSteps = 4096;

/// The weight a format stores, dequantized back to f32 (as --llmo-quantize
/// would store it).
Tensor fakeQuantize(const Tensor &weight, WeightFormat format) {
  Tensor out = weight;
  if (format.bits == 32)
    return out;
  if (format.bits == 16) {
    for (float &v : out.floats)
      v = roundToDType(std::min(std::max(v, -65504.0f), 65504.0f), DType::F16);
    return out;
  }
  int64_t k = weight.shape[0];
  int64_t group = format.group && k % format.group == 0 ? format.group : 0;
  out.floats = quantizeWeight(weight, format.bits, group).dequantized;
  return out;
}

/// The `llmo.dynamic_qlinear` (W4A8 or W8A8, per-token int8 activations)
/// that --llmo-quantize makes of `linear` in `format`, built after it.
Operation *buildDynamicTrial(LinearOp linear, const Tensor &weight,
                             WeightFormat format) {
  OpBuilder b(linear->getContext());
  b.setInsertionPointAfter(linear);
  MLIRContext *ctx = b.getContext();
  Location loc = linear.getLoc();
  int64_t k = weight.shape[0], n = weight.shape[1];
  int64_t group = format.group && k % format.group == 0 ? format.group : 0;
  QuantizedWeight q = quantizeWeight(weight, format.bits, group);
  Value storage = createConstant(b, loc, q.values,
                                 IntegerType::get(ctx, format.bits), "trial");
  Value quantWeight = StorageCastOp::create(
      b, loc, RankedTensorType::get({k, n}, weightQuantType(ctx, q, {k, n})),
      storage);
  return DynamicQLinearOp::create(b, loc, linear.getType(), linear.getInput(),
                                  quantWeight, linear.getBias(),
                                  /*residual=*/Value(), "none");
}

/// Erases a trial op and the weight ops built for it.
void eraseTrial(Operation *trial) {
  Operation *cast = trial->getOperand(1).getDefiningOp();
  Operation *storage = cast->getOperand(0).getDefiningOp();
  trial->erase();
  cast->erase();
  storage->erase();
}

struct AssignBitwidthPass : llmo::impl::AssignBitwidthBase<AssignBitwidthPass> {
  using AssignBitwidthBase::AssignBitwidthBase;

  /// Relative squared error of `outputs` against `reference`.
  static double outputError(ArrayRef<std::vector<Tensor>> reference,
                            ArrayRef<std::vector<Tensor>> outputs) {
    double error = 0, norm = 0;
    for (size_t s = 0; s < reference.size(); ++s)
      for (size_t o = 0; o < reference[s].size(); ++o) {
        const Tensor &a = reference[s][o], &b = outputs[s][o];
        if (!isFloat(a.dtype))
          continue;
        for (int64_t i = 0; i < a.numElements(); ++i) {
          double d = (double)a.floats[i] - b.floats[i];
          error += d * d;
          norm += (double)a.floats[i] * a.floats[i];
        }
      }
    return norm > 0 ? error / norm : error;
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (groupSize <= 0 || budget < 0) {
      emitError(module.getLoc(), "--llmo-assign-bitwidth: group-size must be "
                                 "positive and budget non-negative");
      return signalPassFailure();
    }
    if (activations != "none" && activations != "dynamic") {
      emitError(module.getLoc())
          << "--llmo-assign-bitwidth: activations must be none or dynamic, "
             "not '"
          << activations << "'";
      return signalPassFailure();
    }
    bool dynamicActivations = activations == "dynamic";
    // "w4" is shorthand for w4g<group-size>; repeated formats count once.
    SmallVector<std::string> candidates;
    for (StringRef f : llvm::split(StringRef(formats), ',')) {
      f = f.trim();
      std::string name =
          f == "w4" ? "w4g" + std::to_string(groupSize) : f.str();
      if (!parseWeightFormat(name)) {
        emitError(module.getLoc())
            << "--llmo-assign-bitwidth: unknown format '" << f
            << "' (expected w4, w4c, w4g<G>, w8, w16, f32)";
        return signalPassFailure();
      }
      if (!llvm::is_contained(candidates, name))
        candidates.push_back(name);
    }
    if (candidates.empty()) {
      emitError(module.getLoc(), "--llmo-assign-bitwidth: no formats");
      return signalPassFailure();
    }
    auto samples =
        loadPassSamples(module, "--llmo-assign-bitwidth", dataPath, maxSamples);
    if (failed(samples))
      return signalPassFailure();
    func::FuncOp func = entryFunction(module);
    auto runAll = [&](std::vector<std::vector<Tensor>> &out) {
      out.clear();
      for (const auto &inputs : *samples) {
        auto result = runFunction(func, inputs);
        if (failed(result))
          return failure();
        out.push_back(std::move(*result));
      }
      return success();
    };
    std::vector<std::vector<Tensor>> reference;
    if (failed(runAll(reference)))
      return signalPassFailure();

    SmallVector<LinearOp> layers;
    func.walk([&](LinearOp linear) {
      if (hasConstantWeight(linear))
        layers.push_back(linear);
    });
    auto storedFormat = [&](StringRef f) { return f.str(); };
    std::string uniformW4 = "w4g" + std::to_string(groupSize);

    // errors[l][c], bytes[l][c]
    std::vector<std::vector<double>> errors(layers.size());
    std::vector<std::vector<int64_t>> bytes(layers.size());
    int64_t uniformW4Bytes = 0;
    for (size_t l = 0; l < layers.size(); ++l) {
      LinearOp linear = layers[l];
      Tensor weight = *constantValue(linear.getWeight());
      int64_t k = weight.shape[0], n = weight.shape[1];
      uniformW4Bytes += weightBytes(
          k % groupSize == 0 ? uniformW4 : std::string("w4c"), k, n);
      Value original = linear.getWeight();
      for (const std::string &f : candidates) {
        WeightFormat format = *parseWeightFormat(f);
        std::vector<std::vector<Tensor>> outputs;
        LogicalResult ran = failure();
        if (dynamicActivations && (format.bits == 4 || format.bits == 8)) {
          // Measure the op --llmo-quantize will make: the activation
          // rounding is part of the layer's error.
          Operation *trial = buildDynamicTrial(linear, weight, format);
          linear.getResult().replaceAllUsesWith(trial->getResult(0));
          ran = runAll(outputs);
          trial->getResult(0).replaceAllUsesWith(linear.getResult());
          eraseTrial(trial);
        } else {
          OpBuilder b(linear);
          Value trial =
              createConstant(b, linear.getLoc(), fakeQuantize(weight, format),
                             b.getF32Type(), "trial");
          linear.getWeightMutable().assign(trial);
          ran = runAll(outputs);
          linear.getWeightMutable().assign(original);
          trial.getDefiningOp()->erase();
        }
        if (failed(ran))
          return signalPassFailure();
        errors[l].push_back(outputError(reference, outputs));
        // A group that does not divide K falls back to per channel.
        std::optional<WeightFormat> parsed = parseWeightFormat(f);
        bool fallback = parsed->group && k % parsed->group != 0;
        bytes[l].push_back(weightBytes(fallback ? "w4c" : StringRef(f), k, n));
      }
    }
    int64_t limit = budget ? (int64_t)budget : uniformW4Bytes;

    // Multiple-choice knapsack on a grid of `unit` bytes (rounded up).
    int64_t maxTotal = 0;
    for (auto &b : bytes)
      maxTotal += *std::max_element(b.begin(), b.end());
    int64_t unit =
        std::max<int64_t>(1, (maxTotal + kGridSteps - 1) / kGridSteps);
    const double inf = INFINITY;
    std::vector<std::vector<double>> best;
    std::vector<std::vector<int>> choice;
    // Knapsack on the grid; costs round up, the capacity too, and the plan
    // found is then checked in real bytes (shrinking the capacity until it
    // fits), so the budget always holds. With unit 1 (at most 4096 bytes
    // of weights) the plan is the exact optimum of the additive model.
    auto solve = [&](int64_t capacity) {
      best.assign(layers.size() + 1, std::vector<double>(capacity + 1, inf));
      choice.assign(layers.size() + 1, std::vector<int>(capacity + 1, -1));
      best[0].assign(capacity + 1, 0.0);
      for (size_t l = 0; l < layers.size(); ++l)
        for (int64_t c = 0; c <= capacity; ++c)
          for (size_t f = 0; f < candidates.size(); ++f) {
            int64_t cost = (bytes[l][f] + unit - 1) / unit;
            if (cost > c || best[l][c - cost] == inf)
              continue;
            double value = best[l][c - cost] + errors[l][f];
            if (value < best[l + 1][c]) {
              best[l + 1][c] = value;
              choice[l + 1][c] = f;
            }
          }
    };
    auto planBytes = [&](int64_t capacity) {
      int64_t c = capacity, total = 0;
      for (size_t l = layers.size(); l-- > 0;) {
        int f = choice[l + 1][c];
        c -= (bytes[l][f] + unit - 1) / unit;
        total += bytes[l][f];
      }
      return total;
    };
    if (layers.empty())
      return;
    int64_t capacity = (limit + unit - 1) / unit;
    for (;; --capacity) {
      if (capacity < 0) {
        emitError(module.getLoc()) << "--llmo-assign-bitwidth: no plan fits in "
                                   << limit << " bytes of weights";
        return signalPassFailure();
      }
      solve(capacity);
      if (best[layers.size()][capacity] != inf && planBytes(capacity) <= limit)
        break;
    }
    Builder b(&getContext());
    int64_t c = capacity, totalBytes = 0;
    double predicted = best[layers.size()][capacity];
    for (size_t l = layers.size(); l-- > 0;) {
      int f = choice[l + 1][c];
      c -= (bytes[l][f] + unit - 1) / unit;
      totalBytes += bytes[l][f];
      SmallVector<NamedAttribute> perFormat;
      for (size_t g = 0; g < candidates.size(); ++g)
        perFormat.push_back(
            b.getNamedAttr(candidates[g], b.getF64FloatAttr(errors[l][g])));
      layers[l]->setAttr("llmo.format",
                         b.getStringAttr(storedFormat(candidates[f])));
      int bits = parseWeightFormat(candidates[f])->bits;
      if (dynamicActivations && (bits == 4 || bits == 8))
        layers[l]->setAttr("llmo.activations", b.getStringAttr("dynamic"));
      else
        layers[l]->removeAttr("llmo.activations");
      layers[l]->setAttr(
          "llmo.bitwidth",
          b.getDictionaryAttr(
              {b.getNamedAttr("format",
                              b.getStringAttr(storedFormat(candidates[f]))),
               b.getNamedAttr("predicted_error",
                              b.getF64FloatAttr(errors[l][f])),
               b.getNamedAttr("bytes", b.getI64IntegerAttr(bytes[l][f])),
               b.getNamedAttr("errors", b.getDictionaryAttr(perFormat))}));
    }
    SmallVector<NamedAttribute> plan = {
        b.getNamedAttr("budget", b.getI64IntegerAttr(limit)),
        b.getNamedAttr("bytes", b.getI64IntegerAttr(totalBytes)),
        b.getNamedAttr("predicted_error", b.getF64FloatAttr(predicted))};
    if (dynamicActivations)
      plan.push_back(b.getNamedAttr("activations", b.getStringAttr("dynamic")));
    module->setAttr("llmo.bitwidth_plan", b.getDictionaryAttr(plan));
  }
};

} // namespace
