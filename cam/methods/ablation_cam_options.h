// Ablation-CAM's own option (Desai & Ramaswamy 2020): it runs one forward per image and ablated
// channel, N·K in all, batched.
//
//   AblationCam ablation(*model, {.layers = {"relu4"}}, AblationCamOptions{.batch_size = 256});
#pragma once

#include <cstdint>

#include "cam/methods/common_options.h"

namespace camlab::cam {

struct AblationCamOptions {
  int64_t batch_size = kDefaultMethodBatch;  // ablated forwards per batch, > 0
};

}  // namespace camlab::cam
