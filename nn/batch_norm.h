// BatchNorm2d (Ioffe & Szegedy 2015): per-channel normalisation with batch statistics in training
// and running statistics in eval, PyTorch's buffers and momentum convention.
//
//   BatchNorm2d bn(64);                  // weight 1, bias 0, running_mean 0, running_var 1
//   Tensor y = bn(x);                    // training: batch stats; running stats updated in place
//   bn.eval();  y = bn(x);               // uses running_mean / running_var
//   // state dict: weight, bias, running_mean, running_var, num_batches_tracked (int64)
#pragma once

#include "nn/module.h"

namespace camlab::nn {

struct BatchNormOptions {
  double eps = 1e-5;
  // running = (1 − momentum)·running + momentum·batch (PyTorch's convention, not Keras's).
  double momentum = 0.1;
  bool affine = true;
  bool track_running_stats = true;
};

class BatchNorm2d : public Module {
 public:
  explicit BatchNorm2d(int64_t num_features, BatchNormOptions options = {});

  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "BatchNorm2d"; }
  std::string extra_repr() const override;

  int64_t num_features() const { return num_features_; }
  const BatchNormOptions& options() const { return options_; }

  Tensor weight;               // [C] γ, undefined without affine
  Tensor bias;                 // [C] β, undefined without affine
  Tensor running_mean;         // [C]
  Tensor running_var;          // [C] unbiased batch variances averaged
  Tensor num_batches_tracked;  // int64 scalar: training forwards so far

 private:
  int64_t num_features_;
  BatchNormOptions options_;
};

}  // namespace camlab::nn
