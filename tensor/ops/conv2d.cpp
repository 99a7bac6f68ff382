// Convolution frontends: validate shapes and geometry, allocate, run the kernels.
// Output size: conv_output_extent (tensor/conv_geometry.h), once the kernel is known to fit.

#include <string_view>

#include "tensor/conv_geometry.h"
#include "tensor/dispatch.h"
#include "tensor/graph_guard.h"
#include "tensor/ops.h"

namespace camlab::ops {
namespace {

void check_geometry(std::string_view op, const Conv2dParams& p) {
  for (int i = 0; i < 2; ++i) {
    CAMLAB_CHECK(p.kernel[i] > 0 && p.stride[i] > 0 && p.dilation[i] > 0 && p.padding[i] >= 0,
                 "{}: kernel {}x{}, stride {}x{} and dilation {}x{} must be positive and padding "
                 "{}x{} non-negative",
                 op, p.kernel[0], p.kernel[1], p.stride[0], p.stride[1], p.dilation[0],
                 p.dilation[1], p.padding[0], p.padding[1]);
  }
}

void check_image(std::string_view op, std::string_view name, const Tensor& t) {
  CAMLAB_CHECK(t.defined(), "{}: {} is undefined", op, name);
  CAMLAB_CHECK(t.dim() == 4, "{}: {} must be 4-d [N, C, H, W], got {}", op, name,
               shape_str(t.shape()));
  CAMLAB_CHECK(is_floating(t.dtype()), "{}: {} must be float32 or float64, got {}", op, name,
               dtype_name(t.dtype()));
}

void check_same(std::string_view op, const Tensor& a, const Tensor& b) {
  CAMLAB_CHECK(a.dtype() == b.dtype(), "{}: dtype mismatch, {} vs {}", op, dtype_name(a.dtype()),
               dtype_name(b.dtype()));
  CAMLAB_CHECK(a.device() == b.device(), "{}: tensors on different devices, {} and {}", op,
               a.device().str(), b.device().str());
}

// Checks the input/weight pairing and returns p with the kernel size taken from the weight.
// p.kernel may be left at its default {1, 1}; any other value must agree with the weight.
Conv2dParams conv_params(std::string_view op, const Shape& x_shape, const Shape& w_shape,
                         const Conv2dParams& p) {
  CAMLAB_CHECK(x_shape.size() == 4, "{}: input must be 4-d [N, C, H, W], got {}", op,
               shape_str(x_shape));
  CAMLAB_CHECK(w_shape.size() == 4, "{}: weight must be 4-d [O, C/groups, kh, kw], got {}", op,
               shape_str(w_shape));
  CAMLAB_CHECK(p.groups > 0, "{}: groups must be positive, got {}", op, p.groups);
  const std::array<int64_t, 2> w_kernel{w_shape[2], w_shape[3]};
  CAMLAB_CHECK(p.kernel == w_kernel || p.kernel == (std::array<int64_t, 2>{1, 1}),
               "{}: params say kernel {}x{} but weight {} has {}x{}", op, p.kernel[0], p.kernel[1],
               shape_str(w_shape), w_kernel[0], w_kernel[1]);
  Conv2dParams out = p;
  out.kernel = w_kernel;
  check_geometry(op, out);
  CAMLAB_CHECK(x_shape[1] % p.groups == 0 && w_shape[0] % p.groups == 0,
               "{}: groups={} must divide the input channels ({}, input {}) and the output "
               "channels ({}, weight {})",
               op, p.groups, x_shape[1], shape_str(x_shape), w_shape[0], shape_str(w_shape));
  CAMLAB_CHECK(x_shape[1] == w_shape[1] * p.groups,
               "{}: input {} has {} channels but weight {} expects {} ({} per group x {} "
               "groups); the weight must be [O, C/groups, kh, kw]",
               op, shape_str(x_shape), x_shape[1], shape_str(w_shape), w_shape[1] * p.groups,
               w_shape[1], p.groups);
  conv2d_output_size(x_shape, out);  // the kernel must fit the padded input
  return out;
}

}  // namespace

std::array<int64_t, 2> conv2d_output_size(const Shape& x_shape, const Conv2dParams& p) {
  CAMLAB_CHECK(x_shape.size() == 4, "conv2d: input must be 4-d [N, C, H, W], got {}",
               shape_str(x_shape));
  check_geometry("conv2d", p);
  std::array<int64_t, 2> out{};
  for (int i = 0; i < 2; ++i) {
    const int64_t padded = x_shape[2 + i] + 2 * p.padding[i];
    const int64_t extent = p.dilation[i] * (p.kernel[i] - 1) + 1;  // the dilated kernel
    CAMLAB_CHECK(extent <= padded,
                 "conv2d: kernel {}x{} (dilation {}x{}, spanning {}x{}) is larger than the padded "
                 "input {}x{} (input {}, padding {}x{}); use a smaller kernel or more padding",
                 p.kernel[0], p.kernel[1], p.dilation[0], p.dilation[1],
                 p.dilation[0] * (p.kernel[0] - 1) + 1, p.dilation[1] * (p.kernel[1] - 1) + 1,
                 x_shape[2] + 2 * p.padding[0], x_shape[3] + 2 * p.padding[1], shape_str(x_shape),
                 p.padding[0], p.padding[1]);
    out[i] =
        conv_output_extent(x_shape[2 + i], p.kernel[i], p.stride[i], p.padding[i], p.dilation[i]);
  }
  return out;
}

Tensor im2col(const Tensor& x, const Conv2dParams& p) {
  const UntrackedOp untracked("ops::im2col", "", x);
  check_image("im2col", "input", x);
  const auto [out_h, out_w] = conv2d_output_size(x.shape(), p);
  // [N, C·kh·kw, Ho·Wo]
  Tensor cols = Tensor::empty({x.size(0), x.size(1) * p.kernel[0] * p.kernel[1], out_h * out_w},
                              x.dtype(), x.device());
  dispatch(Op::im2col, x.device(), KernelArgs{.inputs = {x}, .outputs = {cols}, .params = &p});
  return cols;
}

Tensor col2im(const Tensor& cols, const Shape& x_shape, const Conv2dParams& p) {
  const UntrackedOp untracked("ops::col2im", "", cols);
  const auto [out_h, out_w] = conv2d_output_size(x_shape, p);
  const Shape want{x_shape[0], x_shape[1] * p.kernel[0] * p.kernel[1], out_h * out_w};
  CAMLAB_CHECK(cols.dim() == 3 && cols.shape() == want,
               "col2im: cols {} does not match image {} with kernel {}x{}; expected {}",
               shape_str(cols.shape()), shape_str(x_shape), p.kernel[0], p.kernel[1],
               shape_str(want));
  CAMLAB_CHECK(is_floating(cols.dtype()), "col2im: cols must be float32 or float64, got {}",
               dtype_name(cols.dtype()));
  Tensor x = Tensor::empty(x_shape, cols.dtype(), cols.device());  // [N, C, H, W]
  dispatch(Op::col2im, cols.device(), KernelArgs{.inputs = {cols}, .outputs = {x}, .params = &p});
  return x;
}

Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& b, const Conv2dParams& p) {
  const UntrackedOp untracked("ops::conv2d", "camlab::conv2d", x, w, b);
  check_image("conv2d", "input", x);
  check_image("conv2d", "weight", w);
  check_same("conv2d", x, w);
  const Conv2dParams params = conv_params("conv2d", x.shape(), w.shape(), p);
  const int64_t out_channels = w.size(0);
  KernelArgs args{.inputs = {x.contiguous(), w.contiguous()}, .params = &params};
  if (b.defined()) {
    CAMLAB_CHECK(b.dim() == 1 && b.size(0) == out_channels,
                 "conv2d: bias {} must be [{}], one value per output channel of weight {}",
                 shape_str(b.shape()), out_channels, shape_str(w.shape()));
    check_same("conv2d", x, b);
    args.inputs.push_back(b.contiguous());
  }
  const auto [out_h, out_w] = conv2d_output_size(x.shape(), params);
  Tensor y = Tensor::empty({x.size(0), out_channels, out_h, out_w}, x.dtype(), x.device());
  args.outputs = {y};
  dispatch(Op::conv2d_forward, x.device(), args);
  return y;
}

Tensor conv2d_backward_input(const Tensor& grad_y, const Tensor& w, const Shape& x_shape,
                             const Conv2dParams& p) {
  const UntrackedOp untracked("ops::conv2d_backward_input", "", grad_y, w);
  constexpr std::string_view op = "conv2d_backward_input";
  check_image(op, "grad_y", grad_y);
  check_image(op, "weight", w);
  check_same(op, grad_y, w);
  const Conv2dParams params = conv_params(op, x_shape, w.shape(), p);
  const auto [out_h, out_w] = conv2d_output_size(x_shape, params);
  const Shape y_shape{x_shape[0], w.size(0), out_h, out_w};
  CAMLAB_CHECK(grad_y.shape() == y_shape, "{}: grad_y {} does not match the output {} of input {}",
               op, shape_str(grad_y.shape()), shape_str(y_shape), shape_str(x_shape));
  Tensor grad_x = Tensor::empty(x_shape, grad_y.dtype(), grad_y.device());
  dispatch(
      Op::conv2d_backward_input, grad_y.device(),
      KernelArgs{
          .inputs = {grad_y.contiguous(), w.contiguous()}, .outputs = {grad_x}, .params = &params});
  return grad_x;
}

Tensor conv2d_backward_weight(const Tensor& grad_y, const Tensor& x, const Shape& w_shape,
                              const Conv2dParams& p) {
  const UntrackedOp untracked("ops::conv2d_backward_weight", "", grad_y, x);
  constexpr std::string_view op = "conv2d_backward_weight";
  check_image(op, "grad_y", grad_y);
  check_image(op, "input", x);
  check_same(op, grad_y, x);
  const Conv2dParams params = conv_params(op, x.shape(), w_shape, p);
  const auto [out_h, out_w] = conv2d_output_size(x.shape(), params);
  const Shape y_shape{x.size(0), w_shape[0], out_h, out_w};
  CAMLAB_CHECK(grad_y.shape() == y_shape, "{}: grad_y {} does not match the output {} of input {}",
               op, shape_str(grad_y.shape()), shape_str(y_shape), shape_str(x.shape()));
  Tensor grad_w = Tensor::empty(w_shape, grad_y.dtype(), grad_y.device());
  dispatch(
      Op::conv2d_backward_weight, grad_y.device(),
      KernelArgs{
          .inputs = {grad_y.contiguous(), x.contiguous()}, .outputs = {grad_w}, .params = &params});
  return grad_w;
}

}  // namespace camlab::ops
