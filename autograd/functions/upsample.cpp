// Differentiable resizing; the kernels live in tensor/ops/upsample.cpp and tensor/cpu/upsample.cpp.
#include "autograd/function.h"
#include "autograd/ops.h"

namespace camlab {
namespace {
using autograd::BackwardContext;
using Grads = std::vector<Tensor>;
}  // namespace

// x: [N, C, H, W] -> [N, C, out_h, out_w]
Tensor upsample_bilinear2d(const Tensor& x, std::array<int64_t, 2> out_size, bool align_corners) {
  const RawOpScope raw_forward;
  // Linear in x with weights fixed by the shapes: nothing saved.
  return autograd::record(
      "upsample_bilinear2d", {x}, ops::upsample_bilinear2d(x, out_size, align_corners), {},
      [x_shape = x.shape(), align_corners](const BackwardContext& ctx) -> Grads {
        // dX = Bᵀ · dY, B the interpolation matrix: each dY goes to its four taps
        return {ops::upsample_bilinear2d_backward(ctx.grad(0), x_shape, align_corners)};
      },
      [x_shape = x.shape(), out_size, align_corners](const BackwardContext& ctx) -> Grads {
        // Bᵀ·dY recorded as an op whose backward is B again (the forward).
        return {autograd::record_linear_backward(
            "upsample_bilinear2d_backward", ctx.grad(0),
            [x_shape, align_corners](const Tensor& g) {
              return ops::upsample_bilinear2d_backward(g, x_shape, align_corners);
            },
            [out_size, align_corners](const Tensor& u) {
              return camlab::upsample_bilinear2d(u, out_size, align_corners);
            })};
      });
}

// x: [N, C, H, W] -> [N, C, out_h, out_w]
Tensor upsample_nearest2d(const Tensor& x, std::array<int64_t, 2> out_size) {
  const RawOpScope raw_forward;
  return autograd::record(
      "upsample_nearest2d", {x}, ops::upsample_nearest2d(x, out_size), {},
      [x_shape = x.shape()](const BackwardContext& ctx) -> Grads {
        // dX[src(o)] += dY[o]
        return {ops::upsample_nearest2d_backward(ctx.grad(0), x_shape)};
      },
      [x_shape = x.shape(), out_size](const BackwardContext& ctx) -> Grads {
        return {autograd::record_linear_backward(
            "upsample_nearest2d_backward", ctx.grad(0),
            [x_shape](const Tensor& g) { return ops::upsample_nearest2d_backward(g, x_shape); },
            [out_size](const Tensor& u) { return camlab::upsample_nearest2d(u, out_size); })};
      });
}

}  // namespace camlab
