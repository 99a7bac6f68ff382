// ShapleyCAM (Cai et al. 2025, "CAMs as Shapley Value-based Explainers"), as pytorch-grad-cam's
// shapley_cam.py: Grad-CAM's channel weights corrected by the second-order term of a Taylor
// expansion of the score around the activations, which the paper derives as the Shapley value of
// each neuron under a second-order model of y:
//   w_k = mean_ij (g − ½·H·A)^k_ij,  map = ReLU(Σ_k w_k·A^k)
// with g = dy/dA and H·A the Hessian-vector product d(g·A)/dA (A held fixed as the vector),
// computed exactly by double backward (autograd::grad with create_graph). For a network that is
// piecewise linear between A and the score (ReLU, max-pool, linear, raw logit) H·A = 0 and it is
// Grad-CAM; a softmax target (Target::with_score(softmax_score())) makes the term count.
//
//   ShapleyCam shapley(*model, {.layers = {"relu2"}});
//   Explanation e = shapley.explain(images, Target::predicted().with_score(softmax_score()));
#pragma once

#include "cam/methods/activation_cam.h"

namespace camlab::cam {

class ShapleyCam : public ActivationCam {
 public:
  explicit ShapleyCam(nn::Module& model, CommonOptions common = {});

 protected:
  Contributions contributions(const CamInputs& in, size_t layer) override;
};

}  // namespace camlab::cam
