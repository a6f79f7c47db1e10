//===- LlmoOps.td - llmo operations ------------------------*- tablegen -*-===//
//
// Constraint labels such as (C1) are cited by the verifiers and defined in
// docs/Dialect.md.
//
//===----------------------------------------------------------------------===//

#ifndef LLMO_OPS
#define LLMO_OPS

include "LlmoDialect.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Dialect/Quant/IR/QuantBase.td"

def I4 : I<4>;

class Llmo_Op<string mnemonic, list<Trait> traits = []>
    : Op<Llmo_Dialect, mnemonic, !listconcat(traits, [Pure])>;

// Quantized element types the interpreter and kernels implement:
// !quant.uniform per-tensor, per-axis or sub-channel, storage i4/i8/u8/i32,
// expressed f32/f16/bf16.
def Llmo_QuantType : Type<CPred<"::llmo::isSupportedQuantType($_self)">,
                          "supported !quant.uniform type">;

// Plain (non-quantized) tensors: what arithmetic takes.
def Llmo_PlainTensor
    : StaticShapeTensorOf<[F32, F16, BF16, I1, I4, I8, UI8, I32, I64]>;
// Any llmo value: plain or quantized. Data movement takes these.
def Llmo_Tensor
    : StaticShapeTensorOf<[F32, F16, BF16, I1, I4, I8, UI8, I32, I64,
                      Llmo_QuantType]>;
def Llmo_FloatTensor : StaticShapeTensorOf<[F32, F16, BF16]>;
def Llmo_SignedTensor : StaticShapeTensorOf<[F32, F16, BF16, I8, I32, I64]>;
def Llmo_BoolTensor : StaticShapeTensorOf<[I1]>;
def Llmo_IndexTensor : StaticShapeTensorOf<[I32, I64]>;

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Llmo_ConstantOp : Llmo_Op<"constant", [ConstantLike]> {
  let summary = "A constant tensor or weight";
  let description = [{
    Produces `value`. Weights imported from a model are `dense_resource`
    blobs; small constants are `dense` literals.

    ```mlir
    %w = llmo.constant dense_resource<w0> : tensor<64x64xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Llmo_Tensor:$result);
  let hasCustomAssemblyFormat = 1;
  let builders = [OpBuilder<(ins "::mlir::ElementsAttr":$value), [{
    build($_builder, $_state, value.getType(), value);
  }]>];
  let hasFolder = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise ops (numpy broadcasting)
//===----------------------------------------------------------------------===//

class Llmo_BinaryOp<string mnemonic, string desc, list<Trait> traits = []>
    : Llmo_Op<mnemonic, traits> {
  let summary = "Elementwise " # desc # " with numpy broadcasting";
  let description = [{
    Operands broadcast numpy-style to the result shape (C1). Float ops
    compute in the element type; integer ops wrap modulo 2^N.
  }];
  let arguments = (ins Llmo_PlainTensor:$lhs, Llmo_PlainTensor:$rhs);
  let results = (outs Llmo_PlainTensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Llmo_AddOp : Llmo_BinaryOp<"add", "addition", [Commutative]>;
def Llmo_SubOp : Llmo_BinaryOp<"sub", "subtraction">;
def Llmo_MulOp : Llmo_BinaryOp<"mul", "multiplication", [Commutative]>;
def Llmo_DivOp : Llmo_BinaryOp<"div", "division (integers truncate toward zero)">;
def Llmo_PowOp : Llmo_BinaryOp<"pow", "power">;
def Llmo_MaxOp : Llmo_BinaryOp<"max", "maximum", [Commutative]>;
def Llmo_MinOp : Llmo_BinaryOp<"min", "minimum", [Commutative]>;
def Llmo_AndOp : Llmo_BinaryOp<"and", "logical and of i1", [Commutative]> {
  let arguments = (ins Llmo_BoolTensor:$lhs, Llmo_BoolTensor:$rhs);
  let results = (outs Llmo_BoolTensor:$result);
}
def Llmo_OrOp : Llmo_BinaryOp<"or", "logical or of i1", [Commutative]> {
  let arguments = (ins Llmo_BoolTensor:$lhs, Llmo_BoolTensor:$rhs);
  let results = (outs Llmo_BoolTensor:$result);
}

class Llmo_CompareOp<string mnemonic, string desc>
    : Llmo_BinaryOp<mnemonic, desc # " comparison producing i1"> {
  let results = (outs Llmo_BoolTensor:$result);
}
def Llmo_EqualOp : Llmo_CompareOp<"equal", "equality">;
def Llmo_LessOp : Llmo_CompareOp<"less", "less-than">;
def Llmo_LessEqualOp : Llmo_CompareOp<"less_equal", "less-or-equal">;
def Llmo_GreaterOp : Llmo_CompareOp<"greater", "greater-than">;
def Llmo_GreaterEqualOp : Llmo_CompareOp<"greater_equal", "greater-or-equal">;

class Llmo_UnaryOp<string mnemonic, string desc,
                   Type operandType = Llmo_FloatTensor>
    : Llmo_Op<mnemonic, [SameOperandsAndResultType]> {
  let summary = "Elementwise " # desc;
  let arguments = (ins operandType:$operand);
  let results = (outs operandType:$result);
  let assemblyFormat = "$operand attr-dict `:` type($result)";
}

def Llmo_NegOp : Llmo_UnaryOp<"neg", "negation", Llmo_SignedTensor>;
def Llmo_AbsOp : Llmo_UnaryOp<"abs", "absolute value", Llmo_SignedTensor>;
def Llmo_ExpOp : Llmo_UnaryOp<"exp", "e^x">;
def Llmo_LogOp : Llmo_UnaryOp<"log", "natural logarithm">;
def Llmo_SqrtOp : Llmo_UnaryOp<"sqrt", "square root">;
def Llmo_RsqrtOp : Llmo_UnaryOp<"rsqrt", "reciprocal square root">;
def Llmo_ReciprocalOp : Llmo_UnaryOp<"reciprocal", "1/x">;
def Llmo_TanhOp : Llmo_UnaryOp<"tanh", "hyperbolic tangent">;
def Llmo_ErfOp : Llmo_UnaryOp<"erf", "Gauss error function">;
def Llmo_SigmoidOp : Llmo_UnaryOp<"sigmoid", "logistic sigmoid 1/(1+e^-x)">;
def Llmo_SinOp : Llmo_UnaryOp<"sin", "sine">;
def Llmo_CosOp : Llmo_UnaryOp<"cos", "cosine">;
def Llmo_ReluOp : Llmo_UnaryOp<"relu", "max(x, 0) (NaN stays NaN)",
                               Llmo_SignedTensor>;
def Llmo_SiluOp : Llmo_UnaryOp<"silu", "SiLU x*sigmoid(x)">;
def Llmo_FloorOp : Llmo_UnaryOp<"floor", "round toward -inf">;
def Llmo_NotOp : Llmo_UnaryOp<"not", "logical not of i1", Llmo_BoolTensor>;

def Llmo_GeluOp : Llmo_Op<"gelu", [SameOperandsAndResultType]> {
  let summary = "GELU activation, exact (erf) or tanh approximation";
  let description = [{
    `approximate = "none"`: 0.5 x (1 + erf(x / sqrt(2))).
    `approximate = "tanh"`: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
  }];
  let arguments = (ins Llmo_FloatTensor:$operand,
                   DefaultValuedStrAttr<StrAttr, "none">:$approximate);
  let results = (outs Llmo_FloatTensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Llmo_WhereOp : Llmo_Op<"where"> {
  let summary = "Elementwise select: cond ? lhs : rhs, with broadcasting";
  let arguments = (ins Llmo_BoolTensor:$condition, Llmo_PlainTensor:$lhs,
                   Llmo_PlainTensor:$rhs);
  let results = (outs Llmo_PlainTensor:$result);
  let assemblyFormat = "$condition `,` $lhs `,` $rhs attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

def Llmo_CastOp : Llmo_Op<"cast"> {
  let summary = "Element type conversion";
  let description = [{
    Float to integer truncates toward zero and saturates to the integer
    range (NaN gives 0; ONNX leaves out-of-range undefined); to i1 is
    `x != 0`; integer to integer wraps; to float rounds to nearest even.
  }];
  let arguments = (ins Llmo_PlainTensor:$operand);
  let results = (outs Llmo_PlainTensor:$result);
  let assemblyFormat =
      "$operand attr-dict `:` type($operand) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Linear algebra and normalization
//===----------------------------------------------------------------------===//

def Llmo_MatmulOp : Llmo_Op<"matmul"> {
  let summary = "Batched matrix product with broadcast batch dims";
  let description = [{
    `lhs : [..., M, K]`, `rhs : [..., K, N]` with both ranks >= 2; batch
    dims broadcast (C1). Float accumulation in f32.
  }];
  let arguments = (ins Llmo_FloatTensor:$lhs, Llmo_FloatTensor:$rhs);
  let results = (outs Llmo_FloatTensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Llmo_LinearOp : Llmo_Op<"linear"> {
  let summary = "x @ weight + bias: a projection by a constant weight";
  let description = [{
    `input : [..., K]`, `weight : [K, N]`, optional `bias : [N]`, result
    `[..., N]`. This is the unit of quantization: weights of linears get
    per-output-channel (axis 1) or group-wise formats.
  }];
  let arguments = (ins Llmo_FloatTensor:$input, Llmo_FloatTensor:$weight,
                   Optional<Llmo_FloatTensor>:$bias);
  let results = (outs Llmo_FloatTensor:$result);
  let assemblyFormat = "$input `,` $weight (`,` $bias^)? attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

def Llmo_FusedLinearOp : Llmo_Op<"fused_linear", [AttrSizedOperandSegments]> {
  let summary = "Linear with a fused epilogue: act(x @ weight + bias) + "
                "residual";
  let description = [{
    As `llmo.linear`, then `activation` ("none", "gelu", "gelu_tanh",
    "silu" or "relu", each as the op of that name) applied to every element,
    then the optional `residual` (same shape as the result) added. Formed by
    `--llmo-fuse` so the code generator applies the epilogue while the
    output tile is in cache instead of in separate passes over memory.
  }];
  let arguments = (ins Llmo_FloatTensor:$input, Llmo_FloatTensor:$weight,
                   Optional<Llmo_FloatTensor>:$bias,
                   Optional<Llmo_FloatTensor>:$residual,
                   DefaultValuedStrAttr<StrAttr, "none">:$activation);
  let results = (outs Llmo_FloatTensor:$result);
  let assemblyFormat = "$input `,` $weight (`bias` $bias^)? "
                       "(`residual` $residual^)? attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

def Llmo_AttentionOp : Llmo_Op<"attention"> {
  let summary = "Scaled dot-product attention: softmax(q k^T * scale + "
                "mask) v";
  let description = [{
    `query : [..., H, Sq, D]`, `key : [..., Hkv, Sk, D]`, `value : [...,
    Hkv, Sk, Dv]` with equal leading dims, optional additive `mask`
    broadcastable to `[..., H, Sq, Sk]`; result `[..., H, Sq, Dv]`. Hkv
    divides H: query head h attends with key/value head h / (H / Hkv)
    (grouped-query attention; Hkv = H is plain multi-head attention). For
    each query head:

        s[i, j] = scale * sum_d q[i, d] k[j, d] + mask[i, j]
        p[i, :] = softmax(s[i, :])      (max-subtracted)
        y[i, :] = sum_j p[i, j] v[j, :]

    in f32 (C1). Formed by `--llmo-fuse` from matmul / scale / add /
    softmax / matmul, so the code generator can keep the scores of one query
    row in cache instead of writing the Sq x Sk matrix to memory; a key and
    value repeated per query head (`reshape`, `broadcast`, `reshape`, as
    Hugging Face's `repeat_kv` exports) are read in place instead.
  }];
  let arguments = (ins Llmo_FloatTensor:$query, Llmo_FloatTensor:$key,
                   Llmo_FloatTensor:$value, Optional<Llmo_FloatTensor>:$mask,
                   F32Attr:$scale);
  let results = (outs Llmo_FloatTensor:$result);
  let assemblyFormat = "$query `,` $key `,` $value (`mask` $mask^)? "
                       "attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Llmo_ElementwiseOp
    : Llmo_Op<"elementwise", [IsolatedFromAbove, SingleBlock]> {
  let summary = "A fused chain of f32 elementwise ops as one scalar body";
  let description = [{
    Every input broadcasts (numpy-style) to the result's shape. The body has
    one f32 block argument per input and computes one result element from
    the input elements at the same (broadcast) position with scalar `arith`
    and `math` ops, ending in `llmo.yield` (C1). Formed by `--llmo-fuse` from
    chains of elementwise llmo ops (each rewritten as the scalar ops of its
    definition in docs/Dialect.md) so the code generator can emit one loop
    over memory instead of one pass per op.

    ```mlir
    %y = llmo.elementwise %a, %b : (tensor<4x8xf32>, tensor<8xf32>)
                                   -> tensor<4x8xf32> {
    ^bb0(%x: f32, %c: f32):
      %0 = arith.mulf %x, %c : f32
      %1 = math.exp %0 : f32
      llmo.yield %1 : f32
    }
    ```
  }];
  let arguments = (ins Variadic<StaticShapeTensorOf<[F32]>>:$inputs);
  let results = (outs StaticShapeTensorOf<[F32]>:$result);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$inputs attr-dict `:` functional-type($inputs, "
                       "$result) $body";
  let hasVerifier = 1;
}

def Llmo_YieldOp
    : Llmo_Op<"yield", [Terminator, ReturnLike, HasParent<"ElementwiseOp">]> {
  let summary = "The element an `llmo.elementwise` body computes";
  let arguments = (ins F32:$value);
  let assemblyFormat = "$value attr-dict `:` type($value)";
}

def Llmo_SoftmaxOp : Llmo_Op<"softmax", [SameOperandsAndResultType]> {
  let summary = "Softmax along one axis (max-subtracted)";
  let arguments = (ins Llmo_FloatTensor:$operand, I64Attr:$axis);
  let results = (outs Llmo_FloatTensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Llmo_LayerNormOp : Llmo_Op<"layer_norm"> {
  let summary = "Layer normalization over the trailing dims from `axis`";
  let description = [{
    y = (x - mean) / sqrt(var + epsilon) * scale + bias, with mean and the
    biased variance over dims [axis, rank). `scale` and `bias` have the
    shape of those trailing dims (C1).
  }];
  let arguments = (ins Llmo_FloatTensor:$input, Llmo_FloatTensor:$scale,
                   Optional<Llmo_FloatTensor>:$bias, I64Attr:$axis,
                   F32Attr:$epsilon);
  let results = (outs Llmo_FloatTensor:$result);
  let assemblyFormat = "$input `,` $scale (`,` $bias^)? attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

def Llmo_RmsNormOp : Llmo_Op<"rms_norm"> {
  let summary = "RMS normalization over the trailing dims from `axis`";
  let description = [{
    y = x / sqrt(mean(x^2) + epsilon) * scale over dims [axis, rank).
  }];
  let arguments = (ins Llmo_FloatTensor:$input, Llmo_FloatTensor:$scale,
                   I64Attr:$axis, F32Attr:$epsilon);
  let results = (outs Llmo_FloatTensor:$result);
  let assemblyFormat = "$input `,` $scale attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Shape and data movement
//===----------------------------------------------------------------------===//

def Llmo_ReshapeOp : Llmo_Op<"reshape"> {
  let summary = "Reinterpret the row-major data with a new static shape";
  let arguments = (ins Llmo_Tensor:$operand);
  let results = (outs Llmo_Tensor:$result);
  let assemblyFormat =
      "$operand attr-dict `:` type($operand) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Llmo_TransposeOp : Llmo_Op<"transpose"> {
  let summary = "Permute dims: result dim i is operand dim perm[i]";
  let arguments = (ins Llmo_Tensor:$operand, DenseI64ArrayAttr:$perm);
  let results = (outs Llmo_Tensor:$result);
  let assemblyFormat =
      "$operand attr-dict `:` type($operand) `->` type($result)";
  let hasVerifier = 1;
}

def Llmo_SliceOp : Llmo_Op<"slice"> {
  let summary = "Strided slice with static, normalized bounds per dim";
  let description = [{
    Result dim d takes `result.shape[d]` elements of operand dim d:
    start[d], start[d] + step[d], ...; `starts`, `steps` have one entry per
    dim; step may be negative but not zero, and every selected index must be
    inside [0, size) (C1). (The ONNX `ends` is folded into the result
    shape by the importer.)
  }];
  let arguments = (ins Llmo_Tensor:$operand, DenseI64ArrayAttr:$starts,
                   DenseI64ArrayAttr:$steps);
  let results = (outs Llmo_Tensor:$result);
  let assemblyFormat =
      "$operand attr-dict `:` type($operand) `->` type($result)";
  let hasVerifier = 1;
}

def Llmo_ConcatOp : Llmo_Op<"concat"> {
  let summary = "Concatenate along `axis`";
  let arguments = (ins Variadic<Llmo_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Llmo_Tensor:$result);
  let assemblyFormat =
      "$inputs attr-dict `:` functional-type($inputs, results)";
  let hasVerifier = 1;
}

def Llmo_SplitOp : Llmo_Op<"split"> {
  let summary = "Split along `axis` into pieces sized by the result types";
  let arguments = (ins Llmo_Tensor:$operand, I64Attr:$axis);
  let results = (outs Variadic<Llmo_Tensor>:$results);
  let assemblyFormat =
      "$operand attr-dict `:` type($operand) `->` type($results)";
  let hasVerifier = 1;
}

def Llmo_BroadcastOp : Llmo_Op<"broadcast"> {
  let summary = "Broadcast numpy-style to the result shape (ONNX Expand)";
  let arguments = (ins Llmo_Tensor:$operand);
  let results = (outs Llmo_Tensor:$result);
  let assemblyFormat =
      "$operand attr-dict `:` type($operand) `->` type($result)";
  let hasVerifier = 1;
}

def Llmo_GatherOp : Llmo_Op<"gather"> {
  let summary = "Take slices of `data` along `axis` at `indices`";
  let description = [{
    result shape = data[:axis] + indices + data[axis+1:]. Negative indices
    count from the end; an index outside [-size, size) is an error at run
    time.
  }];
  let arguments = (ins Llmo_Tensor:$data, Llmo_IndexTensor:$indices,
                   I64Attr:$axis);
  let results = (outs Llmo_Tensor:$result);
  let assemblyFormat = "$data `,` $indices attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

class Llmo_ReduceOp<string mnemonic, string desc> : Llmo_Op<mnemonic> {
  let summary = "Reduce by " # desc # " over `axes`";
  let description = [{
    `axes` are sorted, distinct, non-negative. With `keepdims` the reduced
    dims stay with size 1. Float reductions accumulate in double and
    propagate NaN; integer reductions are exact in i64 (sums wrap).
  }];
  let arguments = (ins Llmo_PlainTensor:$operand, DenseI64ArrayAttr:$axes,
                   BoolAttr:$keepdims);
  let results = (outs Llmo_PlainTensor:$result);
  let assemblyFormat =
      "$operand attr-dict `:` type($operand) `->` type($result)";
  let hasVerifier = 1;
}

def Llmo_ReduceSumOp : Llmo_ReduceOp<"reduce_sum", "sum">;
def Llmo_ReduceMeanOp : Llmo_ReduceOp<"reduce_mean", "mean">;
def Llmo_ReduceMaxOp : Llmo_ReduceOp<"reduce_max", "maximum">;
def Llmo_ReduceMinOp : Llmo_ReduceOp<"reduce_min", "minimum">;

def Llmo_CumSumOp : Llmo_Op<"cumsum", [SameOperandsAndResultType]> {
  let summary = "Inclusive prefix sum along `axis`";
  let arguments = (ins Llmo_PlainTensor:$operand, I64Attr:$axis);
  let results = (outs Llmo_PlainTensor:$result);
  let assemblyFormat = "$operand attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def Llmo_QuantTensor : StaticShapeTensorOf<[Llmo_QuantType]>;
def Llmo_IntTensor : StaticShapeTensorOf<[AnyInteger]>;

def Llmo_QuantizeOp : Llmo_Op<"quantize"> {
  let summary = "Float to `!quant.uniform`: round half to even, saturate";
  let description = [{
    q = clamp(round_half_even(x / scale) + zero_point, qmin, qmax) with the
    scale and zero point of the element's tensor, channel (per-axis) or
    block (sub-channel); qmin/qmax are the quantized type's storage range
    (which may be narrower than the storage integer's, e.g. i8<-127:127>).
  }];
  let arguments = (ins Llmo_FloatTensor:$operand);
  let results = (outs Llmo_QuantTensor:$result);
  let assemblyFormat =
      "$operand attr-dict `:` type($operand) `->` type($result)";
  let hasVerifier = 1;
}

def Llmo_DequantizeOp : Llmo_Op<"dequantize"> {
  let summary = "`!quant.uniform` to float: (q - zero_point) * scale";
  let arguments = (ins Llmo_QuantTensor:$operand);
  let results = (outs Llmo_FloatTensor:$result);
  let assemblyFormat =
      "$operand attr-dict `:` type($operand) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Llmo_StorageCastOp : Llmo_Op<"storage_cast"> {
  let summary = "Reinterpret between a quantized tensor and its storage ints";
  let description = [{
    No data changes: the integer storage values are kept, the quantization
    parameters are attached (int to quant) or dropped (quant to int).
  }];
  let arguments = (ins Llmo_Tensor:$operand);
  let results = (outs Llmo_Tensor:$result);
  let assemblyFormat =
      "$operand attr-dict `:` type($operand) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Llmo_DynamicQuantizeOp : Llmo_Op<"dynamic_quantize"> {
  let summary = "Per-tensor asymmetric ui8 quantization with computed scale";
  let description = [{
    As ONNX DynamicQuantizeLinear: range = [min(0, min x), max(0, max x)],
    scale = (max - min) / 255, zero_point = saturate(round_half_even(-min /
    scale)), y = saturate(round_half_even(x / scale) + zero_point). A zero
    range gives y = zero_point = 0 and scale 1 (as onnxruntime).
  }];
  let arguments = (ins StaticShapeTensorOf<[F32]>:$operand);
  let results = (outs StaticShapeTensorOf<[UI8]>:$result,
                 0DTensorOf<[F32]>:$scale, 0DTensorOf<[UI8]>:$zero_point);
  let assemblyFormat = "$operand attr-dict `:` type($operand) `->` "
                       "type($result) `,` type($scale) `,` type($zero_point)";
  let hasVerifier = 1;
}

def Llmo_MatmulIntegerOp : Llmo_Op<"matmul_integer"> {
  let summary = "Integer matmul with zero points, i32 accumulation";
  let description = [{
    result[..., m, n] = sum_k (lhs[..., m, k] - lhs_zp[m]) *
    (rhs[..., k, n] - rhs_zp[n]) in i32 (wrapping). `lhs_zp` is a scalar or
    per-row [M]; `rhs_zp` a scalar or per-column [N] (C1).
  }];
  let arguments = (ins StaticShapeTensorOf<[I8, UI8]>:$lhs,
                   StaticShapeTensorOf<[I8, UI8]>:$rhs,
                   StaticShapeTensorOf<[I8, UI8]>:$lhs_zero_point,
                   StaticShapeTensorOf<[I8, UI8]>:$rhs_zero_point);
  let results = (outs StaticShapeTensorOf<[I32]>:$result);
  let assemblyFormat = "$lhs `,` $rhs `,` $lhs_zero_point `,` "
                       "$rhs_zero_point attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

def Llmo_QLinearOp : Llmo_Op<"qlinear", [AttrSizedOperandSegments]> {
  let summary = "Integer linear: quantized input x quantized weight, i32 "
                "accumulation, float epilogue";
  let description = [{
    `input : [..., K]` per-tensor `!quant.uniform<i8|u8:f32, sx:zx>`,
    `weight : [K, N]` symmetric (zero point 0) i8, per-tensor or per-axis on
    axis 1 (one scale per output channel), optional `bias : [N]` f32.

        acc[m, n] = sum_k (qx[m, k] - zx) * qw[k, n]        (i32, wrapping)
        y[m, n]   = f32(acc[m, n]) * (f32(sx) * f32(sw[n])) + bias[n]

    in f32 (C1). This is the W8A8 form with static per-tensor activation
    scales; the code generators implement exactly this. `--llmo-fuse` may
    add an epilogue as in `llmo.fused_linear`: `activation` applied to y,
    then the optional `residual` (the result's shape) added.
  }];
  let arguments = (ins Llmo_QuantTensor:$input, Llmo_QuantTensor:$weight,
                   Optional<Llmo_FloatTensor>:$bias,
                   Optional<Llmo_FloatTensor>:$residual,
                   DefaultValuedStrAttr<StrAttr, "none">:$activation);
  let results = (outs Llmo_FloatTensor:$result);
  let assemblyFormat = "$input `,` $weight (`,` $bias^)? "
                       "(`residual` $residual^)? attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

def Llmo_DynamicQLinearOp
    : Llmo_Op<"dynamic_qlinear", [AttrSizedOperandSegments]> {
  let summary = "Integer linear with per-token dynamic activation scales";
  let description = [{
    `input : [..., K]` float, `weight : [K, N]` symmetric i8 or i4
    per-tensor or per-axis on axis 1, or i4 sub-channel in groups of G rows
    of K (`{0:G, 1:1}`, scales [K/G, N]), optional `bias : [N]`. For every
    row m of the input (every token):

        s[m]      = max_k |x[m, k]| / 127   (1 if the row is all zeros)
        qx[m, k]  = clamp(round_half_even(x[m, k] / s[m]), -127, 127)
        acc[m, n] = sum_k qx[m, k] * qw[k, n]                   (i32)
        y[m, n]   = f32(acc[m, n]) * (s[m] * f32(sw[n])) + bias[n]

    all in f32 (C1). With sub-channel weights the sums are per group g,
    acc[m, g, n] over rows gG..gG+G-1 (exact in i32), and

        p[m, n]   = sum over g = 0, 1, ... in order of
                    f32(acc[m, g, n]) * sw[g, n]   (multiply, then add)
        y[m, n]   = p[m, n] * s[m] + bias[n]

    W8A8 and W4A8 with per-token dynamic activation quantization. The
    optional epilogue (`activation`, `residual`) is as in `llmo.qlinear`.
  }];
  let arguments = (ins Llmo_FloatTensor:$input, Llmo_QuantTensor:$weight,
                   Optional<Llmo_FloatTensor>:$bias,
                   Optional<Llmo_FloatTensor>:$residual,
                   DefaultValuedStrAttr<StrAttr, "none">:$activation);
  let results = (outs Llmo_FloatTensor:$result);
  let assemblyFormat = "$input `,` $weight (`,` $bias^)? "
                       "(`residual` $residual^)? attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif // LLMO_OPS
