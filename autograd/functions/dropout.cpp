// Differentiable inverted dropout (Srivastava et al. 2014): y = x · mask, mask ∈ {0, 1/(1 − p)}.
#include "autograd/function.h"
#include "autograd/ops.h"

namespace camlab {
namespace {
using autograd::BackwardContext;
using Grads = std::vector<Tensor>;
}  // namespace

Tensor dropout(const Tensor& x, double p, bool training, Generator& gen) {
  const RawOpScope raw_forward;
  CAMLAB_CHECK(p >= 0 && p <= 1, "dropout: p must be in [0, 1], got {} (input {})", p,
               shape_str(x.shape()));
  // Eval, or nothing to drop: the identity, recording nothing and drawing no numbers.
  if (!training || p == 0) return x;
  Tensor mask = ops::dropout_mask(x.shape(), p, gen, x.dtype(), x.device());  // like x
  // dX = dY · mask: the scaled keep-mask is all backward reads; dX is linear in dY, so the
  // create_graph form is the same product, recorded.
  return autograd::record(
      "dropout", {x}, ops::mul(x, mask), {{"mask", mask}},
      [](const BackwardContext& ctx) -> Grads {
        return {ops::mul(ctx.grad(0), ctx.saved("mask"))};
      },
      [](const BackwardContext& ctx) -> Grads {
        return {camlab::mul(ctx.grad(0), ctx.saved("mask"))};
      });
}

}  // namespace camlab
