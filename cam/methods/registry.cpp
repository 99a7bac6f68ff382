// make_method: the CLI names of every method and the constructors behind them.
#include <functional>
#include <map>

#include "cam/methods/ablation_cam.h"
#include "cam/methods/class_activation_map.h"
#include "cam/methods/eigen_cam.h"
#include "cam/methods/gradient_attribution.h"
#include "cam/methods/gradient_cam.h"
#include "cam/methods/integrated_gradients.h"
#include "cam/methods/layers.h"
#include "cam/methods/method.h"
#include "cam/methods/occlusion.h"
#include "cam/methods/random_cam.h"
#include "cam/methods/score_cam.h"
#include "cam/methods/smooth_grad.h"
#include "tensor/error.h"

namespace camlab::cam {
namespace {

using Factory = std::function<std::unique_ptr<Method>(nn::Module&, const MethodOptions&)>;

Factory gradient_cam(GradientCamKind kind, const char* name) {
  return [kind, name](nn::Module& model, const MethodOptions& options) {
    return std::make_unique<GradientCam>(kind, name, model, options);
  };
}

template <typename M>
Factory plain() {
  return [](nn::Module& model, const MethodOptions& options) {
    return std::make_unique<M>(model, options);
  };
}

Factory relu_rule(ReluRule rule) {
  return [rule](nn::Module& model, const MethodOptions& options) {
    return std::make_unique<GuidedBackprop>(model, rule, options);
  };
}

// In the order the CLI lists them: activation maps, then pixel attribution.
const std::vector<std::pair<std::string, Factory>>& factories() {
  static const std::vector<std::pair<std::string, Factory>> table = {
      {"cam", plain<ClassActivationMap>()},
      {"gradcam", gradient_cam(GradientCamKind::GradCam, "gradcam")},
      {"gradcam++", gradient_cam(GradientCamKind::GradCamPlusPlus, "gradcam++")},
      {"xgradcam", gradient_cam(GradientCamKind::XGradCam, "xgradcam")},
      {"layercam", gradient_cam(GradientCamKind::LayerCam, "layercam")},
      {"hirescam", gradient_cam(GradientCamKind::HiResCam, "hirescam")},
      {"gradcam-elementwise", gradient_cam(GradientCamKind::ElementWise, "gradcam-elementwise")},
      {"scorecam", plain<ScoreCam>()},
      {"ablationcam", plain<AblationCam>()},
      {"eigencam", plain<EigenCam>()},
      {"eigengradcam", gradient_cam(GradientCamKind::EigenGradCam, "eigengradcam")},
      {"randomcam", plain<RandomCam>()},
      {"saliency", plain<Saliency>()},
      {"guided-backprop", relu_rule(ReluRule::Guided)},
      {"deconvnet", relu_rule(ReluRule::Deconvnet)},
      {"guided-gradcam", plain<GuidedGradCam>()},
      {"smoothgrad", plain<SmoothGrad>()},
      {"integrated-gradients", plain<IntegratedGradients>()},
      {"occlusion", plain<Occlusion>()},
  };
  return table;
}

}  // namespace

const std::vector<std::string>& method_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& [name, factory] : factories()) out.push_back(name);
    return out;
  }();
  return names;
}

std::unique_ptr<Method> make_method(const std::string& name, nn::Module& model,
                                    const MethodOptions& options) {
  for (const auto& [known, factory] : factories()) {
    if (known == name) return factory(model, options);
  }
  fail("make_method: unknown method '{}'; valid methods: {}", name,
       join_names(method_names(), method_names().size()));
}

}  // namespace camlab::cam
