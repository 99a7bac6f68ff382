// Noisy linear imputation, the removal operator of ROAD (Rong et al. 2022, "A Consistent and
// Efficient Evaluation Strategy for Attribution Methods", ICML, sec. 4): every removed pixel takes
// the weighted mean of its 8 neighbours, solved jointly for all removed pixels, plus Gaussian
// noise.
//
//   Tensor keep = road_keep_masks(maps, 70, RoadOrder::most_relevant_first);   // [N, H, W] 0/1
//   Generator gen(0);
//   Tensor filled = noisy_linear_imputation(images, keep, gen, {.noise = 0.01});  // [N, C, H, W]
#pragma once

#include <cstdint>

#include "tensor/generator.h"
#include "tensor/tensor.h"

namespace camlab::cam {

struct ImputationOptions {
  double noise = 0.01;         // σ of the noise added to imputed values (absolute, input space)
  double tolerance = 1e-6;     // CG stops when ‖r‖ ≤ tolerance · ‖b‖ for every system
  int64_t max_iterations = 0;  // 0: 10·(H + W), ample for these Laplace-like systems
};

// images [N, C, H, W] and keep [N, H, W] (1 = original pixel, 0 = impute) -> [N, C, H, W].
// For a removed pixel i with in-image neighbours N(i) (weights w = 1/6 edge, 1/12 diagonal):
//   (Σ_{j∈N(i)} w_ij) x_i − Σ_{j∈N(i) removed} w_ij x_j = Σ_{j∈N(i) kept} w_ij x_j,
// one symmetric positive definite system per image (shared by its channels), solved by
// Jacobi-preconditioned conjugate gradients batched over images and channels. An image with
// every pixel removed has no solution and is an error.
Tensor noisy_linear_imputation(const Tensor& images, const Tensor& keep, Generator& gen,
                               const ImputationOptions& options = {});

}  // namespace camlab::cam
