//===- Report.h - llmo-compile's quantization report -------------*- C++
//-*-===//

#ifndef LLMO_TOOLS_LLMO_COMPILE_REPORT_H
#define LLMO_TOOLS_LLMO_COMPILE_REPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/JSON.h"

#include <string>

namespace llmo {

/// Builds the report of a compiled module: per-layer format, scales summary,
/// weight SQNR, outlier channels, bytes; totals; a memory estimate beside
/// the rule of thumb M = P * 4 / (32 / Q) * 1.2; and, when `floatModule`
/// and calibration data are given, the end-to-end output error of the
/// compiled module against float on the calibration samples.
llvm::json::Object buildReport(mlir::ModuleOp compiled,
                               mlir::ModuleOp floatModule,
                               const std::string &calibrationData,
                               const std::string &quant);

/// The report as a readable table.
std::string reportTable(const llvm::json::Object &report);

} // namespace llmo

#endif // LLMO_TOOLS_LLMO_COMPILE_REPORT_H
