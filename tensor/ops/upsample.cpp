// Resizing frontends: validate, allocate, dispatch. Sizes travel in the tensors' shapes; only
// align_corners needs UpsampleParams.
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

void check_sizes(std::string_view op, const Shape& in_shape, std::array<int64_t, 2> out_size) {
  CAMLAB_CHECK(in_shape.size() == 4, "{}: the input shape must be 4-d [N, C, H, W], got {}", op,
               shape_str(in_shape));
  CAMLAB_CHECK(out_size[0] > 0 && out_size[1] > 0 && in_shape[2] > 0 && in_shape[3] > 0,
               "{}: input {} and output size {}x{} must have positive height and width", op,
               shape_str(in_shape), out_size[0], out_size[1]);
}

// x: [N, C, H, W] -> [N, C, out_h, out_w]
Tensor resize(Op op, const Tensor& x, std::array<int64_t, 2> out_size, bool align_corners) {
  const std::string_view name = op_name(op);
  check_input(name, "input", x);
  check_sizes(name, x.shape(), out_size);
  Tensor y = Tensor::empty({x.size(0), x.size(1), out_size[0], out_size[1]}, x.dtype(), x.device());
  UpsampleParams p{.out_size = out_size, .align_corners = align_corners};
  dispatch(op, x.device(), KernelArgs{.inputs = {x.contiguous()}, .outputs = {y}, .params = &p});
  return y;
}

// grad_y: [N, C, out_h, out_w] -> [N, C, H, W] of x_shape
Tensor resize_backward(Op op, const Tensor& grad_y, const Shape& x_shape, bool align_corners) {
  const std::string_view name = op_name(op);
  check_input(name, "grad_y", grad_y);
  check_sizes(name, x_shape, {grad_y.size(2), grad_y.size(3)});
  CAMLAB_CHECK(grad_y.size(0) == x_shape[0] && grad_y.size(1) == x_shape[1],
               "{}: grad_y {} does not match input {} in batch and channels", name,
               shape_str(grad_y.shape()), shape_str(x_shape));
  Tensor grad_x = Tensor::empty(x_shape, grad_y.dtype(), grad_y.device());
  UpsampleParams p{.out_size = {grad_y.size(2), grad_y.size(3)}, .align_corners = align_corners};
  dispatch(op, grad_y.device(),
           KernelArgs{.inputs = {grad_y.contiguous()}, .outputs = {grad_x}, .params = &p});
  return grad_x;
}

}  // namespace

Tensor upsample_bilinear2d(const Tensor& x, std::array<int64_t, 2> out_size, bool align_corners) {
  const UntrackedOp untracked("ops::upsample_bilinear2d", "camlab::upsample_bilinear2d", x);
  return resize(Op::upsample_bilinear2d, x, out_size, align_corners);
}

Tensor upsample_bilinear2d_backward(const Tensor& grad_y, const Shape& x_shape,
                                    bool align_corners) {
  const UntrackedOp untracked("ops::upsample_bilinear2d_backward", "", grad_y);
  return resize_backward(Op::upsample_bilinear2d_backward, grad_y, x_shape, align_corners);
}

Tensor upsample_nearest2d(const Tensor& x, std::array<int64_t, 2> out_size) {
  const UntrackedOp untracked("ops::upsample_nearest2d", "camlab::upsample_nearest2d", x);
  return resize(Op::upsample_nearest2d, x, out_size, false);
}

Tensor upsample_nearest2d_backward(const Tensor& grad_y, const Shape& x_shape) {
  const UntrackedOp untracked("ops::upsample_nearest2d_backward", "", grad_y);
  return resize_backward(Op::upsample_nearest2d_backward, grad_y, x_shape, false);
}

}  // namespace camlab::ops
