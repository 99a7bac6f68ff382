#include "nn/batch_norm.h"

#include "autograd/ops.h"
#include "nn/sync_batch_norm.h"

namespace camlab::nn {
namespace {

// num_batches_tracked += 1, wherever the counter lives.
void increment(Tensor& counter) {
  if (counter.device().is_cpu()) {
    counter.data<int64_t>()[0] += 1;
    return;
  }
  Tensor host = counter.to(Device::cpu());
  host.data<int64_t>()[0] += 1;
  counter.copy_(host.to(counter.device()));
}

}  // namespace

BatchNorm2d::BatchNorm2d(int64_t num_features, BatchNormOptions options)
    : num_features_(num_features), options_(options) {
  CAMLAB_CHECK(num_features > 0, "BatchNorm2d: num_features must be positive, got {}",
               num_features);
  CAMLAB_CHECK(options.eps > 0 && options.momentum >= 0 && options.momentum <= 1,
               "BatchNorm2d: eps {} must be positive and momentum {} within [0, 1]", options.eps,
               options.momentum);
  if (options.affine) {
    weight = ops::ones({num_features});
    bias = ops::zeros({num_features});
  }
  if (options.track_running_stats) {
    running_mean = ops::zeros({num_features});
    running_var = ops::ones({num_features});
    num_batches_tracked = ops::zeros({}, DType::Int64);
  }
  register_parameter("weight", weight);
  register_parameter("bias", bias);
  register_buffer("running_mean", running_mean);
  register_buffer("running_var", running_var);
  register_buffer("num_batches_tracked", num_batches_tracked);
}

Tensor BatchNorm2d::forward(const Tensor& x) {
  CAMLAB_CHECK(x.dim() == 4, "batch_norm: layer '{}' expects input [N, {}, H, W] but got {}",
               label(), num_features_, shape_str(x.shape()));
  CAMLAB_CHECK(x.size(1) == num_features_,
               "batch_norm: input has {} channels but layer '{}' expects {} (input {})", x.size(1),
               label(), num_features_, shape_str(x.shape()));
  // Without running statistics there is nothing to evaluate with: batch statistics always.
  const bool use_batch_stats = is_training() || !options_.track_running_stats;
  if (is_training() && options_.track_running_stats) increment(num_batches_tracked);
  // Ranks synchronise only while training, as torch.nn.SyncBatchNorm: an eval forward without
  // running statistics normalises each rank's batch alone and communicates nothing.
  if (is_training() && stat_reducer_) {
    return sync_batch_norm(x, weight, bias, running_mean, running_var, options_.momentum,
                           options_.eps, stat_reducer_);
  }
  return camlab::batch_norm(x, weight, bias, running_mean, running_var, use_batch_stats,
                            options_.momentum, options_.eps);
}

std::string BatchNorm2d::extra_repr() const {
  return fmt::format("{}, eps={}, momentum={}, affine={}, track_running_stats={}", num_features_,
                     options_.eps, options_.momentum, options_.affine ? "True" : "False",
                     options_.track_running_stats ? "True" : "False");
}

}  // namespace camlab::nn
