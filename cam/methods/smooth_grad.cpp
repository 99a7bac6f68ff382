#include "cam/methods/smooth_grad.h"

#include <algorithm>

#include "cam/methods/layers.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace camlab::cam {
namespace {

std::unique_ptr<PixelAttribution> make_base(nn::Module& model, MethodOptions options) {
  const std::vector<std::string> valid = {"saliency",       "guided-backprop",      "deconvnet",
                                          "guided-gradcam", "integrated-gradients", "occlusion"};
  const std::string base = options.smooth_base;
  CAMLAB_CHECK(std::find(valid.begin(), valid.end(), base) != valid.end(),
               "smoothgrad: cannot smooth '{}'; smooth_base must be a pixel method: {}", base,
               join_names(valid));
  options.aug_smooth = false;  // augmentation, if any, wraps SmoothGrad as a whole
  std::unique_ptr<Method> method = make_method(base, model, options);
  return std::unique_ptr<PixelAttribution>(dynamic_cast<PixelAttribution*>(method.release()));
}

}  // namespace

SmoothGrad::SmoothGrad(nn::Module& model, MethodOptions options)
    : PixelAttribution("smoothgrad", model, std::move(options)),
      base_(make_base(model, this->options())),
      generator_(this->options().seed) {
  CAMLAB_CHECK(this->options().smooth_samples > 0 && this->options().smooth_noise >= 0,
               "smoothgrad: smooth_samples must be positive and smooth_noise non-negative, got "
               "{} and {}",
               this->options().smooth_samples, this->options().smooth_noise);
}

Explanation SmoothGrad::explain_with_noise(const Tensor& images, const Target& target,
                                           const Tensor& noise) {
  CAMLAB_CHECK(noise.dim() == 5 && noise.size(0) > 0 && images.dim() == 4 &&
                   Shape(noise.shape().begin() + 1, noise.shape().end()) == images.shape(),
               "smoothgrad: noise {} must be [S, N, C, H, W] for images {}",
               shape_str(noise.shape()), shape_str(images.shape()));
  given_noise_ = noise;
  try {
    Explanation out = explain(images, target);
    given_noise_ = Tensor();
    return out;
  } catch (...) {
    given_noise_ = Tensor();
    throw;
  }
}

Tensor SmoothGrad::attribute(const Tensor& images, const Tensor& classes, const Target& target) {
  const int64_t samples = given_noise_.defined() ? given_noise_.size(0) : options().smooth_samples;
  // σ = noise·(max − min) per image: [N, 1, 1, 1]
  const Tensor sigma =
      ops::mul(ops::sub(ops::amax(images, {1, 2, 3}, true), ops::amin(images, {1, 2, 3}, true)),
               options().smooth_noise);
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
  Tensor sum = sum_over_copies(images, classes, samples, options().batch_size, noisy, base);
  return ops::mul(sum, 1.0 / static_cast<double>(samples));
}

std::vector<nn::ForwardHookHandle> SmoothGrad::hook_handles() const {
  return base_->hook_handles();
}

std::string SmoothGrad::layer_name() const { return base_->layer_name(); }

}  // namespace camlab::cam
