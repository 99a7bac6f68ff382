// Dropout (Srivastava et al. 2014), inverted: in training each element is zeroed with probability
// p and the survivors scaled by 1/(1 − p); in eval it is the identity.
//
//   Dropout drop(0.5, /*seed=*/7);       // owns a Generator seeded with 7
//   Dropout shared(0.5, gen);            // draws from a caller's Generator (must outlive it)
//   Tensor y = drop(x);                  // same mask sequence on every run for the same seed
#pragma once

#include "nn/module.h"
#include "tensor/generator.h"

namespace camlab::nn {

class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5, uint64_t seed = 0);
  Dropout(double p, Generator& gen);

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Dropout"; }
  std::string extra_repr() const override;

  double p() const { return p_; }
  Generator& generator() { return *gen_; }

 private:
  double p_;
  Generator owned_;
  Generator* gen_;  // &owned_ or the caller's
};

}  // namespace camlab::nn
