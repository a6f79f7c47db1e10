//===- QuantUtils.cpp - Helpers shared by the quantization passes ---------===//

#include "QuantUtils.h"

#include "llmo/Interpreter/Interpreter.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"

#include <cmath>

using namespace mlir;

namespace llmo {

FailureOr<std::vector<std::vector<Tensor>>>
loadPassSamples(ModuleOp module, StringRef pass, StringRef dataPath,
                unsigned maxSamples) {
  func::FuncOp func = entryFunction(module);
  if (!func)
    return emitError(module.getLoc())
           << pass << ": the module has no func.func @main";
  if (dataPath.empty())
    return emitError(module.getLoc()) << pass << " needs data=CALIB.npz";
  std::string error;
  auto samples = loadSamples(func, dataPath.str(), maxSamples, error);
  if (failed(samples))
    return emitError(module.getLoc()) << pass << ": " << error;
  return samples;
}

double sqnrDb(ArrayRef<float> exact, ArrayRef<float> approx) {
  double signal = 0, noise = 0;
  for (size_t i = 0; i < exact.size(); ++i) {
    signal += (double)exact[i] * exact[i];
    double d = (double)exact[i] - approx[i];
    noise += d * d;
  }
  if (noise == 0)
    return 200.0;
  return 10.0 * std::log10(std::max(signal, 1e-300) / noise);
}

QuantizedWeight quantizeWeight(const Tensor &weight, int bits, int64_t group,
                               ArrayRef<float> clip) {
  int64_t k = weight.shape[0], n = weight.shape[1];
  QuantizedWeight result;
  result.bits = bits;
  result.group = group;
  int64_t groupSize = group ? group : k;
  int64_t groups = k / groupSize;
  int64_t qmax = bits == 8 ? 127 : 7, qmin = bits == 8 ? -127 : -8;
  result.values = Tensor(bits == 8 ? DType::I8 : DType::I4, {k, n});
  result.scales.assign(groups * n, 1.0f);
  result.dequantized.assign(k * n, 0.0f);
  for (int64_t g = 0; g < groups; ++g)
    for (int64_t j = 0; j < n; ++j) {
      float absmax = 0;
      for (int64_t i = g * groupSize; i < (g + 1) * groupSize; ++i)
        absmax = std::max(absmax, std::fabs(weight.floats[i * n + j]));
      if (!clip.empty())
        absmax *= clip[j];
      float scale = absmax > 0 ? absmax / (float)qmax : 1.0f;
      result.scales[g * n + j] = scale;
      for (int64_t i = g * groupSize; i < (g + 1) * groupSize; ++i) {
        float q = std::nearbyint(weight.floats[i * n + j] / scale);
        q = std::min<float>(std::max<float>(q, (float)qmin), (float)qmax);
        result.values.ints[i * n + j] = (int64_t)q;
        result.dequantized[i * n + j] = q * scale;
      }
    }
  return result;
}

quant::QuantizedType weightQuantType(MLIRContext *ctx,
                                     const QuantizedWeight &weight,
                                     ArrayRef<int64_t> shape) {
  Type storage = IntegerType::get(ctx, weight.bits);
  Type expressed = Float32Type::get(ctx);
  int64_t qmin = weight.bits == 8 ? -127 : -8,
          qmax = weight.bits == 8 ? 127 : 7;
  unsigned flags = quant::QuantizationFlags::Signed;
  int64_t n = shape[1];
  if (!weight.group || weight.group == shape[0]) {
    // One scale per output channel.
    SmallVector<double> scales(weight.scales.begin(), weight.scales.end());
    SmallVector<int64_t> zeros(n, 0);
    return quant::UniformQuantizedPerAxisType::get(
        flags, storage, expressed, scales, zeros, 1, qmin, qmax);
  }
  int64_t groups = shape[0] / weight.group;
  auto scaleType = RankedTensorType::get({groups, n}, expressed);
  auto zpType = RankedTensorType::get({groups, n}, storage);
  SmallVector<APFloat> scales;
  for (float s : weight.scales)
    scales.push_back(APFloat(s));
  SmallVector<APInt> zeros(groups * n, APInt(weight.bits, 0));
  return quant::UniformQuantizedSubChannelType::get(
      flags, storage, expressed, DenseElementsAttr::get(scaleType, scales),
      DenseElementsAttr::get(zpType, zeros), {0, 1}, {weight.group, 1}, qmin,
      qmax);
}

std::optional<WeightFormat> parseWeightFormat(StringRef name) {
  if (name == "f32")
    return WeightFormat{32, 0};
  if (name == "w16")
    return WeightFormat{16, 0};
  if (name == "w8")
    return WeightFormat{8, 0};
  if (name == "w4c")
    return WeightFormat{4, 0};
  int64_t group;
  if (name.consume_front("w4g") && !name.getAsInteger(10, group) && group > 0)
    return WeightFormat{4, group};
  return std::nullopt;
}

int64_t weightBytes(StringRef name, int64_t k, int64_t n) {
  std::optional<WeightFormat> format = parseWeightFormat(name);
  if (!format || format->bits >= 16)
    return (format ? format->bits / 8 : 4) * k * n;
  int64_t groups = format->group ? (k + format->group - 1) / format->group : 1;
  int64_t data = format->bits == 8 ? k * n : (k * n + 1) / 2;
  return data + 4 * n * groups; // f32 scales
}

} // namespace llmo
