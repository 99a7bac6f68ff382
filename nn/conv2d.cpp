#include "nn/conv2d.h"

#include "autograd/ops.h"
#include "nn/init.h"

namespace camlab::nn {

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size, Conv2dOptions options,
               Generator& gen)
    : in_channels_(in_channels), out_channels_(out_channels) {
  CAMLAB_CHECK(in_channels > 0 && out_channels > 0 && options.groups > 0 &&
                   in_channels % options.groups == 0 && out_channels % options.groups == 0,
               "Conv2d: in_channels {} and out_channels {} must be positive multiples of groups {}",
               in_channels, out_channels, options.groups);
  CAMLAB_CHECK(kernel_size.h > 0 && kernel_size.w > 0 && options.stride.h > 0 &&
                   options.stride.w > 0 && options.dilation.h > 0 && options.dilation.w > 0 &&
                   options.padding.h >= 0 && options.padding.w >= 0,
               "Conv2d: kernel {}, stride {} and dilation {} must be positive and padding {} "
               "non-negative",
               kernel_size.str(), options.stride.str(), options.dilation.str(),
               options.padding.str());
  params_ = {.kernel = kernel_size.array(),
             .stride = options.stride.array(),
             .padding = options.padding.array(),
             .dilation = options.dilation.array(),
             .groups = options.groups};
  weight =
      Tensor::empty({out_channels, in_channels / options.groups, kernel_size.h, kernel_size.w});
  if (options.bias) bias = Tensor::empty({out_channels});
  init::reset_conv_or_linear(weight, bias, gen);
  register_parameter("weight", weight);
  register_parameter("bias", bias);
}

void Conv2d::check_input(const Tensor& x) const {
  CAMLAB_CHECK(x.dim() == 4, "conv2d: layer '{}' expects input [N, {}, H, W] but got {}", label(),
               in_channels_, shape_str(x.shape()));
  CAMLAB_CHECK(x.size(1) == in_channels_,
               "conv2d: input has {} channels but layer '{}' expects {} (input {}, weight {})",
               x.size(1), label(), in_channels_, shape_str(x.shape()), shape_str(weight.shape()));
}

Tensor Conv2d::forward(const Tensor& x) {
  check_input(x);
  return camlab::conv2d(x, weight, bias, params_);
}

Tensor Conv2d::forward_relu(const Tensor& x) {
  check_input(x);
  Conv2dParams fused = params_;
  fused.relu = true;
  return camlab::conv2d(x, weight, bias, fused);
}

std::string Conv2d::extra_repr() const {
  std::string out =
      fmt::format("{}, {}, kernel_size=({}, {}), stride=({}, {})", in_channels_, out_channels_,
                  params_.kernel[0], params_.kernel[1], params_.stride[0], params_.stride[1]);
  if (params_.padding != std::array<int64_t, 2>{0, 0}) {
    out += fmt::format(", padding=({}, {})", params_.padding[0], params_.padding[1]);
  }
  if (params_.dilation != std::array<int64_t, 2>{1, 1}) {
    out += fmt::format(", dilation=({}, {})", params_.dilation[0], params_.dilation[1]);
  }
  if (params_.groups != 1) out += fmt::format(", groups={}", params_.groups);
  if (!bias.defined()) out += ", bias=False";
  return out;
}

}  // namespace camlab::nn
