// Elementwise ONNX ops: activations and NumPy-broadcast arithmetic.
#include <cmath>
#include <limits>

#include "autograd/ops.h"
#include "nn/graph/graph_ops.h"

namespace camlab::nn {
namespace {

using Outputs = std::vector<Tensor>;

// Integer arithmetic (shape computations) goes by way of Float64 and truncates back, as ONNX's
// integer Div truncates toward zero.
template <typename Fn>
Outputs binary(const OpContext& ctx, Fn&& fn) {
  const Tensor& a = ctx.in(0);
  const Tensor& b = ctx.in(1);
  CAMLAB_CHECK(is_int(a) == is_int(b), "{}: operands are {} and {}; ONNX needs one type",
               ctx.where(), dtype_name(a.dtype()), dtype_name(b.dtype()));
  if (!is_int(a)) return {fn(a, b)};
  // Float64 -> Int64 conversion truncates toward zero, as ONNX's integer Div.
  return {fn(a.to(DType::Float64), b.to(DType::Float64)).to(DType::Int64)};
}

Outputs add_op(const OpContext& ctx) {
  return binary(ctx, [](const Tensor& a, const Tensor& b) { return camlab::add(a, b); });
}
Outputs sub_op(const OpContext& ctx) {
  return binary(ctx, [](const Tensor& a, const Tensor& b) { return camlab::sub(a, b); });
}
Outputs mul_op(const OpContext& ctx) {
  return binary(ctx, [](const Tensor& a, const Tensor& b) { return camlab::mul(a, b); });
}
Outputs div_op(const OpContext& ctx) {
  return binary(ctx, [](const Tensor& a, const Tensor& b) { return camlab::div(a, b); });
}

Outputs pow_op(const OpContext& ctx) {
  const Tensor& base = ctx.in(0);
  const Tensor& exponent = ctx.in(1);
  if (is_int(base)) {  // an integer power keeps the base's type
    return {camlab::pow(base.to(DType::Float64), exponent.to(DType::Float64)).to(DType::Int64)};
  }
  // A constant scalar exponent (x ** 2 in an exported LayerNorm) takes the scalar kernel.
  if (exponent.numel() == 1 && !exponent.requires_grad()) {
    return {camlab::pow(base, ctx.number(1))};
  }
  return {camlab::pow(base, exponent.to(base.dtype()))};
}

Outputs relu_op(const OpContext& ctx) { return {camlab::relu(ctx.in(0))}; }
Outputs sigmoid_op(const OpContext& ctx) { return {camlab::sigmoid(ctx.in(0))}; }
Outputs tanh_op(const OpContext& ctx) { return {camlab::tanh(ctx.in(0))}; }
Outputs erf_op(const OpContext& ctx) { return {camlab::erf(ctx.in(0))}; }
// Gelu (opset 20; also what fuse_exact_gelu makes of the exported Div-Erf-Add-Mul-Mul chain).
Outputs gelu_op(const OpContext& ctx) {
  const std::string approximate = ctx.node.string("approximate", "none");
  if (approximate != "none")
    unsupported("{}: approximate = '{}' (only 'none')", ctx.where(), approximate);
  return {camlab::gelu(ctx.in(0))};
}

Outputs sqrt_op(const OpContext& ctx) { return {camlab::sqrt(ctx.in(0))}; }
Outputs exp_op(const OpContext& ctx) { return {camlab::exp(ctx.in(0))}; }
Outputs log_op(const OpContext& ctx) { return {camlab::log(ctx.in(0))}; }
Outputs abs_op(const OpContext& ctx) { return {camlab::abs(ctx.in(0))}; }
Outputs neg_op(const OpContext& ctx) { return {camlab::neg(ctx.in(0))}; }
Outputs reciprocal_op(const OpContext& ctx) { return {camlab::pow(ctx.in(0), -1.0)}; }

Outputs leaky_relu_op(const OpContext& ctx) {
  return {camlab::leaky_relu(ctx.in(0), ctx.node.real("alpha", 0.01))};
}

Outputs elu_op(const OpContext& ctx) {
  return {camlab::elu(ctx.in(0), ctx.node.real("alpha", 1.0))};
}

// Clip: bounds are attributes before opset 11 and optional scalar inputs from 11 on.
Outputs clip_op(const OpContext& ctx) {
  const double inf = std::numeric_limits<double>::infinity();
  double low = -inf, high = inf;
  if (ctx.opset < 11) {
    low = ctx.node.real("min", -inf);
    high = ctx.node.real("max", inf);
  } else {
    if (ctx.has(1)) low = ctx.number(1);
    if (ctx.has(2)) high = ctx.number(2);
  }
  return {camlab::clamp(ctx.in(0), low, high)};
}

// HardSigmoid: max(0, min(1, αx + β)); ONNX's defaults α = 0.2, β = 0.5 (PyTorch exports 1/6).
Outputs hard_sigmoid_op(const OpContext& ctx) {
  const double alpha = ctx.node.real("alpha", 0.2), beta = ctx.node.real("beta", 0.5);
  return {camlab::clamp(camlab::add(camlab::mul(ctx.in(0), alpha), beta), 0.0, 1.0)};
}

// HardSwish (opset 14): x · HardSigmoid(x) with α = 1/6, β = 1/2 (Howard et al. 2019).
Outputs hard_swish_op(const OpContext& ctx) {
  const Tensor& x = ctx.in(0);
  return {camlab::mul(x, camlab::clamp(camlab::add(camlab::mul(x, 1.0 / 6.0), 0.5), 0.0, 1.0))};
}

Outputs identity_op(const OpContext& ctx) { return {ctx.in(0)}; }

// Dropout is the identity at inference (ONNX's training_mode input defaults to false); the optional
// mask output is not produced.
Outputs dropout_op(const OpContext& ctx) {
  if (ctx.has(2)) {
    CAMLAB_CHECK(ctx.number(2) == 0.0, "{}: training-mode Dropout is not supported", ctx.where());
  }
  return {ctx.in(0)};
}

// Cast between the two kinds of value: float activations and int64 shapes.
Outputs cast_op(const OpContext& ctx) {
  const int64_t to = ctx.node.integer("to", 1);
  // TensorProto.DataType: 1 FLOAT, 7 INT64, 11 DOUBLE.
  // Float casts are tracked: a Cast between layers must pass the gradient on (Grad-CAM).
  if (to == 1) return {camlab::to(ctx.in(0), DType::Float32)};
  if (to == 7) return {ctx.in(0).to(DType::Int64)};
  if (to == 11) return {camlab::to(ctx.in(0), DType::Float64)};
  unsupported("{}: casts to ONNX data type {} are not supported (float, double, int64 are)",
              ctx.where(), to);
}

}  // namespace

std::vector<GraphOp> elementwise_graph_ops() {
  return {{"Add", add_op},
          {"Sub", sub_op},
          {"Mul", mul_op},
          {"Div", div_op},
          {"Pow", pow_op},
          {"Relu", relu_op},
          {"Sigmoid", sigmoid_op},
          {"Tanh", tanh_op},
          {"Gelu", gelu_op},
          {"Erf", erf_op},
          {"Sqrt", sqrt_op},
          {"Exp", exp_op},
          {"Log", log_op},
          {"Abs", abs_op},
          {"Neg", neg_op},
          {"Reciprocal", reciprocal_op},
          {"LeakyRelu", leaky_relu_op},
          {"Elu", elu_op},
          {"Clip", clip_op},
          {"HardSigmoid", hard_sigmoid_op},
          {"HardSwish", hard_swish_op},
          {"Identity", identity_op},
          {"Dropout", dropout_op},
          {"Cast", cast_op}};
}

}  // namespace camlab::nn
