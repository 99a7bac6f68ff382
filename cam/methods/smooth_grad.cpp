#include "cam/methods/smooth_grad.h"

#include <algorithm>

#include "cam/methods/given_noise.h"
#include "cam/methods/layers.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {
namespace {

std::unique_ptr<PixelAttribution> make_base(nn::Module& model, const std::string& base,
                                            const CommonOptions& common, MethodSettings settings) {
  const std::vector<std::string> valid = {"saliency",       "guided-backprop",      "deconvnet",
                                          "guided-gradcam", "integrated-gradients", "occlusion"};
  CAMLAB_CHECK(std::find(valid.begin(), valid.end(), base) != valid.end(),
               "smoothgrad: cannot smooth '{}'; base must be a pixel method: {}", base,
               join_names(valid));
  settings.common = common;
  settings.common.aug_smooth = false;  // augmentation, if any, wraps SmoothGrad as a whole
  std::unique_ptr<Method> method = make_method(base, model, settings);
  return std::unique_ptr<PixelAttribution>(dynamic_cast<PixelAttribution*>(method.release()));
}

}  // namespace

SmoothGrad::SmoothGrad(nn::Module& model, CommonOptions common, SmoothGradOptions own,
                       const MethodSettings& base_settings)
    : PixelAttribution("smoothgrad", model, std::move(common)),
      own_(std::move(own)),
      base_(make_base(model, own_.base, this->common(), base_settings)),
      generator_(own_.seed) {
  CAMLAB_CHECK(own_.samples > 0 && own_.noise >= 0,
               "smoothgrad: samples must be positive and noise non-negative, got {} and {}",
               own_.samples, own_.noise);
  check_batch_size(own_.batch_size);
}

Explanation SmoothGrad::explain_with_noise(const Tensor& images, const Target& target,
                                           const Tensor& noise) {
  CAMLAB_CHECK(noise.dim() == 5 && noise.size(0) > 0 && images.dim() == 4 &&
                   Shape(noise.shape().begin() + 1, noise.shape().end()) == images.shape(),
               "smoothgrad: noise {} must be [S, N, C, H, W] for images {}",
               shape_str(noise.shape()), shape_str(images.shape()));
  return explain_with_given(given_noise_, noise, [&] { return explain(images, target); });
}

Tensor SmoothGrad::attribute(const Tensor& images, const Tensor& classes, const Target& target) {
  const int64_t samples = given_noise_.defined() ? given_noise_.size(0) : own_.samples;
  // σ = noise·(max − min) per image: [N, 1, 1, 1]
  const Tensor sigma = ops::mul(
      ops::sub(ops::amax(images, {1, 2, 3}, true), ops::amin(images, {1, 2, 3}, true)), own_.noise);
  auto noisy = [&](const Tensor& block, int64_t first, int64_t sample) {
    const int64_t count = block.size(0);
    Tensor draw = given_noise_.defined()
                      ? given_noise_.select(0, sample).narrow(0, first, count).to(block.dtype())
                      : ops::randn(block.shape(), generator_, block.dtype(), block.device());
    return ops::add(block, ops::mul(draw.to(block.device()), sigma.narrow(0, first, count)));
  };
  auto base = [&](const Tensor& batch, const Tensor& batch_classes) {
    return base_->attribute(batch, batch_classes, target);
  };
  Tensor sum = sum_over_copies(images, classes, samples, own_.batch_size, noisy, base);
  return ops::mul(sum, 1.0 / static_cast<double>(samples));
}

std::vector<nn::ForwardHookHandle> SmoothGrad::hook_handles() const {
  return base_->hook_handles();
}

std::string SmoothGrad::layer_name() const { return base_->layer_name(); }

}  // namespace camlab::cam
