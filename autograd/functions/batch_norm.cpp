// Differentiable batch norm (Ioffe & Szegedy 2015); the maths of both passes lives in
// tensor/ops/batch_norm.cpp and tensor/cpu/batch_norm.cpp.
#include "autograd/function.h"
#include "autograd/ops.h"

namespace camlab {
namespace {
using autograd::BackwardContext;
using Grads = std::vector<Tensor>;

// The backward of batch norm in recorded ops, for create_graph. In training μ and invstd are
// functions of x and are recomputed with recorded ops, so the second derivative sees them; in
// eval they are the running statistics, constants. With x̂ = (x − μ)·invstd, over the M elements
// of a channel:
//   training: dX = γ·invstd · (dY − mean(dY) − x̂·mean(dY·x̂));  eval: dX = γ·invstd·dY;
//   dγ = Σ dY·x̂,  dβ = Σ dY.
Grads batch_norm_graph_backward(const BackwardContext& ctx, bool training, double eps) {
  const Tensor &x = ctx.saved("x"), &weight = ctx.saved("weight");  // x: [N, C, ...]
  Shape along(static_cast<size_t>(x.dim()), 1);                     // [1, C, 1, ..]
  along[1] = x.size(1);
  Shape dims{0};  // every dim but the channel
  for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
  Tensor g = ctx.grad(0);
  Tensor xhat, invstd;
  if (training) {
    Tensor centered = camlab::sub(x, camlab::mean(x, dims, true));
    Tensor variance = camlab::mean(camlab::mul(centered, centered), dims, true);  // biased
    invstd = camlab::rsqrt(camlab::add(variance, eps));
    xhat = camlab::mul(centered, invstd);
  } else {
    invstd = ctx.saved("save_invstd").reshape(along);
    xhat = camlab::mul(camlab::sub(x, ctx.saved("save_mean").reshape(along)), invstd);
  }
  Tensor grad_x;
  if (ctx.needs_grad(0)) {
    Tensor scale = weight.defined() ? camlab::mul(camlab::reshape(weight, along), invstd) : invstd;
    Tensor inner = g;
    if (training) {
      inner = camlab::sub(camlab::sub(g, camlab::mean(g, dims, true)),
                          camlab::mul(xhat, camlab::mean(camlab::mul(g, xhat), dims, true)));
    }
    grad_x = camlab::mul(scale, inner);
  }
  return {grad_x, ctx.needs_grad(1) ? camlab::sum(camlab::mul(g, xhat), dims) : Tensor(),
          ctx.needs_grad(2) ? camlab::sum(g, dims) : Tensor()};
}
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
      },
      [training, eps](const BackwardContext& ctx) -> Grads {
        return batch_norm_graph_backward(ctx, training, eps);
      });
}

}  // namespace camlab
