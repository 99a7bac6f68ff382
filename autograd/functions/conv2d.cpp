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
// With p.relu, y = max(conv + bias, 0) and dY is first masked by y > 0 (y > 0 exactly where the
// pre-activation is, so the output serves as the ReLU's saved tensor).
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dParams& p) {
  const RawOpScope raw_forward;
  Tensor y = ops::conv2d(x, weight, bias, p);
  // dX reads the weight and dW reads the input (the bias gradient needs only dY), so each is kept
  // only when the other side may want a gradient: a frozen net explained by Grad-CAM keeps no
  // input activations alive here.
  const Tensor keep_x = weight.requires_grad() ? x : Tensor();
  const Tensor keep_weight = x.requires_grad() ? weight : Tensor();
  const Tensor keep_y = p.relu ? y : Tensor();
  Conv2dParams linear = p;  // the backward passes are those of the convolution alone
  linear.relu = false;
  return autograd::record(
      "conv2d", {x, weight, bias}, y, {{"x", keep_x}, {"weight", keep_weight}, {"y", keep_y}},
      [p = linear, relu = p.relu, x_shape = x.shape(),
       w_shape = weight.shape()](const BackwardContext& ctx) -> Grads {
        // [N, O, Ho, Wo]: dL/d(conv + bias)
        const Tensor grad_y = relu ? ops::relu_backward(ctx.grad(0), ctx.saved("y")) : ctx.grad(0);
        Tensor grad_x, grad_weight, grad_bias;
        // dX = col2im(Wᵀ · dY)
        if (ctx.needs_grad(0)) {
          grad_x = ops::conv2d_backward_input(grad_y, ctx.saved("weight"), x_shape, p);
        }
        // dW = Σ_n dY · colsᵀ
        if (ctx.needs_grad(1)) {
          grad_weight = ops::conv2d_backward_weight(grad_y, ctx.saved("x"), w_shape, p);
        }
        // db = Σ_{n, h, w} dY
        if (ctx.needs_grad(2)) grad_bias = ops::sum(grad_y, {0, 2, 3});
        return {grad_x, grad_weight, grad_bias};
      });
}

}  // namespace camlab
