// Pooling frontends: validate, allocate, dispatch. Output size as PyTorch with ceil_mode off:
// Ho = ⌊(H + 2·pad − k) / stride⌋ + 1, and padding at most half the kernel (so every window
// overlaps the image).
#include <string_view>

#include "tensor/dispatch.h"
#include "tensor/graph_guard.h"
#include "tensor/ops.h"

namespace camlab::ops {
namespace {

void check_input(std::string_view op, std::string_view name, const Tensor& t) {
  CAMLAB_CHECK(t.defined(), "{}: {} is undefined", op, name);
  CAMLAB_CHECK(t.dim() == 4, "{}: {} must be 4-d [N, C, H, W], got {}", op, name,
               shape_str(t.shape()));
  CAMLAB_CHECK(is_floating(t.dtype()), "{}: {} must be float32 or float64, got {}", op, name,
               dtype_name(t.dtype()));
}

void check_x_shape(std::string_view op, const Shape& x_shape) {
  CAMLAB_CHECK(x_shape.size() == 4, "{}: the input shape must be 4-d [N, C, H, W], got {}", op,
               shape_str(x_shape));
}

std::array<int64_t, 2> pool_output_size(std::string_view op, const Shape& x_shape,
                                        const Pool2dParams& p) {
  check_x_shape(op, x_shape);
  std::array<int64_t, 2> out{};
  for (int i = 0; i < 2; ++i) {
    CAMLAB_CHECK(p.kernel[i] > 0 && p.stride[i] > 0 && p.padding[i] >= 0,
                 "{}: kernel {}x{} and stride {}x{} must be positive and padding {}x{} "
                 "non-negative",
                 op, p.kernel[0], p.kernel[1], p.stride[0], p.stride[1], p.padding[0],
                 p.padding[1]);
    CAMLAB_CHECK(2 * p.padding[i] <= p.kernel[i],
                 "{}: padding {}x{} must be at most half the kernel {}x{}", op, p.padding[0],
                 p.padding[1], p.kernel[0], p.kernel[1]);
    const int64_t padded = x_shape[2 + i] + 2 * p.padding[i];
    CAMLAB_CHECK(p.kernel[i] <= padded,
                 "{}: kernel {}x{} is larger than the padded input {}x{} (input {}, padding "
                 "{}x{}); use a smaller kernel or more padding",
                 op, p.kernel[0], p.kernel[1], x_shape[2] + 2 * p.padding[0],
                 x_shape[3] + 2 * p.padding[1], shape_str(x_shape), p.padding[0], p.padding[1]);
    out[i] = (padded - p.kernel[i]) / p.stride[i] + 1;
  }
  return out;
}

// grad_y must be [N, C, Ho, Wo] for an input of x_shape.
void check_grad_y(std::string_view op, const Tensor& grad_y, const Shape& x_shape,
                  std::array<int64_t, 2> out_size) {
  check_input(op, "grad_y", grad_y);
  const Shape want{x_shape[0], x_shape[1], out_size[0], out_size[1]};
  CAMLAB_CHECK(grad_y.shape() == want, "{}: grad_y {} does not match the output {} of input {}", op,
               shape_str(grad_y.shape()), shape_str(want), shape_str(x_shape));
}

}  // namespace

std::pair<Tensor, Tensor> max_pool2d(const Tensor& x, const Pool2dParams& p) {
  const UntrackedOp untracked("ops::max_pool2d", "camlab::max_pool2d", x);
  check_input("max_pool2d", "input", x);
  const auto [out_h, out_w] = pool_output_size("max_pool2d", x.shape(), p);
  const Shape out_shape{x.size(0), x.size(1), out_h, out_w};
  Tensor y = Tensor::empty(out_shape, x.dtype(), x.device());
  Tensor indices = Tensor::empty(out_shape, DType::Int64, x.device());
  dispatch(Op::max_pool2d, x.device(),
           KernelArgs{.inputs = {x.contiguous()}, .outputs = {y, indices}, .params = &p});
  return {y, indices};
}

Tensor max_pool2d_backward(const Tensor& grad_y, const Tensor& indices, const Shape& x_shape) {
  const UntrackedOp untracked("ops::max_pool2d_backward", "", grad_y);
  constexpr std::string_view op = "max_pool2d_backward";
  check_x_shape(op, x_shape);
  check_input(op, "grad_y", grad_y);
  CAMLAB_CHECK(grad_y.size(0) == x_shape[0] && grad_y.size(1) == x_shape[1],
               "{}: grad_y {} does not match input {} in batch and channels", op,
               shape_str(grad_y.shape()), shape_str(x_shape));
  CAMLAB_CHECK(indices.dtype() == DType::Int64 && indices.shape() == grad_y.shape(),
               "{}: indices must be int64 {} like grad_y, got {} {}", op, shape_str(grad_y.shape()),
               dtype_name(indices.dtype()), shape_str(indices.shape()));
  Tensor grad_x = Tensor::empty(x_shape, grad_y.dtype(), grad_y.device());
  dispatch(Op::max_pool2d_backward, grad_y.device(),
           KernelArgs{.inputs = {grad_y.contiguous(), indices.contiguous()}, .outputs = {grad_x}});
  return grad_x;
}

Tensor avg_pool2d(const Tensor& x, const Pool2dParams& p) {
  const UntrackedOp untracked("ops::avg_pool2d", "camlab::avg_pool2d", x);
  check_input("avg_pool2d", "input", x);
  const auto [out_h, out_w] = pool_output_size("avg_pool2d", x.shape(), p);
  Tensor y = Tensor::empty({x.size(0), x.size(1), out_h, out_w}, x.dtype(), x.device());
  dispatch(Op::avg_pool2d, x.device(),
           KernelArgs{.inputs = {x.contiguous()}, .outputs = {y}, .params = &p});
  return y;
}

Tensor avg_pool2d_backward(const Tensor& grad_y, const Shape& x_shape, const Pool2dParams& p) {
  const UntrackedOp untracked("ops::avg_pool2d_backward", "", grad_y);
  constexpr std::string_view op = "avg_pool2d_backward";
  check_grad_y(op, grad_y, x_shape, pool_output_size(op, x_shape, p));
  Tensor grad_x = Tensor::empty(x_shape, grad_y.dtype(), grad_y.device());
  dispatch(Op::avg_pool2d_backward, grad_y.device(),
           KernelArgs{.inputs = {grad_y.contiguous()}, .outputs = {grad_x}, .params = &p});
  return grad_x;
}

Tensor adaptive_avg_pool2d(const Tensor& x, std::array<int64_t, 2> out_size) {
  const UntrackedOp untracked("ops::adaptive_avg_pool2d", "camlab::adaptive_avg_pool2d", x);
  check_input("adaptive_avg_pool2d", "input", x);
  CAMLAB_CHECK(out_size[0] > 0 && out_size[1] > 0,
               "adaptive_avg_pool2d: output size {}x{} must be positive", out_size[0], out_size[1]);
  Tensor y = Tensor::empty({x.size(0), x.size(1), out_size[0], out_size[1]}, x.dtype(), x.device());
  // The bin geometry follows from the input and output shapes: no parameters.
  dispatch(Op::adaptive_avg_pool2d, x.device(),
           KernelArgs{.inputs = {x.contiguous()}, .outputs = {y}});
  return y;
}

Tensor adaptive_avg_pool2d_backward(const Tensor& grad_y, const Shape& x_shape) {
  const UntrackedOp untracked("ops::adaptive_avg_pool2d_backward", "", grad_y);
  constexpr std::string_view op = "adaptive_avg_pool2d_backward";
  check_x_shape(op, x_shape);
  check_input(op, "grad_y", grad_y);
  check_grad_y(op, grad_y, x_shape, {grad_y.size(2), grad_y.size(3)});
  Tensor grad_x = Tensor::empty(x_shape, grad_y.dtype(), grad_y.device());
  dispatch(Op::adaptive_avg_pool2d_backward, grad_y.device(),
           KernelArgs{.inputs = {grad_y.contiguous()}, .outputs = {grad_x}});
  return grad_x;
}

}  // namespace camlab::ops
