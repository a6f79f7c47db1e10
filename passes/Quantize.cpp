//===- Quantize.cpp - Materialize quantized formats on linears ------------===//
//
// Turns the per-layer format decision (llmo.format, or the pass's default
// mode) into quantized weights and ops that the interpreter executes
// exactly as the kernels will (see docs/Dialect.md, qlinear and
// dynamic_qlinear).
//
//===----------------------------------------------------------------------===//

#include "llmo/Passes/Passes.h"

#include "QuantUtils.h"

#include <cmath>

namespace llmo {
#define GEN_PASS_DEF_QUANTIZE
#include "Passes.h.inc"
} // namespace llmo

using namespace mlir;
using namespace llmo;

namespace {

/// The weight format a `mode` stands for ("w8a8" quantizes weights to w8).
std::string weightFormatOf(StringRef mode, int64_t groupSize) {
  if (mode == "w8a8" || mode == "w8a16")
    return "w8";
  if (mode == "w4a16" || mode == "w4a8")
    return "w4g" + std::to_string(groupSize);
  if (mode == "w16")
    return "w16";
  return "f32";
}

struct QuantizePass : llmo::impl::QuantizeBase<QuantizePass> {
  using QuantizeBase::QuantizeBase;

  LogicalResult quantizeLinear(LinearOp linear, StringRef format,
                               bool quantizeActivations, bool forceDynamic) {
    OpBuilder builder(linear);
    MLIRContext *ctx = &getContext();
    Location loc = linear.getLoc();
    std::optional<Tensor> weight = constantValue(linear.getWeight());
    if (!weight)
      return success();
    int64_t k = weight->shape[0], n = weight->shape[1];
    auto resultType = cast<RankedTensorType>(linear.getType());
    auto calib = linear->getAttrOfType<DictionaryAttr>("llmo.calib");
    auto outliers = linear->getAttrOfType<DictionaryAttr>("llmo.outliers");
    std::vector<float> clip =
        outliers ? floatsOf(outliers.get("weight_clip")) : std::vector<float>();
    if (!clip.empty() && (int64_t)clip.size() != n)
      clip.clear();

    Value replacement;
    std::string stored = format.str();   // how the weight is stored
    std::string recorded = format.str(); // the layer's format, for reports
    double sqnr = 200.0;
    if (format == "f32") {
      return success();
    } else if (format == "w16") {
      Tensor half = *weight;
      half.dtype = DType::F16;
      // Saturate to f16's finite range rather than storing infinities.
      for (float &v : half.floats)
        v = roundToDType(std::min(std::max(v, -65504.0f), 65504.0f),
                         DType::F16);
      sqnr = sqnrDb(weight->floats, half.floats);
      Value w16 =
          createConstant(builder, loc, half, builder.getF16Type(), "w16");
      Value w32 =
          CastOp::create(builder, loc, linear.getWeight().getType(), w16);
      replacement = LinearOp::create(builder, loc, resultType,
                                     linear.getInput(), w32, linear.getBias());
    } else {
      std::optional<WeightFormat> parsed = parseWeightFormat(format);
      if (!parsed)
        return emitError(linear.getLoc())
               << "unknown weight format '" << format
               << "' (expected f32, w16, w8, w4c, w4g<G>)";
      int bits = parsed->bits;
      int64_t group = parsed->group;
      if (group && k % group != 0) {
        group = 0; // One group per channel (see Passes.td).
        stored = recorded = "w4c";
      }
      QuantizedWeight q = quantizeWeight(*weight, bits, group, clip);
      sqnr = sqnrDb(weight->floats, q.dequantized);
      auto quantType = weightQuantType(ctx, q, {k, n});
      Value storage = createConstant(builder, loc, q.values,
                                     IntegerType::get(ctx, bits), "wq");
      Value quantWeight = StorageCastOp::create(
          builder, loc, RankedTensorType::get({k, n}, quantType), storage);
      if (bits == 4 && quantizeActivations) {
        // W4A8 is always per-token dynamic (no static i4 x i8 linear).
        replacement = DynamicQLinearOp::create(
            builder, loc, resultType, linear.getInput(), quantWeight,
            linear.getBias(), /*residual=*/Value(), "none");
        recorded = "w4a8-" + stored;
      } else if (bits == 8 && quantizeActivations) {
        if (act == "dynamic" || forceDynamic) {
          replacement = DynamicQLinearOp::create(
              builder, loc, resultType, linear.getInput(), quantWeight,
              linear.getBias(), /*residual=*/Value(), "none");
          recorded = "w8a8-dynamic";
        } else {
          auto clipAttr =
              calib ? calib.getAs<FloatAttr>("input_clip") : FloatAttr();
          if (!clipAttr)
            return emitError(
                linear.getLoc(),
                "w8a8 with static activation scales needs llmo.calib "
                "(run --llmo-calibrate first, or use act=dynamic)");
          double scale = clipAttr.getValueAsDouble() / 127.0;
          if (!(scale > 0))
            scale = 1.0;
          auto inputType = cast<RankedTensorType>(linear.getInput().getType());
          auto actType = quant::UniformQuantizedType::get(
              quant::QuantizationFlags::Signed, IntegerType::get(ctx, 8),
              inputType.getElementType(), scale, 0, -127, 127);
          Value xq = QuantizeOp::create(
              builder, loc,
              RankedTensorType::get(inputType.getShape(), actType),
              linear.getInput());
          replacement =
              QLinearOp::create(builder, loc, resultType, xq, quantWeight,
                                linear.getBias(), /*residual=*/Value(), "none");
          recorded = "w8a8-static";
        }
      } else {
        Value dequantized = DequantizeOp::create(
            builder, loc, linear.getWeight().getType(), quantWeight);
        replacement =
            LinearOp::create(builder, loc, resultType, linear.getInput(),
                             dequantized, linear.getBias());
      }
    }
    Operation *newOp = replacement.getDefiningOp();
    // Keep the decisions taken so far, then record this one.
    for (NamedAttribute attr : linear->getDiscardableAttrs())
      newOp->setAttr(attr.getName(), attr.getValue());
    Builder b(ctx);
    newOp->setAttr(
        "llmo.quant",
        b.getDictionaryAttr(
            {b.getNamedAttr("format", b.getStringAttr(recorded)),
             b.getNamedAttr("weight_bytes",
                            b.getI64IntegerAttr(weightBytes(stored, k, n))),
             b.getNamedAttr("weight_sqnr_db", b.getF64FloatAttr(sqnr))}));
    linear.replaceAllUsesWith(replacement);
    linear.erase();
    return success();
  }

  void runOnOperation() override {
    if (mode != "w8a8" && mode != "w8a16" && mode != "w4a16" &&
        mode != "w4a8" && mode != "w16" && mode != "none") {
      emitError(getOperation().getLoc())
          << "--llmo-quantize: unknown mode '" << mode
          << "' (expected w8a8, w8a16, w4a16, w4a8, w16 or none)";
      return signalPassFailure();
    }
    if (act != "static" && act != "dynamic") {
      emitError(getOperation().getLoc())
          << "--llmo-quantize: act must be static or "
             "dynamic, not '"
          << act << "'";
      return signalPassFailure();
    }
    if (groupSize <= 0) {
      emitError(getOperation().getLoc(),
                "--llmo-quantize: group-size must be positive");
      return signalPassFailure();
    }
    // Fused linears are what --llmo-fuse leaves at the end of the
    // pipeline; quantizing them would skip calibration, SmoothQuant and the
    // bit-width plan, which all work on llmo.linear. Refuse rather than
    // leave float weights behind without a word.
    if (weightFormatOf(mode, groupSize) != "f32") {
      WalkResult fused = getOperation().walk([&](FusedLinearOp op) {
        auto weight = op.getWeight().getDefiningOp<ConstantOp>();
        if (!weight ||
            !cast<RankedTensorType>(weight.getType()).getElementType().isF32())
          return WalkResult::advance();
        op.emitError("--llmo-quantize: this fused linear has a float weight, "
                     "and fused ops are not quantized; quantize the unfused "
                     "IR (llmo-compile --fuse=false writes it), then fuse");
        return WalkResult::interrupt();
      });
      if (fused.wasInterrupted())
        return signalPassFailure();
    }
    SmallVector<LinearOp> linears;
    getOperation().walk([&](LinearOp linear) {
      if (hasConstantWeight(linear))
        linears.push_back(linear);
    });
    for (LinearOp linear : linears) {
      std::string format = weightFormatOf(mode, groupSize);
      if (auto chosen = linear->getAttrOfType<StringAttr>("llmo.format"))
        format = chosen.str();
      bool activations =
          (mode == "w8a8" && format == "w8") ||
          (mode == "w4a8" && StringRef(format).starts_with("w4"));
      // The bit-width plan's per-layer choice of dynamic int8 activations.
      bool planned = false;
      if (Attribute attr = linear->getAttr("llmo.activations")) {
        auto value = dyn_cast<StringAttr>(attr);
        if (!value || value.getValue() != "dynamic") {
          linear.emitError("--llmo-quantize: llmo.activations must be "
                           "\"dynamic\", not ")
              << attr;
          return signalPassFailure();
        }
        planned = StringRef(format).starts_with("w4") || format == "w8";
      }
      if (failed(
              quantizeLinear(linear, format, activations || planned, planned)))
        return signalPassFailure();
    }
  }
};

} // namespace
