//===- EmitObject.cpp - LLVM dialect -> object -> shared object -----------===//
//
// In-process: MLIR's LLVM IR translation, an llvm::TargetMachine for the
// requested (default: host) triple and CPU, and lld's ELF driver as a
// library. Nothing is executed outside the process.
//
//===----------------------------------------------------------------------===//

#include "llmo/CodeGen/CpuCodeGen.h"
#include "llmo/Runtime/KernelAbi.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "lld/Common/Driver.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <mutex>

LLD_HAS_DRIVER(elf)

using namespace mlir;

namespace llmo {
namespace {

/// Removes a file when it goes out of scope.
struct TempFile {
  llvm::SmallString<128> path;
  ~TempFile() {
    if (!path.empty())
      llvm::sys::fs::remove(path);
  }
};

} // namespace

FailureOr<std::vector<uint8_t>> emitSharedObject(ModuleOp module,
                                                 const CpuTargetOptions &target,
                                                 ResolvedCpuTarget &resolved,
                                                 std::string &error) {
  static std::once_flag initOnce;
  std::call_once(initOnce, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });

  // Only the LLVM dialect is translated; llmo's module attributes stay
  // behind on the original.
  OwningOpRef<ModuleOp> clone = cast<ModuleOp>(module->clone());
  for (NamedAttribute attr : llvm::to_vector(clone->getOperation()->getAttrs()))
    if (attr.getName().getValue().starts_with("llmo."))
      clone->getOperation()->removeAttr(attr.getName());
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  module.getContext()->appendDialectRegistry(registry);

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(clone.get(), llvmContext, "llmo");
  if (!llvmModule) {
    error = "translation of the lowered module to LLVM IR failed";
    return failure();
  }

  std::string triple = target.triple.empty()
                           ? llvm::sys::getDefaultTargetTriple()
                           : target.triple;
  std::string cpu =
      target.cpu.empty() ? llvm::sys::getHostCPUName().str() : target.cpu;
  llvm::Triple tripleObj(triple);
  const llvm::Target *llvmTarget =
      llvm::TargetRegistry::lookupTarget(tripleObj, error);
  if (!llvmTarget) {
    error = "unknown target triple '" + triple + "': " + error;
    return failure();
  }
  // An unknown CPU or one that cannot run the triple's code would end in an
  // LLVM fatal error (or a warning and generic code): refuse it by name.
  if (!target.cpu.empty()) {
    std::unique_ptr<llvm::MCSubtargetInfo> generic(
        llvmTarget->createMCSubtargetInfo(tripleObj, "", ""));
    if (!generic || !generic->isCPUStringValid(cpu)) {
      error = "--target-cpu: '" + cpu + "' is not a CPU of '" + triple + "'";
      return failure();
    }
    std::unique_ptr<llvm::MCSubtargetInfo> chosen(
        llvmTarget->createMCSubtargetInfo(tripleObj, cpu, ""));
    if (tripleObj.isX86() && tripleObj.isArch64Bit() &&
        !chosen->checkFeatures("+64bit")) {
      error = "--target-cpu: '" + cpu + "' cannot run the 64-bit code of '" +
              triple + "'";
      return failure();
    }
  }
  // For the host, the features this CPU reports rather than the ones its
  // name implies: a virtual machine may hide some (AVX-512 is a common one).
  std::string features = target.features;
  if (target.cpu.empty() && tripleObj.isX86()) {
    std::string host;
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      host += (feature.second ? "+" : "-") + feature.first().str() + ",";
    features = host + target.features;
    if (!features.empty() && features.back() == ',')
      features.pop_back();
  }
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> machine(llvmTarget->createTargetMachine(
      tripleObj, cpu, features, options, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Default));
  if (!machine) {
    error =
        "cannot create a target machine for '" + triple + "' cpu '" + cpu + "'";
    return failure();
  }
  resolved.triple = triple;
  resolved.cpu = cpu;
  resolved.features = features;
  resolved.requiredFeatures.clear();
  if (tripleObj.isX86()) {
    const llvm::MCSubtargetInfo *subtarget = machine->getMCSubtargetInfo();
#define LLMO_RECORD_FEATURE(name)                                              \
  if (subtarget->checkFeatures("+" name))                                      \
    resolved.requiredFeatures.push_back(name);
    LLMO_X86_CPU_FEATURES(LLMO_RECORD_FEATURE)
#undef LLMO_RECORD_FEATURE
  }
  llvmModule->setTargetTriple(tripleObj);
  llvmModule->setDataLayout(machine->createDataLayout());

  // The standard O2 pipeline, for the generated loops: it vectorizes them
  // for the target CPU (the entry itself is straight-line kernel calls).
  {
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PassBuilder builder(machine.get());
    builder.registerModuleAnalyses(mam);
    builder.registerCGSCCAnalyses(cgam);
    builder.registerFunctionAnalyses(fam);
    builder.registerLoopAnalyses(lam);
    builder.crossRegisterProxies(lam, fam, cgam, mam);
    llvm::ModulePassManager passes =
        builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
    passes.run(*llvmModule, mam);
  }

  llvm::SmallVector<char, 0> objectBytes;
  {
    llvm::raw_svector_ostream stream(objectBytes);
    llvm::legacy::PassManager passes;
    if (machine->addPassesToEmitFile(passes, stream, nullptr,
                                     llvm::CodeGenFileType::ObjectFile)) {
      error = "the target machine cannot emit object files";
      return failure();
    }
    passes.run(*llvmModule);
  }

  // lld reads and writes files: stage them in the temporary directory.
  TempFile object, shared;
  int fd;
  if (llvm::sys::fs::createTemporaryFile("llmo-code", "o", fd, object.path) ||
      llvm::sys::fs::createTemporaryFile("llmo-code", "so", shared.path)) {
    error = "cannot create temporary files for linking";
    return failure();
  }
  {
    llvm::raw_fd_ostream out(fd, /*shouldClose=*/true);
    out.write(objectBytes.data(), objectBytes.size());
  }
  std::string linkerOutput;
  llvm::raw_string_ostream linkerStream(linkerOutput);
  std::vector<const char *> args = {
      "ld.lld", "-shared", "--hash-style=gnu",  "-z",
      "now",    "-o",      shared.path.c_str(), object.path.c_str()};
  lld::Result linked = lld::lldMain(args, linkerStream, linkerStream,
                                    {{lld::Gnu, &lld::elf::link}});
  if (linked.retCode != 0 || !linked.canRunAgain) {
    error = "linking the shared object failed: " + linkerOutput;
    if (linked.retCode == 0)
      error = "lld cannot be run again in this process";
    if (linked.retCode != 0)
      return failure();
  }
  auto buffer = llvm::MemoryBuffer::getFile(shared.path);
  if (!buffer) {
    error = "cannot read the linked shared object";
    return failure();
  }
  const uint8_t *begin = (const uint8_t *)(*buffer)->getBufferStart();
  return std::vector<uint8_t>(begin, begin + (*buffer)->getBufferSize());
}

} // namespace llmo
