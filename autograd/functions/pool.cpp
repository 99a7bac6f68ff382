// Differentiable pooling; the kernels live in tensor/ops/pool.cpp and tensor/cpu/pool.cpp.
#include "autograd/function.h"
#include "autograd/ops.h"

namespace camlab {
namespace {
using autograd::BackwardContext;
using Grads = std::vector<Tensor>;

// The adjoint of max_pool2d_backward: each window reads u at its argmax,
// u: [N, C, H, W], indices: [N, C, Ho, Wo] (ih·W + iw within the plane) -> [N, C, Ho, Wo].
Tensor gather_at_argmax(const Tensor& u, const Tensor& indices) {
  const Shape& s = indices.shape();
  Tensor planes = camlab::reshape(u, {u.size(0), u.size(1), u.size(2) * u.size(3)});
  Tensor flat_indices = indices.reshape({s[0], s[1], s[2] * s[3]});
  return camlab::reshape(camlab::gather(planes, 2, flat_indices), s);
}
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
      },
      [x_shape = x.shape()](const BackwardContext& ctx) -> Grads {
        // Linear in dY with the argmax fixed: its second derivative in x is 0.
        Tensor indices = ctx.saved("indices");
        return {autograd::record_linear_backward(
            "max_pool2d_backward", ctx.grad(0),
            [indices, x_shape](const Tensor& g) {
              return ops::max_pool2d_backward(g, indices, x_shape);
            },
            [indices](const Tensor& u) { return gather_at_argmax(u, indices); })};
      });
}

// x: [N, C, H, W] -> [N, C, Ho, Wo]
Tensor avg_pool2d(const Tensor& x, const Pool2dParams& p) {
  const RawOpScope raw_forward;
  // The backward depends only on the geometry: nothing saved.
  return autograd::record(
      "avg_pool2d", {x}, ops::avg_pool2d(x, p), {},
      [x_shape = x.shape(), p](const BackwardContext& ctx) -> Grads {
        // dX[i] = Σ over windows w ∋ i of dY[w] / divisor(w)
        return {ops::avg_pool2d_backward(ctx.grad(0), x_shape, p)};
      },
      [x_shape = x.shape(), p](const BackwardContext& ctx) -> Grads {
        return {autograd::record_linear_backward(
            "avg_pool2d_backward", ctx.grad(0),
            [x_shape, p](const Tensor& g) { return ops::avg_pool2d_backward(g, x_shape, p); },
            [p](const Tensor& u) { return camlab::avg_pool2d(u, p); })};
      });
}

// x: [N, C, H, W] -> [N, C, out_h, out_w]
Tensor adaptive_avg_pool2d(const Tensor& x, std::array<int64_t, 2> out_size) {
  const RawOpScope raw_forward;
  // The bins follow from the shapes: nothing saved.
  return autograd::record(
      "adaptive_avg_pool2d", {x}, ops::adaptive_avg_pool2d(x, out_size), {},
      [x_shape = x.shape()](const BackwardContext& ctx) -> Grads {
        // dX[i] = Σ over bins b ∋ i of dY[b] / |b|
        return {ops::adaptive_avg_pool2d_backward(ctx.grad(0), x_shape)};
      },
      [x_shape = x.shape(), out_size](const BackwardContext& ctx) -> Grads {
        return {autograd::record_linear_backward(
            "adaptive_avg_pool2d_backward", ctx.grad(0),
            [x_shape](const Tensor& g) { return ops::adaptive_avg_pool2d_backward(g, x_shape); },
            [out_size](const Tensor& u) { return camlab::adaptive_avg_pool2d(u, out_size); })};
      });
}

}  // namespace camlab
