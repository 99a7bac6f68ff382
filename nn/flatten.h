// Shape-only layers: Flatten (dims start..end into one, as torch.nn.Flatten) and Identity.
//
//   Tensor rows = Flatten()(x);          // [N, C, H, W] -> [N, C·H·W]
//   Tensor same = Identity()(x);         // x itself: a named place to hang a hook
#pragma once

#include "nn/module.h"

namespace camlab::nn {

class Flatten : public Module {
 public:
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1)
      : start_dim_(start_dim), end_dim_(end_dim) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Flatten"; }
  std::string extra_repr() const override;

 private:
  int64_t start_dim_;
  int64_t end_dim_;
};

class Identity : public Module {
 public:
  Tensor forward(const Tensor& x) override { return x; }
  std::string type_name() const override { return "Identity"; }
};

}  // namespace camlab::nn
