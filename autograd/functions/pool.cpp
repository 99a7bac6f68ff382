// Differentiable pooling; the kernels live in tensor/ops/pool.cpp and tensor/cpu/pool.cpp.
#include "autograd/function.h"
#include "autograd/ops.h"

namespace camlab {
namespace {
using autograd::BackwardContext;
using Grads = std::vector<Tensor>;
}  // namespace

// x: [N, C, H, W] -> [N, C, Ho, Wo]
Tensor max_pool2d(const Tensor& x, const Pool2dParams& p) {
  const RawOpScope raw_forward;
  auto [y, indices] = ops::max_pool2d(x, p);
  // The argmax indices route the gradient; x itself is not needed.
  return autograd::record(
      "max_pool2d", {x}, y, {{"indices", indices}},
      [x_shape = x.shape()](const BackwardContext& ctx) -> Grads {
        // dX[argmax(window)] += dY[window]
        return {ops::max_pool2d_backward(ctx.grad(0), ctx.saved("indices"), x_shape)};
      });
}

// x: [N, C, H, W] -> [N, C, Ho, Wo]
Tensor avg_pool2d(const Tensor& x, const Pool2dParams& p) {
  const RawOpScope raw_forward;
  // The backward depends only on the geometry: nothing saved.
  return autograd::record("avg_pool2d", {x}, ops::avg_pool2d(x, p), {},
                          [x_shape = x.shape(), p](const BackwardContext& ctx) -> Grads {
                            // dX[i] = Σ over windows w ∋ i of dY[w] / divisor(w)
                            return {ops::avg_pool2d_backward(ctx.grad(0), x_shape, p)};
                          });
}

// x: [N, C, H, W] -> [N, C, out_h, out_w]
Tensor adaptive_avg_pool2d(const Tensor& x, std::array<int64_t, 2> out_size) {
  const RawOpScope raw_forward;
  // The bins follow from the shapes: nothing saved.
  return autograd::record("adaptive_avg_pool2d", {x}, ops::adaptive_avg_pool2d(x, out_size), {},
                          [x_shape = x.shape()](const BackwardContext& ctx) -> Grads {
                            // dX[i] = Σ over bins b ∋ i of dY[b] / |b|
                            return {ops::adaptive_avg_pool2d_backward(ctx.grad(0), x_shape)};
                          });
}

}  // namespace camlab
