//===- llmo-run.cpp - Run llmo IR or a compiled artifact ------------------===//
//
//   llmo-run IN.mlir|IN.mlirbc|IN.llmo --input NAME=FILE.npy ...
//            [--output-dir DIR] [--repeat N] [--warmup N] [--threads N]
//
// .mlir/.mlirbc run on the reference interpreter (one thread); .llmo
// artifacts run their compiled code through the runtime library with
// --threads workers. Inputs are matched by name; outputs are written as
// DIR/<name>.npy. --repeat N prints "latency: repeat=N median_ms=.. min_ms=..
// runs_ms=..,.." (every timed run, in order) after --warmup untimed runs
// (default: one for .llmo, none on the interpreter).
//
//===----------------------------------------------------------------------===//

#include "RunArtifact.h"

#include "llmo/InitAll.h"
#include "llmo/Interpreter/Interpreter.h"
#include "llmo/Support/ToolSupport.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

namespace cl = llvm::cl;
using namespace mlir;

static std::string shapeString(llvm::ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

/// A file name for an output: characters other than [A-Za-z0-9_.-] become
/// '_' and a leading '.' is replaced, so no name escapes --output-dir.
static std::string fileNameFor(std::string name) {
  for (char &c : name)
    if (!isalnum((unsigned char)c) && c != '_' && c != '-' && c != '.')
      c = '_';
  if (name.empty() || name[0] == '.')
    name = "_" + name;
  return name;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // --help lists llmo's options, not the hundreds libLLVM registers (those
  // still parse, hidden).
  cl::OptionCategory category("llmo-run options");
  cl::opt<std::string> inputFile(cl::cat(category), cl::Positional,
                                 cl::desc("<IN.mlir>"), cl::Required);
  cl::list<std::string> inputs(cl::cat(category), "input",
                               cl::desc("NAME=FILE.npy"),
                               cl::value_desc("NAME=FILE"));
  cl::opt<std::string> outputDir(cl::cat(category), "output-dir",
                                 cl::desc("Directory for the output .npy"),
                                 cl::init("."));
  cl::opt<unsigned> repeat(cl::cat(category), "repeat",
                           cl::desc("Run N times, print timing"), cl::init(1));
  cl::opt<int> warmup(
      cl::cat(category), "warmup",
      cl::desc("Untimed runs before the timed ones with --repeat N > 1 "
               "(default: 1 on a .llmo artifact, 0 on the interpreter)"),
      cl::init(-1));
  cl::opt<bool> quiet(cl::cat(category), "quiet",
                      cl::desc("Do not print output summaries"),
                      cl::init(false));
  // libLLVM already registers a global "threads" option, so --threads N is
  // taken out of argv by hand. The interpreter itself runs on one thread.
  std::vector<char *> args;
  unsigned threads = 1;
  for (int i = 0; i < argc; ++i) {
    llvm::StringRef arg(argv[i]);
    llvm::StringRef value;
    if (arg == "--threads" || arg == "-threads") {
      if (i + 1 >= argc)
        return llmo::reportError("--threads needs a value");
      value = argv[++i];
    } else if (arg.consume_front("--threads=")) {
      value = arg;
    } else {
      args.push_back(argv[i]);
      continue;
    }
    if (value.getAsInteger(10, threads) || threads == 0)
      return llmo::reportError("bad --threads '" + value.str() + "'");
  }
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      args.size(), args.data(),
      "llmo runner: runs a .llmo artifact (compiled code) or a .mlir/.mlirbc "
      "file (reference interpreter)\n\n"
      "  --threads=N   worker threads of the compiled code (default 1)\n");

  if (repeat == 0)
    return llmo::reportError("--repeat must be at least 1");
  if (warmup.getNumOccurrences() && warmup < 0)
    return llmo::reportError("--warmup must be 0 or more");
  bool isArtifact = llvm::StringRef(inputFile).ends_with(".llmo");
  int warmupValue = warmup;
  unsigned warmupRuns = repeat == 1        ? 0u
                        : warmupValue >= 0 ? (unsigned)warmupValue
                                           : (isArtifact ? 1u : 0u);
  std::map<std::string, std::string> given;
  for (const std::string &spec : inputs) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0)
      return llmo::reportError("bad --input '" + spec +
                               "': expected NAME=FILE.npy");
    if (!given.emplace(spec.substr(0, eq), spec.substr(eq + 1)).second)
      return llmo::reportError("--input " + spec.substr(0, eq) +
                               " is given more than once");
  }
  if (isArtifact) {
    llmo::RunArtifactOptions options;
    options.path = inputFile;
    options.inputs = given;
    options.outputDir = outputDir;
    options.repeat = repeat;
    options.warmup = warmupRuns;
    options.threads = threads;
    options.quiet = quiet;
    options.fileNameFor = fileNameFor;
    return llmo::runArtifact(options);
  }

  DialectRegistry registry;
  llmo::registerAllDialects(registry);
  MLIRContext context(registry);
  std::string error;
  OwningOpRef<ModuleOp> module = llmo::loadModule(context, inputFile, error);
  if (!module)
    return llmo::reportError(error);
  auto func = module->lookupSymbol<func::FuncOp>("main");
  if (!func)
    return llmo::reportError(inputFile + ": no func.func @main");
  if (func.isDeclaration())
    return llmo::reportError(inputFile + ": @main is a declaration (no body)");
  for (Type type : llvm::concat<const Type>(func.getArgumentTypes(),
                                            func.getResultTypes())) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.hasStaticShape()) {
      std::string typeText;
      llvm::raw_string_ostream os(typeText);
      os << type;
      return llmo::reportError(inputFile +
                               ": @main's inputs and results must be tensors "
                               "of static shape, not " +
                               typeText);
    }
  }

  std::vector<llmo::Tensor> tensors;
  std::set<std::string> argNames;
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    if (!argNames.insert(llmo::valueName(func, i, false)).second)
      return llmo::reportError(inputFile + ": two inputs are named '" +
                               llmo::valueName(func, i, false) + "'");
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    std::string name = llmo::valueName(func, i, false);
    auto it = given.find(name);
    if (it == given.end())
      return llmo::reportError("missing --input " + name + "=FILE.npy");
    auto type = cast<RankedTensorType>(func.getArgument(i).getType());
    FailureOr<llmo::DType> dtype = llmo::dtypeOf(type.getElementType());
    if (failed(dtype) || *dtype == llmo::DType::BF16 ||
        *dtype == llmo::DType::I4 ||
        isa<quant::QuantizedType>(type.getElementType())) {
      std::string typeText;
      llvm::raw_string_ostream os(typeText);
      os << type.getElementType();
      return llmo::reportError("input '" + name + "' has element type " +
                               typeText +
                               ", which llmo-run cannot read from "
                               ".npy");
    }
    llmo::NpyArray array;
    if (!llmo::readNpy(it->second, array, error))
      return llmo::reportError(it->second + ": " + error);
    llmo::Tensor tensor;
    if (!llmo::tensorFromNpy(array, *dtype, tensor, error))
      return llmo::reportError(it->second + ": input '" + name + "': " + error);
    if (llvm::ArrayRef<int64_t>(tensor.shape) != type.getShape())
      return llmo::reportError(it->second + ": input '" + name +
                               "' has shape " + shapeString(tensor.shape) +
                               " but the model expects " +
                               shapeString(type.getShape()));
    tensors.push_back(std::move(tensor));
    given.erase(it);
  }
  if (!given.empty())
    return llmo::reportError("--input " + given.begin()->first +
                             " is not an input of the model");

  std::vector<double> times;
  FailureOr<std::vector<llmo::Tensor>> results;
  for (unsigned r = 0; r < warmupRuns + repeat; ++r) {
    auto start = std::chrono::steady_clock::now();
    results = llmo::runFunction(func, tensors);
    if (r >= warmupRuns)
      times.push_back(std::chrono::duration<double, std::milli>(
                          std::chrono::steady_clock::now() - start)
                          .count());
    if (failed(results))
      return llmo::reportError(inputFile + ": execution failed");
  }

  if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
    return llmo::reportError(outputDir +
                             ": cannot create directory: " + ec.message());
  std::set<std::string> fileNames;
  for (unsigned i = 0; i < results->size(); ++i)
    if (!fileNames.insert(fileNameFor(llmo::valueName(func, i, true))).second)
      return llmo::reportError(
          inputFile + ": two outputs would be written to " +
          fileNameFor(llmo::valueName(func, i, true)) + ".npy");
  for (unsigned i = 0; i < results->size(); ++i) {
    const llmo::Tensor &t = (*results)[i];
    std::string name = llmo::valueName(func, i, true);
    llvm::SmallString<256> path(outputDir);
    llvm::sys::path::append(path, fileNameFor(name) + ".npy");
    if (!llmo::writeNpy(std::string(path), llmo::tensorToNpy(t), error))
      return llmo::reportError(std::string(path) + ": " + error);
    if (!quiet) {
      llvm::outs() << name << ": " << llmo::dtypeName(t.dtype)
                   << shapeString(t.shape) << " = [";
      for (int64_t j = 0; j < std::min<int64_t>(t.numElements(), 6); ++j)
        if (llmo::isFloat(t.dtype))
          llvm::outs() << (j ? ", " : "") << t.floats[j];
        else
          llvm::outs() << (j ? ", " : "") << t.ints[j];
      llvm::outs() << (t.numElements() > 6 ? ", ...]" : "]") << "  -> " << path
                   << "\n";
    }
  }
  if (repeat > 1)
    llmo::printLatency(times);
  return 0;
}
