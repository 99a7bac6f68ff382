// Everything make_method may need to build any method by name, as one value a config file or the
// CLI fills: the options every method shares plus one struct per method family with its own
// knobs. The registry hands each method only its own part, so settings.occlusion.patch reaches
// occlusion and nothing else.
//
//   MethodSettings settings{.common = {.layers = {"relu4"}}};
//   settings.smoothgrad.samples = 32;
//   settings.set_seed(7);          // Random-CAM's weights and SmoothGrad's noise
//   settings.set_batch_size(64);   // every method that batches extra forwards
//   auto smooth = make_method("smoothgrad", *model, settings);
#pragma once

#include <cstdint>

#include "cam/methods/ablation_cam_options.h"
#include "cam/methods/common_options.h"
#include "cam/methods/dff_options.h"
#include "cam/methods/faster_score_cam_options.h"
#include "cam/methods/fem_options.h"
#include "cam/methods/finer_cam_options.h"
#include "cam/methods/integrated_gradients_options.h"
#include "cam/methods/kpca_cam_options.h"
#include "cam/methods/occlusion_options.h"
#include "cam/methods/random_cam_options.h"
#include "cam/methods/score_cam_options.h"
#include "cam/methods/smooth_grad_options.h"
#include "cam/methods/ss_cam_options.h"

namespace camlab::cam {

struct MethodSettings {
  CommonOptions common;
  ScoreCamOptions scorecam;
  AblationCamOptions ablationcam;
  RandomCamOptions randomcam;
  SmoothGradOptions smoothgrad;
  IntegratedGradientsOptions integrated_gradients;
  OcclusionOptions occlusion;
  FemOptions fem;
  FasterScoreCamOptions fasterscorecam;
  SsCamOptions sscam;
  KpcaCamOptions kpcacam;
  FinerCamOptions finercam;
  DffOptions dff;

  // The same seed for every seeded method (Random-CAM, SmoothGrad, SS-CAM, DFF).
  void set_seed(uint64_t seed);
  // The same images per forward for every method that batches extra forwards.
  void set_batch_size(int64_t batch_size);
};

}  // namespace camlab::cam
