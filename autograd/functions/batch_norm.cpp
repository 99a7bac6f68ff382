// Differentiable batch norm (Ioffe & Szegedy 2015); the maths of both passes lives in
// tensor/ops/batch_norm.cpp and tensor/cpu/batch_norm.cpp.
#include "autograd/function.h"
#include "autograd/ops.h"

namespace camlab {
namespace {
using autograd::BackwardContext;
using Grads = std::vector<Tensor>;
}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias,
                  const Tensor& running_mean, const Tensor& running_var, bool training,
                  double momentum, double eps) {
  const RawOpScope raw_forward;
  // The running statistics are buffers: updated in place under training, never differentiated.
  ops::BatchNormResult r =
      ops::batch_norm(x, weight, bias, running_mean, running_var, training, momentum, eps);
  // Backward reads x and γ, and the μ, invstd the forward normalised with (batch statistics in
  // training, running ones in eval): recomputing them from x would be wrong in eval.
  return autograd::record(
      "batch_norm", {x, weight, bias}, r.y,
      {{"x", x}, {"weight", weight}, {"save_mean", r.save_mean}, {"save_invstd", r.save_invstd}},
      [training](const BackwardContext& ctx) -> Grads {
        // training: dX = γ·invstd/M · (M·dY − Σ dY − x̂·Σ dY·x̂); eval: dX = γ·invstd·dY;
        // both: dγ = Σ dY·x̂, dβ = Σ dY (sums over N, H, W per channel).
        ops::BatchNormGrads g =
            ops::batch_norm_backward(ctx.grad(0), ctx.saved("x"), ctx.saved("weight"),
                                     ctx.saved("save_mean"), ctx.saved("save_invstd"), training);
        return {ctx.needs_grad(0) ? g.grad_x : Tensor(),
                ctx.needs_grad(1) ? g.grad_weight : Tensor(),
                ctx.needs_grad(2) ? g.grad_bias : Tensor()};
      });
}

}  // namespace camlab
