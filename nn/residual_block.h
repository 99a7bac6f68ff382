// ResidualBlock: ResNet's BasicBlock (He et al. 2016, fig. 2) with PyTorch's child names, so
// torchvision-style state dicts load: conv1, bn1, relu, conv2, bn2 and, when the shape changes,
// downsample.0 (1x1 conv, stride s) and downsample.1 (BatchNorm2d).
//
//   ResidualBlock block(64, 128, /*stride=*/2, gen);  // projection shortcut
//   Tensor y = block(x);       // relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))
//   block.find("downsample.0");
#pragma once

#include <memory>

#include "nn/batch_norm.h"
#include "nn/conv2d.h"
#include "nn/module.h"
#include "nn/sequential.h"
#include "tensor/generator.h"

namespace camlab::nn {

class ReLU;

class ResidualBlock : public Module {
 public:
  ResidualBlock(int64_t in_channels, int64_t out_channels, int64_t stride = 1,
                Generator& gen = default_generator());

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "ResidualBlock"; }

  std::shared_ptr<Conv2d> conv1;
  std::shared_ptr<BatchNorm2d> bn1;
  std::shared_ptr<ReLU> relu;
  std::shared_ptr<Conv2d> conv2;
  std::shared_ptr<BatchNorm2d> bn2;
  std::shared_ptr<Sequential> downsample;  // null for the identity shortcut
};

}  // namespace camlab::nn
