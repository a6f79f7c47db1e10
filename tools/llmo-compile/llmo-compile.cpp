//===- llmo-compile.cpp - Compile a model: import, optimize, quantize -----===//
//
//   llmo-compile MODEL.onnx|IN.mlir|IN.mlirbc -o OUT.mlir|OUT.mlirbc|OUT.llmo
//       --target=cpu|cuda [--quant=none|w8a8|w8a16|w4a16|w4a8|auto]
//       [--calibration-data=CALIB.npz] [--smoothquant-alpha=off|0.5|auto]
//       [--memory-budget=SIZE] [--input-shape NAME=1x128 ...]
//       [--report=REPORT.json] [--report-table]
//
// Runs the same passes as `llmo-opt --llmo-compile-pipeline=...`; -o
// X.mlir/.mlirbc writes the optimized IR, -o X.llmo lowers it to native code
// for the CPU (lib/CodeGen) and writes a self-contained artifact that
// llmo-run and the runtime library (include/llmo/runtime.h) execute.
//
//===----------------------------------------------------------------------===//

#include "Report.h"

#include "llmo/CodeGen/CpuCodeGen.h"
#include "llmo/Import/OnnxImporter.h"
#include "llmo/InitAll.h"
#include "llmo/Passes/Passes.h"
#include "llmo/Support/ToolSupport.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <optional>

namespace cl = llvm::cl;
using namespace mlir;

/// "12MB", "1.5GiB", "4096" (bytes) -> bytes; -1 on a bad size.
static int64_t parseSize(llvm::StringRef text) {
  text = text.trim();
  size_t end = 0;
  while (end < text.size() && (isdigit(text[end]) || text[end] == '.'))
    ++end;
  double value;
  if (end == 0 || text.take_front(end).getAsDouble(value))
    return -1;
  std::string u = text.drop_front(end).trim().lower();
  double scale = 1;
  if (u == "" || u == "b")
    scale = 1;
  else if (u == "kb")
    scale = 1e3;
  else if (u == "mb")
    scale = 1e6;
  else if (u == "gb")
    scale = 1e9;
  else if (u == "kib")
    scale = 1024.0;
  else if (u == "mib")
    scale = 1024.0 * 1024;
  else if (u == "gib")
    scale = 1024.0 * 1024 * 1024;
  else
    return -1;
  return (int64_t)std::llround(value * scale);
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // --help lists llmo's options, not the hundreds libLLVM registers (those
  // still parse, hidden).
  cl::OptionCategory category("llmo-compile options");
  cl::opt<std::string> input(cl::cat(category), cl::Positional,
                             cl::desc("<model.onnx|in.mlir|in.mlirbc>"),
                             cl::Required);
  cl::opt<std::string> output(cl::cat(category), "o",
                              cl::desc("Output .mlir, .mlirbc or .llmo"),
                              cl::value_desc("file"), cl::Required);
  cl::opt<std::string> target(cl::cat(category), "target",
                              cl::desc("cpu or cuda"), cl::init("cpu"));
  cl::opt<std::string> quant(cl::cat(category), "quant",
                             cl::desc("none, w8a8, w8a16, w4a16, w4a8 or auto"),
                             cl::init("none"));
  cl::opt<std::string> calibration(cl::cat(category), "calibration-data",
                                   cl::desc("Calibration .npz"), cl::init(""));
  cl::opt<std::string> calibrationMethod(
      cl::cat(category), "calibration-method",
      cl::desc("minmax, percentile or mse"), cl::init("mse"));
  cl::opt<std::string> alpha(cl::cat(category), "smoothquant-alpha",
                             cl::desc("off, a number in [0, 1], or auto"),
                             cl::init("0.5"));
  cl::opt<std::string> activations(
      cl::cat(category), "activations",
      cl::desc("W8A8 activation scales: static or dynamic (with "
               "--quant=auto, dynamic plans W4A8/W8A8 layers)"),
      cl::init("static"));
  cl::opt<int64_t> groupSize(cl::cat(category), "group-size",
                             cl::desc("W4 group size"), cl::init(128));
  cl::opt<double> outlierThreshold(
      cl::cat(category), "outlier-threshold",
      cl::desc("W8A8: keep input channels with calibrated |x| above this in "
               "16-bit (LLM.int8(); 0: off)"),
      cl::init(0.0));
  cl::opt<std::string> budget(
      cl::cat(category), "memory-budget",
      cl::desc("Weight memory for --quant=auto, e.g. 12MB (default: the "
               "size of uniform W4)"),
      cl::init(""));
  cl::list<std::string> inputShapes(
      cl::cat(category), "input-shape",
      cl::desc("Fix an input's shape: NAME=1x128"),
      cl::value_desc("NAME=DIMS"));
  cl::opt<std::string> reportPath(cl::cat(category), "report",
                                  cl::desc("Write a JSON report"),
                                  cl::init(""));
  cl::opt<std::string> targetCpu(
      cl::cat(category), "target-cpu",
      cl::desc("CPU to generate code for, e.g. haswell (default: the host)"),
      cl::init(""));
  cl::opt<std::string> targetTriple(
      cl::cat(category), "target-triple",
      cl::desc("Target triple (default: the host's)"), cl::init(""));
  cl::opt<std::string> targetFeatures(
      cl::cat(category), "target-features",
      cl::desc("Extra LLVM target features, e.g. +avx2"), cl::init(""));
  cl::opt<bool> fuse(cl::cat(category), "fuse",
                     cl::desc("Fuse attention, projections and linear "
                              "epilogues (--fuse=false to keep ops apart)"),
                     cl::init(true));
  cl::opt<bool> reportTable(cl::cat(category), "report-table",
                            cl::desc("Print the report as a table"),
                            cl::init(false));
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "llmo compiler\n");

  if (target != "cpu" && target != "cuda")
    return llmo::reportError("--target must be cpu or cuda, not '" + target +
                             "'");
  llvm::StringRef out(output);
  bool emitArtifact = out.ends_with(".llmo");
  if (emitArtifact && target == "cuda")
    return llmo::reportError(
        output + ": CUDA code generation is not implemented yet; use "
                 "--target=cpu");
  if (!emitArtifact && !out.ends_with(".mlir") && !out.ends_with(".mlirbc"))
    return llmo::reportError(
        output + ": the output must end in .mlir, .mlirbc or .llmo");

  llmo::CompilePipelineOptions options;
  options.quant = quant;
  options.calibrationData = calibration;
  options.calibrationMethod = calibrationMethod;
  options.smoothquantAlpha = alpha;
  options.activations = activations;
  options.groupSize = groupSize;
  options.outlierThreshold = outlierThreshold;
  options.fuse = fuse;
  if (!budget.empty()) {
    int64_t bytes = parseSize(budget);
    if (bytes <= 0)
      return llmo::reportError("bad --memory-budget '" + budget +
                               "' (e.g. 4096, 12MB, 1.5GiB)");
    options.memoryBudget = bytes;
  }
  std::string error = llmo::validateCompileOptions(options);
  if (!error.empty())
    return llmo::reportError(error);
  if (!calibration.empty() && !llvm::sys::fs::exists(calibration))
    return llmo::reportError(calibration + ": cannot open file");

  DialectRegistry registry;
  llmo::registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  OwningOpRef<ModuleOp> module;
  llvm::StringRef in(input);
  if (in.ends_with(".mlir") || in.ends_with(".mlirbc")) {
    if (!inputShapes.empty())
      return llmo::reportError("--input-shape applies to ONNX models only");
    module = llmo::loadModule(context, input, error);
    if (!module)
      return llmo::reportError(error);
  } else {
    llmo::ImportOptions importOptions;
    for (const std::string &spec : inputShapes)
      if (!llmo::parseInputShapeSpec(spec, importOptions, error))
        return llmo::reportError(error);
    module = llmo::importOnnxFile(context, input, importOptions, error);
    if (!module)
      return llmo::reportError(input + ": " + error);
  }

  // The float model, for the report's end-to-end error.
  OwningOpRef<ModuleOp> floatModule;
  if (!reportPath.empty() || reportTable)
    floatModule = module->clone();

  // Fusion runs after the report is built: the report describes the
  // quantized linears layer by layer, before projections are merged.
  options.fuse = false;
  PassManager pm(&context);
  llmo::buildCompilePipeline(pm, options);
  if (failed(pm.run(*module)))
    return llmo::reportError(input + ": compilation failed (see the "
                                     "diagnostics above)");

  // The report is built before anything is written; the IR is written
  // first and removed again if the report cannot be, so a failure leaves
  // no output behind.
  std::optional<llvm::json::Object> report;
  if (floatModule) {
    report = llmo::buildReport(*module, *floatModule, calibration, quant);
    if (reportTable)
      llvm::outs() << llmo::reportTable(*report);
  }
  if (fuse) {
    PassManager fusion(&context);
    fusion.addNestedPass<func::FuncOp>(llmo::createFuse());
    if (failed(fusion.run(*module)))
      return llmo::reportError(input + ": fusion failed (see the diagnostics "
                                       "above)");
  }
  // lld resets every cl::opt of the process when it finishes, so the
  // option values used after code generation are copied first.
  std::string outputPath = output, inputPath = input, reportFile = reportPath;
  if (emitArtifact) {
    FailureOr<llmo::CpuLowering> lowering = llmo::lowerToCpu(*module);
    if (failed(lowering))
      return llmo::reportError(input + ": CPU code generation failed (see "
                                       "the diagnostics above)");
    llmo::CpuTargetOptions targetOptions{targetTriple, targetCpu,
                                         targetFeatures};
    llvm::json::Object quantization{{"quant", quant},
                                    {"activations", activations},
                                    {"smoothquant_alpha", alpha},
                                    {"group_size", (int64_t)groupSize},
                                    {"calibration_data", calibration}};
    llmo::ResolvedCpuTarget resolved;
    FailureOr<std::vector<uint8_t>> code =
        llmo::emitSharedObject(*module, targetOptions, resolved, error);
    if (failed(code))
      return llmo::reportError(outputPath + ": " + error);
    llvm::json::Array required;
    for (const std::string &feature : resolved.requiredFeatures)
      required.push_back(feature);
    llvm::json::Object extra{
        {"llmo_version", LLMO_VERSION},
        {"source", inputPath},
        {"target", llvm::json::Object{{"kind", "cpu"},
                                      {"triple", resolved.triple},
                                      {"cpu", resolved.cpu},
                                      {"features", targetOptions.features},
                                      {"requires", std::move(required)}}},
        {"quantization", std::move(quantization)}};
    std::string extraText;
    llvm::raw_string_ostream os(extraText);
    os << llvm::json::Value(std::move(extra));
    extraText = extraText.substr(1, extraText.size() - 2);
    if (failed(llmo::writeArtifact(outputPath, *lowering, *code, extraText,
                                   error)))
      return llmo::reportError(error);
  } else if (!llmo::writeModule(*module, outputPath, error)) {
    return llmo::reportError(error);
  }
  if (report && !reportFile.empty()) {
    std::string message;
    auto file = mlir::openOutputFile(reportFile, &message);
    if (!file) {
      llvm::sys::fs::remove(outputPath);
      return llmo::reportError(reportFile + ": " + message);
    }
    file->os() << llvm::formatv("{0:2}", llvm::json::Value(std::move(*report)))
               << "\n";
    file->keep();
  }
  return 0;
}
