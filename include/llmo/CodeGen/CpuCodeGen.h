//===- CpuCodeGen.h - llmo to native CPU code -----------------------------===//
//
// lowerToCpu() rewrites the module's `func.func @main` (static shapes, llmo
// ops) into `llvm.func @llmo_entry` (see llmo/Runtime/KernelAbi.h): a
// straight-line sequence of kernel calls whose operand addresses are
// constant offsets into the weight image and the activation arena. It
//   - plans the arena: every materialized value gets an interval from its
//     definition to its last use (reshape/storage_cast alias their operand
//     and extend its interval) and is placed greedily, largest first, at the
//     lowest offset not overlapping a live buffer (64-byte aligned);
//   - packs every linear's weight into its kernel's layout (Packing.h) and
//     appends it, with every other constant operand, to the weight image;
//   - folds ops whose operands are all constants with the interpreter.
// emitSharedObject() compiles the LLVM dialect module in-process with the
// host (or a given) TargetMachine and links it with lld into a shared
// object; writeArtifact() writes the .llmo file.
//
//===----------------------------------------------------------------------===//

#ifndef LLMO_CODEGEN_CPUCODEGEN_H
#define LLMO_CODEGEN_CPUCODEGEN_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Support/LLVM.h"

#include <cstdint>
#include <string>
#include <vector>

namespace llmo {

struct IoTensor {
  std::string name, dtype; // dtype as in the manifest: f32, i64, ...
  std::vector<int64_t> shape;
  int64_t ioIndex;
};

struct CpuLowering {
  std::vector<uint8_t> weights; // the weight image, 64-byte aligned pieces
  int64_t arenaBytes = 0;
  /// Sum of the sizes of all arena values (what the arena would be without
  /// reuse).
  int64_t unplannedBytes = 0;
  int64_t kernelCalls = 0;
  std::vector<IoTensor> inputs, outputs;
};

/// Registers the dialects and interface models the CPU code generator
/// uses (linalg, tensor, vector, bufferization, ... and the LLVM dialect).
void registerCpuCodeGenDialects(mlir::DialectRegistry &registry);

/// Lowers `module` in place; on failure an error naming the op has been
/// emitted.
mlir::FailureOr<CpuLowering> lowerToCpu(mlir::ModuleOp module);

struct CpuTargetOptions {
  std::string triple;   // empty: the host's
  std::string cpu;      // empty: the host's; e.g. "haswell", "x86-64-v3"
  std::string features; // extra LLVM features, e.g. "+avx2,+fma"
};

/// What the code was compiled for.
struct ResolvedCpuTarget {
  std::string triple, cpu;
  /// LLVM feature string the target machine was created with (for the
  /// host: every feature this CPU reports, then the user's).
  std::string features;
  /// The features of LLMO_X86_CPU_FEATURES (KernelAbi.h) that the target
  /// enables: the running CPU must have all of them.
  std::vector<std::string> requiredFeatures;
};

/// Compiles the lowered module to a shared object (bytes). `error` says why
/// not on failure.
mlir::FailureOr<std::vector<uint8_t>>
emitSharedObject(mlir::ModuleOp module, const CpuTargetOptions &target,
                 ResolvedCpuTarget &resolved, std::string &error);

/// Writes the .llmo artifact atomically (a temporary file renamed into
/// place, so a failure leaves no output). `extraManifest` holds additional
/// top-level JSON members ("key": value, comma separated, may be empty).
mlir::LogicalResult writeArtifact(llvm::StringRef path,
                                  const CpuLowering &lowering,
                                  const std::vector<uint8_t> &sharedObject,
                                  const std::string &extraManifest,
                                  std::string &error);

/// Size of the activation arena chosen by the planner for live intervals
/// [begin, end] (inclusive op indices) and sizes; `offsets` receives each
/// buffer's offset. Exposed for unit tests.
int64_t planArena(const std::vector<int64_t> &sizes,
                  const std::vector<std::pair<int64_t, int64_t>> &intervals,
                  std::vector<int64_t> &offsets);

} // namespace llmo

#endif
