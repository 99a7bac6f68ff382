// Score-CAM's own option (Wang et al. 2020): it runs one masked forward per image and channel,
// N·K in all, batched.
//
//   ScoreCam scorecam(*model, {.layers = {"relu4"}}, ScoreCamOptions{.batch_size = 256});
#pragma once

#include <cstdint>

#include "cam/methods/common_options.h"

namespace camlab::cam {

struct ScoreCamOptions {
  int64_t batch_size = kDefaultMethodBatch;  // masked images per forward, > 0
};

}  // namespace camlab::cam
