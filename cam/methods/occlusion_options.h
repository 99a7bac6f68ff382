// Occlusion's own options (Zeiler & Fergus 2014): a square patch of the baseline value slides
// over each image with the given stride; the N·positions occluded images run batched.
//
//   Occlusion occlusion(*model, {}, OcclusionOptions{.patch = 4, .stride = 2});
#pragma once

#include <cstdint>

#include "cam/methods/common_options.h"

namespace camlab::cam {

struct OcclusionOptions {
  int64_t patch = 4;                         // side of the square patch in pixels, > 0
  int64_t stride = 2;                        // step between patch positions, > 0
  double baseline = 0.0;                     // the value the patch fills every channel with
  int64_t batch_size = kDefaultMethodBatch;  // occluded images per forward, > 0
};

}  // namespace camlab::cam
