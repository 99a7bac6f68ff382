#include "nn/pool.h"

#include "autograd/ops.h"

namespace camlab::nn {
namespace {

Pool2dParams pool_params(const char* layer, Size2 kernel, std::optional<Size2> stride,
                         Size2 padding, bool count_include_pad) {
  const Size2 step = stride.value_or(kernel);
  CAMLAB_CHECK(kernel.h > 0 && kernel.w > 0 && step.h > 0 && step.w > 0,
               "{}: kernel {} and stride {} must be positive", layer, kernel.str(), step.str());
  // PyTorch's rule: padding at most half the kernel, so every window sees a real pixel.
  CAMLAB_CHECK(
      padding.h >= 0 && padding.w >= 0 && 2 * padding.h <= kernel.h && 2 * padding.w <= kernel.w,
      "{}: padding {} must be between 0 and half the kernel {}", layer, padding.str(),
      kernel.str());
  return {.kernel = kernel.array(),
          .stride = step.array(),
          .padding = padding.array(),
          .count_include_pad = count_include_pad};
}

void check_image(const Module& m, const char* op, const Tensor& x) {
  CAMLAB_CHECK(x.dim() == 4, "{}: layer '{}' expects input [N, C, H, W] but got {}", op, m.label(),
               shape_str(x.shape()));
}

std::string pool_repr(const Pool2dParams& p) {
  auto pair = [](const std::array<int64_t, 2>& v) {
    return v[0] == v[1] ? fmt::format("{}", v[0]) : fmt::format("({}, {})", v[0], v[1]);
  };
  return fmt::format("kernel_size={}, stride={}, padding={}", pair(p.kernel), pair(p.stride),
                     pair(p.padding));
}

}  // namespace

MaxPool2d::MaxPool2d(Size2 kernel_size, std::optional<Size2> stride, Size2 padding)
    : params_(pool_params("MaxPool2d", kernel_size, stride, padding, true)) {}

Tensor MaxPool2d::forward(const Tensor& x) {
  check_image(*this, "max_pool2d", x);
  return camlab::max_pool2d(x, params_);
}

std::string MaxPool2d::extra_repr() const { return pool_repr(params_); }

AvgPool2d::AvgPool2d(Size2 kernel_size, std::optional<Size2> stride, Size2 padding,
                     bool count_include_pad)
    : params_(pool_params("AvgPool2d", kernel_size, stride, padding, count_include_pad)) {}

Tensor AvgPool2d::forward(const Tensor& x) {
  check_image(*this, "avg_pool2d", x);
  return camlab::avg_pool2d(x, params_);
}

std::string AvgPool2d::extra_repr() const { return pool_repr(params_); }

Tensor AdaptiveAvgPool2d::forward(const Tensor& x) {
  check_image(*this, "adaptive_avg_pool2d", x);
  return camlab::adaptive_avg_pool2d(x, output_size_.array());
}

std::string AdaptiveAvgPool2d::extra_repr() const {
  return output_size_.h == output_size_.w ? fmt::format("output_size={}", output_size_.h)
                                          : fmt::format("output_size={}", output_size_.str());
}

Tensor GlobalAvgPool::forward(const Tensor& x) {
  check_image(*this, "global_avg_pool", x);
  return camlab::mean(x, {2, 3});  // [N, C, H, W] -> [N, C]
}

}  // namespace camlab::nn
