#include "nn/bottleneck_block.h"

#include "autograd/ops.h"
#include "nn/activation.h"

namespace camlab::nn {
namespace {

// Convolutions feeding a BatchNorm carry no bias: β takes its role.
std::shared_ptr<Conv2d> conv_no_bias(int64_t in, int64_t out, int64_t kernel, int64_t stride,
                                     Generator& gen) {
  return std::make_shared<Conv2d>(
      in, out, kernel, Conv2dOptions{.stride = stride, .padding = kernel / 2, .bias = false}, gen);
}

}  // namespace

BottleneckBlock::BottleneckBlock(int64_t in_channels, int64_t mid_channels, int64_t out_channels,
                                 int64_t stride, Generator& gen) {
  CAMLAB_CHECK(stride > 0, "Bottleneck: stride must be positive, got {}", stride);
  CAMLAB_CHECK(in_channels > 0 && mid_channels > 0 && out_channels > 0,
               "Bottleneck: channels must be positive, got in {}, mid {}, out {}", in_channels,
               mid_channels, out_channels);
  conv1 = register_module("conv1", conv_no_bias(in_channels, mid_channels, 1, 1, gen));
  bn1 = register_module("bn1", std::make_shared<BatchNorm2d>(mid_channels));
  conv2 = register_module("conv2", conv_no_bias(mid_channels, mid_channels, 3, stride, gen));
  bn2 = register_module("bn2", std::make_shared<BatchNorm2d>(mid_channels));
  conv3 = register_module("conv3", conv_no_bias(mid_channels, out_channels, 1, 1, gen));
  bn3 = register_module("bn3", std::make_shared<BatchNorm2d>(out_channels));
  relu = register_module("relu", std::make_shared<ReLU>());
  if (stride != 1 || in_channels != out_channels) {
    auto projection = std::make_shared<Sequential>();
    projection->add(conv_no_bias(in_channels, out_channels, 1, stride, gen));
    projection->add(std::make_shared<BatchNorm2d>(out_channels));
    downsample = register_module("downsample", projection);
  }
}

Tensor BottleneckBlock::forward(const Tensor& x) {
  Tensor out = (*relu)((*bn1)((*conv1)(x)));  // [N, mid, H, W]
  out = (*relu)((*bn2)((*conv2)(out)));       // [N, mid, H/s, W/s]
  out = (*bn3)((*conv3)(out));                // [N, out, H/s, W/s]
  Tensor shortcut = downsample ? (*downsample)(x) : x;
  return (*relu)(camlab::add(out, shortcut));
}

}  // namespace camlab::nn
