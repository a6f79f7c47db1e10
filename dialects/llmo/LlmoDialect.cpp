//===- LlmoDialect.cpp - llmo dialect registration ------------------------===//

#include "llmo/Dialect/Llmo.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"

using namespace mlir;
using namespace llmo;

#include "LlmoDialect.cpp.inc"

void LlmoDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "LlmoOps.cpp.inc"
      >();
}

Operation *LlmoDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                            Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, type, elements);
}
