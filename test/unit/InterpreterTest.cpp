//===- InterpreterTest.cpp - Reference interpreter kernel tests -----------===//
//
// Each test runs a small function on the interpreter and compares with
// values computed by hand from docs/Dialect.md (and, for the ONNX-derived
// ops, from the ONNX reference semantics).
//
//===----------------------------------------------------------------------===//

#include "llmo/Interpreter/Interpreter.h"
#include "llmo/InitAll.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace llmo;

namespace {

class InterpreterTest : public ::testing::Test {
protected:
  InterpreterTest() {
    DialectRegistry registry;
    registerAllDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
  }

  /// Runs @main of `ir` on `inputs`; failure when parsing or running fails.
  FailureOr<std::vector<Tensor>> run(const std::string &ir,
                                     std::vector<Tensor> inputs) {
    module = parseSourceString<ModuleOp>(ir, &context);
    if (!module)
      return failure();
    auto func = module->lookupSymbol<func::FuncOp>("main");
    if (!func)
      return failure();
    return runFunction(func, std::move(inputs));
  }

  static Tensor floats(std::vector<int64_t> shape, std::vector<float> values) {
    Tensor t(DType::F32, std::move(shape));
    t.floats = std::move(values);
    return t;
  }
  static Tensor ints(DType dtype, std::vector<int64_t> shape,
                     std::vector<int64_t> values) {
    Tensor t(dtype, std::move(shape));
    t.ints = std::move(values);
    return t;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

TEST_F(InterpreterTest, AddBroadcasts) {
  auto out =
      run(R"(
    func.func @main(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
      %0 = llmo.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
      return %0 : tensor<2x3xf32>
    })",
          {floats({2, 3}, {1, 2, 3, 4, 5, 6}), floats({3}, {10, 20, 30})});
  ASSERT_TRUE(succeeded(out));
  EXPECT_EQ((*out)[0].floats, (std::vector<float>{11, 22, 33, 14, 25, 36}));
}

TEST_F(InterpreterTest, IntegerDivisionTruncatesAndWraps) {
  auto out = run(
      R"(
    func.func @main(%a: tensor<3xi64>, %b: tensor<3xi64>) -> tensor<3xi64> {
      %0 = llmo.div %a, %b : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
      return %0 : tensor<3xi64>
    })",
      {ints(DType::I64, {3}, {7, -7, 9}), ints(DType::I64, {3}, {2, 2, -4})});
  ASSERT_TRUE(succeeded(out));
  EXPECT_EQ((*out)[0].ints, (std::vector<int64_t>{3, -3, -2}));
}

TEST_F(InterpreterTest, IntegerDivisionByZeroIsAnError) {
  auto out = run(R"(
    func.func @main(%a: tensor<1xi64>, %b: tensor<1xi64>) -> tensor<1xi64> {
      %0 = llmo.div %a, %b : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
      return %0 : tensor<1xi64>
    })",
                 {ints(DType::I64, {1}, {1}), ints(DType::I64, {1}, {0})});
  EXPECT_TRUE(failed(out));
}

TEST_F(InterpreterTest, MatmulBroadcastsBatch) {
  // [2,1,2] x [2,1]: batch 2 against an unbatched rhs.
  auto out = run(R"(
    func.func @main(%a: tensor<2x1x2xf32>, %b: tensor<2x1xf32>) -> tensor<2x1x1xf32> {
      %0 = llmo.matmul %a, %b : (tensor<2x1x2xf32>, tensor<2x1xf32>) -> tensor<2x1x1xf32>
      return %0 : tensor<2x1x1xf32>
    })",
                 {floats({2, 1, 2}, {1, 2, 3, 4}), floats({2, 1}, {10, 100})});
  ASSERT_TRUE(succeeded(out));
  EXPECT_EQ((*out)[0].floats, (std::vector<float>{210, 430}));
}

TEST_F(InterpreterTest, LinearWithBias) {
  auto out = run(R"(
    func.func @main(%x: tensor<1x2xf32>) -> tensor<1x3xf32> {
      %w = llmo.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
      %b = llmo.constant dense<[0.5, 0.5, 0.5]> : tensor<3xf32>
      %0 = llmo.linear %x, %w, %b : (tensor<1x2xf32>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<1x3xf32>
      return %0 : tensor<1x3xf32>
    })",
                 {floats({1, 2}, {1, -1})});
  ASSERT_TRUE(succeeded(out));
  EXPECT_EQ((*out)[0].floats, (std::vector<float>{-2.5f, -2.5f, -2.5f}));
}

TEST_F(InterpreterTest, SoftmaxIsStableForLargeInputs) {
  auto out = run(R"(
    func.func @main(%x: tensor<1x3xf32>) -> tensor<1x3xf32> {
      %0 = llmo.softmax %x {axis = 1 : i64} : tensor<1x3xf32>
      return %0 : tensor<1x3xf32>
    })",
                 {floats({1, 3}, {1000, 1000, -3.4e38f})});
  ASSERT_TRUE(succeeded(out));
  EXPECT_FLOAT_EQ((*out)[0].floats[0], 0.5f);
  EXPECT_FLOAT_EQ((*out)[0].floats[1], 0.5f);
  EXPECT_FLOAT_EQ((*out)[0].floats[2], 0.0f);
}

TEST_F(InterpreterTest, LayerNormAndRmsNorm) {
  auto out = run(R"(
    func.func @main(%x: tensor<1x4xf32>) -> (tensor<1x4xf32>, tensor<1x4xf32>) {
      %s = llmo.constant dense<[1.0, 2.0, 1.0, 1.0]> : tensor<4xf32>
      %b = llmo.constant dense<[0.0, 0.0, 0.0, 1.0]> : tensor<4xf32>
      %0 = llmo.layer_norm %x, %s, %b {axis = 1 : i64, epsilon = 0.0 : f32} : (tensor<1x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
      %1 = llmo.rms_norm %x, %s {axis = 1 : i64, epsilon = 0.0 : f32} : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
      return %0, %1 : tensor<1x4xf32>, tensor<1x4xf32>
    })",
                 {floats({1, 4}, {1, 1, 3, 3})});
  ASSERT_TRUE(succeeded(out));
  // mean 2, var 1: (x - 2) * scale + bias.
  EXPECT_EQ((*out)[0].floats, (std::vector<float>{-1, -2, 1, 2}));
  // rms = sqrt((1+1+9+9)/4) = sqrt(5).
  float r = std::sqrt(5.0f);
  EXPECT_NEAR((*out)[1].floats[0], 1 / r, 1e-6);
  EXPECT_NEAR((*out)[1].floats[1], 2 / r, 1e-6);
  EXPECT_NEAR((*out)[1].floats[3], 3 / r, 1e-6);
}

TEST_F(InterpreterTest, GeluExactAndTanh) {
  auto out = run(R"(
    func.func @main(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
      %0 = llmo.gelu %x : tensor<2xf32>
      %1 = llmo.gelu %x {approximate = "tanh"} : tensor<2xf32>
      return %0, %1 : tensor<2xf32>, tensor<2xf32>
    })",
                 {floats({2}, {1.0f, -2.0f})});
  ASSERT_TRUE(succeeded(out));
  EXPECT_NEAR((*out)[0].floats[0], 0.8413447f, 1e-6);
  EXPECT_NEAR((*out)[0].floats[1], -0.0455003f, 1e-6);
  EXPECT_NEAR((*out)[1].floats[0], 0.8411920f, 1e-6);
}

TEST_F(InterpreterTest, TransposeSliceConcat) {
  auto out = run(R"(
    func.func @main(%x: tensor<2x3xf32>) -> (tensor<3x2xf32>, tensor<2x2xf32>, tensor<4x3xf32>) {
      %t = llmo.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
      %s = llmo.slice %x {starts = array<i64: 0, 2>, steps = array<i64: 1, -2>} : tensor<2x3xf32> -> tensor<2x2xf32>
      %c = llmo.concat %x, %x {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
      return %t, %s, %c : tensor<3x2xf32>, tensor<2x2xf32>, tensor<4x3xf32>
    })",
                 {floats({2, 3}, {1, 2, 3, 4, 5, 6})});
  ASSERT_TRUE(succeeded(out));
  EXPECT_EQ((*out)[0].floats, (std::vector<float>{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ((*out)[1].floats, (std::vector<float>{3, 1, 6, 4}));
  EXPECT_EQ((*out)[2].floats,
            (std::vector<float>{1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6}));
}

TEST_F(InterpreterTest, GatherNegativeIndicesAndOutOfRange) {
  const char *ir = R"(
    func.func @main(%d: tensor<3x2xf32>, %i: tensor<2xi64>) -> tensor<2x2xf32> {
      %0 = llmo.gather %d, %i {axis = 0 : i64} : (tensor<3x2xf32>, tensor<2xi64>) -> tensor<2x2xf32>
      return %0 : tensor<2x2xf32>
    })";
  Tensor data = floats({3, 2}, {1, 2, 3, 4, 5, 6});
  auto out = run(ir, {data, ints(DType::I64, {2}, {-1, 0})});
  ASSERT_TRUE(succeeded(out));
  EXPECT_EQ((*out)[0].floats, (std::vector<float>{5, 6, 1, 2}));
  EXPECT_TRUE(failed(run(ir, {data, ints(DType::I64, {2}, {3, 0})})));
}

TEST_F(InterpreterTest, ReductionsKeepDims) {
  auto out = run(R"(
    func.func @main(%x: tensor<2x3xf32>) -> (tensor<2x1xf32>, tensor<3xf32>) {
      %0 = llmo.reduce_mean %x {axes = array<i64: 1>, keepdims = true} : tensor<2x3xf32> -> tensor<2x1xf32>
      %1 = llmo.reduce_max %x {axes = array<i64: 0>, keepdims = false} : tensor<2x3xf32> -> tensor<3xf32>
      return %0, %1 : tensor<2x1xf32>, tensor<3xf32>
    })",
                 {floats({2, 3}, {1, 2, 3, 4, 8, 0})});
  ASSERT_TRUE(succeeded(out));
  EXPECT_EQ((*out)[0].floats, (std::vector<float>{2, 4}));
  EXPECT_EQ((*out)[1].floats, (std::vector<float>{4, 8, 3}));
}

TEST_F(InterpreterTest, CastTruncatesTowardZero) {
  auto out = run(R"(
    func.func @main(%x: tensor<4xf32>) -> (tensor<4xi64>, tensor<4xi1>) {
      %0 = llmo.cast %x : tensor<4xf32> -> tensor<4xi64>
      %1 = llmo.cast %x : tensor<4xf32> -> tensor<4xi1>
      return %0, %1 : tensor<4xi64>, tensor<4xi1>
    })",
                 {floats({4}, {1.7f, -1.7f, 0.0f, 0.2f})});
  ASSERT_TRUE(succeeded(out));
  EXPECT_EQ((*out)[0].ints, (std::vector<int64_t>{1, -1, 0, 0}));
  EXPECT_EQ((*out)[1].ints, (std::vector<int64_t>{1, 1, 0, 1}));
}

TEST_F(InterpreterTest, QuantizeRoundsHalfToEvenAndSaturates) {
  auto out =
      run(R"(
    func.func @main(%x: tensor<6xf32>) -> tensor<6xi8> {
      %q = llmo.quantize %x : tensor<6xf32> -> tensor<6x!quant.uniform<i8:f32, 0.5:1>>
      %s = llmo.storage_cast %q : tensor<6x!quant.uniform<i8:f32, 0.5:1>> -> tensor<6xi8>
      return %s : tensor<6xi8>
    })",
          {floats({6}, {0.25f, 0.75f, -0.25f, 1000.0f, -1000.0f, 1.0f})});
  ASSERT_TRUE(succeeded(out));
  // x/0.5 = 0.5 -> 0, 1.5 -> 2, -0.5 -> -0; then + 1, saturated to [-128,127].
  EXPECT_EQ((*out)[0].ints, (std::vector<int64_t>{1, 3, 1, 127, -128, 3}));
}

TEST_F(InterpreterTest, PerAxisDequantize) {
  auto out = run(R"(
    func.func @main(%x: tensor<2x2xi8>) -> tensor<2x2xf32> {
      %q = llmo.storage_cast %x : tensor<2x2xi8> -> tensor<2x2x!quant.uniform<i8:f32:1, {0.5:0, 2.0:-1}>>
      %d = llmo.dequantize %q : tensor<2x2x!quant.uniform<i8:f32:1, {0.5:0, 2.0:-1}>> -> tensor<2x2xf32>
      return %d : tensor<2x2xf32>
    })",
                 {ints(DType::I8, {2, 2}, {2, 3, -4, -1})});
  ASSERT_TRUE(succeeded(out));
  EXPECT_EQ((*out)[0].floats, (std::vector<float>{1, 8, -2, 0}));
}

TEST_F(InterpreterTest, SubChannelDequantize) {
  // Blocks of 2 along dim 1: scales [[1, 10]] for a 1x4 tensor.
  auto out = run(R"(
    func.func @main(%x: tensor<1x4xi8>) -> tensor<1x4xf32> {
      %q = llmo.storage_cast %x : tensor<1x4xi8> -> tensor<1x4x!quant.uniform<i8:f32:{1:2}, {{1.0:0, 10.0:1}}>>
      %d = llmo.dequantize %q : tensor<1x4x!quant.uniform<i8:f32:{1:2}, {{1.0:0, 10.0:1}}>> -> tensor<1x4xf32>
      return %d : tensor<1x4xf32>
    })",
                 {ints(DType::I8, {1, 4}, {1, 2, 1, 2})});
  ASSERT_TRUE(succeeded(out));
  EXPECT_EQ((*out)[0].floats, (std::vector<float>{1, 2, 0, 10}));
}

TEST_F(InterpreterTest, DynamicQuantizeMatchesOnnxReference) {
  // The ONNX DynamicQuantizeLinear example: x = [0, 2, -3, -2.5, 1.34, 0.5]
  // gives scale 5/255, zero point 153 and y = [153, 255, 0, 26, 221, 179].
  auto out = run(R"(
    func.func @main(%x: tensor<6xf32>) -> (tensor<6xui8>, tensor<f32>, tensor<ui8>) {
      %y, %s, %z = llmo.dynamic_quantize %x : tensor<6xf32> -> tensor<6xui8>, tensor<f32>, tensor<ui8>
      return %y, %s, %z : tensor<6xui8>, tensor<f32>, tensor<ui8>
    })",
                 {floats({6}, {0, 2, -3, -2.5f, 1.34f, 0.5f})});
  ASSERT_TRUE(succeeded(out));
  EXPECT_EQ((*out)[0].ints, (std::vector<int64_t>{153, 255, 0, 26, 221, 179}));
  EXPECT_FLOAT_EQ((*out)[1].floats[0], 5.0f / 255.0f);
  EXPECT_EQ((*out)[2].ints[0], 153);
}

TEST_F(InterpreterTest, MatmulIntegerSubtractsZeroPoints) {
  auto out = run(R"(
    func.func @main(%a: tensor<1x2xui8>, %b: tensor<2x1xi8>) -> tensor<1x1xi32> {
      %az = llmo.constant dense<10> : tensor<ui8>
      %bz = llmo.constant dense<-1> : tensor<i8>
      %0 = llmo.matmul_integer %a, %b, %az, %bz : (tensor<1x2xui8>, tensor<2x1xi8>, tensor<ui8>, tensor<i8>) -> tensor<1x1xi32>
      return %0 : tensor<1x1xi32>
    })",
                 {ints(DType::U8, {1, 2}, {255, 0}),
                  ints(DType::I8, {2, 1}, {127, -128})});
  ASSERT_TRUE(succeeded(out));
  // (255-10)*(127+1) + (0-10)*(-128+1) = 31360 + 1270.
  EXPECT_EQ((*out)[0].ints[0], 32630);
}

TEST_F(InterpreterTest, WrongInputShapeIsRejected) {
  auto out = run(R"(
    func.func @main(%a: tensor<2xf32>) -> tensor<2xf32> {
      return %a : tensor<2xf32>
    })",
                 {floats({3}, {1, 2, 3})});
  EXPECT_TRUE(failed(out));
}

TEST_F(InterpreterTest, CumSumAndWhere) {
  auto out = run(R"(
    func.func @main(%x: tensor<4xi64>, %c: tensor<4xi1>) -> (tensor<4xi64>, tensor<4xi64>) {
      %0 = llmo.cumsum %x {axis = 0 : i64} : tensor<4xi64>
      %z = llmo.constant dense<0> : tensor<i64>
      %1 = llmo.where %c, %x, %z : (tensor<4xi1>, tensor<4xi64>, tensor<i64>) -> tensor<4xi64>
      return %0, %1 : tensor<4xi64>, tensor<4xi64>
    })",
                 {ints(DType::I64, {4}, {1, 2, 3, 4}),
                  ints(DType::I1, {4}, {1, 0, 1, 0})});
  ASSERT_TRUE(succeeded(out));
  EXPECT_EQ((*out)[0].ints, (std::vector<int64_t>{1, 3, 6, 10}));
  EXPECT_EQ((*out)[1].ints, (std::vector<int64_t>{1, 0, 3, 0}));
}

} // namespace
