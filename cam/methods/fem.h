// FEM, the Feature Explanation Method (Fuad et al. 2020, "Features understanding in 3D CNNs for
// actions recognition in video"), as pytorch-grad-cam's fem.py: no gradients, class-agnostic.
// Per image and channel c, the positions above the k-sigma threshold form a binary mask; the
// channel's weight is the share of its positions in the mask:
//   w_c = mean_ij 1[A^c_ij > μ_c + k·σ_c],  map = ReLU(Σ_c w_c·A^c)
// (μ_c, σ_c the mean and population standard deviation of A^c over its h·w positions).
//
//   Fem fem(*model, {.layers = {"relu4"}}, {.k = 2});
//   Explanation e = fem.explain(images);   // e.weights [N, K] in [0, 1]
#pragma once

#include "cam/methods/activation_cam.h"
#include "cam/methods/fem_options.h"

namespace camlab::cam {

// A [N, K, h, w] -> w [N, K]: the share of each channel's positions above μ + k·σ.
Tensor fem_weights(const Tensor& activations, double k);

class Fem : public ActivationCam {
 public:
  Fem(nn::Module& model, CommonOptions common = {}, FemOptions own = {});

 protected:
  Contributions contributions(const CamInputs& in, size_t layer) override;

 private:
  FemOptions own_;
};

}  // namespace camlab::cam
