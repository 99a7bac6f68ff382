// Integrated gradients' own options (Sundararajan et al. 2017): m Riemann steps α = k/m from the
// zero baseline (eq. 3), the m·N interpolated images batched.
//
//   IntegratedGradients ig(*model, {}, IntegratedGradientsOptions{.steps = 64});
#pragma once

#include <cstdint>

#include "cam/methods/common_options.h"

namespace camlab::cam {

struct IntegratedGradientsOptions {
  int64_t steps = 32;                        // m, > 0; the completeness error shrinks as 1/m
  int64_t batch_size = kDefaultMethodBatch;  // interpolated images per forward, > 0
};

}  // namespace camlab::cam
