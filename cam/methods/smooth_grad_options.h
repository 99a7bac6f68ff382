// SmoothGrad's own options (Smilkov et al. 2017): the mean attribution of `samples` noisy copies
// x + N(0, σ²), σ = noise·(max − min) of each image, of the pixel method `base`.
//
//   SmoothGrad smooth(*model, {}, SmoothGradOptions{.samples = 32, .base = "guided-backprop"});
#pragma once

#include <cstdint>
#include <string>

#include "cam/methods/common_options.h"

namespace camlab::cam {

struct SmoothGradOptions {
  int64_t samples = 16;  // noisy copies per image, > 0
  double noise = 0.15;   // σ / (max − min) per image, >= 0 (the paper finds 10-20% works best)
  // The pixel method smoothed: saliency, guided-backprop, deconvnet, guided-gradcam,
  // integrated-gradients or occlusion (those take their own options from MethodSettings).
  std::string base = "saliency";
  int64_t batch_size = kDefaultMethodBatch;  // noisy images per forward, > 0
  uint64_t seed = 0;                         // of the noise; successive calls continue the stream
};

}  // namespace camlab::cam
