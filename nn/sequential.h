// Sequential: children run in order; named "0", "1", ... unless names are given, so state dict
// keys read as PyTorch's ("features.0.weight").
//
//   auto features = std::make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{
//       std::make_shared<Conv2d>(1, 8, 3), std::make_shared<ReLU>()});
//   features->add("pool", std::make_shared<MaxPool2d>(2));    // named child
//   Tensor y = (*features)(x);            // each child's hooks fire
//
// A Conv2d directly followed by a ReLU runs as one fused op (the ReLU in the convolution's
// epilogue, forward and backward alike) when neither layer has hooks; the values and gradients
// are the unfused ones bit for bit. A hook on either layer turns the fusion off for that pair;
// set_conv_relu_fusion(false), or CAMLAB_FUSE_CONV_RELU=0 in the environment, turns it off
// everywhere (to time what it buys, or to step through the layers one by one).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nn/module.h"

namespace camlab::nn {

// Whether Sequential fuses Conv2d -> ReLU pairs (process-wide; on unless CAMLAB_FUSE_CONV_RELU=0).
bool conv_relu_fusion();
void set_conv_relu_fusion(bool enabled);

class Sequential : public Module {
 public:
  Sequential() = default;
  explicit Sequential(const std::vector<std::shared_ptr<Module>>& modules);
  explicit Sequential(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules);

  // Appends under the next index ("3") or under `name`.
  Sequential& add(std::shared_ptr<Module> module);
  Sequential& add(const std::string& name, std::shared_ptr<Module> module);

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Sequential"; }

  size_t size() const { return layers_.size(); }
  Module& operator[](size_t index) const;

 private:
  std::vector<Module*> layers_;  // the children, in order (owned through Module's registry)
};

}  // namespace camlab::nn
