//===- llmo-opt.cpp - Run llmo passes on IR -------------------------------===//

#include "llmo/InitAll.h"

#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  llmo::registerAllDialects(registry);
  llmo::registerAllPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "llmo optimizer driver\n", registry));
}
