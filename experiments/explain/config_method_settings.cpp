#include "experiments/explain/config_method_settings.h"

namespace camlab::experiments {

cam::MethodSettings config_method_settings(const Config& cfg) {
  cam::MethodSettings s;
  s.common.aug_smooth = cfg.get_bool("explain.aug_smooth");
  s.common.eigen_smooth = cfg.get_bool("explain.eigen_smooth");
  s.set_batch_size(cfg.get_int("explain.batch_size"));
  s.smoothgrad.samples = cfg.get_int("explain.smoothgrad.samples");
  s.smoothgrad.noise = cfg.get_double("explain.smoothgrad.noise");
  s.integrated_gradients.steps = cfg.get_int("explain.integrated_gradients.steps");
  s.integrated_gradients.baseline = cfg.get_double("explain.integrated_gradients.baseline");
  s.occlusion.patch = cfg.get_int("explain.occlusion.patch");
  s.occlusion.stride = cfg.get_int("explain.occlusion.stride");
  s.occlusion.baseline = cfg.get_double("explain.occlusion.baseline");
  s.fasterscorecam.top_k = cfg.get_int("explain.fasterscorecam.top_k");
  s.sscam.samples = cfg.get_int("explain.sscam.samples");
  s.sscam.sigma = cfg.get_double("explain.sscam.sigma");
  s.fem.k = cfg.get_double("explain.fem.k");
  s.finercam.alpha = cfg.get_double("explain.finercam.alpha");
  s.finercam.comparisons = cfg.get_int("explain.finercam.comparisons");
  s.kpcacam.kernel = cfg.get_string("explain.kpcacam.kernel");
  s.kpcacam.gamma = cfg.get_double("explain.kpcacam.gamma");
  s.kpcacam.coef0 = cfg.get_double("explain.kpcacam.coef0");
  s.kpcacam.degree = cfg.get_int("explain.kpcacam.degree");
  s.dff.concepts = cfg.get_int("explain.dff.concepts");
  s.dff.iterations = cfg.get_int("explain.dff.iterations");
  s.dff.classifier = cfg.get_string("explain.dff.classifier");
  return s;
}

}  // namespace camlab::experiments
