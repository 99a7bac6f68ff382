// Penalties that keep synthesised inputs natural (Mahendran & Vedaldi 2015; Lucid): each is a
// mean per image, so weights do not depend on the image size. Differentiable (camlab ops).
//
//   Tensor loss = -camlab::sum(objective) + 0.05 * camlab::sum(tv_penalty(images));
//   PenaltyValues now = measure_penalties(images);      // batch means, for reports and tests
//   Tensor sim = diversity_penalty(activations);        // Lucid's diversity term (scalar)
#pragma once

#include "tensor/tensor.h"

namespace camlab::cam::visualize {

// images: [B, C, H, W] -> [B]
Tensor l1_penalty(const Tensor& images);  // mean |x|
Tensor l2_penalty(const Tensor& images);  // mean x²
// Anisotropic total variation: mean |x[h+1,w] − x[h,w]| + mean |x[h,w+1] − x[h,w]|.
Tensor tv_penalty(const Tensor& images);

// Lucid's diversity: with G_b = A_b A_bᵀ the [K, K] Gram matrix of image b's activations
// (A_b: [K, h·w]) and Ĝ_b = G_b/‖G_b‖, Σ_{a≠b} ⟨Ĝ_a, Ĝ_b⟩ (0 for B = 1). activations:
// [B, K, h, w] -> scalar. Lowering it pushes the batch's images towards different styles.
Tensor diversity_penalty(const Tensor& activations);

struct PenaltyValues {
  double l1 = 0;
  double l2 = 0;
  double tv = 0;
};
// The three penalties of the images, averaged over the batch (no graph).
PenaltyValues measure_penalties(const Tensor& images);

}  // namespace camlab::cam::visualize
