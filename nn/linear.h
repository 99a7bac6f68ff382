// Linear: y = x·Wᵀ + b with PyTorch's [out, in] weight layout and default initialisation.
//
//   Generator gen(0);
//   auto fc = std::make_shared<Linear>(512, 10, /*bias=*/true, gen);
//   Tensor logits = (*fc)(features);   // [N, 512] -> [N, 10]; [.., 512] -> [.., 10] likewise
#pragma once

#include "nn/module.h"
#include "tensor/generator.h"

namespace camlab::nn {

class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true,
         Generator& gen = default_generator());

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Linear"; }
  std::string extra_repr() const override;

  int64_t in_features() const { return in_features_; }
  int64_t out_features() const { return out_features_; }

  Tensor weight;  // [out, in]
  Tensor bias;    // [out], undefined without bias

 private:
  int64_t in_features_;
  int64_t out_features_;
};

}  // namespace camlab::nn
