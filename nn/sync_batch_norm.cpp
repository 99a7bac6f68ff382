#include "nn/sync_batch_norm.h"

#include "autograd/function.h"
#include "autograd/grad_mode.h"
#include "autograd/ops.h"

namespace camlab::nn {
namespace {

// Images × pixels per channel over every rank: the M that μ and σ² divide by.
double global_count(const Tensor& x, BatchStatReducer& reducer) {
  const double local = static_cast<double>(x.size(0) * x.size(2) * x.size(3));
  Tensor total = reducer.sum_over_ranks(Tensor::from_vector<double>({local}, {1}));  // [1]
  return total.to(Device::cpu()).data<double>()[0];
}

// running = (1 − momentum)·running + momentum·batch, in place and outside the graph.
void update_running(Tensor& running, const Tensor& batch, double momentum) {
  if (!running.defined()) return;
  const autograd::NoGradGuard no_grad;
  // In the batch's double; copy_ rounds back to the buffer's dtype.
  running.copy_(
      ops::add(ops::mul(running.to(batch.dtype()), 1 - momentum), ops::mul(batch, momentum)));
}

// [C] → [1, C, 1, 1], so it broadcasts against [N, C, H, W].
Tensor per_channel(const Tensor& values) { return reshape(values, {1, values.size(0), 1, 1}); }

}  // namespace

Tensor all_reduce_sum(const Tensor& local, std::shared_ptr<BatchStatReducer> reducer) {
  const RawOpScope raw_forward;
  Tensor total = reducer->sum_over_ranks(local);  // like local
  return autograd::record("all_reduce_sum", {local}, total, {},
                          [reducer](const autograd::BackwardContext& ctx) -> std::vector<Tensor> {
                            // Every rank's loss depends on every rank's share: the share's gradient
                            // is the sum of the total's gradient over ranks.
                            const RawOpScope raw_backward;
                            return {reducer->sum_over_ranks(ctx.grad(0))};
                          });
}

Tensor sync_batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias,
                       Tensor& running_mean, Tensor& running_var, double momentum, double eps,
                       const std::shared_ptr<BatchStatReducer>& reducer) {
  CAMLAB_CHECK(x.dim() == 4, "sync_batch_norm: expects input [N, C, H, W] but got {}",
               shape_str(x.shape()));
  const double count = global_count(x, *reducer);
  CAMLAB_CHECK(count > 1,
               "sync_batch_norm: needs more than one value per channel over all ranks, "
               "got {} (input {})",
               count, shape_str(x.shape()));
  // The statistics in double, as the plain batch-norm kernel accumulates them, so N ranks match
  // one process to float rounding of the output alone.
  const Tensor x64 = to(x, DType::Float64);                                    // [N, C, H, W]
  const Tensor mean64 = all_reduce_sum(sum(x64, {0, 2, 3}), reducer) / count;  // [C]
  const Tensor centered64 = x64 - per_channel(mean64);                         // [N, C, H, W]
  const Tensor var64 =
      all_reduce_sum(sum(centered64 * centered64, {0, 2, 3}), reducer) / count;           // [C]
  const Tensor mean = to(mean64, x.dtype()), invstd = to(rsqrt(var64 + eps), x.dtype());  // [C]
  Tensor y = (x - per_channel(mean)) * per_channel(invstd);  // [N, C, H, W]
  if (weight.defined()) y = y * per_channel(weight);
  if (bias.defined()) y = y + per_channel(bias);
  // The running variance is the unbiased one, as plain batch norm keeps it.
  update_running(running_mean, detach(mean64), momentum);
  update_running(running_var, detach(var64) * (count / (count - 1)), momentum);
  return y;
}

}  // namespace camlab::nn
