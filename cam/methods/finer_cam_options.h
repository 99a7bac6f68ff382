// Finer-CAM's own options (Zhang et al. 2025): how many similar classes the target is contrasted
// with, and how strongly.
//
//   FinerCam finer(*model, {.layers = {"relu4"}}, FinerCamOptions{.alpha = 0.6, .comparisons = 1});
#pragma once

#include <cstdint>

namespace camlab::cam {

struct FinerCamOptions {
  // α of y^c − α·y^j: 0 is Grad-CAM, 1 (pytorch-grad-cam's default) the plain difference.
  double alpha = 1.0;
  // The classes whose logits are closest to the target's, > 0; pytorch-grad-cam's default
  // comparison_categories [1, 2, 3] are the 3 nearest. Clamped to K − 1.
  int64_t comparisons = 3;
};

}  // namespace camlab::cam
