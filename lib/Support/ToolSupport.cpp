//===- ToolSupport.cpp - Shared helpers of the llmo tools -----------------===//

#include "llmo/Support/ToolSupport.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace llmo {

int reportError(const std::string &message) {
  llvm::errs() << "error: " << message << "\n";
  return 1;
}

OwningOpRef<ModuleOp> loadModule(MLIRContext &context, const std::string &path,
                                 std::string &error) {
  std::string errorMessage;
  auto file = openInputFile(path, &errorMessage);
  if (!file) {
    error = path + ": " + errorMessage;
    return {};
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    llvm::raw_string_ostream os(diagnostics);
    os << diag.getLocation() << ": " << diag.str() << "\n";
    return success();
  });
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    error = path + ": cannot parse the IR:\n" + diagnostics;
  return module;
}

bool writeModule(ModuleOp module, const std::string &path, std::string &error) {
  std::string errorMessage;
  auto output = openOutputFile(path, &errorMessage);
  if (!output) {
    error = path + ": " + errorMessage;
    return false;
  }
  if (StringRef(path).ends_with(".mlirbc")) {
    if (failed(writeBytecodeToFile(module, output->os()))) {
      error = path + ": cannot write bytecode";
      return false;
    }
  } else {
    module->print(output->os());
    output->os() << "\n";
  }
  output->os().flush();
  if (output->os().has_error()) {
    error = path + ": write failed";
    output->os().clear_error();
    return false;
  }
  output->keep();
  return true;
}

} // namespace llmo
