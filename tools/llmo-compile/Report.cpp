//===- Report.cpp - llmo-compile's quantization report --------------------===//

#include "Report.h"

#include "llmo/Dialect/Llmo.h"
#include "llmo/Interpreter/Interpreter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
namespace json = llvm::json;

namespace llmo {
namespace {

std::string nameOf(Operation *op) {
  if (auto name = dyn_cast<NameLoc>(op->getLoc()))
    return name.getName().str();
  std::string s;
  llvm::raw_string_ostream os(s);
  op->getLoc().print(os);
  return s;
}

/// Storage bits of an element type (quantized: its storage width).
double bitsOf(Type element) {
  if (auto quant = dyn_cast<quant::QuantizedType>(element))
    return quant.getStorageTypeIntegralWidth();
  return element.getIntOrFloatBitWidth();
}

/// Peak bytes of live activations over @main, in op order: what a
/// liveness-planned arena needs. Values computed from constants only
/// (dequantized or cast weights) are weights, fused into their consumers.
int64_t activationPeak(func::FuncOp func) {
  DenseSet<Value> weightDerived;
  for (Operation &op : func.getBody().front())
    if (isa<ConstantOp>(op) ||
        (op.getNumOperands() && llvm::all_of(op.getOperands(), [&](Value v) {
           return weightDerived.contains(v);
         })))
      for (Value result : op.getResults())
        weightDerived.insert(result);
  DenseMap<Value, Operation *> lastUse;
  for (Operation &op : func.getBody().front())
    for (Value operand : op.getOperands())
      lastUse[operand] = &op;
  auto bytesOf = [](Value v) {
    auto type = cast<RankedTensorType>(v.getType());
    return (int64_t)std::ceil(type.getNumElements() *
                              bitsOf(type.getElementType()) / 8.0);
  };
  int64_t live = 0, peak = 0;
  for (BlockArgument arg : func.getArguments())
    live += bytesOf(arg);
  for (Operation &op : func.getBody().front()) {
    if (op.getNumResults() && weightDerived.contains(op.getResult(0)))
      continue;
    for (Value result : op.getResults())
      live += bytesOf(result);
    peak = std::max(peak, live);
    for (Value operand : op.getOperands())
      if (lastUse.lookup(operand) == &op && !weightDerived.contains(operand))
        live -= bytesOf(operand);
  }
  return peak;
}

json::Object endToEndError(ModuleOp compiled, ModuleOp floatModule,
                           const std::string &data) {
  json::Object result;
  auto quantized = compiled.lookupSymbol<func::FuncOp>("main");
  auto reference = floatModule.lookupSymbol<func::FuncOp>("main");
  std::string error;
  auto samples = loadSamples(reference, data, 0, error);
  if (failed(samples)) {
    result["error"] = error;
    return result;
  }
  double dot = 0, na = 0, nb = 0, diff = 0, maxAbs = 0;
  for (const auto &inputs : *samples) {
    auto a = runFunction(reference, inputs);
    auto b = runFunction(quantized, inputs);
    if (failed(a) || failed(b)) {
      result["error"] = "execution failed";
      return result;
    }
    for (size_t o = 0; o < a->size(); ++o) {
      const Tensor &x = (*a)[o], &y = (*b)[o];
      if (!isFloat(x.dtype) || x.numElements() != y.numElements())
        continue;
      for (int64_t i = 0; i < x.numElements(); ++i) {
        dot += (double)x.floats[i] * y.floats[i];
        na += (double)x.floats[i] * x.floats[i];
        nb += (double)y.floats[i] * y.floats[i];
        diff = std::max(diff, (double)std::fabs(x.floats[i] - y.floats[i]));
        maxAbs = std::max(maxAbs, (double)std::fabs(x.floats[i]));
      }
    }
  }
  result["samples"] = (int64_t)samples->size();
  result["cosine"] = na > 0 && nb > 0 ? dot / std::sqrt(na * nb) : 1.0;
  result["max_abs_error"] = diff;
  result["relative_max_error"] = maxAbs > 0 ? diff / maxAbs : diff;
  return result;
}

} // namespace

json::Object buildReport(ModuleOp compiled, ModuleOp floatModule,
                         const std::string &data, const std::string &quant) {
  json::Array layers;
  int64_t params = 0, weightBytes = 0, floatParams = 0;
  // Parameters: float constants and 4/8-bit (quantized weight) storage;
  // i1/i32/i64 constants are masks, shapes and indices.
  auto isParameter = [](RankedTensorType type) {
    Type element = type.getElementType();
    return type.getRank() > 0 && (isa<FloatType>(element) ||
                                  element.isInteger(8) || element.isInteger(4));
  };
  compiled.walk([&](ConstantOp constant) {
    auto type = cast<RankedTensorType>(constant.getType());
    if (!isParameter(type))
      return;
    params += type.getNumElements();
    weightBytes += (int64_t)std::ceil(type.getNumElements() *
                                      bitsOf(type.getElementType()) / 8.0);
  });
  // Quantization scales are stored with the weights (f32 each).
  compiled.walk([&](StorageCastOp cast) {
    Type element = cast.getType().getElementType();
    if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(element))
      weightBytes += 4 * perAxis.getScales().size();
    else if (auto sub =
                 dyn_cast<quant::UniformQuantizedSubChannelType>(element))
      weightBytes += 4 * sub.getScales().getNumElements();
  });
  floatModule.walk([&](ConstantOp constant) {
    auto type = cast<RankedTensorType>(constant.getType());
    if (isParameter(type))
      floatParams += type.getNumElements();
  });
  compiled.walk([&](Operation *op) {
    if (!isa<LinearOp, QLinearOp, DynamicQLinearOp>(op))
      return;
    json::Object layer;
    layer["name"] = nameOf(op);
    auto weightType = cast<RankedTensorType>(op->getOperand(1).getType());
    layer["shape"] =
        json::Array{weightType.getDimSize(0), weightType.getDimSize(1)};
    if (auto q = op->getAttrOfType<DictionaryAttr>("llmo.quant")) {
      layer["format"] = q.getAs<StringAttr>("format").str();
      layer["weight_bytes"] = q.getAs<IntegerAttr>("weight_bytes").getInt();
      layer["weight_sqnr_db"] =
          q.getAs<FloatAttr>("weight_sqnr_db").getValueAsDouble();
    } else {
      layer["format"] = "f32";
      layer["weight_bytes"] = weightType.getNumElements() * 4;
    }
    if (auto input = op->getOperand(0).getDefiningOp<QuantizeOp>()) {
      auto type = cast<quant::UniformQuantizedType>(
          cast<RankedTensorType>(input.getType()).getElementType());
      layer["activation_scale"] = type.getScale();
    }
    if (auto smooth = op->getAttrOfType<DictionaryAttr>("llmo.smooth"))
      layer["smoothquant_alpha"] =
          smooth.getAs<FloatAttr>("alpha").getValueAsDouble();
    if (auto outliers = op->getAttrOfType<DictionaryAttr>("llmo.outliers"))
      if (auto count = outliers.getAs<IntegerAttr>("channels"))
        layer["outlier_channels"] = count.getInt();
    if (auto bitwidth = op->getAttrOfType<DictionaryAttr>("llmo.bitwidth"))
      layer["predicted_error"] =
          bitwidth.getAs<FloatAttr>("predicted_error").getValueAsDouble();
    layers.push_back(std::move(layer));
  });

  json::Object report;
  report["quant"] = quant;
  report["layers"] = std::move(layers);
  double bits = params ? 8.0 * weightBytes / params : 32.0;
  auto func = compiled.lookupSymbol<func::FuncOp>("main");
  int64_t activations = func ? activationPeak(func) : 0;
  json::Object memory;
  memory["parameters"] = params;
  memory["parameters_before_pruning"] = floatParams;
  memory["weight_bytes"] = weightBytes;
  memory["average_weight_bits"] = bits;
  memory["activation_peak_bytes"] = activations;
  memory["estimate_bytes"] = weightBytes + activations;
  memory["rule_of_thumb_bytes"] = params * 4.0 / (32.0 / bits) * 1.2;
  report["memory"] = std::move(memory);
  if (auto pruning = compiled->getAttrOfType<DictionaryAttr>("llmo.pruning"))
    report["pruned_parameters"] =
        pruning.getAs<IntegerAttr>("params_removed").getInt();
  if (!data.empty())
    report["end_to_end"] = endToEndError(compiled, floatModule, data);
  return report;
}

std::string reportTable(const json::Object &report) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::format("%-48s %-10s %-13s %12s %10s\n", "layer", "shape",
                     "format", "bytes", "SQNR dB");
  if (const json::Array *layers = report.getArray("layers"))
    for (const json::Value &v : *layers) {
      const json::Object &l = *v.getAsObject();
      const json::Array &shape = *l.getArray("shape");
      std::string dims = std::to_string(*shape[0].getAsInteger()) + "x" +
                         std::to_string(*shape[1].getAsInteger());
      os << llvm::format("%-48s %-10s %-13s %12lld %10.2f\n",
                         l.getString("name")->str().c_str(), dims.c_str(),
                         l.getString("format")->str().c_str(),
                         (long long)*l.getInteger("weight_bytes"),
                         l.getNumber("weight_sqnr_db").value_or(INFINITY));
    }
  const json::Object &m = *report.getObject("memory");
  os << llvm::format(
      "parameters %lld, weight bytes %lld (%.2f bits/param), activation peak "
      "%lld bytes\nmemory estimate %lld bytes; rule of thumb P*4/(32/Q)*1.2 = "
      "%.0f bytes\n",
      (long long)*m.getInteger("parameters"),
      (long long)*m.getInteger("weight_bytes"),
      *m.getNumber("average_weight_bits"),
      (long long)*m.getInteger("activation_peak_bytes"),
      (long long)*m.getInteger("estimate_bytes"),
      *m.getNumber("rule_of_thumb_bytes"));
  if (const json::Object *e = report.getObject("end_to_end"))
    if (e->getNumber("cosine"))
      os << llvm::format("end-to-end vs float on %lld calibration samples: "
                         "cosine %.6f, relative max error %.3e\n",
                         (long long)*e->getInteger("samples"),
                         *e->getNumber("cosine"),
                         *e->getNumber("relative_max_error"));
  return s;
}

} // namespace llmo
