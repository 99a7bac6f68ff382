// Gradient pixel attribution: saliency (Simonyan et al. 2014), guided backpropagation
// (Springenberg et al. 2015), deconvnet (Zeiler & Fergus 2014) and Guided Grad-CAM (Selvaraju et
// al. 2017: guided backprop ⊙ the upsampled Grad-CAM map).
//
//   Saliency saliency(*model, {});
//   GuidedBackprop guided(*model, ReluRule::Guided, {});   // hooks on every ReLU until destroyed
//   GuidedGradCam ggc(*model, {.layers = {"relu4"}});
//   Explanation e = ggc.explain(images);                  // e.attributions [N, C, H, W]
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cam/methods/gradient_cam.h"
#include "cam/methods/pixel_attribution.h"
#include "cam/methods/relu_rules.h"

namespace camlab::cam {

// dy/dx; raw = max over channels of |dy/dx|.
class Saliency : public PixelAttribution {
 public:
  Saliency(nn::Module& model, CommonOptions common = {});
  Tensor attribute(const Tensor& images, const Tensor& classes, const Target& target) override;
};

// dy/dx with every ReLU module's backward replaced by the rule ("guided-backprop", "deconvnet").
class GuidedBackprop : public PixelAttribution {
 public:
  GuidedBackprop(nn::Module& model, ReluRule rule, CommonOptions common = {});
  Tensor attribute(const Tensor& images, const Tensor& classes, const Target& target) override;

 private:
  ReluRuleHooks hooks_;
};

// Guided backprop ⊙ the Grad-CAM display map (bilinear to the input size, min-max), per channel.
class GuidedGradCam : public PixelAttribution {
 public:
  GuidedGradCam(nn::Module& model, CommonOptions common = {});
  Tensor attribute(const Tensor& images, const Tensor& classes, const Target& target) override;
  std::vector<nn::ForwardHookHandle> hook_handles() const override;
  std::string layer_name() const override;

 private:
  std::unique_ptr<GradientCam> gradcam_;
  std::unique_ptr<GuidedBackprop> guided_;
};

}  // namespace camlab::cam
