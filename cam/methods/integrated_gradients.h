// Integrated gradients (Sundararajan et al. 2017): (x − x')·mean over α of dy/dx at
// x' + α(x − x'), baseline x' = 0, α = k/m for k = 1..m (the paper's Riemann sum, eq. 3). The m·N
// interpolated images run batched.
//
//   IntegratedGradients ig(*model, {}, {.steps = 64});
//   Explanation e = ig.explain(images);   // Σ_pixels e.attributions ≈ y(x) − y(0) per image
#pragma once

#include "cam/methods/integrated_gradients_options.h"
#include "cam/methods/pixel_attribution.h"

namespace camlab::cam {

class IntegratedGradients : public PixelAttribution {
 public:
  IntegratedGradients(nn::Module& model, CommonOptions common = {},
                      IntegratedGradientsOptions own = {});
  Tensor attribute(const Tensor& images, const Tensor& classes, const Target& target) override;

 private:
  IntegratedGradientsOptions own_;
};

}  // namespace camlab::cam
