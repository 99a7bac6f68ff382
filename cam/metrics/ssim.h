// Structural similarity of two maps (Wang, Bovik, Sheikh & Simoncelli 2004, "Image quality
// assessment: from error visibility to structural similarity", eq. 13), as their MATLAB
// ssim_index: an 11x11 Gaussian window with σ = 1.5, K1 = 0.01, K2 = 0.03, over the positions
// where the window lies inside the map ('valid'), averaged.
//
//   double s = ssim(map_a, map_b);                  // maps [H, W] in [0, data_range]
//   double t = ssim(normalized(a), normalized(b));  // the sanity checks: min-max to [0, 1] first
//   ssim(a, b, {.window = 7});                      // a smaller window for small maps
#pragma once

#include <cstdint>

#include "tensor/tensor.h"

namespace camlab::cam {

struct SsimOptions {
  int64_t window = 11;      // odd; shrunk to the largest odd size the map holds when it is smaller
  double sigma = 1.5;       // of the Gaussian weights
  double k1 = 0.01;         // C1 = (K1·L)²
  double k2 = 0.03;         // C2 = (K2·L)²
  double data_range = 1.0;  // L, the span of the values
};

// Mean SSIM of two [H, W] maps (any dtype or device) over the valid window positions, where
//   SSIM = (2 μx μy + C1)(2 σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2))
// with Gaussian-weighted means, variances and covariance in each window. Errors name the shapes.
double ssim(const Tensor& a, const Tensor& b, const SsimOptions& options = {});

// (x − min) / (max − min) as float64, a constant map becoming zeros: maps compared on one scale.
Tensor normalized(const Tensor& map);

}  // namespace camlab::cam
