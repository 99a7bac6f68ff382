// SS-CAM's own options (Wang et al. 2020, "SS-CAM: Smoothed Score-CAM"): the noisy copies of each
// channel's mask, their noise, the batch size and the seed.
//
//   SsCam sscam(*model, {.layers = {"relu4"}}, SsCamOptions{.samples = 16, .sigma = 1});
#pragma once

#include <cstdint>

#include "cam/methods/common_options.h"

namespace camlab::cam {

struct SsCamOptions {
  // Noisy copies of each mask whose scores are averaged, > 0 (35, as the authors' code).
  int64_t samples = 35;
  // σ of the Gaussian noise added to each [0, 1] mask, >= 0 (2, as the authors' code).
  double sigma = 2.0;
  int64_t batch_size = kDefaultMethodBatch;  // masked images per forward, > 0
  uint64_t seed = 0;                         // of the noise; successive calls continue the stream
};

}  // namespace camlab::cam
