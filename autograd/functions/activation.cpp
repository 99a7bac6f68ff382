// Differentiable activations; each backward is one fused kernel from tensor/functors.h.
#include "autograd/function.h"
#include "autograd/ops.h"

namespace camlab {
namespace {
using autograd::BackwardContext;
using Grads = std::vector<Tensor>;
}  // namespace

Tensor relu(const Tensor& x) {
  const RawOpScope raw_forward;
  // relu'(x) = 1[x > 0]: the input's sign is all backward reads.
  return autograd::record("relu", {x}, ops::relu(x), {{"x", x}},
                          [](const BackwardContext& ctx) -> Grads {
                            return {ops::relu_backward(ctx.grad(0), ctx.saved("x"))};
                          });
}

Tensor leaky_relu(const Tensor& x, double slope) {
  const RawOpScope raw_forward;
  return autograd::record("leaky_relu", {x}, ops::leaky_relu(x, slope), {{"x", x}},
                          [slope](const BackwardContext& ctx) -> Grads {
                            return {ops::leaky_relu_backward(ctx.grad(0), ctx.saved("x"), slope)};
                          });
}

Tensor elu(const Tensor& x, double alpha) {
  const RawOpScope raw_forward;
  return autograd::record("elu", {x}, ops::elu(x, alpha), {{"x", x}},
                          [alpha](const BackwardContext& ctx) -> Grads {
                            return {ops::elu_backward(ctx.grad(0), ctx.saved("x"), alpha)};
                          });
}

Tensor gelu(const Tensor& x) {
  const RawOpScope raw_forward;
  return autograd::record("gelu", {x}, ops::gelu(x), {{"x", x}},
                          [](const BackwardContext& ctx) -> Grads {
                            return {ops::gelu_backward(ctx.grad(0), ctx.saved("x"))};
                          });
}

Tensor erf(const Tensor& x) {
  const RawOpScope raw_forward;
  return autograd::record(
      "erf", {x}, ops::erf(x), {{"x", x}}, [](const BackwardContext& ctx) -> Grads {
        const Tensor& x = ctx.saved("x");
        // 2/√π · e^(−x²) · dY
        const Tensor slope = ops::mul(ops::exp(ops::neg(ops::mul(x, x))), 1.1283791670955126);
        return {ops::mul(ctx.grad(0), slope)};
      });
}

Tensor sigmoid(const Tensor& x) {
  const RawOpScope raw_forward;
  Tensor y = ops::sigmoid(x);  // σ' = y(1 − y) needs only the output
  return autograd::record("sigmoid", {x}, y, {{"y", y}}, [](const BackwardContext& ctx) -> Grads {
    return {ops::sigmoid_backward(ctx.grad(0), ctx.saved("y"))};
  });
}

Tensor tanh(const Tensor& x) {
  const RawOpScope raw_forward;
  Tensor y = ops::tanh(x);  // tanh' = 1 − y²
  return autograd::record("tanh", {x}, y, {{"y", y}}, [](const BackwardContext& ctx) -> Grads {
    return {ops::tanh_backward(ctx.grad(0), ctx.saved("y"))};
  });
}

}  // namespace camlab
