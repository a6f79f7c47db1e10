//===- Interpreter.cpp - llmo reference interpreter -----------------------===//
//
// One kernel per op, written for clarity. Float math is done in float (sums
// and norm statistics in double, which only makes the oracle more exact);
// f16/bf16 results are rounded to their type; integer arithmetic wraps to
// the result width. Quantization follows docs/Dialect.md: round half to
// even, saturate to the storage range.
//
//===----------------------------------------------------------------------===//

#include "llmo/Interpreter/Interpreter.h"
#include "llmo/Dialect/Llmo.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <numeric>

using namespace mlir;

namespace llmo {
namespace {

std::vector<int64_t> shapeOf(Value value) {
  auto shape = cast<RankedTensorType>(value.getType()).getShape();
  return std::vector<int64_t>(shape.begin(), shape.end());
}

DType dtypeOfValue(Value value) {
  return *dtypeOf(cast<RankedTensorType>(value.getType()).getElementType());
}

Tensor resultTensor(Value result) {
  return Tensor(dtypeOfValue(result), shapeOf(result));
}

std::vector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

int64_t product(ArrayRef<int64_t> dims) {
  return std::accumulate(dims.begin(), dims.end(), int64_t(1),
                         std::multiplies<int64_t>());
}

/// Calls fn(outIndex, offsets) for every element of `outShape`, where
/// offsets[j] is the flat index into operand j broadcast numpy-style.
template <typename Fn>
void forEachBroadcast(ArrayRef<int64_t> outShape,
                      ArrayRef<std::vector<int64_t>> operandShapes, Fn fn) {
  size_t rank = outShape.size(), count = operandShapes.size();
  std::vector<std::vector<int64_t>> strides(count,
                                            std::vector<int64_t>(rank, 0));
  for (size_t j = 0; j < count; ++j) {
    const std::vector<int64_t> &shape = operandShapes[j];
    std::vector<int64_t> s = stridesOf(shape);
    for (size_t d = 0; d < shape.size(); ++d)
      strides[j][d + rank - shape.size()] = shape[d] == 1 ? 0 : s[d];
  }
  std::vector<int64_t> index(rank, 0), offsets(count, 0);
  int64_t total = product(outShape);
  for (int64_t i = 0; i < total; ++i) {
    fn(i, offsets.data());
    for (int64_t d = (int64_t)rank - 1; d >= 0; --d) {
      ++index[d];
      for (size_t j = 0; j < count; ++j)
        offsets[j] += strides[j][d];
      if (index[d] < outShape[d])
        break;
      for (size_t j = 0; j < count; ++j)
        offsets[j] -= strides[j][d] * outShape[d];
      index[d] = 0;
    }
  }
}

/// Calls fn(outIndex, inOffset) for every element of an output whose element
/// at multi-index idx reads the input at base + sum(idx[d] * strides[d]).
template <typename Fn>
void forEachStrided(ArrayRef<int64_t> outShape, ArrayRef<int64_t> strides,
                    int64_t base, Fn fn) {
  size_t rank = outShape.size();
  std::vector<int64_t> index(rank, 0);
  int64_t offset = base, total = product(outShape);
  for (int64_t i = 0; i < total; ++i) {
    fn(i, offset);
    for (int64_t d = (int64_t)rank - 1; d >= 0; --d) {
      ++index[d];
      offset += strides[d];
      if (index[d] < outShape[d])
        break;
      offset -= strides[d] * outShape[d];
      index[d] = 0;
    }
  }
}

/// Copies element `from` of `src` to element `to` of `dst` (same dtype).
inline void copyElement(const Tensor &src, int64_t from, Tensor &dst,
                        int64_t to) {
  if (isFloat(src.dtype))
    dst.floats[to] = src.floats[from];
  else
    dst.ints[to] = src.ints[from];
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

template <typename FloatFn, typename IntFn>
FailureOr<Tensor> binary(Operation *op, const Tensor &lhs, const Tensor &rhs,
                         FloatFn floatFn, IntFn intFn) {
  Tensor out = resultTensor(op->getResult(0));
  bool failedInt = false;
  forEachBroadcast(
      out.shape, {lhs.shape, rhs.shape}, [&](int64_t i, const int64_t *off) {
        if (isFloat(lhs.dtype)) {
          float value = floatFn(lhs.floats[off[0]], rhs.floats[off[1]]);
          if (isFloat(out.dtype))
            out.floats[i] = roundToDType(value, out.dtype);
          else
            out.ints[i] = value != 0.0f;
        } else {
          std::optional<int64_t> value =
              intFn(lhs.ints[off[0]], rhs.ints[off[1]]);
          if (!value)
            failedInt = true;
          else
            out.ints[i] = wrapToDType(*value, out.dtype);
        }
      });
  if (failedInt)
    return op->emitError("integer division by zero or negative exponent");
  return out;
}

using OptInt = std::optional<int64_t>;

// Two's-complement arithmetic without signed-overflow UB: computed in
// uint64_t, then wrapped to the result width by the caller.
int64_t wrapAdd(int64_t a, int64_t b) {
  return (int64_t)((uint64_t)a + (uint64_t)b);
}
int64_t wrapSub(int64_t a, int64_t b) {
  return (int64_t)((uint64_t)a - (uint64_t)b);
}
int64_t wrapMul(int64_t a, int64_t b) {
  return (int64_t)((uint64_t)a * (uint64_t)b);
}

/// base^exp by squaring, wrapping (exp >= 0).
int64_t intPow(int64_t base, int64_t exp) {
  uint64_t result = 1, b = (uint64_t)base;
  for (; exp > 0; exp >>= 1) {
    if (exp & 1)
      result *= b;
    b *= b;
  }
  return (int64_t)result;
}

FailureOr<Tensor> evalBinary(Operation *op, const Tensor &l, const Tensor &r) {
  return TypeSwitch<Operation *, FailureOr<Tensor>>(op)
      .Case([&](AddOp) {
        return binary(
            op, l, r, [](float a, float b) { return a + b; },
            [](int64_t a, int64_t b) -> OptInt { return wrapAdd(a, b); });
      })
      .Case([&](SubOp) {
        return binary(
            op, l, r, [](float a, float b) { return a - b; },
            [](int64_t a, int64_t b) -> OptInt { return wrapSub(a, b); });
      })
      .Case([&](MulOp) {
        return binary(
            op, l, r, [](float a, float b) { return a * b; },
            [](int64_t a, int64_t b) -> OptInt { return wrapMul(a, b); });
      })
      .Case([&](DivOp) {
        return binary(
            op, l, r, [](float a, float b) { return a / b; },
            [](int64_t a, int64_t b) -> OptInt {
              if (b == 0)
                return std::nullopt;
              if (b == -1) // INT64_MIN / -1 wraps.
                return wrapSub(0, a);
              return a / b;
            });
      })
      .Case([&](PowOp) {
        return binary(
            op, l, r, [](float a, float b) { return std::pow(a, b); },
            [](int64_t a, int64_t b) -> OptInt {
              if (b < 0)
                return std::nullopt;
              return intPow(a, b);
            });
      })
      .Case([&](MaxOp) {
        return binary(
            op, l, r,
            [](float a, float b) {
              return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b);
            },
            [](int64_t a, int64_t b) -> OptInt { return std::max(a, b); });
      })
      .Case([&](MinOp) {
        return binary(
            op, l, r,
            [](float a, float b) {
              return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b);
            },
            [](int64_t a, int64_t b) -> OptInt { return std::min(a, b); });
      })
      .Case([&](AndOp) {
        return binary(
            op, l, r, [](float a, float b) { return float(a != 0 && b != 0); },
            [](int64_t a, int64_t b) -> OptInt { return a & b; });
      })
      .Case([&](OrOp) {
        return binary(
            op, l, r, [](float a, float b) { return float(a != 0 || b != 0); },
            [](int64_t a, int64_t b) -> OptInt { return a | b; });
      })
      .Case([&](EqualOp) {
        return binary(
            op, l, r, [](float a, float b) { return float(a == b); },
            [](int64_t a, int64_t b) -> OptInt { return a == b; });
      })
      .Case([&](LessOp) {
        return binary(
            op, l, r, [](float a, float b) { return float(a < b); },
            [](int64_t a, int64_t b) -> OptInt { return a < b; });
      })
      .Case([&](LessEqualOp) {
        return binary(
            op, l, r, [](float a, float b) { return float(a <= b); },
            [](int64_t a, int64_t b) -> OptInt { return a <= b; });
      })
      .Case([&](GreaterOp) {
        return binary(
            op, l, r, [](float a, float b) { return float(a > b); },
            [](int64_t a, int64_t b) -> OptInt { return a > b; });
      })
      .Case([&](GreaterEqualOp) {
        return binary(
            op, l, r, [](float a, float b) { return float(a >= b); },
            [](int64_t a, int64_t b) -> OptInt { return a >= b; });
      })
      .Default([&](Operation *) -> FailureOr<Tensor> {
        return op->emitError("not a binary op");
      });
}

float gelu(float x, bool tanhApprox) {
  if (tanhApprox) {
    const float c = std::sqrt(2.0f / (float)M_PI);
    return 0.5f * x * (1.0f + std::tanh(c * (x + 0.044715f * x * x * x)));
  }
  return 0.5f * x * (1.0f + std::erf(x / std::sqrt(2.0f)));
}

/// A unary float function per op, or null for ops that are not float-unary.
std::function<float(float)> unaryFloatFn(Operation *op) {
  return TypeSwitch<Operation *, std::function<float(float)>>(op)
      .Case([](NegOp) { return [](float x) { return -x; }; })
      .Case([](AbsOp) { return [](float x) { return std::fabs(x); }; })
      .Case([](ExpOp) { return [](float x) { return std::exp(x); }; })
      .Case([](LogOp) { return [](float x) { return std::log(x); }; })
      .Case([](SqrtOp) { return [](float x) { return std::sqrt(x); }; })
      .Case([](RsqrtOp) { return [](float x) { return 1.0f / std::sqrt(x); }; })
      .Case([](ReciprocalOp) { return [](float x) { return 1.0f / x; }; })
      .Case([](TanhOp) { return [](float x) { return std::tanh(x); }; })
      .Case([](ErfOp) { return [](float x) { return std::erf(x); }; })
      .Case([](SigmoidOp) {
        return [](float x) { return 1.0f / (1.0f + std::exp(-x)); };
      })
      .Case([](SinOp) { return [](float x) { return std::sin(x); }; })
      .Case([](CosOp) { return [](float x) { return std::cos(x); }; })
      .Case([](ReluOp) {
        return [](float x) { return std::isnan(x) || x > 0 ? x : 0.0f; };
      })
      .Case([](SiluOp) {
        return [](float x) { return x / (1.0f + std::exp(-x)); };
      })
      .Case([](FloorOp) { return [](float x) { return std::floor(x); }; })
      .Case([](GeluOp gelu) {
        bool approx = gelu.getApproximate() == "tanh";
        return [approx](float x) { return llmo::gelu(x, approx); };
      })
      .Default([](Operation *) { return nullptr; });
}

FailureOr<Tensor> evalUnary(Operation *op, const Tensor &in) {
  Tensor out = resultTensor(op->getResult(0));
  if (isa<NotOp>(op)) {
    for (int64_t i = 0; i < in.numElements(); ++i)
      out.ints[i] = in.ints[i] ? 0 : 1;
    return out;
  }
  if (!isFloat(in.dtype)) {
    // Integer forms of the ops that have one.
    for (int64_t i = 0; i < in.numElements(); ++i) {
      int64_t x = in.ints[i];
      if (isa<NegOp>(op))
        x = wrapSub(0, x);
      else if (isa<AbsOp>(op))
        x = x < 0 ? wrapSub(0, x) : x;
      else if (isa<ReluOp>(op))
        x = x > 0 ? x : 0;
      else if (!isa<FloorOp>(op))
        return op->emitError("op has no integer semantics");
      out.ints[i] = wrapToDType(x, out.dtype);
    }
    return out;
  }
  std::function<float(float)> fn = unaryFloatFn(op);
  for (int64_t i = 0; i < in.numElements(); ++i)
    out.floats[i] = roundToDType(fn(in.floats[i]), out.dtype);
  return out;
}

Tensor evalWhere(WhereOp op, const Tensor &c, const Tensor &a,
                 const Tensor &b) {
  Tensor out = resultTensor(op.getResult());
  forEachBroadcast(out.shape, {c.shape, a.shape, b.shape},
                   [&](int64_t i, const int64_t *off) {
                     if (c.ints[off[0]])
                       copyElement(a, off[1], out, i);
                     else
                       copyElement(b, off[2], out, i);
                   });
  return out;
}

/// The scalar body of an llmo.elementwise, flattened once into a list of
/// instructions over float slots (i1 values as 0/1) and then run per
/// element.
class ScalarProgram {
public:
  static FailureOr<ScalarProgram> compile(Block &body) {
    ScalarProgram program;
    llvm::DenseMap<Value, int> slotOf;
    for (BlockArgument arg : body.getArguments())
      slotOf[arg] = program.numSlots++;
    for (Operation &op : body) {
      if (auto yield = dyn_cast<YieldOp>(op)) {
        program.resultSlot = slotOf.lookup(yield.getValue());
        break;
      }
      Instr instr;
      instr.op = &op;
      for (auto [i, operand] : llvm::enumerate(op.getOperands()))
        instr.in[i] = slotOf.lookup(operand);
      if (auto c = dyn_cast<arith::ConstantOp>(op)) {
        if (auto f = dyn_cast<FloatAttr>(c.getValue()))
          instr.constant = (float)f.getValueAsDouble();
        else if (auto b = dyn_cast<IntegerAttr>(c.getValue()))
          instr.constant = b.getValue().isZero() ? 0.0f : 1.0f;
        else
          return op.emitOpError("has an unsupported constant in an "
                                "llmo.elementwise body");
        instr.kind = Instr::Constant;
      } else if (failed(instr.classify())) {
        return op.emitOpError("is not supported by the interpreter in an "
                              "llmo.elementwise body");
      }
      instr.out = program.numSlots++;
      slotOf[op.getResult(0)] = instr.out;
      program.instrs.push_back(instr);
    }
    return program;
  }

  int numSlots = 0, resultSlot = 0;

  float run(float *slots) const {
    for (const Instr &instr : instrs)
      slots[instr.out] = instr.eval(slots);
    return slots[resultSlot];
  }

private:
  struct Instr {
    enum Kind {
      Constant,
      Add,
      Sub,
      Mul,
      Div,
      Neg,
      Maximum,
      Minimum,
      MaxNum,
      MinNum,
      Cmp,
      Select,
      Exp,
      Log,
      Sqrt,
      Rsqrt,
      Tanh,
      Erf,
      Abs,
      Floor,
      Sin,
      Cos,
      Pow,
      Fma
    } kind = Constant;
    Operation *op = nullptr;
    int in[3] = {0, 0, 0};
    int out = 0;
    float constant = 0;
    arith::CmpFPredicate predicate = arith::CmpFPredicate::AlwaysFalse;

    LogicalResult classify() {
      std::optional<Kind> k =
          TypeSwitch<Operation *, std::optional<Kind>>(op)
              .Case([](arith::AddFOp) { return Add; })
              .Case([](arith::SubFOp) { return Sub; })
              .Case([](arith::MulFOp) { return Mul; })
              .Case([](arith::DivFOp) { return Div; })
              .Case([](arith::NegFOp) { return Neg; })
              .Case([](arith::MaximumFOp) { return Maximum; })
              .Case([](arith::MinimumFOp) { return Minimum; })
              .Case([](arith::MaxNumFOp) { return MaxNum; })
              .Case([](arith::MinNumFOp) { return MinNum; })
              .Case([&](arith::CmpFOp c) {
                predicate = c.getPredicate();
                return Cmp;
              })
              .Case([](arith::SelectOp) { return Select; })
              .Case([](math::ExpOp) { return Exp; })
              .Case([](math::LogOp) { return Log; })
              .Case([](math::SqrtOp) { return Sqrt; })
              .Case([](math::RsqrtOp) { return Rsqrt; })
              .Case([](math::TanhOp) { return Tanh; })
              .Case([](math::ErfOp) { return Erf; })
              .Case([](math::AbsFOp) { return Abs; })
              .Case([](math::FloorOp) { return Floor; })
              .Case([](math::SinOp) { return Sin; })
              .Case([](math::CosOp) { return Cos; })
              .Case([](math::PowFOp) { return Pow; })
              .Case([](math::FmaOp) { return Fma; })
              .Default([](Operation *) { return std::nullopt; });
      if (!k)
        return failure();
      kind = *k;
      return success();
    }

    float eval(const float *s) const {
      float a = s[in[0]], b = s[in[1]], c = s[in[2]];
      switch (kind) {
      case Constant:
        return constant;
      case Add:
        return a + b;
      case Sub:
        return a - b;
      case Mul:
        return a * b;
      case Div:
        return a / b;
      case Neg:
        return -a;
      case Maximum:
        return std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b);
      case Minimum:
        return std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b);
      case MaxNum:
        return std::fmax(a, b);
      case MinNum:
        return std::fmin(a, b);
      case Cmp:
        return compare(a, b) ? 1.0f : 0.0f;
      case Select:
        return a != 0 ? b : c;
      case Exp:
        return std::exp(a);
      case Log:
        return std::log(a);
      case Sqrt:
        return std::sqrt(a);
      case Rsqrt:
        return 1.0f / std::sqrt(a);
      case Tanh:
        return std::tanh(a);
      case Erf:
        return std::erf(a);
      case Abs:
        return std::fabs(a);
      case Floor:
        return std::floor(a);
      case Sin:
        return std::sin(a);
      case Cos:
        return std::cos(a);
      case Pow:
        return std::pow(a, b);
      case Fma:
        return std::fma(a, b, c);
      }
      return NAN;
    }

    bool compare(float a, float b) const {
      using P = arith::CmpFPredicate;
      bool unordered = std::isnan(a) || std::isnan(b);
      switch (predicate) {
      case P::AlwaysFalse:
        return false;
      case P::AlwaysTrue:
        return true;
      case P::OEQ:
        return !unordered && a == b;
      case P::OGT:
        return !unordered && a > b;
      case P::OGE:
        return !unordered && a >= b;
      case P::OLT:
        return !unordered && a < b;
      case P::OLE:
        return !unordered && a <= b;
      case P::ONE:
        return !unordered && a != b;
      case P::ORD:
        return !unordered;
      case P::UEQ:
        return unordered || a == b;
      case P::UGT:
        return unordered || a > b;
      case P::UGE:
        return unordered || a >= b;
      case P::ULT:
        return unordered || a < b;
      case P::ULE:
        return unordered || a <= b;
      case P::UNE:
        return unordered || a != b;
      case P::UNO:
        return unordered;
      }
      return false;
    }
  };

  std::vector<Instr> instrs;
};

FailureOr<Tensor> evalElementwise(ElementwiseOp op,
                                  ArrayRef<const Tensor *> inputs) {
  FailureOr<ScalarProgram> program =
      ScalarProgram::compile(op.getBody().front());
  if (failed(program))
    return failure();
  Tensor out = resultTensor(op.getResult());
  std::vector<std::vector<int64_t>> shapes;
  for (const Tensor *t : inputs)
    shapes.push_back(t->shape);
  std::vector<float> slots(program->numSlots, 0.0f);
  forEachBroadcast(out.shape, shapes, [&](int64_t i, const int64_t *off) {
    for (size_t j = 0; j < inputs.size(); ++j)
      slots[j] = inputs[j]->floats[off[j]];
    out.floats[i] = program->run(slots.data());
  });
  return out;
}

Tensor evalCast(CastOp op, const Tensor &in) {
  Tensor out = resultTensor(op.getResult());
  for (int64_t i = 0; i < in.numElements(); ++i) {
    if (isFloat(out.dtype)) {
      out.floats[i] = roundToDType(
          isFloat(in.dtype) ? in.floats[i] : (float)in.ints[i], out.dtype);
    } else if (out.dtype == DType::I1) {
      out.ints[i] = in.get(i) != 0;
    } else if (isFloat(in.dtype)) {
      // Out-of-range is undefined in ONNX; saturate (NaN -> 0) so that the
      // result is defined. The bounds are compared in double: 2^63 and
      // 2^31 - 1 are exact there, and 2^63 itself must saturate.
      double v = std::trunc((double)in.floats[i]);
      if (std::isnan(v))
        out.ints[i] = 0;
      else if (v >= (double)dtypeMax(out.dtype))
        out.ints[i] = dtypeMax(out.dtype);
      else if (v <= (double)dtypeMin(out.dtype))
        out.ints[i] = dtypeMin(out.dtype);
      else
        out.ints[i] = (int64_t)v;
    } else {
      out.ints[i] = wrapToDType(in.ints[i], out.dtype);
    }
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Linear algebra and normalization
//===----------------------------------------------------------------------===//

/// C[M,N] = A[M,K] * B[K,N] (+=) with f32 accumulation, row-major pointers.
void gemm(const float *a, const float *b, float *c, int64_t m, int64_t k,
          int64_t n) {
  for (int64_t i = 0; i < m; ++i) {
    float *row = c + i * n;
    for (int64_t p = 0; p < k; ++p) {
      float av = a[i * k + p];
      const float *brow = b + p * n;
      for (int64_t j = 0; j < n; ++j)
        row[j] += av * brow[j];
    }
  }
}

/// Calls fn(outBatch, lhsBatch, rhsBatch) for every batch of a matmul whose
/// batch dims broadcast.
template <typename Fn>
void forEachMatmulBatch(const Tensor &l, const Tensor &r, const Tensor &out,
                        Fn fn) {
  std::vector<int64_t> lb(l.shape.begin(), l.shape.end() - 2);
  std::vector<int64_t> rb(r.shape.begin(), r.shape.end() - 2);
  std::vector<int64_t> ob(out.shape.begin(), out.shape.end() - 2);
  forEachBroadcast(ob, {lb, rb}, [&](int64_t i, const int64_t *off) {
    fn(i, off[0], off[1]);
  });
}

Tensor evalMatmul(MatmulOp op, const Tensor &l, const Tensor &r) {
  Tensor out = resultTensor(op.getResult());
  int64_t m = l.shape[l.rank() - 2], k = l.shape.back(), n = r.shape.back();
  forEachMatmulBatch(l, r, out, [&](int64_t o, int64_t lo, int64_t ro) {
    gemm(l.floats.data() + lo * m * k, r.floats.data() + ro * k * n,
         out.floats.data() + o * m * n, m, k, n);
  });
  for (float &v : out.floats)
    v = roundToDType(v, out.dtype);
  return out;
}

Tensor evalLinear(Operation *op, const Tensor &x, const Tensor &w,
                  const Tensor *bias) {
  Tensor out = resultTensor(op->getResult(0));
  int64_t k = w.shape[0], n = w.shape[1];
  int64_t m = product(ArrayRef<int64_t>(x.shape).drop_back());
  gemm(x.floats.data(), w.floats.data(), out.floats.data(), m, k, n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      float &v = out.floats[i * n + j];
      v = roundToDType(bias ? v + bias->floats[j] : v, out.dtype);
    }
  return out;
}

/// fused_linear: act(x @ w + b) + residual, each step as its own op does.
/// The linears' epilogue: `activation` (as the op of that name), then
/// `residual` added, each rounded to the result type.
void applyLinearEpilogue(Tensor &out, StringRef act, const Tensor *residual) {
  for (float &v : out.floats) {
    if (act == "gelu")
      v = gelu(v, /*tanhApprox=*/false);
    else if (act == "gelu_tanh")
      v = gelu(v, /*tanhApprox=*/true);
    else if (act == "silu")
      v = v / (1.0f + std::exp(-v));
    else if (act == "relu")
      v = v < 0 ? 0.0f : v;
    v = roundToDType(v, out.dtype);
  }
  if (residual)
    for (size_t i = 0; i < out.floats.size(); ++i)
      out.floats[i] =
          roundToDType(out.floats[i] + residual->floats[i], out.dtype);
}

Tensor evalFusedLinear(FusedLinearOp op, const Tensor &x, const Tensor &w,
                       const Tensor *bias, const Tensor *residual) {
  Tensor out = evalLinear(op, x, w, bias);
  applyLinearEpilogue(out, op.getActivation(), residual);
  return out;
}

Tensor evalAttention(AttentionOp op, const Tensor &q, const Tensor &k,
                     const Tensor &v, const Tensor *mask) {
  Tensor out = resultTensor(op.getResult());
  int64_t rank = q.rank();
  int64_t sq = q.shape[rank - 2], d = q.shape[rank - 1], sk = k.shape[rank - 2],
          dv = v.shape[rank - 1];
  int64_t batches = product(ArrayRef<int64_t>(q.shape).drop_back(2));
  // Query heads per key/value head (grouped-query attention).
  int64_t kvBatches = product(ArrayRef<int64_t>(k.shape).drop_back(2));
  int64_t group = kvBatches > 0 ? batches / kvBatches : 1;
  float scale = op.getScale().convertToFloat();
  std::vector<int64_t> scoreShape(q.shape.begin(), q.shape.end() - 2);
  scoreShape.push_back(sq);
  scoreShape.push_back(sk);
  // Flat index into the mask of every score element (numpy broadcast).
  std::vector<int64_t> maskAt;
  if (mask)
    forEachBroadcast(
        scoreShape, {mask->shape},
        [&](int64_t, const int64_t *offsets) { maskAt.push_back(offsets[0]); });
  std::vector<double> row(sk);
  for (int64_t b = 0; b < batches; ++b)
    for (int64_t i = 0; i < sq; ++i) {
      const float *qi = q.floats.data() + (b * sq + i) * d;
      double maxValue = -INFINITY;
      for (int64_t j = 0; j < sk; ++j) {
        const float *kj = k.floats.data() + (b / group * sk + j) * d;
        double dot = 0;
        for (int64_t t = 0; t < d; ++t)
          dot += (double)qi[t] * kj[t];
        double s = (float)((float)dot * scale);
        if (mask)
          s = (float)(s + mask->floats[maskAt[(b * sq + i) * sk + j]]);
        row[j] = s;
        maxValue = std::max(maxValue, s);
      }
      double sum = 0;
      for (double &s : row)
        sum += s = std::exp(s - maxValue);
      for (int64_t c = 0; c < dv; ++c) {
        double acc = 0;
        for (int64_t j = 0; j < sk; ++j)
          acc += row[j] / sum * v.floats[(b / group * sk + j) * dv + c];
        out.floats[(b * sq + i) * dv + c] = roundToDType((float)acc, out.dtype);
      }
    }
  return out;
}

/// Splits `shape` around `axis` into (outer, size, inner).
std::tuple<int64_t, int64_t, int64_t> splitAt(ArrayRef<int64_t> shape,
                                              int64_t axis) {
  return {product(shape.take_front(axis)), shape[axis],
          product(shape.drop_front(axis + 1))};
}

Tensor evalSoftmax(SoftmaxOp op, const Tensor &in) {
  Tensor out = resultTensor(op.getResult());
  auto [outer, size, inner] = splitAt(in.shape, op.getAxis());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t base = o * size * inner + i;
      float maxValue = -INFINITY;
      for (int64_t s = 0; s < size; ++s)
        maxValue = std::max(maxValue, in.floats[base + s * inner]);
      double sum = 0;
      for (int64_t s = 0; s < size; ++s)
        sum += std::exp((double)in.floats[base + s * inner] - maxValue);
      for (int64_t s = 0; s < size; ++s)
        out.floats[base + s * inner] = roundToDType(
            (float)(std::exp((double)in.floats[base + s * inner] - maxValue) /
                    sum),
            out.dtype);
    }
  return out;
}

Tensor evalNorm(Operation *op, const Tensor &x, const Tensor &scale,
                const Tensor *bias, int64_t axis, float epsilon, bool rms) {
  Tensor out = resultTensor(op->getResult(0));
  int64_t size = product(ArrayRef<int64_t>(x.shape).drop_front(axis));
  int64_t rows = x.numElements() / std::max<int64_t>(size, 1);
  for (int64_t r = 0; r < rows; ++r) {
    const float *row = x.floats.data() + r * size;
    double mean = 0, var = 0;
    if (!rms) {
      for (int64_t i = 0; i < size; ++i)
        mean += row[i];
      mean /= size;
    }
    for (int64_t i = 0; i < size; ++i)
      var += (row[i] - mean) * (row[i] - mean);
    var /= size;
    double inv = 1.0 / std::sqrt(var + (double)epsilon);
    for (int64_t i = 0; i < size; ++i) {
      double v = (row[i] - mean) * inv * scale.floats[i];
      if (bias)
        v += bias->floats[i];
      out.floats[r * size + i] = roundToDType((float)v, out.dtype);
    }
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Shape and data movement
//===----------------------------------------------------------------------===//

Tensor evalReshape(Value result, const Tensor &in) {
  Tensor out = in;
  out.shape = shapeOf(result);
  return out;
}

Tensor evalTranspose(TransposeOp op, const Tensor &in) {
  Tensor out = resultTensor(op.getResult());
  std::vector<int64_t> inStrides = in.strides(), strides;
  for (int64_t p : op.getPerm())
    strides.push_back(inStrides[p]);
  forEachStrided(out.shape, strides, 0, [&](int64_t i, int64_t from) {
    copyElement(in, from, out, i);
  });
  return out;
}

Tensor evalSlice(SliceOp op, const Tensor &in) {
  Tensor out = resultTensor(op.getResult());
  std::vector<int64_t> inStrides = in.strides(), strides;
  int64_t base = 0;
  for (int64_t d = 0; d < in.rank(); ++d) {
    base += op.getStarts()[d] * inStrides[d];
    strides.push_back(op.getSteps()[d] * inStrides[d]);
  }
  if (out.numElements() == 0)
    return out;
  forEachStrided(out.shape, strides, base, [&](int64_t i, int64_t from) {
    copyElement(in, from, out, i);
  });
  return out;
}

Tensor evalConcat(ConcatOp op, ArrayRef<const Tensor *> inputs) {
  Tensor out = resultTensor(op.getResult());
  int64_t axis = op.getAxis();
  auto [outer, outSize, inner] = splitAt(out.shape, axis);
  int64_t offset = 0;
  for (const Tensor *in : inputs) {
    int64_t size = in->shape[axis];
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t s = 0; s < size * inner; ++s)
        copyElement(*in, o * size * inner + s, out,
                    o * outSize * inner + offset * inner + s);
    offset += size;
  }
  return out;
}

std::vector<Tensor> evalSplit(SplitOp op, const Tensor &in) {
  std::vector<Tensor> outs;
  int64_t axis = op.getAxis(), offset = 0;
  auto [outer, inSize, inner] = splitAt(in.shape, axis);
  for (Value result : op.getResults()) {
    Tensor out = resultTensor(result);
    int64_t size = out.shape[axis];
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t s = 0; s < size * inner; ++s)
        copyElement(in, o * inSize * inner + offset * inner + s, out,
                    o * size * inner + s);
    offset += size;
    outs.push_back(std::move(out));
  }
  return outs;
}

Tensor evalBroadcast(Value result, const Tensor &in) {
  Tensor out = resultTensor(result);
  forEachBroadcast(out.shape, {in.shape}, [&](int64_t i, const int64_t *off) {
    copyElement(in, off[0], out, i);
  });
  return out;
}

FailureOr<Tensor> evalGather(GatherOp op, const Tensor &data,
                             const Tensor &indices) {
  Tensor out = resultTensor(op.getResult());
  auto [outer, size, inner] = splitAt(data.shape, op.getAxis());
  int64_t count = indices.numElements();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < count; ++j) {
      int64_t index = indices.ints[j];
      if (index < -size || index >= size)
        return op.emitError()
               << "gather index " << index << " is out of range [" << -size
               << ", " << size << ")";
      if (index < 0)
        index += size;
      for (int64_t i = 0; i < inner; ++i)
        copyElement(data, (o * size + index) * inner + i, out,
                    (o * count + j) * inner + i);
    }
  return out;
}

template <typename OpTy> Tensor evalReduce(OpTy op, const Tensor &in) {
  Tensor out = resultTensor(op.getResult());
  ArrayRef<int64_t> axes = op.getAxes();
  // Output strides over the input's rank, zero along reduced axes.
  std::vector<int64_t> keptShape(in.shape);
  for (int64_t a : axes)
    keptShape[a] = 1;
  std::vector<int64_t> outStrides = stridesOf(keptShape);
  for (int64_t a : axes)
    outStrides[a] = 0;
  int64_t reduced = 1;
  for (int64_t a : axes)
    reduced *= in.shape[a];
  bool isMax = isa<ReduceMaxOp>(op), isMin = isa<ReduceMinOp>(op);
  std::vector<double> acc(out.numElements(),
                          isMax ? -INFINITY : (isMin ? INFINITY : 0.0));
  if (!isFloat(in.dtype)) {
    // Integers reduce exactly in int64 (wrapping sums); an empty reduction
    // gives 0 for sum/mean and the type's bound for max/min.
    std::vector<int64_t> iacc(out.numElements(),
                              isMax ? dtypeMin(in.dtype)
                                    : (isMin ? dtypeMax(in.dtype) : 0));
    forEachStrided(in.shape, outStrides, 0, [&](int64_t i, int64_t to) {
      int64_t v = in.ints[i];
      if (isMax)
        iacc[to] = std::max(iacc[to], v);
      else if (isMin)
        iacc[to] = std::min(iacc[to], v);
      else
        iacc[to] = wrapAdd(iacc[to], v);
    });
    for (int64_t i = 0; i < out.numElements(); ++i)
      out.ints[i] = wrapToDType(
          isa<ReduceMeanOp>(op) && reduced ? iacc[i] / reduced : iacc[i],
          out.dtype);
    return out;
  }
  forEachStrided(in.shape, outStrides, 0, [&](int64_t i, int64_t to) {
    double v = in.floats[i];
    if (std::isnan(v) || std::isnan(acc[to]))
      acc[to] = NAN; // NaN propagates, as in ONNX.
    else if (isMax)
      acc[to] = std::max(acc[to], v);
    else if (isMin)
      acc[to] = std::min(acc[to], v);
    else
      acc[to] += v;
  });
  for (int64_t i = 0; i < out.numElements(); ++i) {
    double v = acc[i];
    if (isa<ReduceMeanOp>(op))
      v /= reduced;
    out.floats[i] = roundToDType((float)v, out.dtype);
  }
  return out;
}

Tensor evalCumSum(CumSumOp op, const Tensor &in) {
  Tensor out = resultTensor(op.getResult());
  auto [outer, size, inner] = splitAt(in.shape, op.getAxis());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      double sum = 0;
      int64_t isum = 0;
      for (int64_t s = 0; s < size; ++s) {
        int64_t at = (o * size + s) * inner + i;
        if (isFloat(in.dtype)) {
          sum += in.floats[at];
          out.floats[at] = roundToDType((float)sum, out.dtype);
        } else {
          isum = wrapAdd(isum, in.ints[at]);
          out.ints[at] = wrapToDType(isum, out.dtype);
        }
      }
    }
  return out;
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

/// Scale and zero point of every element of a quantized tensor.
struct QuantParams {
  std::vector<double> scales;
  std::vector<int64_t> zeroPoints;
  std::vector<int64_t> shape;      // of the scales, same rank as the tensor
  std::vector<int64_t> blockSizes; // tensor dim / scale dim
  int64_t qmin, qmax;

  QuantParams(quant::QuantizedType type, ArrayRef<int64_t> tensorShape) {
    qmin = type.getStorageTypeMin();
    qmax = type.getStorageTypeMax();
    size_t rank = tensorShape.size();
    shape.assign(rank, 1);
    if (auto uniform = dyn_cast<quant::UniformQuantizedType>(type)) {
      scales = {uniform.getScale()};
      zeroPoints = {uniform.getZeroPoint()};
    } else if (auto perAxis =
                   dyn_cast<quant::UniformQuantizedPerAxisType>(type)) {
      scales.assign(perAxis.getScales().begin(), perAxis.getScales().end());
      zeroPoints.assign(perAxis.getZeroPoints().begin(),
                        perAxis.getZeroPoints().end());
      shape[perAxis.getQuantizedDimension()] = scales.size();
    } else if (auto sub =
                   dyn_cast<quant::UniformQuantizedSubChannelType>(type)) {
      for (APFloat s : sub.getScales().getValues<APFloat>())
        scales.push_back(s.convertToDouble());
      for (APInt z : sub.getZeroPoints().getValues<APInt>())
        zeroPoints.push_back(type.isSigned() ? z.getSExtValue()
                                             : (int64_t)z.getZExtValue());
      auto scaleShape = sub.getScales().getType().getShape();
      shape.assign(scaleShape.begin(), scaleShape.end());
    }
    for (size_t d = 0; d < rank; ++d)
      blockSizes.push_back(tensorShape[d] / shape[d]);
  }

  /// Index into scales/zeroPoints of every tensor element, in order.
  std::vector<int64_t> paramIndices(ArrayRef<int64_t> tensorShape) const {
    std::vector<int64_t> paramStrides = stridesOf(shape);
    std::vector<int64_t> indices(product(tensorShape));
    std::vector<int64_t> index(tensorShape.size(), 0);
    for (int64_t &out : indices) {
      int64_t at = 0;
      for (size_t d = 0; d < index.size(); ++d)
        at += (index[d] / blockSizes[d]) * paramStrides[d];
      out = at;
      for (int64_t d = (int64_t)index.size() - 1; d >= 0; --d) {
        if (++index[d] < tensorShape[d])
          break;
        index[d] = 0;
      }
    }
    return indices;
  }
};

quant::QuantizedType quantTypeOf(Value value) {
  return cast<quant::QuantizedType>(
      cast<RankedTensorType>(value.getType()).getElementType());
}

int64_t quantizeValue(float x, double scale, int64_t zp, int64_t qmin,
                      int64_t qmax) {
  // Divide in float, as ONNX QuantizeLinear does; ties round to even.
  float scaled = x / (float)scale;
  float rounded = std::nearbyint(scaled);
  double value = (double)rounded + (double)zp;
  if (std::isnan(value))
    return zp;
  return (int64_t)std::min<double>(std::max<double>(value, qmin), qmax);
}

Tensor evalQuantize(QuantizeOp op, const Tensor &in) {
  Tensor out = resultTensor(op.getResult());
  QuantParams params(quantTypeOf(op.getResult()), in.shape);
  std::vector<int64_t> at = params.paramIndices(in.shape);
  for (int64_t i = 0; i < in.numElements(); ++i)
    out.ints[i] =
        quantizeValue(in.floats[i], params.scales[at[i]],
                      params.zeroPoints[at[i]], params.qmin, params.qmax);
  return out;
}

Tensor evalDequantize(DequantizeOp op, const Tensor &in) {
  Tensor out = resultTensor(op.getResult());
  QuantParams params(quantTypeOf(op.getOperand()), in.shape);
  std::vector<int64_t> at = params.paramIndices(in.shape);
  for (int64_t i = 0; i < in.numElements(); ++i)
    out.floats[i] =
        roundToDType((float)(in.ints[i] - params.zeroPoints[at[i]]) *
                         (float)params.scales[at[i]],
                     out.dtype);
  return out;
}

std::vector<Tensor> evalDynamicQuantize(DynamicQuantizeOp op,
                                        const Tensor &in) {
  Tensor out = resultTensor(op.getResult());
  Tensor scale(DType::F32, {}), zeroPoint(DType::U8, {});
  float lo = 0, hi = 0;
  for (float v : in.floats)
    lo = std::min(lo, v), hi = std::max(hi, v);
  float s = (hi - lo) / 255.0f;
  if (s == 0) {
    // All zeros: onnxruntime reports scale 1 (y and the zero point are 0).
    scale.floats[0] = 1.0f;
    zeroPoint.ints[0] = 0;
    return {out, scale, zeroPoint};
  }
  scale.floats[0] = s;
  float zp = std::nearbyint(std::min(std::max(0.0f - lo / s, 0.0f), 255.0f));
  zeroPoint.ints[0] = (int64_t)zp;
  for (int64_t i = 0; i < in.numElements(); ++i)
    out.ints[i] = quantizeValue(in.floats[i], s, (int64_t)zp, 0, 255);
  return {out, scale, zeroPoint};
}

Tensor evalMatmulInteger(MatmulIntegerOp op, const Tensor &l, const Tensor &r,
                         const Tensor &lzp, const Tensor &rzp) {
  Tensor out = resultTensor(op.getResult());
  int64_t m = l.shape[l.rank() - 2], k = l.shape.back(), n = r.shape.back();
  forEachMatmulBatch(l, r, out, [&](int64_t o, int64_t lo, int64_t ro) {
    const int64_t *a = l.ints.data() + lo * m * k;
    const int64_t *b = r.ints.data() + ro * k * n;
    int64_t *c = out.ints.data() + o * m * n;
    for (int64_t i = 0; i < m; ++i) {
      int64_t az = lzp.ints[lzp.numElements() == 1 ? 0 : i];
      for (int64_t j = 0; j < n; ++j) {
        int64_t bz = rzp.ints[rzp.numElements() == 1 ? 0 : j];
        int64_t acc = 0;
        for (int64_t p = 0; p < k; ++p)
          acc += (a[i * k + p] - az) * (b[p * n + j] - bz);
        c[i * n + j] = wrapToDType(acc, DType::I32);
      }
    }
  });
  return out;
}

/// Per-output-channel weight scales of a [K, N] symmetric weight.
std::vector<float> weightScales(Value weight) {
  auto type = quantTypeOf(weight);
  int64_t n = cast<RankedTensorType>(weight.getType()).getDimSize(1);
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(type))
    return std::vector<float>(perAxis.getScales().begin(),
                              perAxis.getScales().end());
  return std::vector<float>(
      n, (float)cast<quant::UniformQuantizedType>(type).getScale());
}

/// y = f32(acc) * (rowScale[m] * sw[n]) + bias[n] with acc the i32 product of
/// the (zero-point-adjusted) quantized rows and the quantized weight.
Tensor quantizedLinear(Value result, const std::vector<int64_t> &qx,
                       const std::vector<float> &rowScales, const Tensor &w,
                       const std::vector<float> &sw, const Tensor *bias) {
  Tensor out = resultTensor(result);
  int64_t k = w.shape[0], n = w.shape[1];
  int64_t m = (int64_t)rowScales.size();
  std::vector<int64_t> acc(n);
  for (int64_t i = 0; i < m; ++i) {
    std::fill(acc.begin(), acc.end(), 0);
    for (int64_t p = 0; p < k; ++p) {
      int64_t a = qx[i * k + p];
      const int64_t *row = w.ints.data() + p * n;
      for (int64_t j = 0; j < n; ++j)
        acc[j] += a * row[j];
    }
    for (int64_t j = 0; j < n; ++j) {
      float v = (float)(int32_t)wrapToDType(acc[j], DType::I32) *
                (rowScales[i] * sw[j]);
      if (bias)
        v += bias->floats[j];
      out.floats[i * n + j] = roundToDType(v, out.dtype);
    }
  }
  return out;
}

/// The sub-channel form (W4A8): exact i32 sums per group of rows, summed in
/// float over the groups in order, then scaled by the row's scale; the bias
/// is added by the caller.
Tensor groupedQuantizedLinear(Value result, const std::vector<int64_t> &qx,
                              const std::vector<float> &rowScales,
                              const Tensor &w,
                              quant::UniformQuantizedSubChannelType type) {
  Tensor out = resultTensor(result);
  int64_t k = w.shape[0], n = w.shape[1];
  int64_t m = (int64_t)rowScales.size();
  int64_t groupSize = type.getBlockSizes()[0];
  int64_t groups = k / groupSize;
  std::vector<float> sw;
  for (APFloat s : type.getScales().getValues<APFloat>())
    sw.push_back((float)s.convertToDouble());
  std::vector<int64_t> acc(n);
  std::vector<float> sum(n);
  for (int64_t i = 0; i < m; ++i) {
    std::fill(sum.begin(), sum.end(), 0.0f);
    for (int64_t g = 0; g < groups; ++g) {
      std::fill(acc.begin(), acc.end(), 0);
      for (int64_t p = g * groupSize; p < (g + 1) * groupSize; ++p) {
        int64_t a = qx[i * k + p];
        const int64_t *row = w.ints.data() + p * n;
        for (int64_t j = 0; j < n; ++j)
          acc[j] += a * row[j];
      }
      for (int64_t j = 0; j < n; ++j) {
        float part =
            (float)(int32_t)wrapToDType(acc[j], DType::I32) * sw[g * n + j];
        sum[j] = sum[j] + part;
      }
    }
    for (int64_t j = 0; j < n; ++j)
      out.floats[i * n + j] = roundToDType(sum[j] * rowScales[i], out.dtype);
  }
  return out;
}

Tensor evalQLinear(QLinearOp op, const Tensor &x, const Tensor &w,
                   const Tensor *bias, const Tensor *residual) {
  auto inputType =
      cast<quant::UniformQuantizedType>(quantTypeOf(op.getInput()));
  int64_t k = w.shape[0], m = x.numElements() / std::max<int64_t>(k, 1);
  std::vector<int64_t> qx(x.ints);
  for (int64_t &v : qx)
    v -= inputType.getZeroPoint();
  std::vector<float> rowScales(m, (float)inputType.getScale());
  Tensor out = quantizedLinear(op.getResult(), qx, rowScales, w,
                               weightScales(op.getWeight()), bias);
  applyLinearEpilogue(out, op.getActivation(), residual);
  return out;
}

Tensor evalDynamicQLinear(DynamicQLinearOp op, const Tensor &x, const Tensor &w,
                          const Tensor *bias, const Tensor *residual) {
  int64_t k = w.shape[0], m = x.numElements() / std::max<int64_t>(k, 1);
  std::vector<int64_t> qx(x.numElements());
  std::vector<float> rowScales(m);
  for (int64_t i = 0; i < m; ++i) {
    float absmax = 0;
    for (int64_t p = 0; p < k; ++p)
      absmax = std::max(absmax, std::fabs(x.floats[i * k + p]));
    float s = absmax > 0 ? absmax / 127.0f : 1.0f;
    rowScales[i] = s;
    for (int64_t p = 0; p < k; ++p)
      qx[i * k + p] = quantizeValue(x.floats[i * k + p], s, 0, -127, 127);
  }
  auto sub = dyn_cast<quant::UniformQuantizedSubChannelType>(
      quantTypeOf(op.getWeight()));
  Tensor out =
      sub ? groupedQuantizedLinear(op.getResult(), qx, rowScales, w, sub)
          : quantizedLinear(op.getResult(), qx, rowScales, w,
                            weightScales(op.getWeight()), bias);
  if (sub && bias)
    for (int64_t i = 0; i < out.numElements(); ++i)
      out.floats[i] += bias->floats[i % bias->numElements()];
  applyLinearEpilogue(out, op.getActivation(), residual);
  return out;
}

} // namespace

FailureOr<std::vector<Tensor>> evaluateOp(Operation *op,
                                          ArrayRef<const Tensor *> in) {
  using Result = FailureOr<std::vector<Tensor>>;
  auto one = [](FailureOr<Tensor> t) -> Result {
    if (failed(t))
      return failure();
    return std::vector<Tensor>{std::move(*t)};
  };
  if (op->getNumOperands() == 2 && op->getNumResults() == 1 &&
      isa<AddOp, SubOp, MulOp, DivOp, PowOp, MaxOp, MinOp, AndOp, OrOp, EqualOp,
          LessOp, LessEqualOp, GreaterOp, GreaterEqualOp>(op))
    return one(evalBinary(op, *in[0], *in[1]));
  if (isa<NegOp, AbsOp, ExpOp, LogOp, SqrtOp, RsqrtOp, ReciprocalOp, TanhOp,
          ErfOp, SigmoidOp, SinOp, CosOp, ReluOp, SiluOp, FloorOp, NotOp,
          GeluOp>(op))
    return one(evalUnary(op, *in[0]));
  return TypeSwitch<Operation *, Result>(op)
      .Case([&](ConstantOp c) -> Result {
        FailureOr<Tensor> t = tensorFromAttr(c.getValue());
        if (failed(t))
          return c.emitError("cannot read the constant's value (unsupported "
                             "element type or missing resource blob)");
        return one(std::move(*t));
      })
      .Case(
          [&](WhereOp o) { return one(evalWhere(o, *in[0], *in[1], *in[2])); })
      .Case([&](CastOp o) { return one(evalCast(o, *in[0])); })
      .Case([&](MatmulOp o) { return one(evalMatmul(o, *in[0], *in[1])); })
      .Case([&](FusedLinearOp o) {
        unsigned next = 2;
        const Tensor *bias = o.getBias() ? in[next++] : nullptr;
        const Tensor *residual = o.getResidual() ? in[next] : nullptr;
        return one(evalFusedLinear(o, *in[0], *in[1], bias, residual));
      })
      .Case([&](ElementwiseOp o) { return one(evalElementwise(o, in)); })
      .Case([&](AttentionOp o) {
        return one(evalAttention(o, *in[0], *in[1], *in[2],
                                 o.getMask() ? in[3] : nullptr));
      })
      .Case([&](LinearOp o) {
        return one(
            evalLinear(o, *in[0], *in[1], o.getBias() ? in[2] : nullptr));
      })
      .Case([&](SoftmaxOp o) { return one(evalSoftmax(o, *in[0])); })
      .Case([&](LayerNormOp o) {
        return one(evalNorm(o, *in[0], *in[1], o.getBias() ? in[2] : nullptr,
                            o.getAxis(), o.getEpsilon().convertToFloat(),
                            /*rms=*/false));
      })
      .Case([&](RmsNormOp o) {
        return one(evalNorm(o, *in[0], *in[1], nullptr, o.getAxis(),
                            o.getEpsilon().convertToFloat(), /*rms=*/true));
      })
      .Case<ReshapeOp, StorageCastOp>([&](Operation *o) {
        return one(evalReshape(o->getResult(0), *in[0]));
      })
      .Case([&](TransposeOp o) { return one(evalTranspose(o, *in[0])); })
      .Case([&](SliceOp o) { return one(evalSlice(o, *in[0])); })
      .Case([&](ConcatOp o) { return one(evalConcat(o, in)); })
      .Case([&](SplitOp o) -> Result { return evalSplit(o, *in[0]); })
      .Case([&](BroadcastOp o) {
        return one(evalBroadcast(o.getResult(), *in[0]));
      })
      .Case([&](GatherOp o) { return one(evalGather(o, *in[0], *in[1])); })
      .Case([&](ReduceSumOp o) { return one(evalReduce(o, *in[0])); })
      .Case([&](ReduceMeanOp o) { return one(evalReduce(o, *in[0])); })
      .Case([&](ReduceMaxOp o) { return one(evalReduce(o, *in[0])); })
      .Case([&](ReduceMinOp o) { return one(evalReduce(o, *in[0])); })
      .Case([&](CumSumOp o) { return one(evalCumSum(o, *in[0])); })
      .Case([&](QuantizeOp o) { return one(evalQuantize(o, *in[0])); })
      .Case([&](DequantizeOp o) { return one(evalDequantize(o, *in[0])); })
      .Case([&](DynamicQuantizeOp o) -> Result {
        return evalDynamicQuantize(o, *in[0]);
      })
      .Case([&](QLinearOp o) {
        unsigned next = 2;
        const Tensor *bias = o.getBias() ? in[next++] : nullptr;
        const Tensor *residual = o.getResidual() ? in[next] : nullptr;
        return one(evalQLinear(o, *in[0], *in[1], bias, residual));
      })
      .Case([&](DynamicQLinearOp o) {
        unsigned next = 2;
        const Tensor *bias = o.getBias() ? in[next++] : nullptr;
        const Tensor *residual = o.getResidual() ? in[next] : nullptr;
        return one(evalDynamicQLinear(o, *in[0], *in[1], bias, residual));
      })
      .Case([&](MatmulIntegerOp o) {
        return one(evalMatmulInteger(o, *in[0], *in[1], *in[2], *in[3]));
      })
      .Default([&](Operation *o) -> Result {
        return o->emitError()
               << "the interpreter does not support '" << o->getName() << "'";
      });
}

FailureOr<std::vector<Tensor>> runFunction(func::FuncOp func,
                                           std::vector<Tensor> inputs,
                                           OpObserver observer) {
  if (!func.getBody().hasOneBlock())
    return func.emitError("the interpreter runs single-block functions only");
  Block &body = func.getBody().front();
  if (inputs.size() != body.getNumArguments())
    return func.emitError() << "expected " << body.getNumArguments()
                            << " inputs, got " << inputs.size();

  // Last use of every value, so that it can be released right after.
  DenseMap<Value, Operation *> lastUse;
  for (Operation &op : body)
    for (Value operand : op.getOperands())
      lastUse[operand] = &op;

  DenseMap<Value, Tensor> values;
  for (BlockArgument arg : body.getArguments())
    if (failed(dtypeOf(cast<ShapedType>(arg.getType()).getElementType())))
      return func.emitError() << "argument " << arg.getArgNumber()
                              << " has a type the interpreter does not "
                                 "support: "
                              << arg.getType();
  for (auto [arg, input] : llvm::zip(body.getArguments(), inputs)) {
    if (input.dtype != dtypeOfValue(arg) || input.shape != shapeOf(arg))
      return func.emitError()
             << "input " << arg.getArgNumber()
             << " does not match the argument type " << arg.getType();
    values[arg] = std::move(input);
  }

  for (Operation &op : body) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      std::vector<Tensor> results;
      for (Value operand : ret.getOperands())
        results.push_back(values.lookup(operand));
      return results;
    }
    std::vector<const Tensor *> operands;
    for (Value operand : op.getOperands()) {
      auto it = values.find(operand);
      if (it == values.end())
        return op.emitError("operand is not defined in the function body");
      operands.push_back(&it->second);
    }
    FailureOr<std::vector<Tensor>> results = evaluateOp(&op, operands);
    if (failed(results))
      return failure();
    if (observer)
      observer(&op, operands, *results);
    for (auto [value, tensor] : llvm::zip(op.getResults(), *results))
      values[value] = std::move(tensor);
    for (Value operand : op.getOperands())
      if (lastUse.lookup(operand) == &op)
        values.erase(operand);
  }
  return func.emitError("function has no return");
}

} // namespace llmo
