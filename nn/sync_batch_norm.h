// Batch norm over the union of every rank's batch, as torch.nn.SyncBatchNorm: the mean and
// variance of each channel are taken over all ranks' images, and backward sends every rank's
// share of the statistics' gradient to the others, so N ranks × batch B train exactly as one
// process with batch N·B and plain batch norm.
//
//   Tensor y = sync_batch_norm(x, weight, bias, running_mean, running_var, momentum, eps, reducer);
//   // x [N, C, H, W] on this rank; y [N, C, H, W]; running statistics updated with global ones
//
// Forward, with M = Σ_ranks N·H·W (Ioffe & Szegedy 2015, eq. in Alg. 1, over the global batch):
//   μ  = all_reduce(Σ_{n,h,w} x) / M
//   σ² = all_reduce(Σ_{n,h,w} (x − μ)²) / M         (two passes: no E[x²] − μ² cancellation)
//   y  = γ · (x − μ) / √(σ² + ε) + β
// It is built from differentiable ops and one differentiable all-reduce whose backward is an
// all-reduce of the gradient: ∂(Σ_r L_r)/∂s_r = Σ_r' ∂L_r'/∂S for S = Σ_r s_r. This is what
// SyncBatchNorm's backward does when it all-reduces Σ dY and Σ dY·(x − μ).
#pragma once

#include <memory>

#include "nn/batch_stat_reducer.h"

namespace camlab::nn {

// The sum of `local` over ranks, recorded for backward: the gradient is summed over ranks too.
// The graph keeps the reducer alive until backward has run.
Tensor all_reduce_sum(const Tensor& local, std::shared_ptr<BatchStatReducer> reducer);

// Training-mode batch norm with statistics over every rank. weight/bias may be undefined (no
// affine); running_mean/running_var may be undefined (no tracking); else they are updated in
// place with the global μ and the unbiased global σ²·M/(M − 1), as plain batch norm does.
Tensor sync_batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias,
                       Tensor& running_mean, Tensor& running_var, double momentum, double eps,
                       const std::shared_ptr<BatchStatReducer>& reducer);

}  // namespace camlab::nn
