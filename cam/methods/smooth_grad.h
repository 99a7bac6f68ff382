// SmoothGrad (Smilkov et al. 2017): the mean attribution of n noisy copies x + N(0, σ²), with
// σ = noise·(max − min) of each image (noise 0.15 by default). Wraps any pixel method
// (SmoothGradOptions::base: saliency, guided-backprop, deconvnet, guided-gradcam,
// integrated-gradients, occlusion); classes are those of the clean images.
//
//   SmoothGrad smooth(*model, {}, {.samples = 32, .base = "guided-backprop", .seed = 1});
//   Explanation e = smooth.explain(images);                      // seeded draws
//   e = smooth.explain_with_noise(images, target, noise);       // given N(0, 1) draws
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cam/methods/pixel_attribution.h"
#include "cam/methods/smooth_grad_options.h"
#include "tensor/generator.h"

namespace camlab::cam {

class SmoothGrad : public PixelAttribution {
 public:
  // The base method is built from base_settings (its own part: integrated_gradients.steps, ...)
  // with common in place of base_settings.common.
  SmoothGrad(nn::Module& model, CommonOptions common = {}, SmoothGradOptions own = {},
             const MethodSettings& base_settings = {});

  Tensor attribute(const Tensor& images, const Tensor& classes, const Target& target) override;
  // explain() with standard-normal draws noise [S, N, C, H, W] (scaled by σ here) instead of
  // seeded ones; S replaces SmoothGradOptions::samples.
  Explanation explain_with_noise(const Tensor& images, const Target& target, const Tensor& noise);
  std::vector<nn::ForwardHookHandle> hook_handles() const override;
  std::string layer_name() const override;

 private:
  SmoothGradOptions own_;
  std::unique_ptr<PixelAttribution> base_;
  Generator generator_;  // seeded by SmoothGradOptions::seed; successive calls draw new noise
  Tensor given_noise_;
};

}  // namespace camlab::cam
