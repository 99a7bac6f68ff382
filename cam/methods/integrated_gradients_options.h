// Integrated gradients' own options (Sundararajan et al. 2017): m Riemann steps α = k/m along the
// straight path from a constant baseline image x' (black by default, eq. 3), the m·N interpolated
// images batched.
//
//   IntegratedGradients ig(*model, {}, IntegratedGradientsOptions{.steps = 64});
#pragma once

#include <cstdint>

#include "cam/methods/common_options.h"

namespace camlab::cam {

struct IntegratedGradientsOptions {
  int64_t steps = 32;                        // m, > 0; the completeness error shrinks as 1/m
  double baseline = 0.0;                     // x': every pixel of the baseline image (0 = black)
  int64_t batch_size = kDefaultMethodBatch;  // interpolated images per forward, > 0
};

}  // namespace camlab::cam
