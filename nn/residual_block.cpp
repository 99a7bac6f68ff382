#include "nn/residual_block.h"

#include "autograd/ops.h"
#include "nn/activation.h"

namespace camlab::nn {

ResidualBlock::ResidualBlock(int64_t in_channels, int64_t out_channels, int64_t stride,
                             Generator& gen) {
  CAMLAB_CHECK(stride > 0, "ResidualBlock: stride must be positive, got {}", stride);
  // Convolutions feeding a BatchNorm carry no bias: β takes its role.
  conv1 = register_module(
      "conv1",
      std::make_shared<Conv2d>(in_channels, out_channels, 3,
                               Conv2dOptions{.stride = stride, .padding = 1, .bias = false}, gen));
  bn1 = register_module("bn1", std::make_shared<BatchNorm2d>(out_channels));
  relu = register_module("relu", std::make_shared<ReLU>());
  conv2 = register_module(
      "conv2", std::make_shared<Conv2d>(out_channels, out_channels, 3,
                                        Conv2dOptions{.padding = 1, .bias = false}, gen));
  bn2 = register_module("bn2", std::make_shared<BatchNorm2d>(out_channels));
  if (stride != 1 || in_channels != out_channels) {
    auto projection = std::make_shared<Sequential>();
    projection->add(std::make_shared<Conv2d>(in_channels, out_channels, 1,
                                             Conv2dOptions{.stride = stride, .bias = false}, gen));
    projection->add(std::make_shared<BatchNorm2d>(out_channels));
    downsample = register_module("downsample", projection);
  }
}

Tensor ResidualBlock::forward(const Tensor& x) {
  Tensor out = (*relu)((*bn1)((*conv1)(x)));
  out = (*bn2)((*conv2)(out));
  Tensor shortcut = downsample ? (*downsample)(x) : x;
  return (*relu)(camlab::add(out, shortcut));
}

}  // namespace camlab::nn
