//===- LlmoDialect.td - The llmo dialect -------------------*- tablegen -*-===//
//
// The llmo dialect: transformer graphs on ranked, statically shaped tensors,
// with quantized values typed by upstream `!quant.uniform` types.
//
//===----------------------------------------------------------------------===//

#ifndef LLMO_DIALECT
#define LLMO_DIALECT

include "mlir/IR/OpBase.td"

def Llmo_Dialect : Dialect {
  let name = "llmo";
  let cppNamespace = "::llmo";
  let summary = "Transformer graphs on tensors, float and quantized";
  let description = [{
    Every value is a ranked, statically shaped tensor. Float element types
    are f32, f16 and bf16; integers are i1 (bool), i4, i8, ui8, i32 and i64;
    quantized tensors use `!quant.uniform` element types (per-tensor,
    per-axis and sub-channel). The semantics of every op, including rounding
    and saturation, are written in docs/Dialect.md and implemented by the
    reference interpreter (lib/Interpreter).
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
  let hasConstantMaterializer = 1;
  let useDefaultAttributePrinterParser = 0;
}

#endif // LLMO_DIALECT
