// Conv2d: 2-D convolution with PyTorch's parameters, layout and default initialisation.
//
//   Generator gen(0);
//   auto conv = std::make_shared<Conv2d>(3, 16, 3, Conv2dOptions{.stride = 2, .padding = 1}, gen);
//   Tensor y = (*conv)(x);           // x: [N, 3, H, W] -> y: [N, 16, ⌈H/2⌉, ⌈W/2⌉]
//   conv->weight;                    // [16, 3, 3, 3] (OIHW), "weight" in the state dict
#pragma once

#include "nn/module.h"
#include "nn/size2.h"
#include "tensor/generator.h"
#include "tensor/op_params.h"

namespace camlab::nn {

struct Conv2dOptions {
  Size2 stride = 1;
  Size2 padding = 0;
  Size2 dilation = 1;
  int64_t groups = 1;
  bool bias = true;
};

class Conv2d : public Module {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size, Conv2dOptions options = {},
         Generator& gen = default_generator());

  Tensor forward(const Tensor& x) override;
  // max(forward(x), 0) as one op: the ReLU runs in the convolution's epilogue (Sequential uses it
  // for a Conv2d followed by a ReLU). Bypasses this module's hooks; the caller checks for them.
  Tensor forward_relu(const Tensor& x);
  std::string type_name() const override { return "Conv2d"; }
  std::string extra_repr() const override;

  int64_t in_channels() const { return in_channels_; }
  int64_t out_channels() const { return out_channels_; }
  const Conv2dParams& params() const { return params_; }

  Tensor weight;  // [out, in / groups, kh, kw]
  Tensor bias;    // [out], undefined without bias

 private:
  void check_input(const Tensor& x) const;  // [N, in_channels, H, W], or an Error naming the layer
  int64_t in_channels_;
  int64_t out_channels_;
  Conv2dParams params_;
};

}  // namespace camlab::nn
