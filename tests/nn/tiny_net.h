// A small CAM-style network shared by the nn tests: conv → BN → ReLU → GAP → fc, with PyTorch's
// naming (features.0 is the conv, features.1 the BatchNorm).
//
//   Generator gen(0);
//   auto net = std::make_shared<TinyNet>(gen);
//   Tensor logits = (*net)(ops::randn({2, 1, 6, 6}, gen));   // [2, 3]
#pragma once

#include <memory>

#include "nn/nn.h"

namespace camlab::nn::test {

class TinyNet : public Module {
 public:
  explicit TinyNet(Generator& gen) {
    features = register_module(
        "features", std::make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{
                        std::make_shared<Conv2d>(1, 4, 3, Conv2dOptions{.padding = 1}, gen),
                        std::make_shared<BatchNorm2d>(4), std::make_shared<ReLU>()}));
    pool = register_module("pool", std::make_shared<GlobalAvgPool>());
    fc = register_module("fc", std::make_shared<Linear>(4, 3, true, gen));
  }
  Tensor forward(const Tensor& x) override { return (*fc)((*pool)((*features)(x))); }
  std::string type_name() const override { return "TinyNet"; }

  std::shared_ptr<Sequential> features;
  std::shared_ptr<GlobalAvgPool> pool;
  std::shared_ptr<Linear> fc;
};

}  // namespace camlab::nn::test
