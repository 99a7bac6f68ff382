#include "cam/methods/ss_cam.h"

#include <cmath>

#include "cam/methods/given_noise.h"
#include "cam/methods/masked_scores.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {

SsCam::SsCam(nn::Module& model, CommonOptions common, SsCamOptions own)
    : ActivationCam("sscam", model, std::move(common), /*needs_gradients=*/false),
      own_(own),
      generator_(own.seed) {
  check_batch_size(own_.batch_size);
  CAMLAB_CHECK(own_.samples > 0 && own_.sigma >= 0 && std::isfinite(own_.sigma),
               "sscam: samples must be positive and sigma finite and non-negative, got {} and {}",
               own_.samples, own_.sigma);
}

Explanation SsCam::explain_with_noise(const Tensor& images, const Target& target,
                                      const Tensor& noise) {
  CAMLAB_CHECK(noise.dim() == 5 && images.dim() == 4 && noise.size(0) == images.size(0) &&
                   noise.size(2) > 0 && noise.size(3) == images.size(2) &&
                   noise.size(4) == images.size(3),
               "sscam: noise {} must be [N, K, n, H, W] for images {}", shape_str(noise.shape()),
               shape_str(images.shape()));
  return explain_with_given(given_noise_, noise, [&] { return explain(images, target); });
}

Contributions SsCam::contributions(const CamInputs& in, size_t layer) {
  const Tensor& a = in.activations[layer];  // [N, K, h, w]
  const int64_t n = a.size(0), k = a.size(1);
  const int64_t height = in.images.size(2), width = in.images.size(3);
  Tensor given;  // [N·K·n, 1, H, W] in (image, channel, copy) order, as masked_channel_scores
  if (given_noise_.defined()) {
    CAMLAB_CHECK(given_noise_.size(0) == n && given_noise_.size(1) == k,
                 "sscam: noise {} must be [N, K, n, H, W] = [{}, {}, n, {}, {}] at layer '{}'",
                 shape_str(given_noise_.shape()), n, k, height, width, in.layers[layer]);
    given = given_noise_.reshape({-1, 1, height, width});
  }
  const int64_t samples = given.defined() ? given_noise_.size(2) : own_.samples;
  const double sigma = own_.sigma;
  auto add_noise = [&](const Tensor& masks, int64_t first) {  // masks [M, 1, H, W]
    Tensor draw = given.defined()
                      ? given.narrow(0, first, masks.size(0)).to(masks.dtype()).to(masks.device())
                      : ops::randn(masks.shape(), generator_, masks.dtype(), masks.device());
    return ops::add(masks, ops::mul(draw, sigma));
  };
  const MaskedScoring how{.batch_size = own_.batch_size, .samples = samples, .perturb = add_noise};
  const Tensor scores = masked_channel_scores(model(), in, a, how, name());  // [N, K]
  // Score-CAM's softmax over channels (Wang et al. 2020 eq. 8, as pytorch-grad-cam).
  Tensor weights = ops::softmax(scores, 1);  // [N, K]
  return {ops::mul(weights.reshape({n, k, 1, 1}), a), weights};
}

}  // namespace camlab::cam
