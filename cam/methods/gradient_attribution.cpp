#include "cam/methods/gradient_attribution.h"

#include "tensor/ops.h"

namespace camlab::cam {
namespace {

// The wrapped methods run inside the wrapper's explain(): augmentation happens there, once.
CommonOptions inner(CommonOptions common) {
  common.aug_smooth = false;
  return common;
}

}  // namespace

Saliency::Saliency(nn::Module& model, CommonOptions common)
    : PixelAttribution("saliency", model, std::move(common)) {}

Tensor Saliency::attribute(const Tensor& images, const Tensor& classes, const Target& target) {
  return input_gradient(model(), images, classes, target, name());
}

GuidedBackprop::GuidedBackprop(nn::Module& model, ReluRule rule, CommonOptions common)
    : PixelAttribution(rule == ReluRule::Guided ? "guided-backprop" : "deconvnet", model,
                       std::move(common)) {
  for (const nn::ForwardHookHandle& handle : hooks_.attach(this->model(), rule, name())) {
    keep_hook(handle);
  }
}

Tensor GuidedBackprop::attribute(const Tensor& images, const Tensor& classes,
                                 const Target& target) {
  ReluRuleHooks::Armed armed(hooks_);
  return input_gradient(model(), images, classes, target, name());
}

GuidedGradCam::GuidedGradCam(nn::Module& model, CommonOptions common)
    : PixelAttribution("guided-gradcam", model, std::move(common)),
      gradcam_(std::make_unique<GradientCam>(GradientCamKind::GradCam, "gradcam", model,
                                             inner(this->common()))),
      guided_(std::make_unique<GuidedBackprop>(model, ReluRule::Guided, inner(this->common()))) {}

Tensor GuidedGradCam::attribute(const Tensor& images, const Tensor& classes, const Target& target) {
  // Two passes: the guided rule would change dy/dA too, so Grad-CAM runs with it disarmed.
  const Target same = Target::labels(classes).with_score(target.score_fn());
  Tensor cam = gradcam_->explain(images, same).maps;            // [N, H, W]
  Tensor guided = guided_->attribute(images, classes, target);  // [N, C, H, W]
  return ops::mul(guided, cam.unsqueeze(1));
}

std::vector<nn::ForwardHookHandle> GuidedGradCam::hook_handles() const {
  std::vector<nn::ForwardHookHandle> all = gradcam_->hook_handles();
  for (const auto& handle : guided_->hook_handles()) all.push_back(handle);
  return all;
}

std::string GuidedGradCam::layer_name() const {
  std::string joined;
  for (const std::string& layer : gradcam_->layers()) joined += (joined.empty() ? "" : ",") + layer;
  return joined;
}

}  // namespace camlab::cam
