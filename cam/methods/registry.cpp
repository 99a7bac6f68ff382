// make_method: the CLI names of every method and the constructors behind them.
#include <functional>
#include <map>

#include "cam/methods/ablation_cam.h"
#include "cam/methods/class_activation_map.h"
#include "cam/methods/dff.h"
#include "cam/methods/eigen_cam.h"
#include "cam/methods/faster_score_cam.h"
#include "cam/methods/fem.h"
#include "cam/methods/finer_cam.h"
#include "cam/methods/full_grad.h"
#include "cam/methods/gradient_attribution.h"
#include "cam/methods/gradient_cam.h"
#include "cam/methods/integrated_gradients.h"
#include "cam/methods/kpca_cam.h"
#include "cam/methods/layers.h"
#include "cam/methods/method.h"
#include "cam/methods/occlusion.h"
#include "cam/methods/random_cam.h"
#include "cam/methods/refine_cam.h"
#include "cam/methods/score_cam.h"
#include "cam/methods/seg_eigen_cam.h"
#include "cam/methods/shapley_cam.h"
#include "cam/methods/smooth_grad.h"
#include "cam/methods/ss_cam.h"
#include "tensor/error.h"

namespace camlab::cam {
namespace {

// Each factory hands its method settings.common and only that method's own part of the settings.
using Factory = std::function<std::unique_ptr<Method>(nn::Module&, const MethodSettings&)>;

Factory gradient_cam(GradientCamKind kind, const char* name) {
  return [kind, name](nn::Module& model, const MethodSettings& settings) {
    return std::make_unique<GradientCam>(kind, name, model, settings.common);
  };
}

// A method that has no options of its own.
template <typename M>
Factory common_only() {
  return [](nn::Module& model, const MethodSettings& settings) {
    return std::make_unique<M>(model, settings.common);
  };
}

// A method with its own options: `own` picks its part of the settings.
template <typename M, typename Own>
Factory with_own(Own MethodSettings::*own) {
  return [own](nn::Module& model, const MethodSettings& settings) {
    return std::make_unique<M>(model, settings.common, settings.*own);
  };
}

Factory relu_rule(ReluRule rule) {
  return [rule](nn::Module& model, const MethodSettings& settings) {
    return std::make_unique<GuidedBackprop>(model, rule, settings.common);
  };
}

// SmoothGrad also builds its base method, which takes its own part of the same settings.
std::unique_ptr<Method> smooth_grad(nn::Module& model, const MethodSettings& settings) {
  return std::make_unique<SmoothGrad>(model, settings.common, settings.smoothgrad, settings);
}

// In the order the CLI lists them: activation maps, then pixel attribution.
const std::vector<std::pair<std::string, Factory>>& factories() {
  static const std::vector<std::pair<std::string, Factory>> table = {
      {"cam", common_only<ClassActivationMap>()},
      {"gradcam", gradient_cam(GradientCamKind::GradCam, "gradcam")},
      {"gradcam++", gradient_cam(GradientCamKind::GradCamPlusPlus, "gradcam++")},
      {"xgradcam", gradient_cam(GradientCamKind::XGradCam, "xgradcam")},
      {"layercam", gradient_cam(GradientCamKind::LayerCam, "layercam")},
      {"hirescam", gradient_cam(GradientCamKind::HiResCam, "hirescam")},
      {"gradcam-elementwise", gradient_cam(GradientCamKind::ElementWise, "gradcam-elementwise")},
      {"refinecam", common_only<RefineCam>()},
      {"scorecam", with_own<ScoreCam>(&MethodSettings::scorecam)},
      {"ablationcam", with_own<AblationCam>(&MethodSettings::ablationcam)},
      {"eigencam", common_only<EigenCam>()},
      {"eigengradcam", gradient_cam(GradientCamKind::EigenGradCam, "eigengradcam")},
      {"segeigencam", common_only<SegEigenCam>()},
      {"fem", with_own<Fem>(&MethodSettings::fem)},
      {"fasterscorecam", with_own<FasterScoreCam>(&MethodSettings::fasterscorecam)},
      {"sscam", with_own<SsCam>(&MethodSettings::sscam)},
      {"kpcacam", with_own<KpcaCam>(&MethodSettings::kpcacam)},
      {"finercam", with_own<FinerCam>(&MethodSettings::finercam)},
      {"shapleycam", common_only<ShapleyCam>()},
      {"dff", with_own<Dff>(&MethodSettings::dff)},
      {"fullgrad", common_only<FullGrad>()},
      {"randomcam", with_own<RandomCam>(&MethodSettings::randomcam)},
      {"saliency", common_only<Saliency>()},
      {"guided-backprop", relu_rule(ReluRule::Guided)},
      {"deconvnet", relu_rule(ReluRule::Deconvnet)},
      {"guided-gradcam", common_only<GuidedGradCam>()},
      {"smoothgrad", smooth_grad},
      {"integrated-gradients",
       with_own<IntegratedGradients>(&MethodSettings::integrated_gradients)},
      {"occlusion", with_own<Occlusion>(&MethodSettings::occlusion)},
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
                                    const MethodSettings& settings) {
  for (const auto& [known, factory] : factories()) {
    if (known == name) return factory(model, settings);
  }
  fail("make_method: unknown method '{}'; valid methods: {}", name,
       join_names(method_names(), method_names().size()));
}

}  // namespace camlab::cam
