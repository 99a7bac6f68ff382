// Differentiable 2-D convolution; the im2col + GEMM passes live in tensor/ops/conv2d.cpp and
// tensor/cpu/conv2d.cpp.
#include "autograd/function.h"
#include "autograd/ops.h"

namespace camlab {
namespace {
using autograd::BackwardContext;
using Grads = std::vector<Tensor>;

// For create_graph, the two halves of conv2d's backward are recorded as ops of their own. With
// y = C(x; w) bilinear, dX = C_xᵀ(dY; w) and dW = C_wᵀ(dY; x) are bilinear too, and the adjoint
// identities ⟨u, C_xᵀ(g; w)⟩ = ⟨C(u; w), g⟩ = ⟨C_wᵀ(g; u), w⟩ give each one's backward in terms
// of the other two, so conv2d, conv2d_backward_input and conv2d_backward_weight differentiate
// each other to any order.
enum class ConvHalf { Input, Weight };

// Input:  grad_y [N, O, Ho, Wo], other = weight [O, C/groups, kh, kw] -> dX [N, C, H, W]
//         (a transposed conv); its backward: d/dg = C(u; w), d/dw = C_wᵀ(g; u).
// Weight: grad_y [N, O, Ho, Wo], other = x [N, C, H, W] -> dW [O, C/groups, kh, kw];
//         its backward: d/dg = C(x; u), d/dx = C_xᵀ(g; u).
Tensor conv2d_backward_half(ConvHalf half, const Tensor& grad_y, const Tensor& other,
                            const Shape& result_shape, const Conv2dParams& p) {
  const bool input = half == ConvHalf::Input;
  Tensor result;
  {
    const RawOpScope raw_forward;
    result = input ? ops::conv2d_backward_input(grad_y, other, result_shape, p)
                   : ops::conv2d_backward_weight(grad_y, other, result_shape, p);
  }
  autograd::BackwardFn backward = [input, p](const BackwardContext& ctx) -> Grads {
    const Tensor &g = ctx.saved("grad_y"), &other = ctx.saved("other");
    Tensor u = ctx.grad(0);  // like the result
    Tensor grad_g, grad_other;
    if (ctx.needs_grad(0)) {
      grad_g =
          input ? camlab::conv2d(u, other, Tensor(), p) : camlab::conv2d(other, u, Tensor(), p);
    }
    if (ctx.needs_grad(1)) {
      grad_other =
          conv2d_backward_half(input ? ConvHalf::Weight : ConvHalf::Input, g, u, other.shape(), p);
    }
    return {grad_g, grad_other};
  };
  return autograd::record(input ? "conv2d_backward_input" : "conv2d_backward_weight",
                          {grad_y, other}, result, {{"grad_y", grad_y}, {"other", other}}, backward,
                          backward);
}
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
      },
      [p = linear, relu = p.relu, x_shape = x.shape(),
       w_shape = weight.shape()](const BackwardContext& ctx) -> Grads {
        // The fused ReLU's mask 1[y > 0] is a constant (its own derivative is 0 almost everywhere).
        Tensor grad_y = ctx.grad(0);
        if (relu) {
          const Tensor y = detach(ctx.saved("y"));
          grad_y = camlab::mul(grad_y, ops::gt(y, 0.0).to(y.dtype()));
        }
        return {ctx.needs_grad(0)
                    ? conv2d_backward_half(ConvHalf::Input, grad_y, ctx.saved("weight"), x_shape, p)
                    : Tensor(),
                ctx.needs_grad(1)
                    ? conv2d_backward_half(ConvHalf::Weight, grad_y, ctx.saved("x"), w_shape, p)
                    : Tensor(),
                ctx.needs_grad(2) ? camlab::sum(grad_y, {0, 2, 3}) : Tensor()};
      });
}

}  // namespace camlab
