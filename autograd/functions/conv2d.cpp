// Differentiable 2-D convolution; the im2col + GEMM passes live in tensor/ops/conv2d.cpp and
// tensor/cpu/conv2d.cpp.
#include "autograd/function.h"
#include "autograd/ops.h"

namespace camlab {
namespace {
using autograd::BackwardContext;
using Grads = std::vector<Tensor>;
}  // namespace

// x: [N, C, H, W], weight: [O, C/groups, kh, kw], bias: [O] or undefined -> [N, O, Ho, Wo]
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dParams& p) {
  Tensor y = ops::conv2d(x, weight, bias, p);
  // dX reads the weight and dW reads the input (the bias gradient needs only dY), so each is kept
  // only when the other side may want a gradient: a frozen net explained by Grad-CAM keeps no
  // input activations alive here.
  const Tensor keep_x = weight.requires_grad() ? x : Tensor();
  const Tensor keep_weight = x.requires_grad() ? weight : Tensor();
  return autograd::record(
      "conv2d", {x, weight, bias}, y, {{"x", keep_x}, {"weight", keep_weight}},
      [p, x_shape = x.shape(), w_shape = weight.shape()](const BackwardContext& ctx) -> Grads {
        const Tensor grad_y = ctx.grad(0);  // [N, O, Ho, Wo]
        Tensor grad_x, grad_weight, grad_bias;
        // dX = col2im(Wᵀ · dY)
        if (ctx.needs_grad(0)) {
          grad_x = ops::conv2d_backward_input(grad_y, ctx.saved(1), x_shape, p);
        }
        // dW = Σ_n dY · colsᵀ
        if (ctx.needs_grad(1)) {
          grad_weight = ops::conv2d_backward_weight(grad_y, ctx.saved(0), w_shape, p);
        }
        // db = Σ_{n, h, w} dY
        if (ctx.needs_grad(2)) grad_bias = ops::sum(grad_y, {0, 2, 3});
        return {grad_x, grad_weight, grad_bias};
      });
}

}  // namespace camlab
