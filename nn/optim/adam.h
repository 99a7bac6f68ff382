// Adam (Kingma & Ba 2015, Algorithm 1) and AdamW (Loshchilov & Hutter 2019), as torch.optim:
//   t += 1;  g = ∇ + λ·p (Adam)  or  p = p·(1 − lr·λ) (AdamW, decoupled decay)
//   m = β₁·m + (1 − β₁)·g;   v = β₂·v + (1 − β₂)·g²
//   p = p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
// with amsgrad using max(v) seen so far in place of v.
//
//   Adam adam(model->parameters(), {.lr = 1e-3});
//   AdamW adamw(model->parameters());         // weight_decay 1e-2 by default, as PyTorch
#pragma once

#include <array>

#include "nn/optim/optimizer.h"

namespace camlab::nn {

struct AdamOptions {
  double lr = 1e-3;
  std::array<double, 2> betas{0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0;
  bool amsgrad = false;
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, AdamOptions options = {});

  void step() override;
  std::string type_name() const override { return decoupled_ ? "AdamW" : "Adam"; }
  std::vector<std::string> state_names() const override;
  const AdamOptions& options() const { return options_; }

 protected:
  Adam(std::vector<Tensor> params, AdamOptions options, bool decoupled_weight_decay);

 private:
  AdamOptions options_;
  bool decoupled_;
};

class AdamW : public Adam {
 public:
  AdamW(std::vector<Tensor> params, AdamOptions options = {.weight_decay = 1e-2})
      : Adam(std::move(params), options, true) {}
};

}  // namespace camlab::nn
