// Pooling layers. GlobalAvgPool is CAM's layer (Zhou et al. 2016): [N, C, H, W] -> [N, C], the
// per-channel mean that the classifier weights then score.
//
//   MaxPool2d pool(2);                     // kernel 2, stride 2
//   AvgPool2d avg(3, 1, 1);                // kernel 3, stride 1, padding 1
//   AdaptiveAvgPool2d adaptive({7, 7});    // any H, W -> 7 x 7
//   Tensor features = GlobalAvgPool()(x);  // [N, C]
#pragma once

#include <optional>

#include "nn/module.h"
#include "nn/size2.h"
#include "tensor/op_params.h"

namespace camlab::nn {

class MaxPool2d : public Module {
 public:
  // stride defaults to the kernel size, as in PyTorch.
  explicit MaxPool2d(Size2 kernel_size, std::optional<Size2> stride = std::nullopt,
                     Size2 padding = 0);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "MaxPool2d"; }
  std::string extra_repr() const override;

 private:
  Pool2dParams params_;
};

class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(Size2 kernel_size, std::optional<Size2> stride = std::nullopt,
                     Size2 padding = 0, bool count_include_pad = true);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "AvgPool2d"; }
  std::string extra_repr() const override;

 private:
  Pool2dParams params_;
};

class AdaptiveAvgPool2d : public Module {
 public:
  explicit AdaptiveAvgPool2d(Size2 output_size) : output_size_(output_size) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "AdaptiveAvgPool2d"; }
  std::string extra_repr() const override;

 private:
  Size2 output_size_;
};

// Mean over H and W: [N, C, H, W] -> [N, C] (AdaptiveAvgPool2d(1) followed by Flatten).
class GlobalAvgPool : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "GlobalAvgPool"; }
};

}  // namespace camlab::nn
