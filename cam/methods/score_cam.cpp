#include "cam/methods/score_cam.h"

#include <algorithm>
#include <vector>

#include "autograd/grad_mode.h"
#include "tensor/ops.h"

namespace camlab::cam {
namespace {

// pytorch-grad-cam's score_cam.py: upsample with align_corners = true, then per channel
// (H − min) / (max − min + 1e-8).
constexpr double kMaskEps = 1e-8;

Tensor channel_masks(const Tensor& activations, int64_t height, int64_t width) {
  // activations [M, 1, h, w] -> masks [M, 1, H, W] in [0, 1)
  Tensor up = ops::upsample_bilinear2d(activations, {height, width}, /*align_corners=*/true);
  Tensor low = ops::amin(up, {2, 3}, true);
  Tensor span = ops::add(ops::sub(ops::amax(up, {2, 3}, true), low), kMaskEps);
  return ops::div(ops::sub(up, low), span);
}

}  // namespace

ScoreCam::ScoreCam(nn::Module& model, CommonOptions common, ScoreCamOptions own)
    : ActivationCam("scorecam", model, std::move(common), /*needs_gradients=*/false), own_(own) {
  check_batch_size(own_.batch_size);
}

Contributions ScoreCam::contributions(const CamInputs& in, size_t layer) {
  const Tensor& a = in.activations[layer];  // [N, K, h, w]
  const int64_t n = a.size(0), k = a.size(1), h = a.size(2), w = a.size(3);
  const int64_t height = in.images.size(2), width = in.images.size(3);
  const Tensor per_channel = a.reshape({n * k, 1, h, w});  // row p = image p / K, channel p % K
  const Tensor host_classes = in.classes.to(Device::cpu()).contiguous();
  const int64_t* classes = host_classes.data<int64_t>();

  autograd::NoGradGuard no_grad;
  std::vector<Tensor> chunks;
  for (int64_t start = 0; start < n * k; start += own_.batch_size) {
    const int64_t count = std::min(own_.batch_size, n * k - start);
    std::vector<int64_t> image_of(static_cast<size_t>(count)), class_of(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) {
      image_of[i] = (start + i) / k;
      class_of[i] = classes[image_of[i]];
    }
    Tensor index = Tensor::from_vector(image_of, {count}).to(a.device());
    Tensor masks = channel_masks(per_channel.narrow(0, start, count), height, width);
    Tensor masked = ops::mul(ops::index_select(in.images, 0, index), masks);  // [M, C, H, W]
    Tensor logits = model()(masked);
    chunks.push_back(
        in.target->scores(logits, Tensor::from_vector(class_of, {count}).to(a.device()), name()));
  }
  Tensor scores = ops::cat(chunks, 0).reshape({n, k});
  // Wang et al. 2020 eq. 8 as pytorch-grad-cam: the softmax over channels of the masked scores.
  Tensor weights = ops::softmax(scores, 1);  // [N, K]
  return {ops::mul(weights.reshape({n, k, 1, 1}), a), weights};
}

}  // namespace camlab::cam
