//===- llmo-import.cpp - ONNX model to llmo IR ----------------------------===//
//
//   llmo-import MODEL.onnx -o OUT.mlir|OUT.mlirbc [--input-shape NAME=1x128]
//
//===----------------------------------------------------------------------===//

#include "llmo/Import/OnnxImporter.h"
#include "llmo/InitAll.h"
#include "llmo/Support/ToolSupport.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

namespace cl = llvm::cl;

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // --help lists llmo's options, not the hundreds libLLVM registers (those
  // still parse, hidden).
  cl::OptionCategory category("llmo-import options");
  cl::opt<std::string> input(cl::cat(category), cl::Positional,
                             cl::desc("<model.onnx|.onnxtext>"), cl::Required);
  cl::opt<std::string> output(cl::cat(category), "o",
                              cl::desc("Output .mlir or .mlirbc file"),
                              cl::value_desc("file"), cl::init("-"));
  cl::list<std::string> inputShapes(
      cl::cat(category), "input-shape",
      cl::desc("Fix an input's shape: NAME=1x128"),
      cl::value_desc("NAME=DIMS"));
  cl::opt<bool> noCleanup(
      cl::cat(category), "no-cleanup",
      cl::desc("Skip --llmo-raise-composites, canonicalize and CSE"),
      cl::init(false));
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "llmo ONNX importer\n");

  llmo::ImportOptions options;
  options.cleanup = !noCleanup;
  std::string error;
  for (const std::string &spec : inputShapes)
    if (!llmo::parseInputShapeSpec(spec, options, error))
      return llmo::reportError(error);

  mlir::DialectRegistry registry;
  llmo::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  auto module = llmo::importOnnxFile(context, input, options, error);
  if (!module)
    return llmo::reportError(input + ": " + error);
  if (!llmo::writeModule(*module, output, error))
    return llmo::reportError(error);
  return 0;
}
