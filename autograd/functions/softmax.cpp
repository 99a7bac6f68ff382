// Differentiable softmax and log_softmax along one dim; each backward is one fused kernel that
// reads only the saved output.
#include "autograd/function.h"
#include "autograd/ops.h"

namespace camlab {
namespace {
using autograd::BackwardContext;
using Grads = std::vector<Tensor>;
}  // namespace

Tensor softmax(const Tensor& x, int64_t dim) {
  const RawOpScope raw_forward;
  Tensor y = ops::softmax(x, dim);
  // dX = y ⊙ (dY − Σ_dim dY·y): the output is all backward needs.
  return autograd::record(
      "softmax", {x}, y, {{"y", y}},
      [dim](const BackwardContext& ctx) -> Grads {
        return {ops::softmax_backward(ctx.grad(0), ctx.saved("y"), dim)};
      },
      [dim](const BackwardContext& ctx) -> Grads {
        const Tensor& y = ctx.saved("y");  // with its grad_fn (create_graph)
        Tensor g = ctx.grad(0);
        Tensor dot = camlab::sum(camlab::mul(g, y), {dim}, /*keepdim=*/true);
        return {camlab::mul(y, camlab::sub(g, dot))};
      });
}

Tensor log_softmax(const Tensor& x, int64_t dim) {
  const RawOpScope raw_forward;
  Tensor y = ops::log_softmax(x, dim);
  // dX = dY − exp(y) · Σ_dim dY
  return autograd::record(
      "log_softmax", {x}, y, {{"y", y}},
      [dim](const BackwardContext& ctx) -> Grads {
        return {ops::log_softmax_backward(ctx.grad(0), ctx.saved("y"), dim)};
      },
      [dim](const BackwardContext& ctx) -> Grads {
        Tensor g = ctx.grad(0);
        Tensor total = camlab::sum(g, {dim}, /*keepdim=*/true);
        return {camlab::sub(g, camlab::mul(camlab::exp(ctx.saved("y")), total))};
      });
}

}  // namespace camlab
