// BatchNorm2d (Ioffe & Szegedy 2015): per-channel normalisation with batch statistics in training
// and running statistics in eval, PyTorch's buffers and momentum convention.
//
//   BatchNorm2d bn(64);                  // weight 1, bias 0, running_mean 0, running_var 1
//   Tensor y = bn(x);                    // training: batch stats; running stats updated in place
//   bn.eval();  y = bn(x);               // uses running_mean / running_var
//   bn.set_stat_reducer(reducer);        // training: statistics over every rank
//   (sync_batch_norm.h)
//   // state dict: weight, bias, running_mean, running_var, num_batches_tracked (int64)
#pragma once

#include <memory>

#include "nn/batch_stat_reducer.h"
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
  // With a reducer, training forwards normalise with the statistics of every rank's batch
  // (torch.nn.SyncBatchNorm); eval still uses the running statistics. nullptr: per-rank.
  void set_stat_reducer(std::shared_ptr<BatchStatReducer> reducer) {
    stat_reducer_ = std::move(reducer);
  }

  Tensor weight;               // [C] γ, undefined without affine
  Tensor bias;                 // [C] β, undefined without affine
  Tensor running_mean;         // [C]
  Tensor running_var;          // [C] unbiased batch variances averaged
  Tensor num_batches_tracked;  // int64 scalar: training forwards so far

 private:
  int64_t num_features_;
  BatchNormOptions options_;
  std::shared_ptr<BatchStatReducer> stat_reducer_;
};

}  // namespace camlab::nn
