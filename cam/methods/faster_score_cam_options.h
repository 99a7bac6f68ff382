// Faster Score-CAM's own options: how many channels it scores, and its batch size.
//
//   FasterScoreCam faster(*model, {.layers = {"relu4"}}, FasterScoreCamOptions{.top_k = 16});
#pragma once

#include <cstdint>

#include "cam/methods/common_options.h"

namespace camlab::cam {

struct FasterScoreCamOptions {
  // Channels kept per image, those of largest spatial variance, > 0; at least K is Score-CAM.
  // 10 as the Faster Score-CAM README (tabayashi0117/Score-CAM) and tf-keras-vis's max_N example.
  int64_t top_k = 10;
  int64_t batch_size = kDefaultMethodBatch;  // masked images per forward, > 0
};

}  // namespace camlab::cam
