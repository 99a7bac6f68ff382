// SGD with momentum, dampening, Nesterov and L2 weight decay — PyTorch's update rule exactly
// (torch.optim.SGD; Sutskever et al. 2013 for the Nesterov form):
//   d = g + λ·p
//   b = d on the first step, else μ·b + (1 − τ)·d
//   d = d + μ·b (nesterov) or b
//   p = p − lr·d
//
//   SGD sgd(model->parameters(), {.lr = 0.05, .momentum = 0.9, .weight_decay = 5e-4});
#pragma once

#include "nn/optim/optimizer.h"

namespace camlab::nn {

struct SGDOptions {
  double lr = 0.01;
  double momentum = 0;
  double dampening = 0;
  double weight_decay = 0;
  bool nesterov = false;
};

class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, SGDOptions options);

  void step() override;
  std::string type_name() const override { return "SGD"; }
  std::vector<std::string> state_names() const override { return {"momentum_buffer"}; }
  const SGDOptions& options() const { return options_; }

 private:
  SGDOptions options_;
};

}  // namespace camlab::nn
