// BottleneckBlock: torchvision's ResNet v1.5 Bottleneck (He et al. 2016, fig. 5 right; the
// stride on the 3x3 conv as torchvision puts it), with torchvision's child names so state dicts
// load from PyTorch: conv1, bn1, conv2, bn2, conv3, bn3, relu and, when the stride or the
// channels change, downsample.0 (1x1 conv, stride s) and downsample.1 (BatchNorm2d).
//
//   BottleneckBlock block(256, /*mid=*/128, /*out=*/512, /*stride=*/2, gen);  // layer2.0
//   Tensor y = block(x);   // relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x)))))))) + shortcut(x))
//   block.find("downsample.0");
//
// torchvision's planes = mid and out = 4·mid; here both are free (out = 4·mid is ResNet-50's).
#pragma once

#include <memory>

#include "nn/batch_norm.h"
#include "nn/conv2d.h"
#include "nn/module.h"
#include "nn/sequential.h"
#include "tensor/generator.h"

namespace camlab::nn {

class ReLU;

class BottleneckBlock : public Module {
 public:
  BottleneckBlock(int64_t in_channels, int64_t mid_channels, int64_t out_channels,
                  int64_t stride = 1, Generator& gen = default_generator());

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Bottleneck"; }

  std::shared_ptr<Conv2d> conv1;  // 1x1: in -> mid
  std::shared_ptr<BatchNorm2d> bn1;
  std::shared_ptr<Conv2d> conv2;  // 3x3, stride s: mid -> mid
  std::shared_ptr<BatchNorm2d> bn2;
  std::shared_ptr<Conv2d> conv3;  // 1x1: mid -> out
  std::shared_ptr<BatchNorm2d> bn3;
  std::shared_ptr<ReLU> relu;
  std::shared_ptr<Sequential> downsample;  // null for the identity shortcut
};

}  // namespace camlab::nn
