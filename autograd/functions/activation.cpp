// Differentiable activations; each backward is one fused kernel from tensor/functors.h, and each
// has a second, differentiable form of the same derivative in camlab:: ops for create_graph.
#include "autograd/function.h"
#include "autograd/ops.h"

namespace camlab {
namespace {
using autograd::BackwardContext;
using Grads = std::vector<Tensor>;

// 1[x > 0] in x's dtype: a constant of the differentiable backwards (its own derivative is 0).
Tensor positive_mask(const Tensor& x) {
  const Tensor constant = detach(x);
  return ops::gt(constant, 0.0).to(constant.dtype());
}
}  // namespace

Tensor relu(const Tensor& x) {
  const RawOpScope raw_forward;
  // relu'(x) = 1[x > 0]: the input's sign is all backward reads.
  return autograd::record(
      "relu", {x}, ops::relu(x), {{"x", x}},
      [](const BackwardContext& ctx) -> Grads {
        return {ops::relu_backward(ctx.grad(0), ctx.saved("x"))};
      },
      [](const BackwardContext& ctx) -> Grads {
        return {camlab::mul(ctx.grad(0), positive_mask(ctx.saved("x")))};
      });
}

Tensor leaky_relu(const Tensor& x, double slope) {
  const RawOpScope raw_forward;
  return autograd::record(
      "leaky_relu", {x}, ops::leaky_relu(x, slope), {{"x", x}},
      [slope](const BackwardContext& ctx) -> Grads {
        return {ops::leaky_relu_backward(ctx.grad(0), ctx.saved("x"), slope)};
      },
      [slope](const BackwardContext& ctx) -> Grads {
        // slope + (1 − slope)·1[x > 0]
        Tensor d = ops::add(ops::mul(positive_mask(ctx.saved("x")), 1 - slope), slope);
        return {camlab::mul(ctx.grad(0), d)};
      });
}

Tensor elu(const Tensor& x, double alpha) {
  const RawOpScope raw_forward;
  return autograd::record(
      "elu", {x}, ops::elu(x, alpha), {{"x", x}},
      [alpha](const BackwardContext& ctx) -> Grads {
        return {ops::elu_backward(ctx.grad(0), ctx.saved("x"), alpha)};
      },
      [alpha](const BackwardContext& ctx) -> Grads {
        // elu'(x) = 1 for x > 0, α·eˣ otherwise
        const Tensor& x = ctx.saved("x");
        Tensor inside = ops::gt(detach(x), 0.0);
        Tensor slope = camlab::where(inside, ops::ones({}, x.dtype(), x.device()),
                                     camlab::mul(camlab::exp(x), alpha));
        return {camlab::mul(ctx.grad(0), slope)};
      });
}

Tensor gelu(const Tensor& x) {
  const RawOpScope raw_forward;
  return autograd::record(
      "gelu", {x}, ops::gelu(x), {{"x", x}},
      [](const BackwardContext& ctx) -> Grads {
        return {ops::gelu_backward(ctx.grad(0), ctx.saved("x"))};
      },
      [](const BackwardContext& ctx) -> Grads {
        // gelu'(x) = Φ(x) + x·φ(x), Φ(x) = ½(1 + erf(x/√2)),
        // φ(x) = e^(−x²/2)/√(2π)
        const Tensor& x = ctx.saved("x");
        Tensor cdf =
            camlab::mul(camlab::add(camlab::erf(camlab::mul(x, 0.7071067811865476)), 1.0), 0.5);
        Tensor pdf =
            camlab::mul(camlab::exp(camlab::mul(camlab::mul(x, x), -0.5)), 0.3989422804014327);
        return {camlab::mul(ctx.grad(0), camlab::add(cdf, camlab::mul(x, pdf)))};
      });
}

Tensor erf(const Tensor& x) {
  const RawOpScope raw_forward;
  return autograd::record(
      "erf", {x}, ops::erf(x), {{"x", x}},
      [](const BackwardContext& ctx) -> Grads {
        const Tensor& x = ctx.saved("x");
        // 2/√π · e^(−x²) · dY
        const Tensor slope = ops::mul(ops::exp(ops::neg(ops::mul(x, x))), 1.1283791670955126);
        return {ops::mul(ctx.grad(0), slope)};
      },
      [](const BackwardContext& ctx) -> Grads {
        const Tensor& x = ctx.saved("x");
        const Tensor slope =
            camlab::mul(camlab::exp(camlab::neg(camlab::mul(x, x))), 1.1283791670955126);
        return {camlab::mul(ctx.grad(0), slope)};
      });
}

Tensor sigmoid(const Tensor& x) {
  const RawOpScope raw_forward;
  Tensor y = ops::sigmoid(x);  // σ' = y(1 − y) needs only the output
  return autograd::record(
      "sigmoid", {x}, y, {{"y", y}},
      [](const BackwardContext& ctx) -> Grads {
        return {ops::sigmoid_backward(ctx.grad(0), ctx.saved("y"))};
      },
      [](const BackwardContext& ctx) -> Grads {
        const Tensor& y = ctx.saved("y");  // carries its grad_fn here: σ'' flows through y
        return {camlab::mul(ctx.grad(0), camlab::mul(y, camlab::add(camlab::neg(y), 1.0)))};
      });
}

Tensor tanh(const Tensor& x) {
  const RawOpScope raw_forward;
  Tensor y = ops::tanh(x);  // tanh' = 1 − y²
  return autograd::record(
      "tanh", {x}, y, {{"y", y}},
      [](const BackwardContext& ctx) -> Grads {
        return {ops::tanh_backward(ctx.grad(0), ctx.saved("y"))};
      },
      [](const BackwardContext& ctx) -> Grads {
        const Tensor& y = ctx.saved("y");
        return {camlab::mul(ctx.grad(0), camlab::add(camlab::neg(camlab::mul(y, y)), 1.0))};
      });
}

}  // namespace camlab
