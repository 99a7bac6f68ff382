#include "cam/methods/faster_score_cam.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include "cam/methods/masked_scores.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {

Tensor top_variance_channels(const Tensor& activations, int64_t top_k) {
  const int64_t n = activations.size(0), k = activations.size(1);
  const int64_t kept = std::min(top_k, k);
  // [N, K] variance of each channel over its h·w positions, read on the host to rank.
  const Tensor variance = ops::var(activations, {2, 3}, /*correction=*/0)
                              .to(Device::cpu())
                              .to(DType::Float64)
                              .contiguous();
  const double* v = variance.data<double>();
  std::vector<int64_t> chosen;
  chosen.reserve(static_cast<size_t>(n * kept));
  std::vector<int64_t> order(static_cast<size_t>(k));
  for (int64_t i = 0; i < n; ++i) {
    std::iota(order.begin(), order.end(), 0);
    const double* row = v + i * k;
    std::stable_sort(order.begin(), order.end(),
                     [row](int64_t a, int64_t b) { return row[a] > row[b]; });
    chosen.insert(chosen.end(), order.begin(), order.begin() + kept);
  }
  return Tensor::from_vector(chosen, {n, kept}).to(activations.device());
}

FasterScoreCam::FasterScoreCam(nn::Module& model, CommonOptions common, FasterScoreCamOptions own)
    : ActivationCam("fasterscorecam", model, std::move(common), /*needs_gradients=*/false),
      own_(own) {
  check_batch_size(own_.batch_size);
  CAMLAB_CHECK(own_.top_k > 0, "fasterscorecam: top_k must be a positive channel count, got {}",
               own_.top_k);
}

Contributions FasterScoreCam::contributions(const CamInputs& in, size_t layer) {
  const Tensor& a = in.activations[layer];  // [N, K, h, w]
  const int64_t n = a.size(0), k = a.size(1), h = a.size(2), w = a.size(3);
  const Tensor chosen = top_variance_channels(a, own_.top_k);  // int64 [N, K']
  const int64_t kept = chosen.size(1);
  // Row i·K + c of the flattened channels for each chosen (i, c), in chosen's order: [N·K']
  const Tensor host_chosen = chosen.to(Device::cpu()).contiguous();
  std::vector<int64_t> flat(static_cast<size_t>(n * kept));
  for (int64_t r = 0; r < n * kept; ++r) flat[r] = (r / kept) * k + host_chosen.data<int64_t>()[r];
  const Tensor rows = Tensor::from_vector(flat, {n * kept}).to(a.device());
  const Tensor maps = ops::index_select(a.reshape({n * k, h, w}), 0, rows).reshape({n, kept, h, w});
  const Tensor scores =
      masked_channel_scores(model(), in, maps, {.batch_size = own_.batch_size}, name());
  // Score-CAM's softmax over the kept channels (Wang et al. 2020 eq. 8, as pytorch-grad-cam).
  const Tensor kept_weights = ops::softmax(scores, 1);  // [N, K']
  const Tensor weights = ops::scatter_add(ops::zeros({n * k}, a.dtype(), a.device()), 0, rows,
                                          kept_weights.reshape({n * kept}))
                             .reshape({n, k});  // [N, K], 0 off the kept channels
  return {ops::mul(weights.reshape({n, k, 1, 1}), a), weights};
}

}  // namespace camlab::cam
